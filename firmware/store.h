/* store.h: the gateway's SQLite store (readings, bills, ledger, events,
 * uplink outbox, key-value state).
 *
 * One store handle per process, used from one thread at a time. Every
 * writing call is one transaction: when it returns GL_OK the change is
 * durable (WAL, synchronous=FULL: a bill, a payment or an outbox
 * acknowledgement must survive power loss at any instruction). Strings
 * passed in are copied; nothing returned points into the store except where
 * a _free function is named. */
#ifndef GRIDLEDGER_STORE_H
#define GRIDLEDGER_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/reading.h"
#include "gridledger/status.h"

typedef struct store store;

typedef struct store_options {
    int64_t quota_mb;           /* 0: no quota */
    int compact_after_days;     /* raw readings older than this become intervals; 0: never */
} store_options;

/* store_open: opens or creates the database at path, migrates the schema,
 * runs quick_check. A corrupt file is moved aside to PATH.corrupt-EPOCH (never
 * deleted), a fresh one started and an alert event recorded; *moved_aside
 * (may be NULL) is set to 1 then. opts may be NULL (defaults). */
gl_status store_open(const char *path, const store_options *opts, store **out);
gl_status store_open_ex(const char *path, const store_options *opts, store **out, int *moved_aside);

/* store_close: closes; NULL is a no-op. */
void store_close(store *s);

/* store_put_readings: all n readings in one transaction (one poll cycle). */
gl_status store_put_readings(store *s, const reading *r, size_t n);

/* store_last_reading: the newest OK reading of meter at or before ts
 * (ts <= 0: the newest); GL_ENOTFOUND if none. */
gl_status store_last_reading(store *s, const char *meter, int64_t ts, reading *out);

/* store_event: records an event (is_alert: an open alert). */
gl_status store_event(store *s, int64_t ts, const char *kind, const char *subject, const char *detail,
                      int is_alert);

/* Outbox: up messages, each with its lifetime sequence number. */
typedef struct store_outbox_msg {
    int64_t seq;
    int64_t ts;
    char kind[16];
    char *body;          /* the JSON body; owned, freed by store_outbox_msg_free */
} store_outbox_msg;

/* store_outbox_put: commits a message and returns its seq (last + 1 over
 * the gateway's lifetime). When the quota is reached the oldest readings
 * messages are dropped first (counted); bills, payments, alerts never:
 * GL_EFULL if nothing droppable remains. */
gl_status store_outbox_put(store *s, const char *kind, const char *body_json, int64_t ts, int64_t *seq);

/* store_outbox_next: the first unacknowledged message with seq > after_seq;
 * GL_ENOTFOUND if none. */
gl_status store_outbox_next(store *s, int64_t after_seq, store_outbox_msg *out);
void store_outbox_msg_free(store_outbox_msg *m);

/* store_outbox_ack: deletes message seq (its PUBACK came); a repeat is GL_OK. */
gl_status store_outbox_ack(store *s, int64_t seq);

typedef struct store_outbox_stats {
    int64_t depth;       /* messages waiting */
    int64_t oldest_ts;   /* 0 if empty */
    int64_t oldest_seq;
    int64_t last_seq;    /* last assigned */
    int64_t last_acked;  /* highest acknowledged seq */
    int64_t dropped;     /* readings messages dropped by the quota */
} store_outbox_stats;
gl_status store_outbox_stats_get(store *s, store_outbox_stats *st);

/* Key-value state (downlink seq, year-to-date positions, ...). */
gl_status store_kv_get(store *s, const char *key, char *val, size_t cap);
gl_status store_kv_set(store *s, const char *key, const char *val);

/* store_payment_put: records a payment; GL_EEXIST if ref was seen before
 * (nothing changes). date is YYYY-MM-DD. */
gl_status store_payment_put(store *s, const char *customer, int64_t amount_fen, const char *ref,
                            const char *date);

/* store_bill_put: records a bill; GL_EEXIST if customer+period exists. */
gl_status store_bill_put(store *s, const char *customer, const char *period, int64_t total_fen,
                         const char *bill_json);

#endif
