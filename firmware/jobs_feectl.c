/* jobs_feectl.c: prepaid fee control (费控) in the daemon. Every hour (or
 * every poll interval if longer): each prepaid customer is charged, once per
 * day (ledger ref usage/CUSTOMER/DATE), the tariff price of each whole day
 * not charged yet (load-controlled purchase: the day's energy at the
 * contracted price); then core/feectl.c decides from the balance and the state
 * kept in kv "fee.CUSTOMER" = "SUPPLY_ON WARNED NOTICE_MINUTE": a low-balance
 * alert, the exhaustion notice, the cut (outside no-cut windows, after the
 * notice), or the reconnection after a top-up. Supply is thus limited to
 * what was bought, with a day's granularity of charging. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gridledger/civdate.h"
#include "clock.h"
#include "gridledger/feectl.h"
#include "jobs.h"
#include "store_collect.h"

#define FEE_CATCHUP_DAYS 31
#define FEE_SETTLE_S 60 /* beyond a poll interval, for the day's closing reading to be stored */

/* kv "fee.CUSTOMER" = "SUPPLY_ON WARNED NOTICE_MINUTE TOPUPS": TOPUPS is the
 * number of top-ups seen; a new one resets the warnings and voids the
 * exhaustion notice, so the next cut needs a fresh notice. */
typedef struct fee_state {
    int supply_on, warned;
    long long notice_minute, topups;
} fee_state;

static void state_get(jobs_gw *g, const char *customer, fee_state *fs)
{
    char key[96], val[96];
    snprintf(key, sizeof key, "fee.%s", customer);
    *fs = (fee_state){1, 0, -1, 0};
    if (store_kv_get(g->store, key, val, sizeof val) == GL_OK)
        sscanf(val, "%d %d %lld %lld", &fs->supply_on, &fs->warned, &fs->notice_minute, &fs->topups);
}

static gl_status state_set(jobs_gw *g, const char *customer, const fee_state *fs)
{
    char key[96], val[96];
    snprintf(key, sizeof key, "fee.%s", customer);
    snprintf(val, sizeof val, "%d %d %lld %lld", fs->supply_on, fs->warned, fs->notice_minute, fs->topups);
    return store_kv_set(g->store, key, val);
}

/* day_cost: what customer ci's use of [from, to) costs: the tariff price,
 * or for load-controlled purchase (负荷控制购电) the energy at the contracted
 * load_control price (fee control's rounding). */
static gl_status day_cost(jobs_gw *g, int ci, int64_t from, int64_t to, int64_t *cost_fen)
{
    const config_customer *c = &g->cfg->customers[ci];
    int64_t wh = 0, bal = 0;
    if (!c->load_controlled || c->load_price_micro <= 0)
        return billing_cost(g->billing, ci, from, to, cost_fen);
    gl_status st = billing_energy(g->billing, ci, from, to, &wh);
    if (st == GL_OK)
        st = feectl_charge(&g->cc->fee, wh, c->load_price_micro, &bal);
    *cost_fen = st == GL_OK ? -bal : 0;
    return st;
}

/* charge_days: the price of each whole day since the last charged one. A
 * day is charged once its closing reading has had a poll interval (and a
 * minute) to arrive: charged at the stroke of midnight, the day would miss
 * the reading taken at midnight, and the next day starts from that reading,
 * so the energy between would never be charged. */
static void charge_days(jobs_gw *g, int ci, int64_t now)
{
    const char *id = g->cfg->customers[ci].id;
    char key[96], val[32], ref[128], date[CIVDATE_FMT_MAX];
    snprintf(key, sizeof key, "fee.charged.%s", id);
    int64_t settled = now - (int64_t)g->cfg->schedule.poll_interval_s - FEE_SETTLE_S;
    int64_t today = clock_next_local_midnight(settled) - 86400, day = today - FEE_CATCHUP_DAYS * 86400;
    if (store_kv_get(g->store, key, val, sizeof val) == GL_OK && strtoll(val, NULL, 10) + 86400 > day)
        day = strtoll(val, NULL, 10) + 86400;
    for (; day < today; day = clock_next_local_midnight(day + 3600)) {
        int64_t next = clock_next_local_midnight(day + 3600), cost = 0;
        if (day_cost(g, ci, day, next, &cost) == GL_OK && cost > 0) {
            civdate_format(clock_civil_day(day), date, sizeof date);
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
    int failed; /* customers whose transaction rolled back */
    int opened; /* this customer's relay opened in the transaction in hand */
} fee_ctx;

/* last_topup: the latest top-up's day (as a civil minute, -1 none) and the
 * count; GL_OK or the store's error (then nothing is decided this run). */
static gl_status last_topup(jobs_gw *g, const char *customer, int64_t *minute, long long *count)
{
    char date[CIVDATE_FMT_MAX];
    int64_t n = 0;
    int32_t d = 0;
    gl_status st = store_topups(g->store, customer, date, sizeof date, &n);
    *count = n;
    *minute = st == GL_OK && date[0] && civdate_parse(date, strlen(date), &d) == GL_OK
                  ? (int64_t)d * CIVDATE_MINUTES_PER_DAY
                  : -1;
    return st;
}

/* record: a fee-control step in the collection record (episode "prepaid"),
 * and its actions message, in the customer's transaction. */
static gl_status record(fee_ctx *c, const char *customer, collect_action a, const char *channel, int64_t balance,
                   const char *status, const char *proof, const char *reason)
{
    store_collect_row r;
    memset(&r, 0, sizeof r);
    snprintf(r.customer, sizeof r.customer, "%s", customer);
    snprintf(r.episode, sizeof r.episode, "prepaid");
    snprintf(r.action, sizeof r.action, "%s", collect_action_name(a));
    snprintf(r.channel, sizeof r.channel, "%s", channel);
    snprintf(r.status, sizeof r.status, "%s", status);
    snprintf(r.proof, sizeof r.proof, "%s", proof);
    snprintf(r.reason, sizeof r.reason, "%s", reason);
    r.planned_ts = r.taken_ts = c->now;
    r.served_ts = strcmp(status, "served") == 0 ? c->now : -1;
    r.deadline_ts = -1;
    r.principal_fen = balance < 0 ? -balance : 0;
    gl_status st = store_collect_add(c->g->store, &r, &r.id);
    return st == GL_OK ? jobs_action_up(c->g, &r, c->now) : st;
}

/* notice_served: the newest exhaustion notice, taken at or after since,
 * served at least the notice period before now. */
static int notice_served(fee_ctx *c, const char *customer, int64_t since)
{
    store_collect_row rows[4];
    int n = 0;
    if (store_collect_episode(c->g->store, customer, "prepaid", rows, 4, &n) != GL_OK)
        return 0;
    for (int i = n - 1; i >= 0; i--)
        if (strcmp(rows[i].action, "exhaustion_notice") == 0 && rows[i].taken_ts >= since)
            return strcmp(rows[i].status, "served") == 0 &&
                   rows[i].served_ts + (int64_t)c->g->cc->fee.notice_minutes * 60 <= c->now;
    return 0;
}

/* act: the decision carried out and recorded; the store's or the outbox's
 * error returned (a relay that does not answer is no error: nothing done). */
static gl_status act(fee_ctx *c, const char *customer, const feectl_decision *dc, fee_state *fs, int64_t balance)
{
    char reason[128], lvl[16];
    int sent = collect_service_of(&c->g->cc->collect, "sms") != COLLECT_SERVICE_RECEIPT;
    gl_status st = GL_OK;
    switch (dc->action) {
    case FEECTL_WARN:
        snprintf(lvl, sizeof lvl, "level %d", dc->level);
        st = jobs_alert(c->g, c->now, "prepaid_low", customer, lvl);
        fs->warned = dc->level;
        break;
    case FEECTL_NOTICE:
        st = record(c, customer, COLLECT_EXHAUSTION_NOTICE, "sms", balance, sent ? "served" : "taken",
                    sent ? "sent by the gateway (sms)" : "", "prepaid balance exhausted: supply will be cut");
        if (st == GL_OK)
            st = jobs_alert(c->g, c->now, "prepaid_exhausted", customer, "notice");
        fs->notice_minute = c->now_min;
        break;
    case FEECTL_DISCONNECT:
        if (dc->at_minute > c->now_min || !notice_served(c, customer, c->now - (c->now_min - fs->notice_minute) * 60 - 60))
            break; /* not yet, or the notice has no proof of service yet */
        if (jobs_relay(c->g, customer, 0, "prepaid balance exhausted", reason, sizeof reason) == GL_OK) {
            c->opened = 1;
            fs->supply_on = 0;
            st = record(c, customer, COLLECT_DISCONNECT, "relay", balance, "taken",
                        "relay opened, confirmed by the meter", "prepaid balance exhausted, exhaustion notice served");
        }
        break;
    case FEECTL_RECONNECT:
        if (jobs_relay(c->g, customer, 1, "topped up", reason, sizeof reason) == GL_OK) {
            *fs = (fee_state){1, 0, -1, fs->topups};
            st = record(c, customer, COLLECT_RESTORE, "relay", balance, "taken", "relay closed, confirmed by the meter",
                        "topped up");
        }
        break;
    default:
        break;
    }
    return st;
}

/* decide_one: one prepaid customer decided and carried out, its state,
 * records, alerts and their messages in the caller's transaction. */
static gl_status decide_one(fee_ctx *c, const ledger_account *acct, const credit_result *r)
{
    fee_state fs;
    long long topups = 0;
    state_get(c->g, acct->customer, &fs);
    int64_t topup_min = -1;
    gl_status st = last_topup(c->g, acct->customer, &topup_min, &topups);
    if (st != GL_OK)
        return st; /* the store failed: decide nothing on a guess */
    int changed = topups != fs.topups;
    feectl_input in = {r->arrears.prepaid_balance_fen, fs.supply_on, fs.warned, c->now_min, fs.notice_minute,
                       topup_min, changed};
    fs.topups = topups;
    feectl_decision dc;
    if (feectl_decide(&c->g->cc->fee, &c->g->cc->collect.cal, &in, &dc) != GL_OK)
        return GL_OK;
    if (dc.reset) { /* a top-up: warnings again, and a fresh notice before any cut */
        fs.warned = 0;
        fs.notice_minute = -1;
    }
    if (dc.action != FEECTL_NONE) {
        st = act(c, acct->customer, &dc, &fs, r->arrears.prepaid_balance_fen);
        changed = 1;
    }
    return st == GL_OK && changed ? state_set(c->g, acct->customer, &fs) : st;
}

/* decide: one customer in its own transaction; rolled back, nothing of it
 * is kept or sent (the next run decides again), and a cut whose record was
 * lost is undone: no cut without its evidence. */
static int decide(void *ctx, const ledger_account *acct, const config_customer *cust, const credit_result *r)
{
    fee_ctx *c = ctx;
    char reason[128];
    if (cust == NULL || cust->payment != CONFIG_PAY_PREPAID)
        return 0;
    c->opened = 0;
    gl_status st = jobs_txn_begin(c->g);
    if (st == GL_OK)
        st = jobs_txn_end(c->g, decide_one(c, acct, r));
    if (st == GL_OK)
        return 0;
    c->failed++;
    jobs_error(c->g, "fee control %s: nothing recorded (%s); again at the next run", acct->customer,
               gl_strerror(st));
    if (c->opened && jobs_relay(c->g, acct->customer, 1, "the cut could not be recorded", reason, sizeof reason) != GL_OK)
        jobs_error(c->g, "fee control %s: unrecorded cut not undone: %s", acct->customer, reason);
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
    fee_ctx c = {g, now, jobs_civil_minute(now), 0, 0};
    gl_status st = jobs_evaluate(g, clock_civil_day(now), 1, decide, &c);
    return st == GL_OK && c.failed > 0 ? GL_EDB : st;
}
