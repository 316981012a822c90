/* test_clock.c: civil time in a zone, DST days of 23 and 25 hours, the simulated clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"

struct day_case {
    const char *tz, *day;
    int64_t hours; /* length of that civil day */
};

static void test_day_lengths(void **state)
{
    (void)state;
    static const struct day_case cases[] = {
        {"Asia/Shanghai", "2024-03-10", 24},    {"America/New_York", "2024-03-10", 23},
        {"America/New_York", "2024-11-03", 25}, {"Europe/Berlin", "2024-03-31", 23},
        {"Europe/Berlin", "2024-10-27", 25},    {"Europe/Berlin", "2024-02-29", 24},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t;
        assert_int_equal(clock_set_timezone(cases[i].tz), GL_OK);
        assert_int_equal(clock_parse_local(cases[i].day, &t), GL_OK);
        int64_t next = clock_next_local_midnight(t);
        if ((next - t) / 3600 != cases[i].hours)
            fail_msg("%s %s: %lld hours", cases[i].tz, cases[i].day, (long long)((next - t) / 3600));
    }
}

static void test_parse_format(void **state)
{
    (void)state;
    int64_t t;
    char buf[40];
    assert_int_equal(clock_set_timezone("Asia/Shanghai"), GL_OK);
    assert_int_equal(clock_parse_local("2026-01-01T08:00", &t), GL_OK);
    assert_int_equal(t, 1767225600); /* 2026-01-01T00:00:00Z */
    assert_int_equal(clock_format_local(t, buf, sizeof buf), GL_OK);
    assert_string_equal(buf, "2026-01-01T08:00:00+08:00");
    /* past 2038-01-19 (a 32-bit time_t would wrap): gateways run for decades */
    assert_int_equal(clock_parse_local("2040-01-01T08:00", &t), GL_OK);
    assert_int_equal(t, 2208988800); /* 2040-01-01T00:00:00Z */
    assert_int_equal(clock_format_local(t, buf, sizeof buf), GL_OK);
    assert_string_equal(buf, "2040-01-01T08:00:00+08:00");
    assert_int_equal(clock_parse_local("2026-02-30", &t), GL_ESYNTAX);
    assert_int_equal(clock_parse_local("2026-1-01", &t), GL_ESYNTAX);
    assert_int_equal(clock_parse_local("2026-01-01 08:00", &t), GL_ESYNTAX);
    assert_int_equal(clock_parse_local("2026-01-01T24:00", &t), GL_ESYNTAX);
    /* issue 21.10: one syntax everywhere: metersim's and the docs' UTC form and RFC 3339 offsets */
    static const struct {
        const char *text;
        gl_status want;
        int64_t t;
    } zoned[] = {
        {"2027-03-01T00:00:00Z", GL_OK, 1803859200},    {"2027-03-01T00:00Z", GL_OK, 1803859200},
        {"2027-03-01T08:00:00+08:00", GL_OK, 1803859200}, {"2027-02-28T19:00-05:00", GL_OK, 1803859200},
        {"2024-02-29T23:59:59Z", GL_OK, 1709251199},    {"2027-02-29T00:00:00Z", GL_ESYNTAX, 0},
        {"2027-03-01T00:00:00z", GL_ESYNTAX, 0},        {"2027-03-01T00:00:00+8:00", GL_ESYNTAX, 0},
        {"2027-03-01T00:00:00+24:00", GL_ESYNTAX, 0},   {"2027-03-01T00:00:60Z", GL_ESYNTAX, 0},
        {"2027-03-01 00:00:00Z", GL_ESYNTAX, 0},        {"2027-03-01T00:00:00ZZ", GL_ESYNTAX, 0},
        {"2027-03-01Z", GL_ESYNTAX, 0},
    };
    for (size_t i = 0; i < sizeof zoned / sizeof zoned[0]; i++) {
        t = -1;
        gl_status st = clock_parse_local(zoned[i].text, &t);
        if (st != zoned[i].want || (st == GL_OK && t != zoned[i].t))
            fail_msg("%s: %s %lld", zoned[i].text, gl_status_name(st), (long long)t);
    }
    assert_int_equal(clock_set_timezone("Mars/Olympus"), GL_ENOTFOUND);
    assert_int_equal(clock_set_timezone("../etc/passwd"), GL_EINVAL);
}

static void test_sim_clock_runs_faster(void **state)
{
    (void)state;
    gl_clock c;
    clock_init_sim(&c, 1767225600, 3600);
    int64_t t0 = clock_now(&c);
    assert_true(t0 >= 1767225600 && t0 < 1767225600 + 60);
    clock_sleep_until(&c, t0 + 360); /* six simulated minutes = 0.1 s */
    int64_t t1 = clock_now(&c);
    assert_true(t1 >= t0 + 360);
    assert_true(t1 < t0 + 3600);
    gl_clock r;
    clock_init_real(&r);
    int64_t now = clock_now(&r);
    assert_true(now > 1700000000);
    assert_true(now - (int64_t)time(NULL) <= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_lengths),
        cmocka_unit_test(test_parse_format),
        cmocka_unit_test(test_sim_clock_runs_faster),
    };
    return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
