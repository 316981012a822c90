/* bench_uplink.c: the uplink against a local mosquitto (started by
 * tools/bench/uplink.sh): messages and bytes per second through TLS and
 * through plain TCP, from a store backlog to PUBACKs; TLS handshake time,
 * full and resumed; peak RSS.
 *   bench_uplink DIR TLS_PORT PLAIN_PORT [N]
 * DIR holds ca.pem, gw-0001.pem/.key, gw.hmac (tests/integration/lib/uplink_env.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "transport.h"
#include "uplink.h"
#include "monotime.h"

static int make_transport(const char *dir, int tls, int resume, transport *t)
{
    char ca[512], cert[512], key[512];
    snprintf(ca, sizeof ca, "%s/ca.pem", dir);
    snprintf(cert, sizeof cert, "%s/gw-0001.pem", dir);
    snprintf(key, sizeof key, "%s/gw-0001.key", dir);
    transport_tls_opts o = {.ca_file = ca, .cert_file = cert, .key_file = key, .resume = resume};
    return (tls ? transport_tls_new(&o, t) : transport_plain_new(t)) == GL_OK ? 0 : -1;
}

/* Drains n messages of ~body_len bytes; prints two rows. */
static int drain(const char *dir, int tls, int port, int n)
{
    char db[512], hmac[512];
    snprintf(db, sizeof db, "%s/bench-%s.db", dir, tls ? "tls" : "plain");
    snprintf(hmac, sizeof hmac, "%s/gw.hmac", dir);
    unlink(db);
    store *st = NULL;
    uplink *u = NULL;
    uplink_opts o = {.gateway_id = "gw-0001", .host = "localhost", .port = port, .window = 32};
    if (store_open(db, NULL, &st) != GL_OK || downlink_key_load(hmac, o.hmac_key) != GL_OK ||
        make_transport(dir, tls, 1, &o.tr) != 0)
        return -1;
    o.st = st;
    if (uplink_new(&o, &u) != GL_OK)
        return -1;
    char body[256];
    memset(body, 0, sizeof body);
    int blen = snprintf(body, sizeof body, "{\"readings\":[{\"meter\":\"M-0001\",\"ts\":1700000000,\"status\":\"ok\","
                                           "\"import_kwh\":\"1234.567\",\"export_kwh\":\"0.000\",\"power_w\":\"1520\"}]}");
    double t0 = monotime_s();
    for (int i = 0; i < n; i++)
        if (uplink_publish(u, "readings", body, 1700000000, NULL) != GL_OK)
            return -1;
    double t1 = monotime_s();
    uplink_stats s;
    store_outbox_stats os;
    do {
        uplink_step(u, 1700000000, 20);
        uplink_stats_get(u, &s);
        store_outbox_stats_get(st, &os);
    } while (os.depth > 0 && monotime_s() - t1 < 600);
    double t2 = monotime_s();
    const char *name = tls ? "TLS 1.2" : "plain TCP";
    double rate = n / (t2 - t1);
    printf("| uplink | store commit, %d messages | %.0f | msg/s | | |\n", n, n / (t1 - t0));
    printf("| uplink | drain %d messages to PUBACK, %s | %.0f | msg/s | | |\n", n, name, rate);
    printf("| uplink | payload bytes, %s | %.2f | MB/s | | |\n", name, rate * (blen + 80) / 1e6);
    uplink_free(u);
    store_close(st);
    unlink(db);
    return 0;
}

static int handshakes(const char *dir, int port, int resume, int rounds)
{
    transport t;
    if (make_transport(dir, 1, resume, &t) != 0)
        return -1;
    double sum_ms = 0;
    int resumed = 0, counted = 0;
    for (int i = 0; i < rounds + 1; i++) {
        if (t.ops->connect(t.ctx, "localhost", port, 5000) != GL_OK)
            return -1;
        transport_tls_info info;
        transport_tls_info_get(&t, &info);
        if (i > 0) { /* the first one is always full */
            sum_ms += (double)info.handshake_us / 1000.0;
            resumed += info.resumed;
            counted++;
        }
        t.ops->close(t.ctx);
    }
    transport_free(&t);
    printf("| uplink | TLS handshake, %s (%d of %d resumed) | %.2f | ms | | |\n", resume ? "resumption offered" : "full",
           resumed, counted, sum_ms / counted);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_uplink DIR TLS_PORT PLAIN_PORT [N]\n");
        return 2;
    }
    const char *dir = argv[1];
    int tls_port = atoi(argv[2]), plain_port = atoi(argv[3]);
    int n = argc > 4 ? atoi(argv[4]) : 5000;
    if (drain(dir, 0, plain_port, n) != 0 || drain(dir, 1, tls_port, n) != 0 ||
        handshakes(dir, tls_port, 0, 20) != 0 || handshakes(dir, tls_port, 1, 20) != 0) {
        fprintf(stderr, "bench_uplink: failed\n");
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("| uplink | peak RSS of the benchmark process | %.1f | MiB | | |\n", ru.ru_maxrss / 1024.0);
    return 0;
}
