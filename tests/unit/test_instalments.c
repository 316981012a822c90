/* test_instalments.c: instalment settlement (firmware/instalments.c) on a
 * real store file with real tariff files, day by day through March 2026 as
 * the daemon's daily run does it: for a tiered, a time-of-use and a
 * two-part tariff (demand per kW of the month's maximum), each changing
 * version on 16 March, and for a grade that stays A, falls A -> B on the
 * 15th (instalments stop) or rises B -> A on the 15th (instalments start):
 * the parts posted are the ones the grade in force on each day asks for,
 * each the use so far at the tariff less the parts before, each with its
 * own due date; the parts already issued when the grade falls stay as they
 * are (bills with their due dates and penalty clocks) and the monthly close
 * is the bill less every part, so the period adds up to the monthly bill to
 * the fen. Then the switch to prepayment after a part: fee control charges
 * from the day the last part ends, not from the period's start, so no day
 * is billed twice; and back to post-paid mid-month: the close takes off
 * what fee control charged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmpdir.h"

#include "store_peek.h"

#include "gridledger/civdate.h"
#include "clock.h"
#include "billing.h"
#include "instalments.h"
#include "paymode.h"
#include "store_ledger.h"

/* Three tariffs, each with a new version from 16 March 2026. */
static const char *const tariffs[] = {
    "{\"versions\": [{\"id\": \"tiered\", \"currency\": \"CNY\", \"effective_from\": \"2020-01-01\","
    " \"effective_to\": \"2026-03-15\", \"rounding\": {\"unit\": \"0.01\", \"mode\": \"half_up\", \"per\": \"line\"},"
    " \"energy\": {\"rate\": \"0.4883\", \"tiers\": {\"basis\": \"month\", \"bounds_kwh\": [\"240\", \"400\"],"
    " \"adders\": [\"0\", \"0.05\", \"0.30\"]}}},"
    " {\"id\": \"tiered\", \"currency\": \"CNY\", \"effective_from\": \"2026-03-16\","
    " \"rounding\": {\"unit\": \"0.01\", \"mode\": \"half_up\", \"per\": \"line\"},"
    " \"energy\": {\"rate\": \"0.5283\", \"tiers\": {\"basis\": \"month\", \"bounds_kwh\": [\"240\", \"400\"],"
    " \"adders\": [\"0\", \"0.05\", \"0.30\"]}}}]}",
    "{\"versions\": [{\"id\": \"tou\", \"currency\": \"CNY\", \"effective_from\": \"2020-01-01\","
    " \"effective_to\": \"2026-03-15\", \"rounding\": {\"unit\": \"0.01\", \"mode\": \"half_up\", \"per\": \"line\"},"
    " \"energy\": {\"tou\": {\"periods\": {\"peak\": \"0.568\", \"valley\": \"0.288\"}, \"calendar\": [{\"months\":"
    " [1,2,3,4,5,6,7,8,9,10,11,12], \"days\": [\"weekday\", \"weekend\", \"holiday\"],"
    " \"hours\": [[\"08:00\", \"22:00\", \"peak\"], [\"22:00\", \"08:00\", \"valley\"]]}]}}},"
    " {\"id\": \"tou\", \"currency\": \"CNY\", \"effective_from\": \"2026-03-16\","
    " \"rounding\": {\"unit\": \"0.01\", \"mode\": \"half_up\", \"per\": \"line\"},"
    " \"energy\": {\"tou\": {\"periods\": {\"peak\": \"0.618\", \"valley\": \"0.258\"}, \"calendar\": [{\"months\":"
    " [1,2,3,4,5,6,7,8,9,10,11,12], \"days\": [\"weekday\", \"weekend\", \"holiday\"],"
    " \"hours\": [[\"08:00\", \"22:00\", \"peak\"], [\"22:00\", \"08:00\", \"valley\"]]}]}}}]}",
    "{\"versions\": [{\"id\": \"two-part\", \"currency\": \"CNY\", \"effective_from\": \"2020-01-01\","
    " \"effective_to\": \"2026-03-15\", \"rounding\": {\"unit\": \"0.01\", \"mode\": \"half_up\", \"per\": \"line\"},"
    " \"fixed\": \"0\", \"energy\": {\"rate\": \"0.6100\"}, \"demand\": {\"per_kw\": \"38.00\"}},"
    " {\"id\": \"two-part\", \"currency\": \"CNY\", \"effective_from\": \"2026-03-16\","
    " \"rounding\": {\"unit\": \"0.01\", \"mode\": \"half_up\", \"per\": \"line\"},"
    " \"fixed\": \"0\", \"energy\": {\"rate\": \"0.6400\"}, \"demand\": {\"per_kw\": \"42.00\"}}]}",
};
#define NTARIFFS 3

/* Grade histories: the grade stored at the start, and the one stored by
 * the grading of the 15th (NULL: none); the parts (days) they give. */
#define GRADE_A "{\"measures\": {\"billing\": {\"mode\": \"instalments\", \"instalment_days\": [10, 20]}}}"
#define GRADE_B "{\"measures\": {\"billing\": {\"mode\": \"monthly\", \"instalment_days\": []}}}"
static const struct {
    const char *what, *first, *mid;
    int parts[2], nparts;
} grades[] = {
    {"A all month", GRADE_A, NULL, {10, 20}, 2},
    {"A -> B on the 15th", GRADE_A, GRADE_B, {10, 0}, 1},
    {"B -> A on the 15th", GRADE_B, GRADE_A, {20, 0}, 1},
};
#define NGRADES 3
#define NCUST (NTARIFFS * NGRADES)

static config_tariff_ref trefs[NTARIFFS];
static config_meter meters[NCUST];
static config_customer custs[NCUST];
static config cfg;

static int setup(void **state)
{
    (void)state;
    if (tmpdir_make("instal") != 0 || clock_set_timezone("UTC") != GL_OK)
        return -1;
    for (int t = 0; t < NTARIFFS; t++) {
        snprintf(trefs[t].path, sizeof trefs[t].path, "%s/t%d.json", dir, t);
        FILE *f = fopen(trefs[t].path, "w");
        if (f == NULL)
            return -1;
        fputs(tariffs[t], f);
        fclose(f);
    }
    for (int i = 0; i < NCUST; i++) {
        snprintf(custs[i].id, sizeof custs[i].id, "L%d", i);
        custs[i].tariff_index = i / NGRADES;
        custs[i].klass = CONFIG_CLASS_INDUSTRIAL;
        snprintf(meters[i].id, sizeof meters[i].id, "M%d", i);
        meters[i].customer_index = i;
        meters[i].role = CONFIG_ROLE_CUSTOMER;
    }
    cfg = (config){.ncustomers = NCUST, .customers = custs, .nmeters = NCUST, .meters = meters,
                   .ntariffs = NTARIFFS, .tariffs = trefs, .billing = {.cycle_day = 1, .due_days = 15}};
    cfg.schedule.poll_interval_s = 3600;
    return 0;
}

#define MAR1 1772323200 /* 2026-03-01 00:00 UTC */

/* Hourly readings of meter from 1 March to 1 April: more by day than by
 * night, more in the second half (a peak of demand after the change). */
static void put_readings(store *s, const char *meter)
{
    enum { N = 31 * 24 + 1 };
    static reading r[N];
    int64_t wh = 5000000;
    for (int h = 0; h < N; h++) {
        int hour = h % 24, day = h / 24;
        r[h] = (reading){.ts = MAR1 + (int64_t)h * 3600, .status = READING_OK, .present = READING_HAS_IMPORT,
                         .import_wh = wh};
        snprintf(r[h].meter, sizeof r[h].meter, "%s", meter);
        wh += (hour >= 8 && hour < 22 ? 900 : 300) + (day >= 17 ? 400 + 37 * (h % 7) : 11 * (h % 5));
    }
    assert_int_equal(store_put_readings(s, r, N), GL_OK);
}

/* open_billing: a fresh store file NAME in the scratch folder and billing over it. */
static void open_billing(const char *name, store **s, billing *b, diag *d)
{
    char path[160];
    diag_init(d);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(store_open(path, NULL, s), GL_OK);
    assert_int_equal(billing_init(b, &cfg, *s, d), GL_OK);
}

static int64_t ledger_sum(store *s, const char *customer, const char *like)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT coalesce(sum(amount_fen), 0) FROM ledger WHERE customer = '%.32s' AND ref LIKE '%.32s'",
             customer, like);
    return store_peek(s, sql, NULL, 0);
}

/* The parts posted for customer in March, as "DD:due;" text. */
static void parts_text(store *s, const char *customer, char *out, size_t cap)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT group_concat(substr(ref, -2) || ':' || due, ';') FROM (SELECT ref, due FROM ledger"
             " WHERE customer = '%.32s' AND ref LIKE '%%/2026-03#%%' AND kind = 'bill' ORDER BY date)",
             customer);
    store_peek(s, sql, out, cap);
}

static void test_parts_add_up(void **state)
{
    (void)state;
    store *s = NULL;
    billing b;
    diag d;
    open_billing("parts.db", &s, &b, &d);
    for (int ci = 0; ci < NCUST; ci++) {
        put_readings(s, meters[ci].id);
        assert_int_equal(store_grade_put(s, custs[ci].id, "2026-02-28", 90, "?", grades[ci % NGRADES].first), GL_OK);
    }
    int64_t expect_part[NCUST][2] = {{0}}, done[NCUST] = {0};
    for (int32_t today = civdate_from_ymd(2026, 3, 2); today <= civdate_from_ymd(2026, 4, 1); today++) {
        int y, m, dd;
        civdate_to_ymd(today, &y, &m, &dd);
        for (int ci = 0; ci < NCUST; ci++) {
            const char *mid = grades[ci % NGRADES].mid;
            if (dd == 15 && m == 3 && mid != NULL) /* the grading of the 15th */
                assert_int_equal(store_grade_put(s, custs[ci].id, "2026-03-15", 60, "?", mid), GL_OK);
            int64_t want = 0, fen = -1;
            for (int k = 0; k < grades[ci % NGRADES].nparts; k++)
                if (m == 3 && grades[ci % NGRADES].parts[k] == dd) {
                    int64_t cost = 0;
                    assert_int_equal(billing_cost(&b, ci, MAR1, clock_make_local(2026, 2, dd, 0, 0, 0), &cost),
                                     GL_OK);
                    want = cost - done[ci];
                    expect_part[ci][k] = want;
                }
            assert_int_equal(store_txn_begin(s), GL_OK);
            assert_int_equal(store_txn_end(s, instalments_day(&b, ci, today, &fen)), GL_OK);
            if (fen != want)
                fail_msg("%s, tariff %d, %04d-%02d-%02d: part %lld, want %lld", grades[ci % NGRADES].what,
                         ci / NGRADES, y, m, dd, (long long)fen, (long long)want);
            done[ci] += fen;
        }
    }
    billing_period p;
    billing_period_of(&cfg, 2026, 3, &p);
    for (int ci = 0; ci < NCUST; ci++) {
        const char *what = grades[ci % NGRADES].what;
        billing_outcome out;
        char got[128], want[128] = "", close_kind[16];
        assert_int_equal(billing_customer(&b, ci, &p, 0, &out), GL_OK);
        assert_int_equal(out, BILLING_POSTED);
        int64_t total = b.bill.total_fen, parts = ledger_sum(s, custs[ci].id, "%/2026-03#%");
        /* the bill spans both versions: its lines name two effective periods */
        if (ci % NGRADES == 0)
            assert_true(b.bill.nlines >= 2);
        for (int k = 0; k < grades[ci % NGRADES].nparts; k++) {
            int dd = grades[ci % NGRADES].parts[k];
            char due[12];
            size_t len = strlen(want);
            civdate_format(civdate_from_ymd(2026, 3, dd) + cfg.billing.due_days, due, sizeof due);
            snprintf(want + len, sizeof want - len, "%s%02d:%s", k ? ";" : "", dd, due);
            assert_true(expect_part[ci][k] > 0);
        }
        parts_text(s, custs[ci].id, got, sizeof got);
        if (strcmp(got, want) != 0)
            fail_msg("%s, tariff %d: parts %s, want %s", what, ci / NGRADES, got, want);
        assert_int_equal(parts, expect_part[ci][0] + expect_part[ci][1]);
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT kind FROM ledger WHERE ref = '%.32s/2026-03'", custs[ci].id);
        int64_t close = ledger_sum(s, custs[ci].id, "%/2026-03");
        store_peek(s, sql, close_kind, sizeof close_kind);
        if (close + parts != total)
            fail_msg("%s, tariff %d: parts %lld + close %lld != bill %lld", what, ci / NGRADES, (long long)parts,
                     (long long)close, (long long)total);
        assert_string_equal(close_kind, close >= 0 ? "bill" : "adjustment");
        print_message("# %s, tariff %d: bill %lld = parts %lld + close %lld (%s)\n", what, ci / NGRADES,
                      (long long)total, (long long)parts, (long long)close, close_kind);
    }
    billing_free(&b);
    store_close(s);

}

#define MAR12 (MAR1 + 11 * 86400 + 10 * 3600) /* 2026-03-12 10:00 */

/* A customer in instalments moved to prepayment on the 12th, after the
 * part of the 10th: fee control's first charged day is the 10th. */
static void test_switch_after_part(void **state)
{
    (void)state;
    store *s = NULL;
    billing b;
    diag d;
    open_billing("switch.db", &s, &b, &d);
    static const struct {
        const char *what;
        int ci, part_day;    /* 0: no part */
        int64_t charged_ts;  /* fee.charged after the switch: the last day already settled */
    } rows[] = {
        {"no part issued: charged from the period's start", 1, 0, MAR1 - 86400},
        {"part of the 10th issued: charged from the 10th", 0, 10, MAR1 + 8 * 86400},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *id = custs[rows[i].ci].id;
        int64_t fen = 0, id_row = 0;
        char why[200] = "", key[64], val[32];
        put_readings(s, meters[rows[i].ci].id);
        assert_int_equal(store_grade_put(s, id, "2026-02-28", 90, "A", GRADE_A), GL_OK);
        if (rows[i].part_day) {
            assert_int_equal(instalments_day(&b, rows[i].ci, civdate_from_ymd(2026, 3, rows[i].part_day), &fen), GL_OK);
            assert_true(fen > 0);
        }
        paymode_req r = {id, "prepaid", 0, "test", "credit.measures.table.large.C", "test"};
        assert_int_equal(paymode_switch(s, &cfg, &r, MAR12, why, sizeof why, &id_row), GL_OK);
        snprintf(key, sizeof key, "fee.charged.%s", id);
        assert_int_equal(store_kv_get(s, key, val, sizeof val), GL_OK);
        if (strtoll(val, NULL, 10) != rows[i].charged_ts)
            fail_msg("%s: fee.charged %s, want %lld", rows[i].what, val, (long long)rows[i].charged_ts);
    }
    billing_free(&b);
    store_close(s);

}

/* Back to post-paid on the 12th after fee control charged 1..11 March day by
 * day: the monthly close is the bill less that charging (a carry at the
 * switch is not charging), so the month adds up to the bill to the fen. */
static void test_switch_back_close(void **state)
{
    (void)state;
    store *s = NULL;
    billing b;
    diag d;
    int64_t charged = 0;
    const int ci = 3; /* the TOU tariff */
    open_billing("back.db", &s, &b, &d);
    put_readings(s, meters[ci].id);
    for (int day = 1; day <= 11; day++) { /* as jobs_feectl.c charges each whole day */
        int64_t from = MAR1 + (int64_t)(day - 1) * 86400, cost = 0;
        char date[12], ref[96];
        assert_int_equal(billing_cost(&b, ci, from, from + 86400, &cost), GL_OK);
        civdate_format(civdate_from_ymd(2026, 3, day), date, sizeof date);
        snprintf(ref, sizeof ref, "usage/%s/%s", custs[ci].id, date);
        assert_int_equal(store_ledger_put(s, custs[ci].id, date, "usage", cost, ref, NULL), GL_OK);
        charged += cost;
    }
    assert_int_equal(store_ledger_put(s, custs[ci].id, "2026-03-12", "usage", 4321, "carry/L3/1", NULL), GL_OK);
    assert_int_equal(store_ledger_put(s, custs[ci].id, "2026-03-12", "adjustment", -4321, "carry/L3/1", NULL), GL_OK);
    billing_period p;
    billing_outcome out;
    billing_period_of(&cfg, 2026, 3, &p);
    assert_int_equal(billing_customer(&b, ci, &p, 0, &out), GL_OK);
    assert_int_equal(out, BILLING_POSTED);
    int64_t close = ledger_sum(s, custs[ci].id, "L3/2026-03");
    assert_true(charged > 0 && close > 0);
    if (charged + close != b.bill.total_fen)
        fail_msg("charged %lld + close %lld != bill %lld", (long long)charged, (long long)close,
                 (long long)b.bill.total_fen);
    billing_free(&b);
    store_close(s);
}

/* Two readings in the same quarter hour before a span's first interval (a
 * restart's poll beside the scheduled one): the energy between them counts
 * (it was dropped, and the day was charged less than the meter counted). */
static void test_early_readings_counted(void **state)
{
    (void)state;
    store *s = NULL;
    billing b;
    diag d;
    open_billing("early.db", &s, &b, &d);
    static const struct {
        int64_t at_s, wh;
    } pts[] = {{60, 1000}, {360, 1600}, {3600, 2000}, {7200, 3000}}; /* 00:01, 00:06, 01:00, 02:00 */
    reading r[4];
    for (int i = 0; i < 4; i++) {
        r[i] = (reading){.ts = MAR1 + pts[i].at_s, .status = READING_OK, .present = READING_HAS_IMPORT,
                         .import_wh = pts[i].wh};
        snprintf(r[i].meter, sizeof r[i].meter, "%s", meters[0].id);
    }
    assert_int_equal(store_put_readings(s, r, 4), GL_OK);
    int64_t wh = 0;
    assert_int_equal(billing_energy(&b, 0, MAR1, MAR1 + 7200, &wh), GL_OK);
    assert_int_equal(wh, pts[3].wh - pts[0].wh);
    billing_free(&b);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parts_add_up),
        cmocka_unit_test(test_switch_after_part),
        cmocka_unit_test(test_switch_back_close),
        cmocka_unit_test(test_early_readings_counted),
    };
    return cmocka_run_group_tests(tests, setup, tmpdir_teardown);
}
