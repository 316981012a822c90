/* test_ledger.c: allocation (oldest first, principal- or penalty-first),
 * overpayment to credit, bounced payments, deposits and refunds, waivers,
 * arrears and aging buckets, as tables of small ledgers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gridledger/ledger.h"
#include "ledger_rows.h"

#define MAXE 16

struct arrears_case {
    const char *what;
    ledger_class klass;
    ledger_alloc alloc;
    const char *rows[MAXE];
    const char *as_of;
    /* expected */
    const char *arrears, *not_due, *penalty, *credit, *balance;
    const char *aging[4];
    const char *oldest_due; /* "" for none */
    int days_overdue;
};

static ledger_state g_st;

static void run_case(const struct arrears_case *c)
{
    ledger_entry e[MAXE];
    int n = 0;
    for (; n < MAXE && c->rows[n]; n++)
        entry_of(c->rows[n], &e[n]);
    ledger_account acct = {.klass = c->klass, .entries = e, .nentries = n};
    snprintf(acct.customer, sizeof acct.customer, "C-T");
    ledger_cfg cfg;
    ledger_cfg_default(&cfg);
    cfg.alloc = c->alloc;
    ledger_arrears a;
    assert_int_equal(ledger_begin(&g_st, &acct, &cfg), GL_OK);
    assert_int_equal(ledger_run(&g_st, D(c->as_of)), GL_OK);
    assert_int_equal(ledger_arrears_at(&g_st, D(c->as_of), &a), GL_OK);
    const struct {
        const char *name, *want;
        int64_t got;
    } checks[] = {
        {"arrears", c->arrears, a.arrears_fen},     {"not_due", c->not_due, a.not_due_fen},
        {"penalty", c->penalty, a.penalty_fen},     {"credit", c->credit, a.credit_fen},
        {"balance", c->balance, a.balance_fen},     {"aging0", c->aging[0], a.aging_fen[0]},
        {"aging1", c->aging[1], a.aging_fen[1]},    {"aging2", c->aging[2], a.aging_fen[2]},
        {"aging3", c->aging[3], a.aging_fen[3]},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        if (F(checks[i].want) != checks[i].got)
            fail_msg("%s: %s = %lld fen, want %s", c->what, checks[i].name, (long long)checks[i].got,
                     checks[i].want);
    int32_t want_oldest = c->oldest_due[0] ? D(c->oldest_due) : -1;
    if (a.oldest_due != want_oldest || a.days_overdue != c->days_overdue)
        fail_msg("%s: oldest_due %d days %d, want %s %d", c->what, a.oldest_due, a.days_overdue, c->oldest_due,
                 c->days_overdue);
}

#define Z "0.00"
#define NOAGE {Z, Z, Z, Z}

static void test_allocation_and_penalty(void **state)
{
    (void)state;
    static const struct arrears_case cases[] = {
        {"DOMAIN row: 200.00 paid 10 days late with its penalty",
         LEDGER_CLASS_RESIDENTIAL, LEDGER_ALLOC_PRINCIPAL_FIRST,
         {"2026-03-01 bill 200.00 B1 2026-03-15", "2026-03-25 payment 202.00 P1"}, "2026-03-31",
         Z, Z, Z, Z, Z, NOAGE, "", 0},
        {"DOMAIN row: 50.00 paid 5 days late owes the 1.00 minimum",
         LEDGER_CLASS_RESIDENTIAL, LEDGER_ALLOC_PRINCIPAL_FIRST,
         {"2026-03-01 bill 50.00 B1 2026-03-15", "2026-03-20 payment 50.00 P1"}, "2026-03-31",
         Z, Z, "1.00", Z, "1.00", NOAGE, "", 0},
        {"DOMAIN row: non-residential 10,000.00 x 20 days",
         LEDGER_CLASS_INDUSTRIAL, LEDGER_ALLOC_PRINCIPAL_FIRST,
         {"2026-03-01 bill 10000.00 B1 2026-03-15", "2026-04-04 payment 10000.00 P1"}, "2026-04-04",
         Z, Z, "400.00", Z, "400.00", NOAGE, "", 0},
        {"unpaid bill counted to as-of: 200.00 x 10 days",
         LEDGER_CLASS_RESIDENTIAL, LEDGER_ALLOC_PRINCIPAL_FIRST,
         {"2026-03-01 bill 200.00 B1 2026-03-15"}, "2026-03-25",
         "200.00", Z, "2.00", Z, "202.00", {"200.00", Z, Z, Z}, "2026-03-15", 10},
        {"principal first: 200.00 pays the principal, the 2.00 penalty stays",
         LEDGER_CLASS_RESIDENTIAL, LEDGER_ALLOC_PRINCIPAL_FIRST,
         {"2026-03-01 bill 200.00 B1 2026-03-15", "2026-03-25 payment 200.00 P1"}, "2026-04-30",
         Z, Z, "2.00", Z, "2.00", NOAGE, "", 0},
        {"penalty first: 200.00 pays 2.00 penalty and 198.00; 2.00 stays open and accrues",
         LEDGER_CLASS_RESIDENTIAL, LEDGER_ALLOC_PENALTY_FIRST,
         {"2026-03-01 bill 200.00 B1 2026-03-15", "2026-03-25 payment 200.00 P1"}, "2026-03-25",
         "2.00", Z, Z, Z, "2.00", {"2.00", Z, Z, Z}, "2026-03-15", 10},
        {"oldest bill paid first",
         LEDGER_CLASS_RESIDENTIAL, LEDGER_ALLOC_PRINCIPAL_FIRST,
         {"2026-01-01 bill 100.00 B1", "2026-02-01 bill 100.00 B2", "2026-02-10 payment 100.00 P1"}, "2026-02-10",
         Z, "100.00", "2.50", Z, "102.50", NOAGE, "", 0}, /* B1 25 days late: 2.50 */
        {"overpayment becomes credit and pays the next bill on its date",
         LEDGER_CLASS_RESIDENTIAL, LEDGER_ALLOC_PRINCIPAL_FIRST,
         {"2026-01-01 bill 100.00 B1", "2026-01-10 payment 250.00 P1", "2026-02-01 bill 100.00 B2"}, "2026-03-31",
         Z, Z, Z, "50.00", "-50.00", NOAGE, "", 0},
        {"negative adjustment is a credit that clears the arrears",
         LEDGER_CLASS_RESIDENTIAL, LEDGER_ALLOC_PRINCIPAL_FIRST,
         {"2026-01-01 bill 100.00 B1 2026-01-16", "2026-01-10 adjustment -100.00 A1"}, "2026-03-31",
         Z, Z, Z, Z, Z, NOAGE, "", 0},
        {"bounced payment re-opens the bill from its own due date",
         LEDGER_CLASS_RESIDENTIAL, LEDGER_ALLOC_PRINCIPAL_FIRST,
         {"2026-01-01 bill 300.00 B1 2026-01-16", "2026-01-10 payment 300.00 CHQ7", "2026-01-20 bounced 300.00 CHQ7"},
         "2026-01-26", "300.00", Z, "3.00", Z, "303.00", {"300.00", Z, Z, Z}, "2026-01-16", 10},
        {"bounced without its payment is a debt due at once",
         LEDGER_CLASS_RESIDENTIAL, LEDGER_ALLOC_PRINCIPAL_FIRST,
         {"2026-01-20 bounced 80.00 X9"}, "2026-01-21",
         "80.00", Z, Z, Z, "80.00", {"80.00", Z, Z, Z}, "2026-01-20", 1},
        {"deposit is held, not used for bills; refund beyond it takes credit",
         LEDGER_CLASS_COMMERCIAL, LEDGER_ALLOC_PRINCIPAL_FIRST,
         {"2026-01-01 deposit 500.00 D1", "2026-01-02 payment 100.00 P0", "2026-01-05 refund 550.00 R1"},
         "2026-01-31", Z, Z, Z, "50.00", "-50.00", NOAGE, "", 0},
        {"penalty waiver cancels the accrued penalty but never makes credit",
         LEDGER_CLASS_RESIDENTIAL, LEDGER_ALLOC_PRINCIPAL_FIRST,
         {"2026-03-01 bill 200.00 B1 2026-03-15", "2026-03-25 payment 200.00 P1", "2026-03-26 penalty -5.00 W1"},
         "2026-03-31", Z, Z, Z, Z, Z, NOAGE, "", 0},
        {"charged penalty and theft back-charge are due at once, no penalty on them",
         LEDGER_CLASS_RESIDENTIAL, LEDGER_ALLOC_PRINCIPAL_FIRST,
         {"2026-03-01 penalty 7.00 X1", "2026-03-01 theft 900.00 T1"}, "2026-04-30",
         "907.00", Z, Z, Z, "907.00", {Z, "907.00", Z, Z}, "2026-03-01", 60},
        {"aging buckets at 30/31, 60/61, 90/91 days",
         LEDGER_CLASS_RESIDENTIAL, LEDGER_ALLOC_PRINCIPAL_FIRST,
         {"2025-12-01 bill 1.00 a 2025-12-30", "2025-12-01 bill 2.00 b 2025-12-31", "2025-12-01 bill 4.00 c 2026-01-29",
          "2025-12-01 bill 8.00 d 2026-01-30", "2025-12-01 bill 16.00 e 2026-02-28", "2025-12-01 bill 32.00 f 2026-03-01",
          "2025-12-01 bill 64.00 g 2026-03-31", "2025-12-01 bill 128.00 h 2026-04-01"},
         "2026-03-31", "63.00", "192.00", "6.00", Z, "261.00", {"32.00", "24.00", "6.00", "1.00"}, "2025-12-30", 91},
        {"partial payment moves the oldest due",
         LEDGER_CLASS_RESIDENTIAL, LEDGER_ALLOC_PRINCIPAL_FIRST,
         {"2026-01-01 bill 100.00 B1", "2026-02-01 bill 100.00 B2", "2026-03-01 payment 150.00 P1"}, "2026-03-01",
         /* penalties: B1 100.00 x 44 days = 4.40; B2 100.00 x 13 days = 1.30 */
         "50.00", Z, "5.70", Z, "55.70", {"50.00", Z, Z, Z}, "2026-02-16", 13},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
}

static void test_run_is_incremental_and_deterministic(void **state)
{
    (void)state;
    static const char *rows[] = {"2026-01-01 bill 100.00 B1", "2026-01-20 payment 40.00 P1",
                                 "2026-02-01 bill 120.00 B2", "2026-02-25 payment 60.00 P2",
                                 "2026-03-01 bill 90.00 B3",  "2026-04-10 payment 300.00 P3"};
    ledger_entry e[6];
    for (int i = 0; i < 6; i++)
        entry_of(rows[i], &e[i]);
    ledger_account acct = {.customer = "C", .entries = e, .nentries = 6};
    ledger_cfg cfg;
    ledger_cfg_default(&cfg);
    static ledger_state a, b;
    ledger_arrears ra, rb;
    assert_int_equal(ledger_begin(&a, &acct, &cfg), GL_OK);
    assert_int_equal(ledger_begin(&b, &acct, &cfg), GL_OK);
    for (int32_t d = D("2026-01-01"); d <= D("2026-04-30"); d += 5)
        assert_int_equal(ledger_run(&a, d), GL_OK);
    assert_int_equal(ledger_run(&a, D("2026-04-30")), GL_OK);
    assert_int_equal(ledger_run(&b, D("2026-04-30")), GL_OK);
    assert_int_equal(ledger_arrears_at(&a, D("2026-04-30"), &ra), GL_OK);
    assert_int_equal(ledger_arrears_at(&b, D("2026-04-30"), &rb), GL_OK);
    assert_memory_equal(&ra, &rb, sizeof ra);
    assert_true(ra.balance_fen < 0); /* 300 covers everything plus penalties */
}

static void test_refusals(void **state)
{
    (void)state;
    ledger_entry e[2];
    entry_of("2026-02-01 bill 1.00 B1", &e[0]);
    entry_of("2026-01-01 bill 1.00 B0", &e[1]);
    ledger_account acct = {.customer = "C", .entries = e, .nentries = 2};
    ledger_cfg cfg;
    ledger_cfg_default(&cfg);
    assert_int_equal(ledger_begin(&g_st, &acct, &cfg), GL_EINVAL); /* not in date order */
    acct.nentries = LEDGER_MAX_ENTRIES + 1;
    assert_int_equal(ledger_begin(&g_st, &acct, &cfg), GL_EBOUND);
    e[0].amount_fen = LEDGER_MAX_AMOUNT_FEN + 1;
    acct.nentries = 1;
    assert_int_equal(ledger_begin(&g_st, &acct, &cfg), GL_OK);
    assert_int_equal(ledger_run(&g_st, D("2026-03-01")), GL_ERANGE);
    assert_int_equal(ledger_kind_parse("illegal_use", 11), LEDGER_ILLEGAL_USE);
    assert_int_equal(ledger_kind_parse("bil", 3), -1);
    assert_int_equal(ledger_class_parse("industrial", 10), LEDGER_CLASS_INDUSTRIAL);
    assert_string_equal(ledger_kind_name(LEDGER_TOPUP), "topup");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocation_and_penalty),
        cmocka_unit_test(test_run_is_incremental_and_deterministic),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
