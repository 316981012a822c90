/* largeup.h: the gateway's large customers sent up to the back office.
 *
 * A large customer is a configured customer with an industry (GB/T 4754
 * section letter). Its industry, contracted capacity and capacity changes
 * (新装/增容/减容, config customers[].capacity_changes) go up in one
 * "customers" message (docs/uplink.md). The store keeps each change under
 * kv "capacity.CUSTOMER.ID" the first time it is seen: ledger-like, a change
 * edited later keeps its first form (counted) and is sent as first stored;
 * a correction is a new change with a new id. The message is queued when
 * what would be sent differs from what was sent last (kv
 * "uplink.customers_sent", a hash), so a restart sends nothing new. */
#ifndef LARGEUP_H
#define LARGEUP_H

#include "config.h"
#include "store.h"

typedef struct largeup_result {
    int customers;  /* large customers in the message */
    int recorded;   /* changes stored for the first time */
    int conflicts;  /* changes whose config form differs from the stored one (the stored one kept) */
    int queued;     /* 1 if a message was queued */
} largeup_result;

/* largeup_body: the message body {"customers":[...]} for cfg with the
 * stored forms of the changes (malloc'd, caller frees), NULL on no memory.
 * Records first-seen changes in the store (inside the caller's transaction). */
char *largeup_body(store *s, const config *cfg, largeup_result *r);

/* largeup_sync: records the changes and queues the message if it changed,
 * in one transaction. Nothing is queued when no customer is large. */
gl_status largeup_sync(store *s, const config *cfg, int64_t now, largeup_result *r);

#endif
