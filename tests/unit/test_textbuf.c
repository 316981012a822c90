/* test_textbuf.c: the bounded text and JSON writer: the cap's edges (growable
 * and over caller storage), sticky errors, all-or-nothing appends, long
 * printf, and JSON string escaping of quotes, control characters, NUL,
 * well-formed and ill-formed UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gridledger/textbuf.h"
#include "gridledger/utf8.h"

/* Appends up to the cap are taken; one byte more is GL_EBOUND, sticky, and
 * leaves the text as it was. Both kinds of textbuf behave the same. */
static void test_cap_edges(void **state)
{
    (void)state;
    for (int fixed = 0; fixed < 2; fixed++) {
        for (size_t cap = 1; cap <= 130; cap += 43) {
            char mem[200];
            textbuf t;
            if (fixed)
                textbuf_init_fixed(&t, mem, cap + 1);
            else
                textbuf_init(&t, cap);
            assert_string_equal(textbuf_str(&t), "");
            for (size_t i = 0; i < cap; i++)
                assert_int_equal(textbuf_add(&t, "x", 1), GL_OK);
            assert_int_equal(textbuf_len(&t), cap);
            assert_int_equal(textbuf_add(&t, "", 0), GL_OK);
            assert_int_equal(textbuf_add(&t, "y", 1), GL_EBOUND);
            assert_int_equal(textbuf_len(&t), cap);
            assert_int_equal(strlen(textbuf_str(&t)), cap);
            assert_null(strchr(textbuf_str(&t), 'y'));
            assert_int_equal(textbuf_puts(&t, ""), GL_EBOUND); /* sticky */
            assert_int_equal(textbuf_status(&t), GL_EBOUND);
            assert_null(textbuf_take(&t));
            textbuf_reset(&t);
            assert_int_equal(textbuf_status(&t), GL_OK);
            assert_int_equal(textbuf_len(&t), 0);
            assert_int_equal(textbuf_puts(&t, "k"), GL_OK);
            assert_string_equal(textbuf_str(&t), "k");
            textbuf_free(&t);
        }
    }
}

/* An append that does not fit entirely is refused entirely. */
static void test_all_or_nothing(void **state)
{
    (void)state;
    textbuf t;
    textbuf_init(&t, 10);
    assert_int_equal(textbuf_puts(&t, "abcdef"), GL_OK);
    assert_int_equal(textbuf_puts(&t, "ghijk"), GL_EBOUND);
    assert_string_equal(textbuf_str(&t), "abcdef");
    textbuf_reset(&t);
    assert_int_equal(textbuf_puts(&t, "abcdef"), GL_OK);
    assert_int_equal(textbuf_json_str(&t, "ab"), GL_OK); /* 4 bytes: exactly the cap */
    assert_string_equal(textbuf_str(&t), "abcdef\"ab\"");
    textbuf_reset(&t);
    assert_int_equal(textbuf_puts(&t, "abcdef"), GL_OK);
    assert_int_equal(textbuf_json_str(&t, "a\""), GL_EBOUND); /* "a\"" is 6 */
    assert_string_equal(textbuf_str(&t), "abcdef");
    textbuf_reset(&t);
    assert_int_equal(textbuf_fail(&t, GL_ERANGE), GL_ERANGE); /* a value the caller could not render */
    assert_int_equal(textbuf_fail(&t, GL_EBOUND), GL_ERANGE); /* the first error stays */
    assert_int_equal(textbuf_puts(&t, "x"), GL_ERANGE);
    textbuf_free(&t);
    textbuf_free(NULL);
}

/* printf: short and long (past the stack scratch) output, and the cap. */
static void test_printf(void **state)
{
    (void)state;
    textbuf t;
    char want[1100];
    memset(want, 'z', 1000);
    want[1000] = '\0';
    textbuf_init(&t, 1010);
    assert_int_equal(textbuf_printf(&t, "%d-%s", 42, "x"), GL_OK);
    assert_int_equal(textbuf_printf(&t, "%s", want), GL_OK);
    assert_int_equal(textbuf_len(&t), 4 + 1000);
    assert_memory_equal(textbuf_str(&t), "42-x", 4);
    assert_string_equal(textbuf_str(&t) + 4, want);
    assert_int_equal(textbuf_printf(&t, "%s", "1234567"), GL_EBOUND);
    assert_int_equal(textbuf_len(&t), 1004);
    char *owned = NULL;
    textbuf_reset(&t);
    assert_int_equal(textbuf_printf(&t, "%s", want), GL_OK);
    owned = textbuf_take(&t);
    assert_non_null(owned);
    assert_string_equal(owned, want);
    free(owned);
    assert_int_equal(textbuf_len(&t), 0);
    textbuf_free(&t);
    char small[8];
    textbuf_init_fixed(&t, small, sizeof small);
    assert_int_equal(textbuf_printf(&t, "%s", want), GL_EBOUND);
    assert_string_equal(textbuf_str(&t), "");
    assert_null(textbuf_take(&t)); /* caller storage is never handed over */
}

/* JSON strings: the one escaping the gateway writes. */
static void test_json_escapes(void **state)
{
    (void)state;
    static const struct {
        const char *name, *in;
        size_t n;
        const char *out;
    } cases[] = {
#define J(name, lit, out) {name, lit, sizeof lit - 1, out}
        J("empty", "", "\"\""),
        J("plain", "M-0001", "\"M-0001\""),
        J("quote and backslash", "a\"b\\c", "\"a\\\"b\\\\c\""),
        J("newline, tab, CR", "l1\nl2\t\r", "\"l1\\u000al2\\u0009\\u000d\""),
        J("NUL in the middle", "a\0b", "\"a\\u0000b\""),
        J("0x1f and DEL", "\x1f\x7f", "\"\\u001f\x7f\""),
        J("slash as it is", "a/b", "\"a/b\""),
        J("CJK 台区", "\xe5\x8f\xb0\xe5\x8c\xba", "\"\xe5\x8f\xb0\xe5\x8c\xba\""),
        J("four bytes U+1F600", "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""),
        J("lone continuation", "a\x80z", "\"a\\ufffdz\""),
        J("overlong slash", "\xc0\xaf", "\"\\ufffd\\ufffd\""),
        J("surrogate", "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""),
        J("truncated at the end", "\xe5\x8f", "\"\\ufffd\\ufffd\""),
        J("above U+10FFFF", "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""),
        J("bad lead then ASCII", "\xff\"", "\"\\ufffd\\\"\""),
#undef J
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        textbuf t;
        textbuf_init(&t, 256);
        print_message("%s\n", cases[c].name);
        assert_int_equal(textbuf_json_strn(&t, cases[c].in, cases[c].n), GL_OK);
        assert_string_equal(textbuf_str(&t), cases[c].out);
        assert_int_equal(textbuf_json_len(cases[c].in, cases[c].n), strlen(cases[c].out));
        assert_true(utf8_valid((const uint8_t *)textbuf_str(&t), textbuf_len(&t)));
        if (memchr(cases[c].in, '\0', cases[c].n) == NULL) { /* the C-string form agrees */
            textbuf_reset(&t);
            assert_int_equal(textbuf_json_str(&t, cases[c].in), GL_OK);
            assert_string_equal(textbuf_str(&t), cases[c].out);
        }
        textbuf_free(&t);
    }
}

/* Bad set-ups are errors, not crashes. */
static void test_invalid(void **state)
{
    (void)state;
    textbuf t;
    textbuf_init(&t, 0);
    assert_int_equal(textbuf_puts(&t, "a"), GL_EINVAL);
    textbuf_free(&t);
    textbuf_init_fixed(&t, NULL, 0);
    assert_int_equal(textbuf_puts(&t, "a"), GL_EINVAL);
    assert_string_equal(textbuf_str(&t), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap_edges), cmocka_unit_test(test_all_or_nothing), cmocka_unit_test(test_printf),
        cmocka_unit_test(test_json_escapes), cmocka_unit_test(test_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
