/* store_bills.h: bills in the store (tables bills and bill_lines).
 *
 * A bill is stored from core's `bill` struct: its total in integer fen, one
 * bill_lines row per line (code; quantity, unit and rate as the decimal
 * strings of the bill's JSON; amount_fen in integer fen), its energy in Wh
 * (energy_wh), and the JSON
 * document the gateway sent and
 * prints (rendered once, by the caller, from the same struct). Every
 * database error is returned, never read as "no bill". */
#ifndef GRIDLEDGER_STORE_BILLS_H
#define GRIDLEDGER_STORE_BILLS_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/bill.h"
#include "store.h"

/* store_bill_put: records bill b of b->customer for period (YYYY-MM), its
 * lines and its JSON document (json_len bytes at bill_json, which need not
 * end there: billing passes the document inside its bills message), in one
 * transaction (joins an open store_txn_begin). GL_EEXIST if customer+period
 * is stored already (nothing changes), GL_EINVAL for a line without a code. */
gl_status store_bill_put(store *s, const char *period, const bill *b, const char *bill_json, size_t json_len);

/* store_bill_exists: *exists = 1 if customer has a bill for period. */
gl_status store_bill_exists(store *s, const char *customer, const char *period, int *exists);

/* A stored bill: its total and its JSON document (owned; store_bill_free). */
typedef struct store_bill {
    int64_t total_fen;
    char *json;
} store_bill;

/* store_bill_get: customer's bill for period; GL_ENOTFOUND if none. */
gl_status store_bill_get(store *s, const char *customer, const char *period, store_bill *out);
void store_bill_free(store_bill *b);

/* store_bills_total: the sum of the totals of period's bills (0 if none). */
gl_status store_bills_total(store *s, const char *period, int64_t *total_fen);

/* store_bills_between: the sum of customer's bills of the periods from
 * (inclusive) to to (exclusive), YYYY-MM (0 if none). */
gl_status store_bills_between(store *s, const char *customer, const char *from, const char *to, int64_t *total_fen);

/* store_bills_month: the bills of period of customer (NULL: every
 * customer): their energy (bills.energy_wh, the bill's energy_kwh in Wh;
 * 0 for one without) and amount, and how many. */
gl_status store_bills_month(store *s, const char *customer, const char *period, int64_t *wh, int64_t *fen,
                            int *count);

#endif
