/* test_bo_bureau.c: the credit-bureau payment-status codes (bo_bureau.c) as
 * a table: each code at its boundaries (1..30 days: 1, 31: 2, ..., 180: 6,
 * 181: 7, 1000: 7), overdue days with nothing owed, billed but not graded,
 * no business, not yet opened; a 24-month string built from a script of
 * months; adverse or not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../tools/backoffice/bo_bureau.h"

static void test_status(void **state)
{
    static const struct {
        bo_bureau_month m;
        char want;
    } cases[] = {
        {{0, 1, 1, 50, 100}, '/'},  /* before the first bill, whatever else */
        {{1, 1, 1, 0, 0}, 'N'},     /* graded, nothing owed */
        {{1, 1, 1, 0, 5000}, 'N'},  /* owed but not yet due */
        {{1, 1, 1, 12, 0}, 'N'},    /* days but nothing owed */
        {{1, 0, 1, 1, 1}, '1'},     {{1, 1, 1, 30, 1}, '1'},  {{1, 1, 1, 31, 1}, '2'},
        {{1, 1, 1, 60, 1}, '2'},    {{1, 1, 1, 61, 1}, '3'},  {{1, 1, 1, 90, 1}, '3'},
        {{1, 1, 1, 91, 1}, '4'},    {{1, 1, 1, 120, 1}, '4'}, {{1, 1, 1, 121, 1}, '5'},
        {{1, 1, 1, 150, 1}, '5'},   {{1, 1, 1, 151, 1}, '6'}, {{1, 1, 1, 180, 1}, '6'},
        {{1, 1, 1, 181, 1}, '7'},   {{1, 1, 1, 1000, 1}, '7'},
        {{1, 1, 0, 0, 0}, '#'},     /* billed, not graded: unknown */
        {{1, 0, 0, 0, 0}, '*'},     /* no business */
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char got = bo_bureau_status(&cases[i].m);
        if (got != cases[i].want)
            fail_msg("case %zu: got %c, want %c", i, got, cases[i].want);
    }
}

/* script: one letter a month: '-' not opened, '.' nothing, 'b' billed only,
 * 'n' graded normal, or a digit d: graded d*30 days overdue with arrears. */
static void from_script(const char *s, bo_bureau_month m[BO_BUREAU_MONTHS])
{
    memset(m, 0, sizeof(bo_bureau_month) * BO_BUREAU_MONTHS);
    for (int i = 0; i < BO_BUREAU_MONTHS; i++) {
        m[i].opened = s[i] != '-';
        m[i].billed = s[i] == 'b' || s[i] == 'n' || (s[i] >= '1' && s[i] <= '9');
        m[i].graded = s[i] == 'n' || (s[i] >= '1' && s[i] <= '9');
        if (s[i] >= '1' && s[i] <= '9') {
            m[i].days_overdue = (s[i] - '0') * 30;
            m[i].arrears_fen = 100;
        }
    }
}

static void test_history(void **state)
{
    static const struct {
        const char *script, *want;
        int adverse;
    } cases[] = {
        {"--------------------nn12", "////////////////////NN12", 1},
        {"--------------bbbbnnnnnn", "//////////////####NNNNNN", 0},
        {"nnnnnnnnnnnnnnnnnnnnnnnn", "NNNNNNNNNNNNNNNNNNNNNNNN", 0},
        {"........................", "************************", 0},
        {"1234567899nnnn....bbbbnn", "1234567777NNNN****####NN", 1},
        {"------------------------", "////////////////////////", 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bo_bureau_month m[BO_BUREAU_MONTHS];
        char out[BO_BUREAU_MONTHS + 1];
        from_script(cases[i].script, m);
        bo_bureau_history(m, out);
        assert_string_equal(out, cases[i].want);
        assert_int_equal(bo_bureau_adverse(out), cases[i].adverse);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
