/* store_slots.c: one meter-day of 15-minute intervals in a few bytes (see
 * store_slots.h). Pure functions, no allocation. */
#include "store_slots.h"

#include <string.h>

#include "varint.h"

void store_slots_set(store_day *d, int i, int64_t v)
{
    d->present[i / 8] |= (uint8_t)(1u << (i % 8));
    d->wh[i] = v;
}

int store_slots_has(const store_day *d, int i)
{
    return (d->present[i / 8] >> (i % 8)) & 1;
}

size_t store_slots_encode(const store_day *d, uint8_t *blob, int64_t *first, int64_t *last)
{
    size_t len = STORE_SLOTS_BITMAP;
    int seen = 0;
    int64_t prev = 0;
    memcpy(blob, d->present, STORE_SLOTS_BITMAP);
    for (int i = 0; i < STORE_SLOTS; i++) {
        if (!store_slots_has(d, i))
            continue;
        if (!seen)
            *first = d->wh[i];
        else
            len += varint_put(blob + len, (int64_t)((uint64_t)d->wh[i] - (uint64_t)prev));
        seen = 1;
        prev = d->wh[i];
        *last = prev;
    }
    return seen ? len : 0;
}

gl_status store_slots_decode(const uint8_t *blob, size_t len, int64_t first, store_day *d)
{
    memset(d, 0, sizeof *d);
    if (len < STORE_SLOTS_BITMAP)
        return GL_ECORRUPT;
    memcpy(d->present, blob, STORE_SLOTS_BITMAP);
    const uint8_t *p = blob + STORE_SLOTS_BITMAP, *end = blob + len;
    int seen = 0;
    int64_t v = first;
    for (int i = 0; i < STORE_SLOTS; i++) {
        if (!store_slots_has(d, i))
            continue;
        if (seen) {
            int64_t delta = 0;
            size_t n = varint_get(p, end, &delta);
            if (n == 0)
                return GL_ECORRUPT;
            p += n;
            v = (int64_t)((uint64_t)v + (uint64_t)delta);
        }
        d->wh[i] = v;
        seen = 1;
    }
    return p == end ? GL_OK : GL_ECORRUPT;
}
