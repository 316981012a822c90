/* penalty.c: 供电营业规则 art. 98 late-payment penalty (see penalty.h). */
#include "gridledger/penalty.h"

#include "gridledger/civdate.h"

void penalty_rule_default(int residential, penalty_rule *out)
{
    out->rate_current_ppm = residential ? 1 * PENALTY_PPM_PER_PERMILLE : 2 * PENALTY_PPM_PER_PERMILLE;
    out->rate_prior_ppm = residential ? 1 * PENALTY_PPM_PER_PERMILLE : 3 * PENALTY_PPM_PER_PERMILLE;
    out->minimum_fen = 100;
    out->grace_days = 0;
    out->waived = 0;
    out->rounding = MONEY_HALF_UP;
}

/* Adds amount * rate * days to *acc with overflow checks. */
static gl_status add_span(int64_t amount_fen, int64_t rate_ppm, int64_t days, int64_t *acc)
{
    int64_t per_day, span;
    if (days <= 0)
        return GL_OK;
    if (__builtin_mul_overflow(amount_fen, rate_ppm, &per_day) || __builtin_mul_overflow(per_day, days, &span) ||
        __builtin_add_overflow(*acc, span, acc))
        return GL_EOVERFLOW;
    return GL_OK;
}

gl_status penalty_accrue(const penalty_rule *r, int64_t amount_fen, int32_t bill_date, int32_t due,
                         int32_t from, int32_t to, int64_t *micro_fen)
{
    if (r == NULL || micro_fen == NULL)
        return GL_EINVAL;
    if (amount_fen > PENALTY_MAX_AMOUNT_FEN)
        return GL_ERANGE;
    if (r->waived || amount_fen <= 0)
        return GL_OK;
    int32_t start = due + r->grace_days; /* the first day that counts is start + 1 */
    if (from > start)
        start = from;
    if (to <= start)
        return GL_OK;
    /* Days up to the end of the bill's year at the current rate, the rest at the prior-year rate. */
    int32_t year_end = civdate_from_ymd(civdate_year(bill_date), 12, 31);
    int64_t acc = *micro_fen;
    int32_t cur_to = to < year_end ? to : year_end;
    gl_status st = add_span(amount_fen, r->rate_current_ppm, (int64_t)cur_to - start, &acc);
    if (st == GL_OK) {
        int32_t prior_from = start > year_end ? start : year_end;
        st = add_span(amount_fen, r->rate_prior_ppm, (int64_t)to - prior_from, &acc);
    }
    if (st == GL_OK)
        *micro_fen = acc;
    return st;
}

gl_status penalty_settle(const penalty_rule *r, int64_t micro_fen, int64_t *fen)
{
    int64_t v = 0;
    if (r == NULL || fen == NULL || micro_fen < 0)
        return GL_EINVAL;
    if (!r->waived && micro_fen > 0) {
        gl_status st = money_div_round(micro_fen, 1000000, r->rounding, &v);
        if (st != GL_OK)
            return st;
        if (v < r->minimum_fen)
            v = r->minimum_fen;
    }
    *fen = v;
    return GL_OK;
}

gl_status penalty_calc(const penalty_rule *r, int64_t amount_fen, int32_t bill_date, int32_t due, int32_t paid,
                       int64_t *fen)
{
    int64_t micro = 0;
    gl_status st = penalty_accrue(r, amount_fen, bill_date, due, due, paid, &micro);
    if (st != GL_OK)
        return st;
    return penalty_settle(r, micro, fen);
}
