/* utf8.h: is a byte string well-formed UTF-8.
 *
 * RFC 3629: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
 * U+10FFFF, and, as MQTT requires of its strings [MQTT-1.5.3-2] and as a JSON
 * text can never need raw, no U+0000. Used on everything that comes from
 * outside as text: MQTT strings, message payloads in the back office. */
#ifndef GRIDLEDGER_UTF8_H
#define GRIDLEDGER_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* utf8_valid: 1 if the n bytes at s are well-formed UTF-8 without U+0000. */
/* utf8_next: the length (1..4) of the well-formed code point at s[0..n)
 * (U+0000 included), *cp its value; 0 if the bytes there are ill-formed. */
size_t utf8_next(const uint8_t *s, size_t n, uint32_t *cp);

int utf8_valid(const uint8_t *s, size_t n);

#endif
