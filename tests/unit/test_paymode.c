/* test_paymode.c: switching a customer's payment mode (firmware/paymode.c)
 * on a real store file: each refusal (unknown customer, postpaid asked,
 * load-controlled without a contracted price, a negative opening balance,
 * the mode already in force), the evidence recorded, the opening balance
 * as a top-up, fee control's charging from the billing period in progress,
 * the stored mode over the config (restart), and the post-paid arrears left
 * at the switch: a plain payment pays them, a top-up goes to the balance;
 * the switch back to post-paid with the prepaid balance carried exactly
 * (a balance left becomes credit that pays the open bill, an overdrawn one
 * a debt), never counted as running dry. */
#include <dirent.h>
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
#include "payment.h"
#include "paymode.h"
#include "store_ledger.h"
#include "store_paymode.h"

static int setup(void **state)
{
    (void)state;
    if (tmpdir_make("paymode") != 0)
        return -1;
    return clock_set_timezone("UTC") == GL_OK ? 0 : -1;
}

#define NOW 1773568800 /* 2026-03-15 10:00 UTC */

static void test_switch_rules(void **state)
{
    (void)state;
    config_customer custs[3] = {{.id = "L1", .load_price_micro = 800000}, {.id = "R1"},
                                {.id = "P1", .payment = CONFIG_PAY_PREPAID}};
    config cfg = {.ncustomers = 3, .customers = custs, .billing = {.cycle_day = 1, .due_days = 15}};
    static const struct {
        const char *what, *customer, *mode;
        int64_t opening_fen;
        gl_status want;
        const char *why;
    } rows[] = {
        {"unknown customer", "X9", "prepaid", 0, GL_ENOTFOUND, "unknown customer X9"},
        {"back to postpaid when postpaid", "R1", "postpaid", 0, GL_EEXIST, "R1 is already postpaid"},
        {"an unknown mode", "R1", "credit", 0, GL_EINVAL, "mode must be prepaid, load_controlled or postpaid"},
        {"back to postpaid with an opening balance", "P1", "postpaid", 100, GL_EINVAL, "no opening balance back to postpaid"},
        {"load-controlled without a contracted price", "R1", "load_controlled", 0, GL_EUNSUPPORTED,
         "R1 has no load_control price in the config: load-controlled purchase needs one"},
        {"a negative opening balance", "R1", "prepaid", -1, GL_EINVAL, "opening balance below 0"},
        {"already prepaid", "P1", "prepaid", 0, GL_EEXIST, "P1 is already prepaid"},
        {"prepaid customer to load-controlled", "P1", "load_controlled", 0, GL_EUNSUPPORTED, "P1 has no load_control"},
        {"postpaid to prepaid, 0.00 opening", "R1", "prepaid", 0, GL_OK, ""},
        {"postpaid to load-controlled, 50.00 opening", "L1", "load_controlled", 5000, GL_OK, ""},
    };
    store *s = NULL;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char why[256] = "";
        int64_t id = 0;
        paymode_req r = {rows[i].customer, rows[i].mode, rows[i].opening_fen, "backoffice command seq 4",
                         "credit.measures.table.large.C", "signed downlink seq 4"};
        gl_status st = paymode_switch(s, &cfg, &r, NOW, why, sizeof why, &id);
        if (st != rows[i].want || strncmp(why, rows[i].why, strlen(rows[i].why)) != 0)
            fail_msg("%s: %s (%s), want %s (%s)", rows[i].what, gl_strerror(st), why, gl_strerror(rows[i].want),
                     rows[i].why);
    }
    store_paymode_row row;
    assert_int_equal(store_paymode_of(s, "L1", &row), GL_OK);
    assert_string_equal(row.mode, "load_controlled");
    assert_string_equal(row.who, "backoffice command seq 4");
    assert_string_equal(row.rule, "credit.measures.table.large.C");
    assert_string_equal(row.proof, "signed downlink seq 4");
    assert_int_equal(row.ts, NOW);
    assert_int_equal(row.opening_fen, 5000);
    assert_int_equal(store_paymode_of(s, "P1", &row), GL_ENOTFOUND);
    ledger_entry *e = NULL;
    int n = 0;
    assert_int_equal(store_ledger_entries(s, "L1", &e, &n), GL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].kind, LEDGER_TOPUP);
    assert_int_equal(e[0].amount_fen, 5000);
    free(e);
    assert_int_equal(store_ledger_entries(s, "R1", &e, &n), GL_OK);
    assert_int_equal(n, 0); /* 0.00 opening: no top-up */
    free(e);
    char val[32];
    assert_int_equal(store_kv_get(s, "fee.charged.R1", val, sizeof val), GL_OK);
    assert_int_equal(strtoll(val, NULL, 10), 1772323200 - 86400); /* charged from 2026-03-01, the period's start */
    /* a restart: the stored modes over the config's */
    config_customer fresh[3] = {{.id = "L1", .load_price_micro = 800000}, {.id = "R1"}, {.id = "P1"}};
    config cfg2 = {.ncustomers = 3, .customers = fresh};
    assert_int_equal(paymode_apply(s, &cfg2), GL_OK);
    assert_int_equal(fresh[0].payment, CONFIG_PAY_PREPAID);
    assert_int_equal(fresh[0].load_controlled, 1);
    assert_int_equal(fresh[1].payment, CONFIG_PAY_PREPAID);
    assert_int_equal(fresh[1].load_controlled, 0);
    assert_int_equal(fresh[2].payment, CONFIG_PAY_POSTPAID); /* never switched: the config's */
    store_close(s);
}

/* Arrears at the switch stay post-paid debt: recorded with the switch, a
 * plain payment pays them, a top-up goes to the prepaid balance; once paid,
 * a plain payment is a top-up again. */
static void test_arrears_stay_postpaid(void **state)
{
    (void)state;
    config_customer custs[1] = {{.id = "D1"}};
    config cfg = {.ncustomers = 1, .customers = custs, .billing = {.cycle_day = 1, .due_days = 15}};
    store *s = NULL;
    char why[256] = "";
    int64_t owed = 0;
    unlink(dbpath);
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    assert_int_equal(store_ledger_put(s, "D1", "2026-02-01", "bill", 12000, "D1/2026-01", "2026-02-16"), GL_OK);
    paymode_req r = {"D1", "prepaid", 0, "operator", "credit.measures.table.residential.C", "test"};
    assert_int_equal(paymode_switch(s, &cfg, &r, NOW, why, sizeof why, NULL), GL_OK);
    store_paymode_row row;
    assert_int_equal(store_paymode_of(s, "D1", &row), GL_OK);
    assert_int_equal(row.arrears_fen, 12000);
    assert_int_equal(paymode_apply(s, &cfg), GL_OK);
    int32_t today = civdate_from_ymd(2026, 3, 15);
    payment_req pay = {"D1", "2026-03-15", "CASH-1", 5000, 0};
    payment_result res;
    assert_int_equal(payment_take(s, &cfg, &pay, today, NOW, &res), GL_OK);
    assert_string_equal(res.kind, "payment");
    assert_int_equal(paymode_owes_postpaid(s, "D1", today, &owed), 1);
    assert_int_equal(owed, 7000);
    payment_req top = {"D1", "2026-03-15", "CASH-2", 2000, 1};
    assert_int_equal(payment_take(s, &cfg, &top, today, NOW, &res), GL_OK);
    assert_string_equal(res.kind, "topup");
    payment_req rest = {"D1", "2026-03-15", "CASH-3", 7000, 0};
    assert_int_equal(payment_take(s, &cfg, &rest, today, NOW, &res), GL_OK);
    assert_string_equal(res.kind, "payment");
    assert_int_equal(paymode_owes_postpaid(s, "D1", today, &owed), 0);
    payment_req after = {"D1", "2026-03-15", "CASH-4", 1000, 0};
    assert_int_equal(payment_take(s, &cfg, &after, today, NOW, &res), GL_OK);
    assert_string_equal(res.kind, "topup");
    assert_int_equal(res.as_prepaid, 1);
    store_close(s);
}

static void test_switch_back(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        int64_t bill, topup, usage;             /* an old post-paid bill (due 2026-02-16), prepaid history */
        int64_t carried, owed, credit;          /* after the switch back: principal owed (due or not), credit */
        const char *carry_kinds;                /* the carry entries */
    } rows[] = {
        /* the bill's penalty is paid too: 50.00 x 0.1 % x 27 days (16 February to 15 March) = 1.35 */
        {"70.00 left pays the 50.00 bill and its 1.35 penalty, 18.65 credit", 5000, 10000, 3000, 7000, 0, 1865,
         "usage 7000; adjustment -7000"},
        {"70.00 left, nothing owed: 70.00 credit", 0, 10000, 3000, 7000, 0, 7000, "usage 7000; adjustment -7000"},
        {"overdrawn by 15.00: a debt due at once", 0, 1000, 2500, -1500, 1500, 0, "topup 1500; adjustment 1500"},
        {"exactly 0.00: nothing carried", 0, 2000, 2000, 0, 0, 0, ""},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        config_customer custs[1] = {{.id = "B1", .payment = CONFIG_PAY_PREPAID}};
        config cfg = {.ncustomers = 1, .customers = custs, .billing = {.cycle_day = 1, .due_days = 15}};
        store *s = NULL;
        char why[256] = "", kinds[128] = "", sql[160];
        int64_t id = 0;
        int dry_before = 0, dry_after = 0;
        int32_t today = civdate_from_ymd(2026, 3, 15);
        unlink(dbpath);
        assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
        if (rows[i].bill)
            assert_int_equal(store_ledger_put(s, "B1", "2026-02-01", "bill", rows[i].bill, "B1/2026-01", "2026-02-16"),
                             GL_OK);
        assert_int_equal(store_ledger_put(s, "B1", "2026-02-20", "topup", rows[i].topup, "T-1", NULL), GL_OK);
        assert_int_equal(store_ledger_put(s, "B1", "2026-03-10", "usage", rows[i].usage, "usage/B1/2026-03-10", NULL),
                         GL_OK);
        ledger_arrears a;
        assert_int_equal(paymode_account_now(s, "B1", today, &a, &dry_before), GL_OK);
        paymode_req r = {"B1", "postpaid", 0, "backoffice command seq 9", "credit.measures.table.large.A", "test"};
        assert_int_equal(paymode_switch(s, &cfg, &r, NOW, why, sizeof why, &id), GL_OK);
        store_paymode_row row;
        assert_int_equal(store_paymode_of(s, "B1", &row), GL_OK);
        assert_string_equal(row.mode, "postpaid");
        assert_int_equal(row.opening_fen, rows[i].carried);
        snprintf(sql, sizeof sql, "SELECT group_concat(kind || ' ' || amount_fen, '; ') FROM (SELECT kind, amount_fen"
                                  " FROM ledger WHERE ref = 'carry/B1/%lld' ORDER BY id)", (long long)id);
        store_peek(s, sql, kinds, sizeof kinds);
        assert_int_equal(paymode_account_now(s, "B1", today, &a, &dry_after), GL_OK);
        if (strcmp(kinds, rows[i].carry_kinds) != 0 || a.prepaid_balance_fen != 0 ||
            a.arrears_fen + a.not_due_fen != rows[i].owed || a.credit_fen != rows[i].credit || dry_after != dry_before)
            fail_msg("%s: carry \"%s\", prepaid %lld, owed %lld, credit %lld, run-dry %d -> %d", rows[i].what, kinds,
                     (long long)a.prepaid_balance_fen, (long long)(a.arrears_fen + a.not_due_fen), (long long)a.credit_fen, dry_before,
                     dry_after);
        assert_int_equal(paymode_apply(s, &cfg), GL_OK);
        assert_int_equal(custs[0].payment, CONFIG_PAY_POSTPAID);
        assert_int_equal(paymode_switch(s, &cfg, &r, NOW, why, sizeof why, &id), GL_EEXIST);
        store_close(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_switch_rules),
        cmocka_unit_test(test_arrears_stay_postpaid),
        cmocka_unit_test(test_switch_back),
    };
    return cmocka_run_group_tests(tests, setup, tmpdir_teardown);
}
