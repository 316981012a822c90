/* cmd_lineloss.c: `gridledger lineloss [--period YYYY-MM] [--json|--csv]`:
 * the area's month (量价费损) and its signals, from the store. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "gridledger/money.h"
#include "lineloss.h"
#include "outfmt.h"

static int parse_period(const char *s, int *y, int *m)
{
    char tail;
    return sscanf(s, "%4d-%2d%c", y, m, &tail) == 2 && strlen(s) == 7 && *m >= 1 && *m <= 12 && *y >= 2000;
}

static void last_month(int *y, int *m)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    *y = tm.tm_year + 1900;
    *m = tm.tm_mon; /* 0-based this month = 1-based last month */
    if (*m == 0) {
        *m = 12;
        (*y)--;
    }
}

static void print(const lineloss_result *r, const char *area, outfmt_kind k)
{
    static const char *const cols[] = {"period", "area", "supplied_kwh", "sold_kwh", "loss_kwh", "loss_pct",
                                       "billed", "collected", "avg_price", "alert", "signals#"};
    char v[10][MONEY_FMT_MAX], nsig[16];
    money_format(r->fig.supplied_wh, MONEY_SCALE_WH, v[0], sizeof v[0]);
    money_format(r->fig.sold_wh, MONEY_SCALE_WH, v[1], sizeof v[1]);
    money_format(r->fig.loss_wh, MONEY_SCALE_WH, v[2], sizeof v[2]);
    money_format(r->fig.loss_bp, 2, v[3], sizeof v[3]);
    money_format(r->fig.billed_fen, MONEY_SCALE_FEN, v[4], sizeof v[4]);
    money_format(r->fig.collected_fen, MONEY_SCALE_FEN, v[5], sizeof v[5]);
    money_format(r->fig.avg_price_micro, MONEY_SCALE_PRICE, v[6], sizeof v[6]);
    snprintf(nsig, sizeof nsig, "%d", r->nsignals);
    const char *row[] = {r->period, area, v[0], v[1], v[2], v[3], v[4], v[5], v[6],
                         area_alert_name(r->fig.alert), nsig};
    outfmt o;
    outfmt_begin(&o, k, stdout, "lineloss", cols, 11);
    outfmt_row(&o, row);
    outfmt_end(&o);
    if (k != OUTFMT_TEXT)
        return;
    for (int i = 0; i < r->nsignals; i++)
        printf("signal: %s %s (%s): use %lld Wh, %+d bp against the 3-month baseline\n",
               lineloss_signal_name(r->signals[i].kind), r->signals[i].meter,
               r->signals[i].customer, (long long)r->signals[i].use_wh, r->signals[i].change_bp);
}

int cmd_lineloss(cli_ctx *ctx, int argc, char **argv)
{
    outfmt_kind k = OUTFMT_TEXT;
    int y = 0, m = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--period") == 0 && i + 1 < argc && parse_period(argv[i + 1], &y, &m))
            i++;
        else if (!outfmt_flag(argv[i], &k)) {
            cli_error("lineloss", "usage: lineloss [--period YYYY-MM] [--json|--csv]");
            return CLI_USAGE;
        }
    }
    config *cfg = NULL;
    store *s = NULL;
    int rc = cli_open_local(ctx, &cfg, &s);
    if (rc == CLI_OK) {
        if (y == 0)
            last_month(&y, &m);
        const area_limits lim = AREA_LIMITS_DEFAULT;
        static lineloss_result r;
        gl_status st = lineloss_month(s, cfg, &lim, y, m, &r);
        if (st == GL_OK)
            print(&r, cfg->gateway.area, k);
        else {
            cli_error("lineloss", "%s", gl_strerror(st));
            rc = CLI_FAIL;
        }
    }
    store_close(s);
    config_free(cfg);
    return rc;
}
