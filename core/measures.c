/* measures.c: the measures a credit grade entitles or requires (see
 * measures.h, docs/credit.md "What a grade changes"). */
#include "gridledger/measures.h"

#include <stdio.h>
#include <string.h>

#include "gridledger/civdate.h"

static const char *const seg_names[] = {"residential", "commercial", "industrial", "agricultural", "other", "large",
                                        NULL};
static const char *const reading_names[] = {"monthly", "daily_frozen", "interval", NULL};
static const char *const billing_names[] = {"monthly", "instalments", "prepayment", "load_controlled", NULL};
static const char *const deposit_names[] = {"cash_or_non_cash", "cash", "non_cash", NULL};
static const char *const change_names[] = {"none", "propose", "in_force", "release"};

#define MEASURES_MIN_POLL_S 60
#define MEASURES_MAX_POLL_S 86400

static void set_methods(measures_entry *e, const char *const *m)
{
    for (e->nmethods = 0; m[e->nmethods] != NULL && e->nmethods < MEASURES_MAX_METHODS; e->nmethods++)
        snprintf(e->methods[e->nmethods], MEASURES_METHOD_MAX, "%s", m[e->nmethods]);
}

/* A large customer: read closely, an account manager; the top grade settles
 * in instalments on the 10th and 20th, the lowest buys its energy. */
static void large_default(measures_entry *e, int top, int low)
{
    e->poll_interval_s = top ? 3600 : 900;
    e->reading = low ? MEASURES_READ_INTERVAL : MEASURES_READ_DAILY_FROZEN;
    e->watch_swings = !top;
    e->account_manager = 1;
    e->reconnect_hours = top ? 2 : 4;
    if (top) {
        e->billing = MEASURES_BILL_INSTALMENTS;
        e->ndays = 2;
        e->days[0] = 10;
        e->days[1] = 20;
    } else if (low) {
        e->billing = MEASURES_BILL_LOAD_CONTROLLED;
    }
    snprintf(e->service, sizeof e->service, "%s", top ? "account manager; priority handling; instalment settlement"
                                                  : low ? "account manager; load-controlled purchase; swings watched"
                                                        : "account manager; daily frozen readings; swings watched");
}

static void entry_default(measures_entry *e, int seg, int grade, int ngrades)
{
    static const char *const top_m[] = {"counter", "bank", "mobile", "direct_debit", NULL};
    static const char *const mid_m[] = {"counter", "bank", "mobile", NULL};
    static const char *const low_m[] = {"counter", "prepaid_purchase", NULL};
    int top = grade == 0, low = grade == ngrades - 1;
    memset(e, 0, sizeof *e);
    e->priority = top;
    e->reconnect_hours = 24;
    e->deposit = low ? MEASURES_DEP_CASH : MEASURES_DEP_CASH_OR_NON_CASH;
    set_methods(e, top ? top_m : low ? low_m : mid_m);
    if (low)
        e->billing = MEASURES_BILL_PREPAYMENT;
    snprintf(e->service, sizeof e->service, "%s", top ? "priority handling; reminder before each due date"
                                                  : low ? "notices as the collection ladder says; prepayment offered"
                                                        : "standard service; reminder before each due date");
    if (seg == MEASURES_SEG_LARGE)
        large_default(e, top, low);
}

void measures_cfg_default(measures_cfg *cfg, int ngrades)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->large_kva_milli = 315000; /* 315 kVA: a 10 kV connection of its own */
    cfg->max_arrears_per_year = 5;
    cfg->deposit_reminder_days = 30;
    for (int g = 0; g < GRADE_MAX; g++) {
        cfg->pop_min[g] = -1;
        cfg->pop_max[g] = -1;
        for (int s = 0; s < MEASURES_SEG_COUNT; s++)
            entry_default(&cfg->table[s][g], s, g, ngrades);
    }
}

static int get_int(jsonv_doc *doc, const cJSON *o, const char *path, const char *key, long long lo, long long hi,
                   int *io)
{
    long long v = *io;
    int ok = jsonv_get_int(doc, o, path, key, 0, *io, lo, hi, &v);
    if (ok)
        *io = (int)v;
    return ok;
}

static void get_enum(jsonv_doc *doc, const cJSON *o, const char *path, const char *key, const char *const *names,
                     int *io)
{
    int v = *io;
    if (jsonv_get_enum(doc, o, path, key, 0, names, v, &v))
        *io = v;
}

/* instalment_days: 1..3 days of the month, 1..28, rising. */
static void parse_days(jsonv_doc *doc, const cJSON *o, const char *path, measures_entry *e)
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "instalment_days"), *it;
    int n = 0, days[MEASURES_MAX_INSTALMENTS - 1];
    jsonv_path_key(p, sizeof p, path, "instalment_days");
    if (arr == NULL || !jsonv_check_array(doc, arr, p, MEASURES_MAX_INSTALMENTS - 1))
        return;
    cJSON_ArrayForEach(it, arr)
    {
        jsonv_path_index(q, sizeof q, p, n);
        if (!cJSON_IsNumber(it) || it->valuedouble != (double)(int)it->valuedouble || it->valueint < 1 ||
            it->valueint > 28) {
            jsonv_error(doc, it, q, "must be a day of the month 1..28");
            return;
        }
        if (n > 0 && it->valueint <= days[n - 1]) {
            jsonv_error(doc, it, q, "days must rise");
            return;
        }
        days[n++] = it->valueint;
    }
    e->ndays = n;
    memcpy(e->days, days, sizeof days);
}

static void parse_methods(jsonv_doc *doc, const cJSON *o, const char *path, measures_entry *e)
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "payment_methods"), *it;
    measures_entry t = *e;
    jsonv_path_key(p, sizeof p, path, "payment_methods");
    if (arr == NULL || !jsonv_check_array(doc, arr, p, MEASURES_MAX_METHODS))
        return;
    t.nmethods = 0;
    cJSON_ArrayForEach(it, arr)
    {
        jsonv_path_index(q, sizeof q, p, t.nmethods);
        if (!cJSON_IsString(it) || strlen(it->valuestring) == 0 || strlen(it->valuestring) >= MEASURES_METHOD_MAX) {
            jsonv_error(doc, it, q, "must be a string of 1..%d characters", MEASURES_METHOD_MAX - 1);
            return;
        }
        snprintf(t.methods[t.nmethods++], MEASURES_METHOD_MAX, "%s", it->valuestring);
    }
    *e = t;
}

static void parse_entry(jsonv_doc *doc, const cJSON *o, const char *path, measures_entry *e)
{
    static const char *const keys[] = {"poll_interval_s", "reading", "watch_swings", "billing", "instalment_days",
                                       "deposit", "reconnect_hours", "priority", "account_manager",
                                       "payment_methods", "service", NULL};
    char p[JSONV_PATH_MAX];
    int v;
    if (!jsonv_check_object(doc, o, path))
        return;
    jsonv_check_keys(doc, o, path, keys);
    if (get_int(doc, o, path, "poll_interval_s", 0, MEASURES_MAX_POLL_S, &e->poll_interval_s) &&
        e->poll_interval_s > 0 && e->poll_interval_s < MEASURES_MIN_POLL_S) {
        jsonv_path_key(p, sizeof p, path, "poll_interval_s");
        jsonv_error(doc, cJSON_GetObjectItemCaseSensitive(o, "poll_interval_s"), p,
                    "must be 0 (the gateway's poll_interval_s) or %d..%d", MEASURES_MIN_POLL_S, MEASURES_MAX_POLL_S);
    }
    v = (int)e->reading;
    get_enum(doc, o, path, "reading", reading_names, &v);
    e->reading = (measures_reading)v;
    jsonv_get_bool(doc, o, path, "watch_swings", 0, e->watch_swings, &e->watch_swings);
    v = (int)e->billing;
    get_enum(doc, o, path, "billing", billing_names, &v);
    e->billing = (measures_billing)v;
    parse_days(doc, o, path, e);
    v = (int)e->deposit;
    get_enum(doc, o, path, "deposit", deposit_names, &v);
    e->deposit = (measures_deposit_kind)v;
    get_int(doc, o, path, "reconnect_hours", 1, 72, &e->reconnect_hours);
    jsonv_get_bool(doc, o, path, "priority", 0, e->priority, &e->priority);
    jsonv_get_bool(doc, o, path, "account_manager", 0, e->account_manager, &e->account_manager);
    parse_methods(doc, o, path, e);
    if (cJSON_GetObjectItemCaseSensitive(o, "service") != NULL)
        jsonv_get_string(doc, o, path, "service", 0, NULL, e->service, sizeof e->service);
    if (e->billing == MEASURES_BILL_INSTALMENTS && e->ndays == 0) {
        jsonv_path_key(p, sizeof p, path, "billing");
        jsonv_error(doc, cJSON_GetObjectItemCaseSensitive(o, "billing"), p,
                    "instalments need instalment_days (1..3 days of the month)");
    }
}

/* table: {"SEGMENT": {"GRADE": {cell}}}; a cell given changes only its keys. */
static void parse_table(jsonv_doc *doc, const cJSON *node, const char *path, const grade_cfg *g, measures_cfg *cfg)
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *seg, *cell;
    if (node == NULL || !jsonv_check_object(doc, node, path))
        return;
    jsonv_check_keys(doc, node, path, seg_names);
    for (int s = 0; s < MEASURES_SEG_COUNT; s++) {
        seg = cJSON_GetObjectItemCaseSensitive(node, seg_names[s]);
        jsonv_path_key(p, sizeof p, path, seg_names[s]);
        if (seg == NULL || !jsonv_check_object(doc, seg, p))
            continue;
        cJSON_ArrayForEach(cell, seg)
        {
            int k = grade_find(g, cell->string);
            jsonv_path_key(q, sizeof q, p, cell->string);
            if (k < 0)
                jsonv_error(doc, cell, q, "no grade named \"%s\" in credit.grades", cell->string);
            else
                parse_entry(doc, cell, q, &cfg->table[s][k]);
        }
    }
}

/* population: {"GRADE": {"min": N, "max": N}}. */
static void parse_population(jsonv_doc *doc, const cJSON *node, const char *path, const grade_cfg *g,
                             measures_cfg *cfg)
{
    static const char *const keys[] = {"min", "max", NULL};
    char p[JSONV_PATH_MAX];
    const cJSON *it;
    if (node == NULL || !jsonv_check_object(doc, node, path))
        return;
    cJSON_ArrayForEach(it, node)
    {
        int k = grade_find(g, it->string), lo = -1, hi = -1;
        jsonv_path_key(p, sizeof p, path, it->string);
        if (k < 0) {
            jsonv_error(doc, it, p, "no grade named \"%s\" in credit.grades", it->string);
            continue;
        }
        if (!jsonv_check_object(doc, it, p))
            continue;
        jsonv_check_keys(doc, it, p, keys);
        get_int(doc, it, p, "min", 0, 1000000, &lo);
        get_int(doc, it, p, "max", 0, 1000000, &hi);
        if (lo >= 0 && hi >= 0 && hi < lo)
            jsonv_error(doc, it, p, "max must not be below min");
        cfg->pop_min[k] = lo;
        cfg->pop_max[k] = hi;
    }
}

int measures_cfg_parse(jsonv_doc *doc, const cJSON *node, const char *path, const grade_cfg *g, measures_cfg *cfg)
{
    static const char *const keys[] = {"large_capacity_kva", "max_arrears_per_year", "deposit_reminder_days",
                                       "population", "table", NULL};
    int before = jsonv_errors(doc);
    char p[JSONV_PATH_MAX];
    if (node == NULL)
        return 0;
    if (!jsonv_check_object(doc, node, path))
        return jsonv_errors(doc) - before;
    jsonv_check_keys(doc, node, path, keys);
    jsonv_get_decimal(doc, node, path, "large_capacity_kva", 0, cfg->large_kva_milli, 3, 0, 1000000000000LL,
                      &cfg->large_kva_milli);
    get_int(doc, node, path, "max_arrears_per_year", 0, 24, &cfg->max_arrears_per_year);
    get_int(doc, node, path, "deposit_reminder_days", 1, 365, &cfg->deposit_reminder_days);
    jsonv_path_key(p, sizeof p, path, "population");
    parse_population(doc, cJSON_GetObjectItemCaseSensitive(node, "population"), p, g, cfg);
    jsonv_path_key(p, sizeof p, path, "table");
    parse_table(doc, cJSON_GetObjectItemCaseSensitive(node, "table"), p, g, cfg);
    return jsonv_errors(doc) - before;
}

int measures_segment(const measures_cfg *cfg, ledger_class klass, int64_t capacity_kva_milli)
{
    if (cfg->large_kva_milli > 0 && capacity_kva_milli >= cfg->large_kva_milli)
        return MEASURES_SEG_LARGE;
    return (unsigned)klass < LEDGER_CLASS_COUNT ? (int)klass : LEDGER_CLASS_OTHER;
}

/* The deposit: the cash held is returned once the refund rule holds, else
 * the shortfall against what the class and grade require is requested.
 * Non-cash deposits in force (guarantees, bonds) count toward the
 * requirement unless the cell asks for cash; they are never "returned":
 * they expire. */
static void eval_deposit(const measures_entry *e, const measures_input *in, measures_result *out)
{
    int64_t cash = in->deposit_held_fen > 0 ? in->deposit_held_fen : 0;
    int64_t noncash = e->deposit != MEASURES_DEP_CASH && in->deposit_noncash_fen > 0 ? in->deposit_noncash_fen : 0;
    out->deposit_held_fen = cash + noncash;
    if (in->deposit_refundable && cash > 0) {
        out->deposit = MEASURES_RELEASE;
        out->deposit_fen = cash;
    } else if (in->deposit_required_fen > out->deposit_held_fen) {
        out->deposit = MEASURES_PROPOSE;
        out->deposit_fen = in->deposit_required_fen - out->deposit_held_fen;
    }
}

gl_status measures_eval(const measures_cfg *cfg, const measures_input *in, measures_result *out)
{
    if (cfg == NULL || in == NULL || out == NULL || in->grade < 0 || in->grade >= GRADE_MAX)
        return GL_EINVAL;
    memset(out, 0, sizeof *out);
    out->segment = measures_segment(cfg, in->klass, in->capacity_kva_milli);
    out->grade = in->grade;
    out->e = &cfg->table[out->segment][in->grade];
    if (out->e->billing == MEASURES_BILL_PREPAYMENT || out->e->billing == MEASURES_BILL_LOAD_CONTROLLED)
        out->payment_mode = in->prepaid ? MEASURES_IN_FORCE : MEASURES_PROPOSE;
    eval_deposit(out->e, in, out);
    out->singled_out = cfg->max_arrears_per_year > 0 && in->overdue_bills > cfg->max_arrears_per_year;
    return GL_OK;
}

int measures_population(const measures_cfg *cfg, int ngrades, const int *counts, int *out)
{
    int outside = 0;
    for (int g = 0; g < ngrades && g < GRADE_MAX; g++) {
        out[g] = 0;
        if (cfg->pop_min[g] >= 0 && counts[g] < cfg->pop_min[g])
            out[g] = -1;
        else if (cfg->pop_max[g] >= 0 && counts[g] > cfg->pop_max[g])
            out[g] = 1;
        outside += out[g] != 0;
    }
    return outside;
}

/* The first date on or after from whose day of the month is day. */
static int32_t next_day_of_month(int32_t from, int day)
{
    int y, m, d;
    civdate_to_ymd(from, &y, &m, &d);
    if (d > day && ++m > 12) {
        m = 1;
        y++;
    }
    return civdate_from_ymd(y, m, day);
}

gl_status measures_instalments(const measures_entry *e, int32_t from, int32_t to, int due_days,
                               const int64_t *provisional_fen, int64_t monthly_fen, measures_instalment *out,
                               int *n)
{
    int64_t settled = 0;
    if (e == NULL || out == NULL || n == NULL || e->billing != MEASURES_BILL_INSTALMENTS || to <= from ||
        due_days < 0 || (e->ndays > 0 && provisional_fen == NULL))
        return GL_EINVAL;
    *n = 0;
    for (int i = 0; i < e->ndays; i++) {
        int32_t date = next_day_of_month(from, e->days[i]);
        if (date >= to || provisional_fen[i] == 0)
            continue; /* carried to the close */
        if (__builtin_add_overflow(settled, provisional_fen[i], &settled))
            return GL_EOVERFLOW;
        int k = (*n)++;
        for (; k > 0 && out[k - 1].date > date; k--) /* in date order when the period spans two months */
            out[k] = out[k - 1];
        out[k] = (measures_instalment){date, date + due_days, provisional_fen[i], 0};
    }
    int64_t last;
    if (__builtin_sub_overflow(monthly_fen, settled, &last))
        return GL_EOVERFLOW;
    out[*n] = (measures_instalment){to, to + due_days, last, 1};
    (*n)++;
    return GL_OK;
}

const char *measures_segment_name(int segment)
{
    return segment >= 0 && segment < MEASURES_SEG_COUNT ? seg_names[segment] : "?";
}

const char *measures_reading_name(measures_reading r)
{
    return (unsigned)r <= MEASURES_READ_INTERVAL ? reading_names[r] : "?";
}

const char *measures_billing_name(measures_billing b)
{
    return (unsigned)b <= MEASURES_BILL_LOAD_CONTROLLED ? billing_names[b] : "?";
}

const char *measures_deposit_name(measures_deposit_kind k)
{
    return (unsigned)k <= MEASURES_DEP_NON_CASH ? deposit_names[k] : "?";
}

const char *measures_change_name(measures_change c)
{
    return (unsigned)c <= MEASURES_RELEASE ? change_names[c] : "?";
}
