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

#endif
