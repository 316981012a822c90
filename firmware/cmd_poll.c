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
#include "config.h"
#include "poller.h"
#include "pollstore.h"
#include "store.h"

typedef enum { OUT_TEXT, OUT_JSON, OUT_CSV } out_fmt;

/* The frozen readings stored before the cycle's: JSON objects (",\n" after
 * each) in a temporary file, or text lines printed at once. */
typedef struct frozen_out {
    out_fmt fmt;
    FILE *json;
} frozen_out;

static void frozen_print(void *ctx, const reading *r)
{
    frozen_out *o = ctx;
    char imp[32], ts[32];
    if (o->fmt == OUT_JSON && o->json != NULL) {
        fputs("  ", o->json);
        pollstore_reading_json(o->json, r);
        fputs(",\n", o->json);
    } else if (o->fmt == OUT_TEXT) {
        pollstore_fmt_milli(imp, sizeof imp, r->import_wh);
        pollstore_fmt_ts(ts, sizeof ts, r->ts);
        printf("%-12s %-7s import %s kWh, %s at %s\n", r->meter, "ok", imp, pollstore_source_name(r->source), ts);
    }
}

static void print_json(const config *cfg, const poller *p, const reading *r, const validate_event *ev, FILE *frozen)
{
    char buf[4096];
    size_t n;
    printf("{\"readings\": [\n");
    if (frozen != NULL) {
        rewind(frozen);
        while ((n = fread(buf, 1, sizeof buf, frozen)) > 0)
            fwrite(buf, 1, n, stdout);
    }
    for (int i = 0; i < cfg->nmeters; i++) {
        printf("  ");
        pollstore_reading_json(stdout, &r[i]);
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
               "\"exceptions\": %llu, \"errors\": %llu, \"wrong_unit\": %llu, \"reconnects\": %llu, \"frame_ms\": %.3f, "
               "\"wall_ms\": %.3f}",
               b ? "," : "", cfg->buses[b].name, (unsigned long long)c->requests,
               (unsigned long long)(c->bytes_tx + c->bytes_rx), (unsigned long long)c->retries,
               (unsigned long long)c->timeouts, (unsigned long long)c->exceptions, (unsigned long long)c->errors,
               (unsigned long long)c->wrong_unit, (unsigned long long)c->reconnects, (double)c->frame_us / 1000.0, (double)c->wall_us / 1000.0);
    }
    printf("\n]}\n");
}

static void print_csv(const config *cfg, const reading *r)
{
    printf("meter,ts,status,import_kwh,export_kwh,power_w,voltage_v,current_a,pf,freq_hz,flags,error\n");
    for (int i = 0; i < cfg->nmeters; i++) {
        char imp[32] = "", exp[32] = "", v[16] = "", a[16] = "", pf[16] = "", hz[16] = "", ts[32], pw[24] = "";
        pollstore_fmt_ts(ts, sizeof ts, r[i].ts);
        if (r[i].present & READING_HAS_IMPORT)
            pollstore_fmt_milli(imp, sizeof imp, r[i].import_wh);
        if (r[i].present & READING_HAS_EXPORT)
            pollstore_fmt_milli(exp, sizeof exp, r[i].export_wh);
        if (r[i].present & READING_HAS_POWER)
            snprintf(pw, sizeof pw, "%lld", (long long)r[i].power_w);
        if (r[i].present & READING_HAS_VOLTAGE)
            pollstore_fmt_scaled(v, sizeof v, r[i].voltage_dv[0], 1);
        if (r[i].present & READING_HAS_CURRENT)
            pollstore_fmt_scaled(a, sizeof a, r[i].current_ma[0], 3);
        if (r[i].present & READING_HAS_PF)
            pollstore_fmt_scaled(pf, sizeof pf, r[i].pf_milli, 3);
        if (r[i].present & READING_HAS_FREQ)
            pollstore_fmt_scaled(hz, sizeof hz, r[i].freq_chz, 2);
        printf("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,", r[i].meter, ts, pollstore_status_name(r[i].status), imp, exp, pw, v, a, pf,
               hz);
        pollstore_print_flags(stdout, r[i].flags, ";");
        printf(",\"%s\"\n", r[i].error);
    }
}

static void print_text(const config *cfg, const reading *r, const validate_event *ev)
{
    for (int i = 0; i < cfg->nmeters; i++) {
        char imp[32] = "-";
        if (r[i].present & READING_HAS_IMPORT)
            pollstore_fmt_milli(imp, sizeof imp, r[i].import_wh);
        printf("%-12s %-7s import %s kWh", r[i].meter, pollstore_status_name(r[i].status), imp);
        if (r[i].present & READING_HAS_POWER)
            printf(", %lld W", (long long)r[i].power_w);
        if (r[i].flags) {
            printf(", flags ");
            pollstore_print_flags(stdout, r[i].flags, ",");
        }
        if (r[i].error[0])
            printf(", %s", r[i].error);
        if (ev[i] != VALIDATE_EVENT_NONE)
            printf(" [%s]", validate_event_name(ev[i]));
        printf("\n");
    }
}

static int parse_args(int argc, char **argv, out_fmt *fmt, const char **confirm)
{
    int once = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--once") == 0)
            once = 1;
        else if (strcmp(argv[i], "--confirm") == 0 && i + 1 < argc)
            *confirm = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            *fmt = OUT_JSON;
        else if (strcmp(argv[i], "--csv") == 0)
            *fmt = OUT_CSV;
        else {
            cli_error("poll", "unknown option %s (try poll --help)", argv[i]);
            return -1;
        }
    }
    if (!once && *confirm == NULL) {
        cli_error("poll", "needs --once (continuous polling is `gridledger run`) or --confirm METER");
        return -1;
    }
    return 0;
}

static int poll_and_store(const config *cfg, store *s, out_fmt fmt)
{
    poller *p = NULL;
    reading *r = calloc((size_t)cfg->nmeters, sizeof *r);
    validate_event *ev = calloc((size_t)cfg->nmeters, sizeof *ev);
    frozen_out fo = {fmt, NULL};
    int ret = CLI_FAIL;
    gl_status st = r && ev ? poller_new(&cfg->poll, &p) : GL_ENOMEM;
    if (st != GL_OK) {
        cli_error("poll", "%s", gl_strerror(st));
        goto out;
    }
    pollstore_restore(s, cfg, p);
    pollstore_take_confirmations(s, cfg, p);
    int64_t ts = (int64_t)time(NULL);
    fo.json = fmt == OUT_JSON ? tmpfile() : NULL;
    /* missed midnights, the billing boundary, the settlement day: from the meters' own registers */
    st = pollstore_fill_frozen(s, cfg, p, ts, NULL, frozen_print, &fo);
    ts = (int64_t)time(NULL); /* the live cycle's own time: reading the freezes takes bus time */
    if (st == GL_OK && (st = poller_poll(p, ts, r, ev)) == GL_OK)
        st = pollstore_save(s, cfg, p, r, ev, NULL, ts);
    if (st != GL_OK) {
        cli_error("poll", "%s", gl_strerror(st));
        goto out;
    }
    if (fmt == OUT_JSON)
        print_json(cfg, p, r, ev, fo.json);
    else if (fmt == OUT_CSV)
        print_csv(cfg, r);
    else
        print_text(cfg, r, ev);
    ret = CLI_OK;
out:
    if (fo.json != NULL)
        fclose(fo.json);
    poller_free(p);
    free(r);
    free(ev);
    return ret;
}

/* confirm_jump: `poll --confirm METER`: the operator checked the meter and
 * confirms its jump: the held readings become billable. */
static int confirm_jump(const config *cfg, store *s, const char *meter)
{
    int64_t n = 0;
    if (config_find_meter(cfg, meter) < 0) {
        cli_error("poll --confirm", "no meter '%s' in the config", meter);
        return CLI_USAGE;
    }
    gl_status st = pollstore_confirm(s, meter, (int64_t)time(NULL), &n);
    if (st == GL_ENOTFOUND) {
        cli_error("poll --confirm", "meter %s has no readings held after a jump", meter);
        return CLI_FAIL;
    }
    if (st != GL_OK) {
        cli_error("poll --confirm", "%s", gl_strerror(st));
        return CLI_FAIL;
    }
    printf("meter %s: jump confirmed, %lld held readings released for billing\n", meter, (long long)n);
    return CLI_OK;
}

int cmd_poll(cli_ctx *ctx, int argc, char **argv)
{
    out_fmt fmt = OUT_TEXT;
    config *cfg = NULL;
    store *s = NULL;
    const char *confirm = NULL;
    if (parse_args(argc, argv, &fmt, &confirm) != 0)
        return CLI_USAGE;
    int ret = cli_load_config(ctx, &cfg);
    if (ret != CLI_OK)
        return ret;
    if ((ret = cli_open_store(cfg, &s)) != CLI_OK) {
        config_free(cfg);
        return ret;
    }
    ret = confirm != NULL ? confirm_jump(cfg, s, confirm) : poll_and_store(cfg, s, fmt);
    store_close(s);
    config_free(cfg);
    return ret;
}
