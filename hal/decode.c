/* decode.c: see decode.h. */
#include "decode.h"

#include <math.h>
#include <string.h>

#include "gridledger/money.h"

/* The value's big-endian bytes b[0..2n) <-> the registers, per word order:
 * CDAB and DCBA reverse the word sequence, BADC and DCBA swap the bytes of
 * each word. */
static int words_reversed(profile_order o)
{
    return o == PROFILE_WO_CDAB || o == PROFILE_WO_DCBA;
}

static int bytes_swapped(profile_order o)
{
    return o == PROFILE_WO_BADC || o == PROFILE_WO_DCBA;
}

uint64_t decode_bits(const profile_reg *r, const uint16_t *regs)
{
    int n = profile_type_words(r->type);
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        uint16_t w = regs[words_reversed(r->order) ? n - 1 - i : i];
        if (bytes_swapped(r->order))
            w = (uint16_t)((w >> 8) | (w << 8));
        v = (v << 16) | w;
    }
    return v;
}

/* raw x scale_micro x unit_mult / 10^6, rounded half away from zero, with
 * the 128-bit intermediate of money.c (32-bit ARM has no __int128). */
static gl_status scale_int(int64_t raw, const profile_reg *r, int64_t *out)
{
    int64_t m;
    if (__builtin_mul_overflow(r->scale_micro, r->unit_mult, &m))
        return GL_EOVERFLOW;
    return money_mul_round(raw, m, 6, MONEY_HALF_UP, out);
}

static gl_status scale_float(double raw, const profile_reg *r, int64_t *out)
{
    if (!isfinite(raw))
        return GL_ERANGE;
    double x = raw * (double)(r->scale_micro * r->unit_mult) / 1e6;
    if (!isfinite(x) || fabs(x) >= 9.2e18)
        return GL_EOVERFLOW;
    *out = llround(x);
    return GL_OK;
}

gl_status decode_value(const profile_reg *r, const uint16_t *regs, int64_t *out)
{
    if (r == NULL || regs == NULL || out == NULL || !r->present)
        return GL_EINVAL;
    uint64_t b = decode_bits(r, regs);
    switch (r->type) {
    case PROFILE_T_INT16:
        return scale_int((int16_t)(uint16_t)b, r, out);
    case PROFILE_T_UINT16:
        return scale_int((uint16_t)b, r, out);
    case PROFILE_T_INT32:
        return scale_int((int32_t)(uint32_t)b, r, out);
    case PROFILE_T_UINT32:
        return scale_int((uint32_t)b, r, out);
    case PROFILE_T_INT64:
        return scale_int((int64_t)b, r, out);
    case PROFILE_T_FLOAT32: {
        uint32_t u = (uint32_t)b;
        float f;
        memcpy(&f, &u, sizeof f);
        return scale_float(f, r, out);
    }
    case PROFILE_T_FLOAT64: {
        double d;
        memcpy(&d, &b, sizeof d);
        return scale_float(d, r, out);
    }
    default:
        return GL_EINVAL;
    }
}

gl_status decode_block(const profile_reg *r, int fn, uint16_t start, uint16_t count, const uint16_t *block,
                       int64_t *out)
{
    if (r == NULL || !r->present || r->fn != fn || r->addr < start ||
        (long)r->addr + profile_type_words(r->type) > (long)start + count)
        return GL_ENOTFOUND;
    return decode_value(r, block + (r->addr - start), out);
}

static int64_t clamp_round(double x, double lo, double hi)
{
    if (!(x >= lo)) /* also NaN */
        return (int64_t)lo;
    if (x > hi)
        return (int64_t)hi;
    return llround(x);
}

void decode_encode(const profile_reg *r, double value, uint16_t *regs)
{
    int n = profile_type_words(r->type);
    double raw = value * 1e6 / (double)(r->scale_micro * r->unit_mult);
    uint64_t b = 0;
    switch (r->type) {
    case PROFILE_T_INT16:
        b = (uint16_t)clamp_round(raw, INT16_MIN, INT16_MAX);
        break;
    case PROFILE_T_UINT16:
        b = (uint16_t)clamp_round(raw, 0, UINT16_MAX);
        break;
    case PROFILE_T_INT32:
        b = (uint32_t)clamp_round(raw, INT32_MIN, INT32_MAX);
        break;
    case PROFILE_T_UINT32:
        b = (uint32_t)clamp_round(raw, 0, UINT32_MAX);
        break;
    case PROFILE_T_INT64:
        b = (uint64_t)clamp_round(raw, -9.2e18, 9.2e18);
        break;
    case PROFILE_T_FLOAT32: {
        float f = (float)raw;
        uint32_t u;
        memcpy(&u, &f, sizeof u);
        b = u;
        break;
    }
    default: {
        memcpy(&b, &raw, sizeof b);
        break;
    }
    }
    for (int i = n - 1; i >= 0; i--) {
        uint16_t w = (uint16_t)(b & 0xFFFF);
        b >>= 16;
        if (bytes_swapped(r->order))
            w = (uint16_t)((w >> 8) | (w << 8));
        regs[words_reversed(r->order) ? n - 1 - i : i] = w;
    }
}
