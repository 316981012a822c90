/* fuzz_bo_mime.c: the SMTP reply reader on arbitrary server bytes, and the
 * message builder on arbitrary subjects and bodies: never crashes or leaks;
 * a reply found has a code 200..559 and printable text; a built message has
 * CRLF line ends only and no line over 998 octets (RFC 5322 2.1.1), and
 * anything not UTF-8 is refused rather than sent. The module is compiled in
 * here so the fuzz build needs no back-office libraries. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/backoffice/bo_mime.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reply(const uint8_t *data, size_t size)
{
    char text[64];
    int code = 0;
    if (bo_mime_reply((const char *)data, size, &code, text, sizeof text)) {
        if (code < 200 || code > 559)
            __builtin_trap();
        for (const char *t = text; *t; t++)
            if ((unsigned char)*t < 0x20 || *t == 0x7f)
                __builtin_trap();
    }
}

static void check_message(const char *msg, size_t len)
{
    size_t line = 0;
    for (size_t i = 0; i < len; i++) {
        if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
            __builtin_trap();
        line = msg[i] == '\n' ? 0 : line + 1;
        if (line > 999)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_reply(data, size);
    const uint8_t *cut = memchr(data, 0, size);
    size_t slen = cut ? (size_t)(cut - data) : size / 2;
    char *subject = strndup((const char *)data, slen);
    char *body = strndup((const char *)data + slen, size - slen);
    char *msg = NULL;
    size_t len = 0;
    static const unsigned char att[] = {0x50, 0x4b, 0x03, 0x04, 0xff, 0x00};
    bo_mime_msg m = {"billing@power.example.cn", "a@example.com", subject, body, size & 1 ? "bill.xlsx" : NULL,
                     "application/octet-stream", att, sizeof att, "0123abcd.1", (long long)size * 86400};
    if (subject && body && bo_mime_build(&m, &msg, &len) == GL_OK) {
        if (strlen(msg) != len)
            __builtin_trap();
        check_message(msg, len);
    }
    free(msg);
    free(subject);
    free(body);
    return 0;
}
