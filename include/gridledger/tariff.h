/* tariff.h: electricity tariffs, parsed from the JSON of CONTRACT.md.
 *
 * A tariff set is one tariff file: one or more versions, each in force from
 * effective_from to effective_to (both inclusive, civil days). A version
 * holds the price components of docs/tariffs.md: rounding, a fixed charge
 * per month, an energy price (flat, or time of use with named periods and a
 * calendar of months x day types x quarter hours), tiers (monthly or yearly,
 * adders or rates), demand per kW or per kVA and per kW by demand period
 * (time-of-use demand, with its own calendar), a power-factor standard,
 * surcharges per kWh and a minimum charge per month.
 * Everything is fixed size (no pointers inside): a tariff_set can be copied,
 * kept in shared memory or compared with memcmp. Prices are int64 micro-yuan
 * (MONEY_SCALE_PRICE), energies Wh, amounts fen (gridledger/money.h).
 * tariff_parse allocates while parsing only (jsonv); the bill computation
 * (gridledger/bill.h) does not allocate. Pure: no I/O. */
#ifndef GRIDLEDGER_TARIFF_H
#define GRIDLEDGER_TARIFF_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/diag.h"
#include "gridledger/money.h"
#include "gridledger/status.h"

#define TARIFF_MAX_VERSIONS 8
#define TARIFF_MAX_PERIODS 8     /* TOU periods per version */
#define TARIFF_MAX_TIERS 6       /* so at most 5 bounds */
#define TARIFF_MAX_CALENDAR 24   /* calendar entries per version */
#define TARIFF_MAX_RANGES 24     /* hour ranges per calendar entry */
#define TARIFF_MAX_SURCHARGES 8
#define TARIFF_MAX_HOLIDAYS 128  /* per tariff set */
#define TARIFF_ID_MAX 48
#define TARIFF_NAME_MAX 24       /* period and surcharge names */
#define TARIFF_CURRENCY_MAX 8
#define TARIFF_SLOTS_PER_DAY 96  /* quarter hours */
#define TARIFF_NO_END INT32_MAX  /* effective_to of an open-ended version */
#define TARIFF_MAX_PRICE_MICRO 100000000000LL /* 100,000 yuan per unit */
#define TARIFF_MAX_ENERGY_WH 1000000000000LL  /* 1e9 kWh */

/* Day types of a TOU calendar; a holiday is a date of the holiday list. */
typedef enum tariff_daytype {
    TARIFF_WEEKDAY = 0,
    TARIFF_WEEKEND = 1,
    TARIFF_HOLIDAY = 2,
    TARIFF_DAYTYPES = 3
} tariff_daytype;

typedef enum tariff_tier_basis {
    TARIFF_TIER_NONE = 0,
    TARIFF_TIER_MONTH, /* bounds per month, prorated by days for a part month */
    TARIFF_TIER_YEAR,  /* bounds per tier year starting on day 1 of start_month */
} tariff_tier_basis;

typedef enum tariff_demand_basis {
    TARIFF_DEMAND_NONE = 0,
    TARIFF_DEMAND_KW,  /* per kW of maximum demand, per month */
    TARIFF_DEMAND_KVA, /* per kVA of capacity, per month */
} tariff_demand_basis;

/* What a fixed or minimum charge is per: a month (times the months of the
 * part), a day (times its days) or a year (a twelfth per month). */
typedef enum tariff_charge_unit {
    TARIFF_PER_MONTH = 0,
    TARIFF_PER_DAY,
    TARIFF_PER_YEAR,
} tariff_charge_unit;

typedef struct tariff_version {
    char id[TARIFF_ID_MAX];
    char currency[TARIFF_CURRENCY_MAX];
    int32_t from_day, to_day; /* civil days, inclusive; to_day may be TARIFF_NO_END */

    int64_t round_unit_fen;   /* 1 (0.01), 10 (0.1) or 100 (1 yuan) */
    money_rounding round_mode;
    int round_per_bill;       /* 0: each line rounded; 1: lines at fen, a "rounding" line */

    int64_t fixed_micro;      /* per fixed_unit (a month by default); 0 = none */
    int64_t minimum_micro;    /* minimum charge per minimum_unit; 0 = none */
    tariff_charge_unit fixed_unit, minimum_unit;

    int tou;                  /* 0: flat rate (one period "energy"); 1: time of use */
    int nperiods;
    char period_names[TARIFF_MAX_PERIODS][TARIFF_NAME_MAX];
    int64_t period_price_micro[TARIFF_MAX_PERIODS];
    /* TOU: period index of each quarter hour, by month (0..11) and day type */
    uint8_t period_map[12][TARIFF_DAYTYPES][TARIFF_SLOTS_PER_DAY];

    tariff_tier_basis tier_basis;
    int tier_start_month;     /* 1..12, yearly basis */
    int ntiers;               /* 1 when there are no tiers */
    int64_t tier_bounds_wh[TARIFF_MAX_TIERS - 1];
    int tier_rates;           /* 0: tier_micro are adders; 1: they replace the rate */
    int64_t tier_micro[TARIFF_MAX_TIERS];

    /* The tier ladder of each energy period, filled by tariff_parse for every
     * version: from `tiers` (one ladder, prices = period price + adder or the
     * tier rates) or from the periods' own ladders (period_ladders = 1, a
     * seasonal rate: each month uses one period). The bill reads only these. */
    int period_ladders;
    int period_ntiers[TARIFF_MAX_PERIODS];
    int64_t period_bounds_wh[TARIFF_MAX_PERIODS][TARIFF_MAX_TIERS - 1];
    int64_t period_tier_micro[TARIFF_MAX_PERIODS][TARIFF_MAX_TIERS];
    uint8_t period_daily[TARIFF_MAX_PERIODS]; /* 1: bounds per day ("kWh daily"), times the days billed */
    int tier_daily;           /* tiers.basis "day" (tier_basis is then TARIFF_TIER_MONTH) */
    /* 1: bounds in kWh per kW of the billing demand ("basis": "per_kw", URDB
     * "kWh/kW"), times the part's billing demand; monthly otherwise */
    uint8_t period_per_kw[TARIFF_MAX_PERIODS];
    int tier_per_kw;          /* tiers.basis "per_kw" (tier_basis is then TARIFF_TIER_MONTH) */
    /* energy.sell: the price per kWh of exported energy by energy period (net
     * billing: each kWh exported is credited at the sell price of its period) */
    int has_sell;
    int64_t sell_micro[TARIFF_MAX_PERIODS];

    tariff_demand_basis demand_basis;
    int64_t demand_micro;     /* per kW or kVA per month */
    int64_t kvar_micro;       /* per kVAR of the highest reactive demand, per month; 0 = none */
    int demand_by_month;      /* 1: per kW at demand_month_micro[calendar month] (per_kw is a list of 12) */
    int64_t demand_month_micro[12];
    /* flat demand tiers by calendar month (per_kw as {"bounds_kw", "rates"},
     * alone or in the list of 12; demand_by_month is then 1): the month's
     * billing demand split across the tiers, each part at its rate */
    int demand_month_ntiers[12];                          /* 1: no tiers */
    int64_t demand_month_bounds_w[12][TARIFF_MAX_TIERS - 1]; /* kW at scale 3 */
    int64_t demand_month_tier_micro[12][TARIFF_MAX_TIERS];
    /* demand ratchet (demand.ratchet): the billing demand is the higher of
     * the part's own peak and, for each of the ratchet_months months before
     * the bill's first month (only the calendar months in ratchet_month_mask
     * when not 0xfff), that month's peak x ratchet_pct_e3[its calendar month]
     * / 100,000 (percent at scale 3); ratchet_months 0 = none */
    int ratchet_months;
    unsigned ratchet_month_mask;
    int64_t ratchet_pct_e3[12];
    /* an annual minimum (annual_minimum): the bill whose period ends on 31
     * December gets a line making the year's bills up to it; 0 = none */
    int64_t annual_minimum_micro;
    /* the demand of a window of demand_window_min minutes (15, 30 or 60; 0:
     * each interval's own), clock-aligned blocks or rolling (ending at each
     * interval's end); the window's energy / its length */
    int demand_window_min;
    int demand_window_rolling;
    /* time-of-use demand: per kW of the highest demand within each demand
     * period, per month, besides any demand_basis charge; 0 periods = none */
    int ndemand_periods;
    char demand_period_names[TARIFF_MAX_PERIODS][TARIFF_NAME_MAX];
    int64_t demand_period_micro[TARIFF_MAX_PERIODS]; /* price per kW (tier 1's when tiered) */
    int demand_period_ntiers[TARIFF_MAX_PERIODS];    /* 1: no tiers */
    int64_t demand_tier_bounds_w[TARIFF_MAX_PERIODS][TARIFF_MAX_TIERS - 1]; /* kW at scale 3 */
    int64_t demand_tier_micro[TARIFF_MAX_PERIODS][TARIFF_MAX_TIERS];
    uint8_t demand_period_map[12][TARIFF_DAYTYPES][TARIFF_SLOTS_PER_DAY];

    int pf_standard;          /* 90, 85 or 80 (hundredths); 0 = no adjustment */

    int nsurcharges;
    char surcharge_names[TARIFF_MAX_SURCHARGES][TARIFF_NAME_MAX];
    int64_t surcharge_micro[TARIFF_MAX_SURCHARGES];
    unsigned surcharge_by_month; /* bit i: surcharge i is a list of 12 prices, surcharge_month_micro[i] */
    int64_t surcharge_month_micro[TARIFF_MAX_SURCHARGES][12];
} tariff_version;

typedef struct tariff_set {
    char id[TARIFF_ID_MAX];
    int nversions;            /* >= 1, sorted by from_day, not overlapping */
    tariff_version versions[TARIFF_MAX_VERSIONS];
    int nholidays;            /* sorted, unique */
    int32_t holidays[TARIFF_MAX_HOLIDAYS];
} tariff_set;

/* tariff_parse: validates the JSON text of a tariff file (`file` is the name
 * used in messages) and fills *out. Every problem is reported to d as
 * "FILE:LINE:COL: path: problem" (all of them, not only the first).
 * Returns GL_OK, GL_ESYNTAX (not JSON), GL_ECONFIG (invalid tariff),
 * GL_EBOUND or GL_ENOMEM. On failure *out holds a partial result: do not use it. */
gl_status tariff_parse(const char *file, const char *text, size_t len, diag *d, tariff_set *out);

/* tariff_find_version: index of the version in force on civil day `day`,
 * or -1 if none. */
int tariff_find_version(const tariff_set *ts, int32_t day);

/* tariff_is_holiday: 1 if day is in the set's holiday list. */
int tariff_is_holiday(const tariff_set *ts, int32_t day);

/* tariff_period_at: period index of version v at civil day `day`, quarter
 * hour `slot` (0..95), with `holiday` already decided by the caller. */
int tariff_period_at(const tariff_version *v, int32_t day, int slot, int holiday);

/* tariff_pf_adjust_bp: the adjustment of the 1983 功率因数调整电费办法
 * (水利电力部、国家物价局 (83)水电财字第215号), tables for the standards 0.90,
 * 0.85 and 0.80, in basis points (1/10000) of the charge: positive adds to
 * the bill, negative reduces it. pf_hundredths is the monthly power factor
 * to two decimals (0..100); standard is 90, 85 or 80. Returns GL_EINVAL for
 * another standard or pf outside 0..100. */
gl_status tariff_pf_adjust_bp(int standard, int pf_hundredths, int *out_bp);

/* tariff_pf_hundredths: the power factor P / sqrt(P^2 + Q^2) of active
 * energy p_wh and reactive energy q_varh (both >= 0), to two decimals with
 * ties up (the regulation's 四舍五入), computed exactly in integers.
 * p_wh = q_varh = 0 gives 100. */
int tariff_pf_hundredths(int64_t p_wh, int64_t q_varh);

#endif
