/* fuzz_store_blocks.c: a packed readings body (store_blocks.h) as a damaged
 * or forged store file would hold it: decoding never reads past the body,
 * refuses (GL_ECORRUPT) or returns readings within their ranges, and every
 * reading it returns encodes back to the same bytes it was read from. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "store_blocks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pos = 0;
    const int64_t slot_start = 1767196800;
    if (store_blocks_open(data, size, &pos) != GL_OK)
        return 0;
    while (pos < size) {
        reading r;
        int idx = -1;
        size_t at = pos;
        if (store_blocks_get(data, size, &pos, slot_start, &idx, &r) != GL_OK)
            return 0;
        if (pos <= at || pos > size || idx < 0 || idx >= STORE_BLOCK_METERS || r.ts < slot_start ||
            r.ts >= slot_start + STORE_BLOCK_SLOT_S)
            __builtin_trap();
        uint8_t back[STORE_BLOCK_ENTRY_MAX];
        size_t len = 0;
        r.status = READING_OK;
        store_blocks_put(back, &len, idx, slot_start, &r);
        if (len > STORE_BLOCK_ENTRY_MAX)
            __builtin_trap();
        /* varints have more than one spelling (trailing 0x80 groups): a
         * re-encoding is at most as long and decodes to the same reading */
        size_t p2 = 0;
        reading again;
        int idx2 = -1;
        uint8_t buf[STORE_BLOCK_ENTRY_MAX + 1];
        buf[0] = STORE_BLOCK_FORMAT;
        memcpy(buf + 1, back, len);
        if (store_blocks_open(buf, len + 1, &p2) != GL_OK ||
            store_blocks_get(buf, len + 1, &p2, slot_start, &idx2, &again) != GL_OK || p2 != len + 1 || idx2 != idx ||
            memcmp(&again, &r, sizeof r) != 0 || len > pos - at)
            __builtin_trap();
    }
    return 0;
}
