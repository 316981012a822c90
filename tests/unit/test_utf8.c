/* test_utf8.c: well-formed UTF-8, RFC 3629's edges and the Unicode
 * Standard's table 3-7 cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gridledger/utf8.h"

struct utf8_case {
    const char *name;
    const char *bytes;
    size_t n;
    int valid;
};

#define CASE(name, lit, valid) {name, lit, sizeof lit - 1, valid}

static const struct utf8_case cases[] = {
    CASE("empty", "", 1),
    CASE("ascii", "{\"kind\":\"bill\"}", 1),
    CASE("CJK 台区", "\xe5\x8f\xb0\xe5\x8c\xba", 1),
    CASE("two-byte é", "\xc3\xa9", 1),
    CASE("four-byte U+1F600", "\xf0\x9f\x98\x80", 1),
    CASE("U+10FFFF", "\xf4\x8f\xbf\xbf", 1),
    CASE("U+FFFD", "\xef\xbf\xbd", 1),
    CASE("NUL", "a\0b", 0),
    CASE("lone continuation", "\x80", 0),
    CASE("overlong slash", "\xc0\xaf", 0),
    CASE("overlong three", "\xe0\x80\xaf", 0),
    CASE("overlong four", "\xf0\x80\x80\xaf", 0),
    CASE("surrogate D800", "\xed\xa0\x80", 0),
    CASE("surrogate DFFF", "\xed\xbf\xbf", 0),
    CASE("above U+10FFFF", "\xf4\x90\x80\x80", 0),
    CASE("five-byte lead", "\xf8\x88\x80\x80\x80", 0),
    CASE("0xFF", "\xff", 0),
    CASE("truncated three", "\xe5\x8f", 0),
    CASE("truncated at end", "ok\xf0\x9f\x98", 0),
    CASE("GBK 台区, not UTF-8", "\xcc\xa8\xc7\xf8", 0),
};

static void test_utf8_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct utf8_case *c = &cases[i];
        int got = utf8_valid((const uint8_t *)c->bytes, c->n);
        if (got != c->valid)
            fail_msg("%s: got %d, want %d", c->name, got, c->valid);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_table),
    };
    return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
