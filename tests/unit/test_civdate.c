/* test_civdate.c: the one calendar: dates as text both ways, weekdays from
 * Monday, the year range, leap years, month arithmetic, civil minutes and
 * times of day (formerly test_penalty's civil dates and test_tariff's
 * civil arithmetic). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gridledger/civdate.h"

static int32_t D(const char *s)
{
    int32_t d = 0;
    if (civdate_parse(s, strlen(s), &d) != GL_OK)
        fail_msg("bad date %s", s);
    return d;
}

struct date_case {
    const char *text;
    gl_status st;
    int weekday; /* 0 Monday */
};

static void test_civdate_parse_format(void **state)
{
    (void)state;
    static const struct date_case cases[] = {
        {"1970-01-01", GL_OK, 3}, {"2026-01-01", GL_OK, 3},   {"2024-02-29", GL_OK, 3}, {"2026-11-23", GL_OK, 0},
        {"2000-02-29", GL_OK, 1}, {"2024-07-06", GL_OK, CIVDATE_SATURDAY}, {"2024-07-07", GL_OK, CIVDATE_SUNDAY},
        {"1900-01-01", GL_OK, 0}, {"9999-12-31", GL_OK, 4},
        {"2100-02-29", GL_ESYNTAX, 0}, {"2026-02-29", GL_ESYNTAX, 0}, {"2023-02-29", GL_ESYNTAX, 0},
        {"2026-02-31", GL_ESYNTAX, 0}, {"2026-13-01", GL_ESYNTAX, 0}, {"2026-1-01", GL_ESYNTAX, 0},
        {"2026-01-01T", GL_ESYNTAX, 0}, {"20260101", GL_ESYNTAX, 0}, {"2026-00-10", GL_ESYNTAX, 0},
        {"2026-04-31", GL_ESYNTAX, 0}, {"1899-12-31", GL_ESYNTAX, 0}, {"2026-01-00", GL_ESYNTAX, 0},
        {"2026/01/01", GL_ESYNTAX, 0}, {"+026-01-01", GL_ESYNTAX, 0}, {"", GL_ESYNTAX, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int32_t d = -99;
        char buf[CIVDATE_FMT_MAX];
        gl_status st = civdate_parse(cases[i].text, strlen(cases[i].text), &d);
        if (st != cases[i].st)
            fail_msg("%s: status %d", cases[i].text, st);
        if (st != GL_OK) {
            assert_int_equal(d, -99); /* written only on success */
            continue;
        }
        assert_int_equal(civdate_format(d, buf, sizeof buf), GL_OK);
        assert_string_equal(buf, cases[i].text);
        assert_int_equal(civdate_weekday(d), cases[i].weekday);
    }
    char small[CIVDATE_FMT_MAX - 1];
    assert_int_equal(civdate_format(0, small, sizeof small), GL_EBOUND);
    char buf[CIVDATE_FMT_MAX];
    assert_int_equal(civdate_format(civdate_from_ymd(10000, 1, 1), buf, sizeof buf), GL_ERANGE);
    assert_int_equal(civdate_parse(NULL, 10, &(int32_t){0}), GL_ESYNTAX);
}

static void test_civdate_arithmetic(void **state)
{
    (void)state;
    int y, m, dd;
    assert_int_equal(D("1970-01-01"), 0);
    assert_int_equal(civdate_from_ymd(1970, 1, 1), 0);
    assert_int_equal(civdate_from_ymd(1969, 12, 31), -1);
    assert_int_equal(civdate_weekday(-1), 2); /* 1969-12-31, a Wednesday: negative days too */
    assert_int_equal(civdate_from_ymd(2024, 2, 29) + 1, civdate_from_ymd(2024, 3, 1));
    civdate_to_ymd(civdate_from_ymd(2100, 2, 28) + 1, &y, &m, &dd);
    assert_true(y == 2100 && m == 3 && dd == 1);
    assert_int_equal(civdate_days_in_month(2000, 2), 29);
    assert_int_equal(civdate_days_in_month(1900, 2), 28);
    assert_int_equal(civdate_days_in_month(2024, 2), 29);
    assert_int_equal(civdate_days_in_month(2026, 4), 30);
    assert_int_equal(civdate_days_in_month(2026, 13), 0);
    assert_int_equal(civdate_days_in_month(2026, 0), 0);
    assert_int_equal(civdate_year(D("2026-12-31")), 2026);
    assert_int_equal(civdate_add_months(D("2026-01-31"), 1), D("2026-02-28"));
    assert_int_equal(civdate_add_months(D("2024-03-31"), -1), D("2024-02-29"));
    assert_int_equal(civdate_add_months(D("2026-05-15"), -24), D("2024-05-15"));
    assert_int_equal(civdate_add_months(D("2026-11-15"), 2), D("2027-01-15"));
    /* every day for 400 years round-trips, and weekdays run 0..6 in turn */
    int wd = civdate_weekday(D("1900-01-01"));
    for (int32_t d = D("1900-01-01"); d < D("2300-01-01"); d++, wd = (wd + 1) % 7) {
        civdate_to_ymd(d, &y, &m, &dd);
        if (!civdate_valid(y, m, dd) || civdate_from_ymd(y, m, dd) != d || civdate_weekday(d) != wd)
            fail_msg("day %d", d);
    }
    assert_false(civdate_valid(CIVDATE_MIN_YEAR - 1, 12, 31));
    assert_false(civdate_valid(CIVDATE_MAX_YEAR + 1, 1, 1));
}

struct minute_case {
    const char *text;
    gl_status st;
    const char *date; /* the day it falls on */
    int minute;       /* of the day */
};

static void test_civdate_minutes(void **state)
{
    (void)state;
    static const struct minute_case cases[] = {
        {"2026-03-02T09:05", GL_OK, "2026-03-02", 545},   {"2026-03-02T00:00", GL_OK, "2026-03-02", 0},
        {"2026-03-02T23:59", GL_OK, "2026-03-02", 1439},  {"2026-03-02T24:00", GL_ESYNTAX, NULL, 0},
        {"2026-02-31T10:00", GL_ESYNTAX, NULL, 0},        {"2026-03-02 09:05", GL_ESYNTAX, NULL, 0},
        {"2026-03-02T9:05", GL_ESYNTAX, NULL, 0},         {"2026-03-02T09:60", GL_ESYNTAX, NULL, 0},
        {"2026-03-02T09:05:00", GL_ESYNTAX, NULL, 0},     {"2026-03-02T09-05", GL_ESYNTAX, NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t min = -99;
        gl_status st = civdate_parse_minute(cases[i].text, strlen(cases[i].text), &min);
        if (st != cases[i].st)
            fail_msg("%s: status %d", cases[i].text, st);
        if (st != GL_OK) {
            assert_int_equal(min, -99);
            continue;
        }
        assert_int_equal(min, (int64_t)D(cases[i].date) * CIVDATE_MINUTES_PER_DAY + cases[i].minute);
        char mb[CIVDATE_MINUTE_FMT_MAX];
        assert_int_equal(civdate_format_minute(min, mb, sizeof mb), GL_OK);
        assert_string_equal(mb, cases[i].text);
    }
    char mb[CIVDATE_MINUTE_FMT_MAX];
    assert_int_equal(civdate_format_minute(-1, mb, sizeof mb), GL_OK);
    assert_string_equal(mb, "1969-12-31T23:59");
    int hm = -1;
    assert_int_equal(civdate_parse_time("24:00", 5, &hm), GL_OK);
    assert_int_equal(hm, CIVDATE_MINUTES_PER_DAY);
    assert_int_equal(civdate_parse_time("07:30", 5, &hm), GL_OK);
    assert_int_equal(hm, 450);
    assert_int_equal(civdate_parse_time("24:01", 5, &hm), GL_ESYNTAX);
    assert_int_equal(civdate_parse_time("12:60", 5, &hm), GL_ESYNTAX);
    assert_int_equal(civdate_parse_time("7:30", 4, &hm), GL_ESYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civdate_parse_format),
        cmocka_unit_test(test_civdate_arithmetic),
        cmocka_unit_test(test_civdate_minutes),
    };
    return cmocka_run_group_tests_name("civdate", tests, NULL, NULL);
}
