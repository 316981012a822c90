/* test_payment.c: the rules for money taken at the counter or sent down
 * (firmware/payment.c) on a real store file: each rule on both sides of its
 * boundary (the account's first day and the day before, today and
 * tomorrow, the same ref with the same or other money). */
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

#include "gridledger/civdate.h"
#include "payment.h"
#include "store_peek.h"

static int setup(void **state)
{
    (void)state;
    return tmpdir_make("payment");
}

struct pay_case {
    const char *what, *customer, *date, *ref, *amount;
    int topup;
    gl_status want;
    const char *kind;  /* recorded or found as */
    const char *why;   /* a part of the sentence, for repeats and refusals */
};

static int64_t fen(const char *s)
{
    int64_t v = 0;
    assert_int_equal(money_parse(s, MONEY_SCALE_FEN, &v), GL_OK);
    return v;
}

static void test_payment_rules(void **state)
{
    (void)state;
    /* P1 postpaid with a bill on 2026-01-01, N postpaid without entries, PP prepaid; today 2026-03-31. */
    config_customer custs[3] = {{.id = "P1"}, {.id = "N"}, {.id = "PP", .payment = CONFIG_PAY_PREPAID}};
    config cfg = {.ncustomers = 3, .customers = custs};
    static const struct pay_case cases[] = {
        {"on the account's first day", "P1", "2026-01-01", "R1", "50.00", 0, GL_OK, "payment", ""},
        {"the day before the first entry", "P1", "2025-12-31", "R2", "50.00", 0, GL_ERANGE, "payment",
         "date 2025-12-31 is before P1's first entry (bill on 2026-01-01): refused"},
        {"today", "P1", "2026-03-31", "R3", "50.00", 0, GL_OK, "payment", ""},
        {"tomorrow", "P1", "2026-04-01", "R4", "50.00", 0, GL_ERANGE, "payment",
         "date 2026-04-01 is after today (2026-03-31): refused"},
        {"the same ref, customer and amount: the repeat", "P1", "2026-01-01", "R1", "50.00", 0, GL_EEXIST, "payment",
         "payment ref R1 was already recorded: nothing changed (P1 50.00 on 2026-01-01)"},
        {"the same ref and customer, one fen more", "P1", "2026-01-01", "R1", "50.01", 0, GL_ESTATE, "payment",
         "ref R1 is already used by the payment of P1 50.00 on 2026-01-01: refused"},
        {"the same ref and amount, another customer", "N", "2026-01-01", "R1", "50.00", 0, GL_ESTATE, "payment",
         "ref R1 is already used by the payment of P1 50.00 on 2026-01-01"},
        {"a top-up to a postpaid account", "P1", "2026-02-01", "R5", "20.00", 1, GL_ESTATE, "topup",
         "P1 is a postpaid account: a top-up is for prepaid accounts"},
        {"a plain payment to a prepaid account goes to its balance", "PP", "2026-03-01", "R6", "30.00", 0, GL_OK,
         "topup", ""},
        {"its repeat as a top-up is the same money", "PP", "2026-03-01", "R6", "30.00", 1, GL_EEXIST, "topup",
         "topup ref R6 was already recorded: nothing changed"},
        {"a top-up to a prepaid account", "PP", "2026-03-02", "R7", "30.00", 1, GL_OK, "topup", ""},
        {"a top-up reusing a payment's ref", "PP", "2026-03-02", "R3", "30.00", 1, GL_ESTATE, "topup",
         "ref R3 is already used by the payment of P1 50.00 on 2026-03-31"},
        {"an account without entries takes an early date", "N", "2020-01-01", "R8", "10.00", 0, GL_OK, "payment", ""},
        {"a day that does not exist", "N", "2026-02-30", "R9", "10.00", 0, GL_ESYNTAX, "payment", "date 2026-02-30"},
        {"an unknown customer", "X", "2026-01-01", "R10", "10.00", 0, GL_ENOTFOUND, "payment", "unknown customer X"},
    };
    store *s = NULL;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    assert_int_equal(store_ledger_put(s, "P1", "2026-01-01", "bill", 10000, "P1/2025-12", "2026-01-16"), GL_OK);
    int32_t today = civdate_from_ymd(2026, 3, 31);
    int recorded = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct pay_case *c = &cases[i];
        payment_req r = {c->customer, c->date, c->ref, fen(c->amount), c->topup};
        payment_result res;
        gl_status st = payment_take(s, &cfg, &r, today, 1000, &res);
        if (st != c->want)
            fail_msg("%s: %s, want %s (%s)", c->what, gl_status_name(st), gl_status_name(c->want), res.why);
        if (strcmp(res.kind, c->kind) != 0 || strstr(res.why, c->why) == NULL)
            fail_msg("%s: kind %s why \"%s\", want %s \"%s\"", c->what, res.kind, res.why, c->kind, c->why);
        recorded += st == GL_OK;
    }
    assert_int_equal(store_peek(s, "SELECT count(*) FROM ledger WHERE kind != 'bill'", NULL, 0), recorded);
    assert_int_equal(store_peek(s, "SELECT count(*) FROM ledger WHERE kind = 'topup'", NULL, 0), 2);
    store_close(s);
}

/* A refusal inside the caller's transaction leaves nothing behind. */
static void test_refusal_in_transaction(void **state)
{
    (void)state;
    config_customer custs[1] = {{.id = "P1"}};
    config cfg = {.ncustomers = 1, .customers = custs};
    store *s = NULL;
    payment_result res;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    payment_req ok = {"P1", "2026-01-05", "T-DUP", 5000, 0};
    assert_int_equal(payment_take(s, &cfg, &ok, civdate_from_ymd(2026, 1, 5), 1000, &res), GL_OK);
    payment_req other = {"P1", "2026-01-05", "T-DUP", 4000, 0};
    assert_int_equal(store_txn_begin(s), GL_OK);
    gl_status st = payment_take(s, &cfg, &other, civdate_from_ymd(2026, 1, 5), 1000, &res);
    assert_int_equal(st, GL_ESTATE);
    assert_int_equal(store_txn_end(s, st), GL_ESTATE);
    store_payment p;
    assert_int_equal(store_payment_find(s, "T-DUP", &p), GL_OK);
    assert_int_equal(p.amount_fen, 5000);
    assert_int_equal(store_payment_find(s, "NONE", &p), GL_ENOTFOUND);
    store_close(s);
}

/* A top-up ends the prepaid account's low and exhausted alerts (fee control
 * raises them again if the balance is still low); a postpaid payment does
 * not touch alerts. */
static void test_topup_ends_prepaid_alerts(void **state)
{
    (void)state;
    config_customer custs[2] = {{.id = "PP", .payment = CONFIG_PAY_PREPAID}, {.id = "P1"}};
    config cfg = {.ncustomers = 2, .customers = custs};
    store *s = NULL;
    payment_result res;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    assert_int_equal(store_alert_open(s, 10, "prepaid_low", "PP", "20.00"), GL_OK);
    assert_int_equal(store_alert_open(s, 20, "prepaid_exhausted", "PP", "notice"), GL_OK);
    assert_int_equal(store_alert_open(s, 30, "meter_offline", "PP", "no answer"), GL_OK);
    assert_int_equal(store_alert_open(s, 30, "prepaid_low", "P1", "20.00"), GL_OK);
    payment_req pay = {"P1", "2026-01-05", "R1", 5000, 0};
    assert_int_equal(payment_take(s, &cfg, &pay, civdate_from_ymd(2026, 1, 5), 1000, &res), GL_OK);
    payment_req top = {"PP", "2026-01-05", "T1", 5000, 1};
    assert_int_equal(payment_take(s, &cfg, &top, civdate_from_ymd(2026, 1, 5), 1000, &res), GL_OK);
    char open_alerts[128];
    store_peek(s, "SELECT group_concat(kind || '/' || subject, ' ') FROM (SELECT kind, subject FROM events"
                  " WHERE alert = 1 AND closed_ts IS NULL ORDER BY kind, subject)", open_alerts, sizeof open_alerts);
    assert_string_equal(open_alerts, "meter_offline/PP prepaid_low/P1");
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_payment_rules, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_refusal_in_transaction, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_topup_ends_prepaid_alerts, setup, tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
