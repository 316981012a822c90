/* bill.h: one bill from a tariff set and interval usage, and its JSON.
 *
 * bill_compute is pure and does not allocate: the caller owns the tariff
 * set, the usage array, the options and the bill. Every line of a bill says
 * what it charges for (code, description, quantity, unit, rate, amount);
 * the total is the sum of the lines. Line amounts are computed exactly in
 * units of 1e-9 yuan and rounded once per line (or once per bill) with the
 * tariff's rounding. The rules (tiers with TOU, the crossing interval,
 * version splits, proration by days, gaps) are in docs/tariffs.md.
 * The same inputs always give the same bill and the same JSON bytes. */
#ifndef GRIDLEDGER_BILL_H
#define GRIDLEDGER_BILL_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/status.h"
#include "gridledger/tariff.h"
#include "gridledger/usage.h"

#define BILL_MAX_LINES 96
#define BILL_CODE_MAX 48
#define BILL_DESC_MAX 128
#define BILL_UNIT_MAX 12
#define BILL_ERROR_MAX 160
#define BILL_MAX_DAYS 366
#define BILL_MAX_HOLIDAYS 64
#define BILL_DAY_AUTO INT32_MIN /* period bound taken from the usage */
#define BILL_MAX_HISTORY 12     /* earlier months' peak demands a bill can be given */

typedef struct bill_options {
    char customer[TARIFF_ID_MAX];
    int32_t from_day, to_day;   /* civil days, inclusive, or BILL_DAY_AUTO */
    int has_position;           /* 1: position_wh is given */
    int64_t position_wh;        /* tier position before the bill: the year's use (yearly tiers) or the
                                   month's (monthly tiers) so far; bounds are then not prorated */
    int64_t demand_w;           /* maximum demand from the meter's register (kW at scale 3), or -1 */
    int64_t capacity_va;        /* contracted capacity (kVA at scale 3), or -1 */
    int64_t reactive_varh;      /* the bill's reactive energy, or -1: the sum of the intervals */
    int nholidays;              /* holidays besides the tariff's own list */
    int32_t holidays[BILL_MAX_HOLIDAYS];
    int64_t adjustment_fen;     /* a credit (< 0) or debit adjustment line, 0 = none */
    char adjustment_text[64];
    /* the customer's peak demand (kW at scale 3) in the months before the
     * month of the bill's first day: history_w[0] the month just before,
     * history_w[1] the one before that, ...; -1 = not known. For a demand
     * ratchet (demand.ratchet); months beyond nhistory are not known. */
    int nhistory;
    int64_t history_w[BILL_MAX_HISTORY];
    /* the year's earlier bills (an annual minimum, annual_minimum): their
     * total in fen, given on the bill that ends on 31 December */
    int has_year_billed;
    int64_t year_billed_fen;
    /* the energy exported to the grid (the meter's reverse active energy) as
     * intervals of their own (energy_wh = exported Wh), or NULL: credited at
     * the tariff's sell price of each quarter hour's period (energy.sell) */
    const usage_interval *export_u;
    int nexport;
} bill_options;

typedef struct bill_line {
    char code[BILL_CODE_MAX];
    char description[BILL_DESC_MAX];
    int64_t quantity;
    int quantity_scale;         /* decimals of quantity */
    char unit[BILL_UNIT_MAX];
    int64_t rate;
    int rate_scale;             /* decimals of rate */
    int64_t amount_nano;        /* exact amount, 1e-9 yuan */
    int64_t amount_fen;         /* the rounded amount shown */
    int estimated;              /* 1: the quantity includes energy shared out by time */
} bill_line;

typedef struct bill {
    char customer[TARIFF_ID_MAX];
    char tariff[TARIFF_ID_MAX];
    char currency[TARIFF_CURRENCY_MAX];
    int32_t from_day, to_day;   /* the billed period, inclusive */
    int nparts;                 /* tariff versions the period was split into */
    int nlines;
    bill_line lines[BILL_MAX_LINES];
    int64_t total_fen;
    int64_t energy_wh;          /* active energy billed */
    int64_t position_after_wh;  /* tier position after this bill, to carry to the next one */
    int64_t peak_w;             /* the bill's peak demand (the register when given), for later ratchets */
    int estimated;              /* 1 if any line is estimated */
    char error[BILL_ERROR_MAX]; /* why bill_compute failed */
} bill;

/* bill_options_init: no customer, period from the usage, no position, no
 * demand register, no capacity, reactive energy from the usage, no extra
 * holidays, no adjustment. */
void bill_options_init(bill_options *o);

/* bill_compute: the bill of usage u[0..n-1] under tariff set ts with
 * options opt, into *out (caller-owned, fully written). Intervals must be
 * ascending, not overlapping, on quarter hours. Returns GL_OK; GL_EINVAL
 * (bad usage or a missing option the tariff needs, e.g. capacity for a
 * per-kVA charge), GL_ENOTFOUND (no version in force on a day of the
 * period), GL_ERANGE (period longer than BILL_MAX_DAYS or empty),
 * GL_EBOUND (more than BILL_MAX_LINES lines), GL_EOVERFLOW; out->error then
 * says what was wrong. */
gl_status bill_compute(const tariff_set *ts, const usage_interval *u, int n, const bill_options *opt, bill *out);

/* bill_to_json: the bill as JSON (CONTRACT.md: customer, period, tariff,
 * lines, total, currency, then energy_kwh, estimated, tier_position_kwh),
 * NUL-terminated in buf; *len (may be NULL) without the NUL. GL_EBOUND if
 * cap is too small. */
gl_status bill_to_json(const bill *b, char *buf, size_t cap, size_t *len);

/* What a posted bill adds after its priced members (firmware's billing):
 * its id (CUSTOMER/PERIOD), the area, the period's name and due date, and
 * where its time-of-use split came from ("meter_registers", "intervals"; NULL
 * or "" leaves usage_from and usage_note out). */
typedef struct bill_json_extra {
    const char *id, *area, *period_name, *due;
    const char *usage_from, *usage_note;
} bill_json_extra;

struct textbuf;

/* bill_json_write: the bill's JSON document (as bill_to_json, without its
 * final newline), with x's members when x is not NULL, appended to w: the
 * one place a bill becomes text. The textbuf's error (GL_EBOUND past its cap)
 * is returned. */
gl_status bill_json_write(const bill *b, const bill_json_extra *x, struct textbuf *w);

/* bill_month_peaks: the peak demand (kW at scale 3) of each of the `max`
 * calendar months before the month of civil day `first_day`, from the
 * intervals u[0..n-1] (each interval's `demand_w`, else its energy / its
 * length), into history_w[0..max-1] as bill_options wants it (-1: no interval
 * in that month). Returns how many months back data reaches (0..max): the
 * value for bill_options.nhistory. */
int bill_month_peaks(const usage_interval *u, int n, int32_t first_day, int64_t *history_w, int max);

#endif
