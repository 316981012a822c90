/* cmd_alerts.c: `gridledger alerts [--all] [--json|--csv]`: the open alerts
 * (acknowledged ones included until their condition ends), newest first;
 * --all: every alert ever raised, with its state and times. Events (relay
 * switched, payments) are not alerts and are not listed. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gridledger/clock.h"
#include "outfmt.h"

#define NCOLS 10

static const char *iso(sqlite3_stmt *st, int col, char *buf, size_t cap)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL || clock_format_local(sqlite3_column_int64(st, col), buf, cap) != GL_OK)
        return NULL;
    return buf;
}

static const char *state_of(sqlite3_stmt *st)
{
    if (sqlite3_column_type(st, 6) != SQLITE_NULL)
        return "closed";
    return sqlite3_column_type(st, 5) != SQLITE_NULL ? "acknowledged" : "open";
}

static int list(store *s, int all, outfmt_kind k)
{
    static const char *const cols[NCOLS] = {"id#", "ts#", "kind", "subject", "detail", "state", "opened", "acknowledged",
                                            "acknowledged_by", "closed"};
    sqlite3_stmt *st = NULL;
    char opened[40], acked[40], closed[40];
    if (sqlite3_prepare_v2(store_db(s),
                           all ? "SELECT id, ts, kind, subject, detail, acked_ts, closed_ts, acked_by FROM events"
                                 " WHERE alert = 1 ORDER BY ts DESC, id DESC"
                               : "SELECT id, ts, kind, subject, detail, acked_ts, closed_ts, acked_by FROM events"
                                 " WHERE alert = 1 AND closed_ts IS NULL ORDER BY ts DESC, id DESC",
                           -1, &st, NULL) != SQLITE_OK) {
        cli_error("alerts", "cannot read the store");
        return CLI_FAIL;
    }
    outfmt o;
    outfmt_begin(&o, k, stdout, "alerts", cols, NCOLS);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *row[NCOLS];
        for (int i = 0; i < 5; i++)
            row[i] = (const char *)sqlite3_column_text(st, i);
        row[5] = state_of(st);
        row[6] = iso(st, 1, opened, sizeof opened);
        row[7] = iso(st, 5, acked, sizeof acked);
        row[8] = (const char *)sqlite3_column_text(st, 7);
        row[9] = iso(st, 6, closed, sizeof closed);
        outfmt_row(&o, row);
    }
    outfmt_end(&o);
    sqlite3_finalize(st);
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
