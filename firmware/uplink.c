/* uplink.c: the MQTT client over a transport; see uplink.h. */
#include "uplink.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "glog.h"
#include "gridledger/ident.h"
#include "mqttpkt.h"

#define GW_MAX 65
#define TOPIC_MAX 160
#define SUB_PACKET_ID 1        /* SUBSCRIBE uses a fixed id; PUBLISH ids come from seq */
#define RX_READS_PER_STEP 64   /* bound on reads in one step */
#define ENVELOPE_EXTRA 256     /* envelope and topic around a body */
#define TX_BATCH (16u * 1024u) /* PUBLISH packets gathered for one send (one TLS record) */
#define HEAD_MAX (MQTTPKT_MAX_HEADER + 2 + TOPIC_MAX + 2) /* a PUBLISH before its payload */
#define ACK_BATCH 512          /* PUBACKed seqs deleted in one transaction, at most (<= STORE_OUTBOX_ACK_MAX) */
#define ACK_FLUSH_MS 20        /* ... or once the oldest of them waited this long */
#define SEQ_SCAN 256           /* payload bytes read for an oversize downlink's claimed seq */

_Static_assert(ACK_BATCH <= STORE_OUTBOX_ACK_MAX, "a batch of acks is one store_outbox_ack_many call");

typedef struct inflight {
    int64_t seq;
    uint16_t pid;
} inflight;

struct uplink {
    const gl_clock *clock; /* mono_ms and wait_ms: timeouts, keepalive, backoff, idle waits */
    gl_clock real;         /* the clock when the options gave none */
    int wake[2];           /* a pipe: uplink_wake writes, the idle wait reads */
    char gw[GW_MAX];
    char host[256];
    int port;
    transport tr;
    store *st;
    uint8_t key[DOWNLINK_KEY_BYTES];
    int keepalive_ms, window, backoff_min_ms, backoff_max_ms, connect_timeout_ms, io_timeout_ms;
    uint32_t rng;
    uplink_callbacks cb;
    /* connection */
    int up;
    int attempts;
    int64_t next_attempt_ms, last_tx_ms, ping_sent_ms;
    int ping_pending;
    int64_t after_seq;    /* the last seq sent in this connection */
    int64_t max_sent_seq; /* over the process: a seq at or below it is re-sent with DUP */
    inflight fl[UPLINK_MAX_INFLIGHT];
    int nfl;
    int64_t acks[ACK_BATCH]; /* PUBACKed, not yet deleted from the store */
    int nacks;
    int64_t first_ack_ms;    /* when acks[0] came */
    int64_t down_seq;     /* cache of UPLINK_KV_DOWN_SEQ; -1 = not read yet */
    /* buffers */
    uint8_t *rx;
    size_t rx_len, skip_left;
    uint8_t *tx;          /* PUBLISH packets built in place, sent together; grown up to one message */
    size_t tx_cap, tx_used;
    uplink_stats stats;
};

static int kind_valid(const char *k)
{
    size_t n = k ? strlen(k) : 0;
    if (n == 0 || n >= sizeof((store_outbox_msg *)0)->kind)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || k[i] == '_'))
            return 0;
    return 1;
}

gl_status uplink_topic(const char *gateway, const char *kind, char *buf, size_t cap)
{
    if (!ident_valid(gateway, GW_MAX - 1) || !kind_valid(kind) || buf == NULL)
        return GL_EINVAL;
    int n = snprintf(buf, cap, "gl/v1/%s/%s", gateway, kind);
    return n > 0 && (size_t)n < cap ? GL_OK : GL_EBOUND;
}

static uint32_t rng_next(uplink *u)
{
    uint32_t x = u->rng; /* xorshift32: jitter only, not security */
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    u->rng = x ? x : 0x9e3779b9u;
    return u->rng;
}

static void note_error(uplink *u, const char *where, gl_status st)
{
    u->stats.last_error = st;
    snprintf(u->stats.last_error_where, sizeof u->stats.last_error_where, "%s", where);
}

/* The uplink's clock in ms (the injected clock's mono_ms). */
static int64_t mono(const uplink *u)
{
    return clock_mono_ms(u->clock);
}

/* Drops the connection and schedules the next attempt: exponential
 * backoff from backoff_min_ms, capped, with "equal jitter" (half fixed,
 * half random) so that many gateways do not reconnect in step. */
static void connection_lost(uplink *u, const char *where, gl_status st)
{
    int64_t now = mono(u);
    if (u->up) {
        u->stats.disconnects++;
        glog_warn("uplink: %s: %s; reconnecting", where, gl_strerror(st));
    } else {
        u->stats.connect_failures++;
        glog_warn("uplink: connect to %s:%d: %s: %s", u->host, u->port, where, gl_strerror(st));
    }
    note_error(u, where, st);
    u->tr.ops->close(u->tr.ctx);
    u->up = 0;
    u->nfl = 0;
    u->rx_len = 0;
    u->tx_used = 0;
    u->skip_left = 0;
    u->ping_pending = 0;
    int64_t delay = u->backoff_min_ms;
    for (int i = 0; i < u->attempts && delay < u->backoff_max_ms; i++)
        delay *= 2;
    if (delay > u->backoff_max_ms)
        delay = u->backoff_max_ms;
    delay = delay / 2 + (int64_t)(rng_next(u) % (uint32_t)(delay / 2 + 1));
    if (u->attempts < 30)
        u->attempts++;
    u->stats.backoff_ms = (int)delay;
    u->next_attempt_ms = now + delay;
}

/* The wake pipe, both ends non-blocking and close-on-exec; 0 or -1. */
static int wake_pipe(int fds[2])
{
    if (pipe(fds) != 0) {
        fds[0] = fds[1] = -1;
        return -1;
    }
    for (int i = 0; i < 2; i++)
        if (fcntl(fds[i], F_SETFL, O_NONBLOCK) != 0 || fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0)
            return -1;
    return 0;
}

gl_status uplink_new(const uplink_opts *o, uplink **out)
{
    transport tr = o ? o->tr : (transport){0};
    if (out == NULL || o == NULL || !ident_valid(o->gateway_id, GW_MAX - 1) || o->host == NULL ||
        strlen(o->host) >= 256 || o->port < 1 || o->port > 65535 || o->st == NULL || tr.ops == NULL ||
        o->window < 0 || o->window > UPLINK_MAX_INFLIGHT || o->keepalive_s < 0 || o->keepalive_s > 65535) {
        transport_free(&tr);
        return GL_EINVAL;
    }
    *out = NULL;
    uplink *u = calloc(1, sizeof *u);
    if (u == NULL) {
        transport_free(&tr);
        return GL_ENOMEM;
    }
    u->tr = tr;
    u->wake[0] = u->wake[1] = -1;
    clock_init_real(&u->real);
    u->clock = o->clock ? o->clock : &u->real;
    u->rx = malloc(UPLINK_RX_MAX);
    u->tx_cap = 64 * 1024;
    u->tx = malloc(u->tx_cap);
    if (u->rx == NULL || u->tx == NULL) {
        uplink_free(u);
        return GL_ENOMEM;
    }
    if (wake_pipe(u->wake) != 0) {
        uplink_free(u);
        return GL_ENOMEM;
    }
    snprintf(u->gw, sizeof u->gw, "%s", o->gateway_id);
    snprintf(u->host, sizeof u->host, "%s", o->host);
    u->port = o->port;
    u->st = o->st;
    memcpy(u->key, o->hmac_key, sizeof u->key);
    u->keepalive_ms = (o->keepalive_s ? o->keepalive_s : UPLINK_DEFAULT_KEEPALIVE_S) * 1000;
    u->window = o->window ? o->window : UPLINK_DEFAULT_WINDOW;
    u->backoff_min_ms = o->backoff_min_ms > 0 ? o->backoff_min_ms : UPLINK_DEFAULT_BACKOFF_MIN_MS;
    u->backoff_max_ms = o->backoff_max_ms > 0 ? o->backoff_max_ms : UPLINK_DEFAULT_BACKOFF_MAX_MS;
    if (u->backoff_max_ms < u->backoff_min_ms)
        u->backoff_max_ms = u->backoff_min_ms;
    u->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : UPLINK_DEFAULT_TIMEOUT_MS;
    u->io_timeout_ms = o->io_timeout_ms > 0 ? o->io_timeout_ms : UPLINK_DEFAULT_TIMEOUT_MS;
    u->rng = o->seed ? o->seed : (uint32_t)mono(u) ^ (uint32_t)getpid() << 16;
    if (u->rng == 0)
        u->rng = 1;
    u->cb = o->cb;
    u->down_seq = -1;
    *out = u;
    return GL_OK;
}

static gl_status flush_acks(uplink *u);

static gl_status send_all(uplink *u, const uint8_t *buf, size_t len)
{
    gl_status st = u->tr.ops->send(u->tr.ctx, buf, len, u->io_timeout_ms);
    if (st == GL_OK)
        u->last_tx_ms = mono(u);
    return st;
}

void uplink_disconnect(uplink *u)
{
    if (u == NULL)
        return;
    (void)flush_acks(u); /* a failure leaves them in the outbox: sent again */
    if (!u->up)
        return;
    uint8_t b[2];
    size_t n;
    if (mqttpkt_encode_empty(MQTTPKT_DISCONNECT, b, sizeof b, &n) == GL_OK)
        (void)send_all(u, b, n);
    u->tr.ops->close(u->tr.ctx);
    u->up = 0;
    u->nfl = 0;
    u->rx_len = 0;
    u->tx_used = 0;
    u->skip_left = 0;
    u->stats.disconnects++;
    u->next_attempt_ms = 0;
}

void uplink_free(uplink *u)
{
    if (u == NULL)
        return;
    uplink_disconnect(u);
    transport_free(&u->tr);
    for (int i = 0; i < 2; i++)
        if (u->wake[i] >= 0)
            close(u->wake[i]);
    free(u->rx);
    free(u->tx);
    free(u);
}

gl_status uplink_publish(uplink *u, const char *kind, const char *body_json, int64_t ts, int64_t *seq)
{
    if (u == NULL || !kind_valid(kind) || body_json == NULL)
        return GL_EINVAL;
    if (strlen(body_json) + ENVELOPE_EXTRA + sizeof u->gw > UPLINK_MSG_MAX)
        return GL_EBOUND;
    gl_status st = store_outbox_put(u->st, kind, body_json, ts, seq);
    if (st == GL_OK)
        uplink_wake(u);
    return st;
}

void uplink_wake(uplink *u)
{
    if (u == NULL || u->wake[1] < 0)
        return;
    ssize_t n = write(u->wake[1], "w", 1); /* full pipe: a wake is pending already */
    (void)n;
}

/* Empties the wake pipe (after a wait that it ended). */
static void wake_drain(uplink *u)
{
    char b[64];
    while (read(u->wake[0], b, sizeof b) > 0)
        ;
}

/* Sleeps up to ms on the clock: until the connection has bytes (when up),
 * uplink_wake is called, or the time is over. 1 if woken early. */
static int idle_wait(uplink *u, int64_t ms)
{
    if (ms <= 0)
        return 0;
    int fds[2] = {u->wake[0], u->up ? u->tr.ops->fd(u->tr.ctx) : -1};
    int woke = clock_wait_ms(u->clock, fds, 2, ms);
    if (woke)
        wake_drain(u);
    return woke;
}

/* Packet id of a seq: stable across reconnects and restarts, as
 * [MQTT-4.4.0-1] wants for re-sent messages; never 0. */
static uint16_t pid_of(int64_t seq)
{
    return (uint16_t)((seq - 1) % 65535 + 1);
}

static int pid_busy(const uplink *u, uint16_t pid)
{
    for (int i = 0; i < u->nfl; i++)
        if (u->fl[i].pid == pid)
            return 1;
    return 0;
}

/* Grows a buffer to need bytes (never past one largest message after a
 * batch). */
static gl_status ensure(uint8_t **buf, size_t *cap, size_t need)
{
    if (need > TX_BATCH + UPLINK_MSG_MAX + HEAD_MAX)
        return GL_EBOUND;
    if (need <= *cap)
        return GL_OK;
    uint8_t *p = realloc(*buf, need);
    if (p == NULL)
        return GL_ENOMEM;
    *buf = p;
    *cap = need;
    return GL_OK;
}

#define ENVELOPE_FMT "{\"v\":1,\"gateway\":\"%s\",\"seq\":%lld,\"ts\":%lld,\"kind\":\"%s\",\"body\":"

/* Sends the PUBLISH packets gathered in u->tx (one write, one TLS record
 * per TX_BATCH bytes rather than one per message). */
static gl_status send_batch(uplink *u)
{
    if (u->tx_used == 0)
        return GL_OK;
    gl_status st = send_all(u, u->tx, u->tx_used);
    u->tx_used = 0;
    if (st != GL_OK)
        connection_lost(u, "send", st);
    return st;
}

/* Appends one PUBLISH with the envelope of CONTRACT.md around a stored
 * body to u->tx, written once in place: head, envelope, body (the
 * envelope's length is measured first so the head can go before it).
 * A batch that would grow past TX_BATCH is sent first. *len: its size. */
static gl_status encode_message(uplink *u, const store_outbox_msg *m, size_t *len)
{
    char topic[TOPIC_MAX];
    gl_status st = uplink_topic(u->gw, m->kind, topic, sizeof topic);
    if (st != GL_OK)
        return st;
    size_t body_len = strlen(m->body);
    if (body_len + ENVELOPE_EXTRA + sizeof u->gw > UPLINK_MSG_MAX)
        return GL_EBOUND;
    int n = snprintf(NULL, 0, ENVELOPE_FMT, u->gw, (long long)m->seq, (long long)m->ts, m->kind);
    if (n < 0 || (size_t)n > ENVELOPE_EXTRA)
        return GL_EBOUND;
    mqttpkt_publish p = {.topic = topic, .payload_len = (size_t)n + body_len + 1, .qos = 1,
                         .dup = m->seq <= u->max_sent_seq, .packet_id = pid_of(m->seq)};
    size_t most = HEAD_MAX + p.payload_len + 1; /* + snprintf's NUL, overwritten by the body */
    if (u->tx_used > 0 && u->tx_used + most > TX_BATCH && send_batch(u) != GL_OK)
        return GL_ENET;
    if ((st = ensure(&u->tx, &u->tx_cap, u->tx_used + most)) != GL_OK)
        return st;
    uint8_t *w = u->tx + u->tx_used;
    size_t hlen = 0;
    if ((st = mqttpkt_encode_publish_head(&p, w, u->tx_cap - u->tx_used, &hlen)) != GL_OK)
        return st;
    snprintf((char *)w + hlen, (size_t)n + 1, ENVELOPE_FMT, u->gw, (long long)m->seq, (long long)m->ts, m->kind);
    memcpy(w + hlen + n, m->body, body_len);
    w[hlen + (size_t)n + body_len] = '}';
    *len = hlen + p.payload_len;
    u->tx_used += *len;
    return GL_OK;
}

/* A stored message that can never be sent: deleted (logged, counted)
 * rather than blocking the queue. */
static gl_status drop_unsendable(uplink *u, const store_outbox_msg *m, gl_status why)
{
    glog_error("uplink: outbox message %lld (%s) cannot be sent: %s; deleted", (long long)m->seq, m->kind,
               gl_strerror(why));
    u->stats.oversize++;
    u->after_seq = m->seq;
    return store_outbox_ack(u->st, m->seq);
}

/* Encodes one fetched message into the batch and puts it in the window;
 * 0 to go on, 1 to stop filling (its packet id is still in flight, or the
 * link broke), -1 with *err on a store or memory failure. */
static int window_add(uplink *u, const store_outbox_msg *m, gl_status *err)
{
    uint16_t pid = pid_of(m->seq);
    if (pid_busy(u, pid))
        return 1; /* wait for the older one's PUBACK */
    size_t len = 0;
    gl_status st = encode_message(u, m, &len);
    if (st == GL_ENET)
        return 1;
    if (st == GL_EBOUND || st == GL_EINVAL)
        st = drop_unsendable(u, m, st);
    else if (st == GL_OK) {
        u->fl[u->nfl].seq = m->seq;
        u->fl[u->nfl].pid = pid;
        u->nfl++;
        u->after_seq = m->seq;
        if (m->seq > u->max_sent_seq)
            u->max_sent_seq = m->seq;
        u->stats.published++;
        u->stats.published_bytes += (int64_t)len;
    }
    *err = st;
    return st == GL_OK ? 0 : -1;
}

/* Sends waiting messages until the window is full or the outbox is empty:
 * the free places' worth of rows in one query, their packets in one
 * batch. */
static gl_status fill_window(uplink *u)
{
    store_outbox_msg rows[UPLINK_MAX_INFLIGHT];
    gl_status ret = GL_OK;
    int stop = 0;
    while (!stop && u->up && u->nfl < u->window) {
        size_t n = 0;
        gl_status st = store_outbox_next_many(u->st, u->after_seq, rows, (size_t)(u->window - u->nfl), &n);
        if (st != GL_OK) {
            note_error(u, "outbox", st);
            ret = st;
            break;
        }
        stop = n == 0;
        for (size_t i = 0; i < n; i++) {
            if (!stop && u->up) {
                int r = window_add(u, &rows[i], &st);
                stop = r != 0;
                if (r < 0)
                    ret = st;
            }
            store_outbox_msg_free(&rows[i]);
        }
    }
    if (u->up)
        (void)send_batch(u); /* a failure is a lost connection, not an error to return */
    return ret;
}

/* Deletes the PUBACKed messages from the store in one transaction. On a
 * failure they stay pending (retried at the next step); until then a
 * reconnect may send them again, which the back office's dedupe absorbs. */
static gl_status flush_acks(uplink *u)
{
    if (u->nacks == 0)
        return GL_OK;
    gl_status st = store_outbox_ack_many(u->st, u->acks, (size_t)u->nacks);
    if (st != GL_OK) {
        note_error(u, "outbox ack", st);
        return st;
    }
    u->stats.acked += u->nacks;
    u->nacks = 0;
    return GL_OK;
}

/* Commits the pending acks when due: a full batch, the oldest waiting
 * ACK_FLUSH_MS, nothing in flight (no more PUBACKs soon: the step may
 * sleep next) or no connection. Between commits a crash only means those
 * messages are sent again, which the back office's dedupe absorbs. */
static gl_status flush_acks_due(uplink *u)
{
    if (u->nacks == 0)
        return GL_OK;
    if (u->nacks < ACK_BATCH && u->nfl > 0 && u->up && mono(u) - u->first_ack_ms < ACK_FLUSH_MS)
        return GL_OK;
    return flush_acks(u);
}

/* Moves the message of a PUBACK from the window to the pending acks;
 * flush_acks_due commits them in batches. */
static gl_status handle_puback(uplink *u, uint16_t pid)
{
    for (int i = 0; i < u->nfl; i++) {
        if (u->fl[i].pid != pid)
            continue;
        if (u->nacks == ACK_BATCH) {
            gl_status st = flush_acks(u);
            if (st != GL_OK)
                return st;
        }
        if (u->nacks == 0)
            u->first_ack_ms = mono(u);
        u->acks[u->nacks++] = u->fl[i].seq;
        u->fl[i] = u->fl[--u->nfl];
        if (u->attempts > 0)
            u->attempts = 0; /* a PUBACK proves the link works */
        return GL_OK;
    }
    return GL_OK; /* a late PUBACK of a message re-sent and acked already */
}

static uplink_apply_fn apply_fn(const uplink *u, downlink_kind k)
{
    switch (k) {
    case DOWNLINK_PAYMENTS:
        return u->cb.payment;
    case DOWNLINK_TOPUPS:
        return u->cb.topup;
    case DOWNLINK_TARIFFS:
        return u->cb.tariff;
    case DOWNLINK_COMMANDS:
        return u->cb.command;
    case DOWNLINK_CONFIG:
        return u->cb.config;
    default:
        return NULL;
    }
}

static int64_t down_seq(uplink *u)
{
    if (u->down_seq < 0) {
        char v[32];
        u->down_seq = 0;
        if (store_kv_get(u->st, UPLINK_KV_DOWN_SEQ, v, sizeof v) == GL_OK)
            u->down_seq = strtoll(v, NULL, 10);
    }
    return u->down_seq;
}

/* Counts a downlink's result, logs it (refusals at warning level) and
 * answers it on the ack topic through the outbox. */
static gl_status answer_downlink(uplink *u, downlink_kind kind, int64_t seq, const char *result, const char *reason,
                                 int64_t now_s)
{
    if (strcmp(result, "applied") == 0)
        u->stats.applied++;
    else if (strcmp(result, "duplicate") == 0)
        u->stats.duplicates++;
    else
        u->stats.refused++;
    if (strcmp(result, "refused") == 0)
        glog_warn("uplink: downlink %s seq %lld: refused: %s", downlink_kind_name(kind), (long long)seq, reason);
    else
        glog_info("uplink: downlink %s seq %lld: %s%s%s", downlink_kind_name(kind), (long long)seq, result,
                  reason[0] ? ": " : "", reason);
    char body[DOWNLINK_ACK_MAX];
    gl_status st = downlink_ack_body(kind, seq, result, reason, body, sizeof body);
    if (st == GL_OK)
        st = store_outbox_put(u->st, "ack", body, now_s, NULL);
    if (st != GL_OK)
        note_error(u, "ack", st);
    return st;
}

/* The seq a downlink claims ("seq":N among its first bytes; unverified:
 * only for the ack of a message refused unread), 0 if none. */
static int64_t claimed_seq(const uint8_t *b, size_t n)
{
    static const char key[] = "\"seq\":";
    for (size_t i = 0; i + sizeof key - 1 < n; i++) {
        if (memcmp(b + i, key, sizeof key - 1) != 0)
            continue;
        int64_t v = 0;
        for (size_t j = i + sizeof key - 1; j < n && b[j] >= '0' && b[j] <= '9' && v < INT64_MAX / 10 - 9; j++)
            v = v * 10 + (b[j] - '0');
        return v;
    }
    return 0;
}

/* Verifies, applies through the callback, records the seq, answers on ack. */
static gl_status handle_downlink(uplink *u, downlink_kind kind, const mqttpkt *p, int64_t now_s)
{
    downlink_msg m;
    char reason[160] = "";
    const char *result = "refused";
    u->stats.downlinks++;
    gl_status st = downlink_verify(u->key, u->gw, kind, (const char *)p->payload, p->payload_len, down_seq(u), now_s,
                                   &m, reason, sizeof reason);
    if (st == GL_OK) {
        uplink_apply_fn fn = apply_fn(u, kind);
        gl_status ast = fn ? fn(u->cb.ctx, &m, reason, sizeof reason) : GL_EUNSUPPORTED;
        if (fn == NULL)
            snprintf(reason, sizeof reason, "not supported by this gateway");
        result = ast == GL_OK ? "applied" : ast == GL_EEXIST ? "duplicate" : "refused";
        if (ast != GL_OK && ast != GL_EEXIST && reason[0] == '\0')
            snprintf(reason, sizeof reason, "%s", gl_strerror(ast));
        char v[32];
        snprintf(v, sizeof v, "%lld", (long long)m.seq);
        st = store_kv_set(u->st, UPLINK_KV_DOWN_SEQ, v);
        if (st == GL_OK)
            u->down_seq = m.seq;
        downlink_msg_free(&m);
        if (st != GL_OK) {
            note_error(u, "downlink seq", st);
            return st;
        }
    } else if (st == GL_EBOUND && m.seq == 0) {
        m.seq = claimed_seq(p->payload, p->payload_len < SEQ_SCAN ? p->payload_len : SEQ_SCAN);
    }
    return answer_downlink(u, kind, m.seq, result, reason, now_s);
}

/* The kind of a downlink topic gl/v1/{gw}/down/{kind}; GL_ENOTFOUND for
 * any other topic. */
static gl_status down_topic_kind(const uplink *u, const mqttpkt *p, downlink_kind *kind)
{
    char prefix[TOPIC_MAX];
    int n = snprintf(prefix, sizeof prefix, "gl/v1/%s/down/", u->gw);
    if (n > 0 && p->topic_len > (size_t)n && memcmp(p->topic, prefix, (size_t)n) == 0 &&
        downlink_kind_parse((const char *)p->topic + n, p->topic_len - (size_t)n, kind) == GL_OK)
        return GL_OK;
    return GL_ENOTFOUND;
}

/* PUBACKs a QoS 1 PUBLISH: it leaves the broker's in-flight window. */
static void puback(uplink *u, const mqttpkt *p)
{
    if (p->qos != 1)
        return;
    uint8_t b[4];
    size_t len;
    if (mqttpkt_encode_ack(MQTTPKT_PUBACK, p->packet_id, b, sizeof b, &len) == GL_OK) {
        gl_status sst = send_all(u, b, len);
        if (sst != GL_OK)
            connection_lost(u, "send PUBACK", sst);
    }
}

/* A PUBLISH from the broker: only gl/v1/{gw}/down/{kind} is ours. */
static gl_status handle_publish(uplink *u, const mqttpkt *p, int64_t now_s)
{
    downlink_kind kind;
    gl_status st = GL_OK;
    if (down_topic_kind(u, p, &kind) == GL_OK) {
        st = handle_downlink(u, kind, p, now_s);
    } else {
        u->stats.refused++;
        glog_warn("uplink: message on an unknown topic %.*s ignored", (int)p->topic_len, (const char *)p->topic);
    }
    puback(u, p);
    return st;
}

/* A PUBLISH too large to hold (head decoded, *need_more if its first
 * bytes are not all here yet): refused with a reason on the ack topic and
 * PUBACKed, so it never stays in the broker's in-flight window; the rest
 * of it is skipped as it comes. */
static gl_status refuse_oversize(uplink *u, size_t avail, size_t total, int64_t now_s, int *need_more)
{
    mqttpkt p;
    size_t head = 0;
    *need_more = 0;
    gl_status st = mqttpkt_decode_publish_head(u->rx + (u->rx_len - avail), avail, &p, &head);
    if (st != GL_OK)
        return st;
    size_t scan = p.payload_len < SEQ_SCAN ? p.payload_len : SEQ_SCAN;
    if (head == 0 || avail - head < scan) {
        *need_more = 1;
        return GL_OK;
    }
    downlink_kind kind;
    gl_status ret = GL_OK;
    glog_warn("uplink: a %zu-byte packet exceeds the %u-byte bound; refused", total, UPLINK_RX_MAX);
    if (down_topic_kind(u, &p, &kind) == GL_OK) {
        char reason[96];
        snprintf(reason, sizeof reason, "message of %zu bytes over the %u-byte limit", p.payload_len,
                 DOWNLINK_MAX_TEXT);
        u->stats.downlinks++;
        ret = answer_downlink(u, kind, claimed_seq(p.payload, scan), "refused", reason, now_s);
    } else {
        u->stats.refused++;
    }
    puback(u, &p);
    return ret;
}

static gl_status handle_packet(uplink *u, const uint8_t *buf, size_t len, int64_t now_s)
{
    mqttpkt p;
    gl_status st = mqttpkt_decode(buf, len, &p);
    if (st != GL_OK) {
        connection_lost(u, "malformed packet", GL_EPROTO);
        return GL_OK;
    }
    switch (p.type) {
    case MQTTPKT_PUBACK:
        return handle_puback(u, p.packet_id);
    case MQTTPKT_PUBLISH:
        if (p.qos == 2) {
            connection_lost(u, "QoS 2 PUBLISH", GL_EPROTO); /* we subscribe at QoS 1 */
            return GL_OK;
        }
        return handle_publish(u, &p, now_s);
    case MQTTPKT_PINGRESP:
        u->ping_pending = 0;
        return GL_OK;
    case MQTTPKT_SUBACK:
        if (p.count > 0 && p.codes[0] == MQTTPKT_SUBACK_FAILURE) {
            note_error(u, "subscribe refused", GL_EAUTH);
            glog_error("uplink: the broker refused the downlink subscription");
        }
        return GL_OK;
    default:
        connection_lost(u, mqttpkt_type_name(p.type), GL_EPROTO);
        return GL_OK;
    }
}

/* Splits u->rx into packets; an oversize PUBLISH is refused, PUBACKed and skipped. */
static gl_status process_rx(uplink *u, int64_t now_s)
{
    size_t pos = 0;
    gl_status ret = GL_OK;
    while (u->up && pos < u->rx_len) {
        if (u->skip_left > 0) {
            size_t k = u->rx_len - pos < u->skip_left ? u->rx_len - pos : u->skip_left;
            pos += k;
            u->skip_left -= k;
            continue;
        }
        size_t total;
        gl_status st = mqttpkt_frame(u->rx + pos, u->rx_len - pos, &total);
        if (st != GL_OK) {
            connection_lost(u, "malformed packet", GL_EPROTO);
            return GL_OK;
        }
        if (total == 0 || (total > u->rx_len - pos && total <= UPLINK_RX_MAX))
            break; /* need more */
        if (total > UPLINK_RX_MAX) {
            int more = 0;
            st = refuse_oversize(u, u->rx_len - pos, total, now_s, &more);
            if (st == GL_EPROTO) {
                connection_lost(u, "oversize packet", GL_EPROTO); /* only a PUBLISH may be that large */
                return GL_OK;
            }
            if (more)
                break;
            if (st != GL_OK)
                ret = st;
            u->skip_left = total;
            continue;
        }
        st = handle_packet(u, u->rx + pos, total, now_s);
        if (st != GL_OK)
            ret = st;
        pos += total;
    }
    if (!u->up)
        return ret;
    memmove(u->rx, u->rx + pos, u->rx_len - pos);
    u->rx_len -= pos;
    if (u->rx_len == UPLINK_RX_MAX && u->skip_left == 0)
        connection_lost(u, "receive buffer", GL_EBOUND);
    return ret;
}

/* Reads what is there (at most RX_READS_PER_STEP reads, none waiting);
 * *got says whether anything came. */
static gl_status read_ready(uplink *u, int64_t now_s, int *got_any)
{
    gl_status ret = GL_OK;
    *got_any = 0;
    for (int i = 0; i < RX_READS_PER_STEP && u->up; i++) {
        size_t got = 0;
        gl_status st = u->tr.ops->recv(u->tr.ctx, u->rx + u->rx_len, UPLINK_RX_MAX - u->rx_len, &got, 0);
        if (st == GL_ETIMEOUT)
            break;
        if (st != GL_OK) {
            connection_lost(u, "receive", st);
            break;
        }
        *got_any = 1;
        u->rx_len += got;
        st = process_rx(u, now_s);
        if (st != GL_OK)
            ret = st;
    }
    return ret;
}

/* How long the connection may stay quiet before keepalive has work. */
static int64_t keepalive_due_ms(const uplink *u)
{
    int64_t due = u->ping_pending ? u->ping_sent_ms + u->keepalive_ms : u->last_tx_ms + u->keepalive_ms * 3 / 4;
    int64_t left = due - mono(u);
    return left > 0 ? left : 0;
}

/* Reads what is there; if nothing was, sleeps (at most wait_ms, and not
 * past the keepalive's next task) until bytes come or uplink_wake, then
 * reads again. The PUBACKs read are committed when due (flush_acks_due). */
static gl_status receive(uplink *u, int wait_ms, int64_t now_s)
{
    int got = 0;
    gl_status ret = read_ready(u, now_s, &got);
    if (!got && u->up) {
        gl_status fst = flush_acks_due(u);
        if (ret == GL_OK)
            ret = fst;
        int64_t ka = keepalive_due_ms(u);
        if (idle_wait(u, ka < wait_ms ? ka : wait_ms) && u->up) {
            gl_status st = read_ready(u, now_s, &got);
            if (ret == GL_OK)
                ret = st;
        }
    }
    gl_status ast = flush_acks_due(u);
    return ret != GL_OK ? ret : ast;
}

/* TCP (+TLS), CONNECT, CONNACK within connect_timeout_ms, SUBSCRIBE. */
static void connect_broker(uplink *u)
{
    int64_t deadline = mono(u) + u->connect_timeout_ms;
    gl_status st = u->tr.ops->connect(u->tr.ctx, u->host, u->port, u->connect_timeout_ms);
    if (st != GL_OK) {
        transport_tls_info ti;
        char where[sizeof u->stats.last_error_where];
        transport_tls_info_get(&u->tr, &ti);
        snprintf(where, sizeof where, "TLS handshake%s%s", ti.reason[0] ? ": " : "", ti.reason);
        connection_lost(u, st == GL_ETLS ? where : "connect", st);
        return;
    }
    mqttpkt_connect c = {.client_id = u->gw, .keepalive_s = (uint16_t)(u->keepalive_ms / 1000), .clean_session = 0};
    size_t len;
    uint8_t buf[256];
    if (mqttpkt_encode_connect(&c, buf, sizeof buf, &len) != GL_OK || (st = send_all(u, buf, len)) != GL_OK) {
        connection_lost(u, "CONNECT", st);
        return;
    }
    u->rx_len = 0;
    size_t total = 0;
    while (total == 0 || u->rx_len < total) {
        int64_t left = deadline - mono(u);
        size_t got = 0;
        st = left > 0 ? u->tr.ops->recv(u->tr.ctx, u->rx + u->rx_len, UPLINK_RX_MAX - u->rx_len, &got, (int)left)
                      : GL_ETIMEOUT;
        if (st != GL_OK) {
            connection_lost(u, "CONNACK", st);
            return;
        }
        u->rx_len += got;
        if (mqttpkt_frame(u->rx, u->rx_len, &total) != GL_OK || total > 64) {
            connection_lost(u, "CONNACK", GL_EPROTO);
            return;
        }
    }
    mqttpkt p;
    if (mqttpkt_decode(u->rx, total, &p) != GL_OK || p.type != MQTTPKT_CONNACK) {
        connection_lost(u, "CONNACK", GL_EPROTO); /* [MQTT-3.2.0-1]: CONNACK comes first */
        return;
    }
    if (p.return_code != MQTTPKT_CONNACK_ACCEPTED) {
        glog_error("uplink: broker refused the connection (CONNACK %d)", p.return_code);
        connection_lost(u, "CONNACK refused", GL_EAUTH);
        return;
    }
    memmove(u->rx, u->rx + total, u->rx_len - total);
    u->rx_len -= total;
    u->up = 1;
    u->attempts = 0;
    u->nfl = 0;
    u->after_seq = 0; /* re-send every unacknowledged message */
    u->ping_pending = 0;
    u->stats.connects++;
    glog_info("uplink: connected to %s:%d (session %s)", u->host, u->port, p.session_present ? "resumed" : "new");
    char filter[TOPIC_MAX];
    snprintf(filter, sizeof filter, "gl/v1/%s/down/#", u->gw);
    const char *filters[1] = {filter};
    const uint8_t qos[1] = {1};
    if (mqttpkt_encode_subscribe(SUB_PACKET_ID, filters, qos, 1, buf, sizeof buf, &len) != GL_OK ||
        (st = send_all(u, buf, len)) != GL_OK)
        connection_lost(u, "SUBSCRIBE", st);
}

static void keepalive(uplink *u)
{
    int64_t now = mono(u);
    if (u->ping_pending && now - u->ping_sent_ms >= u->keepalive_ms) {
        connection_lost(u, "keepalive", GL_ETIMEOUT); /* no PINGRESP in a keepalive period */
        return;
    }
    if (!u->ping_pending && now - u->last_tx_ms >= u->keepalive_ms * 3 / 4) {
        uint8_t b[2];
        size_t n;
        gl_status st = mqttpkt_encode_empty(MQTTPKT_PINGREQ, b, sizeof b, &n);
        if (st == GL_OK)
            st = send_all(u, b, n);
        if (st != GL_OK) {
            connection_lost(u, "PINGREQ", st);
            return;
        }
        u->ping_pending = 1;
        u->ping_sent_ms = now;
    }
}

gl_status uplink_step(uplink *u, int64_t now_s, int wait_ms)
{
    if (u == NULL)
        return GL_EINVAL;
    gl_status ast = flush_acks_due(u); /* due, or left over by a failed commit */
    if (ast != GL_OK)
        return ast;
    if (!u->up) {
        int64_t left = u->next_attempt_ms - mono(u);
        if (left > 0) {
            idle_wait(u, left < wait_ms ? left : wait_ms); /* backing off: sleep, woken by uplink_wake */
            if (u->next_attempt_ms > mono(u))
                return GL_OK;
        }
        connect_broker(u);
        if (!u->up)
            return GL_OK;
    }
    gl_status st = GL_OK;
    if (u->rx_len > 0) {
        st = process_rx(u, now_s); /* packets that came with the CONNACK */
        ast = flush_acks_due(u);
        if (st == GL_OK)
            st = ast;
    }
    gl_status fst = fill_window(u);
    if (st == GL_OK)
        st = fst;
    if (u->up) {
        gl_status rst = receive(u, wait_ms, now_s);
        if (st == GL_OK)
            st = rst;
    }
    if (u->up) {
        fst = fill_window(u);
        if (st == GL_OK)
            st = fst;
    }
    if (u->up)
        keepalive(u);
    return st;
}

void uplink_stats_get(const uplink *u, uplink_stats *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof *out);
    if (u == NULL)
        return;
    *out = u->stats;
    out->connected = u->up;
    out->inflight = u->nfl;
}

gl_status uplink_new_from_config(const config *cfg, store *st, const uplink_callbacks *cb, const gl_clock *clock,
                                 uplink **out)
{
    if (cfg == NULL || st == NULL || out == NULL)
        return GL_EINVAL;
    *out = NULL;
    const config_uplink *c = &cfg->uplink;
    if (!c->enabled)
        return GL_ENOTFOUND;
    char ca[CONFIG_PATH_MAX], cert[CONFIG_PATH_MAX], key[CONFIG_PATH_MAX], hmac[CONFIG_PATH_MAX];
    config_resolve_path(cfg, c->ca, ca, sizeof ca);
    config_resolve_path(cfg, c->cert, cert, sizeof cert);
    config_resolve_path(cfg, c->key, key, sizeof key);
    config_resolve_path(cfg, c->hmac_key, hmac, sizeof hmac);
    uplink_opts o = {.gateway_id = cfg->gateway.id, .host = c->host, .port = c->port, .st = st,
                     .keepalive_s = c->keepalive_s, .clock = clock};
    if (cb != NULL)
        o.cb = *cb;
    gl_status ret = downlink_key_load(hmac, o.hmac_key);
    if (ret != GL_OK)
        return ret;
    if (c->tls) {
        transport_tls_opts to = {.ca_file = ca, .cert_file = cert, .key_file = key, .resume = 1};
        ret = transport_tls_new(&to, &o.tr);
    } else {
        ret = transport_plain_new(&o.tr);
    }
    if (ret == GL_OK)
        ret = uplink_new(&o, out);
    memset(o.hmac_key, 0, sizeof o.hmac_key);
    return ret;
}
