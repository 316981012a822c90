/* test_dlt645prof.c: DL/T 645 profile items turn BCD bytes into the
 * reading's units: sign bits and rounding as tables, and the built-in
 * profiles name the DIs of DL/T 645-2007 appendix A. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dlt645prof.h"

struct value_case {
    const char *what;
    profile_q q;
    uint8_t bytes[4]; /* as received, after -0x33, least significant first */
    gl_status st;
    int64_t value; /* in the reading's unit */
};

static void test_item_values(void **state)
{
    (void)state;
    const dlt645prof *p = dlt645prof_builtin("DLT645-1P");
    assert_non_null(p);
    static const struct value_case cases[] = {
        {"energy 1234.56 kWh", PROFILE_Q_IMPORT, {0x56, 0x34, 0x12, 0x00}, GL_OK, 1234560},
        {"energy max 999999.99 kWh", PROFILE_Q_IMPORT, {0x99, 0x99, 0x99, 0x99}, GL_OK, 999999990},
        {"energy not BCD", PROFILE_Q_IMPORT, {0x5A, 0x34, 0x12, 0x00}, GL_ERANGE, 0},
        {"voltage 220.1 V", PROFILE_Q_VOLTAGE_L1, {0x01, 0x22}, GL_OK, 2201},
        {"current 1.234 A", PROFILE_Q_CURRENT_L1, {0x34, 0x12, 0x00}, GL_OK, 1234},
        {"current -1.234 A (reverse)", PROFILE_Q_CURRENT_L1, {0x34, 0x12, 0x80}, GL_OK, -1234},
        {"power 1.2345 kW = 1234.5 W: rounds to 1235", PROFILE_Q_POWER, {0x45, 0x23, 0x01}, GL_OK, 1235},
        {"power 1.2344 kW rounds to 1234 W", PROFILE_Q_POWER, {0x44, 0x23, 0x01}, GL_OK, 1234},
        {"power -1.2345 kW rounds away from zero", PROFILE_Q_POWER, {0x45, 0x23, 0x81}, GL_OK, -1235},
        {"power -0.0004 kW rounds to 0", PROFILE_Q_POWER, {0x04, 0x00, 0x80}, GL_OK, 0},
        {"power max 79.9999 kW", PROFILE_Q_POWER, {0x99, 0x99, 0x79}, GL_OK, 80000},
        {"pf 0.950", PROFILE_Q_PF, {0x50, 0x09}, GL_OK, 950},
        {"pf -0.500 (capacitive)", PROFILE_Q_PF, {0x00, 0x85}, GL_OK, -500},
        {"frequency 50.00 Hz", PROFILE_Q_FREQ, {0x00, 0x50}, GL_OK, 5000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = -1;
        gl_status st = dlt645prof_value(&p->q[cases[i].q], cases[i].bytes, &v);
        if (st != cases[i].st || (st == GL_OK && v != cases[i].value))
            fail_msg("%s: %s %lld", cases[i].what, gl_status_name(st), (long long)v);
    }
}

static void test_builtin_profiles(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int phases;
        uint32_t voltage_l3;
    } cases[] = {{"DLT645-1P", 1, 0}, {"DLT645-3P", 3, 0x02010300}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const dlt645prof *p = dlt645prof_builtin(cases[i].name);
        assert_non_null(p);
        assert_int_equal(p->nphases, cases[i].phases);
        assert_int_equal(p->q[PROFILE_Q_IMPORT].di, 0x00010000);
        assert_int_equal(p->q[PROFILE_Q_EXPORT].di, 0x00020000);
        assert_int_equal(p->q[PROFILE_Q_VOLTAGE_L3].di, cases[i].voltage_l3);
        assert_true(p->block && p->ntariffs == 4 && p->relay);
        profile view;
        dlt645prof_as_profile(p, &view);
        assert_string_equal(view.name, cases[i].name);
        assert_int_equal(view.nphases, cases[i].phases);
        assert_false(view.q[PROFILE_Q_IMPORT].present); /* no Modbus registers */
    }
    assert_null(dlt645prof_builtin("SDM120"));
    assert_null(dlt645prof_builtin("dlt645-1p"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_item_values),
        cmocka_unit_test(test_builtin_profiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
