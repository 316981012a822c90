/* test_uplink.c: the uplink's session logic with a fake transport (a
 * scripted broker: what it answers is queued by the test, what the uplink
 * sends is decoded and recorded) and a fake clock (waits advance it at
 * once), over a real store on a file: backoff, window, re-send after a
 * reconnect, keepalive, oversize downlinks. Then with the real clock: a
 * wake ends the idle wait, and a thread stepping the uplink while the
 * broker is unreachable uses next to no CPU. Each test runs under alarm(). */
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "monotime.h"
#include "mqttpkt.h"
#include "store.h"
#include "transport.h"
#include "uplink.h"

#define TEST_TIMEOUT_S 30
#define SENT_MAX 512

/* ---- the fake clock: mono_ms is a counter, a wait advances it ---- */

typedef struct fake_clock {
    gl_clock c;
    int64_t now_ms;
    int64_t waited_ms;
    int waits;
} fake_clock;

static int64_t fake_mono(void *ctx)
{
    return ((fake_clock *)((gl_clock *)ctx)->user)->now_ms;
}

static int fake_wait(void *ctx, const int *fds, int n, int64_t ms)
{
    fake_clock *f = ((gl_clock *)ctx)->user;
    (void)fds;
    (void)n;
    f->now_ms += ms;
    f->waited_ms += ms;
    f->waits++;
    return 0;
}

static int64_t fake_now(void *ctx, int *ms)
{
    if (ms != NULL)
        *ms = 0;
    return 1767225600 + fake_mono(ctx) / 1000;
}

static void fake_sleep_until(void *ctx, int64_t t)
{
    (void)ctx;
    (void)t;
}

static const clock_ops fake_clock_ops = {fake_now, fake_sleep_until, fake_mono, fake_wait};

static void fake_clock_init(fake_clock *f)
{
    memset(f, 0, sizeof *f);
    f->c.ops = &fake_clock_ops;
    f->c.user = f;
    f->now_ms = 1000000;
}

/* ---- the fake transport: a scripted broker ---- */

typedef struct sent_pkt {
    mqttpkt_type type;
    uint16_t pid;
    int dup;
    int64_t at_ms;
} sent_pkt;

typedef struct fake_net {
    fake_clock *clock;
    gl_status connect_st;       /* what connect returns */
    int auto_connack;           /* queue a CONNACK on each connect */
    gl_status recv_st;          /* GL_OK: serve `in`; else returned once (then GL_OK) */
    int connected;
    int connects;
    int64_t connect_at[64];
    uint8_t *in;                /* bytes the broker sends */
    size_t in_len, in_cap;
    sent_pkt sent[SENT_MAX];
    int nsent;
} fake_net;

static void net_push(fake_net *n, const uint8_t *b, size_t len)
{
    if (n->in_len + len > n->in_cap) {
        n->in_cap = (n->in_len + len) * 2;
        n->in = realloc(n->in, n->in_cap);
        assert_non_null(n->in);
    }
    memcpy(n->in + n->in_len, b, len);
    n->in_len += len;
}

static gl_status net_connect(void *ctx, const char *host, int port, int timeout_ms)
{
    fake_net *n = ctx;
    (void)host;
    (void)port;
    (void)timeout_ms;
    if (n->connects < 64)
        n->connect_at[n->connects] = n->clock ? n->clock->now_ms : 0;
    n->connects++;
    n->in_len = 0;
    if (n->connect_st != GL_OK)
        return n->connect_st;
    n->connected = 1;
    if (n->auto_connack) {
        uint8_t b[4];
        size_t len;
        assert_int_equal(mqttpkt_encode_connack(1, 0, b, sizeof b, &len), GL_OK);
        net_push(n, b, len);
    }
    return GL_OK;
}

static gl_status net_send(void *ctx, const uint8_t *buf, size_t len, int timeout_ms)
{
    fake_net *n = ctx;
    (void)timeout_ms;
    if (!n->connected)
        return GL_ENET;
    size_t pos = 0;
    while (pos < len) {
        size_t total;
        mqttpkt p;
        assert_int_equal(mqttpkt_frame(buf + pos, len - pos, &total), GL_OK);
        assert_true(total > 0 && total <= len - pos);
        assert_int_equal(mqttpkt_decode(buf + pos, total, &p), GL_OK);
        assert_true(n->nsent < SENT_MAX);
        n->sent[n->nsent++] = (sent_pkt){p.type, p.packet_id, p.dup, n->clock ? n->clock->now_ms : 0};
        pos += total;
    }
    return GL_OK;
}

static gl_status net_recv(void *ctx, uint8_t *buf, size_t cap, size_t *got, int timeout_ms)
{
    fake_net *n = ctx;
    (void)timeout_ms;
    *got = 0;
    if (n->recv_st != GL_OK) {
        gl_status st = n->recv_st;
        n->recv_st = GL_OK;
        return st;
    }
    if (!n->connected)
        return GL_ENET;
    if (n->in_len == 0)
        return GL_ETIMEOUT;
    size_t k = n->in_len < cap ? n->in_len : cap;
    memcpy(buf, n->in, k);
    memmove(n->in, n->in + k, n->in_len - k);
    n->in_len -= k;
    *got = k;
    return GL_OK;
}

static void net_close(void *ctx)
{
    ((fake_net *)ctx)->connected = 0;
}

static void net_destroy(void *ctx)
{
    (void)ctx; /* the test owns it */
}

static int net_fd(void *ctx)
{
    (void)ctx;
    return -1;
}

static const transport_ops fake_ops = {net_connect, net_send, net_recv, net_close, net_destroy, net_fd};

/* ---- fixture ---- */

typedef struct fixture {
    char dir[64], db[96];
    store *st;
    fake_clock clock;
    fake_net net;
    uplink *u;
} fixture;

static int setup(void **state)
{
    alarm(TEST_TIMEOUT_S); /* a hang is a failure: SIGALRM ends the run */
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/gl-uplink-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/gw.db", f->dir);
    assert_int_equal(store_open(f->db, NULL, &f->st), GL_OK);
    fake_clock_init(&f->clock);
    f->net.clock = &f->clock;
    f->net.auto_connack = 1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    uplink_free(f->u);
    store_close(f->st);
    free(f->net.in);
    char path[128];
    static const char *const files[] = {"gw.db", "gw.db-wal", "gw.db-shm", "gw.db-journal"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", f->dir, files[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    alarm(0);
    return 0;
}

/* An uplink over the fixture's fake transport and clock. */
static void start(fixture *f, int window, int keepalive_s, int backoff_min_ms, int backoff_max_ms)
{
    uplink_opts o = {.gateway_id = "gw-0001", .host = "broker", .port = 8883, .st = f->st,
                     .tr = {&fake_ops, &f->net}, .window = window, .keepalive_s = keepalive_s,
                     .backoff_min_ms = backoff_min_ms, .backoff_max_ms = backoff_max_ms, .seed = 12345,
                     .clock = &f->clock.c};
    assert_int_equal(uplink_new(&o, &f->u), GL_OK);
}

static int count_sent(const fixture *f, mqttpkt_type t)
{
    int k = 0;
    for (int i = 0; i < f->net.nsent; i++)
        k += f->net.sent[i].type == t;
    return k;
}

static void push_ack(fixture *f, mqttpkt_type t, uint16_t pid)
{
    uint8_t b[4];
    size_t len;
    assert_int_equal(mqttpkt_encode_ack(t, pid, b, sizeof b, &len), GL_OK);
    net_push(&f->net, b, len);
}

static int64_t outbox_depth(fixture *f)
{
    store_outbox_stats os;
    assert_int_equal(store_outbox_stats_get(f->st, &os), GL_OK);
    return os.depth;
}

static void enqueue(fixture *f, int n)
{
    for (int i = 0; i < n; i++)
        assert_int_equal(uplink_publish(f->u, "readings", "{\"n\":1}", 1767225600, NULL), GL_OK);
}

/* ---- tests ---- */

/* Connection attempts follow the backoff: exponential from the minimum,
 * capped, each delay within [d/2, d] (equal jitter); no attempt before
 * its time, and the waiting is done on the clock, not by returning. */
static void test_backoff(void **state)
{
    fixture *f = *state;
    f->net.connect_st = GL_ENET;
    start(f, 4, 60, 1000, 8000);
    static const int64_t cap_ms[] = {1000, 2000, 4000, 8000, 8000, 8000};
    const int rows = (int)(sizeof cap_ms / sizeof cap_ms[0]);
    assert_int_equal(uplink_step(f->u, 0, 100000), GL_OK); /* first attempt at once */
    assert_int_equal(f->net.connects, 1);
    for (int i = 0; i < rows; i++) {
        uplink_stats s;
        uplink_stats_get(f->u, &s);
        if (s.backoff_ms < cap_ms[i] / 2 || s.backoff_ms > cap_ms[i])
            fail_msg("attempt %d: backoff %d ms outside [%lld, %lld]", i + 1, s.backoff_ms,
                     (long long)cap_ms[i] / 2, (long long)cap_ms[i]);
        /* a short step: no attempt yet, the time spent waiting */
        int64_t before = f->clock.now_ms;
        assert_int_equal(uplink_step(f->u, 0, 100), GL_OK);
        assert_int_equal(f->net.connects, i + 1);
        assert_int_equal(f->clock.now_ms - before, 100);
        /* a long one: waits the rest of the delay, then tries */
        assert_int_equal(uplink_step(f->u, 0, 100000), GL_OK);
        assert_int_equal(f->net.connects, i + 2);
        assert_int_equal(f->net.connect_at[i + 1] - f->net.connect_at[i], s.backoff_ms);
    }
    uplink_stats s;
    uplink_stats_get(f->u, &s);
    assert_int_equal(s.connect_failures, rows + 1);
    assert_int_equal(s.connected, 0);
    /* success resets the backoff */
    f->net.connect_st = GL_OK;
    assert_int_equal(uplink_step(f->u, 0, 100000), GL_OK);
    uplink_stats_get(f->u, &s);
    assert_int_equal(s.connected, 1);
    f->net.recv_st = GL_ENET; /* the link breaks */
    assert_int_equal(uplink_step(f->u, 0, 0), GL_OK);
    uplink_stats_get(f->u, &s);
    assert_int_equal(s.connected, 0);
    assert_true(s.backoff_ms >= 500 && s.backoff_ms <= 1000);
}

/* At most `window` messages in flight; each PUBACK frees a place; acked
 * messages leave the store in batches (after 20 ms, or when nothing is in
 * flight); an unknown PUBACK changes nothing. */
static void test_window(void **state)
{
    fixture *f = *state;
    start(f, 4, 60, 1000, 8000);
    enqueue(f, 10);
    assert_int_equal(uplink_step(f->u, 0, 0), GL_OK);
    assert_int_equal(count_sent(f, MQTTPKT_CONNECT), 1);
    assert_int_equal(count_sent(f, MQTTPKT_SUBSCRIBE), 1);
    assert_int_equal(count_sent(f, MQTTPKT_PUBLISH), 4);
    uplink_stats s;
    uplink_stats_get(f->u, &s);
    assert_int_equal(s.inflight, 4);
    assert_int_equal(uplink_step(f->u, 0, 50), GL_OK); /* nothing acked: nothing more sent */
    assert_int_equal(count_sent(f, MQTTPKT_PUBLISH), 4);
    push_ack(f, MQTTPKT_PUBACK, 1);
    push_ack(f, MQTTPKT_PUBACK, 2);
    push_ack(f, MQTTPKT_PUBACK, 999);
    assert_int_equal(uplink_step(f->u, 0, 0), GL_OK);
    assert_int_equal(count_sent(f, MQTTPKT_PUBLISH), 6);
    /* acks are deleted in batches: not yet (4 in flight, the first ack 0 ms old) */
    assert_int_equal(outbox_depth(f), 10);
    f->clock.now_ms += 19;
    assert_int_equal(uplink_step(f->u, 0, 0), GL_OK);
    assert_int_equal(outbox_depth(f), 10);
    f->clock.now_ms += 1; /* 20 ms: due */
    assert_int_equal(uplink_step(f->u, 0, 0), GL_OK);
    assert_int_equal(outbox_depth(f), 8);
    for (uint16_t pid = 3; pid <= 6; pid++)
        push_ack(f, MQTTPKT_PUBACK, pid);
    assert_int_equal(uplink_step(f->u, 0, 0), GL_OK);
    assert_int_equal(count_sent(f, MQTTPKT_PUBLISH), 10);
    for (uint16_t pid = 7; pid <= 10; pid++)
        push_ack(f, MQTTPKT_PUBACK, pid);
    assert_int_equal(uplink_step(f->u, 0, 0), GL_OK);
    assert_int_equal(count_sent(f, MQTTPKT_PUBLISH), 10);
    assert_int_equal(outbox_depth(f), 0);
    uplink_stats_get(f->u, &s);
    assert_int_equal(s.acked, 10);
    assert_int_equal(s.inflight, 0);
}

/* After a lost connection the unacknowledged messages go again, with the
 * same packet ids and DUP set; the acknowledged ones do not. */
static void test_reconnect_resends(void **state)
{
    fixture *f = *state;
    start(f, 4, 60, 1000, 8000);
    enqueue(f, 6);
    assert_int_equal(uplink_step(f->u, 0, 0), GL_OK);
    push_ack(f, MQTTPKT_PUBACK, 1);
    assert_int_equal(uplink_step(f->u, 0, 0), GL_OK); /* 1 acked, 5 sent */
    assert_int_equal(count_sent(f, MQTTPKT_PUBLISH), 5);
    int before = f->net.nsent;
    f->net.recv_st = GL_ENET;
    assert_int_equal(uplink_step(f->u, 0, 0), GL_OK);
    uplink_stats s;
    uplink_stats_get(f->u, &s);
    assert_int_equal(s.connected, 0);
    assert_int_equal(s.disconnects, 1);
    assert_int_equal(uplink_step(f->u, 0, 100000), GL_OK); /* waits the backoff, reconnects */
    assert_int_equal(f->net.connects, 2);
    static const struct {
        uint16_t pid;
        int dup;
    } want[] = {{2, 1}, {3, 1}, {4, 1}, {5, 1}};
    int k = 0;
    for (int i = before; i < f->net.nsent; i++) {
        if (f->net.sent[i].type != MQTTPKT_PUBLISH)
            continue;
        assert_true(k < 4);
        assert_int_equal(f->net.sent[i].pid, want[k].pid);
        assert_int_equal(f->net.sent[i].dup, want[k].dup);
        k++;
    }
    assert_int_equal(k, 4);
    for (uint16_t pid = 2; pid <= 5; pid++)
        push_ack(f, MQTTPKT_PUBACK, pid);
    assert_int_equal(uplink_step(f->u, 0, 0), GL_OK);
    int last = f->net.nsent - 1;
    while (last >= 0 && f->net.sent[last].type != MQTTPKT_PUBLISH)
        last--;
    assert_true(last >= 0);
    assert_int_equal(f->net.sent[last].pid, 6);
    assert_int_equal(f->net.sent[last].dup, 0); /* never sent before the drop */
}

/* An idle connection sleeps until 3/4 of the keepalive, then pings; no
 * PINGRESP within a keepalive period drops it; a PINGRESP keeps it. */
static void test_keepalive(void **state)
{
    fixture *f = *state;
    start(f, 4, 10, 1000, 8000);
    assert_int_equal(uplink_step(f->u, 0, 0), GL_OK);
    int64_t t0 = f->clock.now_ms;
    assert_int_equal(uplink_step(f->u, 0, 600000), GL_OK); /* sleeps to the keepalive's task */
    assert_int_equal(f->clock.now_ms - t0, 7500);
    assert_int_equal(count_sent(f, MQTTPKT_PINGREQ), 1);
    uint8_t b[2];
    size_t len;
    assert_int_equal(mqttpkt_encode_empty(MQTTPKT_PINGRESP, b, sizeof b, &len), GL_OK);
    net_push(&f->net, b, len);
    assert_int_equal(uplink_step(f->u, 0, 0), GL_OK);
    uplink_stats s;
    uplink_stats_get(f->u, &s);
    assert_int_equal(s.connected, 1);
    /* the next ping, unanswered */
    assert_int_equal(uplink_step(f->u, 0, 600000), GL_OK);
    assert_int_equal(count_sent(f, MQTTPKT_PINGREQ), 2);
    int64_t ping_at = f->clock.now_ms;
    assert_int_equal(uplink_step(f->u, 0, 600000), GL_OK);
    uplink_stats_get(f->u, &s);
    assert_int_equal(s.connected, 0);
    assert_int_equal(s.disconnects, 1);
    assert_int_equal(f->clock.now_ms - ping_at, 10000);
}

/* A downlink larger than the receive bound is PUBACKed (never left in the
 * broker's in-flight window) and refused on the ack topic with its seq;
 * the connection stays up and the next message is handled. */
static void test_oversize_downlink(void **state)
{
    fixture *f = *state;
    start(f, 4, 60, 1000, 8000);
    assert_int_equal(uplink_step(f->u, 0, 0), GL_OK);
    size_t big = UPLINK_RX_MAX + 5000;
    uint8_t *payload = malloc(big);
    uint8_t *pkt = malloc(big + 256);
    assert_non_null(payload);
    assert_non_null(pkt);
    memset(payload, 'x', big);
    const char *head = "{\"v\":1,\"gateway\":\"gw-0001\",\"seq\":42,\"ts\":1,";
    memcpy(payload, head, strlen(head));
    static const struct {
        size_t len;
        uint16_t pid;
    } rows[] = {{UPLINK_RX_MAX + 5000, 77}, {UPLINK_RX_MAX + 1, 78}, {DOWNLINK_MAX_TEXT + 1, 79}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        mqttpkt_publish p = {.topic = "gl/v1/gw-0001/down/payments", .payload = payload,
                             .payload_len = rows[i].len, .qos = 1, .packet_id = rows[i].pid};
        size_t len;
        assert_int_equal(mqttpkt_encode_publish(&p, pkt, big + 256, &len), GL_OK);
        net_push(&f->net, pkt, len);
    }
    for (int i = 0; i < 20 && count_sent(f, MQTTPKT_PUBACK) < 3; i++)
        assert_int_equal(uplink_step(f->u, 0, 0), GL_OK);
    free(payload);
    free(pkt);
    int pubacks = 0;
    for (int i = 0; i < f->net.nsent; i++)
        if (f->net.sent[i].type == MQTTPKT_PUBACK)
            assert_int_equal(f->net.sent[i].pid, rows[pubacks++].pid);
    assert_int_equal(pubacks, 3);
    uplink_stats s;
    uplink_stats_get(f->u, &s);
    assert_int_equal(s.connected, 1);
    assert_int_equal(s.refused, 3);
    assert_int_equal(s.downlinks, 3);
    /* the acks are in the outbox (or sent already): check the store's seqs */
    store_outbox_msg m;
    int acks = 0;
    int64_t after = 0;
    while (store_outbox_next(f->st, after, &m) == GL_OK) {
        after = m.seq;
        if (strcmp(m.kind, "ack") == 0) {
            assert_non_null(strstr(m.body, "\"down_seq\":42"));
            assert_non_null(strstr(m.body, "refused"));
            acks++;
        }
        store_outbox_msg_free(&m);
    }
    assert_int_equal(acks + (int)s.acked, 3);
}

/* ---- real clock ---- */

typedef struct stepper {
    uplink *u;
    int64_t run_ms;
    int64_t cpu_us;
    int steps;
} stepper;

static int64_t cpu_us_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* the daemon's uplink thread loop: step with a 1 s idle wait */
static void *step_loop(void *arg)
{
    stepper *s = arg;
    int64_t end = monotime_ms() + s->run_ms;
    int64_t cpu0 = cpu_us_now();
    while (monotime_ms() < end) {
        (void)uplink_step(s->u, 0, 1000);
        s->steps++;
    }
    s->cpu_us = cpu_us_now() - cpu0;
    return NULL;
}

/* a TCP port on 127.0.0.1 with nobody listening */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* With the broker unreachable a thread stepping the uplink for 3 s uses
 * next to no CPU (it used to spin a whole core), and still retries. */
static void test_zero_cpu_while_broker_gone(void **state)
{
    fixture *f = *state;
    uplink_opts o = {.gateway_id = "gw-0001", .host = "127.0.0.1", .port = closed_port(), .st = f->st,
                     .backoff_min_ms = 200, .backoff_max_ms = 800, .seed = 7};
    assert_int_equal(transport_plain_new(&o.tr), GL_OK);
    assert_int_equal(uplink_new(&o, &f->u), GL_OK);
    enqueue(f, 3);
    stepper s = {.u = f->u, .run_ms = 3000};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, step_loop, &s), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    uplink_stats st;
    uplink_stats_get(f->u, &st);
    print_message("3 s without a broker: %lld us CPU, %d steps, %lld attempts\n", (long long)s.cpu_us, s.steps,
                  (long long)st.connect_failures);
    assert_true(st.connect_failures >= 3);       /* 200..800 ms apart */
    assert_true(s.steps < 100);                  /* a wait per step, not a spin */
    assert_true(s.cpu_us < 100000);              /* < 0.1 s of 3 s (a spin: ~3 s) */
}

/* uplink_wake ends a long idle wait at once, from another thread. */
static void *wake_later(void *arg)
{
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    uplink_wake(arg);
    return NULL;
}

static void test_wake_ends_wait(void **state)
{
    fixture *f = *state;
    f->net.connect_st = GL_ENET;
    uplink_opts o = {.gateway_id = "gw-0001", .host = "broker", .port = 8883, .st = f->st,
                     .tr = {&fake_ops, &f->net}, .backoff_min_ms = 60000, .backoff_max_ms = 60000};
    assert_int_equal(uplink_new(&o, &f->u), GL_OK);
    assert_int_equal(uplink_step(f->u, 0, 0), GL_OK); /* fails, backs off 30..60 s */
    pthread_t t;
    int64_t t0 = monotime_ms();
    assert_int_equal(pthread_create(&t, NULL, wake_later, f->u), 0);
    assert_int_equal(uplink_step(f->u, 0, 20000), GL_OK);
    int64_t took = monotime_ms() - t0;
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(took >= 50 && took < 5000);
    assert_int_equal(f->net.connects, 1); /* woken, not reconnecting early */
    /* a wake before the wait is not lost */
    uplink_wake(f->u);
    t0 = monotime_ms();
    assert_int_equal(uplink_step(f->u, 0, 20000), GL_OK);
    assert_true(monotime_ms() - t0 < 5000);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconnect_resends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keepalive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_downlink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_cpu_while_broker_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wake_ends_wait, setup, teardown),
    };
    return cmocka_run_group_tests_name("uplink", tests, NULL, NULL);
}
