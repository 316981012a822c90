/* penalty.h: the late-payment penalty (电费违约金) of 供电营业规则 (1996) art. 98.
 *
 * Counted from the day after the due date until the day of payment, both
 * included: residential customers 1‰ of the overdue amount per day; other
 * customers 2‰ per day on arrears of the current year and 3‰ on arrears from
 * earlier years; the total for one bill is at least 1.00 yuan. The supply
 * contract may set the rate within 1‰–3‰ (电力供应与使用条例 art. 39), so the
 * rates, the minimum, grace days and a waiver are a per-class rule.
 *
 * Exactness: rates are in ppm per day (1‰ = 1000 ppm). The penalty accrues
 * as amount_fen × ppm × days, which is exact in micro-fen (10^-6 fen) and is
 * kept exact while it accrues; a bill's penalty is rounded to fen once, when
 * it is settled or reported, with the rule's rounding mode (half-up by
 * default), and then raised to the minimum if it is above zero.
 * "Earlier years": a day of lateness counts at the prior-year rate when it
 * falls in a calendar year after the year of the bill's date (跨年欠费). */
#ifndef GRIDLEDGER_PENALTY_H
#define GRIDLEDGER_PENALTY_H

#include <stdint.h>

#include "gridledger/money.h"
#include "gridledger/status.h"

#define PENALTY_PPM_PER_PERMILLE 1000
#define PENALTY_MAX_RATE_PPM 10000 /* 1 % a day: far above any contract */
#define PENALTY_MAX_GRACE_DAYS 90
#define PENALTY_MAX_AMOUNT_FEN 100000000000LL /* 1,000,000,000.00: bound that keeps micro-fen in int64 */

typedef struct penalty_rule {
    int64_t rate_current_ppm; /* per day on arrears of the bill's own year */
    int64_t rate_prior_ppm;   /* per day once the arrears are from an earlier year */
    int64_t minimum_fen;      /* a bill's penalty, when above zero, is at least this */
    int grace_days;           /* days after the due date that accrue nothing */
    int waived;               /* 1: this class pays no penalty */
    money_rounding rounding;  /* micro-fen -> fen */
} penalty_rule;

/* penalty_rule_default: art. 98 defaults; residential: 1‰ both rates,
 * others 2‰ / 3‰; minimum 1.00, no grace, half-up. */
void penalty_rule_default(int residential, penalty_rule *out);

/* penalty_accrue: adds to *micro_fen the penalty that amount_fen accrues on
 * the days d with from < d <= to and d > due + grace_days, each day at the
 * current or prior rate by its year against bill_date's year. Nothing when
 * waived or amount_fen <= 0. GL_ERANGE for an amount above
 * PENALTY_MAX_AMOUNT_FEN, GL_EOVERFLOW if the sum would overflow. */
gl_status penalty_accrue(const penalty_rule *r, int64_t amount_fen, int32_t bill_date, int32_t due,
                         int32_t from, int32_t to, int64_t *micro_fen);

/* penalty_settle: the bill's penalty in fen from its exact accrual: rounded
 * with r->rounding, raised to r->minimum_fen when the accrual is above zero,
 * 0 when waived. */
gl_status penalty_settle(const penalty_rule *r, int64_t micro_fen, int64_t *fen);

/* penalty_calc: the whole rule for one amount overdue since `due` and paid
 * (or counted) on `paid`: penalty_accrue over (due, paid] then
 * penalty_settle. */
gl_status penalty_calc(const penalty_rule *r, int64_t amount_fen, int32_t bill_date, int32_t due, int32_t paid,
                       int64_t *fen);

#endif
