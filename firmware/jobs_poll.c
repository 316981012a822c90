/* jobs_poll.c: the daemon's polling: each meter is read at its interval
 * (buses in parallel), validated against the state kept in the store,
 * stored in one transaction, and queued up in batches of readings; supply
 * switching through the meters' relays. A meter's interval is the
 * poll_interval_s of its customer's latest stored grade's measures
 * (docs/credit.md "What a grade changes": a poorly rated large customer is
 * read every 15 minutes), else the gateway's poll_interval_s, read at start
 * and after each grading; the job runs at the shortest of them
 * (jobs_poll_interval_s) and keeps each meter's next due time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capstream.h"
#include "glog.h"
#include "jobs.h"
#include "pollstore.h"

gl_status jobs_poll_init(jobs_gw *g)
{
    const config *c = g->cfg;
    if (c->nmeters == 0)
        return GL_OK;
    g->readings = calloc((size_t)c->nmeters, sizeof *g->readings);
    g->events = calloc((size_t)c->nmeters, sizeof *g->events);
    g->poll_due = calloc((size_t)c->nmeters, sizeof *g->poll_due);
    g->poll_next = calloc((size_t)c->nmeters, sizeof *g->poll_next); /* 0: due at the first cycle */
    g->poll_every = calloc((size_t)c->nmeters, sizeof *g->poll_every);
    if (g->readings == NULL || g->events == NULL || g->poll_due == NULL || g->poll_next == NULL ||
        g->poll_every == NULL)
        return GL_ENOMEM;
    jobs_poll_intervals(g);
    gl_status st = poller_new(&c->poll, &g->poller);
    if (st == GL_OK) {
        poller_set_time_sync(g->poller, 1); /* DL/T 645 buses: broadcast time daily */
        pollstore_restore(g->store, c, g->poller);
    }
    return st;
}

void jobs_poll_free(jobs_gw *g)
{
    poller_free(g->poller);
    g->poller = NULL;
    free(g->readings);
    free(g->events);
    free(g->poll_due);
    free(g->poll_next);
    free(g->poll_every);
    g->poll_every = NULL;
    g->readings = NULL;
    g->events = NULL;
    g->poll_due = NULL;
    g->poll_next = NULL;
}

int jobs_poll_interval_s(const jobs_gw *g)
{
    int every = g->cfg->schedule.poll_interval_s;
    for (int i = 0; g->poll_every != NULL && i < g->cfg->nmeters; i++)
        if (g->poll_every[i] > 0 && g->poll_every[i] < every)
            every = g->poll_every[i];
    return every;
}

static int set_interval(void *ctx, const char *customer, int64_t value)
{
    jobs_gw *g = ctx;
    for (int i = 0; value > 0 && value <= 86400 && i < g->cfg->nmeters; i++)
        if (strcmp(g->cfg->meters[i].customer, customer) == 0)
            g->poll_every[i] = (int)value;
    return 0;
}

gl_status jobs_poll_intervals(jobs_gw *g)
{
    if (g->poll_every == NULL)
        return GL_OK;
    for (int i = 0; i < g->cfg->nmeters; i++)
        g->poll_every[i] = g->cfg->schedule.poll_interval_s;
    gl_status st = store_grade_each_int(g->store, "$.measures.reading.poll_interval_s", set_interval, g);
    if (st != GL_OK)
        jobs_error(g, "poll: the graded reading intervals could not be read: %s", gl_strerror(st));
    return st;
}

/* mark_due: which meters are due at `due` (their next due time has come),
 * and when each is due next; returns how many. */
static int mark_due(jobs_gw *g, int64_t due)
{
    int n = g->cfg->nmeters, ndue = 0, all = atomic_load(&g->poll_now); /* "poll now": every meter */
    for (int i = 0; i < n; i++) {
        g->poll_due[i] = all || g->poll_next[i] <= due;
        if (g->poll_due[i]) {
            g->poll_next[i] = due - due % g->poll_every[i] + g->poll_every[i];
            ndue++;
        }
    }
    return ndue;
}

/* batch_readings: readings per uplink message (the config's, always set by
 * config_load; its default otherwise). */
static int batch_readings(const jobs_gw *g)
{
    return g->cfg->uplink.batch_readings > 0 ? g->cfg->uplink.batch_readings : CONFIG_DEFAULT_BATCH_READINGS;
}

/* publish_readings: the cycle's readings up, batch_readings per message. */
static void publish_readings(jobs_gw *g, int64_t now)
{
    int n = g->cfg->nmeters, batch = batch_readings(g);
    for (int i = 0; i < n;) {
        textbuf body;
        int put = 0;
        textbuf_init(&body, UPLINK_BODY_MAX);
        FILE *f = capstream_open(&body);
        if (f == NULL)
            return;
        fputs("{\"readings\":[", f);
        for (; i < n && put < batch; i++) {
            if (!g->poll_due[i])
                continue;
            if (put++ > 0)
                fputc(',', f);
            pollstore_reading_json(f, &g->readings[i]);
        }
        fputs("]}", f);
        gl_status st = capstream_close(f, &body);
        if (st != GL_OK)
            jobs_error(g, "readings message of %d readings not queued: %s", put, gl_strerror(st));
        else if (put > 0)
            jobs_publish(g, "readings", textbuf_str(&body), now);
        textbuf_free(&body);
    }
}

static void count(jobs_gw *g)
{
    g->meters_online = g->meters_offline = 0;
    for (int i = 0; i < g->cfg->nmeters; i++) {
        if (!g->poll_due[i])
            continue;
        if (g->readings[i].status == READING_OK)
            g->meters_online++;
        else if (g->readings[i].status == READING_OFFLINE)
            g->meters_offline++, g->poll_errors++;
        else
            g->poll_errors++;
    }
}

/* The frozen readings stored before a cycle, sent up in messages of batch_readings. */
typedef struct frozen_up {
    jobs_gw *g;
    int64_t now;
    int n, batch;
    textbuf body;
    FILE *f;
} frozen_up;

static void frozen_flush(frozen_up *u)
{
    if (u->f == NULL)
        return;
    fputs("]}", u->f);
    gl_status st = capstream_close(u->f, &u->body);
    u->f = NULL;
    if (st != GL_OK)
        jobs_error(u->g, "readings message of %d frozen readings not queued: %s", u->n, gl_strerror(st));
    else
        jobs_publish(u->g, "readings", textbuf_str(&u->body), u->now);
    textbuf_free(&u->body);
    u->n = 0;
}

static void frozen_add(void *ctx, const reading *r)
{
    frozen_up *u = ctx;
    if (u->f == NULL) {
        textbuf_init(&u->body, UPLINK_BODY_MAX);
        if ((u->f = capstream_open(&u->body)) != NULL)
            fputs("{\"readings\":[", u->f);
    }
    if (u->f == NULL)
        return;
    if (u->n++ > 0)
        fputc(',', u->f);
    pollstore_reading_json(u->f, r);
    if (u->n == u->batch)
        frozen_flush(u);
}

gl_status jobs_poll_frozen(jobs_gw *g, int64_t now)
{
    frozen_up u = {g, now, 0, batch_readings(g), {0}, NULL};
    gl_status st = g->poller != NULL ? pollstore_fill_frozen(g->store, g->cfg, g->poller, now, NULL, frozen_add, &u)
                                     : GL_OK;
    frozen_flush(&u);
    return st;
}

/* events_up: the alerts of the cycle's events (recorded by
 * pollstore_save_state in the same transaction). */
static gl_status events_up(jobs_gw *g, int64_t now)
{
    gl_status st = GL_OK;
    for (int i = 0; st == GL_OK && i < g->cfg->nmeters; i++) {
        const reading *r = &g->readings[i];
        if (!g->poll_due[i])
            continue;
        if (r->flags & READING_FLAG_JUMP) {
            char detail[POLLSTORE_JUMP_DETAIL_MAX];
            pollstore_jump_detail(r, detail, sizeof detail);
            st = jobs_alert_up(g, now, "meter_jump", r->meter, detail, 1);
        }
        if (st != GL_OK)
            break;
        if (g->events[i] == VALIDATE_EVENT_OFFLINE)
            st = jobs_alert_up(g, now, "meter_offline", r->meter, r->error[0] ? r->error : "no answer", 1);
        else if (g->events[i] == VALIDATE_EVENT_ONLINE) /* closes the alert at the back office */
            st = jobs_alert_up(g, now, "meter_offline", r->meter, "answering again", 0);
        else if (g->events[i] == VALIDATE_EVENT_GARBAGE)
            st = jobs_alert_up(g, now, "meter_garbage", r->meter, r->error, 1);
        else if (g->events[i] == VALIDATE_EVENT_SANE)
            st = jobs_alert_up(g, now, "meter_garbage", r->meter, "good readings again", 0);
    }
    return st;
}

/* meter_events: the cycle's validation state and events recorded and their
 * alerts queued, in one transaction (also when the readings wait in memory:
 * the validators have moved on, this cycle is their one chance). */
static gl_status meter_events(jobs_gw *g, int64_t now)
{
    gl_status st = jobs_txn_begin(g);
    if (st != GL_OK)
        return st;
    st = pollstore_save_state(g->store, g->cfg, g->poller, g->readings, g->events, g->poll_due, now);
    if (st == GL_OK)
        st = events_up(g, now);
    st = jobs_txn_end(g, st);
    if (st != GL_OK)
        jobs_error(g, "poll: meter events and their alerts not recorded: %s", gl_strerror(st));
    return st;
}

gl_status jobs_poll(void *ctx, int64_t due, int64_t now)
{
    jobs_gw *g = jobs_of(ctx);
    if (g->poller == NULL) {
        atomic_store(&g->poll_now, 0);
        return GL_OK;
    }
    int ndue = mark_due(g, due);
    atomic_store(&g->poll_now, 0);
    if (ndue == 0)
        return GL_OK;
    pollstore_take_confirmations(g->store, g->cfg, g->poller);
    gl_status st = jobs_poll_frozen(g, now);
    if (st != GL_OK)
        jobs_error(g, "poll: frozen readings: %s", gl_strerror(st));
    if (g->clock != NULL)
        now = clock_now(g->clock); /* the live cycle's own time: reading freezes takes bus time */
    st = poller_poll_due(g->poller, now, g->poll_due, g->readings, g->events);
    if (st != GL_OK) {
        jobs_error(g, "poll: %s", gl_strerror(st));
        return st;
    }
    g->polls++;
    count(g);
    st = pollstore_save_readings(g->store, g->cfg, g->readings, g->poll_due);
    if (st != GL_OK) {
        char why[STORE_PATH_WHY_MAX];
        store_describe_error(store_path(g->store), st, why, sizeof why);
        jobs_error(g, "poll: readings kept in memory (%zu waiting): %s", store_pending(g->store, NULL), why);
    }
    gl_status ev = meter_events(g, now);
    publish_readings(g, now);
    return st != GL_OK ? st : ev;
}

/* meter_of: the index of the customer's meter with a relay, or -1. */
static int meter_of(const jobs_gw *g, const char *customer)
{
    for (int i = 0; i < g->cfg->nmeters; i++)
        if (strcmp(g->cfg->meters[i].customer, customer) == 0 && g->cfg->meters[i].relay)
            return i;
    return -1;
}

gl_status jobs_relay(jobs_gw *g, const char *customer, int closed, const char *why, char *reason, size_t cap)
{
    int i = meter_of(g, customer);
    if (i < 0 || g->poller == NULL) {
        snprintf(reason, cap, "customer %s has no meter with a relay", customer);
        return GL_ENOTFOUND;
    }
    gl_status st = poller_relay(g->poller, i, closed);
    if (st != GL_OK) {
        snprintf(reason, cap, "relay of %s: %s", g->cfg->meters[i].id, gl_strerror(st));
        return st;
    }
    /* the daemon's clock, not 0: a relay event carries the (possibly simulated) time it happened */
    store_event(g->store, g->clock ? clock_now(g->clock) : 0, closed ? "supply_restored" : "supply_cut", customer, why,
                0);
    glog_info("%s supply of %s (%s)", closed ? "restored" : "cut", customer, why);
    return GL_OK;
}
