/* cmd_alerts.c: `gridledger alerts [--json|--csv]`: open alerts, newest first. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "outfmt.h"

static int list(store *s, outfmt_kind k)
{
    static const char *const cols[] = {"id#", "ts#", "kind", "subject", "detail"};
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT id, ts, kind, subject, detail FROM events WHERE alert = 1 AND closed_ts IS NULL"
                           " ORDER BY ts DESC, id DESC",
                           -1, &st, NULL) != SQLITE_OK) {
        cli_error("alerts", "cannot read the store");
        return CLI_FAIL;
    }
    outfmt o;
    outfmt_begin(&o, k, stdout, "alerts", cols, 5);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *row[5];
        for (int i = 0; i < 5; i++)
            row[i] = (const char *)sqlite3_column_text(st, i);
        outfmt_row(&o, row);
    }
    outfmt_end(&o);
    sqlite3_finalize(st);
    return CLI_OK;
}

int cmd_alerts(cli_ctx *ctx, int argc, char **argv)
{
    outfmt_kind k = OUTFMT_TEXT;
    if (argc > 2 || (argc == 2 && !outfmt_flag(argv[1], &k))) {
        cli_error("alerts", "usage: alerts [--json|--csv]");
        return CLI_USAGE;
    }
    config *cfg = NULL;
    store *s = NULL;
    int rc = cli_load_config(ctx, &cfg);
    if (rc == CLI_OK)
        rc = cli_open_store(cfg, &s);
    if (rc == CLI_OK)
        rc = list(s, k);
    store_close(s);
    config_free(cfg);
    return rc;
}
