/* cmd_credit_calc.c: `gridledger credit-calc --ledger FILE --as-of DATE
 * [--config FILE] [--json|--csv] [--worklist]`: pure, from a ledger file,
 * per customer arrears, penalty, grade and collection actions (CONTRACT.md
 * credit result), or the collection worklist CSV. Without --config the
 * documented defaults apply (docs/credit.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "creditrun.h"
#include "gridledger/civdate.h"
#include "config.h"
#include "gridledger/credit.h"
#include "fileio.h"
#include "gridledger/ledgercsv.h"
#include "measuresout.h"

#define LEDGER_FILE_MAX ((size_t)1 << 30) /* 1 GiB */

typedef enum { OUT_JSON = 0, OUT_CSV, OUT_WORKLIST } out_mode;

typedef struct {
    const char *ledger, *as_of_text, *config;
    out_mode mode;
    int32_t as_of;
} opts;

static int parse_opts(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--ledger") == 0 && i + 1 < argc)
            o->ledger = argv[++i];
        else if (strcmp(a, "--as-of") == 0 && i + 1 < argc)
            o->as_of_text = argv[++i];
        else if (strcmp(a, "--config") == 0 && i + 1 < argc)
            o->config = argv[++i];
        else if (strcmp(a, "--json") == 0)
            o->mode = o->mode == OUT_WORKLIST ? OUT_WORKLIST : OUT_JSON;
        else if (strcmp(a, "--csv") == 0)
            o->mode = o->mode == OUT_WORKLIST ? OUT_WORKLIST : OUT_CSV;
        else if (strcmp(a, "--worklist") == 0)
            o->mode = OUT_WORKLIST;
        else {
            cli_error("credit-calc", "unknown or incomplete option %s (try --help)", a);
            return 0;
        }
    }
    if (o->ledger == NULL || o->as_of_text == NULL) {
        cli_error("credit-calc", "--ledger FILE and --as-of DATE are required");
        return 0;
    }
    if (civdate_parse(o->as_of_text, strlen(o->as_of_text), &o->as_of) != GL_OK) {
        cli_error("credit-calc", "--as-of: \"%s\" is not a date YYYY-MM-DD", o->as_of_text);
        return 0;
    }
    return 1;
}

static int load_config(const char *path, config **cfg, creditcfg *cc)
{
    diag d;
    diag_init(&d);
    creditcfg_default(cc);
    if (path == NULL)
        return CLI_OK;
    gl_status st = config_load(path, &d, cfg);
    if (st != GL_OK) {
        cli_print_diag(&d);
        return st == GL_ENOMEM ? CLI_FAIL : CLI_USAGE;
    }
    if (config_credit(*cfg, cc) != 0) {
        cli_print_diag(jsonv_diag((*cfg)->doc));
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int load_ledger(const char *path, ledgercsv **out)
{
    char *text = NULL;
    size_t len = 0;
    long long_line = 0;
    diag d;
    diag_init(&d);
    gl_status st = fileio_read_lines(path, LEDGER_FILE_MAX, LEDGERCSV_LINE_MAX, &text, &len, &long_line);
    if (st == GL_EBOUND && long_line > 0) {
        char where[600];
        snprintf(where, sizeof where, "%s:%ld:%d", path, long_line, LEDGERCSV_LINE_MAX + 1);
        cli_error(where, "csv: line longer than %d bytes", LEDGERCSV_LINE_MAX);
        return CLI_USAGE;
    }
    if (st != GL_OK) {
        cli_error(path, "%s", st == GL_EBOUND ? "larger than 1 GiB" : "cannot open the file");
        return st == GL_ENOMEM ? CLI_FAIL : CLI_USAGE;
    }
    st = ledgercsv_parse(path, text, len, &d, out);
    free(text);
    if (st != GL_OK) {
        cli_print_diag(&d);
        if (d.count == 0)
            cli_error(path, "%s", gl_strerror(st));
        return cli_status_exit(st);
    }
    return CLI_OK;
}

typedef struct run_ctx {
    FILE *out;
    const opts *o;
    const creditcfg *cc;
    creditrun_worklist *w;
    int first;
    int counts[GRADE_MAX]; /* customers per grade */
} run_ctx;

static int emit(void *ctx, const ledger_account *acct, const config_customer *cust, const credit_result *r)
{
    run_ctx *c = ctx;
    c->counts[r->grade.grade]++;
    if (c->o->mode == OUT_JSON)
        creditrun_print_json(c->out, c->cc, acct, r, c->first);
    else if (c->o->mode == OUT_CSV)
        creditrun_print_csv(c->out, c->cc, acct, r);
    else if (!creditrun_worklist_add(c->w, c->cc, acct, cust, r))
        return 1;
    c->first = 0;
    return 0;
}

/* Runs every account into out (JSON/CSV as it goes), gathers the worklist. */
static int run_all(FILE *out, const opts *o, const creditcfg *cc, const config *cfg, const ledgercsv *l,
                   creditrun_worklist *w)
{
    char d1[CIVDATE_FMT_MAX], err[160];
    run_ctx c = {out, o, cc, w, 1, {0}};
    if (o->mode == OUT_JSON)
        fprintf(out, "{\"as_of\": \"%s\", \"customers\": [", creditrun_date(o->as_of, d1));
    else if (o->mode == OUT_CSV)
        creditrun_print_csv_header(out);
    gl_status st = creditrun_all(cc, cfg, NULL, l, o->as_of, emit, &c, err, sizeof err);
    if (st != GL_OK) {
        cli_error(o->ledger, "%s", err);
        return cli_status_exit(st);
    }
    if (o->mode == OUT_JSON) {
        fprintf(out, "\n], ");
        measuresout_population_json(out, cc, c.counts);
        fprintf(out, "}\n");
    } else if (o->mode == OUT_WORKLIST) {
        creditrun_print_worklist(out, w);
    }
    return CLI_OK;
}

/* publish: copies the finished document from the scratch file to stdout.
 * The document is written there first so that a run stopped by a bound
 * (exit 1 or 2) never leaves half a document on stdout. */
static int publish(FILE *tmp)
{
    char buf[65536];
    size_t n;
    if (fflush(tmp) != 0 || fseek(tmp, 0, SEEK_SET) != 0)
        return CLI_FAIL;
    while ((n = fread(buf, 1, sizeof buf, tmp)) > 0)
        if (fwrite(buf, 1, n, stdout) != n)
            return CLI_FAIL;
    return ferror(tmp) || fflush(stdout) != 0 ? CLI_FAIL : CLI_OK;
}

int cmd_credit_calc(cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx; /* pure: the gateway config is read only with --config */
    opts o;
    config *cfg = NULL;
    ledgercsv *l = NULL;
    creditrun_worklist w = {0};
    FILE *tmp = NULL;
    creditcfg *cc = malloc(sizeof *cc);
    int ret = CLI_FAIL;
    if (cc == NULL)
        goto out;
    ret = CLI_USAGE;
    if (!parse_opts(argc, argv, &o))
        goto out;
    if ((ret = load_config(o.config, &cfg, cc)) != CLI_OK || (ret = load_ledger(o.ledger, &l)) != CLI_OK)
        goto out;
    if ((tmp = tmpfile()) == NULL) {
        cli_error("credit-calc", "cannot create a scratch file for the output");
        ret = CLI_FAIL;
        goto out;
    }
    ret = run_all(tmp, &o, cc, cfg, l, &w);
    if (ret == CLI_OK && publish(tmp) != CLI_OK) {
        cli_error("credit-calc", "cannot write the output");
        ret = CLI_FAIL;
    }
out:
    if (tmp != NULL)
        fclose(tmp);
    creditrun_worklist_free(&w);
    ledgercsv_free(l);
    config_free(cfg);
    free(cc);
    return ret;
}
