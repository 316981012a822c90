/* cmd_poll.c: `gridledger poll --once [--json|--csv]`: polls every
 * configured meter once, stores the readings and prints them.
 *
 * Validation state (last good counters, silent polls, offline) lives in the
 * store between runs: the last OK reading per meter and a key
 * "poll.silent.METER" = "COUNT OFFLINE", so repeated `poll --once` runs see
 * decreases, jumps and a meter going offline after the bus's offline_after
 * silent polls (an event, stored as an alert) and coming back (an event). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "gridledger/config.h"
#include "poller.h"
#include "store.h"

typedef enum { OUT_TEXT, OUT_JSON, OUT_CSV } out_fmt;

static const char *status_name(reading_status st)
{
    return st == READING_OK ? "ok" : st == READING_OFFLINE ? "offline" : "error";
}

/* Wh (or any milli-unit) as a decimal string with 3 decimals. */
static void fmt_milli(char *out, size_t cap, int64_t v)
{
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    snprintf(out, cap, "%s%llu.%03llu", v < 0 ? "-" : "", (unsigned long long)(a / 1000),
             (unsigned long long)(a % 1000));
}

static void fmt_scaled(char *out, size_t cap, int64_t v, int decimals)
{
    static const int64_t div[] = {1, 10, 100, 1000};
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    snprintf(out, cap, "%s%llu.%0*llu", v < 0 ? "-" : "", (unsigned long long)(a / (uint64_t)div[decimals]),
             decimals, (unsigned long long)(a % (uint64_t)div[decimals]));
}

static void fmt_ts(char *out, size_t cap, int64_t ts)
{
    time_t t = (time_t)ts;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void print_flags(FILE *f, uint32_t flags, const char *sep)
{
    static const char *const names[] = {"decrease", "jump", "range", "stuck", "estimated"};
    int first = 1;
    for (int i = 0; i < 5; i++) {
        if (flags & (1u << i)) {
            fprintf(f, "%s%s", first ? "" : sep, names[i]);
            first = 0;
        }
    }
}

static void json_phases(FILE *f, const char *key, const int32_t *v, int n, int decimals)
{
    char b[32];
    fprintf(f, ", \"%s\": [", key);
    for (int i = 0; i < n; i++) {
        fmt_scaled(b, sizeof b, v[i], decimals);
        fprintf(f, "%s%s", i ? ", " : "", b);
    }
    fprintf(f, "]");
}

static void json_reading(FILE *f, const reading *r)
{
    char b[40], ts[32];
    int n = r->nphases == 3 ? 3 : 1;
    fmt_ts(ts, sizeof ts, r->ts);
    fprintf(f, "{\"meter\": \"%s\", \"ts\": \"%s\", \"status\": \"%s\"", r->meter, ts, status_name(r->status));
    if (r->present & READING_HAS_IMPORT) {
        fmt_milli(b, sizeof b, r->import_wh);
        fprintf(f, ", \"import_kwh\": \"%s\"", b);
    }
    if (r->present & READING_HAS_EXPORT) {
        fmt_milli(b, sizeof b, r->export_wh);
        fprintf(f, ", \"export_kwh\": \"%s\"", b);
    }
    if (r->present & READING_HAS_REACTIVE) {
        fmt_milli(b, sizeof b, r->reactive_varh);
        fprintf(f, ", \"reactive_kvarh\": \"%s\"", b);
    }
    if (r->present & READING_HAS_DEMAND)
        fprintf(f, ", \"demand_w\": %lld", (long long)r->demand_w);
    if (r->present & READING_HAS_VOLTAGE)
        json_phases(f, "voltage_v", r->voltage_dv, n, 1);
    if (r->present & READING_HAS_CURRENT)
        json_phases(f, "current_a", r->current_ma, n, 3);
    if (r->present & READING_HAS_POWER)
        fprintf(f, ", \"power_w\": %lld", (long long)r->power_w);
    if (r->present & READING_HAS_PF) {
        fmt_scaled(b, sizeof b, r->pf_milli, 3);
        fprintf(f, ", \"pf\": %s", b);
    }
    if (r->present & READING_HAS_FREQ) {
        fmt_scaled(b, sizeof b, r->freq_chz, 2);
        fprintf(f, ", \"freq_hz\": %s", b);
    }
    if (r->present & READING_HAS_RELAY)
        fprintf(f, ", \"relay\": \"%s\"", r->relay_closed ? "closed" : "open");
    if (r->flags) {
        fprintf(f, ", \"flags\": [\"");
        print_flags(f, r->flags, "\", \"");
        fprintf(f, "\"]");
    }
    if (r->nraw) {
        fprintf(f, ", \"raw\": [");
        for (int i = 0; i < r->nraw; i++)
            fprintf(f, "%s%u", i ? ", " : "", r->raw[i]);
        fprintf(f, "]");
    }
    if (r->error[0])
        fprintf(f, ", \"error\": \"%s\"", r->error);
    fprintf(f, "}");
}

static void print_json(const config *cfg, const poller *p, const reading *r, const validate_event *ev)
{
    printf("{\"readings\": [\n");
    for (int i = 0; i < cfg->nmeters; i++) {
        printf("  ");
        json_reading(stdout, &r[i]);
        printf("%s\n", i + 1 < cfg->nmeters ? "," : "");
    }
    printf("], \"events\": [");
    int first = 1;
    for (int i = 0; i < cfg->nmeters; i++) {
        if (ev[i] == VALIDATE_EVENT_NONE)
            continue;
        printf("%s{\"meter\": \"%s\", \"event\": \"%s\"}", first ? "" : ", ", r[i].meter, validate_event_name(ev[i]));
        first = 0;
    }
    printf("], \"buses\": [");
    for (int b = 0; b < cfg->nbuses; b++) {
        const bus_counters *c = poller_bus_counters(p, b);
        printf("%s\n  {\"bus\": \"%s\", \"requests\": %llu, \"bytes\": %llu, \"retries\": %llu, \"timeouts\": %llu, "
               "\"exceptions\": %llu, \"errors\": %llu, \"reconnects\": %llu, \"frame_ms\": %.3f, \"wall_ms\": %.3f}",
               b ? "," : "", cfg->buses[b].name, (unsigned long long)c->requests,
               (unsigned long long)(c->bytes_tx + c->bytes_rx), (unsigned long long)c->retries,
               (unsigned long long)c->timeouts, (unsigned long long)c->exceptions, (unsigned long long)c->errors,
               (unsigned long long)c->reconnects, (double)c->frame_us / 1000.0, (double)c->wall_us / 1000.0);
    }
    printf("\n]}\n");
}

static void print_csv(const config *cfg, const reading *r)
{
    printf("meter,ts,status,import_kwh,export_kwh,power_w,voltage_v,current_a,pf,freq_hz,flags,error\n");
    for (int i = 0; i < cfg->nmeters; i++) {
        char imp[32] = "", exp[32] = "", v[16] = "", a[16] = "", pf[16] = "", hz[16] = "", ts[32], pw[24] = "";
        fmt_ts(ts, sizeof ts, r[i].ts);
        if (r[i].present & READING_HAS_IMPORT)
            fmt_milli(imp, sizeof imp, r[i].import_wh);
        if (r[i].present & READING_HAS_EXPORT)
            fmt_milli(exp, sizeof exp, r[i].export_wh);
        if (r[i].present & READING_HAS_POWER)
            snprintf(pw, sizeof pw, "%lld", (long long)r[i].power_w);
        if (r[i].present & READING_HAS_VOLTAGE)
            fmt_scaled(v, sizeof v, r[i].voltage_dv[0], 1);
        if (r[i].present & READING_HAS_CURRENT)
            fmt_scaled(a, sizeof a, r[i].current_ma[0], 3);
        if (r[i].present & READING_HAS_PF)
            fmt_scaled(pf, sizeof pf, r[i].pf_milli, 3);
        if (r[i].present & READING_HAS_FREQ)
            fmt_scaled(hz, sizeof hz, r[i].freq_chz, 2);
        printf("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,", r[i].meter, ts, status_name(r[i].status), imp, exp, pw, v, a, pf,
               hz);
        print_flags(stdout, r[i].flags, ";");
        printf(",\"%s\"\n", r[i].error);
    }
}

static void print_text(const config *cfg, const reading *r, const validate_event *ev)
{
    for (int i = 0; i < cfg->nmeters; i++) {
        char imp[32] = "-";
        if (r[i].present & READING_HAS_IMPORT)
            fmt_milli(imp, sizeof imp, r[i].import_wh);
        printf("%-12s %-7s import %s kWh", r[i].meter, status_name(r[i].status), imp);
        if (r[i].present & READING_HAS_POWER)
            printf(", %lld W", (long long)r[i].power_w);
        if (r[i].flags) {
            printf(", flags ");
            print_flags(stdout, r[i].flags, ",");
        }
        if (r[i].error[0])
            printf(", %s", r[i].error);
        if (ev[i] != VALIDATE_EVENT_NONE)
            printf(" [%s]", validate_event_name(ev[i]));
        printf("\n");
    }
}

/* Validation state from the store: last OK reading, silent count. */
static void restore_state(store *s, const config *cfg, poller *p)
{
    for (int i = 0; i < cfg->nmeters; i++) {
        validate_state *vs = poller_state(p, i);
        reading *last = malloc(sizeof *last);
        char key[96], val[64];
        if (last && store_last_reading(s, cfg->meters[i].id, 0, last) == GL_OK &&
            (last->present & READING_HAS_IMPORT)) {
            vs->has_last = 1;
            vs->last_ts = last->ts;
            vs->last_import_wh = last->import_wh;
            vs->has_export = (last->present & READING_HAS_EXPORT) != 0;
            vs->last_export_wh = last->export_wh;
        }
        free(last);
        snprintf(key, sizeof key, "poll.silent.%s", cfg->meters[i].id);
        if (store_kv_get(s, key, val, sizeof val) == GL_OK)
            sscanf(val, "%d %d", &vs->silent_polls, &vs->offline);
    }
}

static gl_status save_state(store *s, const config *cfg, poller *p, const reading *r, const validate_event *ev,
                            int64_t ts)
{
    gl_status st = store_put_readings(s, r, (size_t)cfg->nmeters);
    for (int i = 0; st == GL_OK && i < cfg->nmeters; i++) {
        const validate_state *vs = poller_state(p, i);
        char key[96], val[64];
        snprintf(key, sizeof key, "poll.silent.%s", cfg->meters[i].id);
        snprintf(val, sizeof val, "%d %d", vs->silent_polls, vs->offline);
        st = store_kv_set(s, key, val);
        if (st == GL_OK && ev[i] != VALIDATE_EVENT_NONE)
            st = store_event(s, ts, ev[i] == VALIDATE_EVENT_OFFLINE ? "meter_offline" : "meter_online",
                             cfg->meters[i].id, r[i].error, ev[i] == VALIDATE_EVENT_OFFLINE);
    }
    return st;
}

static int parse_args(int argc, char **argv, out_fmt *fmt)
{
    int once = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--once") == 0)
            once = 1;
        else if (strcmp(argv[i], "--json") == 0)
            *fmt = OUT_JSON;
        else if (strcmp(argv[i], "--csv") == 0)
            *fmt = OUT_CSV;
        else {
            cli_error("poll", "unknown option %s (try poll --help)", argv[i]);
            return -1;
        }
    }
    if (!once) {
        cli_error("poll", "needs --once (continuous polling is `gridledger run`)");
        return -1;
    }
    return 0;
}

static int poll_and_store(const config *cfg, store *s, out_fmt fmt)
{
    poller *p = NULL;
    reading *r = calloc((size_t)cfg->nmeters, sizeof *r);
    validate_event *ev = calloc((size_t)cfg->nmeters, sizeof *ev);
    int ret = CLI_FAIL;
    gl_status st = r && ev ? poller_new(cfg, &p) : GL_ENOMEM;
    if (st != GL_OK) {
        cli_error("poll", "%s", gl_strerror(st));
        goto out;
    }
    restore_state(s, cfg, p);
    int64_t ts = (int64_t)time(NULL);
    if ((st = poller_poll(p, ts, r, ev)) == GL_OK)
        st = save_state(s, cfg, p, r, ev, ts);
    if (st != GL_OK) {
        cli_error("poll", "%s", gl_strerror(st));
        goto out;
    }
    if (fmt == OUT_JSON)
        print_json(cfg, p, r, ev);
    else if (fmt == OUT_CSV)
        print_csv(cfg, r);
    else
        print_text(cfg, r, ev);
    ret = CLI_OK;
out:
    poller_free(p);
    free(r);
    free(ev);
    return ret;
}

int cmd_poll(cli_ctx *ctx, int argc, char **argv)
{
    out_fmt fmt = OUT_TEXT;
    diag d;
    config *cfg = NULL;
    store *s = NULL;
    char path[CONFIG_PATH_MAX];
    if (parse_args(argc, argv, &fmt) != 0)
        return CLI_USAGE;
    diag_init(&d);
    gl_status st = config_load(ctx->config_path, &d, &cfg);
    if (st != GL_OK) {
        cli_print_diag(&d);
        return st == GL_ENOMEM ? CLI_FAIL : CLI_USAGE;
    }
    config_resolve_path(cfg, cfg->store.path, path, sizeof path);
    store_options opts;
    memset(&opts, 0, sizeof opts);
    opts.quota_mb = cfg->store.quota_mb;
    opts.compact_after_days = cfg->store.compact_after_days;
    if ((st = store_open(path, &opts, &s)) != GL_OK) {
        cli_error(path, "%s", gl_strerror(st));
        config_free(cfg);
        return CLI_FAIL;
    }
    int ret = poll_and_store(cfg, s, fmt);
    store_close(s);
    config_free(cfg);
    return ret;
}
