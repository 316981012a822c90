/* area.c: the area's figures and signals (see area.h). */
#include "gridledger/area.h"

#include "gridledger/money.h"

/* ratio_bp: num / den in basis points, half-up; 0 when den is 0. */
static gl_status ratio_bp(int64_t num, int64_t den, int32_t *out)
{
    int64_t v = 0;
    gl_status st = den == 0 ? GL_OK : money_muldiv_round(num, 10000, den, MONEY_HALF_UP, &v);
    if (st == GL_OK && (v > INT32_MAX || v < INT32_MIN))
        st = GL_EOVERFLOW;
    *out = (int32_t)v;
    return st;
}

static gl_status sum_sold(const area_in *in, int64_t *sum)
{
    *sum = 0;
    for (size_t i = 0; i < in->nsold; i++) {
        if (in->sold_wh[i] < 0)
            return GL_EINVAL;
        gl_status st = money_add(*sum, in->sold_wh[i], sum);
        if (st != GL_OK)
            return st;
    }
    return GL_OK;
}

static area_alert alert_of(const area_figures *f, const area_limits *lim)
{
    if (f->supplied_wh == 0)
        return f->sold_wh > 0 ? AREA_ALERT_NO_SUPPLY : AREA_ALERT_NONE;
    if (f->loss_wh < 0)
        return AREA_ALERT_NEGATIVE;
    return f->loss_bp > lim->loss_alert_bp ? AREA_ALERT_HIGH_LOSS : AREA_ALERT_NONE;
}

gl_status area_compute(const area_in *in, const area_limits *lim, area_figures *out)
{
    area_figures f = {0};
    if (in == NULL || lim == NULL || out == NULL || in->supplied_wh < 0 || in->billed_fen < 0 || in->collected_fen < 0)
        return GL_EINVAL;
    gl_status st = sum_sold(in, &f.sold_wh);
    f.supplied_wh = in->supplied_wh;
    f.billed_fen = in->billed_fen;
    f.collected_fen = in->collected_fen;
    if (st == GL_OK)
        st = money_sub(f.supplied_wh, f.sold_wh, &f.loss_wh);
    if (st == GL_OK)
        st = ratio_bp(f.loss_wh, f.supplied_wh, &f.loss_bp);
    if (st == GL_OK)
        st = ratio_bp(f.collected_fen, f.billed_fen, &f.collected_bp);
    /* fen per Wh x 10^4 x 1000 Wh/kWh = micro-yuan per kWh */
    if (st == GL_OK && f.sold_wh > 0)
        st = money_muldiv_round(f.billed_fen, 10000000, f.sold_wh, MONEY_HALF_UP, &f.avg_price_micro);
    if (st != GL_OK)
        return st;
    f.alert = alert_of(&f, lim);
    *out = f;
    return GL_OK;
}

int area_swing(int64_t month_wh, const int64_t prev_wh[3], const area_limits *lim, int32_t *change_bp)
{
    int64_t sum = 0;
    int n = 0;
    *change_bp = 0;
    for (int i = 0; i < 3; i++)
        if (prev_wh[i] >= 0 && money_add(sum, prev_wh[i], &sum) == GL_OK)
            n++;
    if (n == 0 || sum == 0 || month_wh < 0)
        return 0;
    /* change = (month - sum/n) / (sum/n) = (month*n - sum) / sum */
    int64_t scaled = 0, diff = 0;
    if (money_muldiv_round(month_wh, n, 1, MONEY_HALF_UP, &scaled) != GL_OK ||
        money_sub(scaled, sum, &diff) != GL_OK || ratio_bp(diff, sum, change_bp) != GL_OK)
        return 0;
    return *change_bp > lim->swing_bp || *change_bp < -lim->swing_bp;
}

int area_suspect(int64_t use_wh, int64_t baseline_wh, int32_t loss_bp_now, int32_t loss_bp_before,
                 const area_limits *lim)
{
    int32_t drop = 0;
    if (baseline_wh <= 0 || use_wh < 0 || ratio_bp(baseline_wh - use_wh, baseline_wh, &drop) != GL_OK)
        return 0;
    return drop >= lim->suspect_drop_bp && (int64_t)loss_bp_now - loss_bp_before >= lim->suspect_rise_bp;
}

int area_stuck(int64_t use_wh, int64_t supplied_wh)
{
    return use_wh == 0 && supplied_wh > 0;
}

const char *area_alert_name(area_alert a)
{
    switch (a) {
    case AREA_ALERT_HIGH_LOSS:
        return "high_loss";
    case AREA_ALERT_NEGATIVE:
        return "negative_loss";
    case AREA_ALERT_NO_SUPPLY:
        return "no_supply";
    default:
        return "none";
    }
}
