/* bo_db.h: the back office's storage behind one small interface.
 *
 * Two backends fill the same table of function pointers: SQLite (a file, the
 * default) and PostgreSQL (libpq, a connection string). SQL is written once,
 * in the dialect both accept: text parameters $1..$n, INSERT .. ON CONFLICT,
 * RETURNING, BIGINT money in fen. Values cross the interface as text (NULL
 * for SQL NULL); a row callback receives each result row. */
#ifndef BO_DB_H
#define BO_DB_H

#include <stddef.h>

#include "gridledger/status.h"

#define BO_DB_MAX_PARAMS 24 /* parameters of one statement */
#define BO_DB_ERR_MAX 256

/* A row callback: vals[i] is column i as text or NULL; return 0 to go on,
 * non-zero to stop the query early (not an error). */
typedef int (*bo_row_fn)(void *arg, int ncols, const char *const *vals);

typedef struct bo_db_ops {
    const char *name; /* "sqlite" | "postgresql" */
    /* open: connects to target (a path or a conninfo); *conn owned by the backend. */
    gl_status (*open)(const char *target, void **conn, char *err, size_t errcap);
    /* close: releases conn; NULL is a no-op. */
    void (*close)(void *conn);
    /* exec: runs one statement (or several when nparams == 0); *changes gets
     * the rows inserted/updated/deleted (may be NULL). */
    gl_status (*exec)(void *conn, const char *sql, int nparams, const char *const *params, long long *changes);
    /* query: runs one statement and calls fn per row. */
    gl_status (*query)(void *conn, const char *sql, int nparams, const char *const *params, bo_row_fn fn,
                       void *arg);
    /* begin: starts a write transaction (SQLite: BEGIN IMMEDIATE). */
    gl_status (*begin)(void *conn);
    /* schema_lock: inside a transaction, serialises schema creation between
     * processes (PostgreSQL advisory lock); NULL when begin suffices. */
    gl_status (*schema_lock)(void *conn);
    /* errmsg: the last error of conn, never NULL. */
    const char *(*errmsg)(void *conn);
} bo_db_ops;

typedef struct bo_db {
    const bo_db_ops *ops;
    void *conn;
} bo_db;

extern const bo_db_ops bo_db_sqlite_ops;
extern const bo_db_ops bo_db_pg_ops;

/* Status of a transient conflict worth retrying the whole transaction:
 * SQLite busy past its timeout, PostgreSQL deadlock or serialization failure. */
#define BO_DB_RETRY GL_ETIMEOUT

/* bo_db_open: opens target with ops and creates the schema if missing.
 * On failure *out is NULL and err holds a one-line reason. */
gl_status bo_db_open(const bo_db_ops *ops, const char *target, bo_db **out, char *err, size_t errcap);

/* bo_db_close: closes and frees db; NULL is a no-op. */
void bo_db_close(bo_db *db);

/* bo_db_exec / bo_db_query: the backend's exec and query. */
gl_status bo_db_exec(bo_db *db, const char *sql, int nparams, const char *const *params, long long *changes);
gl_status bo_db_query(bo_db *db, const char *sql, int nparams, const char *const *params, bo_row_fn fn,
                      void *arg);

/* bo_db_begin / bo_db_commit / bo_db_rollback: one write transaction. */
gl_status bo_db_begin(bo_db *db);
gl_status bo_db_commit(bo_db *db);
void bo_db_rollback(bo_db *db);

/* bo_db_error: the last error text of db. */
const char *bo_db_error(const bo_db *db);

/* bo_db_scalar: runs a query returning one value and copies it into out
 * ("" when no row or NULL). */
gl_status bo_db_scalar(bo_db *db, const char *sql, int nparams, const char *const *params, char *out,
                       size_t cap);

/* bo_db_counter_add: adds delta to the named counter (table counters). */
gl_status bo_db_counter_add(bo_db *db, const char *name, long long delta);

#endif
