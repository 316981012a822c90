/* store_deposit.c: non-cash deposits (see store_deposit.h). */
#include "store_deposit.h"
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

gl_status store_deposit_add(store *s, const store_deposit_row *r)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(store_db(s),
                                "INSERT INTO deposits(customer, kind, issuer, amount_fen, expires, ref, recorded_ts)"
                                " VALUES(?1,?2,?3,?4,?5,?6,?7)",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_status_of(rc);
    sqlite3_bind_text(st, 1, r->customer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, r->kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, r->issuer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, r->amount_fen);
    sqlite3_bind_text(st, 5, r->expires, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, r->ref, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 7, r->recorded_ts);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT)
        return GL_EEXIST;
    return rc == SQLITE_DONE ? GL_OK : store_status_of(rc);
}

static void col_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

gl_status store_deposit_each(store *s, const char *customer, store_deposit_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    store_deposit_row r;
    int rc = sqlite3_prepare_v2(store_db(s),
                                "SELECT id, customer, kind, issuer, amount_fen, expires, ref, recorded_ts FROM deposits"
                                " WHERE ?1 IS NULL OR customer = ?1 ORDER BY customer, expires, id",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_status_of(rc);
    if (customer != NULL)
        sqlite3_bind_text(st, 1, customer, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&r, 0, sizeof r);
        r.id = sqlite3_column_int64(st, 0);
        col_text(st, 1, r.customer, sizeof r.customer);
        col_text(st, 2, r.kind, sizeof r.kind);
        col_text(st, 3, r.issuer, sizeof r.issuer);
        r.amount_fen = sqlite3_column_int64(st, 4);
        col_text(st, 5, r.expires, sizeof r.expires);
        col_text(st, 6, r.ref, sizeof r.ref);
        r.recorded_ts = sqlite3_column_int64(st, 7);
        if (fn(ctx, &r) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? GL_OK : store_status_of(rc);
}

gl_status store_deposit_in_force(store *s, const char *customer, const char *date, int64_t *fen)
{
    sqlite3_stmt *st = NULL;
    *fen = 0;
    int rc = sqlite3_prepare_v2(store_db(s),
                                "SELECT coalesce(sum(amount_fen), 0) FROM deposits WHERE customer = ?1 AND expires >= ?2",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_status_of(rc);
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, date, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *fen = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? GL_OK : store_status_of(rc);
}
