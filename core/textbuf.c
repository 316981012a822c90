/* textbuf.c: one bounded text and JSON writer (see textbuf.h). */
#include "gridledger/textbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gridledger/utf8.h"

#define TEXTBUF_FIRST_ALLOC 64 /* bytes allocated by a growable textbuf's first append */

static const char empty[] = "";

void textbuf_init(textbuf *t, size_t cap)
{
    *t = (textbuf){NULL, 0, 0, cap, 1, cap >= 1 ? GL_OK : GL_EINVAL};
}

void textbuf_init_fixed(textbuf *t, char *mem, size_t size)
{
    *t = (textbuf){mem, 0, size, size >= 1 ? size - 1 : 0, 0, mem != NULL && size >= 1 ? GL_OK : GL_EINVAL};
    if (t->err == GL_OK)
        mem[0] = '\0';
}

void textbuf_free(textbuf *t)
{
    if (t == NULL)
        return;
    if (t->owned)
        free(t->buf);
    t->buf = NULL;
    t->len = t->alloc = 0;
}

void textbuf_reset(textbuf *t)
{
    t->len = 0;
    if (t->buf != NULL)
        t->buf[0] = '\0';
    t->err = t->cap >= 1 || !t->owned ? GL_OK : GL_EINVAL;
}

/* room: makes space for n more bytes and the NUL; sets the sticky error if not. */
static gl_status room(textbuf *t, size_t n)
{
    if (t->err != GL_OK)
        return t->err;
    if (n > t->cap - t->len)
        return t->err = GL_EBOUND;
    size_t need = t->len + n + 1;
    if (need <= t->alloc)
        return GL_OK;
    if (!t->owned)
        return t->err = GL_EBOUND;
    size_t a = t->alloc ? t->alloc : TEXTBUF_FIRST_ALLOC;
    while (a < need)
        a = a > SIZE_MAX / 2 ? need : a * 2;
    if (t->cap < SIZE_MAX && a > t->cap + 1)
        a = t->cap + 1;
    char *p = realloc(t->buf, a);
    if (p == NULL)
        return t->err = GL_ENOMEM;
    t->buf = p;
    t->alloc = a;
    return GL_OK;
}

gl_status textbuf_add(textbuf *t, const void *mem, size_t n)
{
    gl_status st = room(t, n);
    if (st != GL_OK)
        return st;
    if (n > 0)
        memcpy(t->buf + t->len, mem, n);
    t->len += n;
    t->buf[t->len] = '\0';
    return GL_OK;
}

gl_status textbuf_puts(textbuf *t, const char *s)
{
    return textbuf_add(t, s, strlen(s));
}

gl_status textbuf_printf(textbuf *t, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return t->err != GL_OK ? t->err : (t->err = GL_EINVAL);
    if ((size_t)n < sizeof small)
        return textbuf_add(t, small, (size_t)n);
    gl_status st = room(t, (size_t)n); /* longer: formatted straight into the buffer */
    if (st != GL_OK)
        return st;
    va_start(ap, fmt);
    vsnprintf(t->buf + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
    return GL_OK;
}

/* escape_one: how the byte or sequence at s[0..n) is written: *in bytes of
 * input become the returned text (NULL: copied as they are). */
static const char *escape_one(const unsigned char *s, size_t n, size_t *in, char esc[8])
{
    uint32_t cp = 0;
    *in = 1;
    if (*s == '"' || *s == '\\') {
        esc[0] = '\\', esc[1] = (char)*s, esc[2] = '\0';
        return esc;
    }
    if (*s < 0x20) {
        snprintf(esc, 8, "\\u%04x", *s);
        return esc;
    }
    if (*s < 0x80)
        return NULL;
    size_t k = utf8_next(s, n, &cp);
    if (k == 0)
        return "\\ufffd";
    *in = k;
    return NULL;
}

size_t textbuf_json_len(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t out = 2, i = 0;
    while (i < n) {
        char esc[8];
        size_t in = 1;
        const char *e = escape_one(p + i, n - i, &in, esc);
        out += e != NULL ? strlen(e) : in;
        i += in;
    }
    return out;
}

gl_status textbuf_json_strn(textbuf *t, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    gl_status st = room(t, textbuf_json_len(s, n));
    if (st != GL_OK)
        return st;
    char *o = t->buf + t->len;
    *o++ = '"';
    for (size_t i = 0; i < n;) {
        char esc[8];
        size_t in = 1;
        const char *e = escape_one(p + i, n - i, &in, esc);
        size_t k = e != NULL ? strlen(e) : in;
        memcpy(o, e != NULL ? e : (const char *)p + i, k);
        o += k;
        i += in;
    }
    *o++ = '"';
    *o = '\0';
    t->len = (size_t)(o - t->buf);
    return GL_OK;
}

gl_status textbuf_json_str(textbuf *t, const char *s)
{
    return textbuf_json_strn(t, s, strlen(s));
}

gl_status textbuf_fail(textbuf *t, gl_status st)
{
    if (t->err == GL_OK && st != GL_OK)
        t->err = st;
    return t->err;
}

const char *textbuf_str(const textbuf *t)
{
    return t->buf != NULL && t->alloc > 0 ? t->buf : empty;
}

size_t textbuf_len(const textbuf *t)
{
    return t->len;
}

gl_status textbuf_status(const textbuf *t)
{
    return t->err;
}

char *textbuf_take(textbuf *t)
{
    if (!t->owned || t->err != GL_OK || t->buf == NULL)
        return NULL;
    char *p = t->buf;
    t->buf = NULL;
    t->len = t->alloc = 0;
    return p;
}
