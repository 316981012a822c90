/* bench_store.c: the store's speed, size and wear.
 *
 * - readings stored per second, 1,000 meters a poll cycle in one transaction,
 *   against the disk's fdatasync rate x 1,000 (each cycle costs a sync);
 * - bytes per stored raw reading;
 * - database size for 1,000 meters over a year at 15-minute intervals after
 *   compaction, extrapolated from 7 simulated days (bytes per interval row);
 * - bytes written to disk per day (counted by the store's VFS shim) for 1,000
 *   meters polled every 15 minutes plus the daily compaction, against the
 *   payload (the integer values of the readings).
 * Runs in a temporary folder under $TMPDIR (default /var/tmp: a real disk). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "monotime.h"
#include "store_vfs.h"

#define METERS 1000
#define T0 1767196800LL /* 2026-01-01T00:00+08:00 */

static void cycle(store *s, reading *rs, long long k)
{
    for (int m = 0; m < METERS; m++) {
        rs[m].ts = T0 + k * 900 + m % 40; /* a cycle takes some seconds on the bus */
        rs[m].import_wh = 12000000 + k * 250 + m * 7;
        rs[m].export_wh = 3000 + k;
        rs[m].reactive_varh = 5000000 + k * 60 + m;
        rs[m].power_w = 1000 + m + k % 17;
        rs[m].pf_milli = 950 + (int)(k % 40);
        rs[m].freq_chz = 4995 + (int)(k % 10);
        rs[m].voltage_dv[0] = 2280 + (int)((k + m) % 60);
        rs[m].current_ma[0] = 4300 + (int)((k * 13 + m) % 900);
    }
    if (store_put_readings(s, rs, METERS) != GL_OK)
        exit(1);
}

/* BENCH_STORE_NRAW: register words kept per reading (default 8; an SDM120's
 * cycle reads 88), so tools/bench/store_choices.sh can weigh what is kept raw. */
static uint16_t nraw_of_env(void)
{
    const char *v = getenv("BENCH_STORE_NRAW");
    long n = v != NULL ? strtol(v, NULL, 10) : 8;
    return (uint16_t)(n < 0 ? 0 : n > READING_RAW_MAX ? READING_RAW_MAX : n);
}

static void init_readings(reading *rs)
{
    uint16_t nraw = nraw_of_env();
    memset(rs, 0, sizeof *rs * METERS);
    for (int m = 0; m < METERS; m++) {
        snprintf(rs[m].meter, sizeof rs[m].meter, "M-%04d", m);
        /* what an SDM120 gives; BENCH_STORE_FIELDS=4: import, power, voltage, current only */
        rs[m].present = READING_HAS_IMPORT | READING_HAS_EXPORT | READING_HAS_REACTIVE | READING_HAS_POWER |
                        READING_HAS_PF | READING_HAS_FREQ | READING_HAS_VOLTAGE | READING_HAS_CURRENT;
        if (getenv("BENCH_STORE_FIELDS") != NULL && strcmp(getenv("BENCH_STORE_FIELDS"), "4") == 0)
            rs[m].present = READING_HAS_IMPORT | READING_HAS_POWER | READING_HAS_VOLTAGE | READING_HAS_CURRENT;
        rs[m].nphases = 1;
        rs[m].voltage_dv[0] = 2300;
        rs[m].current_ma[0] = 4300;
        rs[m].nraw = nraw;
        for (uint16_t i = 0; i < nraw; i++)
            rs[m].raw[i] = (uint16_t)(m * 7 + i * 13);
    }
}

/* fsync_rate: fdatasync calls per second on the folder's file system. */
static double fsync_rate(const char *dir)
{
    char p[300];
    snprintf(p, sizeof p, "%s/sync.tmp", dir);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    double t = monotime_s();
    int n = 0;
    for (; n < 200 && monotime_s() - t < 2.0; n++)
        if (write(fd, "x", 1) != 1 || fdatasync(fd) != 0)
            break;
    double r = n / (monotime_s() - t);
    close(fd);
    unlink(p);
    return r;
}

int main(void)
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp";
    char dir[256], db[300], cmd[320];
    snprintf(dir, sizeof dir, "%s/gl-bench-XXXXXX", tmp);
    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(db, sizeof db, "%s/b.db", dir);
    store_options o = {.compact_after_days = 1, .utc_offset_s = 8 * 3600};
    store *s = NULL;
    static reading rs[METERS];
    init_readings(rs);
    if (store_open(db, &o, &s) != GL_OK)
        return 1;
    /* 7 simulated days; the written bytes of the last 3 averaged (a WAL
     * checkpoint writes pages of earlier cycles: one day alone depends on
     * where the checkpoints fall) */
    const int days = 7, per_day = 96, counted = 3;
    long long bytes0 = 0, bytes_day = 0, bytes_compact = 0;
    double store_time = 0;
    for (long long k = 0; k < (long long)days * per_day; k++) {
        if (k == (long long)(days - counted) * per_day) {
            store_stats st;
            store_stats_get(s, &st);
            bytes0 = st.bytes_written;
        }
        double c = monotime_s();
        cycle(s, rs, k);
        store_time += monotime_s() - c;
        if (k % per_day == per_day - 1) {
            long long b0 = 0, sy = 0, b1 = 0;
            store_vfs_counters(&b0, &sy);
            store_compact(s, T0 + (k + 1) * 900, NULL);
            store_vfs_counters(&b1, &sy);
            if (k >= (long long)(days - counted) * per_day)
                bytes_compact += b1 - b0;
        }
    }
    store_stats st;
    store_stats_get(s, &st);
    bytes_day = (st.bytes_written - bytes0) / counted;
    bytes_compact /= counted;
    /* raw now: the last day's readings (the days before are compacted),
     * packed in reading_blocks_DAY or kept as rows of readings */
    long long raw_rows = (long long)per_day * METERS, int_rows = 0, raw_bytes = 0, int_bytes = 0;
    for (size_t i = 0; i < st.ntables; i++) {
        if (strcmp(st.tables[i].name, "readings") == 0 || strncmp(st.tables[i].name, "reading_blocks_", 15) == 0)
            raw_bytes += st.tables[i].bytes;
        if (strcmp(st.tables[i].name, "intervals") == 0)
            int_rows = st.tables[i].rows, int_bytes = st.tables[i].bytes;
    }
    double rate = (double)days * per_day * METERS / store_time;
    double sync = fsync_rate(dir);
    double per_day_row = (double)int_bytes / (double)(int_rows ? int_rows : 1);
    double per_int = per_day_row / 96.0;
    double year_mb = per_day_row * METERS * 365 / 1048576.0;
    double payload_day = (double)METERS * per_day * 6 * 8; /* six 64-bit values a reading */
    printf("| store | readings stored, 1,000 a cycle, one transaction (WAL, synchronous=FULL) | %.0f | readings/s | "
           "fdatasync limit %.0f x 1,000 | %.3f |\n",
           rate, sync, rate / (sync * METERS));
    printf("| store | bytes per raw reading (packed; a day's first slot kept as rows with %d register words) | %.0f | B | | |\n",
           (int)nraw_of_env(),
           (double)raw_bytes / (double)(raw_rows ? raw_rows : 1));
    printf("| store | bytes per compacted 15-min interval | %.1f | B | raw reading %.0f B | %.3f |\n", per_int,
           (double)raw_bytes / (double)(raw_rows ? raw_rows : 1),
           per_int / ((double)raw_bytes / (double)(raw_rows ? raw_rows : 1)));
    printf("| store | 1,000 meters x 1 year at 15 min, compacted (from %d days) | %.1f | MB | raw readings %.0f MB | %.3f "
           "|\n",
           days - 1, year_mb, (double)raw_bytes / (double)(raw_rows ? raw_rows : 1) * METERS * 35040 / 1048576.0,
           year_mb / ((double)raw_bytes / (double)(raw_rows ? raw_rows : 1) * METERS * 35040 / 1048576.0));
    printf("| store | bytes written per day, 1,000 meters every 15 min + compaction (of which compaction %.1f MB) | "
           "%.1f | MB/day | payload %.1f MB | %.1f |\n",
           (double)bytes_compact / 1048576.0, (double)bytes_day / 1048576.0, payload_day / 1048576.0,
           (double)bytes_day / payload_day);
    store_close(s);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    return 0;
}
