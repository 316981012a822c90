/* crashwriter.c: writes poll cycles, bills, payments and outbox traffic
 * through the store as the daemon does, forever, and journals each commit
 * the store reported done (appended and fdatasync'd after the commit). The
 * crash test kills it with SIGKILL at random moments and checks that
 * everything journaled is in the database.
 *
 *   crashwriter DB JOURNAL        write until killed
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "store_bills.h"

#define METERS 10

static void journal(int fd, char tag, long long a, long long b)
{
    char line[96];
    int n = snprintf(line, sizeof line, "%c %lld %lld\n", tag, a, b);
    if (write(fd, line, (size_t)n) != n || fdatasync(fd) != 0)
        exit(3);
}

static long long next_cycle(store *s)
{
    reading r;
    if (store_last_reading(s, "M0", 0, &r) != GL_OK)
        return 1;
    return r.ts / 900 + 1;
}

static void put_cycle(store *s, int fd, long long k)
{
    reading rs[METERS];
    memset(rs, 0, sizeof rs);
    for (int m = 0; m < METERS; m++) {
        snprintf(rs[m].meter, sizeof rs[m].meter, "M%d", m);
        rs[m].ts = k * 900;
        rs[m].present = READING_HAS_IMPORT;
        rs[m].import_wh = k * 100 + m;
    }
    if (store_put_readings(s, rs, METERS) == GL_OK)
        journal(fd, 'R', k, METERS);
}

static void money(store *s, int fd, long long k)
{
    char cust[24], period[24], ref[32];
    snprintf(cust, sizeof cust, "C%lld", k % 7);
    snprintf(period, sizeof period, "P%lld", k / 5);
    bill b = {.nlines = 1, .total_fen = 100 + k};
    snprintf(b.customer, sizeof b.customer, "%s", cust);
    b.lines[0] = (bill_line){.code = "energy", .unit = "kWh", .amount_fen = 100};
    static const char doc[] = "{\"lines\":[{\"code\":\"energy\",\"amount\":\"1.00\"}]}";
    gl_status st = store_bill_put(s, period, &b, doc, sizeof doc - 1);
    if (st == GL_OK || st == GL_EEXIST)
        journal(fd, 'B', k % 7, k / 5);
    snprintf(ref, sizeof ref, "REF-%lld", k);
    st = store_payment_put(s, cust, 500, ref, "2026-01-01");
    if (st == GL_OK || st == GL_EEXIST)
        journal(fd, 'P', k, 0);
}

static void outbox(store *s, int fd, long long k)
{
    int64_t seq = 0;
    if (store_outbox_put(s, k % 3 ? "readings" : "bills", "{\"x\":1}", k, &seq) == GL_OK)
        journal(fd, 'O', seq, 0);
    store_outbox_msg m;
    if (k % 2 == 0 && store_outbox_next(s, 0, &m) == GL_OK) {
        if (store_outbox_ack(s, m.seq) == GL_OK)
            journal(fd, 'A', m.seq, 0);
        store_outbox_msg_free(&m);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: crashwriter DB JOURNAL\n");
        return 2;
    }
    int fd = open(argv[2], O_WRONLY | O_APPEND | O_CREAT, 0644);
    store *s = NULL;
    if (fd < 0 || store_open(argv[1], NULL, &s) != GL_OK)
        return 1;
    for (long long k = next_cycle(s);; k++) {
        put_cycle(s, fd, k);
        money(s, fd, k);
        outbox(s, fd, k);
    }
}
