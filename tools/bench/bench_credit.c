/* bench_credit.c: credit-calc throughput. N customers (default 10,000; argv[1]
 * or $BENCH_CREDIT_CUSTOMERS, e.g. 1000000) each with 24 months of ledger from
 * a seeded generator (on time, often late, chronic, theft, prepaid running
 * dry), graded through credit_eval (ledger replay, penalties, scorecard with
 * its cycles, collection plan, deposit). Ledgers are generated one customer
 * at a time into a reused buffer, so memory stays flat; generation time is
 * measured apart. Also: ledger CSV parsing in rows per second. Prints table
 * rows for tools/bench/run.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "gridledger/civdate.h"
#include "gridledger/credit.h"
#include "gridledger/ledgercsv.h"
#include "monotime.h"

#define MONTHS 24
#define MAXE 128

static uint32_t rng(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

static void put(ledger_entry *e, int *n, int32_t date, ledger_kind k, int64_t fen, int32_t due)
{
    ledger_entry *x = &e[(*n)++];
    x->date = date;
    x->due = due;
    x->kind = k;
    x->amount_fen = fen;
    snprintf(x->ref, sizeof x->ref, "R%d", *n);
}

/* One customer's 24 months; behaviour by index. Returns the entry count (date order). */
static int generate(int idx, int32_t start, ledger_entry *e, ledger_class *klass)
{
    uint64_t s = 0x9e3779b97f4a7c15ULL ^ (uint64_t)idx * 0x100000001b3ULL;
    int n = 0, kind = idx % 20; /* 0-11 on time, 12-15 often late, 16-17 chronic, 18 prepaid, 19 commercial */
    *klass = kind == 19 ? LEDGER_CLASS_COMMERCIAL : LEDGER_CLASS_RESIDENTIAL;
    if (kind == 18) {
        for (int m = 0; m < MONTHS; m++) {
            int32_t d = civdate_add_months(start, m);
            if (rng(&s) % 3)
                put(e, &n, d + 1, LEDGER_TOPUP, 10000, 0);
            put(e, &n, d + 27, LEDGER_USAGE, 5000 + rng(&s) % 4000, 0);
        }
        return n;
    }
    for (int m = 0; m < MONTHS; m++) {
        int32_t d = civdate_add_months(start, m);
        int64_t amount = 8000 + rng(&s) % 20000;
        if (*klass == LEDGER_CLASS_COMMERCIAL)
            amount *= 20;
        put(e, &n, d, LEDGER_BILL, amount, d + 15);
        int late = kind < 12 ? (rng(&s) % 10 == 0 ? 3 : -5) : kind < 16 ? 5 + (int)(rng(&s) % 30) : 60;
        if (kind >= 16 && m > 18)
            continue; /* chronic: stops paying */
        put(e, &n, d + 15 + late, LEDGER_PAYMENT, amount, 0);
        if (idx % 997 == 0 && m == 12)
            put(e, &n, d + 20, LEDGER_THEFT, 50000, 0);
    }
    /* insertion sort: payments of late payers fall after later bills */
    for (int i = 1; i < n; i++) {
        ledger_entry t = e[i];
        int j = i - 1;
        while (j >= 0 && e[j].date > t.date) {
            e[j + 1] = e[j];
            j--;
        }
        e[j + 1] = t;
    }
    return n;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static double bench_csv(int customers)
{
    size_t cap = (size_t)customers * MAXE * 64 + 64, len = 0;
    char *buf = malloc(cap);
    ledger_entry e[MAXE];
    int rows = 0;
    if (buf == NULL)
        return 0;
    len += (size_t)snprintf(buf, cap, "customer,class,date,kind,amount,ref,due\n");
    for (int c = 0; c < customers; c++) {
        ledger_class k;
        int n = generate(c, civdate_from_ymd(2024, 1, 1), e, &k);
        for (int i = 0; i < n; i++, rows++) {
            char d[CIVDATE_FMT_MAX], due[CIVDATE_FMT_MAX] = "", amt[MONEY_FMT_MAX];
            civdate_format(e[i].date, d, sizeof d);
            if (e[i].due)
                civdate_format(e[i].due, due, sizeof due);
            money_format(e[i].amount_fen, 2, amt, sizeof amt);
            len += (size_t)snprintf(buf + len, cap - len, "C%07d,%s,%s,%s,%s,%s,%s\n", c, ledger_class_name(k), d,
                                    ledger_kind_name(e[i].kind), amt, e[i].ref, due);
        }
    }
    diag dg;
    ledgercsv *l = NULL;
    diag_init(&dg);
    double t0 = monotime_s();
    gl_status st = ledgercsv_parse("bench.csv", buf, len, &dg, &l);
    double t1 = monotime_s();
    ledgercsv_free(l);
    free(buf);
    return st == GL_OK ? rows / (t1 - t0) : 0;
}

int main(int argc, char **argv)
{
    const char *env = getenv("BENCH_CREDIT_CUSTOMERS");
    long customers = argc > 1 ? strtol(argv[1], NULL, 10) : env ? strtol(env, NULL, 10) : 10000;
    if (customers < 1 || customers > 100000000)
        customers = 10000;
    creditcfg *cc = malloc(sizeof *cc);
    ledger_state *st = malloc(sizeof *st);
    credit_result *r = malloc(sizeof *r);
    static ledger_entry e[MAXE];
    if (cc == NULL || st == NULL || r == NULL)
        return 1;
    creditcfg_default(cc);
    int32_t start = civdate_from_ymd(2024, 1, 1), as_of = civdate_from_ymd(2026, 1, 10);
    long grades[GRADE_MAX] = {0}, entries = 0, failures = 0;
    double gen = 0, eval = 0;
    for (long c = 0; c < customers; c++) {
        ledger_account acct = {.entries = e};
        double t0 = monotime_s();
        acct.nentries = generate((int)c, start, e, &acct.klass);
        double t1 = monotime_s();
        failures += credit_eval(cc, &acct, 0, as_of, st, r) != GL_OK;
        double t2 = monotime_s();
        gen += t1 - t0;
        eval += t2 - t1;
        entries += acct.nentries;
        grades[r->grade.grade]++;
    }
    double rate = customers / eval;
    const double limit = 1000000.0 / 600.0; /* a million customers in a 10-minute batch */
    printf("| credit | credit_eval: %ld customers x 24 months (%ld ledger rows; grades A/B/C %ld/%ld/%ld; %ld failed)"
           " | %.0f | customers/s | limit 1,000,000 in 10 min: %.0f/s | %.1f |\n",
           customers, entries, grades[0], grades[1], grades[2], failures, rate, limit, rate / limit);
    printf("| credit | credit_eval: time per customer (generation %.2f us apart) | %.2f | us | | |\n",
           gen / customers * 1e6, eval / customers * 1e6);
    printf("| credit | peak memory (RSS), flat in the number of customers | %.1f | MiB | | |\n",
           peak_rss_kb() / 1024.0);
    double csv = bench_csv(customers < 10000 ? (int)customers : 10000);
    printf("| credit | ledger CSV parse (10,000 customers x 24 months) | %.2f | M rows/s | | |\n", csv / 1e6);
    free(cc);
    free(st);
    free(r);
    return failures != 0;
}
