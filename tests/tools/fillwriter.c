/* fillwriter.c: the disk-full test's writer. Writes poll cycles into the
 * store on a small file system until the disk refuses, goes on polling into
 * the memory queue for a few cycles, then frees space by removing FILLER and
 * goes on; finally it counts the stored readings.
 *
 *   fillwriter DB FILLER      prints what happened, exit 0 if nothing lost
 */
#define _GNU_SOURCE /* fopencookie */
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "store.h"

#define METERS 20

static gl_status cycle(store *s, long long k)
{
    reading rs[METERS];
    memset(rs, 0, sizeof rs);
    for (int m = 0; m < METERS; m++) {
        snprintf(rs[m].meter, sizeof rs[m].meter, "M%d", m);
        rs[m].ts = k * 900;
        rs[m].present = READING_HAS_IMPORT;
        rs[m].import_wh = k * 100 + m;
        rs[m].nraw = 64; /* a full register block per reading */
    }
    return store_put_readings(s, rs, METERS);
}

/* A write-only stream that counts the ends of CSV records ("\r\n") written
 * to it and keeps nothing. */
typedef struct csv_counter {
    long long ends;
    char last;
} csv_counter;

static ssize_t count_write(void *cookie, const char *buf, size_t n)
{
    csv_counter *k = cookie;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n' && k->last == '\r')
            k->ends++;
        k->last = buf[i];
    }
    return (ssize_t)n;
}

/* stored: the readings in the store, counted in its CSV export (routine
 * readings are not all rows of the table: the export prints every one),
 * the header apart; -1 if the export fails. */
static long long stored(store *s)
{
    csv_counter k = {0, 0};
    FILE *f = fopencookie(&k, "w", (cookie_io_functions_t){.write = count_write});
    if (f == NULL)
        return -1;
    gl_status st = store_export_csv(s, "readings", f);
    if (fclose(f) != 0 || st != GL_OK)
        return -1;
    return k.ends - 1;
}

int main(int argc, char **argv)
{
    store *s = NULL;
    if (argc != 3 || store_open(argv[1], NULL, &s) != GL_OK)
        return 2;
    long long k = 1, full_at = 0;
    for (; k < 100000 && (full_at == 0 || k < full_at + 10); k++) {
        gl_status st = cycle(s, k);
        if (st != GL_OK && full_at == 0) {
            full_at = k;
            printf("full at cycle %lld: %s (%s)\n", k, gl_status_name(st), gl_strerror(st));
        }
    }
    printf("pending in memory: %zu readings\n", store_pending(s, NULL));
    unlink(argv[2]);
    for (int i = 0; i < 3; i++, k++)
        if (cycle(s, k) != GL_OK)
            printf("cycle %lld still failing\n", k);
    int64_t dropped = 0;
    size_t pending = store_pending(s, &dropped);
    long long want = (k - 1) * METERS, got = stored(s);
    printf("after freeing space: stored %lld of %lld readings, pending %zu, dropped %lld\n", got, want, pending,
           (long long)dropped);
    store_close(s);
    return full_at > 0 && got == want && pending == 0 && dropped == 0 ? 0 : 1;
}
