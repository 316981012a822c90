/* cmd_alerts.c: `gridledger alerts [--all] [--json|--csv]`: the open alerts
 * (acknowledged ones included until their condition ends), newest first;
 * --all: every alert ever raised, with its state and times. Events (relay
 * switched, payments) are not alerts and are not listed. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "outfmt.h"
#include "store_alerts.h"

#define NCOLS 10

static const char *iso(int64_t ts, char *buf, size_t cap)
{
    if (ts == 0 || clock_format_local(ts, buf, cap) != GL_OK)
        return NULL;
    return buf;
}

static const char *state_of(const store_alert *a)
{
    if (a->closed_ts != 0)
        return "closed";
    return a->acked_ts != 0 ? "acknowledged" : "open";
}

/* row: one alert as a line of the listing. */
static gl_status row(void *ctx, const store_alert *a)
{
    char id[24], ts[24], opened[40], acked[40], closed[40];
    snprintf(id, sizeof id, "%lld", (long long)a->id);
    snprintf(ts, sizeof ts, "%lld", (long long)a->ts);
    const char *cells[NCOLS] = {id,
                                ts,
                                a->kind,
                                a->subject,
                                a->detail,
                                state_of(a),
                                iso(a->ts, opened, sizeof opened),
                                iso(a->acked_ts, acked, sizeof acked),
                                a->acked_ts != 0 ? a->acked_by : NULL,
                                iso(a->closed_ts, closed, sizeof closed)};
    outfmt_row(ctx, cells);
    return GL_OK;
}

static int list(store *s, int all, outfmt_kind k)
{
    static const char *const cols[NCOLS] = {"id#", "ts#", "kind", "subject", "detail", "state", "opened", "acknowledged",
                                            "acknowledged_by", "closed"};
    outfmt o;
    outfmt_begin(&o, k, stdout, "alerts", cols, NCOLS);
    gl_status st = store_alerts_each(s, all, row, &o);
    outfmt_end(&o);
    if (st != GL_OK) {
        cli_error("alerts", "cannot read the store: %s", gl_strerror(st));
        return CLI_FAIL;
    }
    return CLI_OK;
}

int cmd_alerts(cli_ctx *ctx, int argc, char **argv)
{
    outfmt_kind k = OUTFMT_TEXT;
    int all = 0, ok = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--all") == 0)
            all = 1;
        else
            ok &= outfmt_flag(argv[i], &k);
    }
    if (!ok || argc > 3) {
        cli_error("alerts", "usage: alerts [--all] [--json|--csv]");
        return CLI_USAGE;
    }
    config *cfg = NULL;
    store *s = NULL;
    int rc = cli_load_config(ctx, &cfg);
    if (rc == CLI_OK)
        rc = cli_open_store(cfg, &s);
    if (rc == CLI_OK)
        rc = list(s, all, k);
    store_close(s);
    config_free(cfg);
    return rc;
}
