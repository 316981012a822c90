/* bo_db_pg.c: the PostgreSQL backend of bo_db (libpq, a connection string).
 *
 * Text parameters through PQexecParams (types inferred by the server from
 * the columns they meet); results read as text. A deadlock (40P01) or
 * serialization failure (40001) is reported as BO_DB_RETRY so the caller
 * retries its whole transaction. Schema creation takes an advisory lock:
 * CREATE TABLE IF NOT EXISTS alone races between two starting processes. */
#include <postgresql/libpq-fe.h> /* Debian: libpq-dev puts it in postgresql/ */
#include <stdio.h>
#include <string.h>

#include "bo_db.h"

#define PG_SCHEMA_LOCK_KEY "738201" /* any constant shared by every back-office process */

static gl_status map_result(PGresult *res)
{
    if (!res)
        return GL_ENOMEM;
    ExecStatusType t = PQresultStatus(res);
    if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK || t == PGRES_EMPTY_QUERY)
        return GL_OK;
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (state && (strcmp(state, "40P01") == 0 || strcmp(state, "40001") == 0))
        return BO_DB_RETRY;
    if (state && strncmp(state, "08", 2) == 0)
        return GL_ENET;
    return GL_EDB;
}

static gl_status pg_open(const char *target, void **conn, char *err, size_t errcap)
{
    PGconn *c = PQconnectdb(target);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        if (err && errcap) {
            const char *m = c ? PQerrorMessage(c) : "out of memory";
            size_t n = strcspn(m, "\n");
            snprintf(err, errcap, "postgresql: %.*s", (int)n, m);
        }
        PQfinish(c);
        return GL_ENET;
    }
    PGresult *res = PQexec(c, "SET client_min_messages = warning");
    PQclear(res);
    *conn = c;
    return GL_OK;
}

static void pg_close(void *conn)
{
    if (conn)
        PQfinish(conn);
}

static PGresult *pg_run(PGconn *c, const char *sql, int nparams, const char *const *params)
{
    if (nparams == 0)
        return PQexec(c, sql);
    return PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
}

static gl_status pg_exec(void *conn, const char *sql, int nparams, const char *const *params, long long *changes)
{
    PGresult *res = pg_run(conn, sql, nparams, params);
    gl_status st = map_result(res);
    if (st == GL_OK && changes) {
        const char *n = PQcmdTuples(res);
        long long v = 0;
        for (; n && *n >= '0' && *n <= '9'; n++)
            v = v * 10 + (*n - '0');
        *changes = v;
    }
    PQclear(res);
    return st;
}

static gl_status pg_query(void *conn, const char *sql, int nparams, const char *const *params, bo_row_fn fn,
                          void *arg)
{
    const char *vals[64];
    PGresult *res = pg_run(conn, sql, nparams, params);
    gl_status st = map_result(res);
    if (st == GL_OK) {
        int rows = PQntuples(res), n = PQnfields(res);
        if (n > 64)
            n = 64;
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < n; i++)
                vals[i] = PQgetisnull(res, r, i) ? NULL : PQgetvalue(res, r, i);
            if (fn(arg, n, vals))
                break;
        }
    }
    PQclear(res);
    return st;
}

static gl_status pg_begin(void *conn)
{
    return pg_exec(conn, "BEGIN", 0, NULL, NULL);
}

static gl_status pg_schema_lock(void *conn)
{
    return pg_exec(conn, "SELECT pg_advisory_xact_lock(" PG_SCHEMA_LOCK_KEY ")", 0, NULL, NULL);
}

static const char *pg_errmsg(void *conn)
{
    return PQerrorMessage(conn);
}

const bo_db_ops bo_db_pg_ops = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .query = pg_query,
    .begin = pg_begin,
    .schema_lock = pg_schema_lock,
    .errmsg = pg_errmsg,
};
