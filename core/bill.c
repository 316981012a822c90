/* bill.c: bills from tariffs and interval usage (see bill.h, docs/tariffs.md).
 *
 * The period is cut into parts, one per tariff version in force. Each
 * interval is walked quarter hour by quarter hour only when it must be
 * shared out (it spans a TOU boundary, a day with another version, or the
 * period's edge); its energy goes to (part, period) and is split across tier
 * bounds as it comes, so the interval that crosses a bound is split exactly
 * at the bound. Lines are then written part by part. No allocation. */
#include "gridledger/bill.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "gridledger/civdate.h"
#include "gridledger/textbuf.h"

#define MONTH_LCM 377580LL     /* lcm(28, 29, 30, 31): months as an exact fraction of days */
#define NANO_PER_FEN 10000000LL /* amounts: 1e-9 yuan -> 0.01 yuan */
#define MAX_SPAN_MIN ((int64_t)(BILL_MAX_DAYS + 31) * CIVDATE_MINUTES_PER_DAY)

typedef struct part {
    const tariff_version *v;
    int32_t from_day, to_day;
    int64_t month_num; /* length in months = month_num / MONTH_LCM */
    int own_counter;   /* 1: tier bounds prorated for this part, counted from 0 */
    int64_t counter_wh;
    int64_t bounds_wh[TARIFF_MAX_PERIODS][TARIFF_MAX_TIERS - 1]; /* each period's ladder, prorated */
    int64_t energy_wh[TARIFF_MAX_PERIODS][TARIFF_MAX_TIERS];
    uint8_t estimated[TARIFF_MAX_PERIODS];
    int64_t total_wh;
    int64_t max_demand_w;
    int64_t billing_w;  /* the billing demand: the own peak (or register), raised by a ratchet */
    int64_t ratchet_w;  /* the ratchet's demand from earlier months (0: none) */
    /* by calendar month (0..11), for prices that change by month: the part's
     * length in months (over MONTH_LCM), its energy and its highest demand */
    int64_t month_num_m[12], wh_m[12], max_w_m[12];
    int64_t max_var;   /* highest reactive demand of an interval (kvar at scale 3) */
    int64_t export_wh[TARIFF_MAX_PERIODS]; /* energy exported, by energy period */
    uint8_t export_est[TARIFF_MAX_PERIODS];
    int64_t tou_demand_w[TARIFF_MAX_PERIODS]; /* highest demand within each demand period */
    /* the tier each period's energy goes to while the counter stays at or
     * below fast_limit (the nearest bound above it), set by add_energy */
    uint8_t fast_tier[TARIFF_MAX_PERIODS];
    int64_t fast_limit;
    int64_t *ctr;      /* the tier position counted: counter_wh or the bill's (set in make_parts) */
    int tou_demand;    /* the version has demand periods */
    int windowed;      /* demand over windows: noted by window_demands, not per interval */
    unsigned tou_seen;                        /* demand periods with an interval in this part */
} part;

typedef struct calc {
    const tariff_set *ts;
    const bill_options *opt;
    bill *b;
    int nparts;
    part parts[TARIFF_MAX_VERSIONS];
    int64_t counter_wh; /* tier position across the bill (carried) */
    int64_t epoch;      /* tier month or year of the last energy counted */
    int have_epoch;
    int64_t reactive_varh;
    int has_reactive;
    /* the day last looked up */
    int32_t day;
    int day_part, day_month, day_daytype;
    int64_t day_epoch;
    int64_t day_min0;          /* the day's first minute */
    part *fast_part;           /* add_energy's tier cache is valid for this part (NULL: not valid) */
    int64_t prev_end;          /* where the last interval checked ends (UTC minutes) */
    const uint8_t *day_map;    /* the energy period of each quarter hour of the day */
    int day_mday;              /* the day's day of the month, 1..31 */
    /* the span map: the energy period of each quarter hour of the days
     * span_from..span_to (one calendar month, one part: one tier epoch),
     * built once per part and month by build_span for walk_plain */
    int32_t span_from, span_to;
    int64_t span_min0;         /* span_from's first minute */
    uint8_t span_map[31 * TARIFF_SLOTS_PER_DAY];
} calc;

/* bprintf: snprintf that truncates silently (descriptions and codes are bounded). */
static void bprintf(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void bprintf(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

/* cat_text: the strings up to the NULL one after another into out[cap],
 * truncated (as bprintf "%s%s...", without the printf: descriptions are
 * written for every bill). */
static void cat_text(char *out, size_t cap, ...)
{
    va_list ap;
    size_t n = 0;
    va_start(ap, cap);
    for (const char *s = va_arg(ap, const char *); s != NULL; s = va_arg(ap, const char *))
        for (; *s && n + 1 < cap; s++)
            out[n++] = *s;
    va_end(ap);
    out[n] = '\0';
}

/* int_text: v in decimal (at least `width` digits, zero-padded) in buf; returns buf. */
static const char *int_text(int64_t v, int width, char buf[static 24])
{
    char tmp[24];
    int n = 0, neg = v < 0;
    uint64_t a = neg ? 0 - (uint64_t)v : (uint64_t)v;
    do
        tmp[n++] = (char)('0' + a % 10);
    while ((a /= 10) != 0);
    while (n < width)
        tmp[n++] = '0';
    int k = 0;
    if (neg)
        buf[k++] = '-';
    while (n > 0)
        buf[k++] = tmp[--n];
    buf[k] = '\0';
    return buf;
}

/* copy_text: s into out[cap], truncated (as bprintf "%s", without the printf). */
static void copy_text(char *out, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

static void set_error(bill *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_error(bill *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->error, sizeof b->error, fmt, ap);
    va_end(ap);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void bill_options_init(bill_options *o)
{
    memset(o, 0, sizeof *o);
    o->from_day = BILL_DAY_AUTO;
    o->to_day = BILL_DAY_AUTO;
    o->demand_w = -1;
    o->capacity_va = -1;
    o->reactive_varh = -1;
}

/* Interval i on quarter hours, in range (unsigned compares: a value below
 * its minimum wraps above the maximum), after *prev_end (then its end). */
static gl_status check_interval(const usage_interval *u, int i, int64_t *prev_end, bill *b)
{
    const uint64_t max = TARIFF_MAX_ENERGY_WH;
    const usage_interval *x = &u[i];
    {
        if (x->start_min % 15 != 0 ||
            (x->len_min != 15 && (x->len_min <= 0 || x->len_min % 15 != 0 || x->len_min > MAX_SPAN_MIN))) {
            set_error(b, "usage interval %d: not on quarter hours", i + 1);
            return GL_EINVAL;
        }
        if ((uint64_t)x->energy_wh > max || (uint64_t)x->reactive_varh + 1 > max + 1 ||
            (uint64_t)x->demand_w + 1 > max + 1) {
            set_error(b, "usage interval %d: energy or demand out of range", i + 1);
            return GL_EINVAL;
        }
        int64_t start = x->start_min - x->utc_offset_min;
        if (start < *prev_end) {
            set_error(b, "usage interval %d: starts before the one before it ends", i + 1);
            return GL_EINVAL;
        }
        *prev_end = start + x->len_min;
    }
    return GL_OK;
}

/* Every interval valid; the first that is not is named. */
static gl_status check_usage(const usage_interval *u, int n, bill *b)
{
    int64_t prev_end = INT64_MIN;
    gl_status st = GL_OK;
    for (int i = 0; i < n && st == GL_OK; i++)
        st = check_interval(u, i, &prev_end, b);
    return st;
}

/* The period and its parts, from the first and last intervals. The usage is
 * checked interval by interval as it is walked, so here only what the period
 * is taken from; any refusal is preceded by the usage's own (as if the whole
 * usage had been checked first). */
static gl_status set_period(calc *c, const usage_interval *u, int n);
static gl_status make_parts(calc *c);

static gl_status start_bill(calc *c, const usage_interval *u, int n)
{
    int64_t a = INT64_MIN, z = INT64_MIN;
    gl_status st = GL_OK;
    if (n > 0 && (check_interval(u, 0, &a, c->b) != GL_OK || check_interval(u, n - 1, &z, c->b) != GL_OK))
        return check_usage(u, n, c->b);
    if ((st = set_period(c, u, n)) == GL_OK)
        st = make_parts(c);
    if (st != GL_OK && check_usage(u, n, c->b) != GL_OK)
        return GL_EINVAL;
    return st;
}

static gl_status set_period(calc *c, const usage_interval *u, int n)
{
    bill *b = c->b;
    if ((c->opt->from_day == BILL_DAY_AUTO || c->opt->to_day == BILL_DAY_AUTO) && n == 0) {
        set_error(b, "no usage and no period: give the period");
        return GL_ERANGE;
    }
    b->from_day = c->opt->from_day != BILL_DAY_AUTO ? c->opt->from_day
                                                    : (int32_t)floor_div(u[0].start_min, CIVDATE_MINUTES_PER_DAY);
    b->to_day = c->opt->to_day != BILL_DAY_AUTO
                    ? c->opt->to_day
                    : (int32_t)floor_div(u[n - 1].start_min + u[n - 1].len_min - 1, CIVDATE_MINUTES_PER_DAY);
    if (b->to_day < b->from_day || (int64_t)b->to_day - b->from_day + 1 > BILL_MAX_DAYS) {
        set_error(b, "the period must be 1..%d days", BILL_MAX_DAYS);
        return GL_ERANGE;
    }
    return GL_OK;
}

/* Period per's tier bounds in part p: monthly ones prorated by the part's
 * share of months when it counts its own position; daily ones ("kWh daily")
 * times the part's days, or the days of its month when a position is given. */
static gl_status part_bounds(part *p, int per)
{
    const tariff_version *v = p->v;
    int y, m, d;
    civdate_to_ymd(p->from_day, &y, &m, &d);
    int64_t days = p->own_counter ? (int64_t)p->to_day - p->from_day + 1 : civdate_days_in_month(y, m);
    for (int t = 0; t + 1 < v->period_ntiers[per]; t++) {
        int64_t b = v->period_bounds_wh[per][t];
        if (v->period_per_kw[per] &&
            money_muldiv_round(b, p->billing_w, 1000, MONEY_HALF_UP, &b) != GL_OK) /* kWh/kW x kW */
            return GL_EOVERFLOW;
        if (v->period_daily[per]) {
            if (b > INT64_MAX / 400)
                return GL_EOVERFLOW;
            p->bounds_wh[per][t] = b * days;
        } else if (!p->own_counter) {
            p->bounds_wh[per][t] = b;
        } else if (money_muldiv_round(b, p->month_num, MONTH_LCM, MONEY_HALF_UP, &p->bounds_wh[per][t]) != GL_OK) {
            return GL_EOVERFLOW;
        }
    }
    return GL_OK;
}

/* One part per version in force; tier bounds of a part prorated by days
 * when the tiers are monthly and no position was given. */
static gl_status make_parts(calc *c)
{
    bill *b = c->b;
    int last = -1;
    for (int32_t d = b->from_day; d <= b->to_day; d++) {
        int vi = tariff_find_version(c->ts, d);
        char date[CIVDATE_FMT_MAX];
        if (vi < 0) {
            civdate_format(d, date, sizeof date);
            set_error(b, "no version of tariff %s is in force on %s", c->ts->id, date);
            return GL_ENOTFOUND;
        }
        if (vi != last) {
            part *p = &c->parts[c->nparts++];
            memset(p, 0, sizeof *p);
            p->v = &c->ts->versions[vi];
            p->from_day = d;
            last = vi;
        }
        part *p = &c->parts[c->nparts - 1];
        int y, m, dd;
        civdate_to_ymd(d, &y, &m, &dd);
        p->to_day = d;
        p->month_num += MONTH_LCM / civdate_days_in_month(y, m);
        p->month_num_m[m - 1] += MONTH_LCM / civdate_days_in_month(y, m);
    }
    for (int i = 0; i < c->nparts; i++) {
        part *p = &c->parts[i];
        p->own_counter = p->v->tier_basis == TARIFF_TIER_MONTH && !c->opt->has_position;
        p->ctr = p->own_counter ? &p->counter_wh : &c->counter_wh;
        p->tou_demand = p->v->ndemand_periods > 0;
        p->windowed = p->v->demand_window_min > 0;
        for (int per = 0; per < p->v->nperiods; per++)
            if (part_bounds(p, per) != GL_OK)
                return GL_EOVERFLOW;
    }
    b->nparts = c->nparts;
    c->counter_wh = c->opt->has_position ? c->opt->position_wh : 0;
    return GL_OK;
}

static int is_holiday(const calc *c, int32_t day)
{
    if (tariff_is_holiday(c->ts, day))
        return 1;
    for (int i = 0; i < c->opt->nholidays; i++)
        if (c->opt->holidays[i] == day)
            return 1;
    return 0;
}

/* The period map of a flat rate's day: period 0 all day. */
static const uint8_t flat_map[TARIFF_SLOTS_PER_DAY];

/* The day type of day (weekday wd, 0 = Monday, civdate.h): holiday, weekend or weekday. */
static int day_type(const calc *c, int32_t day, int wd)
{
    return is_holiday(c, day) ? TARIFF_HOLIDAY : wd >= CIVDATE_SATURDAY ? TARIFF_WEEKEND : TARIFF_WEEKDAY;
}

/* The energy period map of a day of version v in month m (0..11) of type dt. */
static const uint8_t *day_period_map(const tariff_version *v, int m, int dt)
{
    return v->tou ? v->period_map[m][dt] : flat_map;
}

/* Looks day up once: its part, month, day type and tier epoch. */
static void look_up_day(calc *c, int32_t day)
{
    if (day == c->day)
        return;
    c->day = day;
    int y, m, dd;
    civdate_to_ymd(day, &y, &m, &dd);
    c->day_part = 0;
    while (c->day_part + 1 < c->nparts && day > c->parts[c->day_part].to_day)
        c->day_part++;
    const tariff_version *v = c->parts[c->day_part].v;
    c->day_month = m - 1;
    c->day_mday = dd;
    c->day_daytype = day_type(c, day, civdate_weekday(day));
    c->day_min0 = (int64_t)day * CIVDATE_MINUTES_PER_DAY;
    c->fast_part = NULL; /* a new day may begin a new tier month or year, or another part */
    c->day_map = day_period_map(v, c->day_month, c->day_daytype);
    if (v->tier_basis == TARIFF_TIER_YEAR)
        c->day_epoch = m >= v->tier_start_month ? y : y - 1;
    else
        c->day_epoch = (int64_t)y * 12 + m - 1;
}

static int period_of(const calc *c, int slot)
{
    const tariff_version *v = c->parts[c->day_part].v;
    return v->tou ? v->period_map[c->day_month][c->day_daytype][slot] : 0;
}

/* The tier of every period of p at tier position ctr, and the position up
 * to which they hold: add_energy_fast then counts energy with one addition. */
static void cache_tiers(calc *c, part *p, int64_t ctr)
{
    p->fast_limit = INT64_MAX;
    for (int per = 0; per < p->v->nperiods; per++) {
        int t = 0, nt = p->v->period_ntiers[per];
        while (t + 1 < nt && ctr >= p->bounds_wh[per][t])
            t++;
        p->fast_tier[per] = (uint8_t)t;
        if (t + 1 < nt && p->bounds_wh[per][t] < p->fast_limit)
            p->fast_limit = p->bounds_wh[per][t];
    }
    c->fast_part = p;
}

/* Counts e Wh of period `per` in part p, tier by tier: the share below a
 * bound goes to the lower tier, the rest to the next. */
static void add_energy(calc *c, part *p, int per, int64_t e, int estimated)
{
    if (c->have_epoch && c->day_epoch != c->epoch)
        c->counter_wh = 0; /* a new tier month or year begins */
    c->epoch = c->day_epoch;
    c->have_epoch = 1;
    int64_t *ctr = p->own_counter ? &p->counter_wh : &c->counter_wh;
    int nt = p->v->period_ntiers[per];
    const int64_t *bounds = p->bounds_wh[per];
    if (p->own_counter)
        c->counter_wh += e;
    p->total_wh += e;
    p->wh_m[c->day_month] += e;
    p->estimated[per] |= (uint8_t)(estimated != 0);
    while (e > 0) {
        int t = 0;
        while (t + 1 < nt && *ctr >= bounds[t])
            t++;
        int64_t take = e;
        if (t + 1 < nt && bounds[t] - *ctr < take)
            take = bounds[t] - *ctr;
        p->energy_wh[per][t] += take;
        *ctr += take;
        e -= take;
    }
    cache_tiers(c, p, *ctr);
}

/* The key of a quarter hour: its part and period, or -1 outside the period. */
static int slot_key(calc *c, int64_t t_min)
{
    int32_t day = (int32_t)floor_div(t_min, CIVDATE_MINUTES_PER_DAY);
    if (day < c->b->from_day || day > c->b->to_day)
        return -1;
    look_up_day(c, day);
    return c->day_part * TARIFF_MAX_PERIODS +
           period_of(c, (int)((t_min - (int64_t)day * CIVDATE_MINUTES_PER_DAY) / 15));
}

/* The interval's demand counts toward the part's maximum and toward the
 * maximum of each demand period its quarter hours slot0..slot0+n-1 of the
 * day looked up fall in. */
static void note_power(const calc *c, part *p, int64_t w, int slot0, int n)
{
    if (w > p->max_demand_w)
        p->max_demand_w = w;
    if (w > p->max_w_m[c->day_month])
        p->max_w_m[c->day_month] = w;
    if (!p->tou_demand)
        return;
    const uint8_t *map = p->v->demand_period_map[c->day_month][c->day_daytype];
    for (int s = slot0; s < slot0 + n && s < TARIFF_SLOTS_PER_DAY; s++) {
        p->tou_seen |= 1u << map[s];
        if (w > p->tou_demand_w[map[s]])
            p->tou_demand_w[map[s]] = w;
    }
}

static void note_demand(const calc *c, const usage_interval *x, part *p, int slot0, int n)
{
    int64_t var = x->reactive_varh * 60 / x->len_min; /* -1 (not measured) gives 0 or less */
    if (var > p->max_var)
        p->max_var = var;
    if (p->windowed)
        return;
    note_power(c, p,
               x->demand_w >= 0 ? x->demand_w : x->len_min == 15 ? x->energy_wh * 4 : x->energy_wh * 60 / x->len_min,
               slot0, n);
}

/* The quarter hour of its day that minute t_min starts. */
static int slot_of(int64_t t_min)
{
    return (int)((t_min - floor_div(t_min, CIVDATE_MINUTES_PER_DAY) * CIVDATE_MINUTES_PER_DAY) / 15);
}

/* The usual interval, one quarter hour: it lies in one day, part and period,
 * looked up from the day's cached period map (no search, no division by a
 * variable). A quarter hour outside the billed period is not billed. */
static void walk_quarter(calc *c, const usage_interval *x)
{
    uint64_t rel = (uint64_t)x->start_min - (uint64_t)c->day_min0; /* below the day wraps above it */
    if (rel >= CIVDATE_MINUTES_PER_DAY) {
        int32_t day = (int32_t)floor_div(x->start_min, CIVDATE_MINUTES_PER_DAY);
        if (day < c->b->from_day || day > c->b->to_day)
            return;
        look_up_day(c, day);
        rel = (uint64_t)x->start_min - (uint64_t)c->day_min0;
    }
    part *p = &c->parts[c->day_part];
    int slot = (int)((unsigned)rel / 15u), per = c->day_map[slot];
    add_energy(c, p, per, x->energy_wh, x->flags & USAGE_ESTIMATED);
    if (x->reactive_varh >= 0) {
        c->reactive_varh += x->reactive_varh;
        c->has_reactive = 1;
    }
    note_demand(c, x, p, slot, 1);
}

/* A run of quarter hours within the day looked up last (the usual data: a
 * reading every 15 minutes), counted in locals and written to the part once:
 * the period of each from the day's map, the energy to the tier add_energy
 * cached for each period. The run ends at another day, an interval of
 * another length or the nearest tier bound (add_energy takes that one).
 * Returns how many intervals it took; 0 when there is no valid cache. */
static int walk_run(calc *c, const usage_interval *u, int n)
{
    part *p = c->fast_part;
    if (p == NULL || p != &c->parts[c->day_part] || p->tou_demand || p->windowed)
        return 0;
    const uint8_t *map = c->day_map;
    const uint64_t day0 = (uint64_t)c->day_min0;
    const int64_t limit = p->fast_limit, ctr0 = *p->ctr;
    const uint64_t max = TARIFF_MAX_ENERGY_WH;
    int64_t acc[TARIFF_MAX_PERIODS] = {0}, ctr = ctr0, maxw = 0, q = 0, maxq = 0, prev_end = c->prev_end;
    unsigned est = 0;
    int has_q = 0, i = 0;
    for (; i < n; i++) {
        const usage_interval *x = &u[i];
        uint64_t rel = (uint64_t)x->start_min - day0; /* before the day wraps above it */
        unsigned slot = (unsigned)rel / 15u;
        int64_t e = x->energy_wh, start = x->start_min - x->utc_offset_min;
        /* anything else (and anything check_interval would refuse) is left to the caller */
        /* e <= max, kvarh and kW -1..max - 1 (the OR of the three is at least each of them) */
        uint64_t range = (uint64_t)e | ((uint64_t)x->reactive_varh + 1) | ((uint64_t)x->demand_w + 1);
        if (x->len_min != 15 || rel >= CIVDATE_MINUTES_PER_DAY || slot * 15u != rel || range > max ||
            start < prev_end || ctr + e > limit)
            break;
        prev_end = start + 15;
        int per = map[slot];
        acc[per] += e;
        ctr += e;
        int64_t w = x->demand_w >= 0 ? x->demand_w : e * 4;
        maxw = w > maxw ? w : maxw;
        if (x->reactive_varh >= 0) {
            q += x->reactive_varh;
            has_q = 1;
            maxq = x->reactive_varh > maxq ? x->reactive_varh : maxq;
        }
        est |= (x->flags & USAGE_ESTIMATED) << per; /* USAGE_ESTIMATED is bit 0 */
    }
    *p->ctr = ctr;
    if (p->own_counter)
        c->counter_wh += ctr - ctr0;
    p->total_wh += ctr - ctr0;
    p->wh_m[c->day_month] += ctr - ctr0;
    p->max_demand_w = maxw > p->max_demand_w ? maxw : p->max_demand_w;
    p->max_w_m[c->day_month] = maxw > p->max_w_m[c->day_month] ? maxw : p->max_w_m[c->day_month];
    for (int per = 0; per < p->v->nperiods; per++) {
        p->energy_wh[per][p->fast_tier[per]] += acc[per];
        p->estimated[per] |= (uint8_t)((est >> per) & 1u);
    }
    c->reactive_varh += q;
    c->has_reactive |= has_q;
    p->max_var = maxq * 4 > p->max_var ? maxq * 4 : p->max_var;
    c->prev_end = prev_end;
    return i;
}

/* The span map from the day looked up to the end of its month or its part,
 * whichever comes first: each day's period map copied once. */
static void build_span(calc *c)
{
    const part *p = &c->parts[c->day_part];
    int y, m, d;
    civdate_to_ymd(c->day, &y, &m, &d);
    int32_t last = c->day + (civdate_days_in_month(y, m) - c->day_mday);
    if (last > p->to_day)
        last = p->to_day;
    int wd = civdate_weekday(c->day);
    for (int32_t day = c->day; day <= last; day++, wd = wd == 6 ? 0 : wd + 1)
        memcpy(c->span_map + (size_t)(day - c->day) * TARIFF_SLOTS_PER_DAY,
               day_period_map(p->v, c->day_month, day_type(c, day, wd)), TARIFF_SLOTS_PER_DAY);
    c->span_from = c->day;
    c->span_to = last;
    c->span_min0 = c->day_min0;
}

_Static_assert(offsetof(usage_interval, utc_offset_min) == offsetof(usage_interval, len_min) + sizeof(int32_t),
               "len_min and utc_offset_min are compared as one 64-bit word");

/* walk_plain's loop: u[0..end-1] while each is bare and starts where the
 * one before ended (at the same UTC offset as u[0]), and their energy adds
 * up to at most room; each one's energy into acc[its period in map], the
 * highest into *maxe, the energy counted into *used. Returns how many. Kept
 * apart from the bill so that its few values stay in registers. */
static __attribute__((noinline)) int plain_sums(const usage_interval *u, int end, const uint8_t *map, uint64_t room,
                                                int64_t *acc, int64_t *maxe, int64_t *used)
{
    int64_t len_off, t = u->start_min, top = 0;
    uint64_t left = room;
    memcpy(&len_off, &u->len_min, sizeof len_off);
    int i = 0;
    for (; i < end; i++, t += 15) {
        const usage_interval *x = &u[i];
        int64_t lo;
        uint64_t e = (uint64_t)x->energy_wh; /* below 0 wraps above room */
        memcpy(&lo, &x->len_min, sizeof lo);
        if (((x->start_min ^ t) | (lo ^ len_off)) != 0 || (~(x->reactive_varh & x->demand_w) | x->flags) != 0 ||
            e > left)
            break;
        left -= e;
        acc[map[i]] += (int64_t)e;
        top = (int64_t)e > top ? (int64_t)e : top;
    }
    *maxe = top;
    *used = (int64_t)(room - left);
    return i;
}

/* The bare interval (the usual data): energy only (no kvarh, no kW column),
 * 15 minutes, not estimated. A run of them, each starting where the one
 * before ended at the same UTC offset, within the span map (across days)
 * and below the nearest tier bound, is counted in locals with one check of
 * its fields each: the contiguous start stands for the checks of quarter
 * hours and order, kvarh and kW of -1 for their ranges, and the run's
 * energy capped at TARIFF_MAX_ENERGY_WH for each interval's (a run that
 * reaches the cap ends, and the interval goes the checked way). The first
 * of the run must also start on a quarter hour of the span and after the
 * interval before it. Returns how many intervals it took. */
static int walk_plain(calc *c, const usage_interval *u, int n)
{
    part *p = c->fast_part;
    if (n == 0 || p == NULL || p != &c->parts[c->day_part] || p->tou_demand || p->windowed || u->len_min != 15)
        return 0;
    if (c->day < c->span_from || c->day > c->span_to)
        build_span(c);
    const uint64_t rel = (uint64_t)u->start_min - (uint64_t)c->span_min0; /* before the span wraps above it */
    const uint64_t span_min = (uint64_t)(c->span_to - c->span_from + 1) * CIVDATE_MINUTES_PER_DAY;
    if (rel >= span_min || rel % 15 != 0 || u->start_min - u->utc_offset_min < c->prev_end)
        return 0;
    const int64_t ctr0 = *p->ctr;
    uint64_t room = (uint64_t)p->fast_limit - (uint64_t)ctr0; /* the cache holds ctr0 < fast_limit */
    if (room > TARIFF_MAX_ENERGY_WH)
        room = TARIFF_MAX_ENERGY_WH;
    int64_t acc[TARIFF_MAX_PERIODS] = {0}, maxe, used;
    int end = (uint64_t)n < (span_min - rel) / 15 ? n : (int)((span_min - rel) / 15);
    int i = plain_sums(u, end, c->span_map + rel / 15, room, acc, &maxe, &used);
    if (i == 0)
        return 0;
    *p->ctr = ctr0 + used;
    if (p->own_counter)
        c->counter_wh += used;
    p->total_wh += used;
    p->wh_m[c->day_month] += used;
    p->max_demand_w = maxe * 4 > p->max_demand_w ? maxe * 4 : p->max_demand_w;
    p->max_w_m[c->day_month] = maxe * 4 > p->max_w_m[c->day_month] ? maxe * 4 : p->max_w_m[c->day_month];
    for (int per = 0; per < p->v->nperiods; per++)
        p->energy_wh[per][p->fast_tier[per]] += acc[per];
    c->prev_end = u->start_min + 15 * (int64_t)i - u->utc_offset_min;
    return i;
}

/* An interval's demand x its minutes (W x min): from the meter's demand when
 * given, else its energy x 60. A window's demand is the sum over its
 * intervals / the window's minutes. */
static int64_t power_minutes(const usage_interval *x)
{
    return x->demand_w >= 0 ? x->demand_w * x->len_min : x->energy_wh * 60;
}

/* Demand by windows for the parts that ask for it (demand.window_min):
 * block windows start on the clock (:00, :15, :30, :45 as the length
 * allows) and count toward the demand periods of their quarter hours;
 * a rolling window ends at each interval's end and counts toward the
 * interval's. An interval at least as long as the window is its own. */
static void window_demands(calc *c, const usage_interval *u, int n)
{
    int64_t sum = 0, key = INT64_MIN;
    part *bp = NULL;
    int any = 0;
    for (int i = 0; i < c->nparts; i++)
        any |= c->parts[i].windowed;
    if (!any)
        return;
    for (int i = 0; i <= n; i++) {
        const usage_interval *x = i < n ? &u[i] : NULL;
        part *p = NULL;
        int W = 0;
        if (x != NULL) {
            int32_t day = (int32_t)floor_div(x->start_min, CIVDATE_MINUTES_PER_DAY);
            if (day >= c->b->from_day && day <= c->b->to_day) {
                look_up_day(c, day);
                p = &c->parts[c->day_part];
                W = p->v->demand_window_min;
            }
        }
        int64_t k = p != NULL && p->windowed && !p->v->demand_window_rolling && x->len_min < W
                        ? floor_div(x->start_min, W) : INT64_MIN;
        if (bp != NULL && k != key) { /* the block before ends */
            int bw = bp->v->demand_window_min;
            look_up_day(c, (int32_t)floor_div(key * bw, CIVDATE_MINUTES_PER_DAY));
            note_power(c, bp, sum / bw, slot_of(key * bw), bw / 15);
            bp = NULL;
        }
        if (p == NULL || !p->windowed)
            continue;
        look_up_day(c, (int32_t)floor_div(x->start_min, CIVDATE_MINUTES_PER_DAY));
        if (x->len_min >= W) {
            note_power(c, p, power_minutes(x) / x->len_min, slot_of(x->start_min), x->len_min / 15);
        } else if (k != INT64_MIN) {
            sum = bp == NULL ? power_minutes(x) : sum + power_minutes(x);
            bp = p;
            key = k;
        } else {
            int64_t end = x->start_min + x->len_min, s = 0;
            for (int j = i; j >= 0 && u[j].start_min >= end - W; j--)
                s += power_minutes(&u[j]);
            note_power(c, p, s / W, slot_of(x->start_min), x->len_min / 15);
        }
    }
}

/* Shares one interval's energy over its quarter hours by time: groups of
 * consecutive quarter hours with the same day, part and period. */
static void walk_interval(calc *c, const usage_interval *x)
{
    if (x->len_min == 15) {
        walk_quarter(c, x);
        return;
    }
    int nslots = x->len_min / 15;
    int first = slot_key(c, x->start_min), split = 0;
    int32_t first_day = c->day;
    for (int k = 1; k < nslots && !split; k++)
        split = slot_key(c, x->start_min + 15 * k) != first;
    int estimated = split || (x->flags & USAGE_ESTIMATED);
    if (!split && first >= 0 && c->day == first_day) { /* the usual case: one day, one part, one period */
        part *p = &c->parts[first / TARIFF_MAX_PERIODS];
        add_energy(c, p, first % TARIFF_MAX_PERIODS, x->energy_wh, estimated);
        if (x->reactive_varh >= 0) {
            c->reactive_varh += x->reactive_varh;
            c->has_reactive = 1;
        }
        note_demand(c, x, p, slot_of(x->start_min), nslots);
        return;
    }
    int k0 = 0;
    while (k0 < nslots) {
        int key = slot_key(c, x->start_min + 15 * k0);
        int32_t day = c->day;
        int k1 = k0 + 1;
        while (k1 < nslots && slot_key(c, x->start_min + 15 * k1) == key && c->day == day)
            k1++;
        if (key >= 0) {
            slot_key(c, x->start_min + 15 * k0); /* back to the group's day */
            part *p = &c->parts[key / TARIFF_MAX_PERIODS];
            int64_t e = x->energy_wh * k1 / nslots - x->energy_wh * k0 / nslots;
            add_energy(c, p, key % TARIFF_MAX_PERIODS, e, estimated);
            if (x->reactive_varh >= 0) {
                c->reactive_varh += x->reactive_varh * k1 / nslots - x->reactive_varh * k0 / nslots;
                c->has_reactive = 1;
            }
            note_demand(c, x, p, slot_of(x->start_min + 15 * k0), k1 - k0);
        }
        k0 = k1;
    }
}

static gl_status add_line(calc *c, const tariff_version *v, const char *code, const char *desc, int64_t qty,
                          int qscale, const char *unit, int64_t rate, int rscale, int64_t nano, int estimated)
{
    bill *b = c->b;
    if (b->nlines >= BILL_MAX_LINES) {
        set_error(b, "more than %d bill lines", BILL_MAX_LINES);
        return GL_EBOUND;
    }
    bill_line *l = &b->lines[b->nlines];
    memset(l, 0, sizeof *l);
    copy_text(l->code, sizeof l->code, code);
    copy_text(l->description, sizeof l->description, desc);
    copy_text(l->unit, sizeof l->unit, unit);
    l->quantity = qty;
    l->quantity_scale = qscale;
    l->rate = rate;
    l->rate_scale = rscale;
    l->amount_nano = nano;
    l->estimated = estimated;
    gl_status st;
    if (v->round_per_bill) {
        st = money_div_round(nano, NANO_PER_FEN, MONEY_HALF_UP, &l->amount_fen);
    } else {
        int64_t q;
        st = money_div_round(nano, NANO_PER_FEN * v->round_unit_fen, v->round_mode, &q);
        l->amount_fen = q * v->round_unit_fen;
    }
    if (st != GL_OK)
        return st;
    b->estimated |= estimated;
    b->nlines++;
    return GL_OK;
}

static void fmt_dec(int64_t v, int scale, char *buf, size_t cap)
{
    if (money_format_trim(v, scale, 0, buf, cap) != GL_OK)
        copy_text(buf, cap, "?");
}

static void code_of(const calc *c, const part *p, const char *base, char *out, size_t cap)
{
    char date[CIVDATE_FMT_MAX] = "";
    if (c->nparts == 1) {
        copy_text(out, cap, base);
        return;
    }
    civdate_format(p->v->from_day, date, sizeof date);
    cat_text(out, cap, base, "@", date, NULL);
}

static void tier_text(const part *p, int per, int t, char *out, size_t cap)
{
    char a[MONEY_FMT_MAX], z[MONEY_FMT_MAX], basis[64], n1[24], n2[24];
    const tariff_version *v = p->v;
    const int64_t *bounds = p->bounds_wh[per];
    int nt = v->period_ntiers[per];
    if (v->period_per_kw[per]) {
        fmt_dec(p->billing_w, 3, z, sizeof z);
        cat_text(basis, sizeof basis, p->own_counter ? "in this period: per kW x " : "a month: per kW x ", z, " kW",
                 NULL);
    } else if (p->own_counter)
        copy_text(basis, sizeof basis, v->period_daily[per] ? "in this period, a day's x its days" : "in this period");
    else if (v->tier_basis == TARIFF_TIER_MONTH)
        copy_text(basis, sizeof basis, "a month");
    else
        cat_text(basis, sizeof basis, "a year from month ", int_text(v->tier_start_month, 1, n1), NULL);
    int_text(t + 1, 1, n1);
    int_text(nt, 1, n2);
    if (t == 0) {
        fmt_dec(bounds[0], 3, z, sizeof z);
        cat_text(out, cap, ", tier 1 of ", n2, " (up to ", z, " kWh ", basis, ")", NULL);
    } else if (t + 1 < nt) {
        fmt_dec(bounds[t - 1], 3, a, sizeof a);
        fmt_dec(bounds[t], 3, z, sizeof z);
        cat_text(out, cap, ", tier ", n1, " of ", n2, " (", a, " to ", z, " kWh ", basis, ")", NULL);
    } else {
        fmt_dec(bounds[t - 1], 3, a, sizeof a);
        cat_text(out, cap, ", tier ", n1, " of ", n2, " (above ", a, " kWh ", basis, ")", NULL);
    }
}

static gl_status energy_line(calc *c, const part *p, int per, int t)
{
    const tariff_version *v = p->v;
    char base[BILL_CODE_MAX], code[BILL_CODE_MAX], desc[BILL_DESC_MAX], tier[128] = "", n[24];
    int64_t rate = v->period_tier_micro[per][t];
    int64_t wh = p->energy_wh[per][t], nano;
    if (money_mul_round(wh, rate, 0, MONEY_HALF_UP, &nano) != GL_OK)
        return GL_EOVERFLOW;
    int tiered = v->period_ntiers[per] > 1;
    cat_text(base, sizeof base, "energy", v->tou ? "." : "", v->tou ? v->period_names[per] : "", tiered ? ".t" : "",
             tiered ? int_text(t + 1, 1, n) : "", NULL);
    if (tiered)
        tier_text(p, per, t, tier, sizeof tier);
    code_of(c, p, base, code, sizeof code);
    cat_text(desc, sizeof desc, v->tou ? v->period_names[per] : "", v->tou ? " energy" : "energy", tier,
             p->estimated[per] ? ", estimated" : "", NULL);
    return add_line(c, v, code, desc, wh, 3, "kWh", rate, 6, nano, p->estimated[per]);
}

static gl_status energy_lines(calc *c, const part *p)
{
    int any = 0;
    gl_status st = GL_OK;
    for (int per = 0; per < p->v->nperiods && st == GL_OK; per++)
        for (int t = 0; t < p->v->period_ntiers[per] && st == GL_OK; t++)
            if (p->energy_wh[per][t] > 0) {
                st = energy_line(c, p, per, t);
                any = 1;
            }
    return st == GL_OK && !any ? energy_line(c, p, 0, 0) : st;
}

/* amount = monthly price x quantity (scale 3) x months of the part. */
static gl_status monthly_amount(const part *p, int64_t price_micro, int64_t qty_milli, int64_t *nano)
{
    int64_t x;
    if (money_mul_round(price_micro, qty_milli, 0, MONEY_HALF_UP, &x) != GL_OK)
        return GL_EOVERFLOW;
    return money_muldiv_round(x, p->month_num, MONTH_LCM, MONEY_HALF_UP, nano);
}

static void months_text(const part *p, char *out, size_t cap, int64_t *months_e4)
{
    money_muldiv_round(p->month_num, 10000, MONTH_LCM, MONEY_HALF_UP, months_e4);
    money_format(*months_e4, 4, out, cap);
}

/* Calendar months the part has days in; *only: the one when there is one. */
static int months_in(const part *p, int *only)
{
    int n = 0;
    for (int m = 0; m < 12; m++)
        if (p->month_num_m[m] > 0)
            n++, *only = m;
    return n;
}

/* Code BASE, or BASE.MM when the part spans months with their own prices. */
static void month_code(const calc *c, const part *p, const char *base, int m, int several, char *out, size_t cap)
{
    char b[BILL_CODE_MAX], n[24];
    cat_text(b, sizeof b, base, several ? "." : "", several ? int_text(m + 1, 2, n) : "", NULL);
    code_of(c, p, b, out, cap);
}

/* The part of w (kW at scale 3) in tier t of a ladder of nt tiers with
 * these bounds: between the bound below and the one above it. */
static int64_t ladder_share(const int64_t *bounds, int nt, int t, int64_t w)
{
    int64_t lo = t > 0 ? bounds[t - 1] : 0;
    int64_t hi = t + 1 < nt ? bounds[t] : w;
    if (w < hi)
        hi = w;
    return hi > lo ? hi - lo : 0;
}

/* What a flat demand line says its demand is. */
static const char *demand_source(const calc *c, const part *p, int64_t own)
{
    if (p->ratchet_w > own)
        return "billing demand: ratchet on an earlier month's peak";
    return c->opt->demand_w >= 0 ? "demand register" : "from the intervals";
}

/* One line of flat demand priced by calendar month: tier t of month m. */
static gl_status demand_month_line(calc *c, const part *p, int m, int t, int several, int64_t own)
{
    const tariff_version *v = p->v;
    char code[BILL_CODE_MAX], desc[BILL_DESC_MAX], base[BILL_CODE_MAX], frac[MONEY_FMT_MAX], mm[24], tn[24],
        nt_s[24], m_s[24];
    int nt = v->demand_month_ntiers[m];
    int64_t w = p->ratchet_w > own ? p->ratchet_w : own, x, nano, m4;
    int64_t qty = nt > 1 ? ladder_share(v->demand_month_bounds_w[m], nt, t, w) : w;
    int64_t price = nt > 1 ? v->demand_month_tier_micro[m][t] : v->demand_month_micro[m];
    if (money_mul_round(price, qty, 0, MONEY_HALF_UP, &x) != GL_OK ||
        money_muldiv_round(x, p->month_num_m[m], MONTH_LCM, MONEY_HALF_UP, &nano) != GL_OK ||
        money_muldiv_round(p->month_num_m[m], 10000, MONTH_LCM, MONEY_HALF_UP, &m4) != GL_OK)
        return GL_EOVERFLOW;
    money_format(m4, 4, frac, sizeof frac);
    int_text(m + 1, 2, mm);
    int_text(t + 1, 1, tn);
    cat_text(base, sizeof base, "demand", several ? "." : "", several ? mm : "", nt > 1 ? ".t" : "", nt > 1 ? tn : "",
             NULL);
    code_of(c, p, base, code, sizeof code);
    cat_text(desc, sizeof desc, "maximum demand charge (", demand_source(c, p, own), ")", nt > 1 ? ", tier " : "",
             nt > 1 ? tn : "", nt > 1 ? " of " : "", nt > 1 ? int_text(nt, 1, nt_s) : "",
             ", per kW a month in month ", int_text(m + 1, 1, m_s), ", x ", frac, " month", NULL);
    return add_line(c, v, code, desc, qty, 3, "kW", price, 6, nano, 0);
}

/* Demand priced by calendar month: one line per month of the part (and
 * tier), per kW of that month's highest demand (or the register, or the
 * ratchet's) x its share of a month. */
static gl_status demand_month_lines(calc *c, const part *p)
{
    const tariff_version *v = p->v;
    int only = 0, several = months_in(p, &only) > 1;
    gl_status st = GL_OK;
    for (int m = 0; m < 12 && st == GL_OK; m++) {
        int64_t own = c->opt->demand_w >= 0 ? c->opt->demand_w : p->max_w_m[m];
        int64_t w = p->ratchet_w > own ? p->ratchet_w : own;
        int nt = v->demand_month_ntiers[m];
        if (p->month_num_m[m] == 0)
            continue;
        for (int t = 0; t < nt && st == GL_OK; t++)
            if (t == 0 || ladder_share(v->demand_month_bounds_w[m], nt, t, w) > 0)
                st = demand_month_line(c, p, m, t, several, own);
    }
    return st;
}

static gl_status demand_line(calc *c, const part *p)
{
    const tariff_version *v = p->v;
    char code[BILL_CODE_MAX], desc[BILL_DESC_MAX], months[MONEY_FMT_MAX];
    int64_t qty, nano, m4;
    if (v->demand_basis == TARIFF_DEMAND_NONE)
        return GL_OK;
    if (v->demand_by_month)
        return demand_month_lines(c, p);
    months_text(p, months, sizeof months, &m4);
    if (v->demand_basis == TARIFF_DEMAND_KVA) {
        if (c->opt->capacity_va < 0) {
            set_error(c->b, "tariff %s charges per kVA of capacity: give the capacity", c->ts->id);
            return GL_EINVAL;
        }
        qty = c->opt->capacity_va;
        bprintf(desc, sizeof desc, "capacity charge, per kVA a month, x %s month", months);
    } else {
        int64_t own = c->opt->demand_w >= 0 ? c->opt->demand_w : p->max_demand_w;
        qty = p->billing_w;
        cat_text(desc, sizeof desc, "maximum demand charge (", demand_source(c, p, own), "), per kW a month, x ", months,
                 " month", NULL);
    }
    if (monthly_amount(p, v->demand_micro, qty, &nano) != GL_OK)
        return GL_EOVERFLOW;
    code_of(c, p, "demand", code, sizeof code);
    return add_line(c, v, code, desc, qty, 3, v->demand_basis == TARIFF_DEMAND_KVA ? "kVA" : "kW", v->demand_micro, 6,
                    nano, 0);
}

/* The part of w (kW at scale 3) in tier t of demand period d: between the
 * bounds below and above it. */
static int64_t demand_in_tier(const tariff_version *v, int d, int t, int64_t w)
{
    return ladder_share(v->demand_tier_bounds_w[d], v->demand_period_ntiers[d], t, w);
}

/* One demand line, tier t of demand period d of part p. */
static gl_status tou_demand_line(calc *c, const part *p, int d, int t)
{
    const tariff_version *v = p->v;
    char code[BILL_CODE_MAX], desc[BILL_DESC_MAX], base[BILL_CODE_MAX], months[MONEY_FMT_MAX], tier[48] = "";
    int64_t nano, m4, price = v->demand_tier_micro[d][t], qty = demand_in_tier(v, d, t, p->tou_demand_w[d]);
    int nt = v->demand_period_ntiers[d];
    months_text(p, months, sizeof months, &m4);
    if (monthly_amount(p, price, qty, &nano) != GL_OK)
        return GL_EOVERFLOW;
    if (nt > 1)
        bprintf(tier, sizeof tier, ", tier %d of %d", t + 1, nt);
    bprintf(base, sizeof base, nt > 1 ? "demand.%s.t%d" : "demand.%s", v->demand_period_names[d], t + 1);
    code_of(c, p, base, code, sizeof code);
    bprintf(desc, sizeof desc, "%s maximum demand charge (from the intervals)%s, per kW a month, x %s month",
            v->demand_period_names[d], tier, months);
    return add_line(c, v, code, desc, qty, 3, "kW", price, 6, nano, 0);
}

/* Demand period by period (those met in the part): per kW of the highest
 * interval demand within the period, split across the period's tiers; tier
 * 1 always has a line, a higher tier when demand reaches it. */
static gl_status tou_demand_lines(calc *c, const part *p)
{
    const tariff_version *v = p->v;
    gl_status st = GL_OK;
    for (int d = 0; d < v->ndemand_periods && st == GL_OK; d++) {
        if (!(p->tou_seen & (1u << d)))
            continue;
        for (int t = 0; t < v->demand_period_ntiers[d] && st == GL_OK; t++)
            if (t == 0 || demand_in_tier(v, d, t, p->tou_demand_w[d]) > 0)
                st = tou_demand_line(c, p, d, t);
    }
    return st;
}

/* Reactive demand: per kVAR of the part's highest interval reactive demand
 * (kvarh / the interval's hours), a month. */
static gl_status kvar_line(calc *c, const part *p)
{
    const tariff_version *v = p->v;
    char code[BILL_CODE_MAX], desc[BILL_DESC_MAX], months[MONEY_FMT_MAX];
    int64_t nano, m4;
    if (v->kvar_micro == 0)
        return GL_OK;
    if (!c->has_reactive) {
        set_error(c->b, "tariff %s charges per kVAR of reactive demand: the usage needs kvarh", c->ts->id);
        return GL_EINVAL;
    }
    months_text(p, months, sizeof months, &m4);
    if (monthly_amount(p, v->kvar_micro, p->max_var, &nano) != GL_OK)
        return GL_EOVERFLOW;
    code_of(c, p, "reactive_demand", code, sizeof code);
    bprintf(desc, sizeof desc, "maximum reactive demand charge (from the intervals), per kVAR a month, x %s month",
            months);
    return add_line(c, v, code, desc, p->max_var, 3, "kVAR", v->kvar_micro, 6, nano, 0);
}

static gl_status pf_line(calc *c, const part *p, int first_line, int64_t energy_wh)
{
    const tariff_version *v = p->v;
    char code[BILL_CODE_MAX], desc[BILL_DESC_MAX], pct[MONEY_FMT_MAX];
    if (v->pf_standard == 0)
        return GL_OK;
    int64_t q = c->opt->reactive_varh >= 0 ? c->opt->reactive_varh : c->reactive_varh;
    if (c->opt->reactive_varh < 0 && !c->has_reactive) {
        set_error(c->b, "tariff %s adjusts for the power factor: the usage needs kvarh (or give the kvarh)",
                  c->ts->id);
        return GL_EINVAL;
    }
    int pf = tariff_pf_hundredths(energy_wh, q), bp = 0;
    tariff_pf_adjust_bp(v->pf_standard, pf, &bp);
    int64_t base = 0;
    for (int i = first_line; i < c->b->nlines; i++)
        base += c->b->lines[i].amount_fen; /* energy and demand lines of this part, as rounded */
    char pfs[MONEY_FMT_MAX], stds[MONEY_FMT_MAX];
    int64_t nano;
    money_format(bp, 2, pct, sizeof pct);
    money_format(pf, 2, pfs, sizeof pfs);
    money_format(v->pf_standard, 2, stds, sizeof stds);
    bprintf(desc, sizeof desc, "power factor %s against standard %s: %s%s%% of energy and demand charges (1983 table)",
             pfs, stds, bp > 0 ? "+" : "", pct);
    if (money_mul_round(base, (int64_t)bp * 1000, 0, MONEY_HALF_UP, &nano) != GL_OK)
        return GL_EOVERFLOW;
    code_of(c, p, "pf_adjust", code, sizeof code);
    return add_line(c, v, code, desc, base, 2, c->b->currency, bp, 4, nano, 0);
}

/* A fixed or minimum charge over a part: its exact amount and the line's
 * quantity, and what the description says it is per. */
typedef struct charge_qty {
    int64_t nano, qty;
    int qscale;
    const char *unit;
    char text[48];
} charge_qty;

static gl_status charge_amount(const part *p, int64_t price_micro, tariff_charge_unit u, charge_qty *q)
{
    char months[MONEY_FMT_MAX];
    int64_t m4, days = (int64_t)p->to_day - p->from_day + 1, x;
    months_text(p, months, sizeof months, &m4);
    q->qty = m4;
    q->qscale = 4;
    q->unit = "month";
    switch (u) {
    case TARIFF_PER_DAY:
        q->qty = days;
        q->qscale = 0;
        q->unit = "day";
        bprintf(q->text, sizeof q->text, "a day, x %lld day%s", (long long)days, days == 1 ? "" : "s");
        return money_mul_round(price_micro, days * 1000, 0, MONEY_HALF_UP, &q->nano);
    case TARIFF_PER_YEAR:
        bprintf(q->text, sizeof q->text, "a year, / 12 x %s month", months);
        if (money_mul_round(price_micro, 1000, 0, MONEY_HALF_UP, &x) != GL_OK)
            return GL_EOVERFLOW;
        return money_muldiv_round(x, p->month_num, MONTH_LCM * 12, MONEY_HALF_UP, &q->nano);
    default:
        bprintf(q->text, sizeof q->text, "a month, x %s month", months);
        return monthly_amount(p, price_micro, 1000, &q->nano);
    }
}

/* Surcharge i priced by calendar month: one line per month of the part, on
 * the energy of that month. */
static gl_status surcharge_month_lines(calc *c, const part *p, int i)
{
    const tariff_version *v = p->v;
    char code[BILL_CODE_MAX], desc[BILL_DESC_MAX], base[BILL_CODE_MAX];
    int only = 0, several = months_in(p, &only) > 1;
    gl_status st = GL_OK;
    bprintf(base, sizeof base, "surcharge.%s", v->surcharge_names[i]);
    for (int m = 0; m < 12 && st == GL_OK; m++) {
        int64_t nano;
        if (p->month_num_m[m] == 0)
            continue;
        if (money_mul_round(p->wh_m[m], v->surcharge_month_micro[i][m], 0, MONEY_HALF_UP, &nano) != GL_OK)
            return GL_EOVERFLOW;
        month_code(c, p, base, m, several, code, sizeof code);
        bprintf(desc, sizeof desc, "surcharge %s, per kWh in month %d", v->surcharge_names[i], m + 1);
        st = add_line(c, v, code, desc, p->wh_m[m], 3, "kWh", v->surcharge_month_micro[i][m], 6, nano, 0);
    }
    return st;
}

static gl_status fixed_and_surcharges(calc *c, const part *p)
{
    const tariff_version *v = p->v;
    char code[BILL_CODE_MAX], desc[BILL_DESC_MAX], base[BILL_CODE_MAX];
    int64_t nano;
    charge_qty q;
    gl_status st = GL_OK;
    if (v->fixed_micro > 0) {
        if (charge_amount(p, v->fixed_micro, v->fixed_unit, &q) != GL_OK)
            return GL_EOVERFLOW;
        code_of(c, p, "fixed", code, sizeof code);
        bprintf(desc, sizeof desc, "fixed charge %s", q.text);
        st = add_line(c, v, code, desc, q.qty, q.qscale, q.unit, v->fixed_micro, 6, q.nano, 0);
    }
    for (int i = 0; i < v->nsurcharges && st == GL_OK; i++) {
        if (v->surcharge_by_month & (1u << i)) {
            st = surcharge_month_lines(c, p, i);
            continue;
        }
        if (money_mul_round(p->total_wh, v->surcharge_micro[i], 0, MONEY_HALF_UP, &nano) != GL_OK)
            return GL_EOVERFLOW;
        bprintf(base, sizeof base, "surcharge.%s", v->surcharge_names[i]);
        code_of(c, p, base, code, sizeof code);
        bprintf(desc, sizeof desc, "surcharge %s, per kWh", v->surcharge_names[i]);
        st = add_line(c, v, code, desc, p->total_wh, 3, "kWh", v->surcharge_micro[i], 6, nano, 0);
    }
    return st;
}

/* Export credits: per kWh exported in each energy period, at its sell price (negative lines). */
static gl_status export_lines(calc *c, const part *p)
{
    const tariff_version *v = p->v;
    gl_status st = GL_OK;
    if (c->opt->nexport > 0 && !v->has_sell) {
        set_error(c->b, "tariff %s has no sell price (energy.sell): the export cannot be credited", c->ts->id);
        return GL_EINVAL;
    }
    for (int per = 0; per < v->nperiods && st == GL_OK; per++) {
        char base[BILL_CODE_MAX], code[BILL_CODE_MAX], desc[BILL_DESC_MAX];
        int64_t wh = p->export_wh[per], nano;
        if (wh == 0)
            continue;
        if (money_mul_round(wh, -v->sell_micro[per], 0, MONEY_HALF_UP, &nano) != GL_OK)
            return GL_EOVERFLOW;
        cat_text(base, sizeof base, "export", v->tou ? "." : "", v->tou ? v->period_names[per] : "", NULL);
        code_of(c, p, base, code, sizeof code);
        cat_text(desc, sizeof desc, "export credit", v->tou ? ", " : "", v->tou ? v->period_names[per] : "",
                 ", per kWh exported at the sell price", p->export_est[per] ? ", estimated" : "", NULL);
        st = add_line(c, v, code, desc, wh, 3, "kWh", v->sell_micro[per], 6, nano, p->export_est[per]);
    }
    return st;
}

static gl_status minimum_line(calc *c, const part *p, int first_line)
{
    const tariff_version *v = p->v;
    char code[BILL_CODE_MAX], desc[BILL_DESC_MAX];
    int64_t min_fen, sub = 0;
    charge_qty q;
    if (v->minimum_micro == 0)
        return GL_OK;
    if (charge_amount(p, v->minimum_micro, v->minimum_unit, &q) != GL_OK ||
        money_div_round(q.nano, NANO_PER_FEN, MONEY_HALF_UP, &min_fen) != GL_OK)
        return GL_EOVERFLOW;
    for (int i = first_line; i < c->b->nlines; i++)
        sub += c->b->lines[i].amount_fen;
    if (sub >= min_fen)
        return GL_OK;
    code_of(c, p, "minimum", code, sizeof code);
    bprintf(desc, sizeof desc, "raised to the minimum charge %s", q.text);
    return add_line(c, v, code, desc, q.qty, q.qscale, q.unit, v->minimum_micro, 6, (min_fen - sub) * NANO_PER_FEN,
                    0);
}

static gl_status part_lines(calc *c, const part *p)
{
    int first = c->b->nlines;
    gl_status st = energy_lines(c, p);
    if (st == GL_OK)
        st = demand_line(c, p);
    if (st == GL_OK)
        st = tou_demand_lines(c, p);
    if (st == GL_OK)
        st = kvar_line(c, p);
    if (st == GL_OK)
        st = pf_line(c, p, first, c->b->energy_wh);
    if (st == GL_OK)
        st = fixed_and_surcharges(c, p);
    if (st == GL_OK)
        st = export_lines(c, p);
    if (st == GL_OK)
        st = minimum_line(c, p, first);
    return st;
}

/* Per-bill rounding: lines at fen, one "rounding" line brings the total to
 * the exact sum rounded to the unit. */
static gl_status finish(calc *c)
{
    bill *b = c->b;
    const tariff_version *v = c->parts[c->nparts - 1].v;
    int64_t exact = 0, sum = 0;
    for (int i = 0; i < b->nlines; i++)
        if (money_add(exact, b->lines[i].amount_nano, &exact) != GL_OK ||
            money_add(sum, b->lines[i].amount_fen, &sum) != GL_OK)
            return GL_EOVERFLOW;
    if (v->round_per_bill) {
        int64_t q;
        if (money_div_round(exact, NANO_PER_FEN * v->round_unit_fen, v->round_mode, &q) != GL_OK)
            return GL_EOVERFLOW;
        int64_t diff = q * v->round_unit_fen - sum;
        if (diff != 0) {
            tariff_version fen = *v;
            fen.round_per_bill = 0;
            fen.round_unit_fen = 1;
            gl_status st = add_line(c, &fen, "rounding", "rounding of the bill total", 1, 0, "", diff, 2,
                                    q * v->round_unit_fen * NANO_PER_FEN - exact, 0);
            if (st != GL_OK)
                return st;
            b->lines[b->nlines - 1].amount_fen = diff;
            sum += diff;
        }
    }
    b->total_fen = sum;
    b->position_after_wh = c->counter_wh;
    return GL_OK;
}

/* The annual minimum (annual_minimum of the version in force on the last
 * day): on the bill that ends on 31 December, a line making the year's
 * earlier bills (opt->year_billed_fen) and this bill's lines so far up to it. */
static gl_status annual_minimum_line(calc *c)
{
    const tariff_version *v = c->parts[c->nparts - 1].v;
    int y, m, d;
    int64_t min_fen, sum = c->opt->year_billed_fen;
    civdate_to_ymd(c->b->to_day, &y, &m, &d);
    if (v->annual_minimum_micro == 0 || m != 12 || d != 31)
        return GL_OK;
    if (!c->opt->has_year_billed) {
        set_error(c->b, "tariff %s has an annual minimum: the bill that ends the year needs the year's earlier bills",
                  c->ts->id);
        return GL_EINVAL;
    }
    if (money_div_round(v->annual_minimum_micro, 10000, MONEY_HALF_UP, &min_fen) != GL_OK)
        return GL_EOVERFLOW;
    for (int i = 0; i < c->b->nlines; i++)
        sum += c->b->lines[i].amount_fen;
    if (sum >= min_fen)
        return GL_OK;
    tariff_version fen = *v;
    fen.round_per_bill = 0;
    fen.round_unit_fen = 1;
    return add_line(c, &fen, "annual_minimum", "raised to the annual minimum: the year's bills come to less", 1, 0,
                    "year", v->annual_minimum_micro, 6, (min_fen - sum) * NANO_PER_FEN, 0);
}

static gl_status adjustment_line(calc *c)
{
    const bill_options *o = c->opt;
    if (o->adjustment_fen == 0)
        return GL_OK;
    tariff_version fen = *c->parts[c->nparts - 1].v;
    fen.round_per_bill = 0;
    fen.round_unit_fen = 1;
    return add_line(c, &fen, "adjustment", o->adjustment_text[0] ? o->adjustment_text : "adjustment", 1, 0, "",
                    o->adjustment_fen, 2, o->adjustment_fen * NANO_PER_FEN, 0);
}

/* The state of a walk over the usage, before its first interval. */
static void begin_walk(calc *c)
{
    c->nparts = 0;
    c->epoch = 0;
    c->have_epoch = 0;
    c->reactive_varh = 0;
    c->has_reactive = 0;
    c->day = INT32_MIN;
    c->day_min0 = INT64_MIN / 2; /* no day looked up yet */
    c->fast_part = NULL;
    c->span_from = INT32_MAX;    /* no span map yet */
    c->span_to = INT32_MIN;
    c->prev_end = INT64_MIN;
}

/* Every interval into the parts, then the demand windows. */
static gl_status walk_usage(calc *c, const usage_interval *u, int n)
{
    gl_status st;
    for (int i = 0; i < n;) {
        int k = walk_plain(c, u + i, n - i);
        if (k == 0)
            k = walk_run(c, u + i, n - i);
        if (k == 0) {
            if ((st = check_interval(u, i, &c->prev_end, c->b)) != GL_OK)
                return st;
            walk_interval(c, &u[i++]);
        }
        i += k;
    }
    window_demands(c, u, n);
    return GL_OK;
}

/* The export intervals (opt->export_u), checked as usage is, each shared
 * over its quarter hours by time into (part, energy period): the share of
 * quarter hour k of n is floor(E(k+1)/n) - floor(Ek/n), which adds up over a
 * group to what the usage's groups get. */
static gl_status walk_export(calc *c)
{
    const usage_interval *u = c->opt->export_u;
    int64_t prev_end = INT64_MIN;
    for (int i = 0; i < c->opt->nexport; i++) {
        const usage_interval *x = &u[i];
        char why[BILL_ERROR_MAX];
        if (check_interval(u, i, &prev_end, c->b) != GL_OK) {
            copy_text(why, sizeof why, c->b->error);
            set_error(c->b, "export: %s", why);
            return GL_EINVAL;
        }
        int n = x->len_min / 15, first = slot_key(c, x->start_min), split = 0;
        for (int k = 1; k < n; k++)
            split |= slot_key(c, x->start_min + 15 * (int64_t)k) != first;
        for (int k = 0; k < n; k++) {
            int key = slot_key(c, x->start_min + 15 * (int64_t)k);
            if (key < 0)
                continue;
            part *p = &c->parts[key / TARIFF_MAX_PERIODS];
            p->export_wh[key % TARIFF_MAX_PERIODS] += x->energy_wh * (k + 1) / n - x->energy_wh * k / n;
            p->export_est[key % TARIFF_MAX_PERIODS] |= (uint8_t)(split || (x->flags & USAGE_ESTIMATED));
        }
    }
    c->fast_part = NULL; /* the day looked up last may have changed */
    return GL_OK;
}

/* The ratchet of version v for a bill whose first month is `month` (0..11):
 * the highest earlier month's peak x its percentage (SAM's
 * rate_data::get_billing_demand), 0 without one. */
static int64_t ratchet_demand(const calc *c, const tariff_version *v, int month)
{
    int64_t best = 0;
    for (int k = 0; k < v->ratchet_months && k < c->opt->nhistory && k < BILL_MAX_HISTORY; k++) {
        int cal = ((month - 1 - k) % 12 + 12) % 12;
        int64_t w = c->opt->history_w[k], x;
        if (w < 0 || !(v->ratchet_month_mask & (1u << cal)) ||
            money_muldiv_round(w, v->ratchet_pct_e3[cal], 100000, MONEY_HALF_UP, &x) != GL_OK)
            continue;
        best = x > best ? x : best;
    }
    return best;
}

/* Each part's billing demand: its own peak (or the register) or the
 * ratchet's, whichever is higher; tier bounds per kW follow it. */
static gl_status set_billing_demand(calc *c)
{
    int y, m, d;
    civdate_to_ymd(c->b->from_day, &y, &m, &d);
    for (int i = 0; i < c->nparts; i++) {
        part *p = &c->parts[i];
        int64_t own = c->opt->demand_w >= 0 ? c->opt->demand_w : p->max_demand_w;
        p->ratchet_w = ratchet_demand(c, p->v, m - 1);
        p->billing_w = p->ratchet_w > own ? p->ratchet_w : own;
        for (int per = 0; per < p->v->nperiods; per++)
            if (p->v->period_per_kw[per] && part_bounds(p, per) != GL_OK)
                return GL_EOVERFLOW;
    }
    return GL_OK;
}

/* 1 if a part's tier bounds are per kW: the billing demand must be known
 * before the energy is counted. */
static int bounds_need_demand(const calc *c)
{
    for (int i = 0; i < c->nparts; i++)
        for (int per = 0; per < c->parts[i].v->nperiods; per++)
            if (c->parts[i].v->period_per_kw[per])
                return 1;
    return 0;
}

/* Walks the usage; when tier bounds are per kW of a billing demand the
 * intervals must give, walks it once for the peaks, then again with the
 * bounds they set. */
static gl_status walk_all(calc *c, const usage_interval *u, int n)
{
    gl_status st;
    if (bounds_need_demand(c)) {
        int64_t peak[TARIFF_MAX_VERSIONS];
        if (c->opt->demand_w < 0) {
            if ((st = walk_usage(c, u, n)) != GL_OK)
                return st;
            for (int i = 0; i < c->nparts; i++)
                peak[i] = c->parts[i].max_demand_w;
            begin_walk(c);
            if ((st = make_parts(c)) != GL_OK)
                return st;
            for (int i = 0; i < c->nparts; i++)
                c->parts[i].max_demand_w = peak[i];
        }
        if ((st = set_billing_demand(c)) != GL_OK)
            return st;
        for (int i = 0; i < c->nparts; i++)
            c->parts[i].max_demand_w = 0; /* counted again by the walk */
    }
    if ((st = walk_usage(c, u, n)) != GL_OK)
        return st;
    return set_billing_demand(c);
}

gl_status bill_compute(const tariff_set *ts, const usage_interval *u, int n, const bill_options *opt, bill *out)
{
    calc c;
    memset(&c, 0, offsetof(calc, parts)); /* the parts are cleared as make_parts opens them */
    memset((char *)&c + offsetof(calc, parts) + sizeof c.parts, 0, sizeof c - offsetof(calc, parts) - sizeof c.parts);
    gl_status ret = GL_EINVAL;
    if (out == NULL)
        return GL_EINVAL;
    /* all but the lines (add_line clears each line it writes): 21 KB less to clear per bill */
    memset(out, 0, offsetof(bill, lines));
    memset(&out->total_fen, 0, sizeof *out - offsetof(bill, total_fen));
    if (ts == NULL || opt == NULL || n < 0 || (n > 0 && u == NULL) || ts->nversions < 1) {
        set_error(out, "invalid arguments");
        goto out;
    }
    c.ts = ts;
    c.opt = opt;
    c.b = out;
    begin_walk(&c);
    copy_text(out->customer, sizeof out->customer, opt->customer);
    copy_text(out->tariff, sizeof out->tariff, ts->id);
    copy_text(out->currency, sizeof out->currency, ts->versions[0].currency);
    if ((ret = start_bill(&c, u, n)) != GL_OK)
        goto out;
    if ((ret = walk_all(&c, u, n)) != GL_OK || (ret = walk_export(&c)) != GL_OK)
        goto out;
    for (int i = 0; i < c.nparts; i++) {
        out->energy_wh += c.parts[i].total_wh;
        out->peak_w = c.parts[i].max_demand_w > out->peak_w ? c.parts[i].max_demand_w : out->peak_w;
    }
    if (opt->demand_w >= 0)
        out->peak_w = opt->demand_w;
    for (int i = 0; i < c.nparts && ret == GL_OK; i++)
        ret = part_lines(&c, &c.parts[i]);
    if (ret == GL_OK)
        ret = annual_minimum_line(&c);
    if (ret == GL_OK)
        ret = adjustment_line(&c);
    if (ret == GL_OK)
        ret = finish(&c);
    if (ret == GL_EOVERFLOW && out->error[0] == '\0')
        set_error(out, "an amount is too large");
out:
    return ret;
}

int bill_month_peaks(const usage_interval *u, int n, int32_t first_day, int64_t *history_w, int max)
{
    int y, m, d, reach = 0;
    if (max > BILL_MAX_HISTORY)
        max = BILL_MAX_HISTORY;
    for (int k = 0; k < max; k++)
        history_w[k] = -1;
    civdate_to_ymd(first_day, &y, &m, &d);
    for (int i = 0; i < n; i++) {
        const usage_interval *x = &u[i];
        if (x->len_min <= 0 || x->start_min >= (int64_t)first_day * CIVDATE_MINUTES_PER_DAY)
            continue;
        int iy, im, id;
        civdate_to_ymd((int32_t)floor_div(x->start_min, CIVDATE_MINUTES_PER_DAY), &iy, &im, &id);
        int64_t k = ((int64_t)y * 12 + m) - ((int64_t)iy * 12 + im) - 1;
        int64_t w = x->demand_w >= 0 ? x->demand_w : x->energy_wh * 60 / x->len_min;
        if (k < 0 || k >= max)
            continue;
        history_w[k] = w > history_w[k] ? w : history_w[k];
        reach = (int)k + 1 > reach ? (int)k + 1 : reach;
    }
    return reach;
}

/* ---- JSON ---- */

/* jw_dec: v (units of 10^-scale) as a JSON string; trim: at least two decimals kept. */
static void jw_dec(textbuf *w, int64_t v, int scale, int trim)
{
    char s[MONEY_FMT_MAX];
    gl_status st = trim ? money_format_trim(v, scale, 2 < scale ? 2 : scale, s, sizeof s)
                        : money_format(v, scale, s, sizeof s);
    if (st != GL_OK) {
        textbuf_fail(w, st);
        return;
    }
    textbuf_json_str(w, s);
}

static void jw_date(textbuf *w, int32_t d)
{
    char s[CIVDATE_FMT_MAX];
    if (civdate_format(d, s, sizeof s) != GL_OK) {
        textbuf_fail(w, GL_ERANGE);
        return;
    }
    textbuf_json_str(w, s);
}

static void jw_line(textbuf *w, const bill_line *l, int last)
{
    textbuf_puts(w, "    {\"code\": ");
    textbuf_json_str(w, l->code);
    textbuf_puts(w, ", \"description\": ");
    textbuf_json_str(w, l->description);
    textbuf_puts(w, ", \"quantity\": ");
    jw_dec(w, l->quantity, l->quantity_scale, 0);
    textbuf_puts(w, ", \"unit\": ");
    textbuf_json_str(w, l->unit);
    textbuf_puts(w, ", \"rate\": ");
    jw_dec(w, l->rate, l->rate_scale, 1);
    textbuf_puts(w, ", \"amount\": ");
    jw_dec(w, l->amount_fen, 2, 0);
    if (l->estimated)
        textbuf_puts(w, ", \"estimated\": true");
    textbuf_puts(w, last ? "}\n" : "},\n");
}

/* jw_member: ",\n  \"KEY\": \"VALUE\"" (NULL as ""). */
static void jw_member(textbuf *w, const char *key, const char *val)
{
    textbuf_printf(w, ",\n  \"%s\": ", key);
    textbuf_json_str(w, val != NULL ? val : "");
}

gl_status bill_json_write(const bill *b, const bill_json_extra *x, textbuf *w)
{
    if (b == NULL || w == NULL)
        return GL_EINVAL;
    textbuf_puts(w, "{\n  \"customer\": ");
    textbuf_json_str(w, b->customer);
    textbuf_puts(w, ",\n  \"period\": {\"from\": ");
    jw_date(w, b->from_day);
    textbuf_puts(w, ", \"to\": ");
    jw_date(w, b->to_day);
    textbuf_puts(w, "},\n  \"tariff\": ");
    textbuf_json_str(w, b->tariff);
    textbuf_puts(w, b->nlines ? ",\n  \"lines\": [\n" : ",\n  \"lines\": [");
    for (int i = 0; i < b->nlines; i++)
        jw_line(w, &b->lines[i], i + 1 == b->nlines);
    textbuf_puts(w, b->nlines ? "  ],\n  \"total\": " : "],\n  \"total\": ");
    jw_dec(w, b->total_fen, 2, 0);
    textbuf_puts(w, ",\n  \"currency\": ");
    textbuf_json_str(w, b->currency);
    textbuf_puts(w, ",\n  \"energy_kwh\": ");
    jw_dec(w, b->energy_wh, 3, 0);
    textbuf_puts(w, b->estimated ? ",\n  \"estimated\": true" : ",\n  \"estimated\": false");
    textbuf_puts(w, ",\n  \"tier_position_kwh\": ");
    jw_dec(w, b->position_after_wh, 3, 0);
    if (x == NULL)
        return textbuf_puts(w, "\n}");
    textbuf_puts(w, "\n"); /* the posted bill's members follow on their own line, as gateways always sent them */
    jw_member(w, "id", x->id);
    jw_member(w, "area", x->area);
    jw_member(w, "period_name", x->period_name);
    jw_member(w, "due", x->due);
    if (x->usage_from != NULL && x->usage_from[0] != '\0') {
        jw_member(w, "usage_from", x->usage_from);
        if (x->usage_note != NULL && x->usage_note[0] != '\0')
            jw_member(w, "usage_note", x->usage_note);
    }
    return textbuf_puts(w, "\n}");
}

gl_status bill_to_json(const bill *b, char *buf, size_t cap, size_t *len)
{
    if (b == NULL || buf == NULL || cap == 0)
        return GL_EINVAL;
    textbuf w;
    textbuf_init_fixed(&w, buf, cap);
    bill_json_write(b, NULL, &w);
    gl_status st = textbuf_puts(&w, "\n");
    if (st != GL_OK)
        return st;
    if (len)
        *len = textbuf_len(&w);
    return GL_OK;
}
