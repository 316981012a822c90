/* lineloss.c: the area's monthly figures from the store (see lineloss.h). */
#include "lineloss.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "gridledger/money.h"
#include "store_bills.h"
#include "store_ledger.h"

#define LARGE_KVA_MILLI 100000 /* 100 kVA and above, or industrial: a large customer */

static int64_t month_start(int year, int month)
{
    return clock_make_local(year, month - 1, 1, 0, 0, 0);
}

/* use_in: a meter's use in month (year, month + delta) into *wh, -1 if the
 * meter has no data then; a database error is returned, not read as "no data". */
static gl_status use_in(store *s, const char *meter, int year, int month, int delta, int64_t *wh)
{
    int64_t from = month_start(year, month + delta), to = month_start(year, month + delta + 1);
    gl_status st = store_meter_use(s, meter, from, to, wh, NULL);
    if (st == GL_ENOTFOUND)
        *wh = -1;
    return st == GL_ENOTFOUND ? GL_OK : st;
}

static int large(const config_customer *c)
{
    return c->klass == CONFIG_CLASS_INDUSTRIAL || c->capacity_kva_milli >= LARGE_KVA_MILLI;
}

static void add_signal(lineloss_result *r, const config_meter *m, int kind, int64_t use, int32_t change)
{
    if (r->nsignals == LINELOSS_SIGNALS_MAX)
        return;
    lineloss_signal *g = &r->signals[r->nsignals++];
    snprintf(g->meter, sizeof g->meter, "%s", m->id);
    snprintf(g->customer, sizeof g->customer, "%s", m->customer);
    g->kind = kind;
    g->use_wh = use;
    g->change_bp = change;
}

/* figures: supplied, sold and money for one month; uses[] gets each meter's use. */
static gl_status figures(store *s, const config *cfg, const area_limits *lim, int year, int month, int64_t *uses,
                         area_figures *fig, int *missing)
{
    int64_t supplied = 0;
    size_t nsold = 0;
    int64_t *sold = malloc(sizeof *sold * (size_t)(cfg->nmeters + 1));
    if (sold == NULL)
        return GL_ENOMEM;
    gl_status st = GL_OK;
    *missing = 0;
    for (int i = 0; st == GL_OK && i < cfg->nmeters; i++) {
        const config_meter *m = &cfg->meters[i];
        int64_t u = -1;
        st = use_in(s, m->id, year, month, 0, &u);
        uses[i] = u;
        if (m->role == CONFIG_ROLE_AREA_SUMMARY)
            supplied += u > 0 ? u : 0;
        else if (u >= 0)
            sold[nsold++] = u;
        else
            (*missing)++;
    }
    char period[16], lo[16], hi[16];
    int ny = month == 12 ? year + 1 : year, nm = month == 12 ? 1 : month + 1;
    snprintf(period, sizeof period, "%04u-%02u", (unsigned)year % 10000, (unsigned)month % 100);
    snprintf(lo, sizeof lo, "%04u-%02u-01", (unsigned)year % 10000, (unsigned)month % 100);
    snprintf(hi, sizeof hi, "%04u-%02u-01", (unsigned)ny % 10000, (unsigned)nm % 100);
    area_in in = {supplied, sold, nsold, 0, 0};
    if (st == GL_OK)
        st = store_bills_total(s, period, &in.billed_fen);
    if (st == GL_OK)
        st = store_ledger_collected(s, lo, hi, &in.collected_fen);
    if (st == GL_OK)
        st = area_compute(&in, lim, fig);
    free(sold);
    return st;
}

const char *lineloss_signal_name(int kind)
{
    return kind == LINELOSS_SWING ? "swing" : kind == LINELOSS_STUCK ? "stuck" : "suspect";
}

static gl_status signals(store *s, const config *cfg, const area_limits *lim, int year, int month,
                         const int64_t *uses, lineloss_result *r)
{
    gl_status st = GL_OK;
    for (int i = 0; st == GL_OK && i < cfg->nmeters; i++) {
        const config_meter *m = &cfg->meters[i];
        if (m->role != CONFIG_ROLE_CUSTOMER || uses[i] < 0)
            continue;
        int64_t prev[3] = {-1, -1, -1};
        int64_t base = 0;
        int nb = 0;
        for (int k = 0; st == GL_OK && k < 3; k++) {
            st = use_in(s, m->id, year, month, -1 - k, &prev[k]);
            if (prev[k] >= 0)
                base += prev[k], nb++;
        }
        if (st != GL_OK)
            break;
        int32_t change = 0;
        int swing = area_swing(uses[i], prev, lim, &change);
        if (area_stuck(uses[i], r->fig.supplied_wh))
            add_signal(r, m, LINELOSS_STUCK, uses[i], change);
        else if (swing && m->customer_index >= 0 && large(&cfg->customers[m->customer_index]))
            add_signal(r, m, LINELOSS_SWING, uses[i], change);
        else if (nb > 0 && area_suspect(uses[i], base / nb, r->fig.loss_bp, r->prev_loss_bp, lim))
            add_signal(r, m, LINELOSS_SUSPECT, uses[i], change);
    }
    return st;
}

gl_status lineloss_month(store *s, const config *cfg, const area_limits *lim, int year, int month,
                         lineloss_result *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->period, sizeof out->period, "%04u-%02u", (unsigned)year % 10000, (unsigned)month % 100);
    int64_t *uses = calloc((size_t)cfg->nmeters + 1, sizeof *uses);
    if (uses == NULL)
        return GL_ENOMEM;
    area_figures prev;
    int pm = month == 1 ? 12 : month - 1, py = month == 1 ? year - 1 : year, missing = 0;
    gl_status st = figures(s, cfg, lim, py, pm, uses, &prev, &missing);
    if (st == GL_OK) {
        out->prev_loss_bp = prev.loss_bp;
        st = figures(s, cfg, lim, year, month, uses, &out->fig, &out->meters_missing);
    }
    if (st == GL_OK)
        st = signals(s, cfg, lim, year, month, uses, out);
    free(uses);
    return st;
}

gl_status lineloss_body(const lineloss_result *r, const char *area, char *buf, size_t cap)
{
    char sup[MONEY_FMT_MAX], sold[MONEY_FMT_MAX], loss[MONEY_FMT_MAX], pct[MONEY_FMT_MAX];
    char billed[MONEY_FMT_MAX], coll[MONEY_FMT_MAX], avg[MONEY_FMT_MAX];
    money_format(r->fig.supplied_wh, MONEY_SCALE_WH, sup, sizeof sup);
    money_format(r->fig.sold_wh, MONEY_SCALE_WH, sold, sizeof sold);
    money_format(r->fig.loss_wh, MONEY_SCALE_WH, loss, sizeof loss);
    money_format(r->fig.loss_bp, 2, pct, sizeof pct);
    money_format(r->fig.billed_fen, MONEY_SCALE_FEN, billed, sizeof billed);
    money_format(r->fig.collected_fen, MONEY_SCALE_FEN, coll, sizeof coll);
    money_format(r->fig.avg_price_micro, MONEY_SCALE_PRICE, avg, sizeof avg);
    int n = snprintf(buf, cap,
                     "{\"period\":\"%s\",\"area\":\"%s\",\"supplied_kwh\":\"%s\",\"sold_kwh\":\"%s\",\"loss_kwh\":\"%s\","
                     "\"loss_pct\":\"%s\",\"billed\":\"%s\",\"collected\":\"%s\",\"avg_price\":\"%s\",\"alert\":\"%s\","
                     "\"meters_missing\":%d,\"signals\":%d}",
                     r->period, area, sup, sold, loss, pct, billed, coll, avg, area_alert_name(r->fig.alert),
                     r->meters_missing, r->nsignals);
    return n > 0 && (size_t)n < cap ? GL_OK : GL_EBOUND;
}
