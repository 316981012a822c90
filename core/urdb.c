/* urdb.c: URDB rate JSON -> gridledger tariff JSON (see urdb.h and
 * docs/tariffs.md, "URDB import"). */
#include "gridledger/urdb.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gridledger/civdate.h"
#include "gridledger/ident.h"
#include "gridledger/jsonv.h"
#include "gridledger/money.h"
#include "gridledger/textbuf.h"

#define URDB_PERIODS TARIFF_MAX_PERIODS
#define URDB_NUM_TEXT 64
#define URDB_SECONDS_PER_DAY 86400LL

/* Output text: a textbuf over the caller's storage (its cap is the bound). */
typedef textbuf sbuf;

typedef struct {
    jsonv_doc *doc;
    const cJSON *rate; /* the rate object */
    char path[JSONV_PATH_MAX];
    int nperiods, ntiers[URDB_PERIODS], used[URDB_PERIODS];
    int unit[URDB_PERIODS]; /* the period's tier unit: 0 not given, 1 "kWh" (a month), 2 "kWh daily", 3 "kWh/kW" */
    int64_t price_micro[URDB_PERIODS][TARIFF_MAX_TIERS];
    int64_t bound_wh[URDB_PERIODS][TARIFF_MAX_TIERS]; /* each period's tier maxima */
    uint8_t weekday[12][24], weekend[12][24];
    /* time-of-use demand: demandratestructure and its schedules */
    int dnperiods, dused[URDB_PERIODS], dntiers[URDB_PERIODS];
    int64_t dprice_micro[URDB_PERIODS][TARIFF_MAX_TIERS], dbound_w[URDB_PERIODS][TARIFF_MAX_TIERS];
    uint8_t dweekday[12][24], dweekend[12][24];
    int64_t fixed_micro, minimum_micro, demand_micro, fuel_micro;
    int demand_by_month, fuel_by_month; /* the prices change by month: demand_m, fuel_m */
    int64_t demand_m[12], fuel_m[12];
    /* flatdemandstructure with tiers: each period's ladder, and the period of each month */
    int fntiers[URDB_PERIODS], fmonth[12], flat_tiers;
    int64_t fprice_micro[URDB_PERIODS][TARIFF_MAX_TIERS], fbound_w[URDB_PERIODS][TARIFF_MAX_TIERS];
    /* a ratchet: months looked back (0: none), the calendar months looked at, percent by month (scale 3) */
    int ratchet_months;
    unsigned ratchet_mask;
    int64_t ratchet_pct[12];
    int64_t annual_min_micro; /* annualmincharge */
    int64_t sell_micro[URDB_PERIODS][TARIFF_MAX_TIERS]; /* energy tiers' "sell" */
    int has_sell;
    const char *fixed_unit, *minimum_unit; /* "month", "day" or "year" */
    int64_t window_min;                    /* demandwindow: 0 (none), 15, 30 or 60 */
    int64_t kvar_micro;                    /* demandreactivepowercharge, $/kVAR */
    int32_t from_day, to_day; /* to_day TARIFF_NO_END when open */
} conv;

/* Fields a rate may carry that say nothing a bill depends on (applicability,
 * provenance, comments) or that are read below. Anything else is refused. */
static const char *const known_keys[] = {
    "label", "uri", "approved", "is_default", "isdefault", "utility", "utility_info", "eiaid", "name",
    "sector", "servicetype", "description", "source", "sourceparent", "supersedes", "revisions", "country",
    "latest_update", "startdate", "enddate", "voltagecategory", "phasewiring", "voltageminimum",
    "voltagemaximum", "peakkwcapacitymin", "peakkwcapacitymax", "peakkwcapacityhistory", "peakkwhusagemin",
    "peakkwhusagemax", "peakkwhusagehistory", "energycomments", "demandcomments", "basicinformationcomments",
    "energytoulabels", "demandtoulabels", "energyattrs", "demandattrs", "fixedattrs", "dgrules", "demandwindow",
    "demandmin", "demandmax", "demandunits", "demandrateunit", "energyratestructure", "energyweekdayschedule",
    "energyweekendschedule", "fixedchargefirstmeter", "fixedchargeunits", "fixedmonthlycharge",
    "fixedchargeeaaddl", "mincharge", "minchargeunits", "minmonthlycharge", "annualmincharge",
    "flatdemandstructure", "flatdemandmonths", "flatdemandunit", "demandratestructure", "demandweekdayschedule",
    "demandweekendschedule", "coincidentratestructure", "coincidentrateschedule", "coincidentrateunit",
    "demandratchetpercentage", "demandreactivepowercharge", "fueladjustmentsmonthly", "lookbackpercent",
    "lookbackrange", "lookbackmonths", "is_latest", "usenetmetering", "energykeyvals", "demandkeyvals",
    "fixedkeyvals", NULL};

/* ---- output ---------------------------------------------------------- */

/* A decimal string: v in units of 10^-scale, trailing zeros trimmed (at least min decimals). */
static void sb_dec(sbuf *s, int64_t v, int scale, int min_decimals)
{
    char t[MONEY_FMT_MAX];
    if (money_format_trim(v, scale, min_decimals, t, sizeof t) != GL_OK) {
        textbuf_fail(s, GL_EBOUND);
        return;
    }
    textbuf_json_str(s, t);
}

/* ---- reading --------------------------------------------------------- */

static void sub(char *out, const char *parent, const char *key)
{
    jsonv_path_key(out, JSONV_PATH_MAX, parent, key);
}

static void subi(char *out, const char *parent, int i)
{
    jsonv_path_index(out, JSONV_PATH_MAX, parent, i);
}

static int fail(conv *C, const cJSON *node, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(conv *C, const cJSON *node, const char *path, const char *fmt, ...)
{
    char msg[DIAG_LINE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    jsonv_error(C->doc, node, path, "%s", msg);
    return 0;
}

/* A warning: a diag line like an error's, with "warning: ", that does not
 * make the conversion fail (the CLI prints it with the tariff). */
static void warn(conv *C, const cJSON *node, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void warn(conv *C, const cJSON *node, const char *path, const char *fmt, ...)
{
    char msg[DIAG_LINE];
    int line, col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    jsonv_pos(C->doc, node, 0, &line, &col);
    diag_add(jsonv_diag(C->doc), "%s:%d:%d: %s: warning: %s", jsonv_file(C->doc), line, col,
             path[0] ? path : "(top)", msg);
}

/* Rewrites a JSON number literal ("-1.5e-05") as a plain decimal ("-0.000015").
 * Returns 0 if it is not one or does not fit. */
static int plain_decimal(const char *lit, char *out, size_t cap)
{
    char digits[URDB_NUM_TEXT];
    size_t nd = 0, o = 0;
    int point = -1, neg = 0;
    long exp10 = 0;
    const char *p = lit;
    if (*p == '-')
        neg = 1, p++;
    for (; (*p >= '0' && *p <= '9') || *p == '.'; p++) {
        if (*p == '.')
            point = (int)nd;
        else if (nd + 1 < sizeof digits)
            digits[nd++] = *p;
        else
            return 0;
    }
    if (nd == 0)
        return 0;
    if (point < 0)
        point = (int)nd;
    if (*p == 'e' || *p == 'E') {
        int eneg = 0, ne = 0;
        p++;
        if (*p == '+' || *p == '-')
            eneg = *p++ == '-';
        for (; *p >= '0' && *p <= '9'; p++, ne++)
            if ((exp10 = exp10 * 10 + (*p - '0')) > 40)
                return 0;
        if (ne == 0)
            return 0;
        exp10 = eneg ? -exp10 : exp10;
    }
    if (*p != '\0')
        return 0;
    long at = point + exp10; /* digits before the point */
    if (cap < nd + 48)
        return 0;
    if (neg)
        out[o++] = '-';
    if (at <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (long i = at; i < 0; i++)
            out[o++] = '0';
        memcpy(out + o, digits, nd);
        o += nd;
    } else {
        for (long i = 0; i < at || i < (long)nd; i++) {
            if (i == at)
                out[o++] = '.';
            out[o++] = i < (long)nd ? digits[i] : '0';
        }
    }
    out[o] = '\0';
    return 1;
}

/* A URDB quantity: a JSON number (read from its text) or a decimal string,
 * in units of 10^-scale, lo..hi. */
static int get_dec_node(conv *C, const cJSON *n, const char *path, int scale, int64_t lo, int64_t hi,
                        int64_t *out)
{
    char lit[URDB_NUM_TEXT], plain[URDB_NUM_TEXT + 48];
    const char *t = NULL;
    if (cJSON_IsString(n))
        t = n->valuestring;
    else if (cJSON_IsNumber(n) && jsonv_number_text(C->doc, n, lit, sizeof lit) &&
             plain_decimal(lit, plain, sizeof plain))
        t = plain;
    if (t == NULL)
        return fail(C, n, path, "must be a number");
    gl_status st = money_parse(t, scale, out);
    if (st == GL_ERANGE && scale == MONEY_SCALE_PRICE) {
        /* URDB keeps prices as binary floats: 19.539 comes as 19.538999557495117 */
        st = money_parse_round(t, scale, MONEY_HALF_EVEN, out);
        if (st == GL_OK) {
            char r[MONEY_FMT_MAX];
            money_format_trim(*out, scale, 0, r, sizeof r);
            warn(C, n, path, "%s has more than %d decimals (a binary-float artefact): taken as %s", t, scale, r);
        }
    }
    if (st == GL_ERANGE)
        return fail(C, n, path, "more than %d decimals: gridledger keeps %d", scale, scale);
    if (st != GL_OK)
        return fail(C, n, path, "must be a decimal number");
    if (*out < lo || *out > hi)
        return fail(C, n, path, "out of range");
    return 1;
}

/* Member key of obj as a quantity; absent gives def. */
static int get_dec(conv *C, const cJSON *obj, const char *path, const char *key, int64_t def, int scale,
                   int64_t lo, int64_t hi, int64_t *out)
{
    char p[JSONV_PATH_MAX];
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = def;
    if (n == NULL || cJSON_IsNull(n))
        return 1;
    sub(p, path, key);
    return get_dec_node(C, n, p, scale, lo, hi, out);
}

/* A string member that, when present, must be one of `ok` (NULL-terminated). */
static int check_unit(conv *C, const char *key, const char *const *ok, const char *what)
{
    char p[JSONV_PATH_MAX];
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(C->rate, key);
    if (n == NULL || cJSON_IsNull(n))
        return 1;
    sub(p, C->path, key);
    if (!cJSON_IsString(n))
        return fail(C, n, p, "must be a string");
    for (int i = 0; ok[i]; i++)
        if (strcmp(n->valuestring, ok[i]) == 0)
            return 1;
    return fail(C, n, p, "\"%s\": not supported (%s)", n->valuestring, what);
}

static int is_zero_number(conv *C, const cJSON *n, const char *path)
{
    int64_t v = 0;
    if (cJSON_IsNull(n))
        return 1;
    if (!get_dec_node(C, n, path, MONEY_SCALE_PRICE, -TARIFF_MAX_PRICE_MICRO, TARIFF_MAX_PRICE_MICRO, &v))
        return 0;
    return v == 0 ? 1 : -1;
}

/* A feature gridledger does not bill is accepted only when it is all zeros:
 * a number, a list of numbers, or a rate structure [[{"rate", "adj", ...}]]. */
static int refuse_nonzero(conv *C, const cJSON *n, const char *path, const char *what)
{
    char p[JSONV_PATH_MAX];
    if (cJSON_IsArray(n)) {
        int i = 0;
        for (const cJSON *c = n->child; c; c = c->next, i++) {
            subi(p, path, i);
            if (!refuse_nonzero(C, c, p, what))
                return 0;
        }
        return 1;
    }
    if (cJSON_IsObject(n)) {
        static const char *const money_keys[] = {"rate", "adj", NULL};
        for (int k = 0; money_keys[k]; k++) {
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(n, money_keys[k]);
            sub(p, path, money_keys[k]);
            if (c != NULL && !refuse_nonzero(C, c, p, what))
                return 0;
        }
        return 1;
    }
    int z = is_zero_number(C, n, path);
    if (z < 0)
        return fail(C, n, path, "%s: not supported by gridledger tariffs", what);
    return z;
}

/* ---- energy ---------------------------------------------------------- */

/* A tier's "max" (kWh or kW, scale 3) into bounds[tier]: needed on every tier but the last,
 * above the one before; on the last it is ignored with a warning (`what` above it is billed at
 * the last tier's rate). */
static int tier_max(conv *C, const cJSON *t, const char *path, int tier, int last, const char *what,
                    int64_t *bounds)
{
    char p[JSONV_PATH_MAX];
    int64_t v;
    const cJSON *max = cJSON_GetObjectItemCaseSensitive(t, "max");
    sub(p, path, "max");
    if (last) {
        if (max != NULL)
            warn(C, max, p, "a max on the last tier: %s above it is billed at this tier's rate", what);
        return 1;
    }
    if (max == NULL)
        return fail(C, t, path, "needs \"max\" (every tier but the last)");
    if (!get_dec_node(C, max, p, MONEY_SCALE_WH, 1, TARIFF_MAX_ENERGY_WH, &v))
        return 0;
    if (tier > 0 && v <= bounds[tier - 1])
        return fail(C, max, p, "must be above the max before it");
    bounds[tier] = v;
    return 1;
}

static int parse_tier(conv *C, const cJSON *t, const char *path, int period, int tier, int last)
{
    static const char *const keys[] = {"max", "unit", "rate", "adj", "sell", NULL};
    char p[JSONV_PATH_MAX];
    int64_t rate, adj, sell;
    if (!jsonv_check_object(C->doc, t, path))
        return 0;
    jsonv_check_keys(C->doc, t, path, keys);
    const cJSON *unit = cJSON_GetObjectItemCaseSensitive(t, "unit");
    sub(p, path, "unit");
    int u = unit == NULL                                                             ? 0
            : cJSON_IsString(unit) && strcasecmp(unit->valuestring, "kWh") == 0       ? 1
            : cJSON_IsString(unit) && strcasecmp(unit->valuestring, "kWh daily") == 0 ? 2
            : cJSON_IsString(unit) && strcasecmp(unit->valuestring, "kWh/kW") == 0    ? 3
                                                                                      : -1;
    if (u < 0)
        return fail(C, unit, p, "%s%s%s: only \"kWh\" (a month), \"kWh daily\" and \"kWh/kW\" tiers are supported",
                    cJSON_IsString(unit) ? "\"" : "", cJSON_IsString(unit) ? unit->valuestring : "unit",
                    cJSON_IsString(unit) ? "\"" : "");
    if (u != 0 && C->unit[period] != 0 && u != C->unit[period])
        return fail(C, unit, p, "\"%s\": the tiers of one period mix units (SAM's kWh steps within kWh/kW blocks "
                    "are not supported)", unit->valuestring);
    if (u != 0)
        C->unit[period] = u;
    if (jsonv_get(C->doc, t, path, "rate", 1) == NULL)
        return 0;
    if (!get_dec(C, t, path, "rate", 0, MONEY_SCALE_PRICE, -TARIFF_MAX_PRICE_MICRO, TARIFF_MAX_PRICE_MICRO, &rate) ||
        !get_dec(C, t, path, "adj", 0, MONEY_SCALE_PRICE, -TARIFF_MAX_PRICE_MICRO, TARIFF_MAX_PRICE_MICRO, &adj) ||
        !get_dec(C, t, path, "sell", 0, MONEY_SCALE_PRICE, -TARIFF_MAX_PRICE_MICRO, TARIFF_MAX_PRICE_MICRO, &sell))
        return 0;
    if (sell < 0) {
        sub(p, path, "sell");
        return fail(C, cJSON_GetObjectItemCaseSensitive(t, "sell"), p, "must not be negative");
    }
    C->sell_micro[period][tier] = sell;
    C->has_sell |= sell != 0;
    if (rate + adj < 0 || rate + adj > TARIFF_MAX_PRICE_MICRO)
        return fail(C, t, path, "rate + adj must be 0..%lld", (long long)(TARIFF_MAX_PRICE_MICRO / 1000000));
    C->price_micro[period][tier] = rate + adj;
    return tier_max(C, t, path, tier, last, "use", C->bound_wh[period]);
}

/* One tier of a rate structure: (conv, tier object, path, period, tier, last). */
typedef int (*tier_parser)(conv *, const cJSON *, const char *, int, int, int);

/* structure[p]: a list of 1..TARIFF_MAX_TIERS tiers, each read by `one`; their count into *ntiers. */
static int parse_tier_list(conv *C, const cJSON *list, const char *path, int period, int *ntiers, tier_parser one)
{
    char p[JSONV_PATH_MAX];
    int n = cJSON_GetArraySize(list);
    if (!cJSON_IsArray(list) || n < 1)
        return fail(C, list, path, "must be a list of 1..%d tiers", TARIFF_MAX_TIERS);
    if (n > TARIFF_MAX_TIERS)
        return fail(C, list, path, "%d tiers: at most %d are supported", n, TARIFF_MAX_TIERS);
    *ntiers = n;
    int i = 0;
    for (const cJSON *t = list->child; t; t = t->next, i++) {
        subi(p, path, i);
        if (!one(C, t, p, period, i, i == n - 1))
            return 0;
    }
    return 1;
}

/* The periods of a rate structure: 1..URDB_PERIODS, or 0 after an error. */
static int period_count(conv *C, const cJSON *s, const char *path)
{
    int n = cJSON_GetArraySize(s);
    if (!cJSON_IsArray(s) || n < 1)
        return fail(C, s, path, "must be a list of periods");
    if (n > URDB_PERIODS)
        return fail(C, s, path, "%d periods: at most %d are supported", n, URDB_PERIODS);
    return n;
}

static int parse_period(conv *C, const cJSON *list, const char *path, int period)
{
    return parse_tier_list(C, list, path, period, &C->ntiers[period], parse_tier);
}

static int parse_energy(conv *C)
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *e = jsonv_get(C->doc, C->rate, C->path, "energyratestructure", 1);
    sub(p, C->path, "energyratestructure");
    if (e == NULL)
        return 0;
    int n = period_count(C, e, p);
    if (n == 0)
        return 0;
    C->nperiods = n;
    int i = 0;
    for (const cJSON *per = e->child; per; per = per->next, i++) {
        subi(q, p, i);
        if (!parse_period(C, per, q, i))
            return 0;
    }
    return 1;
}

/* A 12 x 24 matrix of period numbers 0..nperiods-1 of `structure`; the
 * periods met are marked in used[]. Absent: all period 0, allowed only when
 * there is one period. */
static int parse_schedule(conv *C, const char *key, const char *structure, int nperiods, int *used,
                          uint8_t out[12][24])
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX], r[JSONV_PATH_MAX];
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(C->rate, key);
    sub(p, C->path, key);
    memset(out, 0, 12 * 24);
    if (s == NULL && nperiods == 1) {
        used[0] = 1;
        return 1;
    }
    if (s == NULL)
        return fail(C, C->rate, C->path, "needs \"%s\" (there are %d periods)", key, nperiods);
    if (!cJSON_IsArray(s) || cJSON_GetArraySize(s) != 12)
        return fail(C, s, p, "must be 12 rows (January..December) of 24 hours");
    int m = 0;
    for (const cJSON *row = s->child; row; row = row->next, m++) {
        subi(q, p, m);
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != 24)
            return fail(C, row, q, "must be 24 period numbers (hours 0..23)");
        int h = 0;
        for (const cJSON *c = row->child; c; c = c->next, h++) {
            subi(r, q, h);
            int64_t v;
            if (!cJSON_IsNumber(c) || !get_dec_node(C, c, r, 0, 0, INT32_MAX, &v))
                return 0;
            if (v >= nperiods)
                return fail(C, c, r, "period %lld: %s has periods 0..%d", (long long)v, structure, nperiods - 1);
            out[m][h] = (uint8_t)v;
            used[v] = 1;
        }
    }
    return 1;
}

/* ---- fixed, minimum, demand, dates ----------------------------------- */

/* fixedchargeunits / minchargeunits: "$/month" (default), "$/day" or "$/year" -> our unit. */
static const char *charge_unit(conv *C, const char *key)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(C->rate, key);
    if (!cJSON_IsString(n))
        return "month";
    return strcmp(n->valuestring, "$/day") == 0 ? "day" : strcmp(n->valuestring, "$/year") == 0 ? "year" : "month";
}

static int parse_fixed(conv *C)
{
    static const char *const units[] = {"$/month", "$/day", "$/year", NULL};
    int64_t first, legacy, min, min_legacy, annual;
    const int64_t hi = TARIFF_MAX_PRICE_MICRO;
    if (!check_unit(C, "fixedchargeunits", units, "a fixed charge is per month, day or year") ||
        !check_unit(C, "minchargeunits", units, "a minimum charge is per month, day or year"))
        return 0;
    C->fixed_unit = charge_unit(C, "fixedchargeunits");
    C->minimum_unit = charge_unit(C, "minchargeunits");
    if (!get_dec(C, C->rate, C->path, "fixedchargefirstmeter", -1, MONEY_SCALE_PRICE, 0, hi, &first) ||
        !get_dec(C, C->rate, C->path, "fixedmonthlycharge", -1, MONEY_SCALE_PRICE, 0, hi, &legacy) ||
        !get_dec(C, C->rate, C->path, "mincharge", -1, MONEY_SCALE_PRICE, 0, hi, &min) ||
        !get_dec(C, C->rate, C->path, "minmonthlycharge", -1, MONEY_SCALE_PRICE, 0, hi, &min_legacy) ||
        !get_dec(C, C->rate, C->path, "annualmincharge", 0, MONEY_SCALE_PRICE, 0, hi, &annual))
        return 0;
    char p[JSONV_PATH_MAX];
    if (first >= 0 && legacy >= 0 && first != legacy) {
        sub(p, C->path, "fixedmonthlycharge");
        return fail(C, cJSON_GetObjectItemCaseSensitive(C->rate, "fixedmonthlycharge"), p,
                    "differs from fixedchargefirstmeter: which one applies is unclear");
    }
    if (min >= 0 && min_legacy >= 0 && min != min_legacy) {
        sub(p, C->path, "minmonthlycharge");
        return fail(C, cJSON_GetObjectItemCaseSensitive(C->rate, "minmonthlycharge"), p,
                    "differs from mincharge: which one applies is unclear");
    }
    C->annual_min_micro = annual;
    C->fixed_micro = first >= 0 ? first : legacy >= 0 ? legacy : 0;
    C->minimum_micro = min >= 0 ? min : min_legacy >= 0 ? min_legacy : 0;
    return 1;
}

/* One tier of flatdemandstructure[p]: rate + adj per kW, "max" kW on every tier but the last. */
static int parse_flat_tier(conv *C, const cJSON *t, const char *path, int period, int tier, int last)
{
    static const char *const keys[] = {"rate", "adj", "max", "unit", NULL};
    int64_t rate, adj;
    if (!jsonv_check_object(C->doc, t, path))
        return 0;
    jsonv_check_keys(C->doc, t, path, keys);
    if (!get_dec(C, t, path, "rate", 0, MONEY_SCALE_PRICE, -TARIFF_MAX_PRICE_MICRO, TARIFF_MAX_PRICE_MICRO, &rate) ||
        !get_dec(C, t, path, "adj", 0, MONEY_SCALE_PRICE, -TARIFF_MAX_PRICE_MICRO, TARIFF_MAX_PRICE_MICRO, &adj))
        return 0;
    if (rate + adj < 0 || rate + adj > TARIFF_MAX_PRICE_MICRO)
        return fail(C, t, path, "rate + adj must be 0..%lld", (long long)(TARIFF_MAX_PRICE_MICRO / 1000000));
    C->fprice_micro[period][tier] = rate + adj;
    return tier_max(C, t, path, tier, last, "demand", C->fbound_w[period]);
}

/* flatdemandstructure with flatdemandmonths: a price per kW of the month's
 * maximum demand, or a ladder of them (tiers), by month. */
static int parse_flat_demand(conv *C)
{
    static const char *const kw[] = {"kW", NULL};
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX], r[JSONV_PATH_MAX];
    int64_t price[URDB_PERIODS];
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(C->rate, "flatdemandstructure");
    sub(p, C->path, "flatdemandstructure");
    C->demand_micro = 0;
    if (s == NULL)
        return 1;
    if (!check_unit(C, "flatdemandunit", kw, "only demand per kW is supported"))
        return 0;
    int n = cJSON_GetArraySize(s);
    if (!cJSON_IsArray(s) || n > URDB_PERIODS)
        return fail(C, s, p, "must be a list of at most %d periods", URDB_PERIODS);
    int i = 0;
    for (const cJSON *per = s->child; per; per = per->next, i++) {
        subi(q, p, i);
        if (!parse_tier_list(C, per, q, i, &C->fntiers[i], parse_flat_tier))
            return 0;
        C->flat_tiers |= C->fntiers[i] > 1;
        price[i] = C->fprice_micro[i][0];
    }
    if (n == 0)
        return 1;
    const cJSON *months = cJSON_GetObjectItemCaseSensitive(C->rate, "flatdemandmonths");
    sub(q, C->path, "flatdemandmonths");
    if (months == NULL) {
        if (n > 1)
            return fail(C, C->rate, C->path, "needs \"flatdemandmonths\" (flatdemandstructure has %d periods)", n);
        for (int m = 0; m < 12; m++)
            C->demand_m[m] = price[0], C->fmonth[m] = 0;
        C->demand_micro = price[0] | C->flat_tiers;
        return 1;
    }
    if (!cJSON_IsArray(months) || cJSON_GetArraySize(months) != 12)
        return fail(C, months, q, "must be 12 period numbers (January..December)");
    int m = 0;
    for (const cJSON *c = months->child; c; c = c->next, m++) {
        int64_t v;
        subi(r, q, m);
        if (!cJSON_IsNumber(c) || !get_dec_node(C, c, r, 0, 0, n - 1, &v))
            return fail(C, c, r, "must be a period 0..%d of flatdemandstructure", n - 1);
        C->demand_by_month |= m > 0 && price[v] != C->demand_m[0];
        C->demand_m[m] = price[v];
        C->fmonth[m] = (int)v;
    }
    C->demand_micro = C->flat_tiers;
    for (m = 0; m < 12; m++) /* any price at all: the demand object is written */
        C->demand_micro |= C->demand_m[m];
    return 1;
}

/* fueladjustmentsmonthly: a per-kWh adder by month; the same in every month
 * becomes a surcharge, different ones are refused. */
static int parse_fuel(conv *C)
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(C->rate, "fueladjustmentsmonthly");
    sub(p, C->path, "fueladjustmentsmonthly");
    C->fuel_micro = 0;
    if (f == NULL)
        return 1;
    if (!cJSON_IsArray(f) || cJSON_GetArraySize(f) != 12)
        return fail(C, f, p, "must be 12 prices per kWh (January..December)");
    int m = 0;
    for (const cJSON *c = f->child; c; c = c->next, m++) {
        int64_t v;
        subi(q, p, m);
        if (!get_dec_node(C, c, q, MONEY_SCALE_PRICE, 0, TARIFF_MAX_PRICE_MICRO, &v))
            return 0;
        C->fuel_by_month |= m > 0 && v != C->fuel_m[0];
        C->fuel_m[m] = v;
        C->fuel_micro |= v;
    }
    return 1;
}

/* One tier of demandratestructure[p]: rate + adj per kW, "max" kW on every tier but the last. */
static int parse_demand_tier(conv *C, const cJSON *t, const char *path, int period, int tier, int last)
{
    static const char *const keys[] = {"rate", "adj", "max", "unit", NULL};
    int64_t rate, adj;
    if (!jsonv_check_object(C->doc, t, path))
        return 0;
    jsonv_check_keys(C->doc, t, path, keys);
    if (!get_dec(C, t, path, "rate", 0, MONEY_SCALE_PRICE, 0, TARIFF_MAX_PRICE_MICRO, &rate) ||
        !get_dec(C, t, path, "adj", 0, MONEY_SCALE_PRICE, -TARIFF_MAX_PRICE_MICRO, TARIFF_MAX_PRICE_MICRO, &adj))
        return 0;
    if (rate + adj < 0 || rate + adj > TARIFF_MAX_PRICE_MICRO)
        return fail(C, t, path, "rate + adj must be 0..%lld", (long long)(TARIFF_MAX_PRICE_MICRO / 1000000));
    C->dprice_micro[period][tier] = rate + adj;
    return tier_max(C, t, path, tier, last, "demand", C->dbound_w[period]) && jsonv_errors(C->doc) == 0;
}

/* demandratestructure[p] = [{"rate", "adj", "max"?, "unit"?}, ...]: the
 * period's price per kW of the month's highest demand in it, by tier. */
static int parse_demand_period(conv *C, const cJSON *list, const char *path, int period)
{
    return parse_tier_list(C, list, path, period, &C->dntiers[period], parse_demand_tier);
}

/* Time-of-use demand: demandratestructure with demandweekdayschedule and
 * demandweekendschedule; all prices 0 is no demand charge. */
static int parse_tou_demand(conv *C)
{
    static const char *const kw[] = {"kW", NULL};
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(C->rate, "demandratestructure");
    sub(p, C->path, "demandratestructure");
    C->dnperiods = 0;
    if (d == NULL || cJSON_IsNull(d))
        return 1;
    int n = period_count(C, d, p);
    if (n == 0 || !check_unit(C, "demandrateunit", kw, "only demand per kW is supported"))
        return 0;
    int i = 0;
    for (const cJSON *per = d->child; per; per = per->next, i++) {
        subi(q, p, i);
        if (!parse_demand_period(C, per, q, i))
            return 0;
    }
    int64_t any = 0;
    for (int k = 0; k < n; k++)
        for (int t = 0; t < C->dntiers[k]; t++)
            any |= C->dprice_micro[k][t];
    if (any == 0)
        return 1; /* all zero: no demand charge, the schedules do not matter */
    C->dnperiods = n;
    return parse_schedule(C, "demandweekdayschedule", "demandratestructure", n, C->dused, C->dweekday) &&
           parse_schedule(C, "demandweekendschedule", "demandratestructure", n, C->dused, C->dweekend);
}

/* demandwindow (minutes): the demand window, 15, 30 or 60 (block windows). */
static int parse_window(conv *C)
{
    char p[JSONV_PATH_MAX];
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(C->rate, "demandwindow");
    sub(p, C->path, "demandwindow");
    C->window_min = 0;
    if (n == NULL || cJSON_IsNull(n))
        return 1;
    if (!get_dec_node(C, n, p, 0, 0, 1440, &C->window_min))
        return 0;
    if (C->window_min != 0 && C->window_min != 15 && C->window_min != 30 && C->window_min != 60)
        return fail(C, n, p, "a %lld-minute demand window: gridledger bills 15, 30 or 60", (long long)C->window_min);
    return 1;
}

/* demandreactivepowercharge: $/kVAR of the month's highest reactive demand. */
static int parse_kvar(conv *C)
{
    return get_dec(C, C->rate, C->path, "demandreactivepowercharge", 0, MONEY_SCALE_PRICE, 0, TARIFF_MAX_PRICE_MICRO,
                   &C->kvar_micro);
}

/* startdate / enddate: Unix seconds (the API) or "YYYY-MM-DD[ HH:MM:SS]"
 * (the CSV download); the UTC calendar day is taken. */
static int get_day(conv *C, const char *key, int required, int32_t *out)
{
    char p[JSONV_PATH_MAX];
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(C->rate, key);
    sub(p, C->path, key);
    if (n == NULL || cJSON_IsNull(n) || (cJSON_IsString(n) && n->valuestring[0] == '\0')) {
        if (required)
            return fail(C, C->rate, C->path, "needs \"%s\" (a tariff needs the day it takes effect)", key);
        *out = TARIFF_NO_END;
        return 1;
    }
    if (cJSON_IsString(n)) {
        if (strlen(n->valuestring) < 10 || civdate_parse(n->valuestring, 10, out) != GL_OK)
            return fail(C, n, p, "must be Unix seconds or \"YYYY-MM-DD\"");
        return 1;
    }
    int64_t secs;
    if (!get_dec_node(C, n, p, 0, 0, 4102444800LL, &secs)) /* up to 2100-01-01 */
        return 0;
    *out = civdate_from_ymd(1970, 1, 1) + (int32_t)(secs / URDB_SECONDS_PER_DAY);
    return 1;
}

/* 1 if an energy period used has tiers per kW (URDB "kWh/kW"). */
static int has_kwh_per_kw(const conv *C)
{
    for (int q = 0; q < C->nperiods; q++)
        if (C->unit[q] == 3 && C->ntiers[q] > 1)
            return 1;
    return 0;
}

/* Sell rates (net billing: export credited at the sell price of its period):
 * one per period (the same on every tier), not under net metering. */
static int check_sell(conv *C)
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(C->rate, "energyratestructure");
    if (!C->has_sell)
        return 1;
    sub(p, C->path, "energyratestructure");
    for (int per = 0; per < C->nperiods; per++)
        for (int t = 1; t < C->ntiers[per]; t++)
            if (C->sell_micro[per][t] != C->sell_micro[per][0]) {
                subi(q, p, per);
                return fail(C, cJSON_GetArrayItem(s, per), q,
                            "sell rates that change by tier: gridledger credits export at one price a period");
            }
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(C->rate, "usenetmetering");
    if (cJSON_IsTrue(nm)) {
        sub(q, C->path, "usenetmetering");
        return fail(C, nm, q, "with sell rates: under net metering the export offsets use and a surplus is "
                              "settled later (SAM's net metering); gridledger credits export at the sell price "
                              "(net billing) only");
    }
    return 1;
}

/* lookbackmonths: 12 flags (true/false or 1/0), January..December, into *mask. */
static int parse_lookback_months(conv *C, unsigned *mask)
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *lm = cJSON_GetObjectItemCaseSensitive(C->rate, "lookbackmonths");
    sub(p, C->path, "lookbackmonths");
    *mask = 0;
    if (lm == NULL || cJSON_IsNull(lm))
        return 1;
    if (!cJSON_IsArray(lm) || cJSON_GetArraySize(lm) != 12)
        return fail(C, lm, p, "must be 12 flags (January..December)");
    int m = 0;
    for (const cJSON *c = lm->child; c; c = c->next, m++) {
        subi(q, p, m);
        int on = cJSON_IsTrue(c) || (cJSON_IsNumber(c) && c->valuedouble == 1);
        if (!on && !cJSON_IsFalse(c) && !(cJSON_IsNumber(c) && c->valuedouble == 0))
            return fail(C, c, q, "must be true or false");
        *mask |= (unsigned)on << m;
    }
    return 1;
}

/* A demand ratchet: demandratchetpercentage (12 fractions, by calendar
 * month) or lookbackpercent (one fraction) over lookbackrange months (or
 * the year's lookbackmonths); the billing demand is the higher of the
 * month's peak and an earlier month's peak x its fraction (docs/tariffs.md). */
static int parse_ratchet(conv *C)
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    int64_t pct[12] = {0}, look = 0, range = 0;
    int by_month = 0;
    unsigned mask = 0;
    const cJSON *dr = cJSON_GetObjectItemCaseSensitive(C->rate, "demandratchetpercentage");
    sub(p, C->path, "demandratchetpercentage");
    if (dr != NULL && !cJSON_IsNull(dr)) {
        if (!cJSON_IsArray(dr) || cJSON_GetArraySize(dr) != 12)
            return fail(C, dr, p, "must be 12 fractions (January..December; 0.8 is 80 %%)");
        int m = 0;
        for (const cJSON *c = dr->child; c; c = c->next, m++) {
            subi(q, p, m);
            if (!get_dec_node(C, c, q, 5, 0, 100000, &pct[m]))
                return 0;
            by_month |= pct[m] != 0;
        }
    }
    if (!get_dec(C, C->rate, C->path, "lookbackpercent", 0, 5, 0, TARIFF_MAX_ENERGY_WH, &look) ||
        !get_dec(C, C->rate, C->path, "lookbackrange", 0, 0, 0, 12, &range) || !parse_lookback_months(C, &mask))
        return 0;
    if (look > 100000) {
        sub(q, C->path, "lookbackpercent");
        return fail(C, cJSON_GetObjectItemCaseSensitive(C->rate, "lookbackpercent"), q,
                    "must be a fraction 0..1 (0.8 is 80 %%)");
    }
    if (!by_month && look == 0)
        return 1;
    sub(q, C->path, look != 0 ? "lookbackpercent" : "demandratchetpercentage");
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(C->rate, look != 0 ? "lookbackpercent" : "demandratchetpercentage");
    if (by_month && look != 0)
        return fail(C, at, q, "demandratchetpercentage is set too: which percentage applies is unclear");
    if (look != 0 && range == 0 && mask == 0)
        return fail(C, at, q, "needs lookbackrange or lookbackmonths: which earlier months count is not given");
    if (range != 0 && mask != 0)
        return fail(C, cJSON_GetObjectItemCaseSensitive(C->rate, "lookbackmonths"), p,
                    "lookbackrange is set too: URDB has one or the other");
    if (C->demand_micro == 0 && !has_kwh_per_kw(C))
        return fail(C, at, q, "a ratchet sets the billing demand of a flat demand charge or of kWh/kW tiers; this "
                              "rate has neither");
    for (int m = 0; m < 12; m++)
        C->ratchet_pct[m] = by_month ? pct[m] : look; /* a fraction at scale 5 is a percent at scale 3 */
    C->ratchet_months = range != 0 ? (int)range : mask != 0 ? 12 : 11;
    C->ratchet_mask = mask != 0 ? mask : 0xfffu;
    return 1;
}

/* Features gridledger does not bill: accepted only when all zero. */
static int parse_unsupported(conv *C)
{
    static const struct {
        const char *key, *what;
    } list[] = {
        {"coincidentratestructure", "coincident demand charges"},
    };
    char p[JSONV_PATH_MAX];
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(C->rate, list[i].key);
        sub(p, C->path, list[i].key);
        if (n != NULL && !refuse_nonzero(C, n, p, list[i].what))
            return 0;
    }
    return 1;
}

/* Fields about customers with generation: a bill of imported energy does not
 * change with them, so they are noted, not refused. */
static void note_generation(conv *C)
{
    char p[JSONV_PATH_MAX];
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(C->rate, "usenetmetering");
    sub(p, C->path, "usenetmetering");
    if (cJSON_IsTrue(n))
        warn(C, n, p, "net metering: gridledger bills the energy the usage gives; give it net of export for a "
                      "net-metered customer");
    n = cJSON_GetObjectItemCaseSensitive(C->rate, "fixedchargeeaaddl");
    sub(p, C->path, "fixedchargeeaaddl");
    if (n != NULL && !cJSON_IsNull(n) && !(cJSON_IsNumber(n) && n->valuedouble == 0))
        warn(C, n, p, "a charge for each meter beyond the first: a gridledger bill is one meter's, so it "
                      "never applies");
    n = cJSON_GetObjectItemCaseSensitive(C->rate, "dgrules");
    sub(p, C->path, "dgrules");
    if (cJSON_IsString(n) && n->valuestring[0] != '\0')
        warn(C, n, p, "rules for customers with generation (\"%s\"): not part of the tariff written", n->valuestring);
}

/* ---- writing --------------------------------------------------------- */

static void write_hours(sbuf *s, const uint8_t row[24], char prefix)
{
    int start = 0;
    textbuf_puts(s, "[");
    for (int h = 1; h <= 24; h++) {
        if (h < 24 && row[h] == row[start])
            continue;
        textbuf_printf(s, "%s[\"%02d:00\", \"%02d:00\", \"%c%d\"]", start ? ", " : "", start, h, prefix, row[start] + 1);
        start = h;
    }
    textbuf_puts(s, "]");
}

static void write_months(sbuf *s, const int *group, int g)
{
    int first = 1;
    textbuf_puts(s, "\"months\": [");
    for (int m = 0; m < 12; m++)
        if (group[m] == g) {
            textbuf_printf(s, "%s%d", first ? "" : ", ", m + 1);
            first = 0;
        }
    textbuf_puts(s, "]");
}

/* Months with the same weekday and weekend rows share calendar entries;
 * one entry for all days when the rows are equal, else a weekday entry and
 * a weekend + holiday entry. */
static void write_calendar(sbuf *s, const uint8_t weekday[12][24], const uint8_t weekend[12][24], char prefix)
{
    int group[12], ngroups = 0, first = 1;
    for (int m = 0; m < 12; m++) {
        group[m] = ngroups;
        for (int k = 0; k < m; k++)
            if (memcmp(weekday[k], weekday[m], 24) == 0 && memcmp(weekend[k], weekend[m], 24) == 0) {
                group[m] = group[k];
                break;
            }
        if (group[m] == ngroups)
            ngroups++;
    }
    textbuf_puts(s, "\"calendar\": [");
    for (int g = 0; g < ngroups; g++) {
        int m = 0;
        while (group[m] != g)
            m++;
        int same = memcmp(weekday[m], weekend[m], 24) == 0;
        textbuf_puts(s, first ? "\n        {" : ",\n        {");
        first = 0;
        write_months(s, group, g);
        textbuf_puts(s, same ? ", \"hours\": " : ", \"days\": [\"weekday\"], \"hours\": ");
        write_hours(s, weekday[m], prefix);
        textbuf_puts(s, "}");
        if (!same) {
            textbuf_puts(s, ",\n        {");
            write_months(s, group, g);
            textbuf_puts(s, ", \"days\": [\"weekend\", \"holiday\"], \"hours\": ");
            write_hours(s, weekend[m], prefix);
            textbuf_puts(s, "}");
        }
    }
    textbuf_puts(s, "\n      ]");
}

/* 1 if some month uses more than one period (time of use within the month);
 * 0 if every month has one period (a seasonal rate). */
static int months_mix_periods(const conv *C)
{
    for (int m = 0; m < 12; m++)
        for (int h = 0; h < 24; h++)
            if (C->weekday[m][h] != C->weekday[m][0] || C->weekend[m][h] != C->weekday[m][0])
                return 1;
    return 0;
}

/* The "basis" of a ladder of tier unit u ("month" for kWh or no unit). */
static const char *tier_basis(int u)
{
    return u == 2 ? "day" : u == 3 ? "per_kw" : "month";
}

/* 1 if periods a and b have the same tier count and maxima. */
static int same_bounds(const conv *C, int a, int b)
{
    if (C->ntiers[a] != C->ntiers[b] || tier_basis(C->unit[a]) != tier_basis(C->unit[b]))
        return 0;
    for (int t = 0; t + 1 < C->ntiers[a]; t++)
        if (C->bound_wh[a][t] != C->bound_wh[b][t])
            return 0;
    return 1;
}

/* 1 if periods a and b (same bounds) add the same step per tier. */
static int same_steps(const conv *C, int a, int b)
{
    for (int t = 0; t < C->ntiers[a]; t++)
        if (C->price_micro[a][t] - C->price_micro[a][0] != C->price_micro[b][t] - C->price_micro[b][0])
            return 0;
    return 1;
}

/* "bounds_kwh": [...] of period q's ladder. */
static void write_bounds(sbuf *s, const conv *C, int q)
{
    textbuf_puts(s, "\"bounds_kwh\": [");
    for (int t = 0; t + 1 < C->ntiers[q]; t++) {
        textbuf_puts(s, t ? ", " : "");
        sb_dec(s, C->bound_wh[q][t], MONEY_SCALE_WH, 0);
    }
    textbuf_puts(s, "]");
}

/* The tiers of a flat rate (period `only`) as per-tier rates, of a TOU rate
 * with one ladder (period ref's) as adders; a negative step is a declining block. */
static void write_tiers(sbuf *s, const conv *C, int only, int ref)
{
    int q = only >= 0 ? only : ref;
    if (C->ntiers[q] == 1)
        return;
    textbuf_printf(s, ",\n    \"tiers\": {\"basis\": \"%s\", ", tier_basis(C->unit[q]));
    write_bounds(s, C, q);
    textbuf_puts(s, only >= 0 ? ", \"rates\": [" : ", \"adders\": [");
    for (int t = 0; t < C->ntiers[q]; t++) {
        textbuf_puts(s, t ? ", " : "");
        sb_dec(s, only >= 0 ? C->price_micro[q][t] : C->price_micro[q][t] - C->price_micro[q][0], MONEY_SCALE_PRICE,
               2);
    }
    textbuf_puts(s, "]}");
}

/* A period's price, or its own ladder {"bounds_kwh", "rates"} (a seasonal rate). */
static void write_period(sbuf *s, const conv *C, int q, int ladders)
{
    if (!ladders || C->ntiers[q] == 1) {
        sb_dec(s, C->price_micro[q][0], MONEY_SCALE_PRICE, 2);
        return;
    }
    if (C->unit[q] >= 2)
        textbuf_printf(s, "{\"basis\": \"%s\", ", tier_basis(C->unit[q]));
    else
        textbuf_puts(s, "{");
    write_bounds(s, C, q);
    textbuf_puts(s, ", \"rates\": [");
    for (int t = 0; t < C->ntiers[q]; t++) {
        textbuf_puts(s, t ? ", " : "");
        sb_dec(s, C->price_micro[q][t], MONEY_SCALE_PRICE, 2);
    }
    textbuf_puts(s, "]}");
}

/* Several periods: 0 when they share one ladder and its steps (adders), 1
 * when each needs its own (allowed for a seasonal rate only), -1 refused. */
static int ladder_mode(conv *C, int ref)
{
    char p[JSONV_PATH_MAX], pq[JSONV_PATH_MAX];
    for (int q = 0; q < C->nperiods; q++) {
        if (!C->used[q] || (same_bounds(C, ref, q) && same_steps(C, ref, q)))
            continue;
        if (!months_mix_periods(C))
            return 1;
        sub(p, C->path, "energyratestructure");
        subi(pq, p, q);
        return fail(C, cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(C->rate, "energyratestructure"), q), pq,
                    same_bounds(C, ref, q)
                        ? "the tier steps differ from period %d's: with time of use within a month the tier step "
                          "must be the same in every period"
                        : "the tier maxima differ from period %d's: with time of use within a month every period "
                          "needs the same tier bounds",
                    ref) - 1;
    }
    return 0;
}

/* ",\n    "sell": price" (one period used) or {"pN": price, ...} when the rate has sell rates. */
static void write_sell(sbuf *s, const conv *C, int only)
{
    int first = 1;
    if (!C->has_sell)
        return;
    textbuf_puts(s, ",\n    \"sell\": ");
    if (only >= 0) {
        sb_dec(s, C->sell_micro[only][0], MONEY_SCALE_PRICE, 2);
        return;
    }
    textbuf_puts(s, "{");
    for (int q = 0; q < C->nperiods; q++)
        if (C->used[q]) {
            textbuf_printf(s, "%s\"p%d\": ", first ? "" : ", ", q + 1);
            sb_dec(s, C->sell_micro[q][0], MONEY_SCALE_PRICE, 2);
            first = 0;
        }
    textbuf_puts(s, "}");
}

static int write_energy(sbuf *s, conv *C)
{
    int nused = 0, only = -1, ref = -1, ladders = 0;
    for (int q = 0; q < C->nperiods; q++)
        if (C->used[q])
            nused++, only = q, ref = ref < 0 ? q : ref;
    textbuf_puts(s, "  \"energy\": {\n    ");
    if (nused == 1) {
        textbuf_puts(s, "\"rate\": ");
        sb_dec(s, C->price_micro[only][0], MONEY_SCALE_PRICE, 2);
    } else {
        only = -1;
        if ((ladders = ladder_mode(C, ref)) < 0)
            return 0;
        textbuf_puts(s, "\"tou\": {\n      \"periods\": {");
        int first = 1;
        for (int q = 0; q < C->nperiods; q++)
            if (C->used[q]) {
                textbuf_printf(s, "%s\"p%d\": ", first ? "" : ", ", q + 1);
                write_period(s, C, q, ladders);
                first = 0;
            }
        textbuf_puts(s, "},\n      ");
        write_calendar(s, (const uint8_t(*)[24])C->weekday, (const uint8_t(*)[24])C->weekend, 'p');
        textbuf_puts(s, "\n    }");
    }
    if (!ladders)
        write_tiers(s, C, only, ref);
    write_sell(s, C, only);
    textbuf_puts(s, "\n  }");
    return 1;
}

/* One price, or 12 (January..December) when `months` is given. */
static void write_prices(sbuf *s, const int64_t *months, int64_t one)
{
    if (months == NULL) {
        sb_dec(s, one, MONEY_SCALE_PRICE, 2);
        return;
    }
    textbuf_puts(s, "[");
    for (int m = 0; m < 12; m++) {
        textbuf_puts(s, m ? ", " : "");
        sb_dec(s, months[m], MONEY_SCALE_PRICE, 2);
    }
    textbuf_puts(s, "]");
}

/* 1 if some period of the demand schedules has a price. */
static int has_tou_demand(const conv *C)
{
    for (int q = 0; q < C->dnperiods; q++)
        for (int t = 0; C->dused[q] && t < C->dntiers[q]; t++)
            if (C->dprice_micro[q][t] > 0)
                return 1;
    return 0;
}

/* A demand period's price, or {"bounds_kw": [...], "rates": [...]} when tiered. */
static void write_demand_period(sbuf *s, const conv *C, int q)
{
    int nt = C->dntiers[q];
    if (nt == 1) {
        sb_dec(s, C->dprice_micro[q][0], MONEY_SCALE_PRICE, 2);
        return;
    }
    textbuf_puts(s, "{\"bounds_kw\": [");
    for (int t = 0; t + 1 < nt; t++) {
        textbuf_puts(s, t ? ", " : "");
        sb_dec(s, C->dbound_w[q][t], MONEY_SCALE_WH, 0);
    }
    textbuf_puts(s, "], \"rates\": [");
    for (int t = 0; t < nt; t++) {
        textbuf_puts(s, t ? ", " : "");
        sb_dec(s, C->dprice_micro[q][t], MONEY_SCALE_PRICE, 2);
    }
    textbuf_puts(s, "]}");
}

/* A flat demand period's price or its ladder {"bounds_kw", "rates"}. */
static void write_flat_period(sbuf *s, const conv *C, int q)
{
    int nt = C->fntiers[q];
    if (nt == 1) {
        sb_dec(s, C->fprice_micro[q][0], MONEY_SCALE_PRICE, 2);
        return;
    }
    textbuf_puts(s, "{\"bounds_kw\": [");
    for (int t = 0; t + 1 < nt; t++) {
        textbuf_puts(s, t ? ", " : "");
        sb_dec(s, C->fbound_w[q][t], MONEY_SCALE_WH, 0);
    }
    textbuf_puts(s, "], \"rates\": [");
    for (int t = 0; t < nt; t++) {
        textbuf_puts(s, t ? ", " : "");
        sb_dec(s, C->fprice_micro[q][t], MONEY_SCALE_PRICE, 2);
    }
    textbuf_puts(s, "]}");
}

/* Flat demand with tiers: one ladder when every month has the same period, else 12. */
static void write_flat_ladders(sbuf *s, const conv *C)
{
    int same = 1;
    for (int m = 1; m < 12; m++)
        same &= C->fmonth[m] == C->fmonth[0];
    if (same) {
        write_flat_period(s, C, C->fmonth[0]);
        return;
    }
    textbuf_puts(s, "[");
    for (int m = 0; m < 12; m++) {
        textbuf_puts(s, m ? ", " : "");
        write_flat_period(s, C, C->fmonth[m]);
    }
    textbuf_puts(s, "]");
}

/* ", "ratchet": {"percent": ..., "months": N[, "only_months": [...]]}" when the rate has one. */
static void write_ratchet(sbuf *s, const conv *C)
{
    int same = 1;
    if (C->ratchet_months == 0)
        return;
    for (int m = 1; m < 12; m++)
        same &= C->ratchet_pct[m] == C->ratchet_pct[0];
    textbuf_puts(s, ", \"ratchet\": {\"percent\": ");
    if (same) {
        sb_dec(s, C->ratchet_pct[0], 3, 0);
    } else {
        textbuf_puts(s, "[");
        for (int m = 0; m < 12; m++) {
            textbuf_puts(s, m ? ", " : "");
            sb_dec(s, C->ratchet_pct[m], 3, 0);
        }
        textbuf_puts(s, "]");
    }
    textbuf_printf(s, ", \"months\": %d", C->ratchet_months);
    if (C->ratchet_mask != 0xfffu) {
        int first = 1;
        textbuf_puts(s, ", \"only_months\": [");
        for (int m = 0; m < 12; m++)
            if (C->ratchet_mask & (1u << m)) {
                textbuf_printf(s, "%s%d", first ? "" : ", ", m + 1);
                first = 0;
            }
        textbuf_puts(s, "]");
    }
    textbuf_puts(s, "}");
}

/* "demand": flat per_kw and/or tou (periods d1, d2, ... with their calendar). */
static void write_demand(sbuf *s, const conv *C)
{
    int tou = has_tou_demand(C);
    if (C->demand_micro == 0 && !tou && C->kvar_micro == 0)
        return;
    textbuf_puts(s, ",\n  \"demand\": {");
    if (C->kvar_micro > 0) {
        textbuf_puts(s, "\"per_kvar\": ");
        sb_dec(s, C->kvar_micro, MONEY_SCALE_PRICE, 2);
        textbuf_puts(s, C->demand_micro > 0 || tou || C->window_min > 0 ? ", " : "");
    }
    if (C->window_min > 0)
        textbuf_printf(s, "\"window_min\": %lld%s", (long long)C->window_min, C->demand_micro > 0 || tou ? ", " : "");
    if (C->demand_micro > 0) {
        textbuf_puts(s, "\"per_kw\": ");
        if (C->flat_tiers)
            write_flat_ladders(s, C);
        else
            write_prices(s, C->demand_by_month ? C->demand_m : NULL, C->demand_m[0]);
        write_ratchet(s, C);
    }
    if (tou) {
        int first = 1;
        textbuf_puts(s, C->demand_micro > 0 ? ",\n    \"tou\": {\n      \"periods\": {" : "\n    \"tou\": {\n      \"periods\": {");
        for (int q = 0; q < C->dnperiods; q++)
            if (C->dused[q]) {
                textbuf_printf(s, "%s\"d%d\": ", first ? "" : ", ", q + 1);
                write_demand_period(s, C, q);
                first = 0;
            }
        textbuf_puts(s, "},\n      ");
        write_calendar(s, (const uint8_t(*)[24])C->dweekday, (const uint8_t(*)[24])C->dweekend, 'd');
        textbuf_puts(s, "\n    }\n  ");
    }
    textbuf_puts(s, "}");
}

static void write_text_member(sbuf *s, const conv *C, const char *key)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(C->rate, key);
    if (cJSON_IsString(n) && n->valuestring[0] != '\0') {
        textbuf_puts(s, n->valuestring);
    }
}

/* "fixed": "10.00", with "fixed_unit" when it is not per month. */
static void write_charge(sbuf *s, const char *key, int64_t micro, const char *unit)
{
    if (micro <= 0)
        return;
    textbuf_printf(s, "  \"%s\": ", key);
    sb_dec(s, micro, MONEY_SCALE_PRICE, 2);
    if (strcmp(unit, "month") != 0)
        textbuf_printf(s, ", \"%s_unit\": \"%s\"", key, unit);
    textbuf_puts(s, ",\n");
}

static int write_tariff(sbuf *s, conv *C, const char *id, const char *currency)
{
    char day[CIVDATE_FMT_MAX];
    textbuf_puts(s, "{\n  \"id\": ");
    textbuf_json_str(s, id);
    /* "description": "UTILITY: NAME (URDB LABEL)", escaped through a bounded scratch buffer */
    char d[512];
    sbuf ds;
    textbuf_init_fixed(&ds, d, sizeof d);
    write_text_member(&ds, C, "utility");
    textbuf_puts(&ds, textbuf_len(&ds) ? ": " : "");
    write_text_member(&ds, C, "name");
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(C->rate, "label");
    if (cJSON_IsString(label)) {
        textbuf_puts(&ds, textbuf_len(&ds) ? " (URDB " : "(URDB ");
        textbuf_puts(&ds, label->valuestring);
        textbuf_puts(&ds, ")");
    }
    if (textbuf_status(&ds) != GL_OK)
        snprintf(d, sizeof d, "(imported from URDB)");
    textbuf_puts(s, ",\n  \"description\": ");
    textbuf_json_str(s, d);
    textbuf_puts(s, ",\n  \"currency\": ");
    textbuf_json_str(s, currency[0] ? currency : "USD");
    textbuf_puts(s, ",\n  \"effective_from\": ");
    civdate_format(C->from_day, day, sizeof day);
    textbuf_json_str(s, day);
    if (C->to_day != TARIFF_NO_END) {
        civdate_format(C->to_day, day, sizeof day);
        textbuf_puts(s, ",\n  \"effective_to\": ");
        textbuf_json_str(s, day);
    }
    textbuf_puts(s, ",\n  \"rounding\": {\"unit\": \"0.01\", \"mode\": \"half_up\", \"per\": \"line\"},\n");
    write_charge(s, "fixed", C->fixed_micro, C->fixed_unit);
    write_charge(s, "minimum", C->minimum_micro, C->minimum_unit);
    write_charge(s, "annual_minimum", C->annual_min_micro, "month");
    if (!write_energy(s, C))
        return 0;
    write_demand(s, C);
    if (C->fuel_micro > 0) {
        textbuf_puts(s, ",\n  \"surcharges\": {\"fuel_adjustment\": ");
        write_prices(s, C->fuel_by_month ? C->fuel_m : NULL, C->fuel_m[0]);
        textbuf_puts(s, "}");
    }
    textbuf_puts(s, "\n}\n");
    return 1;
}

/* ---- the rate -------------------------------------------------------- */

/* The rate object: the root, or the one of root.items (chosen by label). */
static const cJSON *pick_rate(conv *C, const urdb_options *opt)
{
    const cJSON *root = jsonv_root(C->doc);
    if (!jsonv_check_object(C->doc, root, ""))
        return NULL;
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items");
    C->path[0] = '\0';
    if (items == NULL)
        return root;
    if (!cJSON_IsArray(items) || cJSON_GetArraySize(items) == 0) {
        fail(C, items, "items", "must be a list of rates");
        return NULL;
    }
    int i = 0, n = cJSON_GetArraySize(items);
    for (const cJSON *it = items->child; it; it = it->next, i++) {
        const cJSON *label = cJSON_GetObjectItemCaseSensitive(it, "label");
        int match = opt->label[0] == '\0' ? n == 1
                                          : cJSON_IsString(label) && strcmp(label->valuestring, opt->label) == 0;
        if (match) {
            subi(C->path, "items", i);
            return jsonv_check_object(C->doc, it, C->path) ? it : NULL;
        }
    }
    if (opt->label[0] == '\0')
        fail(C, items, "items", "%d rates: choose one with --label", n);
    else
        fail(C, items, "items", "no rate with label \"%s\"", opt->label);
    return NULL;
}

static int pick_id(conv *C, const urdb_options *opt, char *id, size_t cap)
{
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(C->rate, "label");
    const char *src = opt->id[0] ? opt->id : cJSON_IsString(label) ? label->valuestring : "";
    if (src[0] == '\0')
        return fail(C, C->rate, C->path, "no \"label\": give the tariff an id with --id");
    if (strlen(src) >= cap)
        return fail(C, label, C->path, "id \"%s\" is longer than %zu characters", src, cap - 1);
    char p[JSONV_PATH_MAX];
    sub(p, C->path, "label");
    for (const char *c = src; *c; c++)
        if (!ident_char(*c))
            return fail(C, opt->id[0] ? C->rate : label, opt->id[0] ? C->path : p,
                        "\"%s\" cannot be a tariff id (letters, digits, '_', '-' and '.'): give one with --id", src);
    snprintf(id, cap, "%s", src);
    return 1;
}

static int convert(conv *C, const urdb_options *opt, sbuf *s)
{
    char id[TARIFF_ID_MAX];
    jsonv_check_keys(C->doc, C->rate, C->path, known_keys);
    if (jsonv_errors(C->doc) > 0)
        return 0;
    if (!pick_id(C, opt, id, sizeof id) || !parse_energy(C) ||
        !parse_schedule(C, "energyweekdayschedule", "energyratestructure", C->nperiods, C->used, C->weekday) ||
        !parse_schedule(C, "energyweekendschedule", "energyratestructure", C->nperiods, C->used, C->weekend) ||
        !parse_fixed(C) || !parse_flat_demand(C) || !parse_tou_demand(C) || !parse_window(C) || !parse_kvar(C) ||
        !parse_fuel(C) || !parse_unsupported(C) || !parse_ratchet(C) || !check_sell(C) || !get_day(C, "startdate", 1, &C->from_day) ||
        !get_day(C, "enddate", 0, &C->to_day))
        return 0;
    note_generation(C);
    if (C->to_day != TARIFF_NO_END) {
        C->to_day--; /* enddate is when the rate stopped; effective_to is its last day */
        if (C->to_day < C->from_day) {
            char p[JSONV_PATH_MAX];
            sub(p, C->path, "enddate");
            return fail(C, cJSON_GetObjectItemCaseSensitive(C->rate, "enddate"), p, "must be after startdate");
        }
    }
    return write_tariff(s, C, id, opt->currency);
}

void urdb_options_init(urdb_options *o)
{
    memset(o, 0, sizeof *o);
}

gl_status urdb_convert(const char *file, const char *text, size_t len, const urdb_options *opt, diag *d,
                       char *out, size_t cap, size_t *out_len)
{
    gl_status ret = GL_EINVAL;
    conv *C = NULL;
    static conv zero;
    conv c = zero;
    sbuf s;
    if (out_len)
        *out_len = 0;
    if (file == NULL || (text == NULL && len > 0) || opt == NULL || out == NULL || cap == 0)
        goto out;
    textbuf_init_fixed(&s, out, cap);
    C = &c;
    ret = jsonv_parse(file, text, len, d, &C->doc);
    if (ret != GL_OK)
        goto out;
    ret = GL_ECONFIG;
    C->rate = pick_rate(C, opt);
    if (C->rate == NULL || !convert(C, opt, &s) || jsonv_errors(C->doc) > 0)
        goto out;
    if (textbuf_status(&s) != GL_OK) {
        ret = GL_EBOUND;
        out[0] = '\0';
        goto out;
    }
    if (out_len)
        *out_len = textbuf_len(&s);
    ret = GL_OK;
out:
    if (C != NULL)
        jsonv_free(C->doc);
    if (ret != GL_OK && out != NULL && cap > 0)
        out[0] = '\0';
    return ret;
}
