/* test_decode.c: word orders, types, scaling and rounding of register decoding, as tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"

#define ONE PROFILE_SCALE_ONE

struct bits_case {
    profile_type type;
    profile_order order;
    uint16_t regs[4];
    uint64_t bits;
};

static void test_word_orders(void **state)
{
    (void)state;
    static const struct bits_case cases[] = {
        {PROFILE_T_UINT16, PROFILE_WO_ABCD, {0x1122}, 0x1122},
        {PROFILE_T_UINT16, PROFILE_WO_CDAB, {0x1122}, 0x1122},
        {PROFILE_T_UINT16, PROFILE_WO_BADC, {0x1122}, 0x2211},
        {PROFILE_T_UINT16, PROFILE_WO_DCBA, {0x1122}, 0x2211},
        {PROFILE_T_UINT32, PROFILE_WO_ABCD, {0x1122, 0x3344}, 0x11223344},
        {PROFILE_T_UINT32, PROFILE_WO_CDAB, {0x3344, 0x1122}, 0x11223344},
        {PROFILE_T_UINT32, PROFILE_WO_BADC, {0x2211, 0x4433}, 0x11223344},
        {PROFILE_T_UINT32, PROFILE_WO_DCBA, {0x4433, 0x2211}, 0x11223344},
        {PROFILE_T_INT64, PROFILE_WO_ABCD, {0x1122, 0x3344, 0x5566, 0x7788}, 0x1122334455667788ULL},
        {PROFILE_T_INT64, PROFILE_WO_CDAB, {0x7788, 0x5566, 0x3344, 0x1122}, 0x1122334455667788ULL},
        {PROFILE_T_INT64, PROFILE_WO_BADC, {0x2211, 0x4433, 0x6655, 0x8877}, 0x1122334455667788ULL},
        {PROFILE_T_INT64, PROFILE_WO_DCBA, {0x8877, 0x6655, 0x4433, 0x2211}, 0x1122334455667788ULL},
        {PROFILE_T_FLOAT32, PROFILE_WO_ABCD, {0x4640, 0xe6b6}, 0x4640e6b6}, /* 12345.678f */
        {PROFILE_T_FLOAT32, PROFILE_WO_CDAB, {0xe6b6, 0x4640}, 0x4640e6b6}, /* what modbus_get_float() reads */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        profile_reg r = {1, 3, 0, cases[i].type, cases[i].order, ONE, 1, "W"};
        uint16_t back[4] = {0};
        assert_int_equal(decode_bits(&r, cases[i].regs), cases[i].bits);
        /* encode is the inverse for integers */
        if (cases[i].type != PROFILE_T_FLOAT32) {
            int64_t v = 0;
            assert_int_equal(decode_value(&r, cases[i].regs, &v), GL_OK);
            decode_encode(&r, (double)v, back);
            if (cases[i].type != PROFILE_T_INT64) /* 64-bit does not survive a double */
                assert_memory_equal(back, cases[i].regs, sizeof(uint16_t) * (size_t)profile_type_words(r.type));
        }
    }
}

struct value_case {
    const char *what;
    profile_type type;
    profile_order order;
    int64_t scale_micro, unit_mult;
    uint16_t regs[4];
    gl_status st;
    int64_t value;
    int differ; /* 1: the result must NOT be value */
};

static void test_values(void **state)
{
    (void)state;
    static const struct value_case cases[] = {
        {"SDM import 12345.678 kWh -> Wh", PROFILE_T_FLOAT32, PROFILE_WO_ABCD, ONE, 1000, {0x4640, 0xe6b6}, GL_OK,
         12345678, 0},
        {"same, word-swapped meter", PROFILE_T_FLOAT32, PROFILE_WO_CDAB, ONE, 1000, {0xe6b6, 0x4640}, GL_OK,
         12345678, 0},
        {"wrong order gives garbage, not the value", PROFILE_T_FLOAT32, PROFILE_WO_CDAB, ONE, 1000,
         {0x4640, 0xe6b6}, GL_EOVERFLOW, 0, 0},
        {"voltage 230.1 V -> dV", PROFILE_T_FLOAT32, PROFILE_WO_ABCD, ONE, 10, {0x4366, 0x199a}, GL_OK, 2301, 0},
        {"pf 0.98 -> milli", PROFILE_T_FLOAT32, PROFILE_WO_ABCD, ONE, 1000, {0x3f7a, 0xe148}, GL_OK, 980, 0},
        {"half rounds away from zero", PROFILE_T_FLOAT32, PROFILE_WO_ABCD, ONE, 1, {0x3f00, 0x0000}, GL_OK, 1, 0},
        {"-1.5 rounds away from zero", PROFILE_T_FLOAT32, PROFILE_WO_ABCD, ONE, 1, {0xbfc0, 0x0000}, GL_OK, -2, 0},
        {"DDSU power 1.25e6 kW -> W", PROFILE_T_FLOAT32, PROFILE_WO_ABCD, ONE, 1000, {0x4998, 0x9680}, GL_OK,
         1250000000, 0},
        {"DTSU voltage raw 0.1 V", PROFILE_T_FLOAT32, PROFILE_WO_ABCD, 100000, 10, {0x4366, 0x199a}, GL_OK, 230, 0},
        {"NaN refused", PROFILE_T_FLOAT32, PROFILE_WO_ABCD, ONE, 1000, {0x7fc0, 0x0000}, GL_ERANGE, 0, 0},
        {"inf refused", PROFILE_T_FLOAT32, PROFILE_WO_ABCD, ONE, 1000, {0x7f80, 0x0000}, GL_ERANGE, 0, 0},
        {"float64 12345.678 kWh", PROFILE_T_FLOAT64, PROFILE_WO_ABCD, ONE, 1000, {0x40c8, 0x1cd6, 0xc8b4, 0x3958},
         GL_OK, 12345678, 0},
        {"float overflow", PROFILE_T_FLOAT64, PROFILE_WO_ABCD, ONE, 1000000, {0x7fef, 0xffff, 0xffff, 0xffff},
         GL_EOVERFLOW, 0, 0},
        {"uint32 0.01 kWh", PROFILE_T_UINT32, PROFILE_WO_ABCD, 10000, 1000, {0x0001, 0xe240}, GL_OK, 1234560, 0},
        {"int16 -1 x 0.001 pf", PROFILE_T_INT16, PROFILE_WO_ABCD, 1000, 1000, {0xffff}, GL_OK, -1, 0},
        {"int32 negative power", PROFILE_T_INT32, PROFILE_WO_ABCD, ONE, 1, {0xffff, 0xfc18}, GL_OK, -1000, 0},
        {"uint16 0.05 rounds half up", PROFILE_T_UINT16, PROFILE_WO_ABCD, 50000, 1, {0x0001}, GL_OK, 0, 0},
        {"uint16 x 0.5 rounds 0.5 up", PROFILE_T_UINT16, PROFILE_WO_ABCD, 500000, 1, {0x0001}, GL_OK, 1, 0},
        {"int16 -1 x 0.5 rounds away", PROFILE_T_INT16, PROFILE_WO_ABCD, 500000, 1, {0xffff}, GL_OK, -1, 0},
        {"int64 overflow after scaling", PROFILE_T_INT64, PROFILE_WO_ABCD, ONE, 1000000,
         {0x7fff, 0xffff, 0xffff, 0xffff}, GL_EOVERFLOW, 0, 0},
        {"negative scale (reversed direction)", PROFILE_T_INT32, PROFILE_WO_ABCD, -ONE, 1, {0x0000, 0x03e8}, GL_OK,
         -1000, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct value_case *c = &cases[i];
        profile_reg r = {1, 4, 0, c->type, c->order, c->scale_micro, c->unit_mult, "x"};
        int64_t v = 0;
        gl_status st = decode_value(&r, c->regs, &v);
        if (st != c->st || (st == GL_OK && (v == c->value) == c->differ))
            fail_msg("%s: got %s %lld", c->what, gl_status_name(st), (long long)v);
    }
}

static void test_block(void **state)
{
    (void)state;
    /* an SDM120 import register inside a block read from 0x0046 */
    const profile *p = profile_builtin("SDM120");
    uint16_t block[6] = {0x4248, 0x0000, 0x4640, 0xe6b6, 0, 0};
    int64_t v = 0;
    assert_int_equal(decode_block(&p->q[PROFILE_Q_IMPORT], 4, 0x0046, 6, block, &v), GL_OK);
    assert_int_equal(v, 12345678);
    assert_int_equal(decode_block(&p->q[PROFILE_Q_FREQ], 4, 0x0046, 6, block, &v), GL_OK);
    assert_int_equal(v, 5000);
    assert_int_equal(decode_block(&p->q[PROFILE_Q_IMPORT], 3, 0x0046, 6, block, &v), GL_ENOTFOUND);
    assert_int_equal(decode_block(&p->q[PROFILE_Q_IMPORT], 4, 0x0046, 3, block, &v), GL_ENOTFOUND);
    assert_int_equal(decode_block(&p->q[PROFILE_Q_VOLTAGE_L1], 4, 0x0046, 6, block, &v), GL_ENOTFOUND);
}

static void test_encode_roundtrip_builtin(void **state)
{
    (void)state;
    /* every quantity of every built-in profile survives encode then decode */
    static const double values[PROFILE_Q_COUNT] = {12345678, 2345, 345678, 9000, 2301, 2299, 2310,
                                                   5123,     4000, 3000,   1234, 980,  5001};
    for (int i = 0; i < profile_builtin_count(); i++) {
        const profile *p = profile_builtin_at(i);
        for (int q = 0; q < PROFILE_Q_COUNT; q++) {
            uint16_t regs[4];
            int64_t v = 0;
            if (!p->q[q].present)
                continue;
            decode_encode(&p->q[q], values[q], regs);
            assert_int_equal(decode_value(&p->q[q], regs, &v), GL_OK);
            /* float32 keeps 24 bits: within one part in 2^23, or the integer scale's step */
            int64_t d = v - (int64_t)values[q];
            int64_t tol = (int64_t)values[q] / (1 << 23) + 1;
            if (p->q[q].type != PROFILE_T_FLOAT32)
                tol = p->q[q].scale_micro * p->q[q].unit_mult / 2000000; /* half the integer step */
            if (d > tol || d < -tol)
                fail_msg("%s %s: %lld for %.0f", p->name, profile_q_name((profile_q)q), (long long)v, values[q]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_word_orders),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_block),
        cmocka_unit_test(test_encode_roundtrip_builtin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
