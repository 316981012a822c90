/* scenario-gen: a seeded generator of a ledger with known behaviours, for the
 * credit-calc scenario test (tests/integration/credit_scenario.sh).
 *
 *   scenario-gen [--seed N] [--customers N] [--months M] [--end YYYY-MM]
 *                --ledger FILE --expect FILE
 *
 * Writes a ledger CSV (CONTRACT.md: customer,class,date,kind,amount,ref,due)
 * of N customers (default 1000) with M monthly bills (default 24) ending in
 * the month --end (default 2026-03; the as-of date is its last day), and an
 * expect CSV stating what the generator knows of each customer:
 *
 *   customer,behaviour,class,grade,penalty_min,penalty_max,arrears,
 *   days_overdue,action,prepaid_balance,run_dry_12m
 *
 * grade is a grade name or "A|B" style alternatives; penalty_min/max are the
 * open penalty at the as-of date (equal when the generator computes it);
 * action is the worklist action expected (none, any, or a ladder action);
 * "-" where the generator does not know. Penalties are computed here with
 * their own arithmetic (DOMAIN.md, 供电营业规则 art. 98), independent of
 * core/penalty.c: residential 1 permille a day, others 2 permille on days in
 * the bill's year and 3 permille on days in later years, from the day after
 * the due date to the payment day, rounded half-up to the fen once per bill,
 * at least 1.00. The same arguments always give the same bytes. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CUSTOMERS 1000000
#define MAX_MONTHS 120
#define MAX_EVENTS (4 * MAX_MONTHS + 16)
#define REF_MAX 40

enum behaviour { B_ON_TIME, B_OFTEN_LATE, B_CHRONIC, B_THEFT, B_PREPAID_DRY, B_COUNT };
static const char *const behaviour_name[B_COUNT] = {"on_time", "often_late", "chronic", "theft", "prepaid_dry"};

/* One ledger row to write. */
typedef struct {
    int32_t date;
    int seq; /* file order within a day */
    const char *kind;
    int64_t amount_fen;
    char ref[REF_MAX];
    int32_t due; /* -1: none */
} event;

/* What the generator knows of one customer. */
typedef struct {
    int behaviour;
    const char *klass;
    const char *grade;
    int64_t penalty_fen;   /* open penalty at as-of */
    int64_t arrears_fen;   /* principal overdue at as-of */
    int days_overdue;      /* -1: unknown */
    const char *action;
    int64_t prepaid_fen;   /* prepaid balance */
    int run_dry_12m;       /* -1: not prepaid */
    event ev[MAX_EVENTS];
    int nev;
} customer;

/* ---- random numbers: splitmix64, deterministic from the seed ---- */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A uniform integer in lo..hi (both included). */
static int64_t rng_range(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

/* ---- civil dates (days since 1970-01-01), H. Hinnant's algorithms ---- */
static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civdate_to_ymd(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static int year_of(int32_t day)
{
    int y, m, d;
    civdate_to_ymd(day, &y, &m, &d);
    return y;
}

/* The first day of month index k (months since year 0). */
static int32_t month_first(int k)
{
    return days_from_civil(k / 12, k % 12 + 1, 1);
}

static void fmt_date(int32_t day, char *buf, size_t n)
{
    int y, m, d;
    civdate_to_ymd(day, &y, &m, &d);
    snprintf(buf, n, "%04d-%02d-%02d", y, m, d);
}

static void fmt_fen(int64_t fen, char *buf, size_t n)
{
    uint64_t a = fen < 0 ? (uint64_t)(-fen) : (uint64_t)fen;
    snprintf(buf, n, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "", a / 100, a % 100);
}

/* ---- art. 98, computed here on its own ---- */
static int residential(const char *klass)
{
    return strcmp(klass, "residential") == 0;
}

/* The penalty of a bill of amount_fen dated bill_date, due on due, paid (or
 * reported) on upto: each day from due+1 to upto at the current-year rate if
 * it falls in the bill's calendar year, else at the prior-year rate; rounded
 * half-up to the fen; at least 1.00 when above zero. */
static int64_t penalty_fen(const char *klass, int64_t amount_fen, int32_t bill_date, int32_t due, int32_t upto)
{
    int64_t cur_ppm = residential(klass) ? 1000 : 2000, prior_ppm = residential(klass) ? 1000 : 3000;
    int64_t micro = 0;
    int bill_year = year_of(bill_date);
    for (int32_t t = due + 1; t <= upto; t++)
        micro += amount_fen * (year_of(t) > bill_year ? prior_ppm : cur_ppm);
    if (micro <= 0)
        return 0;
    int64_t fen = (micro + 500000) / 1000000;
    return fen < 100 ? 100 : fen;
}

/* ---- building a customer's rows ---- */
static void add_event(customer *c, int32_t date, const char *kind, int64_t amount_fen, const char *ref, int32_t due)
{
    if (c->nev >= MAX_EVENTS) {
        fprintf(stderr, "scenario-gen: too many rows for one customer\n");
        exit(1);
    }
    event *e = &c->ev[c->nev];
    e->date = date;
    e->seq = c->nev++;
    e->kind = kind;
    e->amount_fen = amount_fen;
    snprintf(e->ref, sizeof e->ref, "%s", ref);
    e->due = due;
}

static int cmp_event(const void *a, const void *b)
{
    const event *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

typedef struct {
    int months, first_month; /* month index of the first bill */
    int32_t as_of, window_from; /* events in (window_from, as_of] are in the 12-month window */
} timeline;

typedef struct {
    int32_t date, due;
    int64_t amount_fen;
} bill;

static int64_t bill_amount(const char *klass)
{
    if (strcmp(klass, "industrial") == 0)
        return rng_range(500000, 5000000);
    if (strcmp(klass, "commercial") == 0)
        return rng_range(100000, 2000000);
    return rng_range(5000, 40000);
}

/* Issues the M bills (1st of each month, due on the 16th). */
static void make_bills(customer *c, int id, const timeline *tl, bill *b)
{
    char ref[REF_MAX];
    for (int k = 0; k < tl->months; k++) {
        b[k].date = month_first(tl->first_month + k);
        b[k].due = b[k].date + 15;
        b[k].amount_fen = bill_amount(c->klass);
        snprintf(ref, sizeof ref, "B-%06d-%03d", id, k);
        add_event(c, b[k].date, "bill", b[k].amount_fen, ref, b[k].due);
    }
}

static void pay(customer *c, int id, int k, int32_t date, int64_t amount_fen)
{
    char ref[REF_MAX];
    snprintf(ref, sizeof ref, "P-%06d-%03d", id, k);
    add_event(c, date, "payment", amount_fen, ref, -1);
}

/* Always on time: each bill paid 0..10 days before its due date (on the due
 * date is on time: the penalty starts the day after). */
static void gen_on_time(customer *c, int id, const timeline *tl)
{
    bill b[MAX_MONTHS];
    make_bills(c, id, tl, b);
    for (int k = 0; k < tl->months; k++)
        pay(c, id, k, b[k].due - (int32_t)rng_range(0, 10), b[k].amount_fen);
    c->grade = "A";
    c->action = "none";
    c->days_overdue = 0;
}

/* Often late: about half the bills (at least 4 of the last 11) paid 1..25
 * days late, payments in the order of the bills. Half of the residential ones pay each late bill with its
 * penalty, before the next bill is issued, so nothing stays open; the others
 * (and every non-residential one, whose December bills may be paid in
 * January at the prior-year rate) pay the principal only, so the open
 * penalty is the sum of every late bill's penalty. Never in the top grade:
 * at least 4 late bills in the window cost more than the streak can give. */
static void gen_often_late(customer *c, int id, const timeline *tl)
{
    bill b[MAX_MONTHS];
    int late[MAX_MONTHS], nlate_recent = 0;
    int pays_penalty = residential(c->klass) && rng_range(0, 1);
    make_bills(c, id, tl, b);
    for (int k = 0; k < tl->months; k++) {
        late[k] = (int)rng_range(0, 1);
        nlate_recent += late[k] && k >= tl->months - 11;
    }
    for (int k = tl->months - 11; k < tl->months && nlate_recent < 4; k++)
        if (k >= 0 && !late[k]) {
            late[k] = 1;
            nlate_recent++;
        }
    int32_t last_paid = 0;
    for (int k = 0; k < tl->months; k++) {
        if (!late[k]) {
            /* after the previous (late) payment, so each payment settles its own bill */
            int32_t paid = b[k].due - (int32_t)rng_range(0, 10);
            last_paid = paid > last_paid ? paid : last_paid + 1;
            pay(c, id, k, last_paid, b[k].amount_fen);
            continue;
        }
        int32_t next_first = month_first(tl->first_month + k + 1);
        int32_t last = pays_penalty ? next_first - 1 : b[k].due + 25;
        if (last > tl->as_of)
            last = tl->as_of;
        int32_t paid = b[k].due + (int32_t)rng_range(1, last - b[k].due);
        last_paid = paid;
        int64_t pen = penalty_fen(c->klass, b[k].amount_fen, b[k].date, b[k].due, paid);
        if (pays_penalty)
            pay(c, id, k, paid, b[k].amount_fen + pen);
        else {
            pay(c, id, k, paid, b[k].amount_fen);
            c->penalty_fen += pen;
        }
    }
    c->grade = "B|C";
    c->action = pays_penalty ? "none" : "-";
    c->days_overdue = 0;
}

/* The default ladder of the lowest grade (docs/credit.md): the current
 * action at `days` days past the earliest unpaid due date, for principal
 * arrears of arrears_fen: legal action from 5,000.00, public notice from
 * 1,000.00, a disconnection (and its notice) from 100.00 residential and
 * 500.00 for others (the collection's default minimums). */
static const char *c_ladder_action(int days, int64_t arrears_fen, const char *klass)
{
    int64_t cut_min = residential(klass) ? 10000 : 50000;
    static const struct { int day; const char *action; int64_t min_fen; } steps[] = {
        {90, "legal", 500000}, {45, "public_notice", 100000}, {31, "disconnect", -1}, {20, "disconnect_notice", -1},
        {10, "written_notice", 0}, {5, "phone", 0}, {1, "sms", 0}, {-3, "reminder", 0},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (days >= steps[i].day && arrears_fen >= (steps[i].min_fen < 0 ? cut_min : steps[i].min_fen))
            return steps[i].action;
    return "none";
}

/* Chronic debtor: pays two bills at a time, 35..44 days after the first
 * one's due date (before the month after the second one), with both
 * penalties, so the two bills are settled exactly. The last pairs are left
 * unpaid: 0, 1 or 2 pairs stopped besides the final two bills, so the oldest
 * unpaid bill is 1, 3 or 5 months before the last one. */
static void gen_chronic(customer *c, int id, const timeline *tl, int stopped_pairs)
{
    bill b[MAX_MONTHS];
    make_bills(c, id, tl, b);
    int paid_bills = ((tl->months - 2) / 2 - stopped_pairs) * 2;
    if (paid_bills < 0)
        paid_bills = 0;
    for (int k = 0; k + 1 < paid_bills; k += 2) {
        int32_t limit = month_first(tl->first_month + k + 2) - 1;
        int32_t paid = b[k].due + (int32_t)rng_range(35, 44);
        if (paid > limit)
            paid = limit;
        int64_t amt = b[k].amount_fen + b[k + 1].amount_fen +
                      penalty_fen(c->klass, b[k].amount_fen, b[k].date, b[k].due, paid) +
                      penalty_fen(c->klass, b[k + 1].amount_fen, b[k + 1].date, b[k + 1].due, paid);
        pay(c, id, k, paid, amt);
    }
    for (int k = paid_bills; k < tl->months; k++) {
        if (b[k].due >= tl->as_of)
            continue; /* not overdue yet: no arrears, no penalty */
        c->arrears_fen += b[k].amount_fen;
        c->penalty_fen += penalty_fen(c->klass, b[k].amount_fen, b[k].date, b[k].due, tl->as_of);
    }
    c->days_overdue = paid_bills < tl->months ? tl->as_of - b[paid_bills].due : 0;
    c->grade = "C";
    c->action = c_ladder_action(c->days_overdue, c->arrears_fen, c->klass);
}

/* The theft case: an on-time payer with a confirmed theft back-charge
 * 9 months before the as-of date, paid the same day. Lowest grade. */
static void gen_theft(customer *c, int id, const timeline *tl)
{
    gen_on_time(c, id, tl);
    int32_t day = month_first(tl->first_month + tl->months - 9) + 9;
    char ref[REF_MAX];
    snprintf(ref, sizeof ref, "T-%06d", id);
    add_event(c, day, "theft", 150000, ref, -1);
    pay(c, id, 999, day, 150000);
    c->grade = "C";
    c->action = "none";
}

/* Prepaid who run dry: an opening top-up, monthly usage on the 28th, and a
 * top-up on the 5th only after the balance has reached zero or below (so it
 * runs dry again and again). No bills: a new customer, never above the start
 * grade B; at most 10 run-dry deductions of 3 points keep the score >= 70. */
static void gen_prepaid(customer *c, int id, const timeline *tl)
{
    char ref[REF_MAX];
    int64_t bal = rng_range(10000, 40000);
    snprintf(ref, sizeof ref, "TU-%06d-000", id);
    add_event(c, month_first(tl->first_month) + 1, "topup", bal, ref, -1);
    c->run_dry_12m = 0;
    for (int k = 0; k < tl->months; k++) {
        int32_t first = month_first(tl->first_month + k);
        if (k > 0 && bal <= 0) {
            int64_t up = -bal + rng_range(10000, 40000);
            snprintf(ref, sizeof ref, "TU-%06d-%03d", id, k);
            add_event(c, first + 4, "topup", up, ref, -1);
            bal += up;
        }
        int64_t use = rng_range(4000, 15000);
        snprintf(ref, sizeof ref, "U-%06d-%03d", id, k);
        add_event(c, first + 27, "usage", use, ref, -1);
        if (bal > 0 && bal - use <= 0 && first + 27 > tl->window_from && first + 27 <= tl->as_of)
            c->run_dry_12m++;
        bal -= use;
    }
    c->prepaid_fen = bal;
    c->grade = "B";
    c->action = "-";
    c->days_overdue = 0;
}

/* ---- output ---- */
static void write_rows(FILE *f, const customer *c, int id)
{
    char d[16], due[16], amt[32];
    for (int i = 0; i < c->nev; i++) {
        const event *e = &c->ev[i];
        fmt_date(e->date, d, sizeof d);
        fmt_fen(e->amount_fen, amt, sizeof amt);
        if (e->due >= 0)
            fmt_date(e->due, due, sizeof due);
        else
            due[0] = '\0';
        fprintf(f, "C-%06d,%s,%s,%s,%s,%s,%s\n", id, c->klass, d, e->kind, amt, e->ref, due);
    }
}

static void write_expect(FILE *f, const customer *c, int id)
{
    char pen[32], arr[32], pre[32], days[16], dry[16];
    fmt_fen(c->penalty_fen, pen, sizeof pen);
    fmt_fen(c->arrears_fen, arr, sizeof arr);
    if (c->run_dry_12m >= 0) {
        fmt_fen(c->prepaid_fen, pre, sizeof pre);
        snprintf(dry, sizeof dry, "%d", c->run_dry_12m);
    } else {
        snprintf(pre, sizeof pre, "-");
        snprintf(dry, sizeof dry, "-");
    }
    snprintf(days, sizeof days, "%d", c->days_overdue);
    fprintf(f, "C-%06d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", id, behaviour_name[c->behaviour], c->klass, c->grade, pen,
            pen, arr, days, c->action, pre, dry);
}

/* ---- arguments ---- */
typedef struct {
    uint64_t seed;
    long customers, months;
    int end_year, end_month;
    const char *ledger, *expect;
} args;

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: scenario-gen [--seed N] [--customers N] [--months M] [--end YYYY-MM] "
                    "--ledger FILE --expect FILE\n");
    return 2;
}

static int parse_args(int argc, char **argv, args *a)
{
    long v;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (val == NULL)
            return -1;
        i++;
        if (strcmp(o, "--seed") == 0 && parse_long(val, 0, 0x7fffffffL, &v) == 0)
            a->seed = (uint64_t)v;
        else if (strcmp(o, "--customers") == 0 && parse_long(val, 1, MAX_CUSTOMERS, &v) == 0)
            a->customers = v;
        else if (strcmp(o, "--months") == 0 && parse_long(val, 14, MAX_MONTHS, &v) == 0)
            a->months = v;
        else if (strcmp(o, "--end") == 0 && strlen(val) == 7 && val[4] == '-') {
            char y[5] = {val[0], val[1], val[2], val[3], '\0'};
            long yy, mm;
            if (parse_long(y, 1900, 9999, &yy) != 0 || parse_long(val + 5, 1, 12, &mm) != 0)
                return -1;
            a->end_year = (int)yy;
            a->end_month = (int)mm;
        } else if (strcmp(o, "--ledger") == 0)
            a->ledger = val;
        else if (strcmp(o, "--expect") == 0)
            a->expect = val;
        else
            return -1;
    }
    return a->ledger != NULL && a->expect != NULL ? 0 : -1;
}

/* Fixed proportions per 1000: theft exactly one; the rest by share. */
static void assign(int *beh, const char **klass, long n)
{
    long nchronic = n * 50 / 1000, nlate = n * 200 / 1000, nprepaid = n * 100 / 1000;
    long ncom_late = n * 20 / 1000, nind_late = n * 10 / 1000, ncom_ok = n * 10 / 1000;
    long i = 0;
    beh[i] = B_THEFT, klass[i++] = "residential";
    for (long k = 0; k < nchronic && i < n; k++)
        beh[i] = B_CHRONIC, klass[i++] = "residential";
    for (long k = 0; k < nlate && i < n; k++)
        beh[i] = B_OFTEN_LATE, klass[i++] = "residential";
    for (long k = 0; k < ncom_late && i < n; k++)
        beh[i] = B_OFTEN_LATE, klass[i++] = "commercial";
    for (long k = 0; k < nind_late && i < n; k++)
        beh[i] = B_OFTEN_LATE, klass[i++] = "industrial";
    for (long k = 0; k < ncom_ok && i < n; k++)
        beh[i] = B_ON_TIME, klass[i++] = "commercial";
    for (long k = 0; k < nprepaid && i < n; k++)
        beh[i] = B_PREPAID_DRY, klass[i++] = "residential";
    while (i < n)
        beh[i] = B_ON_TIME, klass[i++] = "residential";
    for (long k = n - 1; k > 0; k--) { /* Fisher-Yates */
        long j = (long)rng_range(0, k);
        int tb = beh[k];
        const char *tk = klass[k];
        beh[k] = beh[j], klass[k] = klass[j];
        beh[j] = tb, klass[j] = tk;
    }
}

static void generate(customer *c, int id, const timeline *tl, int nth_chronic)
{
    switch (c->behaviour) {
    case B_ON_TIME: gen_on_time(c, id, tl); break;
    case B_OFTEN_LATE: gen_often_late(c, id, tl); break;
    case B_CHRONIC: gen_chronic(c, id, tl, nth_chronic % 3); break;
    case B_THEFT: gen_theft(c, id, tl); break;
    default: gen_prepaid(c, id, tl); break;
    }
    qsort(c->ev, (size_t)c->nev, sizeof c->ev[0], cmp_event);
}

int main(int argc, char **argv)
{
    args a = {1, 1000, 24, 2026, 3, NULL, NULL};
    if (parse_args(argc, argv, &a) != 0)
        return usage();
    rng_state = a.seed;
    timeline tl;
    int end_index = a.end_year * 12 + a.end_month - 1;
    tl.months = (int)a.months;
    tl.first_month = end_index - tl.months + 1;
    tl.as_of = month_first(end_index + 1) - 1;
    int y, m, d;
    civdate_to_ymd(tl.as_of, &y, &m, &d);
    tl.window_from = days_from_civil(y - 1, m, d > 28 && m == 2 ? 28 : d);

    int rc = 1;
    int *beh = calloc((size_t)a.customers, sizeof *beh);
    const char **klass = calloc((size_t)a.customers, sizeof *klass);
    customer *c = malloc(sizeof *c);
    FILE *fl = fopen(a.ledger, "w"), *fe = fopen(a.expect, "w");
    int counts[B_COUNT] = {0};
    if (beh == NULL || klass == NULL || c == NULL || fl == NULL || fe == NULL) {
        fprintf(stderr, "scenario-gen: cannot open the output files or allocate\n");
        goto out;
    }
    assign(beh, klass, a.customers);
    fprintf(fl, "customer,class,date,kind,amount,ref,due\n");
    fprintf(fe, "customer,behaviour,class,grade,penalty_min,penalty_max,arrears,days_overdue,action,"
                "prepaid_balance,run_dry_12m\n");
    for (long i = 0; i < a.customers; i++) {
        memset(c, 0, sizeof *c);
        c->behaviour = beh[i];
        c->klass = klass[i];
        c->run_dry_12m = -1;
        c->days_overdue = -1;
        generate(c, (int)i + 1, &tl, counts[B_CHRONIC]);
        counts[c->behaviour]++;
        write_rows(fl, c, (int)i + 1);
        write_expect(fe, c, (int)i + 1);
    }
    char asof[16];
    fmt_date(tl.as_of, asof, sizeof asof);
    printf("as_of=%s customers=%ld months=%d", asof, a.customers, tl.months);
    for (int b = 0; b < B_COUNT; b++)
        printf(" %s=%d", behaviour_name[b], counts[b]);
    printf("\n");
    rc = 0;
out:
    if (fl != NULL && fclose(fl) != 0)
        rc = 1;
    if (fe != NULL && fclose(fe) != 0)
        rc = 1;
    free(c);
    free(klass);
    free(beh);
    return rc;
}
