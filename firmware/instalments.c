/* instalments.c: instalment settlement in the ledger (see instalments.h). */
#include "instalments.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "gridledger/civil.h"
#include "gridledger/clock.h"
#include "gridledger/measures.h"

/* The parts already posted for customer and period: their sum and whether
 * one has ref `want` (may be NULL). */
static gl_status parts(store *s, const char *customer, const char *period, const char *want, int64_t *sum_fen,
                       int *has_want)
{
    char prefix[2 * CONFIG_ID_MAX + 4];
    sqlite3_stmt *st = NULL;
    snprintf(prefix, sizeof prefix, "%s/%s#", customer, period);
    *sum_fen = 0;
    *has_want = 0;
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT coalesce(sum(amount_fen), 0), coalesce(max(ref = ?3), 0) FROM ledger"
                           " WHERE customer = ?1 AND kind = 'bill' AND substr(ref, 1, length(?2)) = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return GL_EDB;
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, want ? want : "", -1, SQLITE_STATIC);
    gl_status ret = GL_EDB;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *sum_fen = sqlite3_column_int64(st, 0);
        *has_want = sqlite3_column_int(st, 1);
        ret = GL_OK;
    }
    sqlite3_finalize(st);
    return ret;
}

gl_status instalments_post_close(store *s, const char *customer, const char *period, const char *date,
                                 int64_t total_fen, const char *ref, const char *due)
{
    int64_t settled = 0, close_fen = 0;
    int dummy = 0;
    gl_status st = parts(s, customer, period, NULL, &settled, &dummy);
    if (st != GL_OK)
        return st;
    if (__builtin_sub_overflow(total_fen, settled, &close_fen))
        return GL_EOVERFLOW;
    if (close_fen < 0) /* the parts came to more than the month: the rest is a credit */
        return store_ledger_put(s, customer, date, "adjustment", close_fen, ref, NULL);
    return store_ledger_put(s, customer, date, "bill", close_fen, ref, due);
}

/* The instalment days of the customer's latest stored grade; 0 if its
 * billing is not in instalments (or it has no grade yet). */
static int stored_days(store *s, const char *customer, int *days)
{
    sqlite3_stmt *st = NULL;
    int n = 0;
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT json_extract(explanation, '$.measures.billing.mode'),"
                           " json_extract(explanation, '$.measures.billing.instalment_days')"
                           " FROM grades WHERE customer = ?1 ORDER BY as_of DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL && sqlite3_column_text(st, 1) != NULL &&
        strcmp((const char *)sqlite3_column_text(st, 0), "instalments") == 0) {
        cJSON *arr = cJSON_Parse((const char *)sqlite3_column_text(st, 1)), *it;
        cJSON_ArrayForEach(it, arr)
        {
            if (n < MEASURES_MAX_INSTALMENTS - 1 && cJSON_IsNumber(it) && it->valueint >= 1 && it->valueint <= 28)
                days[n++] = it->valueint;
        }
        cJSON_Delete(arr);
    }
    sqlite3_finalize(st);
    return n;
}

/* The billing period that holds the civil day today. */
static void period_holding(const config *cfg, int32_t today, billing_period *p)
{
    int y, m, d;
    civil_from_days(today, &y, &m, &d);
    if (d < cfg->billing.cycle_day && --m == 0) {
        m = 12;
        y--;
    }
    billing_period_of(cfg, y, m, p);
}

gl_status instalments_day(billing *b, int ci, int32_t today, int64_t *posted_fen)
{
    const config_customer *c = &b->cfg->customers[ci];
    int days[MEASURES_MAX_INSTALMENTS], n, y, m, d, k, has = 0;
    int64_t cost = 0, settled = 0;
    char ref[2 * CONFIG_ID_MAX + 16], date[12], due[12];
    billing_period p;
    *posted_fen = 0;
    if (c->payment != CONFIG_PAY_POSTPAID || (n = stored_days(b->store, c->id, days)) == 0)
        return GL_OK;
    civil_from_days(today, &y, &m, &d);
    for (k = 0; k < n && days[k] != d; k++)
        ;
    period_holding(b->cfg, today, &p);
    if (k == n || today <= p.from_day)
        return GL_OK;
    snprintf(ref, sizeof ref, "%s/%s#%02d", c->id, p.name, d);
    gl_status st = parts(b->store, c->id, p.name, ref, &settled, &has);
    if (st != GL_OK || has)
        return st;
    st = billing_cost(b, ci, p.from_ts, clock_make_local(y, m - 1, d, 0, 0, 0), &cost);
    if (st == GL_ENOTFOUND || cost <= settled)
        return GL_OK; /* no readings yet, or nothing more to settle */
    if (st != GL_OK)
        return st;
    civil_format_date(today, date, sizeof date);
    civil_format_date(today + b->cfg->billing.due_days, due, sizeof due);
    st = store_ledger_put(b->store, c->id, date, "bill", cost - settled, ref, due);
    if (st == GL_OK)
        *posted_fen = cost - settled;
    return st;
}
