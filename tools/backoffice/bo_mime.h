/* bo_mime.h: an e-mail message as SMTP carries it (RFC 5322 headers, MIME
 * RFC 2045/2046), and the SMTP server's replies read back (RFC 5321 4.2).
 *
 * A message is From, To, Subject (non-ASCII as RFC 2047 "B" encoded-words of
 * at most 75 characters each, split on character boundaries), Date,
 * Message-ID, then either one text/plain UTF-8 part (base64) or, with an
 * attachment, multipart/mixed of that text and the attachment (base64, lines
 * of 76). Lines end CRLF; no line of the result exceeds 998 octets. Pure: no
 * I/O, no clock (the date comes in). */
#ifndef BO_MIME_H
#define BO_MIME_H

#include <stddef.h>

#include "gridledger/status.h"

#define BO_MIME_MAX (8u << 20) /* a message is at most 8 MiB (a bill and its sheet are far less) */

typedef struct bo_mime_msg {
    const char *from, *to;      /* addresses (no CR, LF, <, >) */
    const char *subject, *body; /* UTF-8 */
    const char *att_name;       /* NULL: no attachment; a plain ASCII file name otherwise */
    const char *att_type;       /* its media type */
    const unsigned char *att;
    size_t att_len;
    const char *msgid;  /* unique token: Message-ID <msgid@gridledger> and the MIME boundary */
    long long date;     /* Unix seconds, written as UTC */
} bo_mime_msg;

/* bo_mime_build: m as one message in *out (malloc'd, NUL-terminated, *len
 * octets; the caller frees). GL_EINVAL for an address or name with CR, LF or
 * angle brackets, GL_ESYNTAX for a subject or body that is not UTF-8,
 * GL_EBOUND past BO_MIME_MAX, GL_ENOMEM. */
gl_status bo_mime_build(const bo_mime_msg *m, char **out, size_t *len);

/* bo_mime_reply: the last complete reply in an SMTP transcript (the
 * server's lines, CRLF or LF; a multi-line reply "250-..." ending "250 ...")
 * into *code and text (its final line, "250 OK queued as X", truncated to
 * cap). Returns 1 if there was one, 0 if none (garbage, no final line). */
int bo_mime_reply(const char *transcript, size_t n, int *code, char *text, size_t cap);

#endif
