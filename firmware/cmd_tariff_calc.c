/* cmd_tariff_calc.c: `gridledger tariff-calc`: one bill from a tariff file
 * and a usage CSV, printed as the bill JSON of CONTRACT.md. Pure: no config,
 * no store, no clock. Exit 0, or 2 for bad options or input files (each
 * problem as "gridledger: FILE:LINE:COL: ..."), 1 if memory runs out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gridledger/bill.h"
#include "gridledger/civdate.h"
#include "fileio.h"
#include "gridledger/money.h"
#include "gridledger/tariff.h"
#include "gridledger/usage.h"

#define TARIFF_FILE_MAX (1u << 20)
#define USAGE_FILE_MAX (16u << 20)
#define BILL_JSON_MAX (64u << 10)

typedef struct {
    const char *tariff_path, *usage_path, *export_path;
    bill_options opt;
} calc_args;

static int bad_value(const char *opt, const char *val, const char *want)
{
    cli_error("tariff-calc", "%s %s: %s", opt, val, want);
    return 0;
}

static int parse_qty(const char *opt, const char *val, int64_t *out)
{
    if (money_parse(val, MONEY_SCALE_WH, out) != GL_OK || *out < 0 || *out > 1000000000000LL)
        return bad_value(opt, val, "must be a decimal number >= 0 with at most 3 decimals");
    return 1;
}

static int parse_day(const char *opt, const char *val, int32_t *out)
{
    if (civdate_parse(val, strlen(val), out) != GL_OK)
        return bad_value(opt, val, "must be a date YYYY-MM-DD");
    return 1;
}

static int parse_one(calc_args *a, const char *o, const char *v)
{
    bill_options *b = &a->opt;
    if (strcmp(o, "--tariff") == 0)
        a->tariff_path = v;
    else if (strcmp(o, "--usage") == 0)
        a->usage_path = v;
    else if (strcmp(o, "--export") == 0)
        a->export_path = v;
    else if (strcmp(o, "--ytd-kwh") == 0 || strcmp(o, "--position-kwh") == 0)
        return (b->has_position = 1) && parse_qty(o, v, &b->position_wh);
    else if (strcmp(o, "--demand-kw") == 0)
        return parse_qty(o, v, &b->demand_w);
    else if (strcmp(o, "--capacity-kva") == 0)
        return parse_qty(o, v, &b->capacity_va);
    else if (strcmp(o, "--kvarh") == 0)
        return parse_qty(o, v, &b->reactive_varh);
    else if (strcmp(o, "--from") == 0)
        return parse_day(o, v, &b->from_day);
    else if (strcmp(o, "--to") == 0)
        return parse_day(o, v, &b->to_day);
    else if (strcmp(o, "--year-billed") == 0) {
        if (money_parse(v, MONEY_SCALE_FEN, &b->year_billed_fen) != GL_OK || b->year_billed_fen < 0)
            return bad_value(o, v, "must be an amount >= 0 like 1200.00");
        b->has_year_billed = 1;
    }
    else if (strcmp(o, "--holiday") == 0) {
        if (b->nholidays >= BILL_MAX_HOLIDAYS)
            return bad_value(o, v, "too many holidays");
        return parse_day(o, v, &b->holidays[b->nholidays++]);
    } else if (strcmp(o, "--adjust") == 0) {
        if (money_parse(v, MONEY_SCALE_FEN, &b->adjustment_fen) != GL_OK)
            return bad_value(o, v, "must be an amount like -20.00");
        snprintf(b->adjustment_text, sizeof b->adjustment_text, "%s",
                 b->adjustment_fen < 0 ? "credit adjustment" : "debit adjustment");
    } else if (strcmp(o, "--customer") == 0) {
        if (strlen(v) == 0 || strlen(v) >= sizeof b->customer)
            return bad_value(o, v, "must be 1..47 characters");
        snprintf(b->customer, sizeof b->customer, "%s", v);
    } else {
        cli_error("tariff-calc", "unknown option %s (try --help)", o);
        return 0;
    }
    return 1;
}

static int parse_args(calc_args *a, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    bill_options_init(&a->opt);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            continue; /* JSON is the only output form */
        if (i + 1 >= argc || strncmp(argv[i], "--", 2) != 0) {
            cli_error("tariff-calc", "%s: %s (try --help)", argv[i],
                      strncmp(argv[i], "--", 2) == 0 ? "needs a value" : "unexpected argument");
            return 0;
        }
        if (!parse_one(a, argv[i], argv[i + 1]))
            return 0;
        i++;
    }
    if (a->tariff_path == NULL || a->usage_path == NULL) {
        cli_error("tariff-calc", "needs --tariff FILE and --usage FILE");
        return 0;
    }
    return 1;
}

/* Reads path; an unreadable file is reported and gives 0. */
static int read_file(const char *path, size_t max, char **buf, size_t *len)
{
    gl_status st = fileio_read(path, max, buf, len);
    if (st == GL_EIO)
        cli_error(path, "cannot open the file");
    else if (st == GL_EBOUND)
        cli_error(path, "file larger than %zu bytes", max);
    else if (st != GL_OK)
        cli_error(path, "%s", gl_strerror(st));
    return st == GL_OK;
}

static int count_lines(const char *s, size_t n)
{
    size_t k = 1;
    for (size_t i = 0; i < n; i++)
        k += s[i] == '\n';
    return k > USAGE_MAX_ROWS ? USAGE_MAX_ROWS : (int)k;
}

/* A usage CSV (the usage, or the export) into *rows (malloc'ed), *n of them. */
static int load_usage(const char *path, usage_interval **rows, int *n)
{
    char *text = NULL;
    size_t len = 0;
    diag d;
    usage_info info;
    int rc = CLI_USAGE;
    diag_init(&d);
    if (!read_file(path, USAGE_FILE_MAX, &text, &len))
        goto out;
    int cap = count_lines(text, len);
    *rows = malloc((size_t)cap * sizeof **rows);
    if (*rows == NULL) {
        cli_error("tariff-calc", "out of memory");
        rc = CLI_FAIL;
        goto out;
    }
    if (usage_parse_csv(path, text, len, *rows, cap, n, &info, &d) != GL_OK) {
        cli_print_diag(&d);
        goto out;
    }
    rc = CLI_OK;
out:
    free(text);
    return rc;
}

static int load_inputs(calc_args *a, tariff_set *ts, usage_interval **rows, int *n, usage_interval **exp)
{
    char *text = NULL;
    size_t len = 0;
    diag d;
    int rc = CLI_USAGE;
    diag_init(&d);
    if (!read_file(a->tariff_path, TARIFF_FILE_MAX, &text, &len))
        goto out;
    if (tariff_parse(a->tariff_path, text, len, &d, ts) != GL_OK) {
        cli_print_diag(&d);
        goto out;
    }
    if ((rc = load_usage(a->usage_path, rows, n)) == CLI_OK && a->export_path != NULL &&
        (rc = load_usage(a->export_path, exp, &a->opt.nexport)) == CLI_OK)
        a->opt.export_u = *exp;
out:
    free(text);
    return rc;
}

int cmd_tariff_calc(cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    calc_args a;
    tariff_set *ts = malloc(sizeof *ts);
    bill *b = malloc(sizeof *b);
    char *json = malloc(BILL_JSON_MAX);
    usage_interval *rows = NULL, *exp = NULL;
    int n = 0, rc = CLI_FAIL;
    if (ts == NULL || b == NULL || json == NULL) {
        cli_error("tariff-calc", "out of memory");
        goto out;
    }
    rc = CLI_USAGE;
    if (!parse_args(&a, argc, argv))
        goto out;
    if ((rc = load_inputs(&a, ts, &rows, &n, &exp)) != CLI_OK)
        goto out;
    if (a.opt.from_day != BILL_DAY_AUTO) /* the usage's months before the bill: peaks for a ratchet */
        a.opt.nhistory = bill_month_peaks(rows, n, a.opt.from_day, a.opt.history_w, BILL_MAX_HISTORY);
    gl_status st = bill_compute(ts, rows, n, &a.opt, b);
    if (st != GL_OK) {
        cli_error("tariff-calc", "%s", b->error);
        rc = CLI_USAGE;
        goto out;
    }
    size_t len = 0;
    if (bill_to_json(b, json, BILL_JSON_MAX, &len) != GL_OK) {
        cli_error("tariff-calc", "bill too large to print");
        rc = CLI_FAIL;
        goto out;
    }
    rc = fwrite(json, 1, len, stdout) == len && fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
out:
    free(rows);
    free(exp);
    free(json);
    free(b);
    free(ts);
    return rc;
}
