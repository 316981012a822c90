/* test_ident.c: the one identifier check: the characters an id may hold and
 * its length bounds, as the config, the ledger CSV, tariffs, topics and the
 * back office's ingest see them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gridledger/ident.h"

struct ident_case {
    const char *s;
    size_t max_len;
    int want;
};

static void test_ident_valid(void **state)
{
    (void)state;
    static const struct ident_case cases[] = {
        {"gw-0001", 47, 1},   {"C_1.x", 47, 1},    {"A", 1, 1},         {"AB", 1, 0},        {"", 47, 0},
        {"a b", 47, 0},       {"a/b", 47, 0},      {"a+b", 47, 0},      {"äb", 47, 0},       {"a\tb", 47, 0},
        {"..", 47, 1},        {"-", 47, 1},        {"Z9z0", 4, 1},      {"Z9z0_", 4, 0},     {"a:b", 47, 0},
        {"0123456789012345678901234567890123456789012345678901234567890123", 64, 1},
        {"01234567890123456789012345678901234567890123456789012345678901234", 64, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (ident_valid(cases[i].s, cases[i].max_len) != cases[i].want)
            fail_msg("case %zu \"%s\" (max %zu)", i, cases[i].s, cases[i].max_len);
    assert_false(ident_valid(NULL, 47));
    int n = 0;
    for (int c = 1; c < 256; c++)
        n += ident_char((char)c);
    assert_int_equal(n, 26 + 26 + 10 + 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ident_valid),
    };
    return cmocka_run_group_tests_name("ident", tests, NULL, NULL);
}
