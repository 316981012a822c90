/* fuzz_profile.c: the custom-profile loader and the register decoder on
 * arbitrary bytes. The input is tried as a `profiles` JSON section; its
 * bytes are also decoded as registers in every type and word order. Neither
 * may crash, and a decoded float must never come out of NaN or infinity. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_all(const uint8_t *data, size_t size)
{
    uint16_t regs[4] = {0};
    for (size_t i = 0; i < 4 && 2 * i + 1 < size; i++)
        regs[i] = (uint16_t)(data[2 * i] << 8 | data[2 * i + 1]);
    int64_t scale = size > 8 ? (int64_t)data[8] * 1000 - 128000 : PROFILE_SCALE_ONE;
    for (int t = 0; t < PROFILE_T_COUNT; t++) {
        for (int o = 0; o < 4; o++) {
            profile_reg r = {1, 3, 0, (profile_type)t, (profile_order)o, scale ? scale : 1, 1000000, "x"};
            int64_t v;
            gl_status st = decode_value(&r, regs, &v);
            if (st != GL_OK && st != GL_ERANGE && st != GL_EOVERFLOW)
                __builtin_trap();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag d;
    jsonv_doc *doc = NULL;
    decode_all(data, size);
    diag_init(&d);
    if (jsonv_parse("fuzz.json", (const char *)data, size, &d, &doc) != GL_OK)
        return 0;
    int n = profile_config_check(doc, jsonv_root(doc), "profiles", NULL);
    if (n > 0 && jsonv_diag(doc)->count == 0)
        __builtin_trap(); /* every refusal says why */
    jsonv_free(doc);
    return 0;
}
