/* downlink.h: verifying and reading the back office's downlink messages.
 *
 * A downlink message (docs/uplink.md, CONTRACT.md "Uplink") is the envelope
 * {"v":1,"gateway","seq","ts","expires","kind","body","sig"} where sig is
 * HMAC-SHA256 with the gateway's 32-byte key over the exact bytes with the
 * final `,"sig":"<hex>"` member removed (the text up to that comma, then
 * `}`). downlink_verify authenticates, checks identity, time and sequence,
 * and parses the body of the five kinds; it applies nothing: the daemon
 * does that through uplink.c's callbacks. */
#ifndef GRIDLEDGER_DOWNLINK_H
#define GRIDLEDGER_DOWNLINK_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/status.h"

#define DOWNLINK_KEY_BYTES 32
#define DOWNLINK_MAX_TEXT (256u * 1024u) /* a downlink message larger than this is refused */
#define DOWNLINK_MAX_SKEW_S 300          /* ts may be this far ahead of the gateway's clock */
#define DOWNLINK_MAX_LIFETIME_S 31622400 /* expires - ts: 366 days, the back office's largest down_ttl_s */
#define DOWNLINK_ID_MAX 64               /* customer, ref */
#define DOWNLINK_ACK_MAX 512             /* an ack body fits in this */

typedef enum downlink_kind {
    DOWNLINK_PAYMENTS = 0,
    DOWNLINK_TOPUPS,
    DOWNLINK_TARIFFS,
    DOWNLINK_COMMANDS,
    DOWNLINK_CONFIG,
    DOWNLINK_KIND_COUNT
} downlink_kind;

typedef enum downlink_command {
    DOWNLINK_CMD_DISCONNECT = 0,
    DOWNLINK_CMD_RECONNECT,
    DOWNLINK_CMD_POLL_NOW,
    DOWNLINK_CMD_RESEND,
    DOWNLINK_CMD_ACK_ALERT, /* the back office acknowledges an alert: body.alert (kind), body.subject */
    DOWNLINK_CMD_SERVED,    /* a notice's proof of service: body.customer, action, record_id, served, proof */
    DOWNLINK_CMD_PAYMENT_MODE, /* switch to prepayment: body.customer, mode, opening_balance, optional rule */
    DOWNLINK_CMD_DEPOSIT      /* a cash deposit: body.customer, op (request|record|release), amount, ref, rule */
} downlink_command;

typedef struct downlink_msg {
    downlink_kind kind;
    int64_t seq, ts, expires;
    /* payments, topups; commands (customer; ack_alert: the alert's subject) */
    char customer[DOWNLINK_ID_MAX];
    int64_t amount_fen;
    char ref[DOWNLINK_ID_MAX];      /* payments, topups; ack_alert: the alert's kind */
    char date[11];                  /* YYYY-MM-DD */
    /* commands */
    downlink_command command;
    int64_t since_seq;              /* resend; -1 if absent */
    int64_t record_id, served_ts;   /* served: the collection record's row (0: the newest) and when */
    char proof[128];                /* served: the evidence ("sms dlr <Kannel id>"); payment_mode, deposit: the rule */
    char mode[16];                  /* payment_mode: prepaid|load_controlled|postpaid; amount_fen the opening balance;
                                     * deposit: the op; amount_fen its amount (0 if none), ref its ref */
    /* tariffs: body.tariff; config: body.config; compact JSON text, owned */
    char *json;
} downlink_msg;

/* downlink_key_load: reads a key file: 64 hex characters, an optional
 * trailing newline. GL_EPERM if group or others may read it (mode must be
 * 0600 or stricter), GL_EIO if unreadable, GL_ESYNTAX if malformed. */
gl_status downlink_key_load(const char *path, uint8_t key[DOWNLINK_KEY_BYTES]);

/* downlink_kind_parse: "payments" .. "config" (len bytes, not NUL-terminated)
 * -> kind; GL_ENOTFOUND otherwise. downlink_kind_name: the reverse. */
gl_status downlink_kind_parse(const char *s, size_t len, downlink_kind *out);
const char *downlink_kind_name(downlink_kind k);

/* downlink_verify: checks and parses one message received on topic kind
 * topic_kind for gateway `gateway`, with last_seq the highest seq accepted
 * so far and now_s the gateway's clock. Checks, in order:
 *   GL_EBOUND   larger than DOWNLINK_MAX_TEXT
 *   GL_ESYNTAX  not strict JSON / not an object / fields of the wrong type
 *   GL_EAUTH    no "sig" as the last member, or a signature mismatch,
 *               or a gateway other than ours
 *   GL_EPROTO   v != 1, or kind differs from the topic's
 *   GL_EEXPIRED expires <= now_s
 *   GL_ERANGE   ts more than DOWNLINK_MAX_SKEW_S ahead of now_s, expires < ts
 *   GL_EREPLAY  seq <= last_seq
 *   GL_ESYNTAX / GL_ERANGE a body field missing or out of range
 * On failure out->seq still holds the claimed seq when it could be read
 * (for the ack), else 0; reason (may be NULL) gets one line. On success
 * the caller frees out with downlink_msg_free. */
gl_status downlink_verify(const uint8_t key[DOWNLINK_KEY_BYTES], const char *gateway, downlink_kind topic_kind,
                          const char *text, size_t len, int64_t last_seq, int64_t now_s, downlink_msg *out,
                          char *reason, size_t reason_cap);

/* downlink_msg_free: releases m->json; NULL is a no-op. */
void downlink_msg_free(downlink_msg *m);

/* downlink_sign: appends the signature to an unsigned message `{...}`
 * (len bytes, ending in '}'): writes `{...,"sig":"<hex>"}` to out (NUL
 * terminated). For the back office and tests. GL_EBOUND if cap is short. */
gl_status downlink_sign(const uint8_t key[DOWNLINK_KEY_BYTES], const char *text, size_t len, char *out,
                        size_t cap);

/* downlink_ack_body: the ack body of messages.md:
 * {"down_kind","down_seq","result","reason"} with result applied|duplicate|refused. */
gl_status downlink_ack_body(downlink_kind kind, int64_t down_seq, const char *result, const char *reason,
                            char *buf, size_t cap);

#endif
