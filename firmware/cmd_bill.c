/* cmd_bill.c: `gridledger bill --period YYYY-MM [--json|--csv]`: closes the
 * period's bills from stored readings (those not closed yet) and shows them
 * all; --json prints the bills themselves (CONTRACT.md bill JSON). */
#include <stdio.h>
#include <string.h>

#include "billing.h"
#include "cli.h"
#include "clock.h"
#include "gridledger/money.h"
#include "outfmt.h"
#include "store_bills.h"

static const char *outcome_name(billing_outcome o)
{
    return o == BILLING_POSTED ? "closed" : o == BILLING_EXISTS ? "existing" : "no readings";
}

/* stored: the stored bill of customer for period (total text and JSON). */
static gl_status stored(store *s, const char *customer, const char *period, char *total, size_t cap, FILE *json_out)
{
    store_bill b;
    gl_status st = store_bill_get(s, customer, period, &b);
    if (st == GL_OK) {
        money_format(b.total_fen, MONEY_SCALE_FEN, total, cap);
        if (json_out != NULL)
            fputs(b.json, json_out);
    }
    store_bill_free(&b);
    return st;
}

static int run(billing *b, const billing_period *p, outfmt_kind k)
{
    static const char *const cols[] = {"customer", "period", "total", "status"};
    outfmt o;
    int failures = 0, njson = 0;
    if (k == OUTFMT_JSON)
        fputs("{\"bills\": [\n", stdout);
    else
        outfmt_begin(&o, k, stdout, "bills", cols, 4);
    for (int ci = 0; ci < b->cfg->ncustomers; ci++) {
        const char *id = b->cfg->customers[ci].id;
        billing_outcome oc;
        char total[MONEY_FMT_MAX] = "";
        gl_status st = billing_customer(b, ci, p, b->cfg->uplink.enabled, &oc);
        int shown = st == GL_OK && oc != BILLING_NO_DATA;
        if (shown && k == OUTFMT_JSON && njson++)
            fputs(",\n", stdout);
        if (shown)
            st = stored(b->store, id, p->name, total, sizeof total, k == OUTFMT_JSON ? stdout : NULL);
        if (st != GL_OK) {
            cli_error("bill", "%s %s: %s%s%s", id, p->name, gl_strerror(st), b->bill.error[0] ? ": " : "",
                      b->bill.error);
            failures++;
            continue;
        }
        if (k == OUTFMT_JSON)
            continue;
        const char *row[] = {id, p->name, oc == BILLING_NO_DATA ? NULL : total, outcome_name(oc)};
        outfmt_row(&o, row);
    }
    if (k == OUTFMT_JSON)
        fputs("\n]}\n", stdout);
    else
        outfmt_end(&o);
    return failures ? CLI_FAIL : CLI_OK;
}

int cmd_bill(cli_ctx *ctx, int argc, char **argv)
{
    outfmt_kind k = OUTFMT_TEXT;
    int y = 0, m = 0;
    char tail;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--period") == 0 && i + 1 < argc && sscanf(argv[i + 1], "%4d-%2d%c", &y, &m, &tail) == 2 &&
            strlen(argv[i + 1]) == 7 && m >= 1 && m <= 12)
            i++;
        else if (!outfmt_flag(argv[i], &k)) {
            cli_error("bill", "usage: bill --period YYYY-MM [--json|--csv]");
            return CLI_USAGE;
        }
    }
    if (y == 0) {
        cli_error("bill", "needs --period YYYY-MM");
        return CLI_USAGE;
    }
    config *cfg = NULL;
    store *s = NULL;
    static billing b;
    diag d;
    diag_init(&d);
    int rc = cli_load_config(ctx, &cfg);
    if (rc == CLI_OK && clock_set_timezone(cfg->gateway.timezone) != GL_OK)
        rc = CLI_USAGE;
    if (rc == CLI_OK)
        rc = cli_open_store(cfg, &s);
    if (rc == CLI_OK && billing_init(&b, cfg, s, &d) != GL_OK) {
        cli_print_diag(&d);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK) {
        billing_period p;
        billing_period_of(cfg, y, m, &p);
        rc = run(&b, &p, k);
    }
    billing_free(&b);
    store_close(s);
    config_free(cfg);
    return rc;
}
