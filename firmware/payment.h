/* payment.h: the rules for money taken at the counter (`pay`) or sent down
 * by the back office (downlink payments and top-ups): one function, so both
 * ways in refuse the same things.
 *
 * - The customer must be in the config.
 * - A ref names one receipt: payments and top-ups share one set of refs. The
 *   same ref, customer and amount again is the idempotent repeat (nothing
 *   changes); the same ref with another customer or amount is refused,
 *   naming the earlier payment (it is not the same money).
 * - The date may not be after today, nor before the account's first ledger
 *   entry (an account with no entry yet takes any date up to today).
 * - A top-up is only for a prepaid account. A plain payment to a prepaid
 *   account is applied to its prepaid balance: it is recorded as a top-up
 *   (money is never left where the balance cannot see it), unless the
 *   account was switched to prepayment with post-paid debt still open
 *   (paymode.h): then it is a payment of that debt. */
#ifndef GRIDLEDGER_PAYMENT_H
#define GRIDLEDGER_PAYMENT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

typedef struct payment_req {
    const char *customer;
    const char *date; /* YYYY-MM-DD */
    const char *ref;
    int64_t amount_fen; /* > 0 */
    int topup;          /* asked for as a prepaid top-up */
} payment_req;

typedef struct payment_result {
    const char *kind;     /* the ledger kind recorded (or found): "payment" or "topup" */
    int as_prepaid;       /* 1: a plain payment applied to the prepaid balance */
    char why[256];        /* for a repeat or a refusal: one sentence for the user */
} payment_result;

/* payment_take: checks r against the rules above and the store, then records
 * it (one ledger entry) inside the caller's transaction if one is open; a
 * top-up also ends the customer's prepaid alerts (alerts.h; the closure
 * queued up when the uplink is configured). today is the civil day
 * (civdate) of the caller's clock, now its time (for the alerts). Returns GL_OK
 * (recorded), GL_EEXIST (the idempotent repeat: nothing changed),
 * GL_ENOTFOUND (unknown customer), GL_ESTATE (refused: a ref used for other
 * money, a top-up to a postpaid account), GL_ERANGE (a date out of range),
 * GL_ESYNTAX (a malformed date), or the store's error; out->why says which. */
gl_status payment_take(store *s, const config *cfg, const payment_req *r, int32_t today, int64_t now,
                       payment_result *out);

#endif
