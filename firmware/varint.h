/* varint.h: signed integers in a few bytes (the store's packed forms):
 * zigzag, then LEB128 (7 bits a byte, low first, high bit "more"). Small
 * magnitudes of either sign take one byte; any int64 takes at most 10. */
#ifndef GRIDLEDGER_VARINT_H
#define GRIDLEDGER_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define VARINT_MAX 10 /* bytes one value takes at most */

/* varint_put: v at p (room for VARINT_MAX bytes); the bytes used. */
size_t varint_put(uint8_t *p, int64_t v);

/* varint_get: one value at p (never reading at or past end) into *v; the
 * bytes used, 0 if the bytes end first or run past VARINT_MAX. */
size_t varint_get(const uint8_t *p, const uint8_t *end, int64_t *v);

#endif
