/* test_fileio.c: fileio_read's bound, for files whose size stat knows and
 * for files it does not (/proc: st_size 0, read in growing steps). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fileio.h"
#include "tmpdir.h"

static int setup(void **state)
{
    (void)state;
    return tmpdir_make("fileio");
}

struct bound_case {
    size_t size, max;
    gl_status want;
};

static void test_bound_table(void **state)
{
    (void)state;
    const struct bound_case cases[] = {
        {0, 10, GL_OK},          {10, 10, GL_OK},         {11, 10, GL_EBOUND},   {1, 0, GL_EBOUND},
        {0, 0, GL_OK},           {5000, 4096, GL_EBOUND}, {5000, 1 << 24, GL_OK}, {70000, 69999, GL_EBOUND},
        {70000, 70000, GL_OK},
    };
    char path[160];
    snprintf(path, sizeof path, "%s/f.txt", dir);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        for (size_t i = 0; i < cases[c].size; i++)
            fputc('a' + (int)(i % 26), f);
        fclose(f);
        char *buf = NULL;
        size_t len = 99;
        gl_status st = fileio_read(path, cases[c].max, &buf, &len);
        assert_int_equal(st, cases[c].want);
        if (st != GL_OK) {
            assert_null(buf);
            assert_int_equal(len, 0);
            continue;
        }
        assert_int_equal(len, cases[c].size);
        assert_int_equal(buf[len], '\0');
        for (size_t i = 0; i < len; i++)
            assert_int_equal(buf[i], 'a' + (int)(i % 26));
        free(buf);
    }
}

static void test_size_unknown_to_stat(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(fileio_read("/proc/self/status", 1 << 20, &buf, &len), GL_OK);
    assert_true(len > 100); /* read past the 0 bytes stat says, doubling */
    assert_int_equal(strlen(buf), len);
    assert_non_null(strstr(buf, "VmRSS"));
    free(buf);
    assert_int_equal(fileio_read("/proc/self/status", 16, &buf, &len), GL_EBOUND);
    assert_null(buf);
    assert_int_equal(fileio_read("/nonexistent/x", 16, &buf, &len), GL_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bound_table),
        cmocka_unit_test(test_size_unknown_to_stat),
    };
    return cmocka_run_group_tests(tests, setup, tmpdir_teardown);
}
