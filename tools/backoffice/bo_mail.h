/* bo_mail.h: sending one e-mail through an SMTP relay with libcurl, STARTTLS
 * required by default (RFC 3207), and what the relay answered.
 *
 * The relay's 250 to the end of DATA (RFC 5321 4.1.1.4) is the proof that
 * the message was handed on; every other outcome is a named error: */
#ifndef BO_MAIL_H
#define BO_MAIL_H

#include <stddef.h>

#include "gridledger/status.h"

#define BO_MAIL_REPLY_MAX 256

/* mail: the relay (docs/notices.md "E-mail") */
typedef struct bo_mail_cfg {
    char url[512];        /* smtp://HOST:587 (STARTTLS) or smtps://HOST:465; "" = no e-mail */
    char user[128], password[128];
    char from[256];       /* the envelope and header sender */
    char ca_file[512];    /* CA bundle for the relay's certificate; "" = the system's */
    char authority[256];  /* where important customers' disconnection notices go; "" = none */
    int require_tls;      /* 1 (default): refuse to send in clear */
    int served_on_accept; /* 1 (default): the relay's 250 serves the notice */
    long long timeout_ms; /* for the whole exchange */
} bo_mail_cfg;

/* Outcomes (bo_mail_result.error; the same names count in `stats`):
 *   NULL                sent: the relay answered 250 to the message
 *   "mail_unreachable"  no connection (refused, timed out, unresolved); temporary
 *   "mail_tls_refused"  require_tls and the relay offers no STARTTLS; temporary
 *   "mail_tls_failed"   the TLS handshake or the certificate check failed; temporary
 *   "mail_auth"         the relay refused user/password; temporary (fix the config)
 *   "mail_deferred"     a 4xx reply; temporary
 *   "mail_refused"      a 5xx reply to RCPT TO: the address is refused; final
 *   "mail_rejected"     a 5xx reply to MAIL FROM, DATA or the message; final */
typedef struct bo_mail_result {
    const char *error;
    int temporary;                 /* 1: keep it queued and try again later */
    int code;                      /* the last SMTP reply code, 0 if none */
    char reply[BO_MAIL_REPLY_MAX]; /* the last reply line ("250 OK queued as X") or curl's error */
} bo_mail_result;

/* A sender: one libcurl handle kept across messages, so the relay's CA
 * bundle is loaded once and TLS sessions are resumed; every message still
 * has a connection of its own (EHLO .. QUIT). */
typedef struct bo_mail bo_mail;

/* bo_mail_open: a sender (libcurl's process setup on the first). GL_ENOMEM. */
gl_status bo_mail_open(bo_mail **out);

/* bo_mail_close: releases m; NULL is a no-op. */
void bo_mail_close(bo_mail *m);

/* bo_mail_send: sends msg (len octets, CRLF lines) to one recipient. GL_OK
 * when the relay took it (r->error NULL), GL_ENET with r filled otherwise. */
gl_status bo_mail_send(bo_mail *m, const bo_mail_cfg *cfg, const char *to, const char *msg, size_t len,
                       bo_mail_result *r);

#endif
