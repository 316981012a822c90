/* store_ledger.h: reading the store's ledger (table ledger) as core's
 * ledger entries, and the sums billing and the area figures need.
 * Entries are written by store_ledger_put / store_payment_put (store.h).
 * Every database error is returned, never read as "no entries"; a row the
 * store should not hold (bad date or kind) is GL_ECORRUPT. */
#ifndef GRIDLEDGER_STORE_LEDGER_H
#define GRIDLEDGER_STORE_LEDGER_H

#include <stdint.h>

#include "gridledger/ledger.h"
#include "store.h"

/* store_ledger_entries: customer's ledger entries in date order (then the
 * order they were recorded) as core ledger entries, malloc'd into *out
 * (free() it; NULL when there are none), *n the count. GL_EBOUND past
 * LEDGER_MAX_ENTRIES, GL_ECORRUPT for a row with a bad date or kind. */
gl_status store_ledger_entries(store *s, const char *customer, ledger_entry **out, int *n);

/* Called for each entry of store_ledger_each; a status other than GL_OK
 * stops the walk and is returned. */
typedef gl_status (*store_ledger_fn)(void *ctx, const char *customer, const ledger_entry *e);

/* store_ledger_each: every entry of the ledger, by customer (byte order),
 * then date, then the order recorded: the order ledgercsv_parse gives the
 * same rows. */
gl_status store_ledger_each(store *s, store_ledger_fn fn, void *ctx);

/* store_ledger_parts: the sum of customer's bill entries whose ref starts
 * with prefix (the instalments of one period, "CUST/PERIOD#"), and whether
 * one of them has ref want (may be NULL: *has_want 0). */
gl_status store_ledger_parts(store *s, const char *customer, const char *prefix, const char *want, int64_t *sum_fen,
                             int *has_want);

/* store_ledger_last_part: the civil day (days since 1970-01-01) of the
 * latest of customer's bill entries whose ref starts with prefix, -1 if
 * none. */
gl_status store_ledger_last_part(store *s, const char *customer, const char *prefix, int64_t *day);

/* store_ledger_usage: the sum of customer's prepaid charging (usage
 * entries of fee control, ref "usage/CUSTOMER/DATE") dated from from_date
 * up to, not including, to_date (YYYY-MM-DD). */
gl_status store_ledger_usage(store *s, const char *customer, const char *from_date, const char *to_date,
                             int64_t *fen);

/* store_ledger_collected: money received (payments and top-ups) dated in
 * [from_date, to_date) (YYYY-MM-DD), over every customer. */
gl_status store_ledger_collected(store *s, const char *from_date, const char *to_date, int64_t *fen);

#endif
