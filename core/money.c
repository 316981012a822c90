/* money.c: exact decimal arithmetic on scaled int64_t (see money.h). */
#include "gridledger/money.h"

#include <string.h>

static const int64_t pow10_table[MONEY_SCALE_MAX + 1] = {
    1LL,
    10LL,
    100LL,
    1000LL,
    10000LL,
    100000LL,
    1000000LL,
    10000000LL,
    100000000LL,
    1000000000LL,
    10000000000LL,
    100000000000LL,
    1000000000000LL,
    10000000000000LL,
    100000000000000LL,
    1000000000000000LL,
    10000000000000000LL,
    100000000000000000LL,
    1000000000000000000LL,
};

int64_t money_pow10(int n)
{
    if (n < 0 || n > MONEY_SCALE_MAX)
        return 0;
    return pow10_table[n];
}

gl_status money_add(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return GL_EOVERFLOW;
    *out = r;
    return GL_OK;
}

gl_status money_sub(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return GL_EOVERFLOW;
    *out = r;
    return GL_OK;
}

/* Decide whether |q| must grow by one given the remainder r of a division by
 * d (both taken as magnitudes: 0 <= r < d) and the rounding mode. */
static int round_up_magnitude(uint64_t q, uint64_t r, uint64_t d, money_rounding mode)
{
    if (r == 0)
        return 0;
    switch (mode) {
    case MONEY_DOWN:
        return 0;
    case MONEY_UP:
        return 1;
    case MONEY_HALF_EVEN:
        if (r > d - r)
            return 1;
        if (r == d - r)
            return (int)(q & 1u);
        return 0;
    case MONEY_HALF_UP:
    default:
        return r >= d - r;
    }
}

/* Unsigned 128-bit value as two halves; portable to 32-bit targets, which
 * have no __int128. */
typedef struct {
    uint64_t hi, lo;
} u128;

static u128 mul_u64(uint64_t a, uint64_t b)
{
    uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32;
    uint64_t b_lo = b & 0xffffffffu, b_hi = b >> 32;
    uint64_t p0 = a_lo * b_lo, p1 = a_lo * b_hi, p2 = a_hi * b_lo, p3 = a_hi * b_hi;
    uint64_t mid = (p0 >> 32) + (p1 & 0xffffffffu) + (p2 & 0xffffffffu);
    u128 r;
    r.lo = (p0 & 0xffffffffu) | (mid << 32);
    r.hi = p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
    return r;
}

/* Divide the 128-bit n by d (d > 0): quotient must fit 64 bits, else returns
 * GL_EOVERFLOW. Long division bit by bit: short, exact, fast enough here. */
static gl_status div_u128(u128 n, uint64_t d, uint64_t *q, uint64_t *r)
{
    if (n.hi >= d)
        return GL_EOVERFLOW;
    if (n.hi == 0) { /* the common case: native division */
        *q = n.lo / d;
        *r = n.lo % d;
        return GL_OK;
    }
    uint64_t rem = n.hi, quo = 0;
    for (int i = 63; i >= 0; i--) {
        uint64_t carry = rem >> 63;
        rem = (rem << 1) | ((n.lo >> i) & 1u);
        quo <<= 1;
        if (carry || rem >= d) {
            rem -= d;
            quo |= 1u;
        }
    }
    *q = quo;
    *r = rem;
    return GL_OK;
}

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* Apply sign to a magnitude, checking that it fits int64_t. */
static gl_status signed_result(uint64_t mag, int negative, int64_t *out)
{
    if (negative) {
        if (mag > (uint64_t)INT64_MAX + 1u)
            return GL_EOVERFLOW;
        *out = mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)INT64_MAX)
            return GL_EOVERFLOW;
        *out = (int64_t)mag;
    }
    return GL_OK;
}

gl_status money_muldiv_round(int64_t a, int64_t b, int64_t den, money_rounding mode, int64_t *out)
{
    if (den == 0 || out == NULL)
        return GL_EINVAL;
    int negative = ((a < 0) ^ (b < 0) ^ (den < 0)) && a != 0 && b != 0;
    uint64_t d = magnitude(den), q, r;
    gl_status st = div_u128(mul_u64(magnitude(a), magnitude(b)), d, &q, &r);
    if (st != GL_OK)
        return st;
    if (round_up_magnitude(q, r, d, mode)) {
        if (q == UINT64_MAX)
            return GL_EOVERFLOW;
        q++;
    }
    return signed_result(q, negative, out);
}

gl_status money_div_round(int64_t num, int64_t den, money_rounding mode, int64_t *out)
{
    return money_muldiv_round(num, 1, den, mode, out);
}

gl_status money_mul_round(int64_t a, int64_t b, int shift, money_rounding mode, int64_t *out)
{
    if (shift < 0 || shift > MONEY_SCALE_MAX)
        return GL_EINVAL;
    return money_muldiv_round(a, b, pow10_table[shift], mode, out);
}

gl_status money_rescale(int64_t v, int from, int to, money_rounding mode, int64_t *out)
{
    if (from < 0 || to < 0 || from > MONEY_SCALE_MAX || to > MONEY_SCALE_MAX || out == NULL)
        return GL_EINVAL;
    if (to >= from)
        return money_muldiv_round(v, pow10_table[to - from], 1, mode, out);
    return money_muldiv_round(v, 1, pow10_table[from - to], mode, out);
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Shared parser: integer digits, optional fraction; extra decimals beyond
 * scale are rounded with mode, or refused when strict. */
static gl_status parse_decimal(const char *s, size_t len, int scale, int strict, money_rounding mode,
                               int64_t *out)
{
    if (s == NULL || out == NULL || scale < 0 || scale > MONEY_SCALE_MAX)
        return GL_EINVAL;
    size_t i = 0;
    int negative = 0;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        negative = s[i++] == '-';
    size_t int_start = i;
    uint64_t mag = 0;
    for (; i < len && is_digit(s[i]); i++) {
        if (mag > (UINT64_MAX - 9) / 10)
            return GL_EOVERFLOW;
        mag = mag * 10 + (uint64_t)(s[i] - '0');
    }
    if (i == int_start)
        return GL_ESYNTAX;
    int frac_digits = 0, round_digit = -1, sticky = 0;
    if (i < len && s[i] == '.') {
        i++;
        size_t frac_start = i;
        for (; i < len && is_digit(s[i]); i++) {
            int dg = s[i] - '0';
            if (frac_digits < scale) {
                if (mag > (UINT64_MAX - 9) / 10)
                    return GL_EOVERFLOW;
                mag = mag * 10 + (uint64_t)dg;
                frac_digits++;
            } else if (round_digit < 0) {
                round_digit = dg;
            } else if (dg != 0) {
                sticky = 1;
            }
        }
        if (i == frac_start)
            return GL_ESYNTAX;
    }
    if (i != len)
        return GL_ESYNTAX;
    if (strict && (round_digit > 0 || sticky))
        return GL_ERANGE;
    for (; frac_digits < scale; frac_digits++) {
        if (mag > UINT64_MAX / 10)
            return GL_EOVERFLOW;
        mag *= 10;
    }
    if (round_digit > 0 || sticky) {
        /* remainder as a fraction of 10: r/10 with sticky bits above a tie */
        uint64_t r = (uint64_t)(round_digit < 0 ? 0 : round_digit) * 2 + (uint64_t)sticky;
        if (round_up_magnitude(mag, r, 20, mode))
            mag++;
    }
    return signed_result(mag, negative, out);
}

gl_status money_parse_n(const char *s, size_t len, int scale, int64_t *out)
{
    return parse_decimal(s, len, scale, 1, MONEY_HALF_UP, out);
}

gl_status money_parse(const char *s, int scale, int64_t *out)
{
    if (s == NULL)
        return GL_EINVAL;
    return parse_decimal(s, strlen(s), scale, 1, MONEY_HALF_UP, out);
}

gl_status money_parse_round(const char *s, int scale, money_rounding mode, int64_t *out)
{
    if (s == NULL)
        return GL_EINVAL;
    return parse_decimal(s, strlen(s), scale, 0, mode, out);
}

gl_status money_format(int64_t v, int scale, char *buf, size_t cap)
{
    if (buf == NULL || scale < 0 || scale > MONEY_SCALE_MAX)
        return GL_EINVAL;
    char tmp[MONEY_FMT_MAX + MONEY_SCALE_MAX];
    size_t n = 0;
    uint64_t mag = magnitude(v);
    int digits = 0;
    do {
        if (digits == scale && scale > 0)
            tmp[n++] = '.';
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
        digits++;
    } while (mag > 0 || digits <= scale);
    if (v < 0)
        tmp[n++] = '-';
    if (n + 1 > cap)
        return GL_EBOUND;
    for (size_t k = 0; k < n; k++)
        buf[k] = tmp[n - 1 - k];
    buf[n] = '\0';
    return GL_OK;
}

gl_status money_format_trim(int64_t v, int scale, int min_decimals, char *buf, size_t cap)
{
    gl_status st = money_format(v, scale, buf, cap);
    if (st != GL_OK || scale == 0)
        return st;
    size_t n = strlen(buf);
    size_t point = n - (size_t)scale - 1;
    size_t keep = point + 1 + (size_t)(min_decimals < 0 ? 0 : min_decimals);
    while (n > keep && buf[n - 1] == '0')
        n--;
    if (n == point + 1)
        n = point;
    buf[n] = '\0';
    return GL_OK;
}

gl_status money_rounding_parse(const char *s, money_rounding *out)
{
    static const char *const names[] = {"half_up", "half_even", "down", "up"};
    for (int i = 0; s != NULL && i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (money_rounding)i;
            return GL_OK;
        }
    }
    return GL_ESYNTAX;
}

const char *money_rounding_name(money_rounding mode)
{
    switch (mode) {
    case MONEY_HALF_EVEN:
        return "half_even";
    case MONEY_DOWN:
        return "down";
    case MONEY_UP:
        return "up";
    case MONEY_HALF_UP:
    default:
        return "half_up";
    }
}
