/* bo_mime.c: e-mail messages built for SMTP, and SMTP replies read back. */
#include "bo_mime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define B64_LINE 76      /* RFC 2045 6.8: encoded lines of at most 76 characters */
#define WORD_IN_BYTES 45 /* 45 octets -> 60 base64 + "=?UTF-8?B?" "?=" = 72 <= 75 (RFC 2047 2) */

/* A growable buffer with a hard cap (curl's dynbuf). */
typedef struct mbuf {
    char *p;
    size_t len, cap;
    gl_status st;
} mbuf;

static void put(mbuf *b, const char *s, size_t n)
{
    if (b->st != GL_OK)
        return;
    if (b->len + n + 1 > BO_MIME_MAX) {
        b->st = GL_EBOUND;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->st = GL_ENOMEM;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(mbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void b64(mbuf *b, const unsigned char *in, size_t n, int wrap)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char q[4];
    size_t col = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        q[0] = al[v >> 18 & 63];
        q[1] = al[v >> 12 & 63];
        q[2] = i + 1 < n ? al[v >> 6 & 63] : '=';
        q[3] = i + 2 < n ? al[v & 63] : '=';
        put(b, q, 4);
        col += 4;
        if (wrap && col >= B64_LINE && i + 3 < n) {
            put(b, "\r\n", 2);
            col = 0;
        }
    }
    if (wrap)
        put(b, "\r\n", 2);
}

/* utf8_char: the length of the valid UTF-8 sequence at s (n left), 0 if invalid. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 && s[0] >= 0xC2 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
                                 : (s[0] & 0xF8) == 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (!len || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

static int utf8_valid(const char *s)
{
    for (size_t n = strlen(s), i = 0, k; i < n; i += k)
        if (!(k = utf8_char((const unsigned char *)s + i, n - i)))
            return 0;
    return 1;
}

static int header_safe(const char *s)
{
    return s && !strpbrk(s, "\r\n<>\"");
}

/* subject: plain when printable ASCII, else encoded-words folded onto lines of their own. */
static void subject(mbuf *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    int ascii = 1;
    for (size_t j = 0; j < n; j++)
        ascii &= u[j] >= 0x20 && u[j] < 0x7f;
    puts_(b, "Subject: ");
    if (ascii && n <= 900) {
        put(b, s, n);
        put(b, "\r\n", 2);
        return;
    }
    while (i < n) {
        size_t end = i;
        for (size_t k; end < n && (k = utf8_char(u + end, n - end)) && end + k - i <= WORD_IN_BYTES;)
            end += k;
        if (end == i)
            end = i + 1; /* not reached for valid UTF-8 */
        puts_(b, i ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
        b64(b, u + i, end - i, 0);
        puts_(b, "?=");
        i = end;
    }
    put(b, "\r\n", 2);
}

static void date(mbuf *b, long long t)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    char s[64];
    if (!gmtime_r(&tt, &tm))
        memset(&tm, 0, sizeof tm);
    snprintf(s, sizeof s, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    puts_(b, s);
}

static void text_part(mbuf *b, const char *body)
{
    puts_(b, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    b64(b, (const unsigned char *)body, strlen(body), 1);
}

static void headers(mbuf *b, const bo_mime_msg *m)
{
    puts_(b, "From: <");
    puts_(b, m->from);
    puts_(b, ">\r\nTo: <");
    puts_(b, m->to);
    puts_(b, ">\r\n");
    subject(b, m->subject);
    date(b, m->date);
    puts_(b, "Message-ID: <");
    puts_(b, m->msgid);
    puts_(b, "@gridledger>\r\nMIME-Version: 1.0\r\n");
}

gl_status bo_mime_build(const bo_mime_msg *m, char **out, size_t *len)
{
    mbuf b = {NULL, 0, 0, GL_OK};
    *out = NULL;
    *len = 0;
    if (!header_safe(m->from) || !header_safe(m->to) || !header_safe(m->msgid) ||
        (m->att_name && (!header_safe(m->att_name) || !header_safe(m->att_type))))
        return GL_EINVAL;
    if (!utf8_valid(m->subject) || !utf8_valid(m->body))
        return GL_ESYNTAX;
    headers(&b, m);
    if (!m->att_name) {
        text_part(&b, m->body);
    } else {
        char s[512];
        snprintf(s, sizeof s, "Content-Type: multipart/mixed; boundary=\"=_gl_%s\"\r\n\r\n--=_gl_%s\r\n", m->msgid,
                 m->msgid);
        puts_(&b, s);
        text_part(&b, m->body);
        snprintf(s, sizeof s,
                 "--=_gl_%s\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\n"
                 "Content-Transfer-Encoding: base64\r\n\r\n",
                 m->msgid, m->att_type, m->att_name, m->att_name);
        puts_(&b, s);
        b64(&b, m->att, m->att_len, 1);
        snprintf(s, sizeof s, "--=_gl_%s--\r\n", m->msgid);
        puts_(&b, s);
    }
    if (b.st != GL_OK) {
        free(b.p);
        return b.st;
    }
    *out = b.p;
    *len = b.len;
    return GL_OK;
}

/* reply_line: a line "DDD-text" or "DDD text" (or "DDD"); *final 1 for the last of a reply. */
static int reply_line(const char *s, size_t n, int *code, int *final)
{
    if (n < 3 || s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '5' || s[2] < '0' || s[2] > '9')
        return 0;
    if (n > 3 && s[3] != ' ' && s[3] != '-')
        return 0;
    *code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    *final = n == 3 || s[3] == ' ';
    return 1;
}

int bo_mime_reply(const char *transcript, size_t n, int *code, char *text, size_t cap)
{
    int found = 0;
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(transcript + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - transcript) : n, len = end - i;
        int c = 0, final = 0;
        if (len && transcript[i + len - 1] == '\r')
            len--;
        if (nl && reply_line(transcript + i, len, &c, &final) && final) {
            *code = c;
            if (cap)
                snprintf(text, cap, "%.*s", (int)(len < cap ? len : cap - 1), transcript + i);
            for (char *t = text; cap && *t; t++)
                if ((unsigned char)*t < 0x20 || *t == 0x7f)
                    *t = '?'; /* the reply goes into records and proofs: printable only */
            found = 1;
        }
        i = end + 1;
    }
    return found;
}
