/* fuzz_dlt645.c: the DL/T 645 frame decoder on arbitrary bytes, as a
 * master's receive loop drives it: ask dlt645_need(), decode, drop what it
 * says was used, go on. A decoded frame must encode back to the same bytes
 * (after its preamble); BCD and time decoding must refuse, not crash. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dlt645.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_frame(const uint8_t *buf, size_t used, const dlt645_frame *f)
{
    uint8_t out[DLT645_FRAME_MAX];
    size_t n = 0;
    if (dlt645_encode(&f->addr, f->ctrl, f->data, f->len, 0, out, sizeof out, &n) != GL_OK)
        __builtin_trap();
    if (n > used || memcmp(out, buf + used - n, n) != 0)
        __builtin_trap(); /* decode and encode disagree */
    const uint8_t *p;
    size_t plen;
    uint8_t err;
    (void)dlt645_reply_check(f, f->ctrl & DLT645_C_FUNC, &f->addr, &err);
    if (dlt645_read_payload(f, DLT645_DI_IMPORT_BLOCK, &p, &plen) == GL_OK && plen > f->len)
        __builtin_trap();
}

static void decode_values(const uint8_t *data, size_t size)
{
    int64_t v;
    dlt645_time t;
    for (size_t w = 1; w <= 8 && w <= size; w++)
        for (int s = 0; s < 2; s++)
            if (dlt645_bcd_get(data, w, s, &v) == GL_OK && !s && v < 0)
                __builtin_trap();
    if (size >= 6 && dlt645_time_get(data, 1, &t) == GL_OK) {
        uint8_t back[6];
        if (dlt645_time_put(&t, back) != GL_OK || memcmp(back, data, 6) != 0)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t at = 0;
    decode_values(data, size);
    while (at < size) {
        size_t n = size - at, used = 0;
        dlt645_frame f;
        if (dlt645_need(data + at, n) > n)
            break; /* a receiver would wait for more */
        gl_status st = dlt645_decode(data + at, n, &f, &used);
        if (used == 0 || used > n)
            __builtin_trap(); /* the loop must always advance */
        if (st == GL_OK)
            check_frame(data + at, used, &f);
        else if (st != GL_EPROTO && st != GL_ECORRUPT)
            __builtin_trap();
        at += used;
    }
    return 0;
}
