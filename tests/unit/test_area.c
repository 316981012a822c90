/* test_area.c: the area's figures (量价费损), line loss alerts, large
 * customers' swings and suspicion signals, as tables of hand-worked cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gridledger/area.h"

struct fig_case {
    const char *name;
    int64_t supplied_wh;
    int64_t sold_wh[4];
    size_t nsold;
    int64_t billed_fen, collected_fen;
    int64_t loss_wh;
    int32_t loss_bp, collected_bp;
    int64_t avg_price_micro;
    area_alert alert;
};

static void test_figures_table(void **state)
{
    (void)state;
    const area_limits lim = AREA_LIMITS_DEFAULT;
    const struct fig_case cases[] = {
        /* 10,000 kWh in, 9,500 sold: 5.00 % loss; 4,750.00 billed over 9,500 kWh = 0.5 yuan/kWh */
        {"ordinary month", 10000000, {4000000, 5500000}, 2, 475000, 400000, 500000, 500, 8421, 500000,
         AREA_ALERT_NONE},
        /* exactly at the limit is no alert; one Wh more is */
        {"loss at the limit", 100000, {92000}, 1, 0, 0, 8000, 800, 0, 0, AREA_ALERT_NONE},
        {"a Wh more rounds to the same 8.00 %", 100000, {91999}, 1, 0, 0, 8001, 800, 0, 0, AREA_ALERT_NONE},
        {"loss above the limit", 100000, {91900}, 1, 0, 0, 8100, 810, 0, 0, AREA_ALERT_HIGH_LOSS},
        /* sold more than supplied */
        {"negative loss", 100000, {60000, 50000}, 2, 0, 0, -10000, -1000, 0, 0, AREA_ALERT_NEGATIVE},
        {"no supply reading", 0, {5000}, 1, 100, 100, -5000, 0, 10000, 200000, AREA_ALERT_NO_SUPPLY},
        {"nothing at all", 0, {0}, 0, 0, 0, 0, 0, 0, 0, AREA_ALERT_NONE},
        /* 1/3 rounds: 1 Wh of 3 lost = 3333.33 bp -> 3333 */
        {"rounding half-up", 3, {2}, 1, 1, 1, 1, 3333, 10000, 5000000, AREA_ALERT_HIGH_LOSS},
        /* 2/3 -> 6666.67 bp -> 6667 */
        {"rounding up", 3, {1}, 1, 2, 1, 2, 6667, 5000, 20000000, AREA_ALERT_HIGH_LOSS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct fig_case *c = &cases[i];
        area_in in = {c->supplied_wh, c->sold_wh, c->nsold, c->billed_fen, c->collected_fen};
        area_figures f;
        print_message("%s\n", c->name);
        assert_int_equal(area_compute(&in, &lim, &f), GL_OK);
        assert_int_equal(f.loss_wh, c->loss_wh);
        assert_int_equal(f.loss_bp, c->loss_bp);
        assert_int_equal(f.collected_bp, c->collected_bp);
        assert_int_equal(f.avg_price_micro, c->avg_price_micro);
        assert_int_equal(f.alert, c->alert);
    }
}

static void test_figures_refused(void **state)
{
    (void)state;
    const area_limits lim = AREA_LIMITS_DEFAULT;
    area_figures f;
    int64_t neg[] = {-1};
    area_in bad = {100, neg, 1, 0, 0};
    assert_int_equal(area_compute(&bad, &lim, &f), GL_EINVAL);
    int64_t huge[] = {INT64_MAX, 1};
    area_in ovf = {100, huge, 2, 0, 0};
    assert_int_equal(area_compute(&ovf, &lim, &f), GL_EOVERFLOW);
    area_in nul = {100, NULL, 0, -5, 0};
    assert_int_equal(area_compute(&nul, &lim, &f), GL_EINVAL);
}

struct swing_case {
    int64_t month, prev[3];
    int want;
    int32_t change_bp;
};

static void test_swing_table(void **state)
{
    (void)state;
    const area_limits lim = AREA_LIMITS_DEFAULT;
    const struct swing_case cases[] = {
        {130000, {100000, 100000, 100000}, 0, 3000},  /* +30 % exactly: no alert */
        {130001, {100000, 100000, 100000}, 0, 3000},  /* 3000.01 bp rounds to 3000: no alert */
        {131000, {100000, 100000, 100000}, 1, 3100},
        {70000, {100000, 100000, 100000}, 0, -3000},
        {69000, {100000, 100000, 100000}, 1, -3100},
        {0, {100000, 120000, 80000}, 1, -10000},      /* a large customer going silent */
        {50000, {-1, -1, 100000}, 1, -5000},          /* months without data are left out */
        {50000, {-1, -1, -1}, 0, 0},                  /* no baseline, no alert */
        {50000, {0, 0, 0}, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int32_t ch = 0;
        int got = area_swing(cases[i].month, cases[i].prev, &lim, &ch);
        assert_int_equal(ch, cases[i].change_bp);
        assert_int_equal(got, cases[i].want);
    }
}

static void test_suspect_table(void **state)
{
    (void)state;
    const area_limits lim = AREA_LIMITS_DEFAULT;
    static const struct {
        int64_t use, base;
        int32_t now_bp, before_bp;
        int want;
    } cases[] = {
        {20000, 100000, 700, 500, 1},  /* fell 80 %, loss up 2 points */
        {20001, 100000, 700, 500, 1},  /* fell 79.999 %: 7999.9 bp rounds half-up to 8000, the limit */
        {20006, 100000, 700, 500, 0},  /* fell 79.994 %: 7999 bp */
        {10000, 100000, 699, 500, 0},  /* loss up 1.99 points only */
        {0, 100000, 900, 300, 1},
        {0, 0, 900, 300, 0},           /* no baseline */
        {150000, 100000, 900, 300, 0}, /* use rose */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = area_suspect(cases[i].use, cases[i].base, cases[i].now_bp, cases[i].before_bp, &lim);
        assert_int_equal(got, cases[i].want);
    }
    /* a counter standing still while the area draws power: both sides of each condition */
    static const struct {
        int64_t use, supplied;
        int want;
    } stuck[] = {{0, 1, 1}, {0, 1000000, 1}, {1, 1000000, 0}, {0, 0, 0}, {-1, 1000000, 0} /* no reading: missing */};
    for (size_t i = 0; i < sizeof stuck / sizeof stuck[0]; i++)
        assert_int_equal(area_stuck(stuck[i].use, stuck[i].supplied), stuck[i].want);
    assert_string_equal(area_alert_name(AREA_ALERT_HIGH_LOSS), "high_loss");
    assert_string_equal(area_alert_name(AREA_ALERT_NONE), "none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures_table),
        cmocka_unit_test(test_figures_refused),
        cmocka_unit_test(test_swing_table),
        cmocka_unit_test(test_suspect_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
