/* fillwriter.c: the disk-full test's writer. Writes poll cycles into the
 * store on a small file system until the disk refuses, goes on polling into
 * the memory queue for a few cycles, then frees space by removing FILLER and
 * goes on; finally it counts the stored readings.
 *
 *   fillwriter DB FILLER      prints what happened, exit 0 if nothing lost
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "../unit/store_peek.h"

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

static long long stored(store *s)
{
    return (long long)store_peek(s, "SELECT count(*) FROM readings", NULL, 0);
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
