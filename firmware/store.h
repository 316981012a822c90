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
#include <stdio.h>

#include <sqlite3.h>

#include "gridledger/ledger.h"
#include "gridledger/reading.h"
#include "gridledger/status.h"

typedef struct store store;

typedef struct store_options {
    int64_t quota_mb;           /* 0: no quota */
    int compact_after_days;     /* raw readings older than this become intervals; 0: never */
    int32_t utc_offset_s;       /* local time offset for daily totals (Asia/Shanghai: 28800) */
    size_t pending_max;         /* readings held in memory while the disk refuses writes; 0: 8192
                                 * (the CLI and daemon: store.pending_cycles x meters) */
} store_options;

#define STORE_INTERVAL_S 900    /* compacted interval length: 15 minutes */

/* store_open: opens or creates the database at path, migrates the schema,
 * runs quick_check. A corrupt file is moved aside to PATH.corrupt-EPOCH (never
 * deleted), a fresh one started and an alert event recorded; *moved_aside
 * (may be NULL) is set to 1 then. opts may be NULL (defaults). */
gl_status store_open(const char *path, const store_options *opts, store **out);
gl_status store_open_ex(const char *path, const store_options *opts, store **out, int *moved_aside);

/* Sequences survive the database (store_seq.h): the uplink seq and the last
 * accepted downlink seq (kv STORE_KV_DOWN_SEQ, the key uplink.c sets as
 * UPLINK_KV_DOWN_SEQ) are also kept in PATH.seq. At open, a database that was
 * moved aside as corrupt, or is missing while PATH.seq shows one was used, is
 * replaced by a fresh one whose sequences continue from PATH.seq; a
 * store_corrupt alert event is recorded, kv STORE_KV_RECOVERED holds the
 * same text until the daemon has queued the alert up, *moved_aside is 1 and
 * store_recovered() says what was lost (else ""). */
#define STORE_KV_DOWN_SEQ "uplink.down_seq"
#define STORE_KV_RECOVERED "store.recovered"
#define STORE_RECOVERED_MAX 2048
const char *store_recovered(const store *s);

/* store_describe_error: what an error st of the store at path means, naming
 * read-only (file system or permissions), full (disk or quota) and corrupt
 * where that is the cause, and a schema migration this thread's last open
 * could not do (naming the version and the row); else gl_strerror(st). */
#define STORE_PATH_WHY_MAX 700
const char *store_path(const store *s); /* the database's path */
void store_describe_error(const char *path, gl_status st, char *out, size_t cap);

/* store_readings_release: clears `flag` (READING_FLAG_HELD) on meter's
 * stored readings; *n = how many had it. */
gl_status store_readings_release(store *s, const char *meter, uint32_t flag, int64_t *n);

/* store_close: closes; NULL is a no-op. */
void store_close(store *s);

/* store_txn_begin / store_txn_end: groups several writing calls into one
 * transaction (a bill, its ledger entry and its outbox message commit
 * together or not at all). store_txn_end commits when st is GL_OK and every
 * call inside succeeded, else rolls back everything; it returns the final
 * status. Nesting is allowed; only the outermost end commits. */
gl_status store_txn_begin(store *s);
gl_status store_txn_end(store *s, gl_status st);

/* store_put_readings: all n readings in one transaction (one poll cycle),
 * after any readings still pending from earlier failures. If the disk refuses
 * (full, I/O error, quota) the readings are kept in a bounded memory queue,
 * in order, and the error returned (GL_EFULL, GL_EIO, GL_EDB); the next call
 * (or store_flush) writes them first. When the queue is full the oldest
 * pending reading is dropped and counted. */
gl_status store_put_readings(store *s, const reading *r, size_t n);

/* store_put_readings_sel: as store_put_readings, for the r[i] whose sel[i]
 * is non-zero (sel NULL: all), without copying them out first. */
gl_status store_put_readings_sel(store *s, const reading *r, size_t n, const unsigned char *sel);

/* store_flush: writes pending readings; GL_OK when none remain. */
gl_status store_flush(store *s);

/* store_pending: readings held in memory; *dropped (may be NULL) gets the
 * count of readings lost because the queue was full. */
size_t store_pending(const store *s, int64_t *dropped);

/* store_compact: raw readings of whole local days older than
 * compact_after_days before now become one intervals row per meter and day
 * (the last good cumulative value in each 15-minute slot, and the day's
 * closing total), then are deleted; their pages stay free in the file for
 * the next readings (the quota's policy returns them with an incremental
 * vacuum: docs/store.md "Bytes written"). Idempotent; late readings for a compacted day are
 * merged in at the next run. *compacted (may be NULL) gets the count of raw
 * readings removed. */
gl_status store_compact(store *s, int64_t now, int64_t *compacted);

/* One point of a meter's cumulative series, from intervals and raw readings. */
typedef struct store_point {
    int64_t ts;            /* end of interval or reading time */
    int64_t import_wh;
    int64_t reactive_varh; /* -1 if absent */
    uint32_t flags;
    int source;            /* reading_source of a raw reading; compacted days: READING_LIVE */
} store_point;

/* store_series: the meter's cumulative points with from_ts <= ts < to_ts in
 * time order, at most cap into pts; *n gets the count. GL_EBOUND if more. */
gl_status store_series(store *s, const char *meter, int64_t from_ts, int64_t to_ts, store_point *pts,
                       size_t cap, size_t *n);

/* store_last_reading: the newest OK reading of meter at or before ts
 * (ts <= 0: the newest); GL_ENOTFOUND if none. */
gl_status store_last_reading(store *s, const char *meter, int64_t ts, reading *out);

/* store_reading_at: meter's OK, billable reading at exactly ts, a frozen
 * one (settlement, then daily) before a live one; GL_ENOTFOUND if none. */
gl_status store_reading_at(store *s, const char *meter, int64_t ts, reading *out);

/* store_frozen_last: the time of meter's newest stored reading of `source`
 * (a frozen kind); *ts = 0 if none. */
gl_status store_frozen_last(store *s, const char *meter, reading_source source, int64_t *ts);

/* store_last_readings: the newest OK reading of each of n meters, in one walk
 * of the readings newest first (a poll cycle holds them all), the meters not
 * met in the last 64 x n readings looked up one by one; found[i] is 1 where
 * out[i] was set. */
gl_status store_last_readings(store *s, const char *const *meters, size_t n, reading *out, int *found);

/* store_meter_use: the energy a meter recorded in [from_ts, to_ts): the sum
 * of the increases of its cumulative counter between consecutive points,
 * starting from the last point before from_ts (looked for up to 35 days
 * back). A decrease (rollover, meter change, fault) adds nothing and sets
 * READING_FLAG_DECREASE in *flags (may be NULL). GL_ENOTFOUND if the meter
 * has no point in the range. */
gl_status store_meter_use(store *s, const char *meter, int64_t from_ts, int64_t to_ts, int64_t *wh,
                          uint32_t *flags);

/* store_alert_close: closes the open alerts of kind about subject (a meter
 * back online closes its meter_offline alert); GL_OK if there were none. */
gl_status store_alert_close(store *s, int64_t ts, const char *kind, const char *subject);

/* An alert's life: open (recorded), acknowledged (by the back office: it
 * stays listed, with who and when, until it is closed), closed (the
 * condition ended). Events that are not alerts are recorded closed from the
 * start (is_alert 0).
 * store_alert_open: opens an alert of kind about subject unless the same
 * one (kind, subject, detail) is open already: GL_EEXIST, nothing recorded,
 * so a condition seen again every day stays one alert. An open one with
 * another detail (a deeper level) is closed at ts and the new one opened.
 * store_alert_ack: marks the open, unacknowledged alerts of kind about
 * subject acknowledged at ts by `by`; GL_ENOTFOUND if there is none. */
gl_status store_alert_open(store *s, int64_t ts, const char *kind, const char *subject, const char *detail);
gl_status store_alert_ack(store *s, int64_t ts, const char *kind, const char *subject, const char *by);

/* store_alert_end: store_alert_close, with *closed the number closed. */
gl_status store_alert_end(store *s, int64_t ts, const char *kind, const char *subject, int64_t *closed);

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

/* store_outbox_next_many: up to max unacknowledged messages with seq >
 * after_seq, in seq order, in one query; *n of them (0: none). Each is
 * freed with store_outbox_msg_free; on failure none is left to free. */
gl_status store_outbox_next_many(store *s, int64_t after_seq, store_outbox_msg *out, size_t max, size_t *n);

/* store_outbox_ack: deletes message seq (its PUBACK came); a repeat is GL_OK. */
gl_status store_outbox_ack(store *s, int64_t seq);

/* store_outbox_ack_many: deletes the n messages of seqs (in any order;
 * unknown or repeated seqs are GL_OK) in one transaction: all or none.
 * n at most STORE_OUTBOX_ACK_MAX (GL_EINVAL beyond); n == 0 is GL_OK. */
#define STORE_OUTBOX_ACK_MAX 1024
gl_status store_outbox_ack_many(store *s, const int64_t *seqs, size_t n);

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

/* store_payment_find: the payment or top-up recorded under ref (money
 * received: payments and top-ups share one set of refs); GL_ENOTFOUND if
 * none. */
typedef struct store_payment {
    char customer[64];
    char kind[16];  /* "payment" or "topup" */
    char date[16];  /* YYYY-MM-DD */
    int64_t amount_fen;
} store_payment;
gl_status store_payment_find(store *s, const char *ref, store_payment *out);

/* Bills: store_bills.h; ledger queries beyond these: store_ledger.h;
 * alerts listed: store_alerts.h. */

/* store_ledger_put: a ledger entry (kind bill|payment|adjustment|penalty|
 * deposit|refund|theft|illegal_use|bounce|topup); ref may be NULL; a repeated
 * (kind, ref) is GL_EEXIST. */
gl_status store_ledger_put(store *s, const char *customer, const char *date, const char *kind,
                           int64_t amount_fen, const char *ref, const char *due);

/* store_topups: a customer's top-ups: how many, and the latest one's date
 * ("YYYY-MM-DD", "" if none) into last_date. Every database error returned. */
gl_status store_topups(store *s, const char *customer, char *last_date, size_t cap, int64_t *count);

/* store_grade_put: a grade and its explanation; a repeat for the same
 * customer and date replaces it. store_action_put: a collection action taken
 * (customer, date it was due, action); GL_EEXIST if it was recorded before,
 * so an action is taken once. */
gl_status store_grade_put(store *s, const char *customer, const char *as_of, int score, const char *grade,
                          const char *explanation_json);
/* store_grade_each_int: fn(customer, value) for each customer's latest
 * stored grade whose explanation holds an integer at json_path (e.g.
 * "$.measures.reading.poll_interval_s"); a non-zero return stops. */
typedef int (*store_grade_int_fn)(void *ctx, const char *customer, int64_t value);
gl_status store_grade_each_int(store *s, const char *json_path, store_grade_int_fn fn, void *ctx);
gl_status store_action_put(store *s, const char *customer, const char *date, const char *action,
                           const char *channel, const char *due, const char *reason);

/* store_config_put: the config text in force (one row). */
gl_status store_config_put(store *s, int64_t ts, const char *text);

/* store_check: PRAGMA integrity_check; *ok = 1 when clean; msg gets the
 * first problem. */
gl_status store_check(store *s, int *ok, char *msg, size_t cap);

typedef struct store_table_stats {
    char name[32];
    int64_t rows;
    int64_t bytes;        /* pages used by the table and its indexes (dbstat) */
} store_table_stats;

#define STORE_TABLES_MAX 16
typedef struct store_stats {
    int schema_version;
    int64_t file_bytes;   /* page_count * page_size */
    int64_t free_bytes;   /* on the freelist */
    int64_t wal_bytes;
    int64_t bytes_written;        /* by this process through SQLite */
    int64_t bytes_written_total;  /* over the store's life (saved at compaction and close) */
    int64_t syncs;
    size_t ntables;
    store_table_stats tables[STORE_TABLES_MAX];
} store_stats;
gl_status store_stats_get(store *s, store_stats *st);

/* store_export_csv: writes TABLE (one of the store's tables) as RFC 4180
 * CSV with a header row. GL_ENOTFOUND for an unknown table. bill_lines
 * shows its amount as the decimal string (column amount) it always did. */
gl_status store_export_csv(store *s, const char *table, FILE *out);

/* store_status_of: an SQLite result code as a gl_status (the store's
 * modules translate through this one mapping). */
gl_status store_status_of(int rc);

/* store_set_max_pages: limits the file to n pages (0: SQLite's maximum): the
 * disk-full test's way to fill a disk. */
gl_status store_set_max_pages(store *s, int64_t n);

#endif
