/* test_deposits.c: cash deposits by the back office's command
 * (firmware/deposits.c) on a real store file: each refusal (unknown
 * customer, op, amount, ref), a deposit requested (the collection record's
 * row with the amount and why), recorded (a ledger deposit, a ref twice
 * changes nothing), and released only when the latest grade's refund rule
 * holds (a refund of all that is held; nothing held: refused). */
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

#include "deposits.h"
#include "clock.h"
#include "paymode.h"

#define NOW 1773568800 /* 2026-03-15 10:00 UTC */
#define GRADE(change) "{\"measures\": {\"deposit\": {\"change\": \"" change "\"}}}"

static int setup(void **state)
{
    (void)state;
    if (tmpdir_make("deposits") != 0)
        return -1;
    return clock_set_timezone("UTC") == GL_OK ? 0 : -1;
}

static void test_deposit_commands(void **state)
{
    (void)state;
    config_customer custs[1] = {{.id = "D1"}};
    config cfg = {.ncustomers = 1, .customers = custs, .billing = {.cycle_day = 1, .due_days = 15}};
    static const struct {
        const char *what, *customer, *op;
        int64_t amount;
        const char *ref, *grade; /* the latest grade's deposit change stored first (NULL: as it is) */
        gl_status want;
        const char *why;
        int64_t held_after;      /* the deposit held afterwards */
    } rows[] = {
        {"unknown customer", "X9", "record", 100, "R-0", NULL, GL_ENOTFOUND, "unknown customer X9", 0},
        {"unknown op", "D1", "keep", 100, "R-0", NULL, GL_EINVAL, "op must be request, record or release", 0},
        {"record without an amount", "D1", "record", 0, "R-0", NULL, GL_EINVAL, "amount must be above 0", 0},
        {"release with an amount", "D1", "release", 100, "R-0", NULL, GL_EINVAL, "release returns all that is held", 0},
        {"record without a ref", "D1", "record", 100, "", NULL, GL_EINVAL, "record needs the ref", 0},
        {"release with nothing held", "D1", "release", 0, "REL-0", GRADE("release"), GL_ESTATE,
         "D1 holds no cash deposit", 0},
        {"request 300.00", "D1", "request", 30000, NULL, GRADE("propose"), GL_OK, "D1: deposit of 300.00 requested", 0},
        {"record 300.00", "D1", "record", 30000, "DEP-1", NULL, GL_OK, "D1: deposit of 300.00 recorded", 30000},
        {"the same ref again", "D1", "record", 30000, "DEP-1", NULL, GL_EEXIST, "ref DEP-1 is recorded already", 30000},
        {"release, the refund rule not holding", "D1", "release", 0, "REL-1", NULL, GL_ESTATE,
         "D1: the refund rule does not hold (latest grade's deposit measure: propose)", 30000},
        {"release once it holds", "D1", "release", 0, "REL-1", GRADE("release"), GL_OK,
         "D1: deposit of 300.00 released", 0},
        {"release again: nothing held", "D1", "release", 0, "REL-2", NULL, GL_ESTATE, "D1 holds no cash deposit", 0},
    };
    store *s = NULL;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char why[256] = "";
        store_collect_row row;
        ledger_arrears a;
        memset(&row, 0, sizeof row);
        if (rows[i].grade)
            assert_int_equal(store_grade_put(s, "D1", "2026-03-01", 60, "C", rows[i].grade), GL_OK);
        deposits_req r = {rows[i].customer, rows[i].op, rows[i].amount, rows[i].ref, "backoffice command seq 5",
                          "credit.measures.table.residential.C", "signed downlink seq 5"};
        gl_status st = deposits_apply(s, &cfg, &r, NOW, &row, why, sizeof why);
        assert_int_equal(paymode_account_now(s, "D1", 20527, &a, NULL), GL_OK);
        if (st != rows[i].want || strncmp(why, rows[i].why, strlen(rows[i].why)) != 0 ||
            a.deposit_fen != rows[i].held_after)
            fail_msg("%s: %s (%s), held %lld; want %s (%s), held %lld", rows[i].what, gl_strerror(st), why,
                     (long long)a.deposit_fen, gl_strerror(rows[i].want), rows[i].why, (long long)rows[i].held_after);
        if (strcmp(rows[i].op, "request") == 0 && st == GL_OK) {
            assert_true(row.id > 0);
            assert_string_equal(row.action, "deposit_request");
            assert_string_equal(row.status, "served");
            assert_int_equal(row.principal_fen, 30000);
            assert_non_null(strstr(row.proof, "backoffice command seq 5"));
            assert_non_null(strstr(row.reason, "credit.measures.table.residential.C"));
        }
    }
    char text[128];
    store_peek(s, "SELECT group_concat(kind || ' ' || amount_fen || ' ' || ref, '; ') FROM ledger", text, sizeof text);
    assert_string_equal(text, "deposit 30000 DEP-1; refund 30000 REL-1");
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deposit_commands),
    };
    return cmocka_run_group_tests(tests, setup, tmpdir_teardown);
}
