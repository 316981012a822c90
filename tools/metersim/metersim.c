/* metersim: a Modbus meter simulator for bench tests and the demo.
 *
 * Serves many meters (the hal built-in profiles) over Modbus TCP (many unit
 * ids per port, several ports) and Modbus RTU on a pseudo-terminal pair,
 * from one single-threaded poll loop. Energy counters follow a simulated
 * clock: t = start + (real time since launch) x speed, the same --start and
 * --speed the gateway's simulated clock takes, so both see the same
 * counters; each meter's import is base + power x (t - since), since = start
 * unless --since says otherwise. Faults are
 * injected per meter. An endpoint may speak DL/T 645-2007 instead
 * (--protocol dlt645: raw frames over TCP as behind a transparent RS-485
 * converter, or over the pty), its meters addressed base + id. SIGUSR1 writes the true state (--state FILE) for
 * tests to compare with. See `metersim --help` and docs/meters.md. */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <modbus.h>

#include "sim.h"
#include "simdlt.h"
#include "modbusfn.h"
#include "monotime.h"

#define MAX_CLIENTS 64
#define MAX_METERS 20000

typedef struct endpoint {
    int is_tcp;
    char host[64];
    int port;
    int listen_fd;
    int clients[MAX_CLIENTS];
    int nclients;
    int master_fd, slave_fd;
    char pty_path[128];
    char link[256];
    int baud; /* RTU: emulate this line speed (0: none) */
    int dlt645;         /* speaks DL/T 645-2007, not Modbus */
    uint64_t addr_base; /* DL/T 645: meter id's address is addr_base + id */
    modbus_t *ctx;
    sim_meter *ids[SIM_MAX_IDS];
    uint8_t buf[2 * DLT645_FRAME_MAX];
    int len;
    uint8_t cbuf[MAX_CLIENTS][2 * DLT645_FRAME_MAX]; /* DL/T 645 over TCP: per client */
    int clen[MAX_CLIENTS];
    double last_byte_s;
} endpoint;

typedef struct sim {
    endpoint ep[SIM_MAX_ENDPOINTS];
    int nep;
    sim_meter *meters;
    int nmeters;
    uint64_t seed;
    sim_clock clock;
    char state_path[256];
} sim;

static volatile sig_atomic_t dump_requested, stop_requested;

static void on_usr1(int sig)
{
    (void)sig;
    dump_requested = 1;
}

static void on_term(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void sleep_ms(double ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {(time_t)(ms / 1000), (long)((ms - (double)(time_t)(ms / 1000) * 1000) * 1e6)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* splitmix64: deterministic per (seed, endpoint, id) */
static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: metersim [options] ENDPOINT [--meters SPEC]... [--fault SPEC]... [ENDPOINT ...]\n"
            "Simulates Modbus energy meters over TCP and RTU (pseudo-terminal).\n\n"
            "endpoints (meters and faults after one belong to it):\n"
            "  --tcp [HOST:]PORT     Modbus TCP server, many unit ids behind one port\n"
            "  --rtu-pty             Modbus RTU on a new pseudo-terminal; prints its path\n"
            "  --link PATH           (after --rtu-pty) also make PATH a symlink to the pty\n"
            "  --baud N              (after --rtu-pty) answer at the pace of an N-baud line\n"
            "  --protocol dlt645     (after an endpoint) speak DL/T 645-2007 instead of Modbus\n"
            "  --addr-base N         (DL/T 645) meter ID has address N + ID, 12 digits (default 0)\n"
            "meters and faults:\n"
            "  --meters PROFILE:FIRST[-LAST][@POWER_W]   e.g. SDM120:1-30@1500\n"
            "       PROFILE one of SDM120 SDM630 DDSU666 DTSU666 generic (Modbus), DLT645-1P DLT645-3P\n"
            "       (DL/T 645); POWER_W default seeded 200..3000\n"
            "  --fault ID[-ID]:KIND[:ARG]   KIND silent | slow:MS | exception:CODE | crc | swap |\n"
            "       rollover:KWH | reset | jump:KWH | stuck | relay-stuck | garbage | nan (float import\n"
            "       reads NaN) | unit:N (TCP: the reply carries unit id N);\n"
            "       DL/T 645 only: no-block | drift:S | preamble:N | follow-up (exception:CODE = ERR byte)\n"
            "clock and state:\n"
            "  --seed N              initial counters and loads (default 1)\n"
            "  --start EPOCH|YYYY-MM-DDTHH:MM:SSZ   simulated time at launch (default: now)\n"
            "  --since EPOCH|YYYY-MM-DDTHH:MM:SSZ   the counters count from then (default --start): a\n"
            "       simulator started again goes on from the counters of the one before\n"
            "  --speed N             simulated seconds per real second (default 1)\n"
            "  --state FILE          on SIGUSR1 write the true state (energy per meter) as JSON\n"
            "  --config FILE         the same as JSON: {\"seed\", \"start\", \"since\", \"speed\", \"state\",\n"
            "       \"endpoints\": [{\"tcp\": \"HOST:PORT\" | \"rtu\": \"pty\", \"link\", \"baud\",\n"
            "       \"meters\": [SPEC...], \"faults\": [SPEC...]}]}\n"
            "  --help\n");
}

static int parse_time(const char *s, double *out)
{
    struct tm tm;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end == '\0') {
        *out = (double)v;
        return 0;
    }
    memset(&tm, 0, sizeof tm);
    if (sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec) != 6 &&
        sscanf(s, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (double)timegm(&tm);
    return 0;
}

static endpoint *current(sim *s)
{
    return s->nep > 0 ? &s->ep[s->nep - 1] : NULL;
}

static int add_endpoint(sim *s, int is_tcp, const char *arg)
{
    if (s->nep >= SIM_MAX_ENDPOINTS)
        return -1;
    endpoint *e = &s->ep[s->nep++];
    memset(e, 0, sizeof *e);
    e->is_tcp = is_tcp;
    e->listen_fd = e->master_fd = e->slave_fd = -1;
    if (is_tcp) {
        const char *colon = strrchr(arg, ':');
        snprintf(e->host, sizeof e->host, "127.0.0.1");
        if (colon) {
            snprintf(e->host, sizeof e->host, "%.*s", (int)(colon - arg), arg);
            arg = colon + 1;
        }
        e->port = atoi(arg) > 0 ? (int)strtol(arg, NULL, 10) : 0;
        return e->port > 0 && e->port < 65536 ? 0 : -1;
    }
    return 0;
}

static int add_meters(sim *s, const char *spec)
{
    char name[64];
    int first = 0, last = 0;
    double power = -1;
    endpoint *e = current(s);
    const char *colon = strchr(spec, ':');
    if (e == NULL || colon == NULL || colon - spec >= (long)sizeof name)
        return -1;
    snprintf(name, sizeof name, "%.*s", (int)(colon - spec), spec);
    int dlt = strcmp(name, "DLT645-1P") == 0 || strcmp(name, "DLT645-3P") == 0;
    const profile *prof = profile_builtin(dlt ? (name[7] == '1' ? "SDM120" : "SDM630") : name);
    if (dlt != e->dlt645)
        return -1; /* a DL/T 645 meter on a Modbus endpoint or the reverse */
    int n = sscanf(colon + 1, "%d-%d", &first, &last);
    if (prof == NULL || n < 1)
        return -1;
    if (n == 1)
        last = first;
    const char *at = strchr(colon, '@');
    if (at)
        power = strtod(at + 1, NULL);
    if (first < 1 || last > 247 || last < first || s->nmeters + (last - first + 1) > MAX_METERS)
        return -1;
    for (int id = first; id <= last; id++) {
        sim_meter *m = &s->meters[s->nmeters++];
        uint64_t r = mix(s->seed ^ ((uint64_t)(s->nep - 1) << 16) ^ (uint64_t)id);
        memset(m, 0, sizeof *m);
        m->endpoint = s->nep - 1;
        m->id = id;
        m->prof = prof;
        m->base_wh = 1e6 + (double)(r % 49000000ULL);          /* 1,000 .. 50,000 kWh */
        m->power_w = power >= 0 ? power : 200 + (double)((r >> 32) % 2800);
        m->export_wh = (double)((r >> 16) % 100000);
        m->voltage_dv = 2200 + (double)((r >> 40) % 200);
        m->pf = 0.95;
        m->relay_closed = 1;
        m->dlt645 = dlt;
        e->ids[id] = m;
    }
    return 0;
}

static int add_fault(sim *s, const char *spec)
{
    int first = 0, last = 0, used = 0;
    sim_fault f;
    long arg;
    endpoint *e = current(s);
    if (e == NULL)
        return -1;
    if (sscanf(spec, "%d-%d:%n", &first, &last, &used) == 2 && used > 0) {
    } else if (sscanf(spec, "%d:%n", &first, &used) == 1 && used > 0) {
        last = first;
    } else {
        return -1;
    }
    if (first < 1 || last > 247 || last < first || sim_fault_parse(spec + used, &f, &arg) != 0)
        return -1;
    for (int id = first; id <= last; id++) {
        if (e->ids[id] == NULL)
            return -1;
        e->ids[id]->fault = f;
        e->ids[id]->fault_arg = arg;
        if (f == SIM_DRIFT)
            e->ids[id]->clock_offset_s = (double)arg;
    }
    return 0;
}

/* ---- answers ---- */

static void reply_bad_crc(const sim *s, endpoint *e, const uint8_t *req, const sim_meter *m, uint16_t addr,
                          uint16_t n)
{
    uint8_t out[5 + 2 * 125];
    uint16_t regs[125];
    int len = 0;
    sim_fill(m, &s->clock, req[1], addr, n, regs);
    out[len++] = req[0];
    out[len++] = req[1];
    out[len++] = (uint8_t)(2 * n);
    for (int i = 0; i < n; i++) {
        out[len++] = (uint8_t)(regs[i] >> 8);
        out[len++] = (uint8_t)regs[i];
    }
    uint16_t crc = sim_crc16(out, len) ^ 0x5A5A;
    out[len++] = (uint8_t)crc;
    out[len++] = (uint8_t)(crc >> 8);
    if (write(e->master_fd, out, (size_t)len) < 0)
        return;
}

static void reply_registers(sim *s, endpoint *e, const uint8_t *req, int len, sim_meter *m, int fn, uint16_t addr,
                            uint16_t n)
{
    modbus_mapping_t *map = modbus_mapping_new_start_address(
        0, 0, 0, 0, fn == MODBUSFN_READ_HOLDING ? addr : 0, fn == MODBUSFN_READ_HOLDING ? n : 0,
        fn == MODBUSFN_READ_INPUT ? addr : 0, fn == MODBUSFN_READ_INPUT ? n : 0);
    if (map == NULL)
        return;
    uint16_t *tab = fn == MODBUSFN_READ_HOLDING ? map->tab_registers : map->tab_input_registers;
    int hits = sim_fill(m, &s->clock, fn, addr, n, tab);
    if (fn == MODBUSFN_READ_HOLDING && m->prof->relay == PROFILE_RELAY_REGISTER && m->prof->relay_addr >= addr &&
        m->prof->relay_addr < addr + n) {
        tab[m->prof->relay_addr - addr] = m->relay_closed ? m->prof->relay_on : m->prof->relay_off;
        hits++;
    }
    if (hits == 0)
        modbus_reply_exception(e->ctx, req, MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS);
    else
        modbus_reply(e->ctx, req, len, map);
    modbus_mapping_free(map);
}

static void reply_relay(endpoint *e, const uint8_t *req, int len, sim_meter *m, int fn, uint16_t addr,
                        uint16_t value)
{
    int coil = fn == MODBUSFN_READ_COILS || fn == MODBUSFN_WRITE_COIL;
    const profile *p = m->prof;
    if ((coil ? PROFILE_RELAY_COIL : PROFILE_RELAY_REGISTER) != p->relay || addr != p->relay_addr) {
        modbus_reply_exception(e->ctx, req, MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS);
        return;
    }
    modbus_mapping_t *map = coil ? modbus_mapping_new_start_address(addr, 1, 0, 0, 0, 0, 0, 0)
                                 : modbus_mapping_new_start_address(0, 0, 0, 0, addr, 1, 0, 0);
    if (map == NULL)
        return;
    if (coil)
        map->tab_bits[0] = (uint8_t)m->relay_closed;
    else
        map->tab_registers[0] = m->relay_closed ? p->relay_on : p->relay_off;
    modbus_reply(e->ctx, req, len, map);
    if (m->fault != SIM_RELAY_STUCK && (fn == MODBUSFN_WRITE_COIL || fn == MODBUSFN_WRITE_REGISTER))
        m->relay_closed = coil ? map->tab_bits[0] != 0 : value == p->relay_on;
    modbus_mapping_free(map);
}

static void handle(sim *s, endpoint *e, const uint8_t *req_in, int len, int off)
{
    uint8_t other[MODBUS_TCP_MAX_ADU_LENGTH];
    const uint8_t *req = req_in;
    int slave = req[off - 1], fn = req[off];
    uint16_t addr = (uint16_t)(req[off + 1] << 8 | req[off + 2]);
    uint16_t n = (uint16_t)(req[off + 3] << 8 | req[off + 4]);
    sim_meter *m = slave > 0 && slave < SIM_MAX_IDS ? e->ids[slave] : NULL;
    if (m == NULL || m->fault == SIM_SILENT)
        return; /* nobody there */
    modbus_set_slave(e->ctx, slave);
    if (m->fault == SIM_UNIT && e->is_tcp && len <= (int)sizeof other) { /* the reply's MBAP names another unit */
        memcpy(other, req_in, (size_t)len);
        other[off - 1] = (uint8_t)m->fault_arg;
        req = other;
    }
    if (m->fault == SIM_SLOW)
        sleep_ms((double)m->fault_arg);
    if (!e->is_tcp && e->baud > 0) /* the line's pace: request + response frames */
        sleep_ms((8.0 + ((fn == MODBUSFN_READ_HOLDING || fn == MODBUSFN_READ_INPUT) ? 5 + 2 * n : 8)) * 11 * 1000 /
                     e->baud +
                 2 * 3.5 * 11 * 1000 / e->baud);
    if (m->fault == SIM_EXCEPTION) {
        modbus_reply_exception(e->ctx, req, (unsigned)m->fault_arg);
        return;
    }
    if ((fn == MODBUSFN_READ_HOLDING || fn == MODBUSFN_READ_INPUT) && (n == 0 || n > 125)) {
        modbus_reply_exception(e->ctx, req, MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE);
        return;
    }
    if (m->fault == SIM_CRC && !e->is_tcp && (fn == MODBUSFN_READ_HOLDING || fn == MODBUSFN_READ_INPUT)) {
        reply_bad_crc(s, e, req, m, addr, n);
        return;
    }
    if (fn == MODBUSFN_READ_HOLDING || fn == MODBUSFN_READ_INPUT) {
        if (fn == MODBUSFN_READ_HOLDING && m->prof->relay == PROFILE_RELAY_REGISTER && n == 1 &&
            addr == m->prof->relay_addr)
            reply_relay(e, req, len, m, fn, addr, 0);
        else
            reply_registers(s, e, req, len, m, fn, addr, n);
    } else if (fn == MODBUSFN_READ_COILS || fn == MODBUSFN_WRITE_COIL || fn == MODBUSFN_WRITE_REGISTER) {
        reply_relay(e, req, len, m, fn, addr, n);
    } else {
        modbus_reply_exception(e->ctx, req, MODBUS_EXCEPTION_ILLEGAL_FUNCTION);
    }
}

/* ---- transports ---- */

static int listen_plain(endpoint *e)
{
    struct sockaddr_in sa = {0};
    int one = 1;
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)e->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (strcmp(e->host, "0.0.0.0") == 0)
        sa.sin_addr.s_addr = htonl(INADDR_ANY);
    e->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (e->listen_fd < 0)
        return -1;
    setsockopt(e->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(e->listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(e->listen_fd, 64) != 0)
        return -1;
    return 0;
}

static int open_endpoint(endpoint *e)
{
    if (e->is_tcp && e->dlt645)
        return listen_plain(e);
    if (e->is_tcp) {
        e->ctx = modbus_new_tcp(e->host, e->port);
        if (e->ctx == NULL || (e->listen_fd = modbus_tcp_listen(e->ctx, 64)) < 0)
            return -1;
        return 0;
    }
    e->master_fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (e->master_fd < 0 || grantpt(e->master_fd) != 0 || unlockpt(e->master_fd) != 0)
        return -1;
    snprintf(e->pty_path, sizeof e->pty_path, "%s", ptsname(e->master_fd));
    /* hold the slave side open (no hangup between clients) and make it raw: no echo */
    e->slave_fd = open(e->pty_path, O_RDWR | O_NOCTTY);
    struct termios t;
    if (e->slave_fd < 0 || tcgetattr(e->slave_fd, &t) != 0)
        return -1;
    cfmakeraw(&t);
    tcsetattr(e->slave_fd, TCSANOW, &t);
    if (tcgetattr(e->master_fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(e->master_fd, TCSANOW, &t);
    }
    if (e->link[0]) {
        unlink(e->link);
        if (symlink(e->pty_path, e->link) != 0)
            return -1;
    }
    if (e->dlt645)
        return 0;
    e->ctx = modbus_new_rtu("/dev/null", 9600, 'N', 8, 1);
    if (e->ctx == NULL)
        return -1;
    modbus_set_socket(e->ctx, e->master_fd);
    return 0;
}

/* ---- DL/T 645 ---- */

static void dlt_pace(const endpoint *e, const sim_meter *m, size_t bytes)
{
    if (m != NULL && m->fault == SIM_SLOW)
        sleep_ms((double)m->fault_arg);
    if (!e->is_tcp && e->baud > 0) /* 8E1: 11 bits a byte */
        sleep_ms((double)bytes * 11 * 1000 / e->baud);
}

static void dlt_write(int fd, const uint8_t *p, size_t n)
{
    if (n > 0 && write(fd, p, n) < 0)
        return;
}

/* A broadcast time reaches every meter; anything else the one(s) addressed. */
static void dlt_dispatch(sim *s, endpoint *e, const dlt645_frame *req, int fd)
{
    uint8_t out[DLT645_FRAME_MAX];
    size_t n = 0;
    int hits = 0;
    dlt645_addr all = dlt645_addr_broadcast();
    int broadcast = memcmp(req->addr.b, all.b, DLT645_ADDR_LEN) == 0;
    for (int id = 1; id < SIM_MAX_IDS && !broadcast; id++) {
        dlt645_addr own = simdlt_addr(e->addr_base, id);
        hits += e->ids[id] != NULL && e->ids[id]->fault != SIM_SILENT && simdlt_matches(&req->addr, &own);
    }
    if (hits > 1) { /* several meters answer a wildcard at once: a collision */
        static const uint8_t noise[] = {0x68, 0xFF, 0x00, 0x68, 0x33, 0xFE, 0x68, 0x91};
        dlt_write(fd, noise, sizeof noise);
        return;
    }
    for (int id = 1; id < SIM_MAX_IDS; id++) {
        sim_meter *m = e->ids[id];
        dlt645_addr own = simdlt_addr(e->addr_base, id);
        if (m == NULL)
            continue;
        if (broadcast) {
            if ((req->ctrl & DLT645_C_FUNC) == DLT645_F_BROADCAST_TIME && m->fault != SIM_SILENT)
                simdlt_set_clock(m, &s->clock, req);
            continue;
        }
        if (!simdlt_matches(&req->addr, &own) || m->fault == SIM_SILENT)
            continue;
        if (simdlt_reply(m, &s->clock, &own, req, out, sizeof out, &n)) {
            dlt_pace(e, m, 16 + req->len + n);
            dlt_write(fd, out, n);
        }
    }
}

/* Take every whole frame out of buf[*len]; noise is dropped. */
static void dlt_feed(sim *s, endpoint *e, uint8_t *buf, int *len, int fd)
{
    while (*len > 0) {
        dlt645_frame f;
        size_t used = 0;
        if (dlt645_need(buf, (size_t)*len) > (size_t)*len)
            return;
        if (dlt645_decode(buf, (size_t)*len, &f, &used) == GL_OK)
            dlt_dispatch(s, e, &f, fd);
        memmove(buf, buf + used, (size_t)*len - used);
        *len -= (int)used;
    }
}

static void dlt_append(uint8_t *buf, int *len, int cap, const uint8_t *b, ssize_t n)
{
    if (*len + n > cap)
        *len = 0; /* more noise than any frame: start again */
    if (n > cap)
        return;
    memcpy(buf + *len, b, (size_t)n);
    *len += (int)n;
}

static void dlt_tcp_readable(sim *s, endpoint *e, int k)
{
    uint8_t b[DLT645_FRAME_MAX];
    ssize_t n = read(e->clients[k], b, sizeof b);
    if (n <= 0) {
        close(e->clients[k]);
        e->nclients--;
        e->clients[k] = e->clients[e->nclients];
        memcpy(e->cbuf[k], e->cbuf[e->nclients], sizeof e->cbuf[k]);
        e->clen[k] = e->clen[e->nclients];
        return;
    }
    dlt_append(e->cbuf[k], &e->clen[k], (int)sizeof e->cbuf[k], b, n);
    dlt_feed(s, e, e->cbuf[k], &e->clen[k], e->clients[k]);
}

static void dlt_pty_readable(sim *s, endpoint *e)
{
    uint8_t b[DLT645_FRAME_MAX];
    ssize_t n = read(e->master_fd, b, sizeof b);
    double now = monotime_s();
    if (n <= 0)
        return;
    if (now - e->last_byte_s > 0.5) /* a long silence ends any partial frame */
        e->len = 0;
    e->last_byte_s = now;
    dlt_append(e->buf, &e->len, (int)sizeof e->buf, b, n);
    dlt_feed(s, e, e->buf, &e->len, e->master_fd);
}

static void tcp_readable(sim *s, endpoint *e, int k)
{
    if (e->dlt645) {
        dlt_tcp_readable(s, e, k);
        return;
    }

    uint8_t q[MODBUS_TCP_MAX_ADU_LENGTH];
    modbus_set_socket(e->ctx, e->clients[k]);
    int rc = modbus_receive(e->ctx, q);
    if (rc > 0) {
        handle(s, e, q, rc, modbus_get_header_length(e->ctx));
    } else if (rc < 0) {
        close(e->clients[k]);
        e->clients[k] = e->clients[--e->nclients];
    }
}

static void rtu_readable(sim *s, endpoint *e)
{
    if (e->dlt645) {
        dlt_pty_readable(s, e);
        return;
    }
    uint8_t b[256];
    ssize_t n = read(e->master_fd, b, sizeof b);
    double now = monotime_s();
    if (n <= 0)
        return;
    if (now - e->last_byte_s > 0.005) /* a silence ends any partial frame */
        e->len = 0;
    e->last_byte_s = now;
    if (e->len + n > (ssize_t)sizeof e->buf)
        e->len = 0;
    memcpy(e->buf + e->len, b, (size_t)n);
    e->len += (int)n;
    if (e->len > 256)
        e->len = 0;
    while (e->len >= 8) { /* functions 1, 3, 4, 5, 6: 8-byte requests */
        uint16_t crc = sim_crc16(e->buf, 6);
        if (e->buf[6] != (uint8_t)crc || e->buf[7] != (uint8_t)(crc >> 8)) {
            e->len = 0; /* garbage: resynchronise on the next silence */
            return;
        }
        handle(s, e, e->buf, 8, 1);
        memmove(e->buf, e->buf + 8, (size_t)(e->len - 8));
        e->len -= 8;
    }
}

static void write_dlt_state(FILE *f, const endpoint *e, const sim_meter *m, const sim_clock *c, double t)
{
    char addr[13];
    int64_t u[5];
    dlt645_addr a = simdlt_addr(e->addr_base, m->id);
    dlt645_addr_format(&a, addr);
    simdlt_tariff_units(m, c, t, u);
    fprintf(f, ", \"address\": \"%s\", \"clock_offset_s\": %.0f, \"units_0_01kwh\": [%lld, %lld, %lld, %lld, %lld]",
            addr, m->clock_offset_s, (long long)u[0], (long long)u[1], (long long)u[2], (long long)u[3],
            (long long)u[4]);
}

static void write_state(const sim *s)
{
    char tmp[300];
    double t = sim_now(&s->clock);
    snprintf(tmp, sizeof tmp, "%s.tmp", s->state_path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return;
    fprintf(f, "{\"ts\": %.3f, \"meters\": [", t);
    for (int i = 0; i < s->nmeters; i++) {
        const sim_meter *m = &s->meters[i];
        fprintf(f, "%s\n  {\"endpoint\": %d, \"id\": %d, \"profile\": \"%s\", \"import_wh\": \"%.1f\", "
                   "\"power_w\": %.0f, \"relay_closed\": %d, \"fault\": %d",
                i ? "," : "", m->endpoint, m->id, m->prof->name, sim_import_wh(m, &s->clock, t), m->power_w,
                m->relay_closed, (int)m->fault);
        if (m->dlt645)
            write_dlt_state(f, &s->ep[m->endpoint], m, &s->clock, t);
        fputc('}', f);
    }
    fprintf(f, "\n]}\n");
    if (fclose(f) == 0)
        rename(tmp, s->state_path);
}

static void serve(sim *s)
{
    struct pollfd pfd[SIM_MAX_ENDPOINTS * (MAX_CLIENTS + 1)];
    int owner[SIM_MAX_ENDPOINTS * (MAX_CLIENTS + 1)], slot[SIM_MAX_ENDPOINTS * (MAX_CLIENTS + 1)];
    while (!stop_requested) {
        int n = 0;
        if (dump_requested && s->state_path[0]) {
            dump_requested = 0;
            write_state(s);
        }
        for (int i = 0; i < s->nep; i++) {
            endpoint *e = &s->ep[i];
            pfd[n] = (struct pollfd){e->is_tcp ? e->listen_fd : e->master_fd, POLLIN, 0};
            owner[n] = i;
            slot[n++] = -1;
            for (int k = 0; e->is_tcp && k < e->nclients; k++) {
                pfd[n] = (struct pollfd){e->clients[k], POLLIN, 0};
                owner[n] = i;
                slot[n++] = k;
            }
        }
        if (poll(pfd, (nfds_t)n, 100) <= 0)
            continue;
        for (int j = n - 1; j >= 0; j--) { /* from the end: a closed client moves the last one */
            endpoint *e = &s->ep[owner[j]];
            if (!(pfd[j].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (!e->is_tcp) {
                if (pfd[j].revents & POLLIN)
                    rtu_readable(s, e);
            } else if (slot[j] >= 0) {
                tcp_readable(s, e, slot[j]);
            } else {
                int c = accept(e->listen_fd, NULL, NULL);
                if (c >= 0 && e->nclients < MAX_CLIENTS) {
                    e->clen[e->nclients] = 0;
                    e->clients[e->nclients++] = c;
                }
                else if (c >= 0)
                    close(c);
            }
        }
    }
}

/* ---- options ---- */

static int option(sim *s, const char *opt, const char *val)
{
    endpoint *e = current(s);
    if (strcmp(opt, "--tcp") == 0)
        return add_endpoint(s, 1, val);
    if (strcmp(opt, "--rtu-pty") == 0)
        return add_endpoint(s, 0, val);
    if (strcmp(opt, "--meters") == 0)
        return add_meters(s, val);
    if (strcmp(opt, "--fault") == 0)
        return add_fault(s, val);
    if (strcmp(opt, "--link") == 0 && e && !e->is_tcp)
        return snprintf(e->link, sizeof e->link, "%s", val) < (int)sizeof e->link ? 0 : -1;
    if (strcmp(opt, "--protocol") == 0 && e)
        return strcmp(val, "dlt645") == 0 ? (e->dlt645 = 1, 0) : strcmp(val, "modbus") == 0 ? (e->dlt645 = 0, 0) : -1;
    if (strcmp(opt, "--addr-base") == 0 && e) {
        char *end;
        e->addr_base = strtoull(val, &end, 10);
        return *end == '\0' && e->addr_base < 999999999000ULL ? 0 : -1;
    }
    if (strcmp(opt, "--baud") == 0 && e && !e->is_tcp)
        return (e->baud = (int)strtol(val, NULL, 10)) > 0 ? 0 : -1;
    if (strcmp(opt, "--seed") == 0)
        return s->seed = strtoull(val, NULL, 10), 0;
    if (strcmp(opt, "--start") == 0)
        return parse_time(val, &s->clock.start_s);
    if (strcmp(opt, "--since") == 0)
        return s->clock.has_since = 1, parse_time(val, &s->clock.since_s);
    if (strcmp(opt, "--speed") == 0)
        return (s->clock.speed = strtod(val, NULL)) > 0 ? 0 : -1;
    if (strcmp(opt, "--state") == 0)
        return snprintf(s->state_path, sizeof s->state_path, "%s", val) < (int)sizeof s->state_path ? 0 : -1;
    return -1;
}

static int json_list(sim *s, const cJSON *arr, const char *opt)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, arr)
    {
        if (!cJSON_IsString(v) || option(s, opt, v->valuestring) != 0)
            return -1;
    }
    return 0;
}

static int load_config(sim *s, const char *path)
{
    char buf[1 << 16];
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    cJSON *root = cJSON_Parse(buf), *v;
    int rc = root ? 0 : -1;
    static const char *const top[] = {"seed", "start", "since", "speed", "state"};
    for (size_t i = 0; rc == 0 && i < sizeof top / sizeof top[0]; i++) {
        char opt[16], num[32];
        snprintf(opt, sizeof opt, "--%s", top[i]);
        if ((v = cJSON_GetObjectItemCaseSensitive(root, top[i])) == NULL)
            continue;
        if (cJSON_IsNumber(v))
            snprintf(num, sizeof num, "%.17g", v->valuedouble);
        rc = option(s, opt, cJSON_IsString(v) ? v->valuestring : num);
    }
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "endpoints"))
    {
        const cJSON *tcp = cJSON_GetObjectItemCaseSensitive(v, "tcp"), *x;
        if (rc == 0)
            rc = cJSON_IsString(tcp) ? option(s, "--tcp", tcp->valuestring) : option(s, "--rtu-pty", "");
        if (rc == 0 && cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(v, "link")))
            rc = option(s, "--link", x->valuestring);
        if (rc == 0 && cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(v, "protocol")))
            rc = option(s, "--protocol", x->valuestring);
        if (rc == 0 && cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(v, "addr_base")))
            rc = option(s, "--addr-base", x->valuestring);
        if (rc == 0 && cJSON_IsNumber(x = cJSON_GetObjectItemCaseSensitive(v, "baud")))
            current(s)->baud = x->valueint;
        if (rc == 0)
            rc = json_list(s, cJSON_GetObjectItemCaseSensitive(v, "meters"), "--meters");
        if (rc == 0)
            rc = json_list(s, cJSON_GetObjectItemCaseSensitive(v, "faults"), "--fault");
    }
    cJSON_Delete(root);
    return rc;
}

int main(int argc, char **argv)
{
    static sim s;
    s.seed = 1;
    s.clock.speed = 1;
    s.clock.start_s = (double)time(NULL);
    s.clock.real0_s = monotime_s();
    s.meters = calloc(MAX_METERS, sizeof *s.meters);
    if (s.meters == NULL)
        return 1;
    for (int i = 1; i < argc; i++) {
        int takes = strcmp(argv[i], "--rtu-pty") != 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (takes && i + 1 >= argc) {
            fprintf(stderr, "metersim: %s needs a value (try --help)\n", argv[i]);
            return 2;
        }
        int rc = strcmp(argv[i], "--config") == 0 ? load_config(&s, argv[i + 1])
                                                    : option(&s, argv[i], takes ? argv[i + 1] : "");
        if (rc != 0) {
            fprintf(stderr, "metersim: bad option %s %s (try --help)\n", argv[i], takes ? argv[i + 1] : "");
            return 2;
        }
        i += takes;
    }
    if (s.nep == 0) {
        usage(stderr);
        return 2;
    }
    if (!s.clock.has_since)
        s.clock.since_s = s.clock.start_s;
    signal(SIGUSR1, on_usr1);
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < s.nep; i++) {
        endpoint *e = &s.ep[i];
        int n = 0;
        for (int id = 1; id < SIM_MAX_IDS; id++)
            n += e->ids[id] != NULL;
        if (open_endpoint(e) != 0) {
            fprintf(stderr, "metersim: cannot open %s %s:%d: %s\n", e->is_tcp ? "tcp" : "rtu", e->host, e->port,
                    strerror(errno));
            return 1;
        }
        const char *proto = e->dlt645 ? " dlt645" : "";
        if (e->is_tcp)
            printf("metersim: tcp %s:%d %d meters%s\n", e->host, e->port, n, proto);
        else
            printf("metersim: rtu %s %d meters%s\n", e->pty_path, n, proto);
    }
    printf("metersim: ready, start %.0f speed %g seed %llu\n", s.clock.start_s, s.clock.speed,
           (unsigned long long)s.seed);
    fflush(stdout);
    serve(&s);
    if (s.state_path[0])
        write_state(&s);
    for (int i = 0; i < s.nep; i++) {
        if (s.ep[i].link[0])
            unlink(s.ep[i].link);
        if (s.ep[i].ctx)
            modbus_free(s.ep[i].ctx);
    }
    free(s.meters);
    return 0;
}
