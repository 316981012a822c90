/* money.h: exact decimal quantities as scaled 64-bit integers.
 *
 * A quantity is an int64_t counted in units of 10^-scale: an amount in fen is
 * scale 2 (MONEY_SCALE_FEN), a price in micro-yuan per kWh is scale 6
 * (MONEY_SCALE_PRICE), energy in Wh is kWh at scale 3 (MONEY_SCALE_WH).
 * Nothing here touches a binary float; every operation checks for overflow
 * and returns GL_EOVERFLOW instead of wrapping. Pure: no I/O, no allocation. */
#ifndef GRIDLEDGER_MONEY_H
#define GRIDLEDGER_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/status.h"

#define MONEY_SCALE_FEN 2   /* amounts: 1 = 0.01 yuan */
#define MONEY_SCALE_PRICE 6 /* prices: 1 = 0.000001 yuan per unit */
#define MONEY_SCALE_WH 3    /* energy: 1 = 0.001 kWh = 1 Wh */
#define MONEY_SCALE_MAX 18  /* 10^18 still fits in int64_t */

/* Longest text money_format can write, with sign, point and NUL. */
#define MONEY_FMT_MAX 24

typedef enum money_rounding {
    MONEY_HALF_UP = 0, /* 四舍五入: a tie goes away from zero (2.5 -> 3, -2.5 -> -3) */
    MONEY_HALF_EVEN,   /* banker's: a tie goes to the even neighbour (2.5 -> 2, 3.5 -> 4) */
    MONEY_DOWN,        /* toward zero (truncate) */
    MONEY_UP,          /* away from zero */
} money_rounding;

/* money_parse: reads the decimal string s ("-12.5", "0.4883", "+3") into
 * units of 10^-scale. Digits after the point beyond `scale` are accepted only
 * if they are zeros. Rejects empty text, spaces, exponents, "1." and ".5".
 * Returns GL_ESYNTAX, GL_ERANGE (too many significant decimals) or
 * GL_EOVERFLOW; *out is written only on success. */
gl_status money_parse(const char *s, int scale, int64_t *out);

/* money_parse_n: as money_parse, for the first len bytes of s. */
gl_status money_parse_n(const char *s, size_t len, int scale, int64_t *out);

/* money_parse_round: as money_parse, but extra decimals are rounded with mode
 * instead of refused. */
gl_status money_parse_round(const char *s, int scale, money_rounding mode, int64_t *out);

/* money_format: writes v (units of 10^-scale) as a decimal string with exactly
 * `scale` decimals ("-0.05"). Returns GL_EBOUND if cap is too small. */
gl_status money_format(int64_t v, int scale, char *buf, size_t cap);

/* money_format_trim: as money_format, with trailing fractional zeros (and a
 * bare point) removed, but at least min_decimals kept: 0.488300 -> "0.4883". */
gl_status money_format_trim(int64_t v, int scale, int min_decimals, char *buf, size_t cap);

/* money_div_round: *out = num / den rounded with mode. den must not be 0. */
gl_status money_div_round(int64_t num, int64_t den, money_rounding mode, int64_t *out);

/* money_mul_round: *out = a * b / 10^shift, rounded with mode. For an amount
 * in fen from energy in Wh and a price in micro-yuan: shift = 3 + 6 - 2 = 7. */
gl_status money_mul_round(int64_t a, int64_t b, int shift, money_rounding mode, int64_t *out);

/* money_muldiv_round: *out = a * b / den, rounded with mode (proration). */
gl_status money_muldiv_round(int64_t a, int64_t b, int64_t den, money_rounding mode, int64_t *out);

/* money_rescale: converts v from scale `from` to scale `to`, rounding with
 * mode when precision is lost. */
gl_status money_rescale(int64_t v, int from, int to, money_rounding mode, int64_t *out);

/* money_add / money_sub: checked addition and subtraction. */
gl_status money_add(int64_t a, int64_t b, int64_t *out);
gl_status money_sub(int64_t a, int64_t b, int64_t *out);

/* money_pow10: 10^n for 0 <= n <= MONEY_SCALE_MAX, else 0. */
int64_t money_pow10(int n);

/* money_rounding_parse: "half_up" | "half_even" | "down" | "up". */
gl_status money_rounding_parse(const char *s, money_rounding *out);

/* money_rounding_name: the text form of mode. */
const char *money_rounding_name(money_rounding mode);

#endif
