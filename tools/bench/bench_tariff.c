/* bench_tariff.c: bills per second on one core for one customer-month of
 * 15-minute data (2,976 intervals) under time of use with yearly tiers
 * (the Zhejiang residential tariff), against the peer: a plain loop that
 * only sums the same intervals' kWh (the floor any billing pass pays to
 * read the data). Also the bytes one bill takes (tariff set shared).
 * Prints table rows for tools/bench/run.sh. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gridledger/bill.h"
#include "gridledger/civil.h"
#include "gridledger/tariff.h"

#define N_INTERVALS (31 * 96)

static const char tariff_text[] =
    "{\"id\": \"zj-res-tou\", \"effective_from\": \"2012-07-01\", \"energy\": {\"tou\": {\"periods\": "
    "{\"peak\": \"0.568\", \"valley\": \"0.288\"}, \"calendar\": [{\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], "
    "\"hours\": [[\"08:00\",\"22:00\",\"peak\"], [\"22:00\",\"08:00\",\"valley\"]]}]}, \"tiers\": {\"basis\": "
    "\"year\", \"bounds_kwh\": [\"2760\", \"4800\"], \"adders\": [\"0\", \"0.05\", \"0.30\"]}}}";

static tariff_set ts;
static usage_interval u[N_INTERVALS];
static bill b;

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void)
{
    diag d;
    diag_init(&d);
    if (tariff_parse("bench.json", tariff_text, strlen(tariff_text), &d, &ts) != GL_OK) {
        fprintf(stderr, "bench_tariff: %s\n", d.count ? d.lines[0] : "tariff");
        return 1;
    }
    int64_t t0 = (int64_t)civil_days(2024, 1, 1) * CIVIL_MIN_PER_DAY;
    for (int i = 0; i < N_INTERVALS; i++) {
        u[i] = (usage_interval){t0 + 15 * i, 15, 0, 0, 200 + (i * 7919) % 900, -1, -1};
    }
    bill_options o;
    bill_options_init(&o);
    o.has_position = 1;
    const int n = 4000;
    int64_t check = 0;
    double a = seconds();
    for (int k = 0; k < n; k++) {
        o.position_wh = 2000000 + 97 * (k % 1000); /* each customer its own year so far */
        if (bill_compute(&ts, u, N_INTERVALS, &o, &b) != GL_OK)
            return 1;
        check += b.total_fen;
    }
    double m = seconds();
    volatile int64_t sink = 0;
    const int np = 200000;
    for (int k = 0; k < np; k++) {
        int64_t s = 0;
        for (int i = 0; i < N_INTERVALS; i++)
            s += ((volatile usage_interval *)u)[i].energy_wh;
        sink += s;
    }
    double z = seconds();
    (void)sink;
    double ours = n / (m - a), peer = np / (z - m);
    printf("| tariff | bill_compute, 1 month of 15-min data, TOU + yearly tiers (%d lines) | %.0f | bills/s | "
           "plain loop summing the kWh: %.0f passes/s | %.3f |\n",
           b.nlines, ours, peer, ours / peer);
    printf("| tariff | 100,000 customers billed on one core | %.1f | s | | |\n", 100000.0 / ours);
    printf("| tariff | memory per bill in flight: bill + usage month (tariff set %zu B shared) | %zu | bytes | "
           "| |\n",
           sizeof ts, sizeof b + sizeof u);
    return check == 0;
}
