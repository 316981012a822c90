/* grade.h: credit grades from payment behaviour, explained by their score.
 *
 * A scorecard over a rolling window (12 months by default) ending on the
 * evaluation date: 100 points minus weighted deductions for overdue bills,
 * days late, the amount overdue against the average bill, bounced payments
 * and prepaid accounts running dry, plus a bonus for the current streak of
 * bills paid on time; clamped to 0..100. Points are kept in centipoints
 * (1/100 point) so weights like 0.20 a day are exact integers.
 * The score maps to a grade by configured lower bounds (default A >= 90,
 * B >= 70, C below: Wuhan 2005); a five-grade scale is a config change.
 * Overrides put the customer in the lowest grade: confirmed theft in the last
 * 24 months, illegal use in the last 12, or 3 unpaid overdue bills (three
 * months of current arrears), or the yearly count rule: more than
 * max_overdue_per_year (5) overdue bills in the window. A new customer (fewer than 3 bills) is never
 * above the configured start grade (B).
 * Cycles: grades are set on cycle dates (every 6 months from 1 January: the
 * yearly grading in January and the provisional one in July); at a cycle a
 * grade rises by at most one step. Between cycles a grade can only fall
 * (score or override), never rise. Pure: the same ledger and date give the
 * same grade. */
#ifndef GRIDLEDGER_GRADE_H
#define GRIDLEDGER_GRADE_H

#include <stdint.h>

#include "gridledger/ledger.h"
#include "gridledger/status.h"

#define GRADE_MAX 8
#define GRADE_NAME_MAX 8
#define GRADE_FULL_CP 10000 /* 100.00 points */

typedef enum grade_component_id {
    GRADE_C_OVERDUE_BILLS = 0, /* bills paid late or unpaid past due in the window */
    GRADE_C_DAYS_LATE,         /* their days late, summed, capped */
    GRADE_C_OVERDUE_RATIO,     /* amount overdue now / average bill (per mille), capped */
    GRADE_C_BOUNCED,           /* bounced payments in the window */
    GRADE_C_RUN_DRY,           /* prepaid balance reaching zero in the window */
    GRADE_C_STREAK,            /* bills paid on time in a row, latest first (bonus), capped */
    GRADE_C_COUNT
} grade_component_id;

typedef enum grade_reason {
    GRADE_BY_SCORE = 0,       /* the score's grade */
    GRADE_OVERRIDE_THEFT,     /* lowest: confirmed theft within theft_months */
    GRADE_OVERRIDE_ILLEGAL,   /* lowest: illegal use within illegal_months */
    GRADE_OVERRIDE_ARREARS,   /* lowest: arrears_bills unpaid overdue bills */
    GRADE_NEW_CUSTOMER,       /* held at the start grade: too few bills yet */
    GRADE_STEP_LIMIT,         /* the score allows more, but one step up per cycle */
    GRADE_HELD_UNTIL_CYCLE,   /* the score allows more, rises only on a cycle date */
    GRADE_OVERRIDE_COUNT,     /* lowest: more than max_overdue_per_year overdue bills in the window */
} grade_reason;

typedef struct grade_cfg {
    int ngrades;                              /* 2..GRADE_MAX, best first */
    char names[GRADE_MAX][GRADE_NAME_MAX];
    int64_t min_cp[GRADE_MAX];                /* lower bound of each grade; the last is 0 */
    int64_t weight_cp[GRADE_C_COUNT];         /* points per unit (ratio: per average bill) */
    int64_t cap[GRADE_C_COUNT];               /* days late: days; streak: bills; ratio: cp; others: count */
    int window_months;                        /* 12 */
    int late_grace_days;                      /* a bill paid this many days after due is still on time */
    int theft_months, illegal_months, arrears_bills; /* 24, 12, 3; 0 disables */
    int max_overdue_per_year;                 /* count rule: more overdue bills in the window -> lowest; 5; 0 off */
    int start_grade;                          /* index of new customers' grade (B = 1) */
    int new_customer_bills;                   /* 3 */
    int cycle_months;                         /* 6: 1 January and 1 July */
} grade_cfg;

typedef struct grade_metrics {
    int bills;                  /* bills due before the date in the window */
    int overdue_bills;          /* of those, paid late or unpaid */
    int days_late;              /* their days late, summed */
    int64_t avg_bill_fen;       /* mean of bills dated in the window */
    int64_t overdue_fen;        /* arrears on the date */
    int64_t overdue_ratio_pm;   /* overdue_fen / avg_bill_fen, per mille */
    int bounced, run_dry;       /* events in the window */
    int streak;                 /* bills paid on time in a row, latest first */
    int unpaid_overdue_bills;   /* bills unpaid past due on the date */
    int total_bills;            /* bills dated up to the date, ever */
    int late_36m;               /* bills paid late in the last 36 months (deposit refund) */
    int32_t last_theft, last_illegal; /* -1 if none */
} grade_metrics;

typedef struct grade_component {
    grade_component_id id;
    int64_t value;     /* the metric (count, days, per mille) */
    int64_t points_cp; /* its signed contribution */
} grade_component;

typedef struct grade_result {
    int grade;            /* index into cfg names; 0 best */
    int score_grade;      /* the grade the score alone gives */
    int prev_grade;       /* the grade of the last cycle (the start grade before any) */
    int64_t score_cp;     /* 0..GRADE_FULL_CP */
    grade_reason reason;
    int32_t last_cycle;   /* the last cycle date applied; -1 if none yet */
    int32_t override_until; /* end of an override's lowest-grade period; -1 if none */
    grade_metrics m;
    grade_component comp[GRADE_C_COUNT];
} grade_result;

/* grade_cfg_default: three grades A/B/C at 90/70/0 and the default weights
 * of docs/credit.md. */
void grade_cfg_default(grade_cfg *cfg);

/* grade_cfg_check: GL_ECONFIG if grades are not 2..GRADE_MAX with strictly
 * falling bounds ending at 0, or a field is out of range. */
gl_status grade_cfg_check(const grade_cfg *cfg);

/* grade_metrics_at: the metrics on `date` from st replayed up to date. */
gl_status grade_metrics_at(const ledger_state *st, const grade_cfg *cfg, int32_t date, grade_metrics *out);

/* grade_score: the score and its components from metrics m. */
void grade_score(const grade_cfg *cfg, const grade_metrics *m, grade_result *out);

/* grade_account: the grade of acct on as_of, replaying the ledger through
 * every cycle date from its first entry (st is caller-owned scratch, left
 * replayed up to as_of so the caller can read the arrears from it). */
gl_status grade_account(const ledger_account *acct, const ledger_cfg *lcfg, const grade_cfg *cfg, int32_t as_of,
                        ledger_state *st, grade_result *out);

/* grade_find: index of a grade name, or -1. */
int grade_find(const grade_cfg *cfg, const char *name);

/* grade_component_name / grade_reason_name: stable names for output. */
const char *grade_component_name(grade_component_id id);
const char *grade_reason_name(grade_reason r);

#endif
