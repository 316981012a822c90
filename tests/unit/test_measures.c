/* test_measures.c: what a grade changes. The default table per segment and
 * grade, the large-customer boundary, the yearly count rule at 5 and 6,
 * deposits requested and released, prepayment proposed or in force, the
 * population range on both sides, instalments adding up to the monthly bill
 * to the fen, and credit.measures config errors with FILE:LINE:COL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "gridledger/civdate.h"
#include "gridledger/creditcfg.h"
#include "gridledger/measures.h"

static int32_t D(const char *s)
{
    int32_t d = 0;
    if (civdate_parse(s, strlen(s), &d) != GL_OK)
        fail_msg("bad date %s", s);
    return d;
}

static void test_default_table(void **state)
{
    (void)state;
    static const struct {
        int seg, grade, poll_s;
        measures_reading reading;
        measures_billing billing;
        int watch, manager, priority, reconnect_h;
        measures_deposit_kind dep;
    } rows[] = {
        {LEDGER_CLASS_RESIDENTIAL, 0, 0, MEASURES_READ_MONTHLY, MEASURES_BILL_MONTHLY, 0, 0, 1, 24, MEASURES_DEP_CASH_OR_NON_CASH},
        {LEDGER_CLASS_RESIDENTIAL, 1, 0, MEASURES_READ_MONTHLY, MEASURES_BILL_MONTHLY, 0, 0, 0, 24, MEASURES_DEP_CASH_OR_NON_CASH},
        {LEDGER_CLASS_RESIDENTIAL, 2, 0, MEASURES_READ_MONTHLY, MEASURES_BILL_PREPAYMENT, 0, 0, 0, 24, MEASURES_DEP_CASH},
        {LEDGER_CLASS_COMMERCIAL, 2, 0, MEASURES_READ_MONTHLY, MEASURES_BILL_PREPAYMENT, 0, 0, 0, 24, MEASURES_DEP_CASH},
        {MEASURES_SEG_LARGE, 0, 3600, MEASURES_READ_DAILY_FROZEN, MEASURES_BILL_INSTALMENTS, 0, 1, 1, 2, MEASURES_DEP_CASH_OR_NON_CASH},
        {MEASURES_SEG_LARGE, 1, 900, MEASURES_READ_DAILY_FROZEN, MEASURES_BILL_MONTHLY, 1, 1, 0, 4, MEASURES_DEP_CASH_OR_NON_CASH},
        {MEASURES_SEG_LARGE, 2, 900, MEASURES_READ_INTERVAL, MEASURES_BILL_LOAD_CONTROLLED, 1, 1, 0, 4, MEASURES_DEP_CASH},
    };
    static measures_cfg cfg;
    measures_cfg_default(&cfg, 3);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const measures_entry *e = &cfg.table[rows[i].seg][rows[i].grade];
        if (e->poll_interval_s != rows[i].poll_s || e->reading != rows[i].reading || e->billing != rows[i].billing ||
            e->watch_swings != rows[i].watch || e->account_manager != rows[i].manager ||
            e->priority != rows[i].priority || e->reconnect_hours != rows[i].reconnect_h || e->deposit != rows[i].dep)
            fail_msg("row %zu (%s, grade %d) differs", i, measures_segment_name(rows[i].seg), rows[i].grade);
        assert_true(e->nmethods >= 2);
        assert_true(strlen(e->service) > 0);
    }
    assert_int_equal(cfg.table[MEASURES_SEG_LARGE][0].ndays, 2);
    assert_int_equal(cfg.table[MEASURES_SEG_LARGE][0].days[0], 10);
    assert_int_equal(cfg.table[MEASURES_SEG_LARGE][0].days[1], 20);
    /* five grades: only the last is the lowest */
    measures_cfg_default(&cfg, 5);
    assert_int_equal(cfg.table[LEDGER_CLASS_RESIDENTIAL][3].billing, MEASURES_BILL_MONTHLY);
    assert_int_equal(cfg.table[LEDGER_CLASS_RESIDENTIAL][4].billing, MEASURES_BILL_PREPAYMENT);
}

static void test_segment_boundary(void **state)
{
    (void)state;
    static measures_cfg cfg;
    measures_cfg_default(&cfg, 3);
    static const struct {
        int64_t limit, kva_milli;
        ledger_class k;
        int seg;
    } rows[] = {
        {315000, 314999, LEDGER_CLASS_INDUSTRIAL, LEDGER_CLASS_INDUSTRIAL},
        {315000, 315000, LEDGER_CLASS_INDUSTRIAL, MEASURES_SEG_LARGE},
        {315000, 315001, LEDGER_CLASS_COMMERCIAL, MEASURES_SEG_LARGE},
        {315000, 0, LEDGER_CLASS_RESIDENTIAL, LEDGER_CLASS_RESIDENTIAL},
        {0, 5000000, LEDGER_CLASS_INDUSTRIAL, LEDGER_CLASS_INDUSTRIAL}, /* 0: no large customers */
        {100000, 100000, LEDGER_CLASS_AGRICULTURAL, MEASURES_SEG_LARGE},
        {100000, 99999, LEDGER_CLASS_AGRICULTURAL, LEDGER_CLASS_AGRICULTURAL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        cfg.large_kva_milli = rows[i].limit;
        if (measures_segment(&cfg, rows[i].k, rows[i].kva_milli) != rows[i].seg)
            fail_msg("row %zu", i);
    }
}

static measures_input input(int grade, int overdue, int prepaid)
{
    measures_input in = {LEDGER_CLASS_RESIDENTIAL, prepaid, 0, grade, overdue, 0, 0, 0, 0};
    return in;
}

static void test_count_rule(void **state)
{
    (void)state;
    static measures_cfg cfg;
    measures_result r;
    measures_cfg_default(&cfg, 3);
    static const struct {
        int max, overdue, singled;
    } rows[] = {{5, 0, 0}, {5, 5, 0}, {5, 6, 1}, {5, 12, 1}, {3, 3, 0}, {3, 4, 1}, {0, 12, 0}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        measures_input in = input(1, rows[i].overdue, 0);
        cfg.max_arrears_per_year = rows[i].max;
        assert_int_equal(measures_eval(&cfg, &in, &r), GL_OK);
        if (r.singled_out != rows[i].singled)
            fail_msg("row %zu: max %d overdue %d", i, rows[i].max, rows[i].overdue);
    }
}

static void test_deposit_and_payment_mode(void **state)
{
    (void)state;
    static measures_cfg cfg;
    measures_result r;
    measures_cfg_default(&cfg, 3);
    static const struct {
        int grade, prepaid;
        int64_t required, held;
        int refundable;
        measures_change dep;
        int64_t amount;
        measures_change mode;
    } rows[] = {
        {0, 0, 0, 0, 0, MEASURES_NONE, 0, MEASURES_NONE},
        {1, 0, 30000, 0, 0, MEASURES_PROPOSE, 30000, MEASURES_NONE},    /* grade fell: requested */
        {1, 0, 30000, 29999, 0, MEASURES_PROPOSE, 1, MEASURES_NONE},    /* one fen short */
        {1, 0, 30000, 30000, 0, MEASURES_NONE, 0, MEASURES_NONE},       /* paid: held */
        {1, 0, 30000, 30001, 0, MEASURES_NONE, 0, MEASURES_NONE},
        {0, 0, 0, 30000, 1, MEASURES_RELEASE, 30000, MEASURES_NONE},    /* earned: returned */
        {0, 0, 0, 30000, 0, MEASURES_NONE, 0, MEASURES_NONE},           /* not yet earned */
        {2, 0, 60000, 0, 0, MEASURES_PROPOSE, 60000, MEASURES_PROPOSE}, /* lowest: prepayment proposed */
        {2, 1, 0, 0, 0, MEASURES_NONE, 0, MEASURES_IN_FORCE},           /* already prepaid */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        measures_input in = input(rows[i].grade, 0, rows[i].prepaid);
        in.deposit_required_fen = rows[i].required;
        in.deposit_held_fen = rows[i].held;
        in.deposit_refundable = rows[i].refundable;
        assert_int_equal(measures_eval(&cfg, &in, &r), GL_OK);
        if (r.deposit != rows[i].dep || r.deposit_fen != rows[i].amount || r.payment_mode != rows[i].mode)
            fail_msg("row %zu: deposit %s %lld, mode %s", i, measures_change_name(r.deposit),
                     (long long)r.deposit_fen, measures_change_name(r.payment_mode));
        assert_ptr_equal(r.e, &cfg.table[LEDGER_CLASS_RESIDENTIAL][rows[i].grade]);
    }
    measures_input bad = input(GRADE_MAX, 0, 0);
    assert_int_equal(measures_eval(&cfg, &bad, &r), GL_EINVAL);
}

/* Non-cash deposits (guarantees, bonds) in force count toward the
 * requirement, one fen short or enough, with cash or alone; the lowest
 * grade's cell asks cash: there they do not count; they are never released. */
static void test_noncash_deposit(void **state)
{
    (void)state;
    static measures_cfg cfg;
    measures_result r;
    measures_cfg_default(&cfg, 3);
    static const struct {
        int grade;
        int64_t required, cash, noncash;
        int refundable;
        measures_change dep;
        int64_t amount, held;
    } rows[] = {
        {1, 30000, 0, 30000, 0, MEASURES_NONE, 0, 30000},         /* a guarantee covers it */
        {1, 30000, 0, 29999, 0, MEASURES_PROPOSE, 1, 29999},      /* one fen short */
        {1, 30000, 10000, 20000, 0, MEASURES_NONE, 0, 30000},     /* cash and a bond together */
        {1, 30000, 10000, 19999, 0, MEASURES_PROPOSE, 1, 29999},
        {2, 60000, 0, 60000, 0, MEASURES_PROPOSE, 60000, 0},      /* lowest grade: cash only */
        {2, 60000, 60000, 60000, 0, MEASURES_NONE, 0, 60000},
        {0, 0, 0, 50000, 1, MEASURES_NONE, 0, 50000},             /* refund rule: nothing cash to return */
        {0, 0, 20000, 50000, 1, MEASURES_RELEASE, 20000, 70000},  /* only the cash is returned */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        measures_input in = input(rows[i].grade, 0, 0);
        in.deposit_required_fen = rows[i].required;
        in.deposit_held_fen = rows[i].cash;
        in.deposit_noncash_fen = rows[i].noncash;
        in.deposit_refundable = rows[i].refundable;
        assert_int_equal(measures_eval(&cfg, &in, &r), GL_OK);
        if (r.deposit != rows[i].dep || r.deposit_fen != rows[i].amount || r.deposit_held_fen != rows[i].held)
            fail_msg("row %zu: deposit %s %lld, held %lld", i, measures_change_name(r.deposit),
                     (long long)r.deposit_fen, (long long)r.deposit_held_fen);
    }
}

static void test_population(void **state)
{
    (void)state;
    static measures_cfg cfg;
    int out[GRADE_MAX];
    measures_cfg_default(&cfg, 3);
    int counts[3] = {0, 1000000, 5};
    assert_int_equal(measures_population(&cfg, 3, counts, out), 0); /* no ranges */
    cfg.pop_min[0] = 10;
    cfg.pop_max[0] = 20;
    cfg.pop_max[2] = 5;
    static const struct {
        int a, c, out_a, out_c, n;
    } rows[] = {{9, 5, -1, 0, 1}, {10, 5, 0, 0, 0}, {20, 5, 0, 0, 0}, {21, 6, 1, 1, 2}, {15, 6, 0, 1, 1}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        counts[0] = rows[i].a;
        counts[2] = rows[i].c;
        if (measures_population(&cfg, 3, counts, out) != rows[i].n || out[0] != rows[i].out_a || out[1] != 0 ||
            out[2] != rows[i].out_c)
            fail_msg("row %zu", i);
    }
}

static void test_instalments(void **state)
{
    (void)state;
    measures_entry e;
    measures_instalment out[MEASURES_MAX_INSTALMENTS];
    int n = -1;
    memset(&e, 0, sizeof e);
    e.billing = MEASURES_BILL_INSTALMENTS;
    e.ndays = 3;
    e.days[0] = 8;
    e.days[1] = 16;
    e.days[2] = 24;
    static const struct {
        const char *from, *to;
        int64_t prov[3], monthly;
        int n;
        const char *dates[4];
        int64_t amounts[4];
    } rows[] = {
        /* a calendar month, the close pays the rest */
        {"2025-03-01", "2025-04-01", {100000, 120000, 90000}, 412345, 4,
         {"2025-03-08", "2025-03-16", "2025-03-24", "2025-04-01"}, {100000, 120000, 90000, 102345}},
        /* provisional parts above the monthly bill (tiers, power factor): the close is a credit */
        {"2025-03-01", "2025-04-01", {150000, 150000, 150000}, 412345, 4,
         {"2025-03-08", "2025-03-16", "2025-03-24", "2025-04-01"}, {150000, 150000, 150000, -37655}},
        /* a cycle from the 15th: parts in date order across the month end */
        {"2025-03-15", "2025-04-15", {1, 2, 3}, 10, 4, {"2025-03-16", "2025-03-24", "2025-04-08", "2025-04-15"}, {2, 3, 1, 4}},
        /* a settlement day on the period's first day is in it, on its end is not */
        {"2025-03-08", "2025-03-24", {5, 6, 7}, 100, 3, {"2025-03-08", "2025-03-16", "2025-03-24"}, {5, 6, 89}},
        /* a part of 0.00 is carried to the close */
        {"2025-03-01", "2025-04-01", {0, 500, 0}, 501, 2, {"2025-03-16", "2025-04-01"}, {500, 1}},
        /* a year end */
        {"2025-12-20", "2026-01-20", {7, 8, 9}, 24, 4, {"2025-12-24", "2026-01-08", "2026-01-16", "2026-01-20"}, {9, 7, 8, 0}},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int64_t sum = 0;
        assert_int_equal(measures_instalments(&e, D(rows[i].from), D(rows[i].to), 20, rows[i].prov, rows[i].monthly, out, &n), GL_OK);
        if (n != rows[i].n)
            fail_msg("row %zu: %d parts", i, n);
        for (int k = 0; k < n; k++) {
            if (out[k].date != D(rows[i].dates[k]) || out[k].amount_fen != rows[i].amounts[k] ||
                out[k].due != out[k].date + 20 || out[k].final != (k == n - 1))
                fail_msg("row %zu part %d: amount %lld", i, k, (long long)out[k].amount_fen);
            sum += out[k].amount_fen;
        }
        assert_int_equal(sum, rows[i].monthly); /* to the fen */
    }
    int64_t huge[3] = {INT64_MAX, 1, 0};
    assert_int_equal(measures_instalments(&e, D("2025-03-01"), D("2025-04-01"), 20, huge, 0, out, &n), GL_EOVERFLOW);
    int64_t neg[3] = {0, 0, 1};
    assert_int_equal(measures_instalments(&e, D("2025-03-01"), D("2025-04-01"), 20, neg, INT64_MIN, out, &n), GL_EOVERFLOW);
    e.billing = MEASURES_BILL_MONTHLY;
    assert_int_equal(measures_instalments(&e, D("2025-03-01"), D("2025-04-01"), 20, neg, 1, out, &n), GL_EINVAL);
    e.billing = MEASURES_BILL_INSTALMENTS;
    assert_int_equal(measures_instalments(&e, D("2025-04-01"), D("2025-04-01"), 20, neg, 1, out, &n), GL_EINVAL);
}

/* One credit section; want NULL: accepted, else the first problem. */
static int parse_credit(const char *text, creditcfg *cc, diag *d)
{
    jsonv_doc *doc = NULL;
    diag_init(d);
    creditcfg_default(cc);
    if (jsonv_parse("c.json", text, strlen(text), d, &doc) != GL_OK)
        fail_msg("does not parse: %s", text);
    int n = creditcfg_parse_credit(doc, jsonv_root(doc), "credit", cc);
    jsonv_free(doc);
    return n;
}

static void test_config_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *line;
    } rows[] = {
        {"{\"measures\": 1}", "c.json:1:14: credit.measures: must be an object"},
        {"{\"measures\": {\"max_arrears_per_year\": 25}}",
         "c.json:1:39: credit.measures.max_arrears_per_year: must be 0..24"},
        {"{\"measures\": {\"large_capacity_kva\": 315}}", "c.json:1:37: credit.measures.large_capacity_kva"},
        {"{\"measures\": {\"table\": {\"huge\": {}}}}", "c.json:1:25: credit.measures.table.huge: unknown key"},
        {"{\"measures\": {\"table\": {\"large\": {\"Z\": {}}}}}",
         "c.json:1:40: credit.measures.table.large.Z: no grade named \"Z\" in credit.grades"},
        {"{\"measures\": {\"table\": {\"large\": {\"A\": {\"poll_interval_s\": 59}}}}}",
         "c.json:1:60: credit.measures.table.large.A.poll_interval_s: must be 0"},
        {"{\"measures\": {\"table\": {\"large\": {\"A\": {\"poll_interval_s\": 86401}}}}}",
         "c.json:1:60: credit.measures.table.large.A.poll_interval_s: must be 0..86400"},
        {"{\"measures\": {\"table\": {\"large\": {\"A\": {\"reading\": \"hourly\"}}}}}",
         "c.json:1:52: credit.measures.table.large.A.reading: must be one of"},
        {"{\"measures\": {\"table\": {\"residential\": {\"A\": {\"billing\": \"instalments\"}}}}}",
         "c.json:1:58: credit.measures.table.residential.A.billing: instalments need instalment_days"},
        {"{\"measures\": {\"table\": {\"large\": {\"A\": {\"instalment_days\": [10, 29]}}}}}",
         "c.json:1:65: credit.measures.table.large.A.instalment_days[1]: must be a day of the month 1..28"},
        {"{\"measures\": {\"table\": {\"large\": {\"A\": {\"instalment_days\": [0]}}}}}",
         "c.json:1:61: credit.measures.table.large.A.instalment_days[0]: must be a day of the month 1..28"},
        {"{\"measures\": {\"table\": {\"large\": {\"A\": {\"instalment_days\": [20, 10]}}}}}",
         "c.json:1:65: credit.measures.table.large.A.instalment_days[1]: days must rise"},
        {"{\"measures\": {\"table\": {\"large\": {\"A\": {\"instalment_days\": [1, 2, 3, 4]}}}}}",
         "c.json:1:60: credit.measures.table.large.A.instalment_days: more than 3 elements"},
        {"{\"measures\": {\"table\": {\"large\": {\"A\": {\"reconnect_hours\": 0}}}}}",
         "c.json:1:60: credit.measures.table.large.A.reconnect_hours: must be 1..72"},
        {"{\"measures\": {\"table\": {\"large\": {\"A\": {\"payment_methods\": [\"\"]}}}}}",
         "c.json:1:61: credit.measures.table.large.A.payment_methods[0]: must be a string of 1..15 characters"},
        {"{\"measures\": {\"table\": {\"large\": {\"A\": {\"pol_interval_s\": 60}}}}}",
         "c.json:1:41: credit.measures.table.large.A.pol_interval_s: unknown key"},
        {"{\"measures\": {\"population\": {\"B\": {\"min\": 10, \"max\": 9}}}}",
         "c.json:1:35: credit.measures.population.B: max must not be below min"},
        {"{\"measures\": {\"population\": {\"X\": {}}}}",
         "c.json:1:35: credit.measures.population.X: no grade named \"X\" in credit.grades"},
    };
    static creditcfg cc;
    diag d;
    int bad = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int n = parse_credit(rows[i].text, &cc, &d);
        if (n < 1 || d.count < 1 || strncmp(d.lines[0], rows[i].line, strlen(rows[i].line)) != 0) {
            print_message("row %zu: %d problems, first \"%s\", want \"%s...\"\n", i, n,
                          d.count ? d.lines[0] : "", rows[i].line);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

static void test_config_good(void **state)
{
    (void)state;
    static creditcfg cc;
    diag d;
    const char *text =
        "{\"grades\": [{\"name\": \"AAA\", \"min_score\": \"90\"}, {\"name\": \"AA\", \"min_score\": \"75\"},"
        " {\"name\": \"A\", \"min_score\": \"60\"}, {\"name\": \"B\", \"min_score\": \"40\"}, {\"name\": \"C\", \"min_score\": \"0\"}],"
        " \"measures\": {\"large_capacity_kva\": \"100.5\", \"max_arrears_per_year\": 6,"
        " \"population\": {\"AAA\": {\"max\": 50}, \"C\": {\"min\": 1}},"
        " \"table\": {\"large\": {\"AA\": {\"billing\": \"instalments\", \"instalment_days\": [15]}},"
        " \"residential\": {\"C\": {\"poll_interval_s\": 60, \"payment_methods\": [\"counter\"], \"service\": \"visit\"}}}}}";
    assert_int_equal(parse_credit(text, &cc, &d), 0);
    const measures_cfg *m = &cc.measures;
    assert_int_equal(m->large_kva_milli, 100500);
    assert_int_equal(m->max_arrears_per_year, 6);
    assert_int_equal(m->pop_max[0], 50);
    assert_int_equal(m->pop_min[0], -1);
    assert_int_equal(m->pop_min[4], 1);
    const measures_entry *aa = &m->table[MEASURES_SEG_LARGE][1], *c = &m->table[LEDGER_CLASS_RESIDENTIAL][4];
    assert_int_equal(aa->billing, MEASURES_BILL_INSTALMENTS);
    assert_int_equal(aa->ndays, 1);
    assert_int_equal(aa->days[0], 15);
    assert_int_equal(aa->poll_interval_s, 900);  /* keys not given keep the default */
    assert_int_equal(aa->account_manager, 1);
    assert_int_equal(c->poll_interval_s, 60);
    assert_int_equal(c->billing, MEASURES_BILL_PREPAYMENT); /* the five-grade default: the lowest */
    assert_int_equal(c->nmethods, 1);
    assert_string_equal(c->methods[0], "counter");
    assert_string_equal(c->service, "visit");
    assert_int_equal(m->table[LEDGER_CLASS_RESIDENTIAL][3].billing, MEASURES_BILL_MONTHLY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_table),  cmocka_unit_test(test_segment_boundary),
        cmocka_unit_test(test_count_rule),     cmocka_unit_test(test_deposit_and_payment_mode),
        cmocka_unit_test(test_noncash_deposit),
        cmocka_unit_test(test_population),     cmocka_unit_test(test_instalments),
        cmocka_unit_test(test_config_errors),  cmocka_unit_test(test_config_good),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
