/* jobs_uplink.c: the daemon's uplink, in a thread of its own, and what
 * downlink messages do to the gateway.
 *
 * The uplink thread has its own store connection (SQLite in WAL: the jobs
 * write readings, bills and outbox messages on theirs, the uplink reads the
 * outbox and deletes what the broker acknowledged on its own), so sending
 * never waits for a poll cycle or a billing run, however fast a simulated
 * clock runs. Downlink payments and top-ups go into the ledger on the
 * uplink's connection; relay commands (for customers with a relay) and "poll
 * now" are handed to the main thread (a small queue under a mutex, and
 * flags) so only the main thread touches the meters; a tariff or a config
 * replaces its file and the daemon reloads; "resend" answers from the
 * outbox. What cannot be carried out is refused with the reason. The thread
 * sleeps while there is nothing to do (uplink_step's idle wait, at most
 * IDLE_MS): a message committed by the jobs (jobs_uplink_wake) or the stop
 * wakes it. At stop the thread drains the outbox for a while (drain_ms,
 * see daemon_drain_ms) and ends. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "collrec.h"
#include "deposits.h"
#include "glog.h"
#include "clock.h"
#include "gridledger/episode.h"
#include "fileio.h"
#include "gridledger/tariff.h"
#include "jobs.h"
#include "payment.h"
#include "paymode.h"

#define IDLE_MS 1000 /* longest idle sleep: the re-check of stop and the gateway clock */
#define STOP_STEP_MS 100 /* while draining at stop: the re-check of the outbox and the deadline */
#define RELAY_QUEUE 64

typedef struct relay_req {
    char customer[DOWNLINK_ID_MAX];
    int closed;
} relay_req;

struct jobs_uplink {
    jobs_gw *g;
    const gl_clock *clock;
    store *store;        /* the uplink thread's own connection */
    uplink *up;
    pthread_t thread;
    atomic_int stop;
    int64_t drain_ms;
    pthread_mutex_t mu;  /* guards the relay queue */
    relay_req queue[RELAY_QUEUE];
    int nqueue;
};

/* known: GL_OK if the config has customer, else GL_ENOTFOUND and why. */
static gl_status known(const jobs_uplink *u, const char *customer, char *reason, size_t cap)
{
    if (config_find_customer(u->g->cfg, customer) >= 0)
        return GL_OK;
    snprintf(reason, cap, "unknown customer %s", customer);
    return GL_ENOTFOUND;
}

/* apply_money: a downlink payment or top-up, by the same rules as the
 * counter's `pay` (payment.h); the ack carries the reason of a refusal. */
static gl_status apply_money(jobs_uplink *u, const downlink_msg *m, int topup, char *reason, size_t cap)
{
    payment_req r = {m->customer, m->date, m->ref, m->amount_fen, topup};
    payment_result res = {"payment", 0, ""};
    gl_status st = store_txn_begin(u->store);
    if (st == GL_OK)
        st = payment_take(u->store, u->g->cfg, &r, clock_civil_day(clock_now(u->clock)), clock_now(u->clock), &res);
    st = store_txn_end(u->store, st);
    if (st == GL_EEXIST)
        snprintf(reason, cap, "%s ref %s already applied", res.kind, m->ref);
    else if (st != GL_OK)
        snprintf(reason, cap, "%s", res.why[0] ? res.why : gl_strerror(st));
    else
        atomic_store(&u->g->money_changed, 1);
    return st;
}

static gl_status on_payment(void *ctx, const downlink_msg *m, char *reason, size_t cap)
{
    return apply_money(ctx, m, 0, reason, cap);
}

static gl_status on_topup(void *ctx, const downlink_msg *m, char *reason, size_t cap)
{
    return apply_money(ctx, m, 1, reason, cap);
}

/* has_relay: GL_OK if one of the customer's meters has a relay, else
 * GL_EUNSUPPORTED and why (the command cannot be carried out here). */
static gl_status has_relay(const jobs_uplink *u, const char *customer, char *reason, size_t cap)
{
    const config *cfg = u->g->cfg;
    for (int i = 0; i < cfg->nmeters; i++)
        if (cfg->meters[i].relay && strcmp(cfg->meters[i].customer, customer) == 0)
            return GL_OK;
    snprintf(reason, cap, "customer %s has no meter with a relay: a field crew must do it", customer);
    return GL_EUNSUPPORTED;
}

static gl_status queue_relay(jobs_uplink *u, const char *customer, int closed, char *reason, size_t cap)
{
    char why[EPISODE_REASON_MAX];
    gl_status st = known(u, customer, reason, cap);
    if (st != GL_OK)
        return st;
    /* a cut from the back office is checked again with this gateway's own
     * ledger and collection record, whatever would carry it out */
    if (!closed && !jobs_cut_lawful(u->g, u->store, customer, clock_now(u->clock), why, sizeof why)) {
        snprintf(reason, cap, "not a lawful cut: %s", why);
        return GL_ESTATE;
    }
    st = has_relay(u, customer, reason, cap);
    if (st != GL_OK)
        return st;
    pthread_mutex_lock(&u->mu);
    if (u->nqueue == RELAY_QUEUE) {
        snprintf(reason, cap, "too many relay commands waiting");
        st = GL_EFULL;
    } else {
        snprintf(u->queue[u->nqueue].customer, sizeof u->queue[0].customer, "%s", customer);
        u->queue[u->nqueue++].closed = closed;
    }
    pthread_mutex_unlock(&u->mu);
    return st;
}

/* ack_alert: the back office acknowledged an alert (it stays listed until
 * its condition ends); GL_ENOTFOUND, with why, if none is open. */
static gl_status ack_alert(jobs_uplink *u, const downlink_msg *m, char *reason, size_t cap)
{
    gl_status st = store_alert_ack(u->store, clock_now(u->clock), m->ref, m->customer, "backoffice");
    if (st == GL_ENOTFOUND)
        snprintf(reason, cap, "no open alert %s about %s to acknowledge", m->ref, m->customer);
    return st;
}

/* resend: the up messages from since_seq on go (again) to the broker if the
 * outbox still holds them: it keeps every message until the broker has
 * acknowledged it and deletes it then, and after any reconnect it sends
 * again all it holds. Refused, with the range that is gone, when the
 * broker acknowledged part of them already. */
static gl_status resend(jobs_uplink *u, int64_t since_seq, char *reason, size_t cap)
{
    store_outbox_stats os;
    gl_status st = store_outbox_stats_get(u->store, &os);
    if (st != GL_OK) {
        snprintf(reason, cap, "store: %s", gl_strerror(st));
        return st;
    }
    int64_t kept = os.depth > 0 ? os.oldest_seq : os.last_seq + 1; /* the first seq still held */
    if (since_seq > os.last_seq) {
        snprintf(reason, cap, "seq %lld not sent yet (last seq %lld)", (long long)since_seq, (long long)os.last_seq);
        return GL_ERANGE;
    }
    if (since_seq < kept) {
        snprintf(reason, cap, "seq %lld..%lld acknowledged by the broker and deleted; the outbox holds seq %lld..%lld",
                 (long long)(since_seq > 0 ? since_seq : 1), (long long)(kept - 1), (long long)kept,
                 (long long)os.last_seq);
        return GL_ENOTFOUND;
    }
    snprintf(reason, cap, "seq %lld..%lld still in the outbox: sent until acknowledged", (long long)since_seq,
             (long long)os.last_seq);
    return GL_OK;
}

/* on_tariff: a tariff pushed by the back office replaces the file of the
 * configured tariff with its id once tariff_parse accepts it (temp file,
 * fsync, rename), then the daemon reloads (the SIGHUP path: billing takes
 * the new tariff; the old one stays if the reload fails). */
static gl_status on_tariff(void *ctx, const downlink_msg *m, char *reason, size_t cap)
{
    jobs_uplink *u = ctx;
    diag *d = malloc(sizeof *d);
    tariff_set *ts = malloc(sizeof *ts);
    gl_status st = GL_ENOMEM;
    if (d == NULL || ts == NULL)
        goto out;
    diag_init(d);
    st = tariff_parse("tariff", m->json, strlen(m->json), d, ts);
    if (st != GL_OK) {
        snprintf(reason, cap, "%s", d->count ? d->lines[0] : gl_strerror(st));
        goto out;
    }
    int i = config_find_tariff(u->g->cfg, ts->id);
    if (i < 0) {
        snprintf(reason, cap, "tariff %s is not one of this gateway's (add it with a config message)", ts->id);
        st = GL_ENOTFOUND;
        goto out;
    }
    st = fileio_write_atomic(u->g->cfg->tariffs[i].path, m->json, strlen(m->json));
    if (st != GL_OK) {
        snprintf(reason, cap, "cannot write %s: %s", u->g->cfg->tariffs[i].path, gl_strerror(st));
        goto out;
    }
    *u->g->reload = 1;
out:
    free(d);
    free(ts);
    return st;
}

/* served: a notice's proof of service from the back office (a delivery
 * report, a collector's confirmation); the served row goes up again. */
static gl_status served(jobs_uplink *u, const downlink_msg *m, char *reason, size_t cap)
{
    int64_t id = 0, now = clock_now(u->clock);
    gl_status st = store_txn_begin(u->store); /* the served row and its actions message together */
    if (st == GL_OK)
        st = store_collect_serve(u->store, m->customer, m->ref, m->record_id, m->served_ts, m->proof, &id);
    if (st == GL_OK)
        st = collrec_queue_up(u->store, m->customer, id, now);
    st = store_txn_end(u->store, st);
    if (st == GL_ENOTFOUND)
        snprintf(reason, cap, "%s: no %s (record %lld) awaiting proof of service", m->customer, m->ref,
                 (long long)m->record_id);
    else if (st != GL_OK)
        snprintf(reason, cap, "%s: proof of service not recorded: %s", m->customer, gl_strerror(st));
    return st;
}

/* payment_mode: the back office moves a customer to prepayment or to
 * load-controlled purchase (paymode.h), recorded with its evidence; the
 * daemon then reloads, so every job sees the new mode (the store's mode
 * overrides the config's at each start). */
static gl_status payment_mode(jobs_uplink *u, const downlink_msg *m, char *reason, size_t cap)
{
    char who[64], proof[96];
    int64_t now = clock_now(u->clock);
    snprintf(who, sizeof who, "backoffice command seq %lld", (long long)m->seq);
    snprintf(proof, sizeof proof, "signed downlink seq %lld, ts %lld", (long long)m->seq, (long long)m->ts);
    paymode_req r = {m->customer, m->mode, m->amount_fen, who, m->proof, proof};
    gl_status st = store_txn_begin(u->store);
    if (st == GL_OK)
        st = paymode_switch(u->store, u->g->cfg, &r, now, reason, cap, NULL);
    st = store_txn_end(u->store, st);
    if (st == GL_OK) {
        snprintf(reason, cap, "%s is %s from now on", m->customer, m->mode);
        atomic_store(&u->g->money_changed, 1);
        *u->g->reload = 1;
    }
    return st;
}

/* deposit: the back office requests, records or releases a cash deposit
 * (deposits.h); a request goes up as a collection action. */
static gl_status deposit(jobs_uplink *u, const downlink_msg *m, char *reason, size_t cap)
{
    char who[64], proof[96];
    int64_t now = clock_now(u->clock);
    store_collect_row row;
    memset(&row, 0, sizeof row);
    snprintf(who, sizeof who, "backoffice command seq %lld", (long long)m->seq);
    snprintf(proof, sizeof proof, "signed downlink seq %lld, ts %lld", (long long)m->seq, (long long)m->ts);
    deposits_req r = {m->customer, m->mode, m->amount_fen, m->ref, who, m->proof, proof};
    gl_status st = store_txn_begin(u->store);
    if (st == GL_OK)
        st = deposits_apply(u->store, u->g->cfg, &r, now, &row, reason, cap);
    /* the request's record goes up on this thread's connection, in the same
     * transaction: through the jobs' connection (in use by their thread) the
     * message could fail ("database error") and be lost */
    if (st == GL_OK && row.id > 0)
        st = collrec_put_up(u->store, &row, now);
    st = store_txn_end(u->store, st);
    if (st == GL_OK)
        atomic_store(&u->g->money_changed, 1);
    return st;
}

static gl_status on_command(void *ctx, const downlink_msg *m, char *reason, size_t cap)
{
    jobs_uplink *u = ctx;
    switch (m->command) {
    case DOWNLINK_CMD_POLL_NOW:
        atomic_store(&u->g->poll_now, 1);
        return GL_OK;
    case DOWNLINK_CMD_DISCONNECT:
    case DOWNLINK_CMD_RECONNECT:
        return queue_relay(u, m->customer, m->command == DOWNLINK_CMD_RECONNECT, reason, cap);
    case DOWNLINK_CMD_ACK_ALERT:
        return ack_alert(u, m, reason, cap);
    case DOWNLINK_CMD_SERVED:
        return served(u, m, reason, cap);
    case DOWNLINK_CMD_RESEND:
        return resend(u, m->since_seq, reason, cap);
    case DOWNLINK_CMD_PAYMENT_MODE:
        return payment_mode(u, m, reason, cap);
    case DOWNLINK_CMD_DEPOSIT:
        return deposit(u, m, reason, cap);
    default:
        snprintf(reason, cap, "command not supported by this gateway");
        return GL_EUNSUPPORTED;
    }
}

/* on_config: a new config is checked as a whole before it replaces the file;
 * the daemon then reloads it (SIGHUP path: the old one stays if it fails). */
static gl_status on_config(void *ctx, const downlink_msg *m, char *reason, size_t cap)
{
    jobs_uplink *u = ctx;
    diag d;
    config *fresh = NULL;
    diag_init(&d);
    gl_status st = config_parse(u->g->cfg->file, m->json, strlen(m->json), &d, &fresh);
    if (st != GL_OK) {
        snprintf(reason, cap, "%s", d.count ? d.lines[0] : gl_strerror(st));
        return st;
    }
    config_free(fresh);
    st = fileio_write_atomic(u->g->cfg->file, m->json, strlen(m->json));
    if (st != GL_OK) {
        snprintf(reason, cap, "cannot write %s: %s", u->g->cfg->file, gl_strerror(st));
        return st;
    }
    *u->g->reload = 1;
    return GL_OK;
}

static void *run(void *arg)
{
    jobs_uplink *u = arg;
    int64_t drain_end = 0;
    for (;;) {
        int stopping = atomic_load(&u->stop);
        store_outbox_stats os;
        if (stopping && drain_end == 0)
            drain_end = clock_mono_ms(u->clock) + u->drain_ms;
        if (stopping && (clock_mono_ms(u->clock) >= drain_end ||
                         (store_outbox_stats_get(u->store, &os) == GL_OK && os.depth == 0)))
            break;
        gl_status st = uplink_step(u->up, clock_now(u->clock), stopping ? STOP_STEP_MS : IDLE_MS);
        if (st != GL_OK)
            glog_warn("uplink: %s", gl_strerror(st));
    }
    return NULL;
}

gl_status jobs_uplink_init(jobs_gw *g, const gl_clock *clock, int64_t drain_ms)
{
    if (!g->cfg->uplink.enabled)
        return GL_OK;
    jobs_uplink *u = calloc(1, sizeof *u);
    if (u == NULL)
        return GL_ENOMEM;
    u->g = g;
    u->clock = clock;
    u->drain_ms = drain_ms;
    pthread_mutex_init(&u->mu, NULL);
    g->up = u;
    uplink_callbacks cb = {.ctx = u, .payment = on_payment, .topup = on_topup, .tariff = on_tariff,
                           .command = on_command, .config = on_config};
    gl_status st = cli_open_store(g->cfg, &u->store) == CLI_OK ? GL_OK : GL_EIO;
    if (st == GL_OK)
        st = uplink_new_from_config(g->cfg, u->store, &cb, clock, &u->up);
    if (st == GL_OK && pthread_create(&u->thread, NULL, run, u) != 0)
        st = GL_ENOMEM;
    if (st != GL_OK) {
        glog_error("uplink: %s", gl_strerror(st));
        uplink_free(u->up);
        u->up = NULL;
    }
    return st;
}

/* take_relay: the next queued relay command, 0 if none. */
int jobs_uplink_take_relay(jobs_gw *g, char *customer, size_t cap, int *closed)
{
    jobs_uplink *u = g->up;
    int got = 0;
    if (u == NULL)
        return 0;
    pthread_mutex_lock(&u->mu);
    if (u->nqueue > 0) {
        snprintf(customer, cap, "%s", u->queue[0].customer);
        *closed = u->queue[0].closed;
        memmove(u->queue, u->queue + 1, sizeof u->queue[0] * (size_t)--u->nqueue);
        got = 1;
    }
    pthread_mutex_unlock(&u->mu);
    return got;
}

void jobs_uplink_wake(jobs_gw *g)
{
    if (g->up != NULL)
        uplink_wake(g->up->up);
}

void jobs_uplink_free(jobs_gw *g)
{
    jobs_uplink *u = g->up;
    if (u == NULL)
        return;
    if (u->up != NULL) {
        atomic_store(&u->stop, 1);
        uplink_wake(u->up);
        pthread_join(u->thread, NULL);
        uplink_free(u->up);
    }
    store_close(u->store);
    pthread_mutex_destroy(&u->mu);
    free(u);
    g->up = NULL;
}
