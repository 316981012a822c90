/* collrec.h: the collection record as people and the back office read it:
 * one row as the JSON object of `gridledger actions --json` and of the
 * uplink's "actions" messages (times ISO 8601 with the gateway's offset,
 * amounts as decimal strings). */
#ifndef GRIDLEDGER_COLLREC_H
#define GRIDLEDGER_COLLREC_H

#include <stdio.h>

#include "store_collect.h"

#define COLLREC_NCOLS 14

/* collrec_columns: the column names (outfmt style) of collrec_values. */
const char *const *collrec_columns(void);

/* collrec_values: the row's values as text into buf (COLLREC_NCOLS
 * pointers in vals, NULL for absent); buf holds the formatted times. */
void collrec_values(const store_collect_row *r, char buf[][40], const char **vals);

/* collrec_json: one row as a JSON object. */
void collrec_json(FILE *f, const store_collect_row *r);

/* collrec_put_up: row r goes up as an "actions" message (queued in the
 * store's outbox at now, in the caller's transaction if one is open). */
gl_status collrec_put_up(store *s, const store_collect_row *r, int64_t now);

/* collrec_queue_up: row id of customer goes up again as an "actions"
 * message (queued in the store's outbox at now), as the daemon sends it. */
gl_status collrec_queue_up(store *s, const char *customer, int64_t id, int64_t now);

#endif
