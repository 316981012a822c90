/* bo_bureau.c: the credit-bureau export (bo_bureau.h, docs/bureau.md). */
#include "bo_bureau.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bo_ingest.h"
#include "cli.h"
#include "gridledger/money.h"

#define RETENTION_MONTHS 60 /* 征信业管理条例 art. 16: adverse information kept 5 years */

enum { C_TYPE, C_INST, C_BUSINESS, C_ACCOUNT, C_GATEWAY, C_OPENED, C_MONTH, C_STATUS, C_ARREARS, C_HISTORY,
       C_NOTICE, NCOLS };

static const bo_col bureau_cols[NCOLS] = {
    {"account_type", BO_COL_TEXT}, {"institution", BO_COL_TEXT},    {"business_type", BO_COL_TEXT},
    {"account", BO_COL_TEXT},      {"gateway", BO_COL_TEXT},        {"opening_date", BO_COL_TEXT},
    {"accounting_month", BO_COL_TEXT}, {"current_status", BO_COL_TEXT}, {"current_arrears", BO_COL_TEXT},
    {"status_24", BO_COL_TEXT},    {"notice_served", BO_COL_TEXT},
};

char bo_bureau_status(const bo_bureau_month *m)
{
    if (!m->opened)
        return '/';
    if (m->graded) {
        if (m->arrears_fen <= 0 || m->days_overdue <= 0)
            return 'N';
        long long k = (m->days_overdue + 29) / 30;
        return (char)('0' + (k > 7 ? 7 : k));
    }
    return m->billed ? '#' : '*';
}

void bo_bureau_history(const bo_bureau_month m[BO_BUREAU_MONTHS], char out[BO_BUREAU_MONTHS + 1])
{
    for (int i = 0; i < BO_BUREAU_MONTHS; i++)
        out[i] = bo_bureau_status(&m[i]);
    out[BO_BUREAU_MONTHS] = '\0';
}

int bo_bureau_adverse(const char *history)
{
    return strpbrk(history, "1234567") != NULL;
}

/* ---- one account ---- */

typedef struct account {
    bo_db *db;
    const char *period;
    int first;                   /* month index of the window's first month */
    bo_bureau_month m[BO_BUREAU_MONTHS];
    int opened_idx, last_idx;    /* first bill; last bill or grading with arrears */
    long long arrears_fen;       /* the newest grading or worklist up to the period */
    int have_arrears;
} account;

static int bill_row(void *arg, int ncols, const char *const *v)
{
    account *a = arg;
    int i = ncols == 1 ? bo_month_index(v[0]) : -1;
    if (i < 0)
        return 1;
    if (i > a->last_idx)
        a->last_idx = i;
    if (i >= a->first && i < a->first + BO_BUREAU_MONTHS)
        a->m[i - a->first].billed = 1;
    return 0;
}

/* seen_row: date, arrears_fen, days_overdue of a grading or a worklist, in
 * date order: the month's newest wins. */
static int seen_row(void *arg, int ncols, const char *const *v)
{
    account *a = arg;
    char ym[8];
    if (ncols < 3 || strlen(v[0]) < 7)
        return 1;
    snprintf(ym, sizeof ym, "%.7s", v[0]);
    int i = bo_month_index(ym);
    long long arrears = strtoll(v[1], NULL, 10), days = strtoll(v[2], NULL, 10);
    if (i < 0)
        return 1;
    if (arrears > 0 && i > a->last_idx)
        a->last_idx = i;
    a->arrears_fen = arrears;
    a->have_arrears = 1;
    if (i >= a->first && i < a->first + BO_BUREAU_MONTHS) {
        bo_bureau_month *m = &a->m[i - a->first];
        m->graded = 1;
        m->arrears_fen = arrears;
        m->days_overdue = days;
    }
    return 0;
}

static gl_status load_account(account *a, const char *gw, const char *customer)
{
    char end[16];
    snprintf(end, sizeof end, "%s-31", a->period);
    const char *p[] = {gw, customer, a->period}, *q[] = {gw, customer, end};
    gl_status st = bo_db_query(a->db,
                               "SELECT period FROM bills WHERE gateway = $1 AND customer = $2 AND period <= $3"
                               " ORDER BY period",
                               3, p, bill_row, a);
    /* what the gateway said of the account: its gradings, and each monthly
     * worklist (a customer not on it owed nothing overdue that day) */
    if (st == GL_OK)
        st = bo_db_query(a->db,
                         "SELECT as_of, arrears_fen, days_overdue, 0 FROM grades WHERE gateway = $1 AND customer = $2"
                         " AND as_of <= $3"
                         " UNION ALL SELECT w.date, coalesce(max(x.arrears_fen), 0), coalesce(max(x.days_overdue), 0), 1"
                         " FROM worklists w LEFT JOIN worklist x ON x.gateway = w.gateway AND x.date = w.date"
                         " AND x.customer = $2 WHERE w.gateway = $1 AND w.date <= $3 GROUP BY w.date ORDER BY 1, 4",
                         3, q, seen_row, a);
    for (int k = 0; k < BO_BUREAU_MONTHS; k++)
        a->m[k].opened = a->first + k >= a->opened_idx;
    return st;
}

/* served_notice: the date the newest counting notice was served up to the
 * period, "" if none. */
static gl_status served_notice(bo_db *db, const bo_bureau_cfg *cfg, const char *gw, const char *customer,
                               const char *period, char *out, size_t cap)
{
    gl_status st = GL_OK;
    out[0] = '\0';
    for (int k = 0; st == GL_OK && k < cfg->nnotices; k++) {
        char v[64];
        const char *p[] = {gw, customer, cfg->notices[k], period};
        st = bo_db_scalar(db,
                          "SELECT MIN(served) FROM actions WHERE gateway = $1 AND customer = $2 AND action = $3"
                          " AND served IS NOT NULL AND served <> '' AND substr(served, 1, 7) <= $4",
                          4, p, v, sizeof v);
        if (st == GL_OK && v[0] && (!out[0] || strcmp(v, out) < 0))
            snprintf(out, cap, "%.10s", v);
    }
    return st;
}

typedef struct export_ctx {
    bo_db *db;
    const bo_bureau_cfg *cfg;
    const char *period;
    bo_table *t;
    bo_bureau_counts *counts;
    void (*note)(const char *line);
} export_ctx;

static void note(export_ctx *x, const char *gw, const char *customer, const char *why)
{
    char line[256];
    snprintf(line, sizeof line, "%s/%s: %s", gw, customer, why);
    if (x->note)
        x->note(line);
}

static gl_status add_record(export_ctx *x, const account *a, const char *gw, const char *customer, const char *opened,
                            const char *history, const char *notice)
{
    char opening[16], status[2] = {history[BO_BUREAU_MONTHS - 1], '\0'}, arrears[MONEY_FMT_MAX];
    snprintf(opening, sizeof opening, "%.7s-01", opened);
    if (money_format(a->have_arrears ? a->arrears_fen : 0, 2, arrears, sizeof arrears) != GL_OK)
        return GL_EOVERFLOW;
    const char *v[NCOLS] = {"public_utility", x->cfg->institution, "electricity", customer, gw, opening, x->period,
                            status, arrears, history, notice};
    x->counts->exported++;
    return bo_table_add(x->t, v);
}

/* one_account: the record of (gw, customer, first bill month), or a note. */
static gl_status one_account(export_ctx *x, const char *gw, const char *customer, const char *opened)
{
    account a;
    char history[BO_BUREAU_MONTHS + 1], notice[16];
    memset(&a, 0, sizeof a);
    a.db = x->db;
    a.period = x->period;
    a.first = bo_month_index(x->period) - (BO_BUREAU_MONTHS - 1);
    a.opened_idx = bo_month_index(opened);
    a.last_idx = -1;
    gl_status st = load_account(&a, gw, customer);
    if (st != GL_OK)
        return st;
    if (bo_month_index(x->period) - a.last_idx >= RETENTION_MONTHS) {
        x->counts->expired++;
        note(x, gw, customer, "not exported: its last record is more than 5 years old (征信业管理条例 art. 16)");
        return GL_OK;
    }
    bo_bureau_history(a.m, history);
    st = served_notice(x->db, x->cfg, gw, customer, x->period, notice, sizeof notice);
    if (st != GL_OK)
        return st;
    if (bo_bureau_adverse(history) && !notice[0]) {
        x->counts->withheld++;
        note(x, gw, customer, "withheld: adverse record and no served notice of adverse reporting (征信业管理条例 art. 15)");
        return GL_OK;
    }
    return add_record(x, &a, gw, customer, opened, history, notice);
}

static int account_row(void *arg, int ncols, const char *const *v)
{
    export_ctx *x = arg;
    if (ncols != 3)
        return 1;
    gl_status st = one_account(x, v[0], v[1], v[2]);
    x->t->error = st;
    return st != GL_OK;
}

gl_status bo_bureau_fill(bo_db *db, const bo_bureau_cfg *cfg, const char *period, bo_table *t,
                         bo_bureau_counts *counts, void (*notef)(const char *line))
{
    export_ctx x = {db, cfg, period, t, counts, notef};
    bo_table accounts;
    memset(t, 0, sizeof *t);
    memset(counts, 0, sizeof *counts);
    memset(&accounts, 0, sizeof accounts);
    t->ncols = NCOLS;
    t->cols = bureau_cols;
    if (!bo_valid_month(period))
        return GL_EINVAL;
    static const bo_col acols[3] = {{"gateway", BO_COL_TEXT}, {"customer", BO_COL_TEXT}, {"opened", BO_COL_TEXT}};
    accounts.ncols = 3;
    accounts.cols = acols;
    const char *p[] = {period};
    gl_status st = bo_table_fill(db, &accounts,
                                 "SELECT gateway, customer, MIN(period) FROM bills WHERE period <= $1"
                                 " GROUP BY gateway, customer ORDER BY gateway, customer",
                                 1, p);
    for (size_t i = 0; st == GL_OK && i < accounts.nrows; i++) {
        const char *v[] = {bo_cell(&accounts, i, 0), bo_cell(&accounts, i, 1), bo_cell(&accounts, i, 2)};
        t->error = GL_OK;
        account_row(&x, 3, v);
        st = t->error;
    }
    bo_table_free(&accounts);
    return st;
}

/* ---- the command ---- */

static void note_stderr(const char *line)
{
    fprintf(stderr, "gridledger-backoffice: export: %s\n", line);
}

/* write_out: CSV to path through a temp file, fsync and rename, or stdout. */
static gl_status write_out(const bo_table *t, const char *path)
{
    char tmp[BO_PATH_MAX + 8];
    if (!path)
        return bo_csv_write(t, stdout);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    gl_status st = f ? bo_csv_write(t, f) : GL_EIO;
    if (f && (fflush(f) != 0 || fsync(fileno(f)) != 0))
        st = GL_EIO;
    if (f && fclose(f) != 0)
        st = GL_EIO;
    if (st == GL_OK && rename(tmp, path) != 0)
        st = GL_EIO;
    if (st != GL_OK)
        unlink(tmp);
    return st;
}

static int parse_args(int argc, char **argv, const char **period, const char **out)
{
    if (argc < 2 || strcmp(argv[1], "credit-bureau") != 0) {
        cli_error("export", "what? export credit-bureau --period YYYY-MM [--out FILE]");
        return CLI_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        int r = bo_take_opt(argc, argv, &i, "--period", period);
        if (r == 0)
            r = bo_take_opt(argc, argv, &i, "--out", out);
        if (r <= 0) {
            cli_error("export", "%s: %s", argv[i], r < 0 ? "needs a value" : "unknown option");
            return CLI_USAGE;
        }
    }
    if (!bo_valid_month(*period)) {
        cli_error("export", "credit-bureau: --period YYYY-MM is required (got \"%s\")", *period);
        return CLI_USAGE;
    }
    return CLI_OK;
}

int bo_cmd_export(bo_ctx *ctx, int argc, char **argv)
{
    const char *period = "", *out = NULL;
    bo_db *db = NULL;
    bo_table t;
    bo_bureau_counts n;
    int ret = parse_args(argc, argv, &period, &out);
    if (ret != CLI_OK)
        return ret;
    if (bo_config_load(ctx) != GL_OK)
        return CLI_USAGE;
    if (!ctx->cfg.bureau.institution[0]) {
        cli_error("export", "credit-bureau: the config has no bureau.institution (the 14-character code)");
        return CLI_USAGE;
    }
    if (bo_open_db(ctx, &db) != GL_OK)
        return CLI_FAIL;
    gl_status st = bo_bureau_fill(db, &ctx->cfg.bureau, period, &t, &n, note_stderr);
    if (st == GL_OK)
        st = write_out(&t, out);
    if (st != GL_OK) {
        cli_error("export", "credit-bureau: %s: %s", gl_strerror(st), bo_db_error(db));
        ret = CLI_FAIL;
    } else {
        fprintf(stderr, "gridledger-backoffice: export: %s: exported %lld, withheld %lld, expired %lld\n", period,
                n.exported, n.withheld, n.expired);
    }
    bo_table_free(&t);
    bo_db_close(db);
    return ret;
}
