/* varint.c: zigzag LEB128 (see varint.h). Pure functions. */
#include "varint.h"

size_t varint_put(uint8_t *p, int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); /* zigzag */
    size_t n = 0;
    do {
        uint8_t b = z & 0x7f;
        z >>= 7;
        p[n++] = (uint8_t)(b | (z ? 0x80 : 0));
    } while (z);
    return n;
}

size_t varint_get(const uint8_t *p, const uint8_t *end, int64_t *v)
{
    uint64_t z = 0;
    for (size_t n = 0; n < VARINT_MAX && p + n < end; n++) {
        z |= (uint64_t)(p[n] & 0x7f) << (7 * n);
        if (!(p[n] & 0x80)) {
            *v = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
            return n + 1;
        }
    }
    return 0;
}
