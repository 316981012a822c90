/* bo_mqtt.c: `gridledger-backoffice ingest`: the shared-subscription
 * subscriber that feeds bo_ingest.
 *
 * Acknowledgement and commit. libmosquitto 2.0.11 (Debian 12) has no manual
 * acknowledgement, and for QoS 1 its handle__publish sends the PUBACK *before*
 * it calls on_message (seen in its debug log: "sending PUBACK (m1)" precedes
 * the callback; later releases call on_message first). So with this library
 * the broker is told "delivered" a moment before the commit, and:
 *  - the commit is made inside on_message, at once, one transaction per
 *    message; a database failure does not drop the message: on_message keeps
 *    retrying (reopening the database, backing off up to 30 s) until it is
 *    committed, holding back every later message meanwhile;
 *  - what is lost is only a message in memory when this process dies between
 *    that PUBACK and the commit. The up seq makes such a loss visible: the
 *    health report shows per gateway the seqs missing below its highest one,
 *    and `resend GATEWAY SINCE_SEQ` asks the gateway to send them again
 *    (commands body "since_seq" of messages.md); the store is idempotent, so
 *    resending more than needed is harmless.
 * Debian's mosquitto 2.0.11 does not restore $share subscriptions of durable
 * clients (fixed in 2.0.12), so on_connect subscribes again every time. */
#include "bo_mqtt.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bo_ingest.h"
#include "cli.h"

typedef struct ingest_state {
    bo_ctx *ctx;
    bo_db *db;
    long long stored, duplicates, rejected;
    long long max;      /* stop after this many messages (0 = never) */
    int quiet;
    int verbose;
    time_t last_msg;
} ingest_state;

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

struct mosquitto *bo_mqtt_connect(const bo_config *cfg, const char *client_id, int clean, void *obj)
{
    char id[64];
    char host[64] = "host";
    struct mosquitto *m = NULL;
    int rc;
    if (!client_id || !*client_id) {
        gethostname(host, sizeof host - 1);
        snprintf(id, sizeof id, "gl-bo-%.32s-%ld", host, (long)getpid());
        client_id = id;
        clean = 1;
    }
    m = mosquitto_new(client_id, clean, obj);
    if (!m) {
        cli_error("mqtt", "cannot create a client");
        return NULL;
    }
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_reconnect_delay_set(m, 1, 30, true);
    if (cfg->tls) {
        rc = mosquitto_tls_set(m, cfg->ca[0] ? cfg->ca : NULL, NULL, cfg->cert[0] ? cfg->cert : NULL,
                               cfg->key[0] ? cfg->key : NULL, NULL);
        if (rc == MOSQ_ERR_SUCCESS)
            rc = mosquitto_tls_opts_set(m, 1, "tlsv1.2", NULL);
        if (rc != MOSQ_ERR_SUCCESS) {
            cli_error("mqtt", "TLS setup (ca %s, cert %s): %s", cfg->ca, cfg->cert, mosquitto_strerror(rc));
            goto fail;
        }
    }
    for (int attempt = 0;; attempt++) {
        rc = mosquitto_connect(m, cfg->host, cfg->port, cfg->keepalive_s);
        if (rc == MOSQ_ERR_SUCCESS)
            break;
        if (attempt >= 4 || stop_flag) {
            cli_error("mqtt", "connect %s:%d: %s", cfg->host, cfg->port, mosquitto_strerror(rc));
            goto fail;
        }
        sleep(1);
    }
    return m;
fail:
    mosquitto_destroy(m);
    return NULL;
}

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
    ingest_state *s = obj;
    if (rc != 0) {
        cli_error("ingest", "broker refused the connection: %s", mosquitto_connack_string(rc));
        return;
    }
    /* every time: 2.0.11 does not restore $share subscriptions of durable clients */
    int src = mosquitto_subscribe(m, NULL, BO_INGEST_SUB, 1);
    if (src != MOSQ_ERR_SUCCESS)
        cli_error("ingest", "subscribe %s: %s", BO_INGEST_SUB, mosquitto_strerror(src));
    else if (s->verbose)
        fprintf(stderr, "ingest: connected, subscribed to %s\n", BO_INGEST_SUB);
}

static void on_log(struct mosquitto *m, void *obj, int level, const char *str)
{
    (void)m;
    (void)obj;
    (void)level;
    fprintf(stderr, "mqtt: %s\n", str);
}

/* commit: ingests one message; on a database failure reopens the database
 * and tries again, backing off, until committed or the process is stopped. */
static bo_outcome commit(ingest_state *s, const struct mosquitto_message *msg, char *why, size_t whycap)
{
    bo_outcome out = BO_REJECTED;
    unsigned backoff_s = 1;
    for (;;) {
        gl_status st = s->db ? bo_ingest_message(s->db, msg->topic, msg->payload,
                                                 (size_t)(msg->payloadlen > 0 ? msg->payloadlen : 0),
                                                 (long long)time(NULL), &out, why, whycap)
                             : GL_EDB;
        if (st == GL_OK)
            return out;
        cli_error("ingest", "%s: not committed: %s: %s", msg->topic, gl_strerror(st),
                  s->db ? bo_db_error(s->db) : "no database");
        if (stop_flag) {
            cli_error("ingest", "%s: LOST on shutdown (ask the gateway to resend): %.*s", msg->topic,
                      msg->payloadlen > 120 ? 120 : msg->payloadlen, (const char *)msg->payload);
            snprintf(why, whycap, "lost");
            return BO_REJECTED;
        }
        bo_db_close(s->db);
        s->db = NULL;
        sleep(backoff_s);
        backoff_s = backoff_s >= 30 ? 30 : backoff_s * 2;
        if (bo_open_db(s->ctx, &s->db) != GL_OK)
            s->db = NULL;
    }
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
    ingest_state *s = obj;
    char why[256] = "";
    if (s->verbose)
        fprintf(stderr, "ingest: on_message mid %d %s\n", msg->mid, msg->topic);
    switch (commit(s, msg, why, sizeof why)) {
    case BO_STORED:
        s->stored++;
        break;
    case BO_DUPLICATE:
        s->duplicates++;
        break;
    case BO_REJECTED:
        s->rejected++;
        if (!s->quiet)
            cli_error("ingest", "%s: rejected: %s", msg->topic, why);
        break;
    }
    s->last_msg = time(NULL);
    if (s->max > 0 && s->stored + s->duplicates + s->rejected >= s->max)
        mosquitto_disconnect(m);
}

static int parse_args(ingest_state *s, int argc, char **argv, const char **client_id, long long *idle_s)
{
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int r;
        if ((r = bo_take_opt(argc, argv, &i, "--max", &v)) != 0 ||
            (r = bo_take_opt(argc, argv, &i, "--idle-exit", &v)) != 0) {
            char *end = NULL;
            long long n = r > 0 ? strtoll(v, &end, 10) : -1;
            if (r < 0 || !end || *end || n < 0) {
                cli_error("ingest", "%s needs a count", argv[i]);
                return CLI_USAGE;
            }
            if (strcmp(argv[i - 1], "--max") == 0)
                s->max = n;
            else
                *idle_s = n;
        } else if ((r = bo_take_opt(argc, argv, &i, "--client-id", client_id)) != 0) {
            if (r < 0) {
                cli_error("ingest", "--client-id needs a value");
                return CLI_USAGE;
            }
        } else if (strcmp(argv[i], "--quiet") == 0) {
            s->quiet = 1;
        } else if (strcmp(argv[i], "--verbose") == 0) {
            s->verbose = 1;
        } else {
            cli_error("ingest", "unknown option %s", argv[i]);
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

int bo_cmd_ingest(bo_ctx *ctx, int argc, char **argv)
{
    ingest_state s;
    struct mosquitto *m = NULL;
    const char *client_id = NULL;
    long long idle_s = 0;
    int ret;
    memset(&s, 0, sizeof s);
    s.ctx = ctx;
    ret = parse_args(&s, argc, argv, &client_id, &idle_s);
    if (ret != CLI_OK)
        return ret;
    if (bo_config_load(ctx) != GL_OK)
        return CLI_USAGE;
    if (!client_id && ctx->cfg.client_id[0])
        client_id = ctx->cfg.client_id;
    if (bo_open_db(ctx, &s.db) != GL_OK)
        return CLI_FAIL;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    mosquitto_lib_init();
    ret = CLI_FAIL;
    /* a named client is durable (clean session off): the broker keeps its
     * unacknowledged messages across a restart of this process */
    m = bo_mqtt_connect(&ctx->cfg, client_id, 0, &s);
    if (!m)
        goto out;
    mosquitto_connect_callback_set(m, on_connect);
    mosquitto_message_callback_set(m, on_message);
    if (s.verbose)
        mosquitto_log_callback_set(m, on_log);
    s.last_msg = time(NULL);
    /* mosquitto_loop_forever's loop, plus a stop flag for signals and --idle-exit */
    while (!stop_flag) {
        int rc = mosquitto_loop(m, 500, 1);
        if (s.max > 0 && s.stored + s.duplicates + s.rejected >= s.max)
            break;
        if (idle_s > 0 && time(NULL) - s.last_msg >= idle_s)
            break;
        if (rc != MOSQ_ERR_SUCCESS && !stop_flag) {
            if (s.verbose)
                fprintf(stderr, "ingest: connection lost (%s), reconnecting\n", mosquitto_strerror(rc));
            sleep(1);
            mosquitto_reconnect(m);
        }
    }
    mosquitto_disconnect(m);
    mosquitto_loop(m, 100, 1);
    ret = CLI_OK;
out:
    fprintf(stderr, "ingest: stored %lld, duplicates %lld, rejected %lld\n", s.stored, s.duplicates, s.rejected);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    bo_db_close(s.db);
    return ret;
}
