/* store_deposit.h: non-cash deposits (保证金) in the store (schema version
 * 6): bank guarantees and insurance bonds, each with its issuer, amount,
 * expiry and a unique ref. A non-cash deposit counts toward the deposit a
 * customer's class and grade require (unless the grade's cell asks cash)
 * up to and including its expiry date; after it, it no longer counts. */
#ifndef GRIDLEDGER_STORE_DEPOSIT_H
#define GRIDLEDGER_STORE_DEPOSIT_H

#include <stdint.h>

#include "store.h"

#define STORE_DEPOSIT_TEXT_MAX 96

typedef struct store_deposit_row {
    int64_t id;
    char customer[64];
    char kind[16];                         /* guarantee|bond */
    char issuer[STORE_DEPOSIT_TEXT_MAX];   /* the bank or insurer */
    int64_t amount_fen;
    char expires[11];                      /* YYYY-MM-DD, the last day it counts */
    char ref[STORE_DEPOSIT_TEXT_MAX];      /* the instrument's number */
    int64_t recorded_ts;
} store_deposit_row;

/* store_deposit_add: records r (id ignored); GL_EEXIST if its ref is
 * recorded already (nothing changes). */
gl_status store_deposit_add(store *s, const store_deposit_row *r);

/* store_deposit_each: fn on each deposit (of customer, or all when NULL)
 * by customer and expiry; a non-zero return stops. */
typedef int (*store_deposit_fn)(void *ctx, const store_deposit_row *r);
gl_status store_deposit_each(store *s, const char *customer, store_deposit_fn fn, void *ctx);

/* store_deposit_in_force: the sum of customer's non-cash deposits whose
 * expiry is on or after date (YYYY-MM-DD). */
gl_status store_deposit_in_force(store *s, const char *customer, const char *date, int64_t *fen);

#endif
