/* store_alerts.h: listing the store's alerts (events with alert = 1; see
 * store_alert_open and friends in store.h for their life). */
#ifndef GRIDLEDGER_STORE_ALERTS_H
#define GRIDLEDGER_STORE_ALERTS_H

#include <stdint.h>

#include "store.h"

/* One alert as listed; the strings point into the store's row and are
 * valid only during the callback. */
typedef struct store_alert {
    int64_t id;
    int64_t ts;          /* opened */
    const char *kind;
    const char *subject;
    const char *detail;
    int64_t acked_ts;    /* 0: not acknowledged */
    const char *acked_by; /* "" when not acknowledged */
    int64_t closed_ts;   /* 0: still open */
} store_alert;

/* Called per alert; a status other than GL_OK stops the walk and is returned. */
typedef gl_status (*store_alert_fn)(void *ctx, const store_alert *a);

/* store_alerts_each: the open alerts (acknowledged ones included until they
 * are closed), newest first; all: every alert ever raised. */
gl_status store_alerts_each(store *s, int all, store_alert_fn fn, void *ctx);

#endif
