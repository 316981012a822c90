/* bo_down.h: signed downlink messages (messages.md, "Down").
 *
 * Envelope {"v":1,"gateway","seq","ts","expires","kind","body","sig"}; sig is
 * the lowercase hex HMAC-SHA256, with the gateway's 32-byte key, of the exact
 * message text with the final `,"sig":"..."` member removed (the text up to
 * that comma followed by `}`). */
#ifndef BO_DOWN_H
#define BO_DOWN_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "gridledger/status.h"

#define BO_KEY_BYTES 32
#define BO_DOWN_MAX (1u << 20) /* a downlink message, tariff included */

/* bo_key_load: reads KEYS_DIR/GATEWAY.key: 64 hex characters, optional
 * trailing newline. GL_EPERM if the file is readable or writable by group or
 * others, GL_ESYNTAX if not 64 hex, GL_EIO if unreadable. */
gl_status bo_key_load(const char *keys_dir, const char *gateway, unsigned char key[BO_KEY_BYTES]);

/* bo_down_sign: builds the signed message text for body (not consumed);
 * *out is malloc'd, NUL-terminated, owned by the caller. */
gl_status bo_down_sign(const unsigned char key[BO_KEY_BYTES], const char *gateway, long long seq, long long ts,
                       long long expires, const char *kind, const cJSON *body, char **out);

struct bo_ctx;

/* bo_down_send_cmd: signs body (not consumed) as a message of kind for gateway,
 * records it (customer for the record, may be NULL) and publishes it; *seq
 * gets its downlink seq. Errors are printed; GL_EAUTH for a key problem,
 * GL_ENET for the broker or database. */
gl_status bo_down_send_cmd(struct bo_ctx *ctx, const char *gateway, const char *kind, cJSON *body, const char *customer,
                           long long *seq);

/* bo_down_send: signs body (not consumed) for gateway as the next downlink
 * message of kind, records it in db (downlink) and publishes it with the
 * broker of ctx's config, waiting for the PUBACK; *seq gets its seq. The
 * key's errors as bo_key_load's; GL_ENET if the broker did not take it (the
 * message stays recorded). The console's way to the gateway (bo_api.c). */
struct bo_db;
gl_status bo_down_send(struct bo_ctx *ctx, struct bo_db *db, const char *gateway, const char *kind, cJSON *body,
                       const char *customer, long long *seq);

/* bo_down_send_payment: a payment of amount_fen (> 0) with its ref and date
 * (YYYY-MM-DD), sent like `pay` (recorded with its amount, ref and date, so
 * `acks` and the area report count it) through bo_down_send's path. */
gl_status bo_down_send_payment(struct bo_ctx *ctx, struct bo_db *db, const char *gateway, const char *customer,
                               int64_t amount_fen, const char *ref, const char *date, long long *seq);

/* bo_down_tariff_body: the body {"tariff": ...} of a tariff push of text
 * (len bytes, named name in messages) if the gateway's tariff parser accepts
 * it and the signed message fits the gateway's limit; else why gets the
 * first problem (FILE:LINE:COL: path: what) and nothing is built. */
gl_status bo_down_tariff_body(const char *name, const char *text, size_t len, cJSON **body, char *why, size_t cap);

#endif
