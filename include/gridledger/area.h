/* area.h: the area's four numbers (量价费损: quantity, price, fee, loss) and
 * the signals drawn from them: line loss alerts, large customers' monthly
 * swings, meters whose use dropped while the area's loss rose, and meters
 * whose counter stood still while the area drew power.
 *
 * Pure computation: energies in Wh, amounts in fen, rates in basis points
 * (1 bp = 0.01 %), all rounded half-up. A suspicion is only a signal: a grade
 * changes only on confirmed theft in the ledger (see credit). */
#ifndef GRIDLEDGER_AREA_H
#define GRIDLEDGER_AREA_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/status.h"

typedef struct area_limits {
    int32_t loss_alert_bp;     /* alert when the loss rate is above this (default 800: 8 %) */
    int32_t swing_bp;          /* large customer: alert beyond +/- this of the 3-month baseline (3000) */
    int32_t suspect_drop_bp;   /* a meter whose use fell by at least this much (8000: 80 %) ... */
    int32_t suspect_rise_bp;   /* ... while the area's loss rate rose by at least this (200: 2 points) */
} area_limits;

#define AREA_LIMITS_DEFAULT {800, 3000, 8000, 200}

typedef enum area_alert {
    AREA_ALERT_NONE = 0,
    AREA_ALERT_HIGH_LOSS,  /* loss rate above the limit */
    AREA_ALERT_NEGATIVE,   /* sold more than supplied: a metering or wiring fault */
    AREA_ALERT_NO_SUPPLY,  /* the area summary meter gave no energy */
} area_alert;

typedef struct area_in {
    int64_t supplied_wh;        /* the area summary meter's use over the period */
    const int64_t *sold_wh;     /* each customer meter's use over the period */
    size_t nsold;
    int64_t billed_fen, collected_fen;
} area_in;

typedef struct area_figures {
    int64_t supplied_wh, sold_wh, loss_wh;
    int32_t loss_bp;            /* loss / supplied; 0 when nothing was supplied */
    int64_t billed_fen, collected_fen;
    int32_t collected_bp;       /* collected / billed */
    int64_t avg_price_micro;    /* billed per kWh sold, micro-yuan; 0 when nothing was sold */
    area_alert alert;
} area_figures;

/* area_compute: the period's figures and its alert. GL_EOVERFLOW if the sums
 * do not fit, GL_EINVAL on a negative input. */
gl_status area_compute(const area_in *in, const area_limits *lim, area_figures *out);

/* area_swing: 1 if this month's use moved beyond +/- swing_bp of the mean of
 * the previous three months (months with no data are given as -1 and left
 * out; no baseline, no alert); *change_bp gets the signed change. */
int area_swing(int64_t month_wh, const int64_t prev_wh[3], const area_limits *lim, int32_t *change_bp);

/* area_suspect: 1 if a meter's use fell by suspect_drop_bp or more against
 * its baseline while the area's loss rate rose by suspect_rise_bp or more. */
int area_suspect(int64_t use_wh, int64_t baseline_wh, int32_t loss_bp_now, int32_t loss_bp_before,
                 const area_limits *lim);

/* area_stuck: 1 if a customer meter's counter stood still over the period
 * (use_wh == 0, the meter read) while the area summary meter recorded
 * supply (supplied_wh > 0): the bypassed meter's signature. A meter with no
 * reading (use_wh < 0) is missing, not stuck. Suspicion only: an empty
 * house looks the same; a grade changes only on confirmed theft. */
int area_stuck(int64_t use_wh, int64_t supplied_wh);

/* area_alert_name: "high_loss", "negative_loss", "no_supply" or "none". */
const char *area_alert_name(area_alert a);

#endif
