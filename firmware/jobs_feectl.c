/* jobs_feectl.c: prepaid fee control (费控) in the daemon. Every hour (or
 * every poll interval if longer): each prepaid customer is charged, once per
 * day (ledger ref usage/CUSTOMER/DATE), the tariff price of each whole day
 * not charged yet; then core/feectl.c decides from the balance and the state
 * kept in kv "fee.CUSTOMER" = "SUPPLY_ON WARNED NOTICE_MINUTE": a low-balance
 * alert, the exhaustion notice, the cut (outside no-cut windows, after the
 * notice), or the reconnection after a top-up. Supply is thus limited to
 * what was bought, with a day's granularity of charging. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gridledger/civdate.h"
#include "gridledger/clock.h"
#include "gridledger/feectl.h"
#include "jobs.h"

#define FEE_CATCHUP_DAYS 31

typedef struct fee_state {
    int supply_on, warned;
    long long notice_minute;
} fee_state;

static void state_get(jobs_gw *g, const char *customer, fee_state *fs)
{
    char key[96], val[64];
    snprintf(key, sizeof key, "fee.%s", customer);
    *fs = (fee_state){1, 0, -1};
    if (store_kv_get(g->store, key, val, sizeof val) == GL_OK)
        sscanf(val, "%d %d %lld", &fs->supply_on, &fs->warned, &fs->notice_minute);
}

static void state_set(jobs_gw *g, const char *customer, const fee_state *fs)
{
    char key[96], val[64];
    snprintf(key, sizeof key, "fee.%s", customer);
    snprintf(val, sizeof val, "%d %d %lld", fs->supply_on, fs->warned, fs->notice_minute);
    store_kv_set(g->store, key, val);
}

/* charge_days: the tariff price of each whole day since the last charged one. */
static void charge_days(jobs_gw *g, int ci, int64_t now)
{
    const char *id = g->cfg->customers[ci].id;
    char key[96], val[32], ref[128], date[CIVDATE_FMT_MAX];
    snprintf(key, sizeof key, "fee.charged.%s", id);
    int64_t today = clock_next_local_midnight(now) - 86400, day = today - FEE_CATCHUP_DAYS * 86400;
    if (store_kv_get(g->store, key, val, sizeof val) == GL_OK && strtoll(val, NULL, 10) + 86400 > day)
        day = strtoll(val, NULL, 10) + 86400;
    for (; day < today; day = clock_next_local_midnight(day + 3600)) {
        int64_t next = clock_next_local_midnight(day + 3600), cost = 0;
        if (billing_cost(g->billing, ci, day, next, &cost) == GL_OK && cost > 0) {
            civdate_format(jobs_civil_day(day), date, sizeof date);
            snprintf(ref, sizeof ref, "usage/%s/%s", id, date);
            gl_status st = store_ledger_put(g->store, id, date, "usage", cost, ref, NULL);
            if (st != GL_OK && st != GL_EEXIST)
                return;
        }
        snprintf(val, sizeof val, "%lld", (long long)day);
        store_kv_set(g->store, key, val);
    }
}

typedef struct fee_ctx {
    jobs_gw *g;
    int64_t now, now_min;
} fee_ctx;

static int64_t last_topup_minute(jobs_gw *g, const char *customer)
{
    sqlite3_stmt *st = NULL;
    int64_t m = -1;
    if (sqlite3_prepare_v2(store_db(g->store), "SELECT max(date) FROM ledger WHERE customer = ?1 AND kind = 'topup'", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
        int32_t d = 0;
        const char *t = sqlite3_step(st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (t != NULL && civdate_parse(t, strlen(t), &d) == GL_OK)
            m = (int64_t)d * CIVDATE_MINUTES_PER_DAY;
    }
    sqlite3_finalize(st);
    return m;
}

static void act(fee_ctx *c, const char *customer, const feectl_decision *dc, fee_state *fs)
{
    char reason[128], lvl[16];
    switch (dc->action) {
    case FEECTL_WARN:
        snprintf(lvl, sizeof lvl, "level %d", dc->level);
        jobs_alert(c->g, c->now, "prepaid_low", customer, lvl);
        fs->warned = dc->level;
        break;
    case FEECTL_NOTICE:
        jobs_alert(c->g, c->now, "prepaid_exhausted", customer, "notice");
        fs->notice_minute = c->now_min;
        break;
    case FEECTL_DISCONNECT:
        if (dc->at_minute <= c->now_min && jobs_relay(c->g, customer, 0, "prepaid balance exhausted", reason,
                                                      sizeof reason) == GL_OK) {
            fs->supply_on = 0;
            jobs_alert(c->g, c->now, "supply_cut", customer, "prepaid");
        }
        break;
    case FEECTL_RECONNECT:
        if (jobs_relay(c->g, customer, 1, "topped up", reason, sizeof reason) == GL_OK) {
            *fs = (fee_state){1, 0, -1};
            jobs_alert(c->g, c->now, "supply_restored", customer, "topped up");
        }
        break;
    default:
        break;
    }
}

static int decide(void *ctx, const ledger_account *acct, const config_customer *cust, const credit_result *r)
{
    fee_ctx *c = ctx;
    fee_state fs;
    if (cust == NULL || cust->payment != CONFIG_PAY_PREPAID)
        return 0;
    state_get(c->g, acct->customer, &fs);
    feectl_input in = {r->arrears.prepaid_balance_fen, fs.supply_on, fs.warned, c->now_min, fs.notice_minute,
                       last_topup_minute(c->g, acct->customer)};
    feectl_decision dc;
    if (feectl_decide(&c->g->cc->fee, &c->g->cc->collect.cal, &in, &dc) == GL_OK && dc.action != FEECTL_NONE) {
        act(c, acct->customer, &dc, &fs);
        state_set(c->g, acct->customer, &fs);
    }
    return 0;
}

gl_status jobs_feectl(void *ctx, int64_t due, int64_t now)
{
    (void)due;
    jobs_gw *g = jobs_of(ctx);
    int any = 0;
    for (int ci = 0; ci < g->cfg->ncustomers; ci++)
        if (g->cfg->customers[ci].payment == CONFIG_PAY_PREPAID) {
            charge_days(g, ci, now);
            any = 1;
        }
    if (!any)
        return GL_OK;
    fee_ctx c = {g, now, jobs_civil_minute(now)};
    return jobs_evaluate(g, jobs_civil_day(now), 1, decide, &c);
}
