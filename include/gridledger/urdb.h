/* urdb.h: converts a rate from the OpenEI Utility Rate Database (URDB, the
 * JSON of its v7/v8 API: energyratestructure, 12x24 weekday/weekend period
 * schedules, fixed, minimum and flat demand charges) into a gridledger
 * tariff file (CONTRACT.md, docs/tariffs.md), as JSON text.
 *
 * Pure: no I/O, no clock. URDB numbers are JSON numbers; they are read from
 * their source text, never through a binary float. What URDB can say and a
 * gridledger tariff cannot (daily tiers, TOU demand, ratchets, per-day fixed
 * charges, export rates, ...) is refused with a message at the field, never
 * dropped: errors go to the diag as "FILE:LINE:COL: path: problem". The
 * mapping rules are in docs/tariffs.md, "URDB import". */
#ifndef GRIDLEDGER_URDB_H
#define GRIDLEDGER_URDB_H

#include <stddef.h>

#include "gridledger/diag.h"
#include "gridledger/status.h"
#include "gridledger/tariff.h"

#define URDB_OUT_MAX (64u << 10) /* the largest tariff text urdb_convert writes */
#define URDB_LABEL_MAX 48

typedef struct urdb_options {
    char id[TARIFF_ID_MAX];     /* id of the tariff written; "" = the URDB label */
    char label[URDB_LABEL_MAX]; /* the rate to take from {"items": [...]}; "" = the only one */
    char currency[TARIFF_CURRENCY_MAX]; /* ISO 4217 code written; "" = "USD" (URDB rates are in dollars) */
} urdb_options;

/* urdb_options_init: empty id, label and currency (USD). */
void urdb_options_init(urdb_options *o);

/* urdb_convert: reads len bytes of URDB JSON text (named `file` in
 * messages): one rate object, or the API's {"items": [rate, ...]}; writes
 * the tariff JSON (ending in a newline, NUL-terminated) into out[cap] and
 * its length without the NUL into *out_len (may be NULL).
 * Returns GL_OK; GL_ESYNTAX / GL_ECONFIG with lines in d for bad or
 * unsupported input; GL_EBOUND if cap is too small; GL_ENOMEM. */
gl_status urdb_convert(const char *file, const char *text, size_t len, const urdb_options *opt, diag *d,
                       char *out, size_t cap, size_t *out_len);

#endif
