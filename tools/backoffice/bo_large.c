/* bo_large.c: the large-customer report (bo_large.h). */
#include "bo_large.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bo_ingest.h"
#include "cli.h"
#include "gridledger/largecust.h"
#include "gridledger/money.h"

enum { C_INDUSTRY, C_GATEWAY, C_CUSTOMER, C_AREA, C_CAPACITY, C_ENERGY, C_AMOUNT, C_PRICE, C_AREA_PRICE,
       C_AREA_WITHOUT, C_EFFECT, C_PREV3, C_SWING, C_CHANGES, NCOLS };

static const bo_col large_cols[NCOLS] = {
    {"industry", BO_COL_TEXT},        {"gateway", BO_COL_TEXT},          {"customer", BO_COL_TEXT},
    {"area", BO_COL_TEXT},            {"capacity_kva", BO_COL_TEXT},     {"energy_kwh", BO_COL_WH},
    {"amount", BO_COL_FEN},           {"avg_price", BO_COL_TEXT},        {"area_avg_price", BO_COL_TEXT},
    {"area_avg_without", BO_COL_TEXT}, {"price_effect", BO_COL_TEXT},    {"prev3_avg_kwh", BO_COL_TEXT},
    {"swing_pct", BO_COL_TEXT},       {"capacity_changes", BO_COL_TEXT},
};

/* the large customers with their bills of the month ($1) */
static const char base_sql[] =
    "SELECT l.industry, l.gateway, l.customer, b.area, l.capacity_va, e.wh, b.fen FROM large_customers l"
    " LEFT JOIN (SELECT gateway, customer, MIN(area) AS area, SUM(total_fen) AS fen FROM bills WHERE period = $1"
    " GROUP BY gateway, customer) b ON b.gateway = l.gateway AND b.customer = l.customer"
    " LEFT JOIN (SELECT gateway, customer, SUM(energy_wh) AS wh FROM bill_energy WHERE period = $1"
    " GROUP BY gateway, customer) e ON e.gateway = l.gateway AND e.customer = l.customer"
    " ORDER BY l.industry, l.gateway, l.customer";
static const bo_col base_cols[7] = {{"industry", BO_COL_TEXT}, {"gateway", BO_COL_TEXT}, {"customer", BO_COL_TEXT},
                                    {"area", BO_COL_TEXT},     {"capacity", BO_COL_TEXT}, {"wh", BO_COL_TEXT},
                                    {"fen", BO_COL_TEXT}};

typedef struct row_ctx {
    bo_db *db;
    const char *period;
    char prev[3][8];
    const char *vals[NCOLS];
    char buf[NCOLS][160];
    char changes[1024];
} row_ctx;

static int64_t num(const char *s, int *have)
{
    int64_t v = 0;
    *have = s && *s && money_parse(s, 0, &v) == GL_OK;
    return *have ? v : 0;
}

static void put_dec(row_ctx *r, int col, int64_t v, int scale)
{
    if (money_format(v, scale, r->buf[col], sizeof r->buf[col]) == GL_OK)
        r->vals[col] = r->buf[col];
}

static void put_int(row_ctx *r, int col, int64_t v)
{
    snprintf(r->buf[col], sizeof r->buf[col], "%lld", (long long)v);
    r->vals[col] = r->buf[col];
}

/* scalar_i64: one integer from sql, *have = 0 when NULL or no row. */
static gl_status scalar_i64(bo_db *db, const char *sql, int n, const char *const *p, int64_t *v, int *have)
{
    char out[32];
    gl_status st = bo_db_scalar(db, sql, n, p, out, sizeof out);
    *v = st == GL_OK ? num(out, have) : 0;
    if (st != GL_OK)
        *have = 0;
    return st;
}

/* area_effect: the area's average price with and without the customer. */
static gl_status area_effect(row_ctx *r, const char *area, int64_t fen, int64_t wh)
{
    const char *p[] = {area, r->period};
    int64_t afen = 0, awh = 0;
    int h1 = 0, h2 = 0;
    largecust_effect e;
    gl_status st = scalar_i64(r->db, "SELECT SUM(total_fen) FROM bills WHERE area = $1 AND period = $2", 2, p, &afen, &h1);
    if (st == GL_OK)
        st = scalar_i64(r->db, "SELECT SUM(energy_wh) FROM bill_energy WHERE area = $1 AND period = $2", 2, p, &awh, &h2);
    if (st != GL_OK || !h1 || !h2 || largecust_area_effect(afen, awh, fen, wh, &e) != GL_OK)
        return st;
    put_dec(r, C_AREA_PRICE, e.with_micro, 6);
    if (e.has_without) {
        put_dec(r, C_AREA_WITHOUT, e.without_micro, 6);
        put_dec(r, C_EFFECT, e.effect_micro, 6);
    }
    return GL_OK;
}

/* swing: against the months of the last three with a bill. */
static gl_status swing(row_ctx *r, const char *gw, const char *customer, int64_t wh)
{
    int64_t prev[3], v, sum = 0, avg = 0, bp = 0;
    int n = 0, have = 0;
    for (int k = 0; k < 3; k++) {
        const char *p[] = {gw, customer, r->prev[k]};
        gl_status st = scalar_i64(r->db,
                                  "SELECT SUM(energy_wh) FROM bill_energy WHERE gateway = $1 AND customer = $2"
                                  " AND period = $3",
                                  3, p, &v, &have);
        if (st != GL_OK)
            return st;
        if (have) {
            prev[n++] = v;
            sum += v;
        }
    }
    if (n > 0 && money_div_round(sum, n, MONEY_HALF_UP, &avg) == GL_OK)
        put_dec(r, C_PREV3, avg, 3);
    if (largecust_swing(wh, prev, n, &bp) == GL_OK)
        put_dec(r, C_SWING, bp, 2);
    return GL_OK;
}

static int change_row(void *arg, int ncols, const char *const *v)
{
    row_ctx *r = arg;
    char kva[MONEY_FMT_MAX] = "?";
    int64_t va = 0;
    size_t len = strlen(r->changes);
    if (ncols != 4 || len + 1 >= sizeof r->changes)
        return ncols != 4;
    if (money_parse(v[3], 0, &va) == GL_OK)
        money_format_trim(va, 3, 0, kva, sizeof kva);
    snprintf(r->changes + len, sizeof r->changes - len, "%s%s %s %s %s kVA", len ? "; " : "", v[0], v[1], v[2], kva);
    return 0;
}

static gl_status changes(row_ctx *r, const char *gw, const char *customer)
{
    const char *p[] = {gw, customer, r->period};
    r->changes[0] = '\0';
    gl_status st = bo_db_query(r->db,
                               "SELECT date, id, kind, kva_va FROM capacity_changes WHERE gateway = $1 AND customer = $2"
                               " AND substr(date, 1, 7) = $3 ORDER BY date, id",
                               3, p, change_row, r);
    if (st == GL_OK && r->changes[0])
        r->vals[C_CHANGES] = r->changes;
    return st;
}

/* customer_row: the report row of base row i. */
static gl_status customer_row(row_ctx *r, const bo_table *base, size_t i, bo_table *t)
{
    int have_wh = 0, have_fen = 0, have_cap = 0;
    int64_t wh = num(bo_cell(base, i, 5), &have_wh), fen = num(bo_cell(base, i, 6), &have_fen), price = 0;
    int64_t cap = num(bo_cell(base, i, 4), &have_cap);
    const char *industry = bo_cell(base, i, 0), *gw = bo_cell(base, i, 1), *customer = bo_cell(base, i, 2);
    const char *area = bo_cell(base, i, 3);
    gl_status st = GL_OK;
    memset(r->vals, 0, sizeof r->vals);
    snprintf(r->buf[C_INDUSTRY], sizeof r->buf[C_INDUSTRY], "%s %s", industry,
             largecust_industry(industry) ? largecust_industry(industry) : "");
    r->vals[C_INDUSTRY] = r->buf[C_INDUSTRY];
    r->vals[C_GATEWAY] = gw;
    r->vals[C_CUSTOMER] = customer;
    r->vals[C_AREA] = area;
    if (have_cap && money_format_trim(cap, 3, 0, r->buf[C_CAPACITY], sizeof r->buf[C_CAPACITY]) == GL_OK)
        r->vals[C_CAPACITY] = r->buf[C_CAPACITY];
    if (have_fen) {
        put_int(r, C_AMOUNT, fen);
        put_int(r, C_ENERGY, wh);
        if (largecust_price(fen, wh, &price) == GL_OK)
            put_dec(r, C_PRICE, price, 6);
        st = area_effect(r, area, fen, wh);
        if (st == GL_OK)
            st = swing(r, gw, customer, wh);
    }
    if (st == GL_OK)
        st = changes(r, gw, customer);
    return st == GL_OK ? bo_table_add(t, r->vals) : st;
}

/* sum_row: "subtotal" of one industry or the "total" of all. */
static gl_status sum_row(row_ctx *r, const char *industry, const char *label, int64_t wh, int64_t fen, bo_table *t)
{
    int64_t price = 0;
    memset(r->vals, 0, sizeof r->vals);
    r->vals[C_INDUSTRY] = industry;
    r->vals[C_CUSTOMER] = label;
    put_int(r, C_ENERGY, wh);
    put_int(r, C_AMOUNT, fen);
    if (largecust_price(fen, wh, &price) == GL_OK)
        put_dec(r, C_PRICE, price, 6);
    return bo_table_add(t, r->vals);
}

static gl_status fill_rows(row_ctx *r, const bo_table *base, int subtotals, bo_table *t)
{
    int64_t swh = 0, sfen = 0, twh = 0, tfen = 0;
    gl_status st = GL_OK;
    for (size_t i = 0; st == GL_OK && i < base->nrows; i++) {
        int h = 0;
        int64_t wh = num(bo_cell(base, i, 5), &h), fen = num(bo_cell(base, i, 6), &h);
        st = customer_row(r, base, i, t);
        swh += wh;
        sfen += fen;
        int last = i + 1 == base->nrows || strcmp(bo_cell(base, i, 0), bo_cell(base, i + 1, 0)) != 0;
        if (st == GL_OK && subtotals && last) {
            char ind[160];
            snprintf(ind, sizeof ind, "%s", bo_cell(t, t->nrows - 1, C_INDUSTRY));
            st = sum_row(r, ind, "subtotal", swh, sfen, t);
            twh += swh;
            tfen += sfen;
            swh = sfen = 0;
        }
    }
    if (st == GL_OK && subtotals)
        st = sum_row(r, "", "total", twh, tfen, t);
    return st;
}

gl_status bo_large_fill(bo_db *db, const char *period, int subtotals, bo_table *t)
{
    bo_table base;
    row_ctx *r = calloc(1, sizeof *r);
    const char *p[] = {period};
    gl_status st = r ? GL_OK : GL_ENOMEM;
    memset(t, 0, sizeof *t);
    memset(&base, 0, sizeof base);
    t->ncols = NCOLS;
    t->cols = large_cols;
    base.ncols = 7;
    base.cols = base_cols;
    for (int k = 0; st == GL_OK && k < 3; k++)
        st = bo_month_add(period, -1 - k, r->prev[k], sizeof r->prev[k]);
    if (st == GL_OK)
        st = bo_table_fill(db, &base, base_sql, 1, p);
    if (st == GL_OK) {
        r->db = db;
        r->period = period;
        st = fill_rows(r, &base, subtotals, t);
    }
    bo_table_free(&base);
    free(r);
    return st;
}

/* take_csv: --csv [FILE]: the next argument is the file unless it is an option. */
static void take_csv(int argc, char **argv, int *i, const char **csv, int *csv_stdout)
{
    if (*i + 1 < argc && argv[*i + 1][0] != '-')
        *csv = argv[++*i];
    else
        *csv_stdout = 1;
}

static int write_csv(const bo_table *t, const char *path)
{
    FILE *f = path ? fopen(path, "w") : stdout;
    gl_status st = f ? bo_csv_write(t, f) : GL_EIO;
    if (path && f && fclose(f) != 0)
        st = GL_EIO;
    if (st != GL_OK)
        cli_error(path ? path : "stdout", "cannot write the CSV");
    return st == GL_OK ? CLI_OK : CLI_FAIL;
}

static int run(bo_db *db, const char *period, const char *csv, int csv_stdout, const char *xlsx)
{
    bo_table t;
    int ret = CLI_OK;
    gl_status st = GL_OK;
    if (csv || csv_stdout || !xlsx) {
        st = bo_large_fill(db, period, 1, &t);
        if (st == GL_OK)
            ret = write_csv(&t, csv);
        bo_table_free(&t);
    }
    if (st == GL_OK && ret == CLI_OK && xlsx) {
        st = bo_large_fill(db, period, 0, &t);
        if (st == GL_OK && bo_xlsx_write(&t, xlsx, "large-customers", C_INDUSTRY) != GL_OK) {
            cli_error(xlsx, "cannot write the XLSX");
            ret = CLI_FAIL;
        }
        bo_table_free(&t);
    }
    if (st != GL_OK) {
        cli_error("report", "large-customers: %s: %s", gl_strerror(st), bo_db_error(db));
        ret = CLI_FAIL;
    }
    return ret;
}

/* last_month: the month before the current one (local time), YYYY-MM. */
static const char *last_month(char *out, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;
    char cur[8] = "";
    if (localtime_r(&now, &tm) == NULL || strftime(cur, sizeof cur, "%Y-%m", &tm) == 0 ||
        bo_month_add(cur, -1, out, cap) != GL_OK)
        return "";
    return out;
}

int bo_large_cmd(bo_ctx *ctx, int argc, char **argv)
{
    const char *period = "", *csv = NULL, *xlsx = NULL;
    char prev[8];
    int csv_stdout = 0, ret;
    bo_db *db = NULL;
    for (int i = 2; i < argc; i++) {
        int r = 0;
        if (strcmp(argv[i], "--csv") == 0) {
            take_csv(argc, argv, &i, &csv, &csv_stdout);
            continue;
        }
        if ((r = bo_take_opt(argc, argv, &i, "--period", &period)) || (r = bo_take_opt(argc, argv, &i, "--month", &period)) ||
            (r = bo_take_opt(argc, argv, &i, "--xlsx", &xlsx))) {
            if (r > 0)
                continue;
        }
        cli_error("report", "large-customers: %s: %s", argv[i], r < 0 ? "needs a value" : "unknown option");
        return CLI_USAGE;
    }
    if (!*period) /* CONTRACT.md: --period is optional; the last whole month */
        period = last_month(prev, sizeof prev);
    if (!bo_valid_month(period)) {
        cli_error("report", "large-customers: --period %s: not YYYY-MM", period);
        return CLI_USAGE;
    }
    if (bo_open_db(ctx, &db) != GL_OK)
        return CLI_FAIL;
    ret = run(db, period, csv, csv_stdout, xlsx);
    bo_db_close(db);
    return ret;
}
