/* test_penalty.c: 供电营业规则 art. 98 penalty rows (DOMAIN.md worked examples
 * first), rates by year, grace, waiver, minimum, rounding (civil dates:
 * test_civdate). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gridledger/civdate.h"
#include "gridledger/penalty.h"

static int32_t D(const char *s)
{
    int32_t d = 0;
    if (civdate_parse(s, strlen(s), &d) != GL_OK)
        fail_msg("bad date %s", s);
    return d;
}

struct pen_case {
    const char *what;
    int residential;
    const char *amount, *bill_date, *due, *paid;
    int grace, waived;
    const char *minimum; /* NULL: default 1.00 */
    const char *want;
};

static void test_penalty_rows(void **state)
{
    (void)state;
    static const struct pen_case cases[] = {
        /* DOMAIN.md worked examples */
        {"residential 200.00 x 10 days", 1, "200.00", "2026-03-01", "2026-03-15", "2026-03-25", 0, 0, NULL, "2.00"},
        {"residential 50.00 x 5 days -> minimum", 1, "50.00", "2026-03-01", "2026-03-15", "2026-03-20", 0, 0, NULL,
         "1.00"},
        {"non-residential 10,000.00 x 20 days", 0, "10000.00", "2026-03-01", "2026-03-15", "2026-04-04", 0, 0, NULL,
         "400.00"},
        /* boundaries */
        {"paid on the due date: nothing", 1, "200.00", "2026-03-01", "2026-03-15", "2026-03-15", 0, 0, NULL, "0.00"},
        {"paid before due: nothing", 1, "200.00", "2026-03-01", "2026-03-15", "2026-03-02", 0, 0, NULL, "0.00"},
        {"one day late: minimum", 1, "200.00", "2026-03-01", "2026-03-15", "2026-03-16", 0, 0, NULL, "1.00"},
        {"grace 3, paid day 3: nothing", 1, "200.00", "2026-03-01", "2026-03-15", "2026-03-18", 3, 0, NULL, "0.00"},
        {"grace 3, paid day 13: 10 days count", 1, "200.00", "2026-03-01", "2026-03-15", "2026-03-28", 3, 0, NULL,
         "2.00"},
        {"waived class", 0, "10000.00", "2026-03-01", "2026-03-15", "2026-04-04", 0, 1, NULL, "0.00"},
        {"minimum 0: exact", 1, "50.00", "2026-03-01", "2026-03-15", "2026-03-20", 0, 0, "0", "0.25"},
        {"half-up to the fen: 12.34 x 1 day x 1 permille", 1, "12.35", "2026-03-01", "2026-03-15", "2026-03-16", 0, 0,
         "0", "0.01"},
        {"below half a fen: 0", 1, "4.99", "2026-03-01", "2026-03-15", "2026-03-16", 0, 0, "0", "0.00"},
        /* across the new year: non-residential 2 permille this year, 3 permille after */
        /* 10 days of 2025 at 2 permille (20.00) + 5 days of 2026 at 3 permille (15.00) */
        {"across new year", 0, "1000.00", "2025-12-01", "2025-12-21", "2026-01-05", 0, 0, NULL, "35.00"},
        /* 46 days of 2025 at 2 permille (92.00) + 32 days of 2026 at 3 permille (96.00) */
        {"2025 bill paid in February 2026", 0, "1000.00", "2025-11-01", "2025-11-15", "2026-02-01", 0, 0, NULL,
         "188.00"},
        {"residential across new year: 1 permille", 1, "1000.00", "2025-12-01", "2025-12-21", "2026-01-05", 0, 0, NULL,
         "15.00"},
        {"leap day counts", 1, "1000.00", "2028-02-01", "2028-02-27", "2028-03-01", 0, 0, NULL, "3.00"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct pen_case *c = &cases[i];
        penalty_rule r;
        int64_t amount, want, got = -1;
        penalty_rule_default(c->residential, &r);
        r.grace_days = c->grace;
        r.waived = c->waived;
        if (c->minimum)
            assert_int_equal(money_parse(c->minimum, 2, &r.minimum_fen), GL_OK);
        assert_int_equal(money_parse(c->amount, 2, &amount), GL_OK);
        assert_int_equal(money_parse(c->want, 2, &want), GL_OK);
        assert_int_equal(penalty_calc(&r, amount, D(c->bill_date), D(c->due), D(c->paid), &got), GL_OK);
        if (got != want)
            fail_msg("%s: got %lld fen, want %lld", c->what, (long long)got, (long long)want);
    }
}

static void test_penalty_accrues_in_pieces(void **state)
{
    (void)state;
    /* Accruing over (due, a] then (a, b] equals accruing over (due, b], across a year end too. */
    penalty_rule r;
    penalty_rule_default(0, &r);
    int32_t bill = D("2025-11-20"), due = D("2025-12-05");
    for (int32_t a = due - 3; a < due + 60; a += 7) {
        int64_t whole = 0, pieces = 0;
        assert_int_equal(penalty_accrue(&r, 123456, bill, due, due, due + 60, &whole), GL_OK);
        assert_int_equal(penalty_accrue(&r, 123456, bill, due, due, a, &pieces), GL_OK);
        assert_int_equal(penalty_accrue(&r, 123456, bill, due, a, due + 60, &pieces), GL_OK);
        assert_int_equal(whole, pieces);
    }
}

static void test_penalty_bounds(void **state)
{
    (void)state;
    penalty_rule r;
    int64_t micro = 0, fen;
    penalty_rule_default(0, &r);
    assert_int_equal(penalty_accrue(&r, PENALTY_MAX_AMOUNT_FEN + 1, 0, 10, 10, 20, &micro), GL_ERANGE);
    r.rate_prior_ppm = PENALTY_MAX_RATE_PPM;
    assert_int_equal(penalty_accrue(&r, PENALTY_MAX_AMOUNT_FEN, 0, 10, 10, 2000000, &micro), GL_EOVERFLOW);
    assert_int_equal(penalty_accrue(NULL, 1, 0, 0, 0, 1, &micro), GL_EINVAL);
    assert_int_equal(penalty_settle(&r, -1, &fen), GL_EINVAL);
    assert_int_equal(penalty_accrue(&r, -500, 0, 10, 10, 20, &micro), GL_OK);
    assert_int_equal(micro, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_penalty_rows),
        cmocka_unit_test(test_penalty_accrues_in_pieces),
        cmocka_unit_test(test_penalty_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
