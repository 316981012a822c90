/* test_account.c: the account at the counter (firmware/account.c): each
 * bill's penalty to date, what each payment paid, the running balance and
 * what is owed, from the core ledger's own replay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "account.h"
#include "gridledger/civdate.h"

static int32_t day(const char *s)
{
    int32_t d = 0;
    assert_int_equal(civdate_parse(s, strlen(s), &d), GL_OK);
    return d;
}

static ledger_entry entry(const char *date, ledger_kind k, int64_t fen, const char *ref, const char *due)
{
    ledger_entry e = {day(date), due ? day(due) : 0, k, fen, ""};
    snprintf(e.ref, sizeof e.ref, "%s", ref);
    return e;
}

/* A bill of 100.00 paid in full four days late leaves a 1.00 penalty
 * (0.40 raised to the minimum): owed, shown on a bill already paid. */
static void test_penalty_after_full_payment(void **state)
{
    (void)state;
    ledger_entry e[] = {entry("2026-01-01", LEDGER_BILL, 10000, "B1", "2026-01-16"),
                        entry("2026-01-20", LEDGER_PAYMENT, 10000, "P1", NULL)};
    ledger_account acct = {"C1", LEDGER_CLASS_RESIDENTIAL, 0, e, 2};
    ledger_cfg cfg;
    account_view v;
    int64_t charged = 0, open = 0;
    ledger_cfg_default(&cfg);
    assert_int_equal(account_view_build(&cfg, &acct, day("2026-02-04"), &v), GL_OK);
    assert_int_equal(v.nlines, 2);
    assert_int_equal(v.lines[0].debt, 0);
    assert_int_equal(v.lines[1].nalloc, 1);
    assert_int_equal(v.allocs[v.lines[1].first].principal_fen, 10000);
    assert_int_equal(v.allocs[v.lines[1].first].penalty_fen, 0);
    assert_int_equal(v.lines[1].balance_fen, 100);
    assert_int_equal(account_debt_penalty(&v, 0, &charged, &open), GL_OK);
    assert_int_equal(charged, 100);
    assert_int_equal(open, 100);
    assert_int_equal(v.owed.balance_fen, 100);
    assert_int_equal(v.owed.arrears_fen, 0);
    assert_int_equal(v.penalty_on_paid_fen, 100);
    assert_int_equal(v.paid_with_penalty, 1);
    assert_int_equal(account_due_now(&v), 100);
    account_view_free(&v);
}

struct alloc_case {
    const char *what;
    ledger_alloc mode;
    const char *as_of;
    int nlines;
    int64_t p_principal[2], p_penalty[2]; /* what the payment paid of B1, B2 */
    int64_t balance, due_now, penalty_on_paid;
};

/* Two bills, one payment after both are late: what it paid of each, by
 * allocation mode; a view on the day before the payment does not see it. */
static void test_allocation(void **state)
{
    (void)state;
    ledger_entry e[] = {entry("2026-01-01", LEDGER_BILL, 20000, "B1", "2026-01-16"),
                        entry("2026-02-01", LEDGER_BILL, 10000, "B2", "2026-02-16"),
                        entry("2026-02-26", LEDGER_PAYMENT, 25000, "P1", NULL)};
    ledger_account acct = {"C1", LEDGER_CLASS_RESIDENTIAL, 0, e, 3};
    /* B1: 200.00 late 2026-01-17..02-26 = 41 days -> 8.20; B2: 100.00 late 02-17..02-26 = 10 days -> 1.00 */
    static const struct alloc_case cases[] = {
        {"principal first: both principals, then B1's penalty", LEDGER_ALLOC_PRINCIPAL_FIRST, "2026-02-26", 3,
         {20000, 5000}, {0, 0}, 5000 + 820 + 100, 5000 + 820 + 100, 820},
        {"penalty first: B1's penalty, B1, then B2's penalty and principal", LEDGER_ALLOC_PENALTY_FIRST, "2026-02-26",
         3, {20000, 4080}, {820, 100}, 5920, 5920, 0},
        {"the day before the payment: two bills, nothing paid", LEDGER_ALLOC_PRINCIPAL_FIRST, "2026-02-25", 2, {0, 0},
         {0, 0}, 30000 + 800 + 100, 30000 + 800 + 100, 0},
        {"before B2 is due: owed, not due", LEDGER_ALLOC_PRINCIPAL_FIRST, "2026-02-16", 2, {0, 0}, {0, 0},
         30000 + 620, 20000 + 620, 0}, /* B1 late 31 days: 6.20 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct alloc_case *c = &cases[i];
        ledger_cfg cfg;
        account_view v;
        ledger_cfg_default(&cfg);
        cfg.alloc = c->mode;
        assert_int_equal(account_view_build(&cfg, &acct, day(c->as_of), &v), GL_OK);
        int64_t pp[2] = {0, 0}, pn[2] = {0, 0};
        if (v.nlines == 3)
            for (int j = 0; j < v.lines[2].nalloc; j++) {
                const account_alloc *a = &v.allocs[v.lines[2].first + j];
                pp[a->debt] = a->principal_fen;
                pn[a->debt] = a->penalty_fen;
            }
        if (v.nlines != c->nlines || pp[0] != c->p_principal[0] || pp[1] != c->p_principal[1] ||
            pn[0] != c->p_penalty[0] || pn[1] != c->p_penalty[1] || v.owed.balance_fen != c->balance ||
            account_due_now(&v) != c->due_now || v.penalty_on_paid_fen != c->penalty_on_paid)
            fail_msg("%s: %d lines, paid %lld+%lld / %lld+%lld, balance %lld, due now %lld, on paid %lld", c->what,
                     v.nlines, (long long)pp[0], (long long)pn[0], (long long)pp[1], (long long)pn[1],
                     (long long)v.owed.balance_fen, (long long)account_due_now(&v), (long long)v.penalty_on_paid_fen);
        account_view_free(&v);
    }
}

/* Overpayment becomes credit, which pays the next bill the day it appears:
 * that bill's line shows nothing open and no penalty, credit never "due". */
static void test_credit(void **state)
{
    (void)state;
    ledger_entry e[] = {entry("2026-01-01", LEDGER_BILL, 10000, "B1", "2026-01-16"),
                        entry("2026-01-10", LEDGER_PAYMENT, 15000, "P1", NULL),
                        entry("2026-02-01", LEDGER_BILL, 8000, "B2", "2026-02-16")};
    ledger_account acct = {"C1", LEDGER_CLASS_RESIDENTIAL, 0, e, 3};
    ledger_cfg cfg;
    account_view v;
    ledger_cfg_default(&cfg);
    assert_int_equal(account_view_build(&cfg, &acct, day("2026-03-31"), &v), GL_OK);
    assert_int_equal(v.lines[1].credit_fen, 5000);
    assert_int_equal(v.lines[1].balance_fen, -5000);
    assert_int_equal(v.st->debts[1].open_fen, 3000);
    assert_int_equal(v.owed.arrears_fen, 3000);
    assert_int_equal(v.owed.credit_fen, 0);
    account_view_free(&v);
    account_view_free(&v); /* a freed view frees again harmlessly */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_penalty_after_full_payment),
        cmocka_unit_test(test_allocation),
        cmocka_unit_test(test_credit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
