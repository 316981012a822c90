/* test_money.c: parse, format, multiply, divide and round, as tables of cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gridledger/money.h"

struct parse_case {
    const char *text;
    int scale;
    gl_status st;
    int64_t value;
};

static void test_parse_table(void **state)
{
    (void)state;
    static const struct parse_case cases[] = {
        {"0", 2, GL_OK, 0},
        {"1", 2, GL_OK, 100},
        {"1.5", 2, GL_OK, 150},
        {"-1.5", 2, GL_OK, -150},
        {"+2.25", 2, GL_OK, 225},
        {"0.4883", 6, GL_OK, 488300},
        {"-0.01", 2, GL_OK, -1},
        {"12.340000", 2, GL_OK, 1234},
        {"12.345", 2, GL_ERANGE, 0},
        {"92233720368547758.07", 2, GL_OK, INT64_MAX},
        {"-92233720368547758.08", 2, GL_OK, INT64_MIN},
        {"92233720368547758.08", 2, GL_EOVERFLOW, 0},
        {"99999999999999999999999", 0, GL_EOVERFLOW, 0},
        {"", 2, GL_ESYNTAX, 0},
        {"-", 2, GL_ESYNTAX, 0},
        {"1.", 2, GL_ESYNTAX, 0},
        {".5", 2, GL_ESYNTAX, 0},
        {"1e3", 2, GL_ESYNTAX, 0},
        {" 1", 2, GL_ESYNTAX, 0},
        {"1 ", 2, GL_ESYNTAX, 0},
        {"1,5", 2, GL_ESYNTAX, 0},
        {"0x10", 2, GL_ESYNTAX, 0},
        {"NaN", 2, GL_ESYNTAX, 0},
        {"240", 3, GL_OK, 240000},
        {"0.001", 3, GL_OK, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = 0;
        gl_status st = money_parse(cases[i].text, cases[i].scale, &v);
        if (st != cases[i].st)
            fail_msg("case %zu \"%s\": status %s, want %s", i, cases[i].text, gl_status_name(st),
                     gl_status_name(cases[i].st));
        if (st == GL_OK)
            assert_int_equal(v, cases[i].value);
    }
}

struct round_parse_case {
    const char *text;
    money_rounding mode;
    int64_t value;
};

static void test_parse_round_table(void **state)
{
    (void)state;
    static const struct round_parse_case cases[] = {
        {"1.005", MONEY_HALF_UP, 101},    {"1.005", MONEY_HALF_EVEN, 100},
        {"1.015", MONEY_HALF_EVEN, 102},  {"1.0051", MONEY_HALF_EVEN, 101},
        {"-1.005", MONEY_HALF_UP, -101},  {"-1.005", MONEY_HALF_EVEN, -100},
        {"1.0049", MONEY_HALF_UP, 100},   {"1.009", MONEY_DOWN, 100},
        {"1.001", MONEY_UP, 101},         {"1.0000001", MONEY_UP, 101},
        {"2.675", MONEY_HALF_UP, 268}, /* a binary double makes this 2.67 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = 0;
        assert_int_equal(money_parse_round(cases[i].text, 2, cases[i].mode, &v), GL_OK);
        if (v != cases[i].value)
            fail_msg("case %zu \"%s\" %s: got %lld want %lld", i, cases[i].text,
                     money_rounding_name(cases[i].mode), (long long)v, (long long)cases[i].value);
    }
}

struct format_case {
    int64_t value;
    int scale;
    const char *text;
};

static void test_format_table(void **state)
{
    (void)state;
    static const struct format_case cases[] = {
        {0, 2, "0.00"},
        {1, 2, "0.01"},
        {-1, 2, "-0.01"},
        {-150, 2, "-1.50"},
        {14949, 2, "149.49"},
        {488300, 6, "0.488300"},
        {7, 0, "7"},
        {-7, 0, "-7"},
        {INT64_MAX, 2, "92233720368547758.07"},
        {INT64_MIN, 2, "-92233720368547758.08"},
        {5, 18, "0.000000000000000005"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[MONEY_FMT_MAX + 20];
        assert_int_equal(money_format(cases[i].value, cases[i].scale, buf, sizeof buf), GL_OK);
        assert_string_equal(buf, cases[i].text);
        int64_t back = 0;
        assert_int_equal(money_parse(buf, cases[i].scale, &back), GL_OK);
        assert_int_equal(back, cases[i].value);
    }
    char small[4];
    assert_int_equal(money_format(12345, 2, small, sizeof small), GL_EBOUND);
    char buf[32];
    assert_int_equal(money_format_trim(488300, 6, 0, buf, sizeof buf), GL_OK);
    assert_string_equal(buf, "0.4883");
    assert_int_equal(money_format_trim(500000, 6, 2, buf, sizeof buf), GL_OK);
    assert_string_equal(buf, "0.50");
    assert_int_equal(money_format_trim(3000000, 6, 0, buf, sizeof buf), GL_OK);
    assert_string_equal(buf, "3");
}

struct mul_case {
    int64_t a, b;
    int shift;
    money_rounding mode;
    gl_status st;
    int64_t value;
};

static void test_mul_round_table(void **state)
{
    (void)state;
    static const struct mul_case cases[] = {
        /* Beijing tier 1: 240 kWh x 0.4883 = 117.192 -> 117.19 */
        {240000, 488300, 7, MONEY_HALF_UP, GL_OK, 11719},
        /* 60 kWh x 0.5383 = 32.298 -> 32.30 */
        {60000, 538300, 7, MONEY_HALF_UP, GL_OK, 3230},
        /* midpoints: 0.125 yuan -> fen */
        {125, 1000000, 7, MONEY_HALF_UP, GL_OK, 13},
        {125, 1000000, 7, MONEY_HALF_EVEN, GL_OK, 12},
        {135, 1000000, 7, MONEY_HALF_EVEN, GL_OK, 14},
        {-125, 1000000, 7, MONEY_HALF_UP, GL_OK, -13},
        {-125, 1000000, 7, MONEY_HALF_EVEN, GL_OK, -12},
        {125, -1000000, 7, MONEY_DOWN, GL_OK, -12},
        {121, 1000000, 7, MONEY_UP, GL_OK, 13},
        {0, 999, 7, MONEY_HALF_UP, GL_OK, 0},
        {INT64_MAX, 2, 0, MONEY_HALF_UP, GL_EOVERFLOW, 0},
        {INT64_MAX, 10, 1, MONEY_HALF_UP, GL_OK, INT64_MAX},
        {INT64_MIN, 1, 0, MONEY_HALF_UP, GL_OK, INT64_MIN},
        {INT64_MIN, -1, 0, MONEY_HALF_UP, GL_EOVERFLOW, 0},
        {3037000500LL, 3037000500LL, 0, MONEY_HALF_UP, GL_EOVERFLOW, 0},
        {3037000499LL, 3037000499LL, 0, MONEY_HALF_UP, GL_OK, 9223372030926249001LL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = 0;
        gl_status st = money_mul_round(cases[i].a, cases[i].b, cases[i].shift, cases[i].mode, &v);
        if (st != cases[i].st)
            fail_msg("case %zu: status %s want %s", i, gl_status_name(st), gl_status_name(cases[i].st));
        if (st == GL_OK && v != cases[i].value)
            fail_msg("case %zu: got %lld want %lld", i, (long long)v, (long long)cases[i].value);
    }
}

static void test_div_and_rescale(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(money_div_round(5, 2, MONEY_HALF_UP, &v), GL_OK);
    assert_int_equal(v, 3);
    assert_int_equal(money_div_round(5, 2, MONEY_HALF_EVEN, &v), GL_OK);
    assert_int_equal(v, 2);
    assert_int_equal(money_div_round(-7, 2, MONEY_HALF_EVEN, &v), GL_OK);
    assert_int_equal(v, -4);
    assert_int_equal(money_div_round(7, -2, MONEY_HALF_UP, &v), GL_OK);
    assert_int_equal(v, -4);
    assert_int_equal(money_div_round(1, 0, MONEY_HALF_UP, &v), GL_EINVAL);
    assert_int_equal(money_muldiv_round(10000, 15, 31, MONEY_HALF_UP, &v), GL_OK);
    assert_int_equal(v, 4839); /* 150000/31 = 4838.7 */
    assert_int_equal(money_rescale(488350, 6, 4, MONEY_HALF_UP, &v), GL_OK);
    assert_int_equal(v, 4884);
    assert_int_equal(money_rescale(488350, 6, 4, MONEY_HALF_EVEN, &v), GL_OK);
    assert_int_equal(v, 4884);
    assert_int_equal(money_rescale(488250, 6, 4, MONEY_HALF_EVEN, &v), GL_OK);
    assert_int_equal(v, 4882);
    assert_int_equal(money_rescale(12, 2, 6, MONEY_HALF_UP, &v), GL_OK);
    assert_int_equal(v, 120000);
    assert_int_equal(money_rescale(INT64_MAX, 0, 1, MONEY_HALF_UP, &v), GL_EOVERFLOW);
}

static void test_add_sub_overflow(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(money_add(INT64_MAX, 1, &v), GL_EOVERFLOW);
    assert_int_equal(money_sub(INT64_MIN, 1, &v), GL_EOVERFLOW);
    assert_int_equal(money_add(-5, 3, &v), GL_OK);
    assert_int_equal(v, -2);
}

static void test_rounding_names(void **state)
{
    (void)state;
    money_rounding m;
    assert_int_equal(money_rounding_parse("half_even", &m), GL_OK);
    assert_int_equal(m, MONEY_HALF_EVEN);
    assert_string_equal(money_rounding_name(m), "half_even");
    assert_int_equal(money_rounding_parse("bankers", &m), GL_ESYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),       cmocka_unit_test(test_parse_round_table),
        cmocka_unit_test(test_format_table),      cmocka_unit_test(test_mul_round_table),
        cmocka_unit_test(test_div_and_rescale),   cmocka_unit_test(test_add_sub_overflow),
        cmocka_unit_test(test_rounding_names),
    };
    return cmocka_run_group_tests_name("money", tests, NULL, NULL);
}
