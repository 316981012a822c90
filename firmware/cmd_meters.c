/* cmd_meters.c: `gridledger meters scan --bus B [--json]` tries every
 * configured address of a DL/T 645 bus (its address register, 04000401)
 * and reports who answers at what baud: the bus's own first, then the
 * other DL/T 645 rates for those still silent (serial buses only).
 * `meters scan --bus B --discover` asks the one meter of a bus for its
 * address (13 to AA..AA), for a new meter whose nameplate is unreadable.
 * `meters relay METER open|close` switches a meter's relay through the
 * same path the collection plan drives, with read-back.
 * `meters time-sync --bus B` broadcasts the gateway's clock (08). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "dlt645poll.h"
#include "clock.h"
#include "config.h"
#include "poller.h"

#define SCAN_BAUDS 4

typedef struct scan_row {
    int meter;    /* index in cfg->meters */
    int baud;     /* 0: no answer */
    gl_status st; /* of the last try */
    dlt645_addr got;
} scan_row;

static gl_status scan_at(const config *cfg, const bus_cfg *cb, int baud, scan_row *rows, int n)
{
    bus_cfg at = *cb;
    dlt645link *l = NULL;
    at.baud = baud;
    gl_status st = dlt645link_open(&at, &l);
    if (st != GL_OK)
        return st;
    for (int k = 0; k < n; k++) {
        dlt645poll_meter m = {.prof = NULL, .preamble = cb->preamble, .retries = 0, .block = -1};
        if (rows[k].baud != 0 || dlt645_addr_parse(cfg->meters[rows[k].meter].address, &m.addr) != GL_OK)
            continue;
        rows[k].st = dlt645poll_probe(l, &m, &rows[k].got);
        if (rows[k].st == GL_OK || rows[k].st == GL_EEXCEPTION)
            rows[k].baud = cb->type == BUS_RTU ? baud : -1;
    }
    dlt645link_close(l);
    return GL_OK;
}

static void print_scan(const config *cfg, const bus_cfg *cb, const scan_row *rows, int n, int json)
{
    if (json)
        printf("{\"bus\": \"%s\", \"meters\": [", cb->name);
    for (int k = 0; k < n; k++) {
        const config_meter *m = &cfg->meters[rows[k].meter];
        const char *what = rows[k].baud != 0 ? "ok" : rows[k].st == GL_ETIMEOUT ? "silent" : "error";
        if (json) {
            printf("%s\n  {\"meter\": \"%s\", \"address\": \"%s\", \"status\": \"%s\"", k ? "," : "", m->id, m->address,
                   what);
            if (rows[k].baud > 0)
                printf(", \"baud\": %d", rows[k].baud);
            printf("}");
        } else if (rows[k].baud > 0) {
            printf("%-12s %s answers at %d baud\n", m->id, m->address, rows[k].baud);
        } else if (rows[k].baud < 0) {
            printf("%-12s %s answers\n", m->id, m->address);
        } else {
            printf("%-12s %s %s (%s)\n", m->id, m->address, what, gl_strerror(rows[k].st));
        }
    }
    if (json)
        printf("\n]}\n");
}

static int scan(const config *cfg, int b, int json)
{
    static const int bauds[SCAN_BAUDS] = {2400, 1200, 4800, 9600};
    const bus_cfg *cb = &cfg->buses[b];
    scan_row *rows = calloc((size_t)cfg->nmeters + 1, sizeof *rows);
    int n = 0, found = 0;
    if (rows == NULL)
        return CLI_FAIL;
    for (int i = 0; i < cfg->nmeters; i++)
        if (cfg->meters[i].bus_index == b)
            rows[n++] = (scan_row){i, 0, GL_ETIMEOUT, {{0}}};
    gl_status st = scan_at(cfg, cb, cb->baud, rows, n);
    for (int k = 0; k < SCAN_BAUDS && st == GL_OK && cb->type == BUS_RTU; k++)
        if (bauds[k] != cb->baud)
            st = scan_at(cfg, cb, bauds[k], rows, n);
    if (st == GL_OK)
        print_scan(cfg, cb, rows, n, json);
    for (int k = 0; k < n; k++)
        found += rows[k].baud != 0;
    free(rows);
    if (st != GL_OK) {
        cli_error("meters scan", "%s", gl_strerror(st));
        return cli_status_exit(st);
    }
    return found > 0 ? CLI_OK : CLI_FAIL;
}

static int discover(const config *cfg, int b)
{
    dlt645link *l = NULL;
    dlt645_addr got;
    char text[13];
    gl_status st = dlt645link_open(&cfg->buses[b], &l);
    if (st == GL_OK)
        st = dlt645poll_read_address(l, cfg->buses[b].preamble, cfg->buses[b].retries, NULL, &got);
    dlt645link_close(l);
    if (st != GL_OK) {
        cli_error("meters scan", "read address on bus %s: %s", cfg->buses[b].name,
                  st == GL_EPROTO ? "no clean answer (more than one meter on the bus?)" : gl_strerror(st));
        return cli_status_exit(st);
    }
    dlt645_addr_format(&got, text);
    printf("%s\n", text);
    return CLI_OK;
}

static int time_sync(const config *cfg, int b)
{
    dlt645link *l = NULL;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm); /* meters keep local time (gateway.timezone) */
    dlt645_time t = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
    gl_status st = dlt645link_open(&cfg->buses[b], &l);
    if (st == GL_OK)
        st = dlt645poll_broadcast_time(l, &t, cfg->buses[b].preamble, NULL);
    dlt645link_close(l);
    if (st != GL_OK) {
        cli_error("meters time-sync", "%s", gl_strerror(st));
        return cli_status_exit(st);
    }
    printf("broadcast time %04d-%02d-%02d %02d:%02d:%02d on bus %s\n", t.year, t.month, t.day, t.hour, t.minute,
           t.second, cfg->buses[b].name);
    return CLI_OK;
}

static int relay(const config *cfg, const char *meter, const char *state)
{
    poller *p = NULL;
    int i = config_find_meter(cfg, meter), closed = strcmp(state, "close") == 0;
    if (i < 0 || (!closed && strcmp(state, "open") != 0)) {
        cli_error("meters relay", i < 0 ? "no meter named %s" : "say open or close, not %s", i < 0 ? meter : state);
        return CLI_USAGE;
    }
    gl_status st = poller_new(&cfg->poll, &p);
    if (st == GL_OK)
        st = poller_relay(p, i, closed);
    poller_free(p);
    if (st != GL_OK) {
        cli_error("meters relay", "%s: %s", meter,
                  st == GL_ESTATE ? "the relay did not follow (read back)" : gl_strerror(st));
        return cli_status_exit(st);
    }
    printf("%s relay %s (read back)\n", meter, closed ? "closed" : "open");
    return CLI_OK;
}

/* The bus named after --bus, which must speak DL/T 645. */
static int dlt645_bus(const config *cfg, int argc, char **argv, int *json, int *disc)
{
    int b = -1;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--bus") == 0 && i + 1 < argc)
            b = config_find_bus(cfg, argv[++i]);
        else if (strcmp(argv[i], "--json") == 0)
            *json = 1;
        else if (strcmp(argv[i], "--discover") == 0)
            *disc = 1;
        else
            return -2;
    }
    return b >= 0 && cfg->buses[b].protocol == BUS_PROTO_DLT645 ? b : -1;
}

int cmd_meters(cli_ctx *ctx, int argc, char **argv)
{
    config *cfg = NULL;
    int json = 0, disc = 0, ret;
    if (argc < 2 ||
        (strcmp(argv[1], "scan") != 0 && strcmp(argv[1], "relay") != 0 && strcmp(argv[1], "time-sync") != 0)) {
        cli_error("meters", "say scan --bus B, time-sync --bus B or relay METER open|close");
        return CLI_USAGE;
    }
    if ((ret = cli_load_config(ctx, &cfg)) != CLI_OK)
        return ret;
    if (clock_set_timezone(cfg->gateway.timezone) != GL_OK) { /* meters keep local time */
        cli_error("meters", "unknown time zone %s", cfg->gateway.timezone);
        config_free(cfg);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "relay") == 0) {
        ret = argc == 4 ? relay(cfg, argv[2], argv[3]) : CLI_USAGE;
    } else {
        int b = dlt645_bus(cfg, argc, argv, &json, &disc);
        if (b < 0) {
            cli_error("meters", b == -2 ? "unknown option (try meters --help)"
                                        : "--bus must name a bus with \"protocol\": \"dlt645\"");
            ret = CLI_USAGE;
        } else {
            ret = strcmp(argv[1], "scan") != 0 ? time_sync(cfg, b) : disc ? discover(cfg, b) : scan(cfg, b, json);
        }
    }
    config_free(cfg);
    return ret;
}
