/* bo_mailer.h: one notice or bill as an e-mail: its subject (the action's
 * title and the customer), its text, the customer's bills attached as an
 * XLSX sheet from the bills the back office ingested, built (bo_mime) and
 * handed to the relay (bo_mail). */
#ifndef BO_MAILER_H
#define BO_MAILER_H

#include "bo_db.h"
#include "bo_mail.h"

typedef struct bo_mailer_item {
    const char *to, *customer, *action, *lang, *text;
    const char *token;   /* unique: the Message-ID and MIME boundary */
    int attach;          /* 1: attach the customer's bills (XLSX) */
    const char *bill_id; /* with attach: only this bill (NULL: the customer's last 12) */
} bo_mailer_item;

/* bo_mailer_wants_bill: 1 if a notice of action goes with the bill attached
 * (written_notice, disconnect_notice, bill). */
int bo_mailer_wants_bill(const char *action);

/* bo_mailer_send: builds it and sends it through cfg's relay. GL_OK when
 * the relay took it; GL_ENET with r's named error otherwise; GL_EIO, GL_EDB,
 * GL_ENOMEM (r->error "mail_build") when the message could not be made. */
gl_status bo_mailer_send(bo_mail *m, const bo_mail_cfg *cfg, bo_db *db, const bo_mailer_item *it,
                         bo_mail_result *r);

#endif
