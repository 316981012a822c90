/* test_capstream.c: a stdio stream over a textbuf: what the printers write
 * arrives whole when it fits (across many stdio flushes), and a write past
 * the cap is GL_EBOUND at close, never a longer text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capstream.h"

/* rows: n lines "row N\n" through f; their total length. */
static size_t rows(FILE *f, int n)
{
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        char line[32];
        int k = snprintf(line, sizeof line, "row %d\n", i);
        fputs(line, f);
        len += (size_t)k;
    }
    return len;
}

static void test_fits_and_cap(void **state)
{
    (void)state;
    static const int counts[] = {0, 1, 10, 20000}; /* 20000 rows: many stdio buffers */
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        textbuf t, u;
        textbuf_init(&t, 1u << 20);
        FILE *f = capstream_open(&t);
        assert_non_null(f);
        size_t len = rows(f, counts[c]);
        assert_int_equal(capstream_close(f, &t), GL_OK);
        assert_int_equal(textbuf_len(&t), len);
        if (counts[c] > 0)
            assert_memory_equal(textbuf_str(&t), "row 0\n", 6);
        for (size_t cap = len > 0 ? len - 1 : 0; cap <= len + 1 && len > 0; cap++) {
            textbuf_init(&u, cap);
            FILE *g = capstream_open(&u);
            rows(g, counts[c]);
            assert_int_equal(capstream_close(g, &u), cap >= len ? GL_OK : GL_EBOUND);
            if (cap >= len)
                assert_memory_equal(textbuf_str(&u), textbuf_str(&t), len);
            assert_true(textbuf_len(&u) <= cap);
            textbuf_free(&u);
        }
        textbuf_free(&t);
    }
    textbuf t;
    textbuf_init(&t, 16);
    assert_int_equal(capstream_close(NULL, &t), GL_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_fits_and_cap)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
