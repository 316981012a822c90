/* cmd_credit.c: `gridledger grades [--date DATE] [--json|--csv]` and
 * `worklist [--date DATE] [--json|--csv]`: the credit run over the store's
 * ledger as of a day (today by default): the same computation and formats as
 * credit-calc on the exported ledger, with the gateway's config. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "creditrun.h"
#include "gridledger/civdate.h"
#include "clock.h"
#include "measuresout.h"
#include "outfmt.h"

typedef struct list_ctx {
    const creditcfg *cc;
    outfmt_kind k;
    int first;
    int counts[GRADE_MAX]; /* customers per grade */
    creditrun_worklist w;
} list_ctx;

static int grade_row(void *ctx, const ledger_account *acct, const config_customer *cust, const credit_result *r)
{
    list_ctx *c = ctx;
    (void)cust;
    c->counts[r->grade.grade]++;
    if (c->k == OUTFMT_JSON)
        creditrun_print_json(stdout, c->cc, acct, r, c->first);
    else
        creditrun_print_csv(stdout, c->cc, acct, r);
    c->first = 0;
    return 0;
}

static int work_row(void *ctx, const ledger_account *acct, const config_customer *cust, const credit_result *r)
{
    list_ctx *c = ctx;
    return !creditrun_worklist_add(&c->w, c->cc, acct, cust, r);
}

static int parse(const char *cmd, int argc, char **argv, int32_t *day, outfmt_kind *k)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    *day = civdate_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--date") == 0 && i + 1 < argc && civdate_parse(argv[i + 1], strlen(argv[i + 1]), day) == GL_OK)
            i++;
        else if (!outfmt_flag(argv[i], k)) {
            cli_error(cmd, "usage: %s [--date YYYY-MM-DD] [--json|--csv]", cmd);
            return 0;
        }
    }
    return 1;
}

static int run(cli_ctx *ctx, const char *cmd, int argc, char **argv, int worklist)
{
    int32_t day = 0;
    outfmt_kind k = worklist ? OUTFMT_CSV : OUTFMT_TEXT;
    config *cfg = NULL;
    store *s = NULL;
    ledgercsv *l = NULL;
    static creditcfg cc;
    list_ctx c = {&cc, OUTFMT_TEXT, 1, {0}, {0}};
    diag d;
    char err[160], date[CIVDATE_FMT_MAX];
    diag_init(&d);
    int rc = cli_load_config(ctx, &cfg);
    if (rc == CLI_OK && clock_set_timezone(cfg->gateway.timezone) != GL_OK)
        rc = CLI_USAGE;
    if (rc == CLI_OK && !parse(cmd, argc, argv, &day, &k))
        rc = CLI_USAGE;
    c.k = k;
    if (rc == CLI_OK && config_credit(cfg, &cc) != 0)
        rc = CLI_USAGE;
    if (rc == CLI_OK)
        rc = cli_open_store(cfg, &s);
    if (rc == CLI_OK && creditrun_store_ledger(s, cfg, 0, &l, &d) != GL_OK) {
        cli_print_diag(&d);
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK) {
        if (!worklist && k == OUTFMT_JSON)
            printf("{\"as_of\": \"%s\", \"customers\": [", creditrun_date(day, date));
        else if (!worklist)
            creditrun_print_csv_header(stdout);
        gl_status st = creditrun_all(&cc, cfg, s, l, day, worklist ? work_row : grade_row, &c, err, sizeof err);
        if (st != GL_OK) {
            cli_error(cmd, "%s", err);
            rc = CLI_FAIL;
        } else if (worklist && k == OUTFMT_JSON) {
            printf("{\"date\": \"%s\", \"rows\": ", creditrun_date(day, date));
            creditrun_print_worklist_json(stdout, &c.w);
            printf("}\n");
        } else if (worklist) {
            creditrun_print_worklist(stdout, &c.w);
        } else if (k == OUTFMT_JSON) {
            printf("\n], ");
            measuresout_population_json(stdout, &cc, c.counts);
            printf("}\n");
        }
    }
    creditrun_worklist_free(&c.w);
    ledgercsv_free(l);
    store_close(s);
    config_free(cfg);
    return rc;
}

int cmd_grades(cli_ctx *ctx, int argc, char **argv)
{
    return run(ctx, "grades", argc, argv, 0);
}

int cmd_worklist(cli_ctx *ctx, int argc, char **argv)
{
    return run(ctx, "worklist", argc, argv, 1);
}
