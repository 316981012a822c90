/* fuzz_textbuf.c: the JSON string writer on arbitrary bytes: it never
 * overruns its cap, refuses or takes an append whole, and what it writes is
 * well-formed UTF-8 that a JSON parser reads back as one string, equal to
 * the input whenever the input was well-formed UTF-8 without NUL. The first
 * byte sets a cap for a second, fixed-storage textbuf. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "gridledger/textbuf.h"
#include "gridledger/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t cap = data[0];
    const char *s = (const char *)data + 1;
    size_t n = size - 1, want = textbuf_json_len(s, n);
    textbuf t;
    textbuf_init(&t, want);
    if (textbuf_json_strn(&t, s, n) != GL_OK || textbuf_len(&t) != want)
        __builtin_trap();
    const char *out = textbuf_str(&t);
    if (!utf8_valid((const uint8_t *)out, want) || out[0] != '"' || out[want - 1] != '"')
        __builtin_trap();
    cJSON *j = cJSON_ParseWithLength(out, want);
    if (j == NULL || !cJSON_IsString(j))
        __builtin_trap();
    if (memchr(s, '\0', n) == NULL && utf8_valid((const uint8_t *)s, n) &&
        (strlen(j->valuestring) != n || memcmp(j->valuestring, s, n) != 0))
        __builtin_trap();
    cJSON_Delete(j);
    char mem[257];
    textbuf f;
    textbuf_init_fixed(&f, mem, cap + 1);
    textbuf_puts(&f, "x");
    gl_status st = textbuf_json_strn(&f, s, n);
    if ((st == GL_OK) != (1 + want <= cap) || textbuf_len(&f) != (st == GL_OK ? 1 + want : (cap >= 1 ? 1 : 0)))
        __builtin_trap();
    if (st == GL_OK && memcmp(textbuf_str(&f) + 1, out, want) != 0)
        __builtin_trap();
    textbuf_free(&t);
    return 0;
}
