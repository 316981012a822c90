/* test_largecust.c: the large-customer figures (core/largecust.c) as tables
 * of cases: average price at micro-yuan per kWh (half-up at the tie), the
 * area's average price with and without a customer and the effect (raises,
 * lowers, none, the whole area, more than the area), the swing against 0..3
 * previous months, and the GB/T 4754 section letters at their bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gridledger/largecust.h"

static void test_price(void **state)
{
    static const struct {
        int64_t fen, wh, want;
        gl_status st;
    } cases[] = {
        {700000, 10000000, 700000, GL_OK},  /* 7000.00 yuan / 10000 kWh = 0.700000 */
        {1070000, 15000000, 713333, GL_OK}, /* 0.71333333.. down */
        {2, 3000, 6667, GL_OK},             /* 0.02 / 3 kWh = 0.0066666.. up */
        {1, 20, 500000, GL_OK},             /* 0.01 / 0.02 kWh = 0.5 exactly */
        {1, 20000000, 1, GL_OK},            /* 0.01 / 20000 kWh = 0.0000005: the tie goes up */
        {1, 20000001, 0, GL_OK},            /* just under the tie */
        {-500, 1000, -5000000, GL_OK},      /* a credit bill */
        {100, 0, 0, GL_ERANGE},             /* no energy: no price */
        {100, -1, 0, GL_ERANGE},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t p = -42;
        assert_int_equal(largecust_price(cases[i].fen, cases[i].wh, &p), cases[i].st);
        if (cases[i].st == GL_OK)
            assert_int_equal(p, cases[i].want);
    }
}

static void test_area_effect(void **state)
{
    static const struct {
        int64_t afen, awh, cfen, cwh;
        gl_status st;
        int64_t with, without, effect;
        int has_without;
    } cases[] = {
        /* cheaper than the area: lowers it (0.713333 with, 0.740000 without) */
        {1070000, 15000000, 700000, 10000000, GL_OK, 713333, 740000, -26667, 1},
        /* dearer: raises it (0.681818 without) */
        {1070000, 15000000, 320000, 4000000, GL_OK, 713333, 681818, 31515, 1},
        /* at the area's price: no effect */
        {100000, 2000000, 50000, 1000000, GL_OK, 500000, 500000, 0, 1},
        /* the whole area: nothing to compare with */
        {100000, 2000000, 100000, 2000000, GL_OK, 500000, 0, 0, 0},
        /* a customer without energy this month */
        {100000, 2000000, 0, 0, GL_OK, 500000, 500000, 0, 1},
        {100000, 2000000, 1, 2000001, GL_ERANGE, 0, 0, 0, 0}, /* more than the area */
        {100000, 0, 0, 0, GL_ERANGE, 0, 0, 0, 0},             /* an area without energy */
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        largecust_effect e;
        assert_int_equal(largecust_area_effect(cases[i].afen, cases[i].awh, cases[i].cfen, cases[i].cwh, &e),
                         cases[i].st);
        if (cases[i].st != GL_OK)
            continue;
        assert_int_equal(e.with_micro, cases[i].with);
        assert_int_equal(e.has_without, cases[i].has_without);
        assert_int_equal(e.without_micro, cases[i].without);
        assert_int_equal(e.effect_micro, cases[i].effect);
    }
}

static void test_swing(void **state)
{
    static const struct {
        int64_t wh;
        int64_t prev[3];
        int n;
        gl_status st;
        int64_t want_bp;
    } cases[] = {
        {10000, {8000, 9000, 10000}, 3, GL_OK, 1111},  /* +11.111.. % */
        {4000, {5000, 5000, 5000}, 3, GL_OK, -2000},   /* -20.00 % */
        {3, {2, 2, 2}, 3, GL_OK, 5000},                /* +50 % */
        {1, {3, 3, 0}, 2, GL_OK, -6667},               /* two months: avg 3, -66.666.. % */
        {2, {3, 0, 0}, 1, GL_OK, -3333},               /* one month */
        {200010, {200000, 0, 0}, 1, GL_OK, 1},         /* 0.005 %: the tie goes up to 0.01 */
        {200009, {200000, 0, 0}, 1, GL_OK, 0},         /* 0.0045 %: down to 0.00 */
        {0, {100, 100, 100}, 3, GL_OK, -10000},        /* stopped: -100 % */
        {100, {0, 0, 0}, 3, GL_ERANGE, 0},             /* nothing before */
        {100, {0, 0, 0}, 0, GL_ERANGE, 0},             /* no month before */
        {100, {1, 1, 1}, 4, GL_ERANGE, 0},             /* at most three */
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t bp = -42;
        assert_int_equal(largecust_swing(cases[i].wh, cases[i].prev, cases[i].n, &bp), cases[i].st);
        if (cases[i].st == GL_OK)
            assert_int_equal(bp, cases[i].want_bp);
    }
}

static void test_industry(void **state)
{
    (void)state;
    assert_string_equal(largecust_industry("A"), "Agriculture, forestry, animal husbandry, fishery");
    assert_string_equal(largecust_industry("C"), "Manufacturing");
    assert_string_equal(largecust_industry("T"), "International organisations");
    assert_null(largecust_industry("U"));
    assert_null(largecust_industry("@"));
    assert_null(largecust_industry("c"));
    assert_null(largecust_industry("CC"));
    assert_null(largecust_industry(""));
    assert_null(largecust_industry(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_price),
        cmocka_unit_test(test_area_effect),
        cmocka_unit_test(test_swing),
        cmocka_unit_test(test_industry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
