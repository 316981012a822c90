/* textbuf.h: one bounded text and JSON writer (curl's dynbuf is the model).
 *
 * A textbuf holds NUL-terminated text that never grows past a hard cap set
 * when it is made: either growable (allocated, doubling, up to cap bytes) or
 * over caller-owned storage (no allocation at all, for core's hot paths).
 * Every append is all or nothing: one that would pass the cap is refused with
 * GL_EBOUND (GL_ENOMEM if memory runs out) and the text keeps what it held.
 * The first error is sticky: later appends are refused with it, so a sequence
 * of appends is checked once, at the end (textbuf_status). JSON strings are
 * escaped the one way the gateway writes them: '"' and '\\' with a backslash,
 * every control character below 0x20 (NUL included) as \u00XX, bytes that are
 * not well-formed UTF-8 as \ufffd (one per byte), everything else as it is.
 * Pure: no I/O, no clock. */
#ifndef GRIDLEDGER_TEXTBUF_H
#define GRIDLEDGER_TEXTBUF_H

#include <stddef.h>

#include "gridledger/status.h"

typedef struct textbuf {
    char *buf;     /* the text, NUL-terminated; NULL until a growable one first holds something */
    size_t len;    /* bytes held, without the NUL */
    size_t alloc;  /* bytes of buf (allocated, or the caller's storage) */
    size_t cap;    /* the most bytes it may hold, without the NUL */
    int owned;     /* 1: buf is allocated by the textbuf (textbuf_free releases it) */
    gl_status err; /* the first error, sticky (GL_OK while none) */
} textbuf;

/* textbuf_init: an empty growable textbuf of at most cap bytes (cap >= 1).
 * Nothing is allocated until the first append. */
void textbuf_init(textbuf *t, size_t cap);

/* textbuf_init_fixed: an empty textbuf over mem (size bytes, size >= 1, the
 * caller's): it holds at most size - 1 bytes and never allocates. */
void textbuf_init_fixed(textbuf *t, char *mem, size_t size);

/* textbuf_free: releases what t allocated and empties it; NULL is a no-op. */
void textbuf_free(textbuf *t);

/* textbuf_reset: empties t and clears its error; keeps its memory. */
void textbuf_reset(textbuf *t);

/* textbuf_add: appends n bytes of mem (which may hold NUL bytes). */
gl_status textbuf_add(textbuf *t, const void *mem, size_t n);

/* textbuf_puts: appends the string s. */
gl_status textbuf_puts(textbuf *t, const char *s);

/* textbuf_printf: appends printf-formatted text. */
gl_status textbuf_printf(textbuf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* textbuf_json_str: appends s as a JSON string literal, quotes included. */
gl_status textbuf_json_str(textbuf *t, const char *s);

/* textbuf_json_strn: as textbuf_json_str, for n bytes of s (NUL bytes escaped). */
gl_status textbuf_json_strn(textbuf *t, const char *s, size_t n);

/* textbuf_json_len: the length textbuf_json_strn would append for s[0..n). */
size_t textbuf_json_len(const char *s, size_t n);

/* textbuf_fail: records st (not GL_OK) as t's error if it has none yet, for
 * a value the caller could not render; returns t's error. */
gl_status textbuf_fail(textbuf *t, gl_status st);

/* textbuf_str: the text ("" while empty; never NULL). */
const char *textbuf_str(const textbuf *t);

/* textbuf_len: the bytes held, without the NUL. */
size_t textbuf_len(const textbuf *t);

/* textbuf_status: GL_OK, or the first error of an append. */
gl_status textbuf_status(const textbuf *t);

/* textbuf_take: hands over a growable textbuf's text (the caller frees it)
 * and empties t; NULL if t had an error, is empty and never allocated, or is
 * over caller storage. */
char *textbuf_take(textbuf *t);

#endif
