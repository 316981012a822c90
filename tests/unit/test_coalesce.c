/* test_coalesce.c: request planning and bus-time arithmetic, as tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "coalesce.h"
#include "profile.h"

static void test_frame_times(void **state)
{
    (void)state;
    static const struct {
        int baud;
        int64_t char_us, silence_us;
    } cases[] = {
        {9600, 1146, 4010},   /* 11 bits / 9600 = 1.146 ms; 3.5 chars = 4.01 ms */
        {19200, 573, 2005},   /* still 3.5 characters at 19,200 */
        {38400, 286, 1750},   /* fixed 1.75 ms above 19,200 */
        {115200, 95, 1750},
        {0, 0, 0},            /* TCP */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(coalesce_char_us(cases[i].baud), cases[i].char_us);
        assert_int_equal(coalesce_silence_us(cases[i].baud), cases[i].silence_us);
    }
    /* one read of 2 registers at 9600: 8 + 9 bytes = 17 chars + 2 silences */
    coalesce_link l = {9600, 0};
    assert_int_equal(coalesce_request_us(&l, 2), (17 * 11 * 1000000LL + 4800) / 9600 + 2 * 4010);
}

struct plan_case {
    const char *what;
    int baud;
    int64_t per_request_us;
    int n;
    coalesce_span in[16];
    int nout;
    coalesce_span out[4];
};

static void test_plans(void **state)
{
    (void)state;
    static const struct plan_case cases[] = {
        {"adjacent registers become one request", 9600, 0, 3, {{4, 0, 2}, {4, 2, 2}, {4, 4, 2}}, 1, {{4, 0, 6}}},
        {"small gap bridged", 9600, 0, 2, {{4, 0, 2}, {4, 6, 2}}, 1, {{4, 0, 8}}},
        {"big gap split", 9600, 0, 2, {{4, 0x0000, 2}, {4, 0x0156, 2}}, 2, {{4, 0x0000, 2}, {4, 0x0156, 2}}},
        {"gap of 8 registers bridged at 9600 without turnaround", 9600, 0, 2, {{4, 0, 2}, {4, 10, 2}}, 1,
         {{4, 0, 12}}},
        {"gap of 30 registers split without turnaround", 9600, 0, 2, {{4, 0, 2}, {4, 32, 2}}, 2,
         {{4, 0, 2}, {4, 32, 2}}},
        {"same gap bridged when a request costs 50 ms turnaround", 9600, 50000, 2, {{4, 0, 2}, {4, 32, 2}}, 1,
         {{4, 0, 34}}},
        {"TCP: everything within 125 in one request", 0, 1000, 2, {{3, 0, 2}, {3, 120, 2}}, 1, {{3, 0, 122}}},
        {"never more than 125 registers", 0, 1000, 2, {{3, 0, 2}, {3, 124, 2}}, 2, {{3, 0, 2}, {3, 124, 2}}},
        {"function codes never mixed", 9600, 0, 2, {{3, 0, 2}, {4, 2, 2}}, 2, {{3, 0, 2}, {4, 2, 2}}},
        {"unsorted and overlapping input", 9600, 0, 3, {{4, 6, 2}, {4, 0, 4}, {4, 2, 2}}, 1, {{4, 0, 8}}},
        {"DTSU666: energy pair bridged, 60-register gap not worth reading", 9600, 20000, 4,
         {{3, 0x101E, 2}, {3, 0x1028, 2}, {3, 0x2006, 2}, {3, 0x2044, 2}}, 3,
         {{3, 0x101E, 12}, {3, 0x2006, 2}, {3, 0x2044, 2}}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct plan_case *c = &cases[i];
        coalesce_link l = {c->baud, c->per_request_us};
        coalesce_span out[16];
        int n = 0;
        int64_t us = 0;
        assert_int_equal(coalesce_plan(c->in, c->n, &l, out, 16, &n, &us), GL_OK);
        if (n != c->nout)
            fail_msg("%s: %d requests", c->what, n);
        for (int k = 0; k < n; k++)
            if (out[k].fn != c->out[k].fn || out[k].addr != c->out[k].addr || out[k].count != c->out[k].count)
                fail_msg("%s: request %d is fn %d %u+%u", c->what, k, out[k].fn, out[k].addr, out[k].count);
        /* the plan never costs more than one request per span, nor less than the limit */
        int64_t naive = 0;
        for (int k = 0; k < c->n; k++)
            naive += coalesce_request_us(&l, c->in[k].count);
        assert_true(us <= naive);
        assert_true(us >= coalesce_limit_us(c->in, c->n, &l));
    }
}

/* DOMAIN.md: 13 single reads took 3.7 s against 0.49 s for one 44-register
 * block. 13 float quantities spread over 44 registers: one request, and the
 * bus time of 13 separate requests is ~10x the block's at 9600 baud with a
 * 250 ms per-request cost (turnaround + delay of that setup). */
static void test_thirteen_reads_vs_one_block(void **state)
{
    (void)state;
    coalesce_span in[13];
    static const uint16_t addr[13] = {0, 2, 4, 6, 8, 10, 12, 14, 16, 30, 36, 40, 42};
    for (int i = 0; i < 13; i++)
        in[i] = (coalesce_span){4, addr[i], 2};
    coalesce_link l = {9600, 250000};
    coalesce_span out[13];
    int n = 0;
    int64_t block_us = 0, singles_us = 0;
    assert_int_equal(coalesce_plan(in, 13, &l, out, 13, &n, &block_us), GL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].addr, 0);
    assert_int_equal(out[0].count, 44);
    for (int i = 0; i < 13; i++)
        singles_us += coalesce_request_us(&l, 2);
    assert_true(singles_us > 3500000 && singles_us < 3800000); /* ~3.6 s */
    assert_true(block_us > 350000 && block_us < 500000);      /* ~0.37 s */
    assert_true(singles_us > 7 * block_us);
}

static void test_bounds(void **state)
{
    (void)state;
    coalesce_span in[COALESCE_MAX_SPANS + 1], out[4];
    coalesce_link l = {9600, 0};
    int n;
    for (int i = 0; i <= COALESCE_MAX_SPANS; i++)
        in[i] = (coalesce_span){3, (uint16_t)(i * 200), 2};
    assert_int_equal(coalesce_plan(in, COALESCE_MAX_SPANS + 1, &l, out, 4, &n, NULL), GL_EBOUND);
    assert_int_equal(coalesce_plan(in, 5, &l, out, 4, &n, NULL), GL_EBOUND); /* 5 requests, room for 4 */
    in[0].count = 126;
    assert_int_equal(coalesce_plan(in, 1, &l, out, 4, &n, NULL), GL_EBOUND);
    in[0].count = 0;
    assert_int_equal(coalesce_plan(in, 1, &l, out, 4, &n, NULL), GL_EINVAL);
}

/* Each built-in profile is read in at most 4 requests at 9600 baud. */
static void test_builtin_profiles_plan(void **state)
{
    (void)state;
    for (int i = 0; i < profile_builtin_count(); i++) {
        const profile *p = profile_builtin_at(i);
        coalesce_span in[PROFILE_Q_COUNT], out[PROFILE_Q_COUNT];
        int m = 0, n = 0;
        for (int q = 0; q < PROFILE_Q_COUNT; q++)
            if (p->q[q].present)
                in[m++] = (coalesce_span){(uint8_t)p->q[q].fn, p->q[q].addr,
                                          (uint16_t)profile_type_words(p->q[q].type)};
        coalesce_link l = {9600, 20000};
        assert_int_equal(coalesce_plan(in, m, &l, out, PROFILE_Q_COUNT, &n, NULL), GL_OK);
        if (n > 4)
            fail_msg("%s: %d requests", p->name, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_times),
        cmocka_unit_test(test_plans),
        cmocka_unit_test(test_thirteen_reads_vs_one_block),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_builtin_profiles_plan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
