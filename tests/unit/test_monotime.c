/* test_monotime.c: the one monotonic clock: never goes back, its units agree,
 * a sleep lasts at least what was asked, a non-positive sleep returns at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "monotime.h"

static void test_monotime_forward(void **state)
{
    (void)state;
    int64_t prev = monotime_us();
    for (int i = 0; i < 100000; i++) {
        int64_t t = monotime_us();
        if (t < prev)
            fail_msg("went back: %lld after %lld", (long long)t, (long long)prev);
        prev = t;
    }
    int64_t us = monotime_us(), ms = monotime_ms();
    double s = monotime_s();
    assert_true(ms - us / 1000 >= 0 && ms - us / 1000 < 1000);
    assert_true(s * 1000.0 - (double)ms > -1.0 && s * 1000.0 - (double)ms < 1000.0);
}

static void test_monotime_sleep(void **state)
{
    (void)state;
    int64_t t0 = monotime_us();
    monotime_sleep_us(20000);
    int64_t slept = monotime_us() - t0;
    assert_true(slept >= 20000);
    assert_true(slept < 2000000);
    t0 = monotime_us();
    monotime_sleep_us(0);
    monotime_sleep_us(-5);
    assert_true(monotime_us() - t0 < 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monotime_forward),
        cmocka_unit_test(test_monotime_sleep),
    };
    return cmocka_run_group_tests_name("monotime", tests, NULL, NULL);
}
