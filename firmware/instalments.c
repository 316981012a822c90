/* instalments.c: instalment settlement in the ledger (see instalments.h). */
#include "instalments.h"

#include <stdio.h>
#include <string.h>

#include "gridledger/civdate.h"
#include "clock.h"
#include "gridledger/measures.h"
#include "store_grades.h"
#include "store_ledger.h"

/* The parts already posted for customer and period: their sum and whether
 * one has ref `want` (may be NULL). */
static gl_status parts(store *s, const char *customer, const char *period, const char *want, int64_t *sum_fen,
                       int *has_want)
{
    char prefix[2 * CONFIG_ID_MAX + 4];
    snprintf(prefix, sizeof prefix, "%s/%s#", customer, period);
    return store_ledger_parts(s, customer, prefix, want, sum_fen, has_want);
}

gl_status instalments_post_close(store *s, const char *customer, const billing_period *p, const char *date,
                                 int64_t total_fen, const char *ref)
{
    int64_t settled = 0, prepaid = 0, close_fen = 0;
    int dummy = 0;
    char from[12];
    civdate_format(p->from_day, from, sizeof from);
    gl_status st = parts(s, customer, p->name, NULL, &settled, &dummy);
    if (st == GL_OK)
        st = store_ledger_usage(s, customer, from, date, &prepaid);
    if (st != GL_OK)
        return st;
    if (__builtin_sub_overflow(total_fen, settled, &close_fen) || __builtin_sub_overflow(close_fen, prepaid, &close_fen))
        return GL_EOVERFLOW;
    if (close_fen < 0) /* the parts came to more than the month: the rest is a credit */
        return store_ledger_put(s, customer, date, "adjustment", close_fen, ref, NULL);
    return store_ledger_put(s, customer, date, "bill", close_fen, ref, p->due);
}

/* The billing period that holds the civil day today. */
static void period_holding(const config *cfg, int32_t today, billing_period *p)
{
    int y, m, d;
    civdate_to_ymd(today, &y, &m, &d);
    if (d < cfg->billing.cycle_day && --m == 0) {
        m = 12;
        y--;
    }
    billing_period_of(cfg, y, m, p);
}

gl_status instalments_day(billing *b, int ci, int32_t today, int64_t *posted_fen)
{
    const config_customer *c = &b->cfg->customers[ci];
    int days[MEASURES_MAX_INSTALMENTS], n = 0, y, m, d, k, has = 0;
    int64_t cost = 0, settled = 0;
    char ref[2 * CONFIG_ID_MAX + 16], date[12], due[12];
    billing_period p;
    *posted_fen = 0;
    if (c->payment != CONFIG_PAY_POSTPAID)
        return GL_OK;
    gl_status st = store_grade_instalment_days(b->store, c->id, days, MEASURES_MAX_INSTALMENTS - 1, &n);
    if (st != GL_OK || n == 0)
        return st;
    civdate_to_ymd(today, &y, &m, &d);
    for (k = 0; k < n && days[k] != d; k++)
        ;
    period_holding(b->cfg, today, &p);
    if (k == n || today <= p.from_day)
        return GL_OK;
    snprintf(ref, sizeof ref, "%s/%s#%02d", c->id, p.name, d);
    st = parts(b->store, c->id, p.name, ref, &settled, &has);
    if (st != GL_OK || has)
        return st;
    st = billing_cost(b, ci, p.from_ts, clock_make_local(y, m - 1, d, 0, 0, 0), &cost);
    if (st == GL_ENOTFOUND || cost <= settled)
        return GL_OK; /* no readings yet, or nothing more to settle */
    if (st != GL_OK)
        return st;
    civdate_format(today, date, sizeof date);
    civdate_format(today + b->cfg->billing.due_days, due, sizeof due);
    st = store_ledger_put(b->store, c->id, date, "bill", cost - settled, ref, due);
    if (st == GL_OK)
        *posted_fen = cost - settled;
    return st;
}
