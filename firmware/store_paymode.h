/* store_paymode.h: payment-mode switches in the store (schema version 6).
 *
 * Each switch of a customer's payment mode (post-paid, prepaid, or
 * load-controlled purchase 负荷控制购电) is one row with its evidence: when,
 * who asked (the back office's command and its seq, or the operator), the
 * rule behind it (the grade's measure), the proof, the opening balance
 * credited and the post-paid arrears left on the ledger at the switch. The
 * customer's newest row is its mode in force; it overrides the config's
 * `payment` (a switch survives restarts and reloads). Times are Unix
 * seconds. */
#ifndef GRIDLEDGER_STORE_PAYMODE_H
#define GRIDLEDGER_STORE_PAYMODE_H

#include <stdint.h>

#include "store.h"

#define STORE_PAYMODE_ID_MAX 64
#define STORE_PAYMODE_TEXT_MAX 128

typedef struct store_paymode_row {
    int64_t id;
    char customer[STORE_PAYMODE_ID_MAX];
    char mode[16];                        /* postpaid|prepaid|load_controlled */
    int64_t ts;
    int64_t opening_fen, arrears_fen;
    char who[STORE_PAYMODE_TEXT_MAX];     /* "backoffice command seq 12" */
    char rule[STORE_PAYMODE_TEXT_MAX];    /* "credit.measures.table.large.C" */
    char proof[STORE_PAYMODE_TEXT_MAX];
} store_paymode_row;

/* store_paymode_add: appends r (its id ignored); *id (may be NULL) gets the row's. */
gl_status store_paymode_add(store *s, const store_paymode_row *r, int64_t *id);

/* store_paymode_each: fn on the newest row of every customer, in customer
 * order (the modes in force); a non-zero return from fn stops early. */
typedef int (*store_paymode_fn)(void *ctx, const store_paymode_row *r);
gl_status store_paymode_each(store *s, store_paymode_fn fn, void *ctx);

/* store_paymode_of: customer's newest row; GL_ENOTFOUND if it never switched. */
gl_status store_paymode_of(store *s, const char *customer, store_paymode_row *out);

#endif
