/* store_internal.h: what the store's own modules (store.c and store_*.c)
 * share. No file outside the store includes it: everyone else calls the
 * store's functions, which take and return domain structs and return every
 * database error (the SQLite handle has one owner). */
#ifndef GRIDLEDGER_STORE_INTERNAL_H
#define GRIDLEDGER_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

/* store_db: the SQLite handle (the store's modules only). */
sqlite3 *store_db(store *s);

/* store_prepare: prepares sql into *out and binds ?1.. as fmt describes
 * ('t' a const char * (NULL binds NULL), 'i' an int64_t). The caller steps
 * and finalizes *out (NULL on failure, which is returned). */
gl_status store_prepare(store *s, sqlite3_stmt **out, const char *sql, const char *fmt, ...);

/* store_exec: runs sql once with parameters as store_prepare binds them, in
 * its own implicit transaction unless one is open. */
gl_status store_exec(store *s, const char *sql, const char *fmt, ...);

/* store_query_i64: the first column of the first row of sql into *out, def
 * when there is no row or the value is NULL; every error returned (and *out
 * is def), never read as "no row". */
gl_status store_query_i64(store *s, int64_t *out, int64_t def, const char *sql, const char *fmt, ...);

/* store_copy_col: column col of st's current row as text into buf ("" for
 * NULL; cut at cap - 1 bytes). */
void store_copy_col(sqlite3_stmt *st, int col, char *buf, size_t cap);

/* store_constraint_status: an SQLITE_CONSTRAINT_* extended code as a
 * gl_status: GL_EEXIST for a UNIQUE or PRIMARY KEY violation (a duplicate),
 * GL_EINVAL for a value the schema refuses (NOT NULL, CHECK, FOREIGN KEY). */
gl_status store_constraint_status(int rc);

/* ---- readings (store_readings.c) ----------------------------------------- */

/* The meter numbers a store handle keeps in memory (store_readings.c). */
typedef struct store_meters store_meters;
store_meters **store_meters_ref(store *s);
int32_t store_utc_offset(const store *s);

/* store_readings_forget: drops the handle's meter numbers (a rolled back
 * transaction may have given some); they are read again when needed. */
void store_readings_forget(store *s);

/* store_readings_insert: rs[0..n) stored inside the caller's transaction:
 * routine ones packed (store_blocks.h), the others as rows of readings. */
gl_status store_readings_insert(store *s, const reading *const *rs, size_t n);

/* store_readings_series: meter's billable points (rows and packed) in
 * [from, to) appended to pts (*n of cap used): rows in time order, then the
 * packed ones in time order. GL_EBOUND past cap. */
gl_status store_readings_series(store *s, const char *meter, int64_t from, int64_t to, store_point *pts, size_t cap,
                                size_t *n);

/* Compaction's side. store_readings_number_rows: numbers the meters of the
 * rows in [from, to) that have none (rows written by another program).
 * store_readings_blocks: how many blocks the numbers span.
 * store_readings_meter: the id of number n (NULL: none).
 * store_readings_feed: each billable reading (OK, import present, not held)
 * in [from, to) of block blk's meters to fn with its index in the block,
 * rows first, then packed ones (*packed_n += their count).
 * store_readings_first: the time of the oldest reading compaction has to
 * do (frozen rows only from frozen_from on). store_readings_next: the time
 * of the first reading at or after from (def: none; a packed one's slot).
 * store_readings_drop: removes what is older than cutoff (held rows kept,
 * frozen rows until frozen_cutoff); *rows the rows removed. */
typedef void (*store_feed_fn)(void *ctx, int idx, const reading *r);
gl_status store_readings_number_rows(store *s, int64_t from, int64_t to);
int store_readings_blocks(store *s);
const char *store_readings_meter(store *s, int n);
gl_status store_readings_feed(store *s, int64_t from, int64_t to, int blk, store_feed_fn fn, void *ctx,
                              int64_t *packed_n);
gl_status store_readings_first(store *s, int64_t frozen_from, int64_t *ts);
gl_status store_readings_next(store *s, int64_t from, int64_t def, int64_t *ts);
gl_status store_readings_drop(store *s, int64_t cutoff, int64_t frozen_cutoff, int64_t *rows);

/* store_readings_export_packed: the packed readings as CSV rows with the
 * columns cols[0..nc) of `readings` (id, raw, error, read_ts empty). */
gl_status store_readings_export_packed(store *s, const char *const *cols, int nc, FILE *out);

#endif
