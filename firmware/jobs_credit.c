/* jobs_credit.c: the daemon's credit jobs over the store's ledger (the same
 * run as credit-calc, see creditrun.h):
 *  - collect (daily, 10:00, soon after a payment arrives, and at the timed
 *    steps it asks for: the one-hour notice, the confirmation, the cut):
 *    each customer's arrears episode is decided from the collection record
 *    (core/episode.c: what was taken and served) and the ledger; what is
 *    taken is recorded (store_collect.h) and goes up as an "actions"
 *    message; a lawful cut opens the relay, principal under the threshold
 *    restores it at once;
 *  - worklist (monthly, the 2nd): the collection worklist goes up;
 *  - grades (1 January and 1 July): grades with their explanations are
 *    stored and go up;
 *  - fee control is in jobs_feectl.c (hourly: each whole day charged once,
 *    then warned, noticed, cut or reconnected by balance). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capstream.h"
#include "creditrun.h"
#include "glog.h"
#include "gridledger/civdate.h"
#include "clock.h"
#include "gridledger/episode.h"
#include "jobs.h"
#include "collrec.h"
#include "store_collect.h"

#define GRADES_PER_MESSAGE 100

gl_status jobs_credit_init(jobs_gw *g)
{
    g->cc = malloc(sizeof *g->cc);
    if (g->cc == NULL)
        return GL_ENOMEM;
    return config_credit(g->cfg, g->cc) == 0 ? GL_OK : GL_ECONFIG;
}

void jobs_credit_free(jobs_gw *g)
{
    free(g->cc);
    g->cc = NULL;
}

int64_t jobs_civil_minute(int64_t t)
{
    int64_t midnight = clock_next_local_midnight(t) - 86400;
    return (int64_t)clock_civil_day(t) * CIVDATE_MINUTES_PER_DAY + (t - midnight) / 60;
}

/* evaluate_kept: the credit run over the store's ledger as of day; the
 * ledger is handed to *kept (the caller frees it: worklist rows point into
 * it) or freed here if kept is NULL. */
static gl_status evaluate_kept(jobs_gw *g, int32_t day, int prepaid_only, creditrun_fn fn, void *ctx,
                               ledgercsv **kept)
{
    diag d;
    ledgercsv *l = NULL;
    char err[160];
    diag_init(&d);
    gl_status st = creditrun_store_ledger(g->store, g->cfg, prepaid_only, &l, &d);
    if (st != GL_OK) {
        jobs_error(g, "credit: ledger: %s %s", gl_strerror(st), d.count ? d.lines[0] : "");
        return st;
    }
    st = creditrun_all(g->cc, g->cfg, g->store, l, day, fn, ctx, err, sizeof err);
    if (st != GL_OK)
        jobs_error(g, "credit: %s", err);
    if (kept != NULL)
        *kept = l;
    else
        ledgercsv_free(l);
    return st;
}

/* jobs_evaluate: the credit run over the store's ledger as of day. */
gl_status jobs_evaluate(jobs_gw *g, int32_t day, int prepaid_only, creditrun_fn fn, void *ctx)
{
    return evaluate_kept(g, day, prepaid_only, fn, ctx, NULL);
}

/* A customer whose decisions could not be committed is looked at again this
 * long after (the collect_timed job), not only at the next day's run. */
#define COLLECT_RETRY_S 300

typedef struct collect_ctx {
    jobs_gw *g;
    int64_t now, now_min;
    int64_t wake;       /* the earliest timed step of any customer (Unix time) */
    int cuts, restores; /* this run's, for the log */
    int failed;         /* customers whose transaction rolled back */
    int opened;         /* this customer's relay opened in the transaction in hand */
} collect_ctx;

static int cut_state(jobs_gw *g, const char *customer)
{
    char key[96], val[32];
    snprintf(key, sizeof key, "cut.%s", customer);
    return store_kv_get(g->store, key, val, sizeof val) == GL_OK && val[0] != '\0';
}

static gl_status cut_set(jobs_gw *g, const char *customer, const char *val)
{
    char key[96];
    snprintf(key, sizeof key, "cut.%s", customer);
    return store_kv_set(g->store, key, val);
}

static int has_relay(const jobs_gw *g, const char *customer)
{
    for (int i = 0; i < g->cfg->nmeters; i++)
        if (g->cfg->meters[i].relay && strcmp(g->cfg->meters[i].customer, customer) == 0)
            return 1;
    return 0;
}

/* The episode a customer is in: kept in kv "episode.CUSTOMER" from its first
 * action until it ends, so a partial payment that moves the earliest unpaid
 * bill does not start a new one (and does not forget the notices served). */
static int episode_get(jobs_gw *g, const char *customer, char *ep, size_t cap)
{
    char key[96];
    snprintf(key, sizeof key, "episode.%s", customer);
    return store_kv_get(g->store, key, ep, cap) == GL_OK && ep[0] != '\0';
}

static gl_status episode_set(jobs_gw *g, const char *customer, const char *ep)
{
    char key[96];
    snprintf(key, sizeof key, "episode.%s", customer);
    return store_kv_set(g->store, key, ep);
}

/* Civil minutes and Unix time around now: zone offsets are whole minutes,
 * so a minute starts at a Unix time divisible by 60. */
static int64_t minute_start(const collect_ctx *c)
{
    return c->now - ((c->now % 60) + 60) % 60;
}

static int64_t ts_of_minute(const collect_ctx *c, int64_t minute)
{
    return minute_start(c) + (minute - c->now_min) * 60;
}

/* minute_of_ts: the minute of ts; with up, the minute at or after it (a
 * proof of service at 14:53:20 counts from 14:54, so every interval the law
 * sets is at least its length). A run's own times are whole minutes. */
static int64_t minute_of_ts(const collect_ctx *c, int64_t ts, int up)
{
    int64_t d = ts - minute_start(c);
    return ts < 0 ? -1 : c->now_min + d / 60 - (d % 60 < 0) + (up && ((d % 60) + 60) % 60 != 0);
}

/* The episode's rows as stored, for load() and the changes sent up (one
 * daemon thread). */
static store_collect_row rows[EPISODE_MAX_RECORD];
static int nrows;

/* records: the episode's rows of store st (into buf, *nbuf of them) as
 * core/episode.c reads them (into rec); -1 on a store error. */
static int records(const collect_ctx *c, store *st, const char *customer, const char *ep, store_collect_row *buf,
                   int *nbuf, episode_rec *rec)
{
    int n = 0, k = 0;
    *nbuf = 0;
    if (store_collect_episode(st, customer, ep, buf, EPISODE_MAX_RECORD, &n) != GL_OK)
        return -1;
    *nbuf = n;
    for (int i = 0; i < n; i++) {
        int a = collect_action_parse(buf[i].action), rs = episode_status_parse(buf[i].status);
        if (a < 0 || rs < 0)
            continue;
        rec[k++] = (episode_rec){(collect_action)a, (episode_status)rs, minute_of_ts(c, buf[i].planned_ts, 0),
                                 minute_of_ts(c, buf[i].taken_ts, 0), minute_of_ts(c, buf[i].served_ts, 1)};
    }
    return k;
}

/* load: the episode's record as core/episode.c reads it. */
static int load(collect_ctx *c, const char *customer, const char *ep, episode_rec *rec)
{
    return records(c, c->g->store, customer, ep, rows, &nrows, rec);
}

/* relay_op: cut (closed 0) or restore (1): through the meter's relay, or,
 * without one, a work order for the field crew. Sets status and proof;
 * returns the store's error. */
static gl_status relay_op(collect_ctx *c, const char *customer, int closed, const char *why, store_collect_row *r)
{
    char reason[160];
    snprintf(r->status, sizeof r->status, "taken");
    if (!has_relay(c->g, customer)) {
        snprintf(r->channel, sizeof r->channel, "field");
        snprintf(r->proof, sizeof r->proof, "work order to the field crew");
        return cut_set(c->g, customer, closed ? "" : "field");
    }
    if (jobs_relay(c->g, customer, closed, why, reason, sizeof reason) != GL_OK) {
        snprintf(r->status, sizeof r->status, "failed");
        snprintf(r->proof, sizeof r->proof, "relay: %.100s", reason);
        return jobs_alert(c->g, c->now, closed ? "restore_failed" : "cut_failed", customer, reason);
    }
    c->opened |= !closed;
    snprintf(r->proof, sizeof r->proof, "relay %s, confirmed by the meter", closed ? "closed" : "opened");
    return cut_set(c->g, customer, closed ? "" : "1");
}

/* served_now: how a notice taken now counts as served (collect_service). */
static void served_now(collect_ctx *c, store_collect_row *r)
{
    char date[CIVDATE_FMT_MAX];
    switch (collect_service_of(&c->g->cc->collect, r->channel)) {
    case COLLECT_SERVICE_POSTED:
        civdate_format(clock_civil_day(c->now), date, sizeof date);
        snprintf(r->proof, sizeof r->proof, "posted %s", date);
        break;
    case COLLECT_SERVICE_ON_SEND:
        snprintf(r->proof, sizeof r->proof, "sent by the gateway (%s)", r->channel);
        break;
    default:
        snprintf(r->status, sizeof r->status, "taken");
        return; /* a receipt or confirmation comes back later */
    }
    snprintf(r->status, sizeof r->status, "served");
    r->served_ts = c->now;
}

/* take_one: carries out one step and records it; the record goes up (in
 * the customer's transaction); returns the store's or the outbox's error. */
static gl_status take_one(collect_ctx *c, const char *customer, const char *ep, const ledger_arrears *a,
                     const episode_take *t)
{
    store_collect_row r;
    memset(&r, 0, sizeof r);
    snprintf(r.customer, sizeof r.customer, "%s", customer);
    snprintf(r.episode, sizeof r.episode, "%s", ep);
    snprintf(r.action, sizeof r.action, "%s", collect_action_name(t->action));
    snprintf(r.channel, sizeof r.channel, "%s", t->channel);
    snprintf(r.reason, sizeof r.reason, "%s", t->reason);
    r.planned_ts = ts_of_minute(c, t->planned_min);
    r.taken_ts = c->now;
    r.served_ts = -1;
    r.deadline_ts = t->deadline_min >= 0 ? ts_of_minute(c, t->deadline_min) : -1;
    r.principal_fen = a->arrears_fen;
    r.penalty_fen = a->penalty_fen;
    gl_status st = GL_OK;
    if (t->action == COLLECT_DISCONNECT || t->action == COLLECT_RESTORE) {
        int restore = t->action == COLLECT_RESTORE;
        st = relay_op(c, customer, restore, restore ? "arrears paid" : "arrears: lawful cut (collection record)", &r);
        if (st == GL_OK && r.status[0] == 't') {
            if (strcmp(r.channel, "field") == 0) /* the relay's own switching is recorded by jobs_relay */
                st = store_event(c->g->store, c->now, restore ? "supply_restored" : "supply_cut", customer,
                                 restore ? "work order: restore" : "work order: cut", 0);
            c->cuts += !restore;
            c->restores += restore;
        }
    } else {
        served_now(c, &r);
    }
    for (int i = 0; i < nrows && t->action == COLLECT_DISCONNECT; i++)
        if (strcmp(rows[i].action, "disconnect") == 0 && strcmp(rows[i].status, "planned") == 0)
            r.id = rows[i].id; /* the planned cut, carried out */
    if (st == GL_OK)
        st = r.id > 0 ? store_collect_update(c->g->store, &r) : store_collect_add(c->g->store, &r, &r.id);
    return st == GL_OK ? jobs_action_up(c->g, &r, c->now) : st;
}

gl_status jobs_action_up(jobs_gw *g, const store_collect_row *r, int64_t now)
{
    if (!g->cfg->uplink.enabled)
        return GL_OK; /* no back office: nothing to queue */
    gl_status st = collrec_put_up(g->store, r, now);
    if (st != GL_OK)
        jobs_error(g, "actions message of %s not queued: %s", r->customer, gl_strerror(st));
    return st;
}

static int timed_notice(const store_collect_row *r)
{
    return strcmp(r->action, "notice_1h") == 0 || strcmp(r->action, "confirm_30min") == 0;
}

/* expiring: into ids (EPISODE_MAX_RECORD), the rows of the loaded record
 * store_collect_expire is about to fail: taken before `before`, never
 * served, not a cut or a restore; their count. */
static int expiring(int64_t before, int64_t *ids)
{
    int n = 0;
    for (int i = 0; i < nrows && n < EPISODE_MAX_RECORD; i++) {
        const store_collect_row *r = &rows[i];
        if (strcmp(r->status, "taken") == 0 && r->taken_ts < before && strcmp(r->action, "disconnect") != 0 &&
            strcmp(r->action, "restore") != 0)
            ids[n++] = r->id;
    }
    return n;
}

/* expire: the episode's notices without proof of service in time become
 * "failed", and each goes up as it now stands (the back office's copy of
 * the record must not keep them "taken"). Leaves the record loaded. */
static gl_status expire(collect_ctx *c, const char *customer, const char *ep, episode_rec *rec, int *n)
{
    int64_t ids[EPISODE_MAX_RECORD];
    int64_t before = c->now - (int64_t)c->g->cc->collect.notice_valid_days * 86400;
    *n = load(c, customer, ep, rec);
    int nids = *n >= 0 ? expiring(before, ids) : 0;
    gl_status st = *n < 0 ? GL_EDB : nids > 0 ? store_collect_expire(c->g->store, customer, ep, before) : GL_OK;
    if (st == GL_OK && nids > 0)
        *n = load(c, customer, ep, rec);
    for (int i = 0; st == GL_OK && *n >= 0 && i < nrows; i++)
        for (int k = 0; k < nids; k++)
            if (rows[i].id == ids[k])
                st = jobs_action_up(c->g, &rows[i], c->now);
    return st == GL_OK && *n < 0 ? GL_EDB : st;
}

/* cancelled_up: the rows store_collect_cancel_pending just cancelled go up. */
static gl_status cancelled_up(collect_ctx *c)
{
    gl_status st = GL_OK;
    for (int i = 0; st == GL_OK && i < nrows; i++) {
        store_collect_row *r = &rows[i];
        if (strcmp(r->status, "planned") != 0 && !(strcmp(r->status, "taken") == 0 && timed_notice(r)))
            continue;
        snprintf(r->status, sizeof r->status, "cancelled");
        st = jobs_action_up(c->g, r, c->now);
    }
    return st;
}

/* plan_cut: the planned cut in the record (one row, moved when the plan
 * moves), sent up when new or moved. */
static gl_status plan_cut(collect_ctx *c, const char *customer, const char *ep, const ledger_arrears *a, int64_t at)
{
    store_collect_row *old = NULL;
    for (int i = 0; i < nrows; i++)
        if (strcmp(rows[i].action, "disconnect") == 0 && strcmp(rows[i].status, "planned") == 0)
            old = &rows[i];
    if (old != NULL && old->planned_ts == at)
        return GL_OK;
    store_collect_row r;
    memset(&r, 0, sizeof r);
    if (old != NULL)
        r = *old;
    snprintf(r.customer, sizeof r.customer, "%s", customer);
    snprintf(r.episode, sizeof r.episode, "%s", ep);
    snprintf(r.action, sizeof r.action, "disconnect");
    snprintf(r.channel, sizeof r.channel, "relay");
    snprintf(r.status, sizeof r.status, "planned");
    snprintf(r.reason, sizeof r.reason, "the first lawful minute, if the timed notices are served and it is not paid");
    r.planned_ts = at;
    r.taken_ts = r.served_ts = r.deadline_ts = -1;
    r.principal_fen = a->arrears_fen;
    r.penalty_fen = a->penalty_fen;
    gl_status st = old != NULL ? store_collect_update(c->g->store, &r) : store_collect_add(c->g->store, &r, &r.id);
    return st == GL_OK ? jobs_action_up(c->g, &r, c->now) : st;
}

/* decide_one: one customer's episode, decided and carried out (in the
 * customer's transaction); returns the store's or the outbox's error. */
static gl_status decide_one(collect_ctx *c, const char *customer, const collect_customer *cc,
                            const ledger_arrears *a)
{
    static episode_rec rec[EPISODE_MAX_RECORD];
    char ep[CIVDATE_FMT_MAX + 4];
    int open = episode_get(c->g, customer, ep, sizeof ep), cut = cut_state(c->g, customer);
    int32_t ref = a->oldest_due >= 0 ? a->oldest_due : a->penalty_since >= 0 ? a->penalty_since : a->next_due;
    if (!open && !cut && (ref < 0 || (a->arrears_fen <= 0 && a->penalty_fen <= 0 && a->not_due_fen <= 0)))
        return GL_OK; /* nothing owed: no episode */
    if (!open)
        civdate_format(ref >= 0 ? ref : clock_civil_day(c->now), ep, sizeof ep);
    const collect_cfg *cfg = &c->g->cc->collect;
    int n = 0;
    nrows = 0;
    gl_status st = open ? expire(c, customer, ep, rec, &n) : GL_OK;
    if (st != GL_OK)
        return st;
    episode_input in = {a, c->now_min, cut, rec, n};
    episode_decision d;
    if (episode_decide(cfg, cc, &in, &d) != GL_OK)
        return GL_OK; /* nothing decided: nothing written */
    int cancelled = 0, cut_now = 0;
    if (open && d.cancel_pending)
        st = store_collect_cancel_pending(c->g->store, customer, ep, c->now, &cancelled);
    if (st == GL_OK && cancelled > 0)
        st = cancelled_up(c);
    if (st == GL_OK && d.ntake > 0 && !open)
        st = episode_set(c->g, customer, ep);
    for (int i = 0; st == GL_OK && i < d.ntake; i++) {
        st = take_one(c, customer, ep, a, &d.take[i]);
        cut_now |= d.take[i].action == COLLECT_DISCONNECT;
    }
    if (st == GL_OK && d.cut_at_min >= 0 && !cut_now && !d.cancel_pending)
        st = plan_cut(c, customer, ep, a, ts_of_minute(c, d.cut_at_min));
    if (st == GL_OK && d.over && open)
        st = episode_set(c->g, customer, "");
    if (d.why_no_cut[0] != '\0' || d.wake_min >= 0)
        glog_debug("collect %s: %s; next look %lld", customer, d.why_no_cut[0] ? d.why_no_cut : "cut planned",
                   (long long)(d.wake_min >= 0 ? ts_of_minute(c, d.wake_min) : -1));
    if (d.wake_min >= 0 && ts_of_minute(c, d.wake_min) < c->wake)
        c->wake = ts_of_minute(c, d.wake_min);
    return st;
}

/* collect_failed: a customer's transaction rolled back: nothing of it is
 * recorded or sent; a cut the record of which was lost is undone (no cut
 * without its evidence), and the customer is looked at again soon. */
static void collect_failed(collect_ctx *c, const char *customer, gl_status st)
{
    char reason[160];
    c->failed++;
    jobs_error(c->g, "collect %s: nothing recorded (%s); again at %lld", customer, gl_strerror(st),
               (long long)(c->now + COLLECT_RETRY_S));
    if (c->opened && jobs_relay(c->g, customer, 1, "the cut could not be recorded", reason, sizeof reason) != GL_OK)
        jobs_error(c->g, "collect %s: unrecorded cut not undone: %s", customer, reason);
    if (c->now + COLLECT_RETRY_S < c->wake)
        c->wake = c->now + COLLECT_RETRY_S;
}

static int collect_one(void *ctx, const ledger_account *acct, const config_customer *cust, const credit_result *r)
{
    collect_ctx *c = ctx;
    if (acct->prepaid && r->arrears.arrears_fen + r->arrears.not_due_fen == 0)
        return 0; /* fee control (jobs_feectl.c); post-paid arrears left at a switch are still chased */
    collect_customer cc = {acct->klass, cust != NULL && cust->important, r->grade.grade};
    c->opened = 0;
    gl_status st = jobs_txn_begin(c->g);
    if (st == GL_OK)
        st = jobs_txn_end(c->g, decide_one(c, acct->customer, &cc, &r->arrears));
    if (st != GL_OK)
        collect_failed(c, acct->customer, st);
    return 0;
}

gl_status jobs_collect(void *ctx, int64_t due, int64_t now)
{
    jobs_gw *g = jobs_of(ctx);
    /* On a simulated clock the steps are taken at the minute they were due:
     * the clock runs on while the gateway works (at x400,000 a millisecond
     * is almost 7 minutes), which would put every timed step hours late. */
    if (g->sim && due <= now && due > now - 86400)
        now = due;
    now -= ((now % 60) + 60) % 60; /* the run takes its steps at a whole minute */
    collect_ctx c = {g, now, jobs_civil_minute(now), INT64_MAX, 0, 0, 0, 0};
    atomic_store(&g->money_changed, 0);
    g->last_collect = now;
    gl_status st = jobs_evaluate(g, clock_civil_day(now), 0, collect_one, &c);
    g->collect_wake = c.wake;
    glog_debug("collection at %lld (due %lld): next timed step %lld", (long long)now, (long long)due,
               (long long)(c.wake == INT64_MAX ? -1 : c.wake));
    if (c.cuts || c.restores)
        glog_info("collection: %d cut, %d restored", c.cuts, c.restores);
    return st == GL_OK && c.failed > 0 ? GL_EDB : st;
}

static int add_row(void *ctx, const ledger_account *acct, const config_customer *cust, const credit_result *r)
{
    jobs_gw *g = ((collect_ctx *)ctx)->g;
    return !creditrun_worklist_add(&g->worklist, g->cc, acct, cust, r);
}

gl_status jobs_worklist(void *ctx, int64_t due, int64_t now)
{
    jobs_gw *g = jobs_of(ctx);
    collect_ctx c = {g, now, jobs_civil_minute(now), INT64_MAX, 0, 0, 0, 0};
    char date[CIVDATE_FMT_MAX];
    ledgercsv *l = NULL;
    creditrun_worklist_free(&g->worklist);
    gl_status st = evaluate_kept(g, clock_civil_day(due), 0, add_row, &c, &l);
    textbuf body;
    textbuf_init(&body, UPLINK_BODY_MAX);
    FILE *f = st == GL_OK ? capstream_open(&body) : NULL;
    if (f != NULL) {
        fprintf(f, "{\"date\":\"%s\",\"rows\":", creditrun_date(clock_civil_day(due), date));
        creditrun_print_worklist_json(f, &g->worklist);
        fputc('}', f);
        st = capstream_close(f, &body);
        if (st == GL_OK)
            st = jobs_publish(g, "worklist", textbuf_str(&body), now);
        else
            jobs_error(g, "worklist message of %zu actions not queued: %s", g->worklist.n, gl_strerror(st));
        glog_info("worklist %s: %zu actions", date, g->worklist.n);
    }
    textbuf_free(&body);
    creditrun_worklist_free(&g->worklist);
    ledgercsv_free(l);
    return st;
}

typedef struct grades_ctx {
    jobs_gw *g;
    int64_t now;
    char as_of[CIVDATE_FMT_MAX];
    textbuf msg;  /* the grades message being filled (GRADES_PER_MESSAGE results) */
    textbuf one;  /* one customer's result */
    int inmsg;
    gl_status st; /* the first failure: the grading rolls back */
} grades_ctx;

/* grades_flush: the message filled so far goes up (in the grading's transaction). */
static gl_status grades_flush(grades_ctx *c)
{
    if (c->inmsg == 0)
        return GL_OK;
    gl_status st = textbuf_puts(&c->msg, "]}");
    if (st == GL_OK)
        st = jobs_publish(c->g, "grades", textbuf_str(&c->msg), c->now);
    else
        jobs_error(c->g, "grades message of %d results not queued: %s", c->inmsg, gl_strerror(st));
    textbuf_reset(&c->msg);
    c->inmsg = 0;
    return st;
}

static int grade_one(void *ctx, const ledger_account *acct, const config_customer *cust, const credit_result *r)
{
    grades_ctx *c = ctx;
    (void)cust;
    textbuf_reset(&c->one);
    FILE *f = capstream_open(&c->one);
    if (f != NULL)
        creditrun_print_json(f, c->g->cc, acct, r, 1);
    gl_status st = capstream_close(f, &c->one);
    const char *obj = textbuf_str(&c->one) + strspn(textbuf_str(&c->one), " \n");
    if (st == GL_OK)
        st = store_grade_put(c->g->store, acct->customer, c->as_of, (int)(r->grade.score_cp / 100),
                             c->g->cc->grade.names[r->grade.grade], obj);
    if (st != GL_OK) {
        jobs_error(c->g, "grade of %s not kept: %s", acct->customer, gl_strerror(st));
        c->st = st;
        return 1;
    }
    if (c->inmsg == 0)
        textbuf_printf(&c->msg, "{\"as_of\":\"%s\",\"results\":[", c->as_of);
    textbuf_puts(&c->msg, c->inmsg++ ? "," : "");
    textbuf_puts(&c->msg, obj);
    if (c->inmsg == GRADES_PER_MESSAGE)
        c->st = grades_flush(c);
    return c->st != GL_OK;
}

/* jobs_grades: every customer's grade stored and sent up, all in one
 * transaction: a failure keeps none of them (and sends none); the job
 * reports it and runs again (sched.h). */
gl_status jobs_grades(void *ctx, int64_t due, int64_t now)
{
    jobs_gw *g = jobs_of(ctx);
    grades_ctx c = {.g = g, .now = now, .st = GL_OK};
    textbuf_init(&c.msg, UPLINK_BODY_MAX);
    textbuf_init(&c.one, UPLINK_BODY_MAX);
    creditrun_date(clock_civil_day(due), c.as_of);
    gl_status st = jobs_txn_begin(g);
    if (st == GL_OK) {
        gl_status run = jobs_evaluate(g, clock_civil_day(due), 0, grade_one, &c);
        if (run == GL_OK)
            run = c.st;
        if (run == GL_OK)
            run = grades_flush(&c);
        st = jobs_txn_end(g, run);
    }
    textbuf_free(&c.msg);
    textbuf_free(&c.one);
    glog_info("grades as of %s: %s", c.as_of, gl_strerror(st));
    if (jobs_poll_intervals(g) == GL_OK) { /* the new grades' reading intervals, from the next poll on */
        daemon_state *d = ctx;
        for (int i = 0; i < d->njobs; i++)
            if (strcmp(d->jobs[i].name, "poll") == 0)
                d->jobs[i].interval_s = jobs_poll_interval_s(g);
    }
    return st;
}

/* ---- a cut commanded by the back office, checked with this record ---- */

typedef struct lawful_ctx {
    collect_ctx c;
    store *st;
    const char *customer;
    int found, lawful;
    char *why;
    size_t cap;
} lawful_ctx;

static int lawful_one(void *ctx, const ledger_account *acct, const config_customer *cust, const credit_result *r)
{
    lawful_ctx *l = ctx;
    char ep[CIVDATE_FMT_MAX + 4], key[96];
    if (strcmp(acct->customer, l->customer) != 0)
        return 0;
    l->found = 1;
    if (acct->prepaid) {
        snprintf(l->why, l->cap, "prepaid: cut by fee control on its balance only");
        return 1;
    }
    store_collect_row *buf = malloc(sizeof *buf * EPISODE_MAX_RECORD);
    episode_rec *rec = malloc(sizeof *rec * EPISODE_MAX_RECORD);
    int nbuf = 0, n = 0;
    snprintf(key, sizeof key, "episode.%s", l->customer);
    if (store_kv_get(l->st, key, ep, sizeof ep) != GL_OK)
        ep[0] = '\0';
    if (buf == NULL || rec == NULL)
        snprintf(l->why, l->cap, "out of memory");
    else if (ep[0] != '\0' && (n = records(&l->c, l->st, l->customer, ep, buf, &nbuf, rec)) < 0)
        snprintf(l->why, l->cap, "store: the collection record cannot be read");
    else {
        collect_customer cc = {acct->klass, cust != NULL && cust->important, r->grade.grade};
        l->lawful = episode_cut_lawful(&l->c.g->cc->collect, &cc, &r->arrears, rec, n, l->c.now_min, l->why, l->cap);
    }
    free(buf);
    free(rec);
    return 1;
}

int jobs_cut_lawful(jobs_gw *g, store *st, const char *customer, int64_t now, char *why, size_t cap)
{
    diag d;
    ledgercsv *l = NULL;
    char err[160];
    lawful_ctx lc = {{g, now, jobs_civil_minute(now), INT64_MAX, 0, 0, 0, 0}, st, customer, 0, 0, why, cap};
    diag_init(&d);
    snprintf(why, cap, "no ledger account of %s", customer);
    if (creditrun_store_ledger(st, g->cfg, 0, &l, &d) != GL_OK) {
        snprintf(why, cap, "ledger: %s", d.count ? d.lines[0] : "cannot be read");
        return 0;
    }
    if (creditrun_all(g->cc, g->cfg, st, l, clock_civil_day(now), lawful_one, &lc, err, sizeof err) != GL_OK && !lc.found)
        snprintf(why, cap, "credit: %s", err);
    ledgercsv_free(l);
    return lc.found && lc.lawful;
}
