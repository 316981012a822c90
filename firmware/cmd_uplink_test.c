/* cmd_uplink_test.c: `gridledger uplink-test`: drives the uplink against a
 * broker without the daemon, for the integration tests and by hand:
 *
 *   gridledger uplink-test --db PATH --gateway ID --host H --port P
 *       (--plain | --ca F --cert F --key F [--server-name N]) --hmac-key F
 *       [--enqueue N] [--kind K] [--drain] [--downlinks K] [--connect-only]
 *       [--timeout S] [--window W] [--now EPOCH] [--offline] [--rate R] [--ts-step S]
 *
 * --enqueue N commits N messages {"n":I} of kind K (readings) to the outbox,
 * all before the run, or with --rate R at most R a second during the run
 * (the gateway producing while the broker may be away; the goal then also
 * waits for all N); message I gets ts = now + (I-1) * S with --ts-step S
 * (a simulated day in a few seconds), else the current --now or clock;
 * --drain runs until the outbox is empty; --downlinks K until K downlink
 * messages were answered; --connect-only until the first CONNACK (exit 1 at
 * the first failed attempt); --offline only enqueues. Payments and top-ups are recorded in the store
 * (a repeated ref is a duplicate); tariffs, config and commands are only
 * printed. Each downlink prints "downlink KIND seq N RESULT". Exit 0 when
 * the goal is reached, 1 on timeout or failure, 2 on usage errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "store.h"
#include "uplink.h"
#include "monotime.h"

typedef struct test_opts {
    const char *db, *gateway, *host, *ca, *cert, *key, *server_name, *hmac, *kind;
    int port, plain, drain, connect_only, offline, window;
    long enqueue, downlinks, timeout_s, rate, ts_step;
    int64_t now;
} test_opts;

/* Progress of --enqueue: messages committed so far, ts of the first. */
typedef struct test_feed {
    long done;
    int64_t ts0;
} test_feed;

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

static int parse_opts(int argc, char **argv, test_opts *o)
{
    long v;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        int used = 1;
        if (strcmp(a, "--plain") == 0) {
            o->plain = 1, used = 0;
        } else if (strcmp(a, "--drain") == 0) {
            o->drain = 1, used = 0;
        } else if (strcmp(a, "--offline") == 0) {
            o->offline = 1, used = 0;
        } else if (strcmp(a, "--connect-only") == 0) {
            o->connect_only = 1, used = 0;
        } else if (val == NULL) {
            cli_error("uplink-test", "%s needs a value", a);
            return 0;
        } else if (strcmp(a, "--db") == 0) {
            o->db = val;
        } else if (strcmp(a, "--gateway") == 0) {
            o->gateway = val;
        } else if (strcmp(a, "--host") == 0) {
            o->host = val;
        } else if (strcmp(a, "--ca") == 0) {
            o->ca = val;
        } else if (strcmp(a, "--cert") == 0) {
            o->cert = val;
        } else if (strcmp(a, "--key") == 0) {
            o->key = val;
        } else if (strcmp(a, "--server-name") == 0) {
            o->server_name = val;
        } else if (strcmp(a, "--hmac-key") == 0) {
            o->hmac = val;
        } else if (strcmp(a, "--kind") == 0) {
            o->kind = val;
        } else if (strcmp(a, "--port") == 0 && parse_long(val, 1, 65535, &v)) {
            o->port = (int)v;
        } else if (strcmp(a, "--window") == 0 && parse_long(val, 1, UPLINK_MAX_INFLIGHT, &v)) {
            o->window = (int)v;
        } else if (strcmp(a, "--enqueue") == 0 && parse_long(val, 0, 10000000, &v)) {
            o->enqueue = v;
        } else if (strcmp(a, "--downlinks") == 0 && parse_long(val, 0, 1000000, &v)) {
            o->downlinks = v;
        } else if (strcmp(a, "--timeout") == 0 && parse_long(val, 1, 86400, &v)) {
            o->timeout_s = v;
        } else if (strcmp(a, "--now") == 0 && parse_long(val, 1, 4102444800L, &v)) {
            o->now = v;
        } else if (strcmp(a, "--rate") == 0 && parse_long(val, 1, 1000000, &v)) {
            o->rate = v;
        } else if (strcmp(a, "--ts-step") == 0 && parse_long(val, 0, 86400, &v)) {
            o->ts_step = v;
        } else {
            cli_error("uplink-test", "bad option %s %s", a, val);
            return 0;
        }
        i += used;
    }
    if (o->db == NULL || o->gateway == NULL || o->host == NULL || o->port == 0 || o->hmac == NULL ||
        (!o->plain && (o->ca == NULL || o->cert == NULL || o->key == NULL))) {
        cli_error("uplink-test", "needs --db --gateway --host --port --hmac-key and --plain or --ca --cert --key");
        return 0;
    }
    return 1;
}

static gl_status apply_money(void *ctx, const downlink_msg *m, char *reason, size_t cap)
{
    gl_status st = store_payment_put(ctx, m->customer, m->amount_fen, m->ref, m->date);
    if (st != GL_OK && st != GL_EEXIST)
        snprintf(reason, cap, "store: %s", gl_strerror(st));
    return st;
}

static gl_status apply_other(void *ctx, const downlink_msg *m, char *reason, size_t cap)
{
    (void)ctx, (void)reason, (void)cap;
    printf("apply %s seq %lld%s%s\n", downlink_kind_name(m->kind), (long long)m->seq, m->json ? " " : "",
           m->json ? m->json : "");
    return GL_OK;
}

static int64_t test_now(const test_opts *o)
{
    return o->now ? o->now : (int64_t)time(NULL);
}

static gl_status make_uplink(const test_opts *o, store *st, uplink **u)
{
    uplink_opts uo = {.gateway_id = o->gateway, .host = o->host, .port = o->port, .st = st, .window = o->window,
                      .keepalive_s = 10, .backoff_min_ms = 200, .backoff_max_ms = 2000,
                      .connect_timeout_ms = 5000, .io_timeout_ms = 5000};
    uo.cb = (uplink_callbacks){st, apply_money, apply_money, apply_other, apply_other, apply_other};
    gl_status ret = downlink_key_load(o->hmac, uo.hmac_key);
    if (ret != GL_OK) {
        cli_error(o->hmac, "%s", ret == GL_EPERM ? "key file readable by group or others (chmod 600)" : gl_strerror(ret));
        return ret;
    }
    if (o->plain) {
        ret = transport_plain_new(&uo.tr);
    } else {
        transport_tls_opts to = {.ca_file = o->ca, .cert_file = o->cert, .key_file = o->key,
                                 .server_name = o->server_name, .resume = 1};
        ret = transport_tls_new(&to, &uo.tr);
        if (ret != GL_OK)
            cli_error("tls", "%s%s", gl_strerror(ret), ret == GL_EPERM ? " (key file readable by group or others)" : "");
    }
    if (ret == GL_OK)
        ret = uplink_new(&uo, u);
    return ret;
}

/* Commits messages f->done+1 .. upto (bounded by --enqueue). */
static gl_status enqueue(uplink *u, const test_opts *o, test_feed *f, long upto)
{
    if (upto > o->enqueue)
        upto = o->enqueue;
    for (long i = f->done + 1; i <= upto; i++) {
        char body[48];
        snprintf(body, sizeof body, "{\"n\":%ld}", i);
        int64_t ts = o->ts_step ? f->ts0 + (i - 1) * o->ts_step : test_now(o);
        gl_status st = uplink_publish(u, o->kind ? o->kind : "readings", body, ts, NULL);
        if (st != GL_OK) {
            cli_error("outbox", "%s", gl_strerror(st));
            return st;
        }
        f->done = i;
    }
    return GL_OK;
}

/* 1 when the goal of the options is reached. */
static int goal_reached(const test_opts *o, store *st, const uplink_stats *s)
{
    if (o->connect_only)
        return s->connected;
    if (o->downlinks > 0 && s->applied + s->duplicates + s->refused < o->downlinks)
        return 0;
    if (o->drain) {
        store_outbox_stats os; /* a count over the outbox: only once nothing is in flight */
        if (s->inflight > 0)
            return 0;
        if (store_outbox_stats_get(st, &os) != GL_OK || os.depth > 0)
            return 0;
    }
    return 1;
}

static int drive(uplink *u, store *st, const test_opts *o, test_feed *f)
{
    time_t deadline = time(NULL) + (o->timeout_s ? o->timeout_s : 60);
    double t0 = monotime_s();
    uplink_stats s;
    for (;;) {
        if (f->done < o->enqueue && enqueue(u, o, f, (long)((monotime_s() - t0) * (double)o->rate) + 1) != GL_OK)
            return CLI_FAIL;
        gl_status ret = uplink_step(u, test_now(o), 50);
        uplink_stats_get(u, &s);
        if (ret != GL_OK) {
            cli_error("uplink", "%s: %s", s.last_error_where, gl_strerror(ret));
            return CLI_FAIL;
        }
        if (f->done == o->enqueue && goal_reached(o, st, &s))
            break;
        if (o->connect_only && s.connect_failures > 0) {
            cli_error("uplink", "%s: %s", s.last_error_where, gl_strerror(s.last_error));
            return CLI_FAIL;
        }
        if (time(NULL) > deadline) {
            cli_error("uplink", "timeout (last error: %s: %s)", s.last_error_where, gl_strerror(s.last_error));
            return CLI_FAIL;
        }
        if (!s.connected) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    printf("published=%lld acked=%lld connects=%lld connect_failures=%lld downlinks=%lld applied=%lld "
           "duplicates=%lld refused=%lld published_bytes=%lld\n",
           (long long)s.published, (long long)s.acked, (long long)s.connects, (long long)s.connect_failures,
           (long long)s.downlinks, (long long)s.applied, (long long)s.duplicates, (long long)s.refused,
           (long long)s.published_bytes);
    return CLI_OK;
}

int cmd_uplink_test(cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    test_opts o = {0};
    if (!parse_opts(argc, argv, &o))
        return CLI_USAGE;
    setvbuf(stdout, NULL, _IOLBF, 0);
    store *st = NULL;
    uplink *u = NULL;
    int rc = CLI_FAIL;
    gl_status ret = store_open(o.db, NULL, &st);
    if (ret != GL_OK) {
        cli_error(o.db, "%s", gl_strerror(ret));
        goto out;
    }
    ret = make_uplink(&o, st, &u);
    if (ret != GL_OK) {
        rc = ret == GL_EINVAL ? CLI_USAGE : CLI_FAIL;
        goto out;
    }
    test_feed f = {0, test_now(&o)};
    if ((o.rate == 0 || o.offline) && enqueue(u, &o, &f, o.enqueue) != GL_OK)
        goto out;
    rc = o.offline ? CLI_OK : drive(u, st, &o, &f);
out:
    uplink_free(u);
    store_close(st);
    return rc;
}
