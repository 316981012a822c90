/* daemon_jobs.c: the jobs `gridledger run` drives, and the state they
 * share (see jobs.h and daemon.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "glog.h"
#include "fileio.h"
#include "gridledger/textbuf.h"
#include "alerts.h"
#include "jobs.h"
#include "largeup.h"
#include "lineloss.h"
#include "outfmt.h"

jobs_gw *jobs_of(void *ctx)
{
    return ((daemon_state *)ctx)->modules;
}

void jobs_error(jobs_gw *g, const char *fmt, ...)
{
    char msg[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    glog_error("%s", msg);
    if (g->nerrors == JOBS_ERRORS_KEPT) {
        memmove(g->last_errors[0], g->last_errors[1], sizeof g->last_errors[0] * (JOBS_ERRORS_KEPT - 1));
        g->nerrors--;
    }
    snprintf(g->last_errors[g->nerrors++], sizeof g->last_errors[0], "%s", msg);
}

gl_status jobs_publish(jobs_gw *g, const char *kind, const char *body, int64_t now)
{
    int64_t seq = 0;
    if (!g->cfg->uplink.enabled)
        return GL_OK; /* no back office: nothing to queue */
    gl_status st = store_outbox_put(g->store, kind, body, now, &seq);
    if (st != GL_OK)
        jobs_error(g, "outbox: %s message not queued: %s", kind, gl_strerror(st));
    else
        jobs_uplink_wake(g);
    return st;
}

gl_status jobs_txn_begin(jobs_gw *g)
{
    return store_txn_begin(g->store);
}

gl_status jobs_txn_end(jobs_gw *g, gl_status st)
{
    st = store_txn_end(g->store, st);
    if (st == GL_OK)
        jobs_uplink_wake(g); /* the messages of the transaction are committed now */
    return st;
}

gl_status jobs_compact(void *ctx, int64_t due, int64_t now)
{
    (void)due;
    jobs_gw *g = jobs_of(ctx);
    int64_t n = 0;
    gl_status st = store_compact(g->store, now, &n);
    if (st != GL_OK)
        jobs_error(g, "compaction: %s", gl_strerror(st));
    else if (n > 0)
        glog_info("compacted %lld raw readings", (long long)n);
    return st;
}

/* status_body: the status message of messages.md into t. */
static gl_status status_body(jobs_gw *g, int64_t now, textbuf *t)
{
    store_stats ss;
    store_outbox_stats os;
    store_stats_get(g->store, &ss);
    store_outbox_stats_get(g->store, &os);
    textbuf_printf(t,
                   "{\"uptime_s\":%lld,\"polls\":%lld,\"poll_errors\":%lld,\"meters_online\":%d,"
                   "\"meters_offline\":%d,\"outbox_depth\":%lld,\"outbox_dropped\":%lld,"
                   "\"db_bytes\":%lld,\"last_errors\":[",
                   (long long)(now - g->started), (long long)g->polls, (long long)g->poll_errors, g->meters_online,
                   g->meters_offline, (long long)os.depth, (long long)os.dropped, (long long)ss.file_bytes);
    for (int i = 0; i < g->nerrors; i++) {
        textbuf_puts(t, i ? "," : "");
        textbuf_json_str(t, g->last_errors[i]);
    }
    return textbuf_puts(t, "]}");
}

gl_status jobs_status(void *ctx, int64_t due, int64_t now)
{
    (void)due;
    jobs_gw *g = jobs_of(ctx);
    textbuf body;
    textbuf_init(&body, UPLINK_BODY_MAX);
    gl_status st = status_body(g, now, &body);
    if (st == GL_OK)
        st = jobs_publish(g, "status", textbuf_str(&body), now);
    textbuf_free(&body);
    return st;
}

static const char *signal_alert(int kind)
{
    return kind == LINELOSS_SWING ? "usage_swing" : kind == LINELOSS_STUCK ? "suspected_bypass" : "theft_suspect";
}

/* lineloss_alerts: an alert per signal (a stuck counter: suspected_bypass,
 * one alert while it stays stuck; suspicion only, no grade changes); each
 * customer meter's signal alerts not raised this month are ended. */
static gl_status lineloss_alerts(jobs_gw *g, int64_t now, const lineloss_result *r)
{
    static const int kinds[] = {LINELOSS_SWING, LINELOSS_SUSPECT, LINELOSS_STUCK};
    gl_status st = GL_OK;
    for (int i = 0; st == GL_OK && i < r->nsignals; i++)
        st = jobs_alert(g, now, signal_alert(r->signals[i].kind), r->signals[i].meter,
                        r->signals[i].kind == LINELOSS_STUCK ? "counter stood still while the area drew power"
                                                             : r->period);
    for (int m = 0; st == GL_OK && m < g->cfg->nmeters; m++) {
        const char *id = g->cfg->meters[m].id;
        for (size_t k = 0; st == GL_OK && k < sizeof kinds / sizeof kinds[0]; k++) {
            int raised = 0;
            for (int i = 0; i < r->nsignals && !raised; i++)
                raised = r->signals[i].kind == kinds[k] && strcmp(r->signals[i].meter, id) == 0;
            if (!raised)
                st = jobs_alert_end(g, now, signal_alert(kinds[k]), id, r->period);
        }
    }
    return st;
}

/* lineloss_up: the month's figures, its alert and its signals' alerts, in
 * one transaction (a failure sends none of them; the job reports it). */
static gl_status lineloss_up(jobs_gw *g, int64_t now, const lineloss_result *r, const char *body)
{
    gl_status st = jobs_txn_begin(g);
    if (st != GL_OK)
        return st;
    st = jobs_publish(g, "lineloss", body, now);
    if (st == GL_OK && r->fig.alert != AREA_ALERT_NONE)
        st = jobs_alert(g, now, "lineloss", g->cfg->gateway.area, area_alert_name(r->fig.alert));
    else if (st == GL_OK)
        st = jobs_alert_end(g, now, "lineloss", g->cfg->gateway.area, r->period);
    if (st == GL_OK)
        st = lineloss_alerts(g, now, r);
    return jobs_txn_end(g, st);
}

/* jobs_lineloss: on the 1st, last month's area figures go up, with an
 * alert for a loss out of bounds and one per swing or suspicion signal. */
gl_status jobs_lineloss(void *ctx, int64_t due, int64_t now)
{
    jobs_gw *g = jobs_of(ctx);
    int y = 0, m = 0, d = 0;
    clock_civil_date(due - 86400, &y, &m, &d);
    const area_limits lim = AREA_LIMITS_DEFAULT;
    static lineloss_result r; /* one daemon thread; kept off the stack */
    gl_status st = lineloss_month(g->store, g->cfg, &lim, y, m, &r);
    char body[1024];
    if (st == GL_OK)
        st = lineloss_body(&r, g->cfg->gateway.area, body, sizeof body);
    if (st == GL_OK)
        st = lineloss_up(g, now, &r, body);
    if (st != GL_OK)
        jobs_error(g, "lineloss %04d-%02d: %s", y, m, gl_strerror(st));
    return st;
}

/* publish_record: an alert or event body up on topic (alerts|events). */
static gl_status publish_record(jobs_gw *g, int64_t now, const char *topic, const char *kind, const char *subject,
                                const char *detail, int open)
{
    char *body = alerts_body(kind, subject, detail, now, open);
    gl_status st = body != NULL ? jobs_publish(g, topic, body, now) : GL_ENOMEM;
    free(body);
    return st;
}

gl_status jobs_alert_up(jobs_gw *g, int64_t now, const char *kind, const char *subject, const char *detail, int open)
{
    return publish_record(g, now, "alerts", kind, subject, detail, open);
}

gl_status jobs_alert_end(jobs_gw *g, int64_t now, const char *kind, const char *subject, const char *why)
{
    int64_t n = 0;
    gl_status st = jobs_txn_begin(g);
    if (st != GL_OK)
        return st;
    st = store_alert_end(g->store, now, kind, subject, &n);
    if (st == GL_OK && n > 0)
        st = jobs_alert_up(g, now, kind, subject, why, 0);
    return jobs_txn_end(g, st);
}

/* record_event: an event (recorded closed from the start, sent up as
 * events); it ends the alerts alerts.h says it ends for its subject. */
static gl_status record_event(jobs_gw *g, int64_t now, const char *kind, const char *subject, const char *detail)
{
    gl_status st = store_event(g->store, now, kind, subject, detail, 0);
    for (const char *const *end = alerts_ended_by(kind); st == GL_OK && *end != NULL; end++)
        st = jobs_alert_end(g, now, *end, subject, kind);
    return st == GL_OK ? publish_record(g, now, "events", kind, subject, detail, 0) : st;
}

gl_status jobs_alert(jobs_gw *g, int64_t now, const char *kind, const char *subject, const char *detail)
{
    gl_status st = jobs_txn_begin(g);
    if (st != GL_OK)
        return st;
    if (alerts_is_event(kind))
        st = record_event(g, now, kind, subject, detail);
    else if ((st = store_alert_open(g->store, now, kind, subject, detail)) == GL_OK)
        st = jobs_alert_up(g, now, kind, subject, detail, 1);
    else if (st == GL_EEXIST)
        st = GL_OK; /* open already: nothing new */
    return jobs_txn_end(g, st);
}

/* add_job: appends a job to d's table. */
static void add_job(daemon_state *d, sched_job j)
{
    if (d->njobs < DAEMON_MAX_JOBS)
        d->jobs[d->njobs++] = j;
}

/* The job schedule, in the gateway's local civil time (docs/daemon.md lists
 * it); the poll and status intervals and the billing day are the config's. */
enum {
    JOB_BILL_HOUR = 0, /* on billing.cycle_day */
    JOB_BILL_MINUTE = 10,
    JOB_INSTALMENTS_HOUR = 0,
    JOB_INSTALMENTS_MINUTE = 20,
    JOB_LINELOSS_DAY = 1, /* last month's area figures */
    JOB_LINELOSS_HOUR = 1,
    JOB_COMPACT_HOUR = 2,
    JOB_COMPACT_MINUTE = 30,
    JOB_GRADES_DAY = 1, /* of JOB_GRADES_MONTHS */
    JOB_GRADES_HOUR = 3,
    JOB_WORKLIST_DAY = 2,
    JOB_WORKLIST_HOUR = 8,
    JOB_DEPOSITS_HOUR = 9,
    JOB_COLLECT_HOUR = 10,
    JOB_FEECTL_MIN_INTERVAL_S = 3600, /* at most hourly: each day is charged once anyway */
};
#define JOB_GRADES_MONTHS (1u << 0 | 1u << 6) /* January (final) and July (provisional) */

static void add_jobs(daemon_state *d)
{
    const config *c = d->cfg;
    int feectl_s = c->schedule.poll_interval_s > JOB_FEECTL_MIN_INTERVAL_S ? c->schedule.poll_interval_s
                                                                           : JOB_FEECTL_MIN_INTERVAL_S;
    d->njobs = 0;
    add_job(d, (sched_job){.name = "poll", .kind = SCHED_EVERY, .interval_s = jobs_poll_interval_s(d->modules),
                           .run = jobs_poll});
    add_job(d, (sched_job){.name = "status", .kind = SCHED_EVERY, .interval_s = c->schedule.status_interval_s,
                           .run = jobs_status});
    add_job(d, (sched_job){.name = "bill", .kind = SCHED_MONTHLY, .day = c->billing.cycle_day, .hour = JOB_BILL_HOUR,
                           .minute = JOB_BILL_MINUTE, .run = jobs_bill});
    add_job(d, (sched_job){.name = "instalments", .kind = SCHED_DAILY, .hour = JOB_INSTALMENTS_HOUR,
                           .minute = JOB_INSTALMENTS_MINUTE, .run = jobs_instalments});
    add_job(d, (sched_job){.name = "collect", .kind = SCHED_DAILY, .hour = JOB_COLLECT_HOUR, .once = 1,
                           .run = jobs_collect});
    /* the timed steps of a cut (one-hour notice, confirmation, the cut) at
     * the minute the collection asked for; once at start */
    add_job(d, (sched_job){.name = "collect_timed", .kind = SCHED_AT, .at = &((jobs_gw *)d->modules)->collect_wake,
                           .run = jobs_collect});
    add_job(d, (sched_job){.name = "feectl", .kind = SCHED_EVERY, .interval_s = feectl_s, .run = jobs_feectl});
    add_job(d, (sched_job){.name = "deposits", .kind = SCHED_DAILY, .hour = JOB_DEPOSITS_HOUR, .once = 1,
                           .run = jobs_deposits});
    add_job(d, (sched_job){.name = "worklist", .kind = SCHED_MONTHLY, .day = JOB_WORKLIST_DAY,
                           .hour = JOB_WORKLIST_HOUR, .run = jobs_worklist});
    add_job(d, (sched_job){.name = "grades", .kind = SCHED_YEARLY, .day = JOB_GRADES_DAY, .hour = JOB_GRADES_HOUR,
                           .months_mask = JOB_GRADES_MONTHS, .run = jobs_grades});
    add_job(d, (sched_job){.name = "compact", .kind = SCHED_DAILY, .hour = JOB_COMPACT_HOUR,
                           .minute = JOB_COMPACT_MINUTE, .once = 1, .run = jobs_compact});
    add_job(d, (sched_job){.name = "lineloss", .kind = SCHED_MONTHLY, .day = JOB_LINELOSS_DAY,
                           .hour = JOB_LINELOSS_HOUR, .run = jobs_lineloss});
}

/* send_large_customers: the large customers' profile and capacity changes
 * up to the back office when they changed (largeup.h). */
static void send_large_customers(jobs_gw *g, int64_t now)
{
    largeup_result r;
    gl_status st = largeup_sync(g->store, g->cfg, now, &r);
    if (st != GL_OK)
        glog_warn("large customers: not queued: %s", gl_strerror(st));
    else if (r.queued)
        glog_info("large customers: %d sent up (%d capacity changes recorded)", r.customers, r.recorded);
    if (r.conflicts > 0)
        glog_warn("large customers: %d capacity changes differ from their first form: the stored form is kept,"
                  " a correction needs a new id", r.conflicts);
}

void daemon_jobs_record_config(daemon_state *d)
{
    jobs_gw *g = d->modules;
    char *text = NULL;
    size_t len = 0;
    if (g != NULL && fileio_read(d->opts.config_path, 1 << 24, &text, &len) == GL_OK)
        store_config_put(g->store, clock_now(&d->clock), text);
    free(text);
    if (g != NULL && g->cfg->uplink.enabled)
        send_large_customers(g, clock_now(&d->clock));
}

static void job_key(const sched_job *j, char *key, size_t cap)
{
    snprintf(key, cap, "job.%s.next_due", j->name);
}

void daemon_jobs_start(daemon_state *d, int64_t now)
{
    jobs_gw *g = d->modules;
    sched_start(d->jobs, (size_t)d->njobs, now);
    for (int i = 0; i < d->njobs; i++) {
        sched_job *j = &d->jobs[i];
        char key[64], val[32];
        job_key(j, key, sizeof key);
        g->saved_due[i] = -1; /* not saved yet: saved below */
        if (j->kind != SCHED_EVERY && j->kind != SCHED_AT && store_kv_get(g->store, key, val, sizeof val) == GL_OK) {
            int64_t saved = strtoll(val, NULL, 10);
            if (saved > 0 && saved < j->next_due)
                j->next_due = saved; /* missed or interrupted: the catch-up rule runs it */
        }
    }
    daemon_jobs_saved(d);
}

void daemon_jobs_saved(daemon_state *d)
{
    jobs_gw *g = d->modules;
    for (int i = 0; i < d->njobs; i++) {
        sched_job *j = &d->jobs[i];
        char key[64], val[32];
        if (j->kind == SCHED_EVERY || j->kind == SCHED_AT || g->saved_due[i] == j->next_due)
            continue;
        job_key(j, key, sizeof key);
        snprintf(val, sizeof val, "%lld", (long long)j->next_due);
        if (store_kv_set(g->store, key, val) == GL_OK)
            g->saved_due[i] = j->next_due;
    }
}

/* alert_recovered: a store replaced at open (here or by an earlier command)
 * goes up as a store_corrupt alert, once. */
static void alert_recovered(jobs_gw *g)
{
    char detail[STORE_RECOVERED_MAX];
    if (store_kv_get(g->store, STORE_KV_RECOVERED, detail, sizeof detail) != GL_OK || detail[0] == '\0')
        return;
    glog_error("store: %s", detail);
    gl_status st = jobs_txn_begin(g); /* the alert queued and the mark cleared together */
    if (st == GL_OK)
        st = jobs_alert_up(g, g->started, "store_corrupt", g->cfg->store.path, detail, 1);
    if (st == GL_OK)
        st = store_kv_set(g->store, STORE_KV_RECOVERED, "");
    if (jobs_txn_end(g, st) != GL_OK)
        jobs_error(g, "store_corrupt alert not queued: %s; queued at the next start", gl_strerror(st));
}

/* idle: between jobs, what downlink messages asked of the main thread
 * (relay commands, "poll now", a collection re-plan after a payment), then
 * sleep until the next due job. */
static void idle(void *ctx, int64_t now, int64_t next, int64_t speed)
{
    jobs_gw *g = jobs_of(ctx);
    char customer[DOWNLINK_ID_MAX], reason[160];
    int closed = 0;
    while (jobs_uplink_take_relay(g, customer, sizeof customer, &closed))
        if (jobs_relay(g, customer, closed, "back office command", reason, sizeof reason) != GL_OK)
            jobs_error(g, "command: %s", reason);
    if (atomic_load(&g->poll_now)) /* jobs_poll reads every meter and clears the flag */
        jobs_poll(ctx, now, now);
    if (atomic_load(&g->money_changed) && now - g->last_collect >= 60) { /* a payment: re-plan at once (pending steps cancelled, restoration ordered), at most once a minute */
        g->last_collect = now;
        jobs_collect(ctx, now, now);
    }
    /* wake at least once a real second so a relay command or "poll now"
     * from the back office waits no longer than that */
    if (g->up != NULL && next > now + speed)
        next = now + speed;
    clock_sleep_until(&((daemon_state *)ctx)->clock, next);
}

gl_status daemon_jobs_init(daemon_state *d)
{
    jobs_gw *g = calloc(1, sizeof *g);
    if (g == NULL)
        return GL_ENOMEM;
    g->cfg = d->cfg;
    g->started = clock_now(&d->clock);
    g->collect_wake = g->started; /* a timed step the last run planned is found again at start */
    g->clock = &d->clock;
    g->stop = daemon_stop_flag();
    g->reload = daemon_reload_flag();
    g->sim = d->opts.sim;
    if (cli_open_store(d->cfg, &g->store) != CLI_OK) {
        free(g);
        return GL_EIO;
    }
    d->modules = g;
    gl_status st = jobs_poll_init(g);
    if (st == GL_OK)
        st = jobs_bill_init(g);
    if (st == GL_OK)
        st = jobs_credit_init(g);
    if (st == GL_OK)
        st = jobs_uplink_init(g, &d->clock, daemon_drain_ms(&d->opts));
    if (st != GL_OK) {
        daemon_jobs_free(d);
        return st;
    }
    alert_recovered(g);
    add_jobs(d);
    d->idle = idle;
    return GL_OK;
}

void daemon_jobs_free(daemon_state *d)
{
    jobs_gw *g = d->modules;
    if (g == NULL)
        return;
    jobs_uplink_free(g);
    jobs_poll_free(g);
    jobs_bill_free(g);
    jobs_credit_free(g);
    store_close(g->store);
    free(g);
    d->modules = NULL;
    d->njobs = 0;
}
