/* billing.h: bills from the store's readings (firmware side of core/bill.c).
 *
 * A billing period runs from the cycle day of one month, 00:00 local, to the
 * cycle day of the next; it is named after the month it starts in
 * ("2026-01" with cycle_day 1 is January). A customer's usage comes from its
 * meter's cumulative points (compacted days and raw readings, see
 * store_series): the increase between two points becomes one interval from
 * the quarter hour nearest the first to the quarter hour nearest the second,
 * so a gap becomes one long interval that bill_compute shares out by time
 * (lines marked estimated). A bill is posted with its ledger entry (postpaid
 * customers: a debt due cycle date + due_days; prepaid customers pay through
 * fee control, so their bill is a statement only) and its outbox message in
 * one transaction; a period already billed is left as it is. */
#ifndef GRIDLEDGER_BILLING_H
#define GRIDLEDGER_BILLING_H

#include "gridledger/bill.h"
#include "config.h"
#include "gridledger/tariff.h"
#include "store.h"

typedef struct billing {
    const config *cfg;
    store *store;
    int ntariffs;
    tariff_set *tariffs;      /* one per cfg->tariffs, same order */
    usage_interval *usage;    /* scratch: BILLING_USAGE_MAX */
    store_point *points;      /* scratch */
    bill bill;                /* the last bill computed */
    char *json;               /* the last bill's text: its bills message (BILLING_JSON_MAX) */
    int has_estimate;         /* the last usage ends with an estimated interval: */
    int64_t est_ts, est_wh;   /* its end and the counter it assumes there (kv bill.estimate.CUSTOMER) */
    char meter_id[CONFIG_ID_MAX]; /* the last usage's meter, */
    int64_t base_ts, end_ts;  /* its first and last points (billfrozen.h) */
    char usage_from[24];      /* "meter_registers", "intervals" (registers mapped, not used) or "" */
    char usage_note[256];     /* why the registers were not used */
} billing;

/* A period's last BILLING_ESTIMATE_GAP_S (or two poll intervals, if longer)
 * or more without a billable reading
 * (a meter held after a jump, answering garbage, offline) is estimated: one
 * interval marked USAGE_ESTIMATED (the bill says "estimated": true) at the
 * meter's average rate over the readings fetched (35 days before the period
 * and the period); the counter it assumes at the period's end is the base
 * of the next period, so an estimate is never billed twice. */
#define BILLING_ESTIMATE_GAP_S 3600

#define BILLING_USAGE_MAX 65536
#define BILLING_JSON_MAX (256 * 1024)

typedef struct billing_period {
    char name[12];            /* YYYY-MM */
    int64_t from_ts, to_ts;   /* [from, to) */
    int32_t from_day, to_day; /* civil days, inclusive */
    char due[12];             /* YYYY-MM-DD */
} billing_period;

/* billing_init: parses every configured tariff file; d gets the errors. */
gl_status billing_init(billing *b, const config *cfg, store *s, diag *d);
void billing_free(billing *b);

/* billing_period_of: the period named year-month under cfg's cycle day
 * (the process TZ must be the gateway's). */
void billing_period_of(const config *cfg, int year, int month, billing_period *p);

typedef enum billing_outcome { BILLING_POSTED = 0, BILLING_EXISTS, BILLING_NO_DATA } billing_outcome;

/* billing_customer: bills customer ci for p and posts it (see above);
 * *outcome says what happened; queue_up: also put the bill in the outbox.
 * On GL_OK with BILLING_POSTED, b->bill and b->json hold it. The bill
 * becomes text once (bill_json_write, with its id, area, period name, due
 * date and usage source): that text is the outbox's bills message and, as
 * it is inside it, the document the store keeps and `bill --json` prints. */
gl_status billing_customer(billing *b, int ci, const billing_period *p, int queue_up, billing_outcome *outcome);

/* billing_cost: the tariff price of customer ci's use in [from_ts, to_ts)
 * (fixed charges prorated by days), for prepaid fee control. GL_ENOTFOUND
 * without readings. Nothing is posted. */
gl_status billing_cost(billing *b, int ci, int64_t from_ts, int64_t to_ts, int64_t *cost_fen);

/* billing_energy: the active energy (Wh) of customer ci's use in
 * [from_ts, to_ts), for load-controlled purchase (priced at the contracted
 * price, not the tariff). GL_ENOTFOUND without readings. */
gl_status billing_energy(billing *b, int ci, int64_t from_ts, int64_t to_ts, int64_t *energy_wh);

#endif
