/* cmd_report.c: `gridledger report large-customers [--period YYYY-MM]
 * [--json|--csv]`: the large customers' month at the gateway (largerep.h),
 * by industry (GB/T 4754 section), with the capacity changes of the month. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "gridledger/money.h"
#include "largerep.h"
#include "outfmt.h"

#define NCOLS 12

static int valid_period(const char *s)
{
    int y = 0, m = 0;
    char tail;
    return strlen(s) == 7 && sscanf(s, "%4d-%2d%c", &y, &m, &tail) == 2 && m >= 1 && m <= 12 && y >= 2000;
}

static void last_month(char *out, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    int i = (tm.tm_year + 1900) * 12 + tm.tm_mon - 1;
    snprintf(out, cap, "%04d-%02d", i / 12, i % 12 + 1);
}

/* changes_of: the customer's capacity changes dated in period. */
static void changes_of(const config_customer *c, const char *period, char *out, size_t cap)
{
    static const char *const kinds[] = {"new", "increase", "reduction"};
    size_t len = 0;
    out[0] = '\0';
    for (int k = 0; k < c->ncapacity_changes && len + 1 < cap; k++) {
        const config_capacity_change *e = &c->capacity_changes[k];
        char kva[MONEY_FMT_MAX];
        if (strncmp(e->date, period, 7) != 0 || money_format_trim(e->kva_milli, 3, 0, kva, sizeof kva) != GL_OK)
            continue;
        snprintf(out + len, cap - len, "%s%s %s %s %s kVA", len ? "; " : "", e->date, e->id, kinds[e->kind], kva);
        len = strlen(out);
    }
}

static void dec(char *out, size_t cap, int have, int64_t v, int scale)
{
    if (!have || money_format(v, scale, out, cap) != GL_OK)
        out[0] = '\0';
}

static void print_row(outfmt *o, const largerep_row *r, const char *period)
{
    char v[NCOLS][MONEY_FMT_MAX * 2], changes[512];
    const char *row[NCOLS];
    snprintf(v[0], sizeof v[0], "%s %s", r->c->industry, largecust_industry(r->c->industry));
    money_format_trim(r->c->capacity_kva_milli, 3, 0, v[1], sizeof v[1]);
    dec(v[2], sizeof v[2], r->billed, r->energy_wh, 3);
    dec(v[3], sizeof v[3], r->billed, r->amount_fen, 2);
    dec(v[4], sizeof v[4], r->has_price, r->price_micro, 6);
    dec(v[5], sizeof v[5], r->has_effect, r->effect.with_micro, 6);
    dec(v[6], sizeof v[6], r->has_effect && r->effect.has_without, r->effect.without_micro, 6);
    dec(v[7], sizeof v[7], r->has_effect && r->effect.has_without, r->effect.effect_micro, 6);
    dec(v[8], sizeof v[8], r->nprev > 0, r->prev_avg_wh, 3);
    dec(v[9], sizeof v[9], r->has_swing, r->swing_bp, 2);
    changes_of(r->c, period, changes, sizeof changes);
    const char *vals[NCOLS] = {v[0], r->c->id, v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], changes};
    memcpy(row, vals, sizeof row);
    outfmt_row(o, row);
}

static int by_industry(const void *a, const void *b)
{
    const largerep_row *x = a, *y = b;
    int c = strcmp(x->c->industry, y->c->industry);
    return c ? c : strcmp(x->c->id, y->c->id);
}

static int report(const config *cfg, store *s, const char *period, outfmt_kind k)
{
    static const char *const cols[NCOLS] = {"industry", "customer", "capacity_kva", "energy_kwh", "amount",
                                            "avg_price", "area_avg_price", "area_avg_without", "price_effect",
                                            "prev3_avg_kwh", "swing_pct", "capacity_changes"};
    largerep_row *rows = calloc(cfg->ncustomers > 0 ? (size_t)cfg->ncustomers : 1, sizeof *rows);
    int n = 0;
    gl_status st = rows ? largerep_month(s, cfg, period, rows, cfg->ncustomers, &n) : GL_ENOMEM;
    if (st == GL_OK) {
        outfmt o;
        qsort(rows, (size_t)n, sizeof *rows, by_industry);
        outfmt_begin(&o, k, stdout, "large_customers", cols, NCOLS);
        for (int i = 0; i < n; i++)
            print_row(&o, &rows[i], period);
        outfmt_end(&o);
    } else {
        cli_error("report", "large-customers: %s", gl_strerror(st));
    }
    free(rows);
    return st == GL_OK ? CLI_OK : CLI_FAIL;
}

int cmd_report(cli_ctx *ctx, int argc, char **argv)
{
    outfmt_kind k = OUTFMT_TEXT;
    char period[16] = "";
    if (argc < 2 || strcmp(argv[1], "large-customers") != 0) {
        cli_error("report", "usage: report large-customers [--period YYYY-MM] [--json|--csv]");
        return CLI_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--period") == 0 && i + 1 < argc && valid_period(argv[i + 1]))
            snprintf(period, sizeof period, "%s", argv[++i]);
        else if (!outfmt_flag(argv[i], &k)) {
            cli_error("report", "usage: report large-customers [--period YYYY-MM] [--json|--csv]");
            return CLI_USAGE;
        }
    }
    config *cfg = NULL;
    store *s = NULL;
    int rc = cli_open_local(ctx, &cfg, &s);
    if (rc == CLI_OK) {
        if (!period[0])
            last_month(period, sizeof period);
        rc = report(cfg, s, period, k);
    }
    store_close(s);
    config_free(cfg);
    return rc;
}
