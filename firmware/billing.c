/* billing.c: bills from the store's readings (see billing.h). */
#include "billing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gridledger/civdate.h"
#include "clock.h"
#include "fileio.h"
#include "gridledger/money.h"
#include "gridledger/textbuf.h"
#include "billfrozen.h"
#include "instalments.h"
#include "store_bills.h"

#define TARIFF_FILE_MAX (4u << 20)
#define LOOKBACK_S (35 * 86400)

gl_status billing_init(billing *b, const config *cfg, store *s, diag *d)
{
    memset(b, 0, sizeof *b);
    b->cfg = cfg;
    b->store = s;
    b->tariffs = calloc((size_t)cfg->ntariffs + 1, sizeof *b->tariffs);
    b->usage = malloc(BILLING_USAGE_MAX * sizeof *b->usage);
    b->points = malloc(BILLING_USAGE_MAX * sizeof *b->points);
    b->json = malloc(BILLING_JSON_MAX);
    if (b->tariffs == NULL || b->usage == NULL || b->points == NULL || b->json == NULL)
        return GL_ENOMEM;
    for (int i = 0; i < cfg->ntariffs; i++) {
        const char *path = cfg->tariffs[i].path; /* resolved against the config's folder when parsed */
        char *text = NULL;
        size_t len = 0;
        gl_status st = fileio_read(path, TARIFF_FILE_MAX, &text, &len);
        if (st != GL_OK)
            diag_add(d, "%s: cannot read the tariff file: %s", path, gl_strerror(st));
        if (st == GL_OK)
            st = tariff_parse(path, text, len, d, &b->tariffs[i]);
        free(text);
        if (st != GL_OK)
            return st;
        b->ntariffs++;
    }
    return GL_OK;
}

void billing_free(billing *b)
{
    free(b->tariffs);
    free(b->usage);
    free(b->points);
    free(b->json);
    memset(b, 0, sizeof *b);
}

void billing_period_of(const config *cfg, int year, int month, billing_period *p)
{
    int cd = cfg->billing.cycle_day, ny = month == 12 ? year + 1 : year, nm = month == 12 ? 1 : month + 1;
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%04u-%02u", (unsigned)year % 10000, (unsigned)month % 100);
    p->from_ts = clock_make_local(year, month - 1, cd, 0, 0, 0);
    p->to_ts = clock_make_local(ny, nm - 1, cd, 0, 0, 0);
    p->from_day = civdate_from_ymd(year, month, cd);
    p->to_day = civdate_from_ymd(ny, nm, cd) - 1;
    civdate_format(p->to_day + 1 + cfg->billing.due_days, p->due, sizeof p->due);
}

/* local_quarter: t as local wall-clock minutes, rounded to the nearest quarter hour. */
static int64_t local_quarter(int64_t t, int32_t *offset_min)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    int64_t secs = (int64_t)civdate_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 + tm.tm_hour * 3600 +
                   tm.tm_min * 60 + tm.tm_sec;
    *offset_min = (int32_t)(tm.tm_gmtoff / 60);
    return (secs + 450) / 900 * 15;
}

/* to_usage: consecutive cumulative points into intervals (see billing.h). */
static int to_usage(const store_point *p, size_t n, usage_interval *u)
{
    int nu = 0;
    int32_t off = 0;
    int64_t prev_q = n ? local_quarter(p[0].ts, &off) : 0, early_wh = 0, early_varh = 0;
    for (size_t i = 1; i < n; i++) {
        int64_t q = local_quarter(p[i].ts, &off);
        int64_t e = p[i].import_wh - p[i - 1].import_wh;
        int64_t r = p[i].reactive_varh >= 0 && p[i - 1].reactive_varh >= 0
                        ? p[i].reactive_varh - p[i - 1].reactive_varh
                        : -1;
        e = e < 0 ? 0 : e; /* a decrease is flagged at reading time, never billed as negative use */
        if (q <= prev_q) { /* same quarter hour: the later point completes the last interval */
            if (nu > 0) {
                u[nu - 1].energy_wh += e;
                if (u[nu - 1].reactive_varh >= 0 && r > 0)
                    u[nu - 1].reactive_varh += r;
            } else { /* before the first interval: it belongs to the first */
                early_wh += e;
                early_varh += r > 0 ? r : 0;
            }
            continue;
        }
        u[nu++] = (usage_interval){prev_q, (int32_t)(q - prev_q), off, 0, e + early_wh,
                                   r < 0 ? -1 : r + early_varh, -1};
        early_wh = early_varh = 0;
        prev_q = q;
    }
    return nu;
}

static int meter_of(const config *cfg, int ci)
{
    for (int i = 0; i < cfg->nmeters; i++)
        if (cfg->meters[i].customer_index == ci && cfg->meters[i].role == CONFIG_ROLE_CUSTOMER)
            return i;
    return -1;
}

/* average_rate: energy over elapsed time of pts[0..n) (decreases skipped). */
static void average_rate(const store_point *pts, size_t n, int64_t *wh, int64_t *secs)
{
    *wh = 0;
    *secs = n > 1 ? pts[n - 1].ts - pts[0].ts : 0;
    for (size_t i = 1; i < n; i++)
        if (pts[i].import_wh > pts[i - 1].import_wh)
            *wh += pts[i].import_wh - pts[i - 1].import_wh;
}

/* estimate_tail: the end of p without billable readings as one estimated
 * interval (see BILLING_ESTIMATE_GAP_S); pts[0..n) all the points fetched. */
static void estimate_tail(billing *b, const store_point *pts, size_t n, const billing_period *p, int *nu)
{
    int64_t wh = 0, secs = 0, from = pts[n - 1].ts > p->from_ts ? pts[n - 1].ts : p->from_ts;
    int32_t off = 0;
    b->has_estimate = 0;
    int64_t gap = 2 * (int64_t)b->cfg->schedule.poll_interval_s;
    average_rate(pts, n, &wh, &secs);
    if (gap < BILLING_ESTIMATE_GAP_S)
        gap = BILLING_ESTIMATE_GAP_S;
    if (secs <= 0 || p->to_ts - from < gap || *nu >= BILLING_USAGE_MAX)
        return;
    int64_t q0 = local_quarter(from, &off), q1 = local_quarter(p->to_ts, &off);
    if (q1 <= q0)
        return;
    int64_t e = 0; /* toward zero, as the division did; 32-bit ARM has no __int128 */
    if (money_muldiv_round(wh, p->to_ts - from, secs, MONEY_DOWN, &e) != GL_OK)
        return;
    b->usage[(*nu)++] = (usage_interval){q0, (int32_t)(q1 - q0), off, USAGE_ESTIMATED, e, -1, -1};
    b->has_estimate = 1;
    b->est_ts = p->to_ts;
    b->est_wh = (from == pts[n - 1].ts ? pts[n - 1].import_wh : b->est_wh) + e;
}

/* estimate_base: the counter the previous period's estimate assumed at
 * this period's start, when no later reading is the base (kv). */
static int estimate_base(billing *b, const char *customer, const billing_period *p, store_point *base)
{
    char key[96], val[64];
    long long ts = 0, wh = 0;
    snprintf(key, sizeof key, "bill.estimate.%s", customer);
    if (store_kv_get(b->store, key, val, sizeof val) != GL_OK || sscanf(val, "%lld %lld", &ts, &wh) != 2 ||
        ts != p->from_ts || base->ts >= ts)
        return 0;
    *base = (store_point){ts, wh, -1, 0, READING_LIVE};
    return 1;
}

/* usage_for: the customer's intervals over p; GL_ENOTFOUND without data. */
static gl_status usage_for(billing *b, int ci, const billing_period *p, int *nu)
{
    int mi = meter_of(b->cfg, ci);
    size_t n = 0, first = 0;
    b->has_estimate = 0;
    if (mi < 0)
        return GL_ENOTFOUND;
    gl_status st = store_series(b->store, b->cfg->meters[mi].id, p->from_ts - LOOKBACK_S, p->to_ts + 1, b->points,
                                BILLING_USAGE_MAX, &n);
    if (st != GL_OK)
        return st;
    if (n == 0)
        return GL_ENOTFOUND;
    n = billfrozen_prefer(b->points, n, p->from_ts, p->to_ts); /* the meter's frozen values at the edges */
    while (first + 1 < n && b->points[first + 1].ts <= p->from_ts)
        first++; /* the last point at or before the start is the base */
    store_point saved = b->points[first];
    int est_base = b->points[first].ts <= p->from_ts &&
                   estimate_base(b, b->cfg->customers[ci].id, p, &b->points[first]);
    b->est_wh = b->points[first].import_wh; /* the estimate's start when no reading is in the period */
    *nu = n - first >= 2 ? to_usage(b->points + first, n - first, b->usage) : 0;
    snprintf(b->meter_id, sizeof b->meter_id, "%s", b->cfg->meters[mi].id);
    b->base_ts = b->points[first].ts;
    b->end_ts = b->points[n - 1].ts;
    if (est_base)
        b->points[first] = saved;
    estimate_tail(b, b->points, n, p, nu);
    return *nu > 0 ? GL_OK : GL_ENOTFOUND;
}

/* tier_position: the yearly tier position carried in kv "tierpos.CUST". */
static void tier_position(billing *b, const config_customer *c, const tariff_set *ts, const billing_period *p,
                          bill_options *o, char *key, size_t cap, int *tier_year)
{
    const tariff_version *v = &ts->versions[ts->nversions - 1];
    int y = 0, m = 0, d = 0;
    snprintf(key, cap, "tierpos.%s", c->id);
    *tier_year = 0;
    if (v->tier_basis != TARIFF_TIER_YEAR)
        return;
    civdate_to_ymd(p->from_day, &y, &m, &d);
    *tier_year = m >= v->tier_start_month ? y : y - 1;
    char val[64];
    long long ty = 0, pos = 0;
    o->has_position = 1;
    o->position_wh = 0;
    if (store_kv_get(b->store, key, val, sizeof val) == GL_OK && sscanf(val, "%lld %lld", &ty, &pos) == 2 &&
        ty == *tier_year)
        o->position_wh = pos;
}

/* 1 if a version of ts has a demand ratchet (its bills need earlier peaks). */
static int has_ratchet(const tariff_set *ts)
{
    for (int i = 0; i < ts->nversions; i++)
        if (ts->versions[i].ratchet_months > 0)
            return 1;
    return 0;
}

/* demand_history: the peaks of the 12 periods before p, kept in kv
 * "peak.CUST.YYYY-MM" by post, for a demand ratchet (-1 where none is kept). */
static void demand_history(billing *b, const config_customer *c, const tariff_set *ts, const billing_period *p,
                           bill_options *o)
{
    int y = 0, m = 0;
    if (!has_ratchet(ts) || sscanf(p->name, "%d-%d", &y, &m) != 2)
        return;
    for (int k = 0; k < BILL_MAX_HISTORY; k++) {
        char key[96], val[32];
        long long w = -1;
        if (--m == 0)
            m = 12, y--;
        snprintf(key, sizeof key, "peak.%s.%04d-%02d", c->id, y, m);
        if (store_kv_get(b->store, key, val, sizeof val) != GL_OK || sscanf(val, "%lld", &w) != 1)
            w = -1;
        o->history_w[k] = w;
    }
    o->nhistory = BILL_MAX_HISTORY;
}

/* year_billed: the total of the customer's bills of p's year before p, for
 * an annual minimum (only asked of the bill that ends the year). */
static gl_status year_billed(billing *b, const config_customer *c, const tariff_set *ts, const billing_period *p,
                             bill_options *o)
{
    int annual = 0;
    for (int i = 0; i < ts->nversions; i++)
        annual |= ts->versions[i].annual_minimum_micro > 0;
    if (!annual)
        return GL_OK;
    char first[12];
    snprintf(first, sizeof first, "%.4s-01", p->name);
    gl_status st = store_bills_between(b->store, c->id, first, p->name, &o->year_billed_fen);
    o->has_year_billed = st == GL_OK;
    return st;
}

/* The bills message of one bill, rendered once: {"bills":[DOC]}, where DOC
 * (doc_at, doc_len bytes into text) is the document the store keeps. */
typedef struct bill_text {
    const char *text;
    size_t doc_at, doc_len;
} bill_text;

/* render: the bill's one text into b->json (see bill_text). */
static gl_status render(billing *b, const billing_period *p, const char *id, bill_text *out)
{
    textbuf t;
    bill_json_extra x = {id, b->cfg->gateway.area, p->name, p->due, b->usage_from, b->usage_note};
    textbuf_init_fixed(&t, b->json, BILLING_JSON_MAX);
    textbuf_puts(&t, "{\"bills\":[");
    out->doc_at = textbuf_len(&t);
    bill_json_write(&b->bill, &x, &t);
    out->doc_len = textbuf_len(&t) - out->doc_at;
    out->text = textbuf_str(&t);
    return textbuf_puts(&t, "]}");
}

/* post: the bill, its ledger entry and its outbox message in one transaction. */
static gl_status post(billing *b, const config_customer *c, const billing_period *p, const bill_text *bt,
                      int queue_up, const char *tier_key, int tier_year)
{
    char ref[2 * CONFIG_ID_MAX], date[12], pos[64];
    snprintf(ref, sizeof ref, "%s/%s", c->id, p->name);
    civdate_format(p->to_day + 1, date, sizeof date);
    gl_status st = store_txn_begin(b->store);
    if (st != GL_OK)
        return st;
    st = store_bill_put(b->store, p->name, &b->bill, bt->text + bt->doc_at, bt->doc_len);
    if (st == GL_OK && c->payment == CONFIG_PAY_POSTPAID)
        st = instalments_post_close(b->store, c->id, p, date, b->bill.total_fen, ref);
    if (st == GL_OK && has_ratchet(&b->tariffs[c->tariff_index])) {
        char key[96];
        snprintf(key, sizeof key, "peak.%s.%s", c->id, p->name);
        snprintf(pos, sizeof pos, "%lld", (long long)b->bill.peak_w);
        st = store_kv_set(b->store, key, pos);
    }
    if (st == GL_OK && tier_year > 0) {
        snprintf(pos, sizeof pos, "%d %lld", tier_year, (long long)b->bill.position_after_wh);
        st = store_kv_set(b->store, tier_key, pos);
    }
    if (st == GL_OK && b->has_estimate) {
        char key[96];
        snprintf(key, sizeof key, "bill.estimate.%s", c->id);
        snprintf(pos, sizeof pos, "%lld %lld", (long long)b->est_ts, (long long)b->est_wh);
        st = store_kv_set(b->store, key, pos);
    }
    if (st == GL_OK && queue_up)
        st = store_outbox_put(b->store, "bills", bt->text, p->to_ts, NULL);
    return store_txn_end(b->store, st);
}

/* price: computes b->bill for customer ci over p (tier position from kv
 * when tiers are yearly); GL_ENOTFOUND without readings. */
static gl_status price(billing *b, int ci, const billing_period *p, char *key, size_t cap, int *tier_year)
{
    const config_customer *c = &b->cfg->customers[ci];
    const tariff_set *ts = &b->tariffs[c->tariff_index];
    bill_options o;
    int nu = 0;
    gl_status st = usage_for(b, ci, p, &nu);
    if (st == GL_OK)
        st = billfrozen_tou(b, ci, p, &nu);
    if (st != GL_OK)
        return st;
    bill_options_init(&o);
    snprintf(o.customer, sizeof o.customer, "%s", c->id);
    o.from_day = p->from_day;
    o.to_day = p->to_day;
    o.capacity_va = c->capacity_kva_milli > 0 ? c->capacity_kva_milli : -1;
    tier_position(b, c, ts, p, &o, key, cap, tier_year);
    demand_history(b, c, ts, p, &o);
    if ((st = year_billed(b, c, ts, p, &o)) != GL_OK)
        return st;
    return bill_compute(ts, b->usage, nu, &o, &b->bill);
}

/* price_span: prices customer ci's use in [from_ts, to_ts) into b->bill. */
static gl_status price_span(billing *b, int ci, int64_t from_ts, int64_t to_ts)
{
    billing_period p = {.from_ts = from_ts, .to_ts = to_ts};
    char key[96];
    int ty = 0;
    p.from_day = clock_civil_day(from_ts);
    p.to_day = clock_civil_day(to_ts - 1);
    return price(b, ci, &p, key, sizeof key, &ty);
}

gl_status billing_cost(billing *b, int ci, int64_t from_ts, int64_t to_ts, int64_t *cost_fen)
{
    gl_status st = price_span(b, ci, from_ts, to_ts);
    *cost_fen = st == GL_OK ? b->bill.total_fen : 0;
    return st;
}

gl_status billing_energy(billing *b, int ci, int64_t from_ts, int64_t to_ts, int64_t *energy_wh)
{
    gl_status st = price_span(b, ci, from_ts, to_ts);
    *energy_wh = st == GL_OK ? b->bill.energy_wh : 0;
    return st;
}

gl_status billing_customer(billing *b, int ci, const billing_period *p, int queue_up, billing_outcome *outcome)
{
    const config_customer *c = &b->cfg->customers[ci];
    char key[96], id[2 * CONFIG_ID_MAX];
    int tier_year = 0;
    int billed = 0;
    bill_text bt;
    *outcome = BILLING_EXISTS;
    gl_status st = store_bill_exists(b->store, c->id, p->name, &billed);
    if (st != GL_OK || billed)
        return st;
    *outcome = BILLING_NO_DATA;
    st = price(b, ci, p, key, sizeof key, &tier_year);
    if (st == GL_ENOTFOUND)
        return GL_OK;
    snprintf(id, sizeof id, "%s/%s", c->id, p->name);
    if (st == GL_OK)
        st = render(b, p, id, &bt);
    if (st == GL_OK)
        st = post(b, c, p, &bt, queue_up, key, tier_year);
    if (st == GL_EEXIST) /* billed meanwhile by another process: nothing changed */
        return *outcome = BILLING_EXISTS, GL_OK;
    if (st == GL_OK)
        *outcome = BILLING_POSTED;
    return st;
}
