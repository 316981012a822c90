/* decode.h: pure Modbus register decoding (no I/O).
 *
 * A value of a profile_reg is taken from its registers in the register's
 * word order, converted from its type and scaled to the reading's integer
 * unit. Floats are rounded half away from zero after scaling (llround);
 * NaN and infinities are refused (GL_ERANGE), results outside int64
 * (GL_EOVERFLOW). Integers are scaled exactly (128-bit intermediate), the
 * division by the scale's 10^6 rounded half away from zero. */
#ifndef GRIDLEDGER_DECODE_H
#define GRIDLEDGER_DECODE_H

#include <stdint.h>

#include "profile.h"

/* decode_bits: the value's bits (big-endian, right aligned) from the
 * profile_type_words(r->type) registers at regs, in r->order. */
uint64_t decode_bits(const profile_reg *r, const uint16_t *regs);

/* decode_value: the value of r from regs (its first register), in the
 * reading's unit. */
gl_status decode_value(const profile_reg *r, const uint16_t *regs, int64_t *out);

/* decode_block: as decode_value, r being inside the block of `count`
 * registers starting at `start` (function code fn); GL_ENOTFOUND if r is
 * not wholly inside it. */
gl_status decode_block(const profile_reg *r, int fn, uint16_t start, uint16_t count, const uint16_t *block,
                       int64_t *out);

/* decode_encode: the inverse, for the simulator and tests: writes the
 * registers that hold `value` (in the reading's unit, fraction allowed) in
 * r's type and order. Integers are rounded and clamped to the type's range. */
void decode_encode(const profile_reg *r, double value, uint16_t *regs);

#endif
