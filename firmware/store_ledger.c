/* store_ledger.c: the store's ledger as core ledger entries (see store_ledger.h). */
#include "store_ledger.h"

#include <stdlib.h>
#include <string.h>

#include "gridledger/civdate.h"
#include "store_internal.h"

#define LEDGER_COLS "date, kind, amount_fen, ref, due"

/* ledger_row: the current row (date, kind, amount_fen, ref, due) as a
 * ledger entry; GL_ECORRUPT for a date or kind the store should not hold. */
static gl_status ledger_row(sqlite3_stmt *st, ledger_entry *e)
{
    char date[16], due[16], kind[24];
    store_copy_col(st, 0, date, sizeof date);
    store_copy_col(st, 1, kind, sizeof kind);
    store_copy_col(st, 4, due, sizeof due);
    store_copy_col(st, 3, e->ref, sizeof e->ref);
    int k = ledger_kind_parse(kind, strlen(kind));
    e->amount_fen = sqlite3_column_int64(st, 2);
    e->due = 0;
    if (k < 0 || civdate_parse(date, strlen(date), &e->date) != GL_OK ||
        (due[0] != '\0' && civdate_parse(due, strlen(due), &e->due) != GL_OK))
        return GL_ECORRUPT;
    e->kind = (ledger_kind)k;
    return GL_OK;
}

gl_status store_ledger_entries(store *s, const char *customer, ledger_entry **out, int *n)
{
    sqlite3_stmt *st = NULL;
    ledger_entry *e = NULL;
    int cap = 0, rc = SQLITE_ROW;
    if (s == NULL || customer == NULL || out == NULL || n == NULL)
        return GL_EINVAL;
    *out = NULL;
    *n = 0;
    gl_status ret =
        store_prepare(s, &st, "SELECT " LEDGER_COLS " FROM ledger WHERE customer = ?1 ORDER BY date, id", "t", customer);
    while (ret == GL_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            ledger_entry *ne = NULL;
            cap = cap ? cap * 2 : 64;
            if (cap > LEDGER_MAX_ENTRIES || (ne = realloc(e, sizeof *e * (size_t)cap)) == NULL) {
                ret = cap > LEDGER_MAX_ENTRIES ? GL_EBOUND : GL_ENOMEM;
                break;
            }
            e = ne;
        }
        ret = ledger_row(st, &e[*n]);
        *n += ret == GL_OK;
    }
    if (ret == GL_OK && rc != SQLITE_DONE)
        ret = store_status_of(rc);
    sqlite3_finalize(st);
    if (ret != GL_OK) {
        free(e);
        *n = 0;
        return ret;
    }
    *out = e;
    return GL_OK;
}

gl_status store_ledger_each(store *s, store_ledger_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_DONE;
    char customer[LEDGER_ID_MAX];
    gl_status ret = store_prepare(s, &st, "SELECT " LEDGER_COLS ", customer FROM ledger ORDER BY customer, date, id", "");
    while (ret == GL_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        ledger_entry e;
        ret = ledger_row(st, &e);
        store_copy_col(st, 5, customer, sizeof customer);
        if (ret == GL_OK)
            ret = fn(ctx, customer, &e);
    }
    if (ret == GL_OK && rc != SQLITE_DONE)
        ret = store_status_of(rc);
    sqlite3_finalize(st);
    return ret;
}

gl_status store_ledger_parts(store *s, const char *customer, const char *prefix, const char *want, int64_t *sum_fen,
                             int *has_want)
{
    sqlite3_stmt *st = NULL;
    *sum_fen = 0;
    *has_want = 0;
    gl_status ret = store_prepare(s, &st,
                                  "SELECT coalesce(sum(amount_fen), 0), coalesce(max(ref = ?3), 0) FROM ledger"
                                  " WHERE customer = ?1 AND kind = 'bill' AND substr(ref, 1, length(?2)) = ?2",
                                  "ttt", customer, prefix, want ? want : "");
    if (ret == GL_OK) {
        int rc = sqlite3_step(st);
        ret = rc == SQLITE_ROW ? GL_OK : store_status_of(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
    }
    if (ret == GL_OK) {
        *sum_fen = sqlite3_column_int64(st, 0);
        *has_want = sqlite3_column_int(st, 1) != 0;
    }
    sqlite3_finalize(st);
    return ret;
}

gl_status store_ledger_last_part(store *s, const char *customer, const char *prefix, int64_t *day)
{
    return store_query_i64(s, day, -1,
                           "SELECT CAST(julianday(max(date)) - 2440587.5 AS INTEGER) FROM ledger"
                           " WHERE customer = ?1 AND kind = 'bill' AND substr(ref, 1, length(?2)) = ?2",
                           "tt", customer, prefix);
}

gl_status store_ledger_usage(store *s, const char *customer, const char *from_date, const char *to_date,
                             int64_t *fen)
{
    return store_query_i64(s, fen, 0,
                           "SELECT coalesce(sum(amount_fen), 0) FROM ledger WHERE customer = ?1 AND kind = 'usage'"
                           " AND substr(ref, 1, 6) = 'usage/' AND date >= ?2 AND date < ?3",
                           "ttt", customer, from_date, to_date);
}

gl_status store_ledger_collected(store *s, const char *from_date, const char *to_date, int64_t *fen)
{
    return store_query_i64(s, fen, 0,
                           "SELECT coalesce(sum(amount_fen), 0) FROM ledger WHERE kind IN ('payment', 'topup')"
                           " AND date >= ?1 AND date < ?2 AND coalesce(substr(ref, 1, 6), '') <> 'carry/'",
                           "tt", from_date, to_date);
}
