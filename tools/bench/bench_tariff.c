/* bench_tariff.c: bills per second on one core for one customer-month of
 * 15-minute data (2,976 intervals) under time of use with yearly tiers
 * (the Zhejiang residential tariff), against the peer: a plain loop that
 * only sums the same intervals' kWh (the floor any billing pass pays to
 * read the data). Also the bytes one bill takes (tariff set shared), and
 * 100,000 customers billed one after another the way the daemon closes a
 * cycle (each its own month of usage, generated into one reused buffer):
 * wall time and peak memory (getrusage ru_maxrss), against holding every
 * customer-month at once. Prints table rows for tools/bench/run.sh.
 *
 * `bench_tariff --bills N` / `--sums N` only bill N customers / run N plain
 * kWh sums and print nothing: tools/bench/tariff.sh runs them under
 * callgrind to count instructions per bill. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "gridledger/bill.h"
#include "gridledger/civdate.h"
#include "gridledger/tariff.h"
#include "monotime.h"

#define N_INTERVALS (31 * 96)
#define N_CUSTOMERS 100000

static const char tariff_text[] =
    "{\"id\": \"zj-res-tou\", \"effective_from\": \"2012-07-01\", \"energy\": {\"tou\": {\"periods\": "
    "{\"peak\": \"0.568\", \"valley\": \"0.288\"}, \"calendar\": [{\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], "
    "\"hours\": [[\"08:00\",\"22:00\",\"peak\"], [\"22:00\",\"08:00\",\"valley\"]]}]}, \"tiers\": {\"basis\": "
    "\"year\", \"bounds_kwh\": [\"2760\", \"4800\"], \"adders\": [\"0\", \"0.05\", \"0.30\"]}}}";

static tariff_set ts;
static usage_interval u[N_INTERVALS];
static bill b;

/* Customer k's month: the same shape, its own energies. */
static void fill_usage(int k)
{
    int64_t t0 = (int64_t)civdate_from_ymd(2024, 1, 1) * CIVDATE_MINUTES_PER_DAY;
    for (int i = 0; i < N_INTERVALS; i++)
        u[i] = (usage_interval){t0 + 15 * i, 15, 0, 0, 200 + ((i + k) * 7919) % 900, -1, -1};
}

static long peak_rss_kb(void)
{
    struct rusage r;
    return getrusage(RUSAGE_SELF, &r) == 0 ? r.ru_maxrss : -1;
}

/* Bills n customers, each with its own year-to-date position and, when
 * fresh, its own usage (else all bill the usage already in u). */
static int bill_customers(int n, int fresh, int64_t *total_fen)
{
    bill_options o;
    bill_options_init(&o);
    o.has_position = 1;
    *total_fen = 0;
    for (int k = 0; k < n; k++) {
        if (fresh)
            fill_usage(k);
        o.position_wh = 2000000 + 97 * (k % 1000);
        if (bill_compute(&ts, u, N_INTERVALS, &o, &b) != GL_OK)
            return 0;
        *total_fen += b.total_fen;
    }
    return 1;
}

static int64_t plain_sums(int n)
{
    volatile int64_t sink = 0;
    for (int k = 0; k < n; k++) {
        int64_t s = 0;
        for (int i = 0; i < N_INTERVALS; i++)
            s += ((volatile usage_interval *)u)[i].energy_wh;
        sink += s;
    }
    return sink;
}

static void fleet_rows(void)
{
    int64_t total = 0;
    long before = peak_rss_kb();
    double a = monotime_s();
    if (!bill_customers(N_CUSTOMERS, 1, &total)) {
        printf("| tariff | 100,000 customers | (bill failed) | | | |\n");
        return;
    }
    double z = monotime_s();
    long peak = peak_rss_kb();
    double all_at_once_kb = (double)N_CUSTOMERS * (double)sizeof u / 1024.0;
    printf("| tariff | 100,000 customers x 1 month of 15-min data, billed one by one on one core (measured) | %.1f | "
           "s | | |\n",
           z - a);
    printf("| tariff | peak memory (ru_maxrss) billing 100,000 customers (%ld KiB before the run) | %ld | KiB | "
           "all 100,000 customer-months held at once: %.0f KiB | %.4f |\n",
           before, peak, all_at_once_kb, (double)peak / all_at_once_kb);
    if (total == 0)
        printf("| tariff | (100,000 bills came to 0) | | | | |\n");
}

int main(int argc, char **argv)
{
    diag d;
    diag_init(&d);
    if (tariff_parse("bench.json", tariff_text, strlen(tariff_text), &d, &ts) != GL_OK) {
        fprintf(stderr, "bench_tariff: %s\n", d.count ? d.lines[0] : "tariff");
        return 1;
    }
    fill_usage(0);
    if (argc == 3 && (strcmp(argv[1], "--bills") == 0 || strcmp(argv[1], "--sums") == 0)) {
        int64_t total = 0;
        int n = (int)strtol(argv[2], NULL, 10);
        if (strcmp(argv[1], "--sums") == 0)
            return plain_sums(n) == -1;
        return bill_customers(n, 0, &total) ? 0 : 1;
    }
    bill_options o;
    bill_options_init(&o);
    o.has_position = 1;
    const int n = 4000;
    int64_t check = 0;
    double a = monotime_s();
    for (int k = 0; k < n; k++) {
        o.position_wh = 2000000 + 97 * (k % 1000); /* each customer its own year so far */
        if (bill_compute(&ts, u, N_INTERVALS, &o, &b) != GL_OK)
            return 1;
        check += b.total_fen;
    }
    double m = monotime_s();
    const int np = 200000;
    (void)plain_sums(np);
    double z = monotime_s();
    double ours = n / (m - a), peer = np / (z - m);
    printf("| tariff | bill_compute, 1 month of 15-min data, TOU + yearly tiers (%d lines) | %.0f | bills/s | "
           "plain loop summing the kWh: %.0f passes/s | %.3f |\n",
           b.nlines, ours, peer, ours / peer);
    printf("| tariff | 100,000 customers billed on one core | %.1f | s | | |\n", 100000.0 / ours);
    printf("| tariff | memory per bill in flight: bill + usage month (tariff set %zu B shared) | %zu | bytes | "
           "| |\n",
           sizeof ts, sizeof b + sizeof u);
    fleet_rows();
    return check == 0;
}
