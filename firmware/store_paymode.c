/* store_paymode.c: payment-mode switches (see store_paymode.h). */
#include "store_paymode.h"
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#define COLS "id, customer, mode, ts, opening_fen, arrears_fen, who, rule, proof"

gl_status store_paymode_add(store *s, const store_paymode_row *r, int64_t *id)
{
    sqlite3_stmt *st = NULL;
    sqlite3 *db = store_db(s);
    int rc = sqlite3_prepare_v2(db,
                                "INSERT INTO payment_modes(customer, mode, ts, opening_fen, arrears_fen, who, rule,"
                                " proof) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_status_of(rc);
    sqlite3_bind_text(st, 1, r->customer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, r->mode, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, r->ts);
    sqlite3_bind_int64(st, 4, r->opening_fen);
    sqlite3_bind_int64(st, 5, r->arrears_fen);
    sqlite3_bind_text(st, 6, r->who, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, r->rule, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, r->proof, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_status_of(rc);
    if (id != NULL)
        *id = sqlite3_last_insert_rowid(db);
    return GL_OK;
}

static void col_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

static void read_row(sqlite3_stmt *st, store_paymode_row *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    col_text(st, 1, r->customer, sizeof r->customer);
    col_text(st, 2, r->mode, sizeof r->mode);
    r->ts = sqlite3_column_int64(st, 3);
    r->opening_fen = sqlite3_column_int64(st, 4);
    r->arrears_fen = sqlite3_column_int64(st, 5);
    col_text(st, 6, r->who, sizeof r->who);
    col_text(st, 7, r->rule, sizeof r->rule);
    col_text(st, 8, r->proof, sizeof r->proof);
}

/* rows of sql (customer bound to ?1) into rows. */
static gl_status query(store *s, const char *sql, const char *customer, store_paymode_row *rows, int cap, int *n)
{
    sqlite3_stmt *st = NULL;
    *n = 0;
    int rc = sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_status_of(rc);
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_TRANSIENT);
    gl_status ret = GL_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            ret = GL_EBOUND;
            break;
        }
        read_row(st, &rows[(*n)++]);
    }
    if (ret == GL_OK && rc != SQLITE_DONE)
        ret = store_status_of(rc);
    sqlite3_finalize(st);
    return ret;
}

gl_status store_paymode_each(store *s, store_paymode_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    store_paymode_row r;
    int rc = sqlite3_prepare_v2(store_db(s),
                                "SELECT " COLS " FROM payment_modes p WHERE id = (SELECT max(id) FROM payment_modes q"
                                " WHERE q.customer = p.customer) ORDER BY customer",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_status_of(rc);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_row(st, &r);
        if (fn(ctx, &r) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? GL_OK : store_status_of(rc);
}

gl_status store_paymode_of(store *s, const char *customer, store_paymode_row *out)
{
    int n = 0;
    gl_status st = query(s, "SELECT " COLS " FROM payment_modes WHERE customer = ?1 ORDER BY id DESC LIMIT 1",
                         customer, out, 1, &n);
    return st == GL_OK && n == 0 ? GL_ENOTFOUND : st;
}
