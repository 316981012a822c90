/* store_bills.c: bills in the store (see store_bills.h). */
#include "store_bills.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gridledger/money.h"
#include "store_internal.h"

/* line_texts: a line's quantity and rate as the bill's JSON shows them
 * (bill_to_json: rate trimmed to at least two decimals). */
static gl_status line_texts(const bill_line *l, char *qty, char *rate)
{
    gl_status st = money_format(l->quantity, l->quantity_scale, qty, MONEY_FMT_MAX);
    if (st == GL_OK)
        st = money_format_trim(l->rate, l->rate_scale, l->rate_scale < 2 ? l->rate_scale : 2, rate, MONEY_FMT_MAX);
    return st;
}

/* put_lines: the bill's lines under bill_id, numbered from 1, amounts in fen. */
static gl_status put_lines(store *s, int64_t bill_id, const bill *b)
{
    gl_status st = GL_OK;
    for (int i = 0; st == GL_OK && i < b->nlines; i++) {
        const bill_line *l = &b->lines[i];
        char qty[MONEY_FMT_MAX], rate[MONEY_FMT_MAX];
        if (l->code[0] == '\0')
            return GL_EINVAL;
        st = line_texts(l, qty, rate);
        if (st == GL_OK)
            st = store_exec(s,
                            "INSERT INTO bill_lines(bill_id, n, code, quantity, unit, rate, amount_fen)"
                            " VALUES(?1,?2,?3,?4,?5,?6,?7)",
                            "iitttti", bill_id, (int64_t)i + 1, l->code, qty, l->unit, rate, l->amount_fen);
    }
    return st;
}

/* put_bill: the bills row (json_len bytes of bill_json); its id in *id. */
static gl_status put_bill(store *s, const char *period, const bill *b, const char *bill_json, size_t json_len,
                          int64_t *id)
{
    sqlite3_stmt *st = NULL;
    if (json_len > INT32_MAX)
        return GL_EBOUND;
    gl_status ret = store_prepare(s, &st,
                                  "INSERT INTO bills(customer, period, total_fen, json, created_ts, energy_wh)"
                                  " VALUES(?1,?2,?3,?4,?5,?6)",
                                  "ttitii", b->customer, period, b->total_fen, "", (int64_t)time(NULL),
                                  b->energy_wh);
    if (ret == GL_OK && sqlite3_bind_text(st, 4, bill_json, (int)json_len, SQLITE_STATIC) != SQLITE_OK)
        ret = GL_EDB;
    if (ret == GL_OK) {
        int rc = sqlite3_step(st);
        ret = rc == SQLITE_DONE ? GL_OK : store_status_of(rc);
    }
    *id = sqlite3_last_insert_rowid(store_db(s));
    sqlite3_finalize(st);
    return ret;
}

gl_status store_bill_put(store *s, const char *period, const bill *b, const char *bill_json, size_t json_len)
{
    int64_t id = 0;
    if (s == NULL || period == NULL || b == NULL || bill_json == NULL || b->customer[0] == '\0')
        return GL_EINVAL;
    gl_status st = store_txn_begin(s);
    if (st != GL_OK)
        return st;
    st = put_bill(s, period, b, bill_json, json_len, &id);
    if (st == GL_OK)
        st = put_lines(s, id, b);
    return store_txn_end(s, st);
}

gl_status store_bill_exists(store *s, const char *customer, const char *period, int *exists)
{
    int64_t n = 0;
    gl_status st = store_query_i64(s, &n, 0, "SELECT count(*) FROM bills WHERE customer = ?1 AND period = ?2", "tt",
                                   customer, period);
    *exists = st == GL_OK && n > 0;
    return st;
}

gl_status store_bill_get(store *s, const char *customer, const char *period, store_bill *out)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    gl_status ret = store_prepare(s, &st, "SELECT total_fen, json FROM bills WHERE customer = ?1 AND period = ?2",
                                  "tt", customer, period);
    if (ret == GL_OK) {
        int rc = sqlite3_step(st);
        ret = rc == SQLITE_ROW ? GL_OK : rc == SQLITE_DONE ? GL_ENOTFOUND : store_status_of(rc);
    }
    if (ret == GL_OK) {
        const char *json = (const char *)sqlite3_column_text(st, 1);
        out->total_fen = sqlite3_column_int64(st, 0);
        out->json = strdup(json ? json : "");
        ret = out->json ? GL_OK : GL_ENOMEM;
    }
    sqlite3_finalize(st);
    return ret;
}

void store_bill_free(store_bill *b)
{
    if (b == NULL)
        return;
    free(b->json);
    b->json = NULL;
}

gl_status store_bills_total(store *s, const char *period, int64_t *total_fen)
{
    return store_query_i64(s, total_fen, 0, "SELECT coalesce(sum(total_fen), 0) FROM bills WHERE period = ?1", "t",
                           period);
}

gl_status store_bills_between(store *s, const char *customer, const char *from, const char *to, int64_t *total_fen)
{
    return store_query_i64(s, total_fen, 0,
                           "SELECT coalesce(sum(total_fen), 0) FROM bills WHERE customer = ?1 AND period >= ?2 AND"
                           " period < ?3",
                           "ttt", customer, from, to);
}

gl_status store_bills_month(store *s, const char *customer, const char *period, int64_t *wh, int64_t *fen,
                            int *count)
{
    sqlite3_stmt *st = NULL;
    *wh = *fen = 0;
    *count = 0;
    gl_status ret = store_prepare(s, &st,
                                  "SELECT coalesce(energy_wh, 0), total_fen FROM bills"
                                  " WHERE period = ?1 AND (?2 IS NULL OR customer = ?2)",
                                  "tt", period, customer);
    int rc = SQLITE_DONE;
    while (ret == GL_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *wh += sqlite3_column_int64(st, 0);
        *fen += sqlite3_column_int64(st, 1);
        (*count)++;
    }
    if (ret == GL_OK && rc != SQLITE_DONE)
        ret = GL_EDB;
    sqlite3_finalize(st);
    return ret;
}
