/* store_collect.c: the collection record (see store_collect.h). */
#include "store_collect.h"

#include "store_internal.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#define COLS                                                                                                           \
    "id, customer, episode, action, channel, status, planned_ts, taken_ts, served_ts, deadline_ts, proof,"           \
    " principal_fen, penalty_fen, reason"

static gl_status status_of(int rc)
{
    return store_status_of(rc);
}

static void bind_opt(sqlite3_stmt *st, int i, int64_t v)
{
    if (v < 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

static void bind_text(sqlite3_stmt *st, int i, const char *t)
{
    if (t == NULL || t[0] == '\0')
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT);
}

static gl_status step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    gl_status r = rc == SQLITE_DONE ? GL_OK : status_of(rc);
    sqlite3_finalize(st);
    return r;
}

gl_status store_collect_add(store *s, const store_collect_row *r, int64_t *id)
{
    sqlite3_stmt *st = NULL;
    sqlite3 *db = store_db(s);
    int rc = sqlite3_prepare_v2(db,
                                "INSERT INTO collection(customer, episode, action, channel, status, planned_ts,"
                                " taken_ts, served_ts, deadline_ts, proof, principal_fen, penalty_fen, reason)"
                                " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return status_of(rc);
    bind_text(st, 1, r->customer);
    bind_text(st, 2, r->episode);
    bind_text(st, 3, r->action);
    bind_text(st, 4, r->channel);
    bind_text(st, 5, r->status);
    sqlite3_bind_int64(st, 6, r->planned_ts);
    bind_opt(st, 7, r->taken_ts);
    bind_opt(st, 8, r->served_ts);
    bind_opt(st, 9, r->deadline_ts);
    bind_text(st, 10, r->proof);
    sqlite3_bind_int64(st, 11, r->principal_fen);
    sqlite3_bind_int64(st, 12, r->penalty_fen);
    sqlite3_bind_text(st, 13, r->reason, -1, SQLITE_TRANSIENT);
    gl_status ret = step_done(st);
    if (ret == GL_OK && id != NULL)
        *id = sqlite3_last_insert_rowid(db);
    return ret;
}

static int64_t col_opt(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

static void col_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

static void row_of(sqlite3_stmt *st, store_collect_row *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    col_text(st, 1, r->customer, sizeof r->customer);
    col_text(st, 2, r->episode, sizeof r->episode);
    col_text(st, 3, r->action, sizeof r->action);
    col_text(st, 4, r->channel, sizeof r->channel);
    col_text(st, 5, r->status, sizeof r->status);
    r->planned_ts = sqlite3_column_int64(st, 6);
    r->taken_ts = col_opt(st, 7);
    r->served_ts = col_opt(st, 8);
    r->deadline_ts = col_opt(st, 9);
    col_text(st, 10, r->proof, sizeof r->proof);
    r->principal_fen = sqlite3_column_int64(st, 11);
    r->penalty_fen = sqlite3_column_int64(st, 12);
    col_text(st, 13, r->reason, sizeof r->reason);
}

gl_status store_collect_episode(store *s, const char *customer, const char *episode, store_collect_row *rows,
                                int cap, int *n)
{
    sqlite3_stmt *st = NULL;
    *n = 0;
    int rc = sqlite3_prepare_v2(store_db(s),
                                "SELECT * FROM (SELECT " COLS " FROM collection WHERE customer = ?1 AND episode = ?2"
                                " ORDER BY id DESC LIMIT ?3) ORDER BY id",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return status_of(rc);
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, episode, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, cap);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < cap)
        row_of(st, &rows[(*n)++]);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? GL_OK : status_of(rc);
}

static gl_status exec3(store *s, const char *sql, const char *a, const char *b, int64_t ts, int *changed)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return status_of(rc);
    sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, ts);
    gl_status r = step_done(st);
    if (changed != NULL)
        *changed = r == GL_OK ? sqlite3_changes(store_db(s)) : 0;
    return r;
}

gl_status store_collect_cancel_pending(store *s, const char *customer, const char *episode, int64_t ts, int *n)
{
    return exec3(s,
                 "UPDATE collection SET status = 'cancelled', served_ts = NULL,"
                 " reason = reason || ' [cancelled ' || ?3 || ']'"
                 " WHERE customer = ?1 AND episode = ?2 AND (status = 'planned' OR (status = 'taken' AND"
                 " action IN ('notice_1h', 'confirm_30min')))",
                 customer, episode, ts, n);
}

gl_status store_collect_expire(store *s, const char *customer, const char *episode, int64_t before)
{
    return exec3(s,
                 "UPDATE collection SET status = 'failed', reason = reason || ' [no proof of service in time]'"
                 " WHERE customer = ?1 AND episode = ?2 AND status = 'taken' AND taken_ts < ?3"
                 " AND action NOT IN ('disconnect', 'restore')",
                 customer, episode, before, NULL);
}

gl_status store_collect_serve(store *s, const char *customer, const char *action, int64_t id, int64_t served_ts,
                              const char *proof, int64_t *id_out)
{
    sqlite3_stmt *st = NULL;
    int64_t found = -1;
    int rc = sqlite3_prepare_v2(store_db(s),
                                "SELECT id FROM collection WHERE customer = ?1 AND status = 'taken' AND"
                                " (?3 > 0 AND id = ?3 OR ?3 <= 0 AND action = ?2) ORDER BY id DESC LIMIT 1",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return status_of(rc);
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, action ? action : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        found = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return status_of(rc);
    if (found < 0)
        return GL_ENOTFOUND;
    rc = sqlite3_prepare_v2(store_db(s), "UPDATE collection SET status = 'served', served_ts = ?1, proof = ?2"
                                         " WHERE id = ?3 AND status = 'taken'",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        return status_of(rc);
    sqlite3_bind_int64(st, 1, served_ts);
    bind_text(st, 2, proof);
    sqlite3_bind_int64(st, 3, found);
    gl_status r = step_done(st);
    if (r == GL_OK && id_out != NULL)
        *id_out = found;
    return r;
}

gl_status store_collect_update(store *s, const store_collect_row *r)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(store_db(s),
                                "UPDATE collection SET channel = ?2, status = ?3, planned_ts = ?4, taken_ts = ?5,"
                                " served_ts = ?6, deadline_ts = ?7, proof = ?8, principal_fen = ?9, penalty_fen = ?10,"
                                " reason = ?11 WHERE id = ?1",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return status_of(rc);
    sqlite3_bind_int64(st, 1, r->id);
    bind_text(st, 2, r->channel);
    bind_text(st, 3, r->status);
    sqlite3_bind_int64(st, 4, r->planned_ts);
    bind_opt(st, 5, r->taken_ts);
    bind_opt(st, 6, r->served_ts);
    bind_opt(st, 7, r->deadline_ts);
    bind_text(st, 8, r->proof);
    sqlite3_bind_int64(st, 9, r->principal_fen);
    sqlite3_bind_int64(st, 10, r->penalty_fen);
    sqlite3_bind_text(st, 11, r->reason, -1, SQLITE_TRANSIENT);
    gl_status ret = step_done(st);
    return ret == GL_OK && sqlite3_changes(store_db(s)) == 0 ? GL_ENOTFOUND : ret;
}

gl_status store_collect_each(store *s, const char *customer, int64_t from_ts, int64_t to_ts, store_collect_fn fn,
                             void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(store_db(s),
                                "SELECT " COLS " FROM collection WHERE (?1 IS NULL OR customer = ?1)"
                                " AND coalesce(taken_ts, planned_ts) >= ?2 AND coalesce(taken_ts, planned_ts) < ?3"
                                " ORDER BY id",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return status_of(rc);
    bind_text(st, 1, customer);
    sqlite3_bind_int64(st, 2, from_ts);
    sqlite3_bind_int64(st, 3, to_ts);
    store_collect_row r;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        row_of(st, &r);
        if (fn(ctx, &r))
            break;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? GL_OK : status_of(rc);
}
