/* bo_db_sqlite.c: the SQLite backend of bo_db (the default).
 *
 * WAL mode so reports read while ingest writes; a busy timeout so two ingest
 * processes on one file take turns; BEGIN IMMEDIATE so a writer takes the
 * write lock up front instead of failing to upgrade a read lock mid-way.
 * Parameters are bound by name ("$1".."$n") as text; columns declared
 * INTEGER/BIGINT convert them on store and in comparisons (type affinity). */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "bo_db.h"

#define SQLITE_BUSY_MS 10000

static gl_status map_rc(int rc)
{
    switch (rc) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return GL_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return BO_DB_RETRY;
    case SQLITE_NOMEM:
        return GL_ENOMEM;
    case SQLITE_FULL:
        return GL_EFULL;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return GL_ECORRUPT;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
        return GL_EIO;
    default:
        return GL_EDB;
    }
}

static gl_status sq_open(const char *target, void **conn, char *err, size_t errcap)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(target, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(db, SQLITE_BUSY_MS);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", NULL,
                          NULL, NULL);
    if (rc != SQLITE_OK) {
        if (err && errcap)
            snprintf(err, errcap, "%s: %s", target, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return map_rc(rc);
    }
    *conn = db;
    return GL_OK;
}

static void sq_close(void *conn)
{
    if (conn)
        sqlite3_close(conn);
}

static gl_status bind_all(sqlite3_stmt *stmt, int nparams, const char *const *params)
{
    for (int i = 0; i < nparams; i++) {
        char name[16];
        snprintf(name, sizeof name, "$%d", i + 1);
        int idx = sqlite3_bind_parameter_index(stmt, name);
        if (idx == 0)
            continue; /* a parameter the statement does not use */
        int rc = params[i] ? sqlite3_bind_text(stmt, idx, params[i], -1, SQLITE_STATIC) : sqlite3_bind_null(stmt, idx);
        if (rc != SQLITE_OK)
            return map_rc(rc);
    }
    return GL_OK;
}

/* run: prepares sql, binds, steps every row through fn (may be NULL). */
static gl_status run(sqlite3 *db, const char *sql, int nparams, const char *const *params, bo_row_fn fn,
                     void *arg, long long *changes)
{
    sqlite3_stmt *stmt = NULL;
    const char *vals[64];
    gl_status st = map_rc(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL));
    if (st != GL_OK)
        goto out;
    st = bind_all(stmt, nparams, params);
    int stop = 0;
    while (st == GL_OK) {
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW) {
            st = map_rc(rc);
            break;
        }
        if (!fn || stop)
            continue;
        int n = sqlite3_column_count(stmt);
        if (n > 64)
            n = 64;
        for (int i = 0; i < n; i++)
            vals[i] = (const char *)sqlite3_column_text(stmt, i);
        stop = fn(arg, n, vals);
    }
    if (st == GL_OK && changes)
        *changes = sqlite3_changes(db);
out:
    sqlite3_finalize(stmt);
    return st;
}

static gl_status sq_exec(void *conn, const char *sql, int nparams, const char *const *params, long long *changes)
{
    if (nparams == 0 && !changes) {
        int rc = sqlite3_exec(conn, sql, NULL, NULL, NULL);
        return map_rc(rc);
    }
    return run(conn, sql, nparams, params, NULL, NULL, changes);
}

static gl_status sq_query(void *conn, const char *sql, int nparams, const char *const *params, bo_row_fn fn,
                          void *arg)
{
    return run(conn, sql, nparams, params, fn, arg, NULL);
}

static gl_status sq_begin(void *conn)
{
    return map_rc(sqlite3_exec(conn, "BEGIN IMMEDIATE", NULL, NULL, NULL));
}

static const char *sq_errmsg(void *conn)
{
    return sqlite3_errmsg(conn);
}

const bo_db_ops bo_db_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .query = sq_query,
    .begin = sq_begin,
    .schema_lock = NULL,
    .errmsg = sq_errmsg,
};
