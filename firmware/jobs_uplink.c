/* jobs_uplink.c: the daemon's uplink: the MQTT client driven between jobs,
 * and what downlink messages do to the gateway (payments and top-ups into
 * the ledger, relay commands, poll now, tariff and config changes). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "glog.h"
#include "gridledger/clock.h"
#include "gridledger/fileio.h"
#include "jobs.h"

#define IDLE_SLICE_MS 250
#define DRAIN_MS 3000

static gl_status apply_money(jobs_gw *g, const downlink_msg *m, const char *kind, char *reason, size_t cap)
{
    gl_status st = store_ledger_put(g->store, m->customer, m->date, kind, m->amount_fen, m->ref, NULL);
    if (st == GL_EEXIST)
        snprintf(reason, cap, "%s ref %s already applied", kind, m->ref);
    else if (st != GL_OK)
        snprintf(reason, cap, "store: %s", gl_strerror(st));
    if (st == GL_OK)
        g->money_changed = 1;
    return st;
}

static int known_customer(const jobs_gw *g, const char *id)
{
    return config_find_customer(g->cfg, id) >= 0;
}

static gl_status on_payment(void *ctx, const downlink_msg *m, char *reason, size_t cap)
{
    jobs_gw *g = ctx;
    if (!known_customer(g, m->customer)) {
        snprintf(reason, cap, "unknown customer %s", m->customer);
        return GL_ENOTFOUND;
    }
    return apply_money(g, m, "payment", reason, cap);
}

static gl_status on_topup(void *ctx, const downlink_msg *m, char *reason, size_t cap)
{
    jobs_gw *g = ctx;
    if (!known_customer(g, m->customer)) {
        snprintf(reason, cap, "unknown customer %s", m->customer);
        return GL_ENOTFOUND;
    }
    return apply_money(g, m, "topup", reason, cap);
}

static gl_status on_command(void *ctx, const downlink_msg *m, char *reason, size_t cap)
{
    jobs_gw *g = ctx;
    switch (m->command) {
    case DOWNLINK_CMD_POLL_NOW:
        g->poll_now = 1;
        return GL_OK;
    case DOWNLINK_CMD_DISCONNECT:
    case DOWNLINK_CMD_RECONNECT:
        return jobs_relay(g, m->customer, m->command == DOWNLINK_CMD_RECONNECT, "back office command", reason, cap);
    case DOWNLINK_CMD_RESEND:
    default:
        snprintf(reason, cap, "command not supported by this gateway");
        return GL_EUNSUPPORTED;
    }
}

/* on_config: a new config is checked as a whole before it replaces the file;
 * the daemon then reloads it (SIGHUP path: the old one stays if it fails). */
static gl_status on_config(void *ctx, const downlink_msg *m, char *reason, size_t cap)
{
    jobs_gw *g = ctx;
    diag d;
    config *fresh = NULL;
    diag_init(&d);
    gl_status st = config_parse(g->cfg->file, m->json, strlen(m->json), &d, &fresh);
    if (st != GL_OK) {
        snprintf(reason, cap, "%s", d.count ? d.lines[0] : gl_strerror(st));
        return st;
    }
    config_free(fresh);
    st = fileio_write_atomic(g->cfg->file, m->json, strlen(m->json));
    if (st != GL_OK) {
        snprintf(reason, cap, "cannot write %s: %s", g->cfg->file, gl_strerror(st));
        return st;
    }
    daemon_request_reload();
    return GL_OK;
}

gl_status jobs_uplink_init(jobs_gw *g)
{
    if (!g->cfg->uplink.enabled)
        return GL_OK;
    uplink_callbacks cb = {.ctx = g, .payment = on_payment, .topup = on_topup, .command = on_command,
                           .config = on_config};
    gl_status st = uplink_new_from_config(g->cfg, g->store, &cb, &g->up);
    if (st != GL_OK)
        glog_error("uplink: %s", gl_strerror(st));
    return st;
}

void jobs_uplink_idle(void *ctx, int64_t now, int64_t next, int64_t speed)
{
    jobs_gw *g = jobs_of(ctx);
    if (g->up == NULL) {
        clock_sleep_until(&((daemon_state *)ctx)->clock, next);
        return;
    }
    int64_t ms = (next - now) * 1000 / (speed > 0 ? speed : 1);
    int wait = ms < 0 ? 0 : ms > IDLE_SLICE_MS ? IDLE_SLICE_MS : (int)ms;
    gl_status st = uplink_step(g->up, now, wait);
    if (st != GL_OK)
        jobs_error(g, "uplink: %s", gl_strerror(st));
    if (g->poll_now)
        jobs_poll(ctx, now, now);
    if (g->money_changed && now - g->last_collect >= 3600) { /* a payment: re-plan soon, at most hourly */
        g->last_collect = now;
        jobs_collect(ctx, now, now);
    }
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void jobs_uplink_free(jobs_gw *g, int64_t now)
{
    if (g->up == NULL)
        return;
    store_outbox_stats os;
    int64_t end = mono_ms() + DRAIN_MS;
    while (mono_ms() < end && store_outbox_stats_get(g->store, &os) == GL_OK && os.depth > 0)
        if (uplink_step(g->up, now, 100) != GL_OK)
            break;
    uplink_free(g->up);
    g->up = NULL;
}
