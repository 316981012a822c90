/* fuzz_downlink.c: downlink_verify on arbitrary bytes must never crash,
 * leak or read out of bounds, and must explain every refusal. The first
 * byte picks the topic kind; the key is fixed, so the corpus holds signed
 * messages that reach the body parsers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "downlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t key[DOWNLINK_KEY_BYTES] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                                    11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                                                    22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
    if (size < 1)
        return 0;
    downlink_kind kind = (downlink_kind)(data[0] % DOWNLINK_KIND_COUNT);
    char *text = malloc(size - 1 ? size - 1 : 1);
    if (text == NULL)
        return 0;
    memcpy(text, data + 1, size - 1);
    downlink_msg m;
    char why[160];
    gl_status st = downlink_verify(key, "gw-0001", kind, text, size - 1, 0, 1700000100, &m, why, sizeof why);
    if (st != GL_OK && st != GL_ENOMEM && why[0] == '\0')
        __builtin_trap();
    if (st == GL_OK) {
        char ack[DOWNLINK_ACK_MAX];
        if (downlink_ack_body(m.kind, m.seq, "applied", why, ack, sizeof ack) != GL_OK)
            __builtin_trap();
        if ((m.kind == DOWNLINK_TARIFFS || m.kind == DOWNLINK_CONFIG) && m.json == NULL)
            __builtin_trap();
    }
    downlink_msg_free(&m);
    free(text);
    return 0;
}
