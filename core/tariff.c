/* tariff.c: tariff files into fixed-size tariff sets (see tariff.h).
 *
 * Validation goes on after a problem so that one run reports every problem;
 * each reader returns 0 after reporting. The TOU calendar is compiled into a
 * table of period indexes by month, day type and quarter hour, so billing
 * looks a period up with one index. */
#include "gridledger/tariff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gridledger/civdate.h"
#include "gridledger/ident.h"
#include "gridledger/jsonv.h"

#define NO_PERIOD 0xFF

typedef struct {
    jsonv_doc *doc;
    tariff_set *ts;
} parser;

static const char *const daytype_names[] = {"weekday", "weekend", "holiday", NULL};

static int get_name(parser *P, const cJSON *obj, const char *path, const char *key, int required, char *out,
                    size_t cap)
{
    if (!jsonv_get_string(P->doc, obj, path, key, required, "", out, cap))
        return 0;
    if (out[0] != '\0' && !ident_valid(out, cap - 1)) {
        char p[JSONV_PATH_MAX];
        jsonv_path_key(p, sizeof p, path, key);
        jsonv_error(P->doc, cJSON_GetObjectItemCaseSensitive(obj, key), p,
                    "must use only letters, digits, '_', '-' and '.'");
        return 0;
    }
    return 1;
}

static int get_price(parser *P, const cJSON *obj, const char *path, const char *key, int required, int64_t *out)
{
    return jsonv_get_decimal(P->doc, obj, path, key, required, 0, MONEY_SCALE_PRICE, 0, TARIFF_MAX_PRICE_MICRO,
                             out);
}

static int date_value(parser *P, const cJSON *node, const char *path, int32_t *out)
{
    if (!cJSON_IsString(node) || civdate_parse(node->valuestring, strlen(node->valuestring), out) != GL_OK) {
        jsonv_error(P->doc, node, path, "must be a date \"YYYY-MM-DD\"");
        return 0;
    }
    return 1;
}

static int get_date(parser *P, const cJSON *obj, const char *path, const char *key, int required, int32_t *out)
{
    char p[JSONV_PATH_MAX];
    const cJSON *v = jsonv_get(P->doc, obj, path, key, required);
    if (v == NULL)
        return !required;
    jsonv_path_key(p, sizeof p, path, key);
    return date_value(P, v, p, out);
}

static void parse_rounding(parser *P, const cJSON *obj, const char *path, tariff_version *v)
{
    static const char *const keys[] = {"unit", "mode", "per", NULL};
    static const char *const modes[] = {"half_up", "half_even", NULL};
    static const char *const pers[] = {"line", "bill", NULL};
    char p[JSONV_PATH_MAX];
    int mode = 0;
    v->round_unit_fen = 1;
    v->round_mode = MONEY_HALF_UP;
    v->round_per_bill = 0;
    const cJSON *r = jsonv_get(P->doc, obj, path, "rounding", 0);
    jsonv_path_key(p, sizeof p, path, "rounding");
    if (r == NULL || !jsonv_check_object(P->doc, r, p))
        return;
    jsonv_check_keys(P->doc, r, p, keys);
    if (jsonv_get_decimal(P->doc, r, p, "unit", 0, 1, MONEY_SCALE_FEN, 1, 100, &v->round_unit_fen) &&
        v->round_unit_fen != 1 && v->round_unit_fen != 10 && v->round_unit_fen != 100) {
        char q[JSONV_PATH_MAX];
        jsonv_path_key(q, sizeof q, p, "unit");
        jsonv_error(P->doc, cJSON_GetObjectItemCaseSensitive(r, "unit"), q, "must be \"0.01\", \"0.1\" or \"1\"");
    }
    if (jsonv_get_enum(P->doc, r, p, "mode", 0, modes, 0, &mode))
        v->round_mode = mode == 0 ? MONEY_HALF_UP : MONEY_HALF_EVEN;
    jsonv_get_enum(P->doc, r, p, "per", 0, pers, 0, &v->round_per_bill);
}

/* A set of named periods with a price each and their calendar: the energy
 * periods (energy.tou) or the demand periods (demand.tou) of a version. */
typedef struct periods_ref {
    int *n;
    char (*names)[TARIFF_NAME_MAX];
    int64_t *price;
    uint8_t (*map)[TARIFF_DAYTYPES][TARIFF_SLOTS_PER_DAY];
    const char *where; /* the periods' path, for messages */
    /* a period may be tiered: {BOUNDS_KEY: [...], "rates": [...]} (energy: and "basis") */
    const char *bounds_key;
    uint8_t *daily; /* energy: 1 for "basis": "day"; NULL for demand */
    uint8_t *per_kw; /* energy: 1 for "basis": "per_kw" */
    int *ntiers;
    int64_t (*bounds)[TARIFF_MAX_TIERS - 1];
    int64_t (*tier_price)[TARIFF_MAX_TIERS];
} periods_ref;

static periods_ref energy_periods(tariff_version *v)
{
    periods_ref r = {&v->nperiods,     v->period_names,    v->period_price_micro, v->period_map,
                     "energy.tou.periods", "bounds_kwh", v->period_daily,       v->period_per_kw,
                     v->period_ntiers,     v->period_bounds_wh, v->period_tier_micro};
    return r;
}

static periods_ref demand_periods(tariff_version *v)
{
    periods_ref r = {&v->ndemand_periods,  v->demand_period_names, v->demand_period_micro,
                     v->demand_period_map, "demand.tou.periods", "bounds_kw", NULL, NULL, v->demand_period_ntiers,
                     v->demand_tier_bounds_w, v->demand_tier_micro};
    return r;
}

static int find_period(const periods_ref *R, const char *name)
{
    for (int i = 0; i < *R->n; i++)
        if (strcmp(R->names[i], name) == 0)
            return i;
    return -1;
}

static int parse_price_list(parser *P, const cJSON *a, const char *path, int n, int64_t lo, int64_t *out);

/* A tiered period: {"bounds_kw"|"bounds_kwh": [ascending], "rates": [one per
 * tier]}: a demand period's highest demand, or a seasonal energy period's
 * month's use, is split across the tiers. */
static void parse_period_tiers(parser *P, const cJSON *c, const char *path, const periods_ref *R, int i)
{
    const char *const keys[] = {R->bounds_key, "rates", R->daily ? "basis" : NULL, NULL};
    static const char *const bases[] = {"month", "day", "per_kw", NULL};
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    int basis = 0;
    jsonv_check_keys(P->doc, c, path, keys);
    if (R->daily != NULL && jsonv_get_enum(P->doc, c, path, "basis", 0, bases, 0, &basis)) {
        R->daily[i] = (uint8_t)(basis == 1);
        R->per_kw[i] = (uint8_t)(basis == 2);
    }
    const cJSON *b = jsonv_get(P->doc, c, path, R->bounds_key, 1);
    jsonv_path_key(p, sizeof p, path, R->bounds_key);
    R->ntiers[i] = 1;
    if (b == NULL || !jsonv_check_array(P->doc, b, p, TARIFF_MAX_TIERS - 1))
        return;
    int k = 0;
    for (const cJSON *x = b->child; x != NULL; x = x->next, k++) {
        jsonv_path_index(q, sizeof q, p, k);
        if (!jsonv_decimal_value(P->doc, x, q, MONEY_SCALE_WH, 1, TARIFF_MAX_ENERGY_WH, &R->bounds[i][k]))
            return;
        if (k > 0 && R->bounds[i][k] <= R->bounds[i][k - 1]) {
            jsonv_error(P->doc, x, q, "must be above the bound before it");
            return;
        }
    }
    if (k == 0) {
        jsonv_error(P->doc, b, p, "must hold 1..%d bounds", TARIFF_MAX_TIERS - 1);
        return;
    }
    R->ntiers[i] = k + 1;
    const cJSON *r = jsonv_get(P->doc, c, path, "rates", 1);
    jsonv_path_key(p, sizeof p, path, "rates");
    if (r != NULL)
        parse_price_list(P, r, p, k + 1, 0, R->tier_price[i]);
}

static void parse_periods(parser *P, const cJSON *periods, const char *path, const periods_ref *R)
{
    if (!jsonv_check_object(P->doc, periods, path))
        return;
    if (cJSON_GetArraySize(periods) < 1 || cJSON_GetArraySize(periods) > TARIFF_MAX_PERIODS) {
        jsonv_error(P->doc, periods, path, "must name 1..%d periods", TARIFF_MAX_PERIODS);
        return;
    }
    for (const cJSON *c = periods->child; c != NULL; c = c->next) {
        char p[JSONV_PATH_MAX];
        jsonv_path_key(p, sizeof p, path, c->string);
        if (!ident_valid(c->string, TARIFF_NAME_MAX - 1)) {
            jsonv_error(P->doc, c, p, "period name must be 1..%d letters, digits, '_', '-' or '.'",
                        TARIFF_NAME_MAX - 1);
            continue;
        }
        int64_t price = 0;
        int i = *R->n;
        if (cJSON_IsObject(c)) {
            parse_period_tiers(P, c, p, R, i);
            price = R->tier_price[i][0];
        } else {
            jsonv_decimal_value(P->doc, c, p, MONEY_SCALE_PRICE, 0, TARIFF_MAX_PRICE_MICRO, &price);
            R->ntiers[i] = 1;
            R->tier_price[i][0] = price;
        }
        snprintf(R->names[i], TARIFF_NAME_MAX, "%s", c->string);
        R->price[i] = price;
        (*R->n)++;
    }
}

static int quarter_time(parser *P, const cJSON *node, const char *path, int *slot)
{
    int min = 0;
    if (!cJSON_IsString(node) ||
        civdate_parse_time(node->valuestring, strlen(node->valuestring), &min) != GL_OK) {
        jsonv_error(P->doc, node, path, "must be a time \"HH:MM\" (00:00..24:00)");
        return 0;
    }
    if (min % 15 != 0) {
        jsonv_error(P->doc, node, path, "must be on a quarter hour (:00, :15, :30, :45)");
        return 0;
    }
    *slot = min / 15;
    return 1;
}

/* One ["HH:MM", "HH:MM", "period"] range into day[]; start > end wraps midnight. */
static int parse_range(parser *P, const cJSON *r, const char *path, const periods_ref *R, uint8_t *day)
{
    char p[JSONV_PATH_MAX];
    int a = 0, b = 0, ok = 1;
    if (!cJSON_IsArray(r) || cJSON_GetArraySize(r) != 3) {
        jsonv_error(P->doc, r, path, "must be [\"HH:MM\", \"HH:MM\", \"period\"]");
        return 0;
    }
    jsonv_path_index(p, sizeof p, path, 0);
    ok &= quarter_time(P, cJSON_GetArrayItem(r, 0), p, &a);
    jsonv_path_index(p, sizeof p, path, 1);
    ok &= quarter_time(P, cJSON_GetArrayItem(r, 1), p, &b);
    const cJSON *name = cJSON_GetArrayItem(r, 2);
    jsonv_path_index(p, sizeof p, path, 2);
    int per = cJSON_IsString(name) ? find_period(R, name->valuestring) : -1;
    if (per < 0) {
        jsonv_error(P->doc, name, p, "must name a period of %s", R->where);
        return 0;
    }
    if (!ok)
        return 0;
    if (a == b || (a == 96 && b == 0)) {
        jsonv_error(P->doc, r, path, "empty range (a whole day is [\"00:00\", \"24:00\", ...])");
        return 0;
    }
    if (a == 96) {
        jsonv_error(P->doc, r, path, "a range cannot start at 24:00");
        return 0;
    }
    for (int s = a; s != b; s = (s + 1) % 96) {
        if (day[s] != NO_PERIOD) {
            jsonv_error(P->doc, r, path, "overlaps an earlier range at %02d:%02d", s / 4, s % 4 * 15);
            return 0;
        }
        day[s] = (uint8_t)per;
        if (b == 96 && s == 95)
            break;
    }
    return 1;
}

static int parse_hours(parser *P, const cJSON *e, const char *path, const periods_ref *R, uint8_t *day)
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *hours = jsonv_get(P->doc, e, path, "hours", 1);
    jsonv_path_key(p, sizeof p, path, "hours");
    memset(day, NO_PERIOD, TARIFF_SLOTS_PER_DAY);
    if (hours == NULL || !jsonv_check_array(P->doc, hours, p, TARIFF_MAX_RANGES))
        return 0;
    int i = 0, ok = 1;
    for (const cJSON *r = hours->child; r != NULL; r = r->next, i++) {
        jsonv_path_index(q, sizeof q, p, i);
        ok &= parse_range(P, r, q, R, day);
    }
    for (int s = 0; ok && s < TARIFF_SLOTS_PER_DAY; s++) {
        if (day[s] == NO_PERIOD) {
            jsonv_error(P->doc, hours, p, "the ranges leave %02d:%02d..%02d:%02d uncovered", s / 4, s % 4 * 15,
                        (s + 1) / 4, (s + 1) % 4 * 15);
            return 0;
        }
    }
    return ok;
}

static int parse_int_list(parser *P, const cJSON *e, const char *path, const char *key, int lo, int hi,
                          unsigned *mask)
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *a = jsonv_get(P->doc, e, path, key, 1);
    jsonv_path_key(p, sizeof p, path, key);
    *mask = 0;
    if (a == NULL || !jsonv_check_array(P->doc, a, p, 32))
        return 0;
    int i = 0;
    for (const cJSON *c = a->child; c != NULL; c = c->next, i++) {
        jsonv_path_index(q, sizeof q, p, i);
        /* the range before the cast: (int) of a double outside int's range is undefined */
        if (!cJSON_IsNumber(c) || !(c->valuedouble >= lo && c->valuedouble <= hi) ||
            c->valuedouble != (double)(int)c->valuedouble) {
            jsonv_error(P->doc, c, q, "must be an integer %d..%d", lo, hi);
            return 0;
        }
        if (*mask & (1u << c->valueint)) {
            jsonv_error(P->doc, c, q, "%d is listed twice", c->valueint);
            return 0;
        }
        *mask |= 1u << c->valueint;
    }
    if (*mask == 0)
        jsonv_error(P->doc, a, p, "must not be empty");
    return *mask != 0;
}

static int parse_days(parser *P, const cJSON *e, const char *path, unsigned *mask)
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *a = jsonv_get(P->doc, e, path, "days", 0);
    jsonv_path_key(p, sizeof p, path, "days");
    *mask = 0;
    if (a == NULL) {
        *mask = 7; /* every day */
        return 1;
    }
    if (!jsonv_check_array(P->doc, a, p, TARIFF_DAYTYPES))
        return 0;
    int i = 0;
    for (const cJSON *c = a->child; c != NULL; c = c->next, i++) {
        int k = -1;
        for (int j = 0; cJSON_IsString(c) && daytype_names[j]; j++)
            if (strcmp(c->valuestring, daytype_names[j]) == 0)
                k = j;
        jsonv_path_index(q, sizeof q, p, i);
        if (k < 0 || (*mask & (1u << k))) {
            jsonv_error(P->doc, c, q, k < 0 ? "must be one of weekday|weekend|holiday" : "is listed twice");
            return 0;
        }
        *mask |= 1u << k;
    }
    if (*mask == 0)
        jsonv_error(P->doc, a, p, "must not be empty");
    return *mask != 0;
}

/* Puts one calendar entry into the period map; `owner` remembers which
 * entry covered each month x day type, so a second one is an error. */
static void parse_entry(parser *P, const cJSON *e, const char *path, const periods_ref *R, int index,
                        int owner[12][TARIFF_DAYTYPES])
{
    static const char *const keys[] = {"months", "days", "hours", NULL};
    uint8_t day[TARIFF_SLOTS_PER_DAY];
    unsigned months = 0, days = 0;
    if (!jsonv_check_object(P->doc, e, path))
        return;
    jsonv_check_keys(P->doc, e, path, keys);
    int ok = parse_int_list(P, e, path, "months", 1, 12, &months);
    ok &= parse_days(P, e, path, &days);
    ok &= parse_hours(P, e, path, R, day);
    if (!ok)
        return;
    for (int m = 1; m <= 12; m++) {
        for (int t = 0; t < TARIFF_DAYTYPES; t++) {
            if (!(months & (1u << m)) || !(days & (1u << t)))
                continue;
            if (owner[m - 1][t]) {
                jsonv_error(P->doc, e, path, "month %d %s is already covered by calendar[%d]", m,
                            daytype_names[t], owner[m - 1][t] - 1);
                return;
            }
            owner[m - 1][t] = index + 1;
            memcpy(R->map[m - 1][t], day, sizeof day);
        }
    }
}

static void parse_calendar(parser *P, const cJSON *cal, const char *path, const periods_ref *R)
{
    int owner[12][TARIFF_DAYTYPES];
    char p[JSONV_PATH_MAX];
    memset(owner, 0, sizeof owner);
    if (!jsonv_check_array(P->doc, cal, path, TARIFF_MAX_CALENDAR))
        return;
    int i = 0, errors = jsonv_errors(P->doc);
    for (const cJSON *e = cal->child; e != NULL; e = e->next, i++) {
        jsonv_path_index(p, sizeof p, path, i);
        parse_entry(P, e, p, R, i, owner);
    }
    if (jsonv_errors(P->doc) != errors)
        return;
    for (int m = 0; m < 12; m++) {
        for (int t = 0; t < TARIFF_HOLIDAY; t++) {
            if (!owner[m][t]) {
                jsonv_error(P->doc, cal, path, "month %d %s is not covered", m + 1, daytype_names[t]);
                return;
            }
        }
        if (!owner[m][TARIFF_HOLIDAY]) /* no holiday hours: holidays are billed as weekends */
            memcpy(R->map[m][TARIFF_HOLIDAY], R->map[m][TARIFF_WEEKEND], TARIFF_SLOTS_PER_DAY);
    }
}

/* {"periods": {...}, "calendar": [...]} of energy or demand. */
static void parse_tou(parser *P, const cJSON *tou, const char *path, const periods_ref *R)
{
    static const char *const keys[] = {"periods", "calendar", NULL};
    char p[JSONV_PATH_MAX];
    if (!jsonv_check_object(P->doc, tou, path))
        return;
    jsonv_check_keys(P->doc, tou, path, keys);
    const cJSON *periods = jsonv_get(P->doc, tou, path, "periods", 1);
    jsonv_path_key(p, sizeof p, path, "periods");
    *R->n = 0;
    if (periods != NULL)
        parse_periods(P, periods, p, R);
    const cJSON *cal = jsonv_get(P->doc, tou, path, "calendar", 1);
    jsonv_path_key(p, sizeof p, path, "calendar");
    if (cal != NULL && *R->n > 0)
        parse_calendar(P, cal, p, R);
}

static int parse_price_list(parser *P, const cJSON *a, const char *path, int n, int64_t lo, int64_t *out)
{
    char q[JSONV_PATH_MAX];
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != n) {
        jsonv_error(P->doc, a, path, "must be an array of %d prices (one per tier)", n);
        return 0;
    }
    int i = 0, ok = 1;
    for (const cJSON *c = a->child; c != NULL; c = c->next, i++) {
        jsonv_path_index(q, sizeof q, path, i);
        ok &= jsonv_decimal_value(P->doc, c, q, MONEY_SCALE_PRICE, lo, TARIFF_MAX_PRICE_MICRO, &out[i]);
    }
    return ok;
}

static int parse_bounds(parser *P, const cJSON *tiers, const char *path, tariff_version *v)
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *b = jsonv_get(P->doc, tiers, path, "bounds_kwh", 1);
    jsonv_path_key(p, sizeof p, path, "bounds_kwh");
    if (b == NULL || !jsonv_check_array(P->doc, b, p, TARIFF_MAX_TIERS - 1))
        return 0;
    if (cJSON_GetArraySize(b) < 1) {
        jsonv_error(P->doc, b, p, "must hold 1..%d bounds", TARIFF_MAX_TIERS - 1);
        return 0;
    }
    int i = 0;
    for (const cJSON *c = b->child; c != NULL; c = c->next, i++) {
        jsonv_path_index(q, sizeof q, p, i);
        if (!jsonv_decimal_value(P->doc, c, q, MONEY_SCALE_WH, 1, TARIFF_MAX_ENERGY_WH, &v->tier_bounds_wh[i]))
            return 0;
        if (i > 0 && v->tier_bounds_wh[i] <= v->tier_bounds_wh[i - 1]) {
            jsonv_error(P->doc, c, q, "must be above the bound before it");
            return 0;
        }
    }
    v->ntiers = i + 1;
    return 1;
}

static void parse_tiers(parser *P, const cJSON *tiers, const char *path, tariff_version *v)
{
    static const char *const keys[] = {"basis", "start_month", "bounds_kwh", "adders", "rates", NULL};
    static const char *const bases[] = {"month", "year", "day", "per_kw", NULL};
    char p[JSONV_PATH_MAX];
    int basis = 0;
    long long start = 1;
    if (!jsonv_check_object(P->doc, tiers, path))
        return;
    jsonv_check_keys(P->doc, tiers, path, keys);
    if (jsonv_get_enum(P->doc, tiers, path, "basis", 1, bases, 0, &basis))
        v->tier_basis = basis == 1 ? TARIFF_TIER_YEAR : TARIFF_TIER_MONTH;
    v->tier_daily = basis == 2;
    v->tier_per_kw = basis == 3;
    if (jsonv_get_int(P->doc, tiers, path, "start_month", 0, 1, 1, 12, &start))
        v->tier_start_month = (int)start;
    if (!parse_bounds(P, tiers, path, v))
        return;
    const cJSON *adders = cJSON_GetObjectItemCaseSensitive(tiers, "adders");
    const cJSON *rates = cJSON_GetObjectItemCaseSensitive(tiers, "rates");
    if ((adders == NULL) == (rates == NULL)) {
        jsonv_error(P->doc, tiers, path, "needs exactly one of \"adders\" and \"rates\"");
        return;
    }
    v->tier_rates = rates != NULL;
    jsonv_path_key(p, sizeof p, path, rates ? "rates" : "adders");
    /* adders may be negative (declining blocks); parse_energy checks price + adder */
    parse_price_list(P, rates ? rates : adders, p, v->ntiers, rates ? 0 : -TARIFF_MAX_PRICE_MICRO, v->tier_micro);
}

/* With adders, every period's price + every tier's adder must be 0..max. */
static void check_adders(parser *P, const cJSON *tiers, const char *path, const tariff_version *v)
{
    for (int per = 0; !v->tier_rates && per < v->nperiods; per++)
        for (int t = 0; t < v->ntiers; t++) {
            int64_t r = v->period_price_micro[per] + v->tier_micro[t];
            if (r < 0 || r > TARIFF_MAX_PRICE_MICRO) {
                jsonv_error(P->doc, tiers, path, "tier %d: %s's price + adder must be 0..%lld", t + 1,
                            v->period_names[per], TARIFF_MAX_PRICE_MICRO / 1000000);
                return;
            }
        }
}

/* 1 if some month x day type of the calendar uses more than one period. */
static int months_mix_periods(const tariff_version *v)
{
    for (int m = 0; m < 12; m++)
        for (int t = 0; t < TARIFF_DAYTYPES; t++)
            for (int s = 1; s < TARIFF_SLOTS_PER_DAY; s++)
                if (v->period_map[m][t][s] != v->period_map[m][0][0])
                    return 1;
    return 0;
}

/* Periods with their own ladders (a seasonal rate): no energy.tiers, one
 * period per month, monthly bounds. */
static void check_ladders(parser *P, const cJSON *e, const char *path, tariff_version *v)
{
    v->ntiers = 1;
    for (int per = 0; per < v->nperiods; per++) {
        v->period_ladders |= v->period_ntiers[per] > 1;
        if (v->period_ntiers[per] > v->ntiers)
            v->ntiers = v->period_ntiers[per];
    }
    if (!v->period_ladders)
        return;
    if (cJSON_GetObjectItemCaseSensitive(e, "tiers") != NULL)
        jsonv_error(P->doc, e, path, "periods with their own tiers cannot go with \"tiers\"");
    else if (months_mix_periods(v))
        jsonv_error(P->doc, e, path,
                    "periods with their own tiers: each month must use one period (a seasonal rate)");
    v->tier_basis = TARIFF_TIER_MONTH;
}

/* One ladder for every period, from energy.tiers (or none). */
static void fill_ladders(tariff_version *v)
{
    for (int per = 0; per < v->nperiods; per++) {
        v->period_ntiers[per] = v->ntiers;
        v->period_daily[per] = (uint8_t)v->tier_daily;
        v->period_per_kw[per] = (uint8_t)v->tier_per_kw;
        for (int t = 0; t < v->ntiers; t++) {
            if (t + 1 < v->ntiers)
                v->period_bounds_wh[per][t] = v->tier_bounds_wh[t];
            v->period_tier_micro[per][t] = v->tier_rates ? v->tier_micro[t]
                                           : v->period_price_micro[per] + (v->ntiers > 1 ? v->tier_micro[t] : 0);
        }
    }
}

/* energy.sell: one price per kWh exported, or (with "tou") {"PERIOD": price, ...}; a period left out is 0. */
static void parse_sell(parser *P, const cJSON *e, const char *path, tariff_version *v)
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *sell = cJSON_GetObjectItemCaseSensitive(e, "sell");
    if (sell == NULL)
        return;
    jsonv_path_key(p, sizeof p, path, "sell");
    v->has_sell = 1;
    if (!cJSON_IsObject(sell)) {
        if (jsonv_decimal_value(P->doc, sell, p, MONEY_SCALE_PRICE, 0, TARIFF_MAX_PRICE_MICRO, &v->sell_micro[0]))
            for (int per = 1; per < v->nperiods; per++)
                v->sell_micro[per] = v->sell_micro[0];
        return;
    }
    if (!v->tou) {
        jsonv_error(P->doc, sell, p, "prices by period need \"tou\"; a flat rate has one sell price");
        return;
    }
    periods_ref R = energy_periods(v);
    for (const cJSON *c = sell->child; c != NULL; c = c->next) {
        jsonv_path_key(q, sizeof q, p, c->string);
        int per = find_period(&R, c->string);
        if (per < 0)
            jsonv_error(P->doc, c, q, "no such energy period");
        else
            jsonv_decimal_value(P->doc, c, q, MONEY_SCALE_PRICE, 0, TARIFF_MAX_PRICE_MICRO, &v->sell_micro[per]);
    }
}

static void parse_energy(parser *P, const cJSON *obj, const char *path, tariff_version *v)
{
    static const char *const keys[] = {"rate", "tou", "tiers", "sell", NULL};
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *e = jsonv_get(P->doc, obj, path, "energy", 1);
    jsonv_path_key(p, sizeof p, path, "energy");
    if (e == NULL || !jsonv_check_object(P->doc, e, p))
        return;
    jsonv_check_keys(P->doc, e, p, keys);
    const cJSON *rate = cJSON_GetObjectItemCaseSensitive(e, "rate");
    const cJSON *tou = cJSON_GetObjectItemCaseSensitive(e, "tou");
    if ((rate == NULL) == (tou == NULL)) {
        jsonv_error(P->doc, e, p, "needs exactly one of \"rate\" and \"tou\"");
        return;
    }
    if (rate != NULL) {
        v->tou = 0;
        v->nperiods = 1;
        snprintf(v->period_names[0], TARIFF_NAME_MAX, "energy");
        get_price(P, e, p, "rate", 1, &v->period_price_micro[0]);
    } else {
        periods_ref R = energy_periods(v);
        jsonv_path_key(q, sizeof q, p, "tou");
        v->tou = 1;
        parse_tou(P, tou, q, &R);
    }
    if (v->tou)
        check_ladders(P, e, p, v);
    const cJSON *tiers = cJSON_GetObjectItemCaseSensitive(e, "tiers");
    jsonv_path_key(q, sizeof q, p, "tiers");
    if (!v->period_ladders && tiers != NULL) {
        parse_tiers(P, tiers, q, v);
        if (jsonv_errors(P->doc) == 0)
            check_adders(P, tiers, q, v);
        if (v->tier_rates && v->tou)
            jsonv_error(P->doc, tiers, q, "per-tier \"rates\" cannot go with \"tou\"; use \"adders\"");
    }
    if (!v->period_ladders)
        fill_ladders(v);
    parse_sell(P, e, p, v);
}

/* A list of 12 prices, January..December. */
static void parse_month_prices(parser *P, const cJSON *a, const char *path, int64_t out[12])
{
    char q[JSONV_PATH_MAX];
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 12) {
        jsonv_error(P->doc, a, path, "must be a price or 12 prices (January..December)");
        return;
    }
    int m = 0;
    for (const cJSON *c = a->child; c != NULL; c = c->next, m++) {
        jsonv_path_index(q, sizeof q, path, m);
        jsonv_decimal_value(P->doc, c, q, MONEY_SCALE_PRICE, 0, TARIFF_MAX_PRICE_MICRO, &out[m]);
    }
}

/* 1 if some energy period's tier bounds are per kW of the billing demand. */
static int has_per_kw(const tariff_version *v)
{
    for (int per = 0; per < v->nperiods; per++)
        if (v->period_per_kw[per] && v->period_ntiers[per] > 1)
            return 1;
    return 0;
}

/* Month m's flat demand price: a price or a ladder {"bounds_kw": [...], "rates": [...]}. */
static void parse_month_demand(parser *P, const cJSON *c, const char *path, tariff_version *v, int m)
{
    int n = 0;
    periods_ref R = {&n, NULL, NULL, NULL, "demand.per_kw", "bounds_kw", NULL, NULL,
                     v->demand_month_ntiers, v->demand_month_bounds_w, v->demand_month_tier_micro};
    v->demand_month_ntiers[m] = 1;
    if (cJSON_IsObject(c)) {
        parse_period_tiers(P, c, path, &R, m);
        v->demand_month_micro[m] = v->demand_month_tier_micro[m][0];
    } else {
        jsonv_decimal_value(P->doc, c, path, MONEY_SCALE_PRICE, 0, TARIFF_MAX_PRICE_MICRO, &v->demand_month_micro[m]);
        v->demand_month_tier_micro[m][0] = v->demand_month_micro[m];
    }
}

/* demand.per_kw as a list of 12 (prices or ladders, January..December) or one ladder. */
static void parse_flat_demand(parser *P, const cJSON *a, const char *path, tariff_version *v)
{
    char q[JSONV_PATH_MAX];
    v->demand_basis = TARIFF_DEMAND_KW;
    v->demand_by_month = 1;
    if (cJSON_IsObject(a)) {
        parse_month_demand(P, a, path, v, 0);
        for (int m = 1; m < 12; m++) {
            v->demand_month_micro[m] = v->demand_month_micro[0];
            v->demand_month_ntiers[m] = v->demand_month_ntiers[0];
            memcpy(v->demand_month_bounds_w[m], v->demand_month_bounds_w[0], sizeof v->demand_month_bounds_w[0]);
            memcpy(v->demand_month_tier_micro[m], v->demand_month_tier_micro[0], sizeof v->demand_month_tier_micro[0]);
        }
    } else if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 12) {
        jsonv_error(P->doc, a, path, "must be a price, a tier ladder or 12 of them (January..December)");
        return;
    } else {
        int m = 0;
        for (const cJSON *c = a->child; c != NULL; c = c->next, m++) {
            jsonv_path_index(q, sizeof q, path, m);
            parse_month_demand(P, c, q, v, m);
        }
    }
    v->demand_micro = v->demand_month_micro[0];
}

/* demand.ratchet: {"percent": "80" or 12 (by the earlier month's calendar
 * month), "months": 1..12 before the bill's, "only_months": [calendar months]}. */
static void parse_ratchet(parser *P, const cJSON *d, const char *path, tariff_version *v)
{
    static const char *const keys[] = {"percent", "months", "only_months", NULL};
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *r = jsonv_get(P->doc, d, path, "ratchet", 0);
    jsonv_path_key(p, sizeof p, path, "ratchet");
    if (r == NULL || !jsonv_check_object(P->doc, r, p))
        return;
    jsonv_check_keys(P->doc, r, p, keys);
    long long months = 0;
    if (!jsonv_get_int(P->doc, r, p, "months", 1, 0, 1, 12, &months))
        return;
    const cJSON *pct = jsonv_get(P->doc, r, p, "percent", 1);
    jsonv_path_key(q, sizeof q, p, "percent");
    if (pct == NULL)
        return;
    if (cJSON_IsArray(pct) && cJSON_GetArraySize(pct) == 12) {
        int m = 0;
        char e[JSONV_PATH_MAX];
        for (const cJSON *c = pct->child; c != NULL; c = c->next, m++) {
            jsonv_path_index(e, sizeof e, q, m);
            jsonv_decimal_value(P->doc, c, e, 3, 0, 100000, &v->ratchet_pct_e3[m]);
        }
    } else if (jsonv_decimal_value(P->doc, pct, q, 3, 0, 100000, &v->ratchet_pct_e3[0])) {
        for (int m = 1; m < 12; m++)
            v->ratchet_pct_e3[m] = v->ratchet_pct_e3[0];
    }
    v->ratchet_month_mask = 0xfffu;
    unsigned mask = 0;
    if (cJSON_GetObjectItemCaseSensitive(r, "only_months") != NULL && parse_int_list(P, r, p, "only_months", 1, 12, &mask))
        v->ratchet_month_mask = mask >> 1; /* bit m-1: calendar month m */
    v->ratchet_months = (int)months;
}

/* demand.window_min (15, 30 or 60) and demand.window ("block" or "rolling"). */
static void parse_window(parser *P, const cJSON *d, const char *path, tariff_version *v)
{
    static const char *const kinds[] = {"block", "rolling", NULL};
    char p[JSONV_PATH_MAX];
    long long w = 0;
    if (jsonv_get_int(P->doc, d, path, "window_min", 0, 0, 15, 60, &w) && w != 0 && w != 15 && w != 30 &&
        w != 60) {
        jsonv_path_key(p, sizeof p, path, "window_min");
        jsonv_error(P->doc, cJSON_GetObjectItemCaseSensitive(d, "window_min"), p, "must be 15, 30 or 60");
    }
    v->demand_window_min = (int)w;
    jsonv_get_enum(P->doc, d, path, "window", 0, kinds, 0, &v->demand_window_rolling);
    if (cJSON_GetObjectItemCaseSensitive(d, "window") != NULL && w == 0) {
        jsonv_path_key(p, sizeof p, path, "window");
        jsonv_error(P->doc, cJSON_GetObjectItemCaseSensitive(d, "window"), p, "needs \"window_min\"");
    }
}

/* demand: "per_kw" or "per_kva" (at most one), and/or "tou" (per kW by demand period). */
static void parse_demand(parser *P, const cJSON *obj, const char *path, tariff_version *v)
{
    static const char *const keys[] = {"per_kw", "per_kva", "per_kvar", "tou", "window_min", "window", "ratchet", NULL};
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *d = jsonv_get(P->doc, obj, path, "demand", 0);
    jsonv_path_key(p, sizeof p, path, "demand");
    if (d == NULL || !jsonv_check_object(P->doc, d, p))
        return;
    jsonv_check_keys(P->doc, d, p, keys);
    int kw = cJSON_GetObjectItemCaseSensitive(d, "per_kw") != NULL;
    int kva = cJSON_GetObjectItemCaseSensitive(d, "per_kva") != NULL;
    const cJSON *tou = cJSON_GetObjectItemCaseSensitive(d, "tou");
    if (kw && kva) {
        jsonv_error(P->doc, d, p, "needs at most one of \"per_kw\" and \"per_kva\"");
        return;
    }
    get_price(P, d, p, "per_kvar", 0, &v->kvar_micro);
    if (!kw && !kva && tou == NULL && cJSON_GetObjectItemCaseSensitive(d, "per_kvar") == NULL) {
        jsonv_error(P->doc, d, p, "needs \"per_kw\", \"per_kva\", \"per_kvar\" or \"tou\"");
        return;
    }
    const cJSON *by_month = cJSON_GetObjectItemCaseSensitive(d, "per_kw");
    if (kw && (cJSON_IsArray(by_month) || cJSON_IsObject(by_month))) {
        jsonv_path_key(q, sizeof q, p, "per_kw");
        parse_flat_demand(P, by_month, q, v);
    } else if (kw || kva) {
        v->demand_basis = kw ? TARIFF_DEMAND_KW : TARIFF_DEMAND_KVA;
        get_price(P, d, p, kw ? "per_kw" : "per_kva", 1, &v->demand_micro);
    }
    if (tou != NULL) {
        periods_ref R = demand_periods(v);
        jsonv_path_key(q, sizeof q, p, "tou");
        parse_tou(P, tou, q, &R);
    }
    parse_window(P, d, p, v);
    parse_ratchet(P, d, p, v);
    if (v->ratchet_months > 0 && v->demand_basis != TARIFF_DEMAND_KW && !v->tier_per_kw && !has_per_kw(v))
        jsonv_error(P->doc, d, p, "a \"ratchet\" needs \"per_kw\" or energy tiers per kW: it sets the billing demand");
}

static void parse_power_factor(parser *P, const cJSON *obj, const char *path, tariff_version *v)
{
    static const char *const keys[] = {"standard", "table", NULL};
    static const char *const tables[] = {"1983", NULL};
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    int table = 0;
    int64_t std = 0;
    const cJSON *pf = jsonv_get(P->doc, obj, path, "power_factor", 0);
    jsonv_path_key(p, sizeof p, path, "power_factor");
    if (pf == NULL || !jsonv_check_object(P->doc, pf, p))
        return;
    jsonv_check_keys(P->doc, pf, p, keys);
    jsonv_get_enum(P->doc, pf, p, "table", 0, tables, 0, &table);
    if (!jsonv_get_decimal(P->doc, pf, p, "standard", 1, 0, 2, 0, 100, &std))
        return;
    if (std != 90 && std != 85 && std != 80) {
        jsonv_path_key(q, sizeof q, p, "standard");
        jsonv_error(P->doc, cJSON_GetObjectItemCaseSensitive(pf, "standard"), q,
                    "must be \"0.90\", \"0.85\" or \"0.80\"");
        return;
    }
    v->pf_standard = (int)std;
}

static void parse_surcharges(parser *P, const cJSON *obj, const char *path, tariff_version *v)
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *s = jsonv_get(P->doc, obj, path, "surcharges", 0);
    jsonv_path_key(p, sizeof p, path, "surcharges");
    if (s == NULL || !jsonv_check_object(P->doc, s, p))
        return;
    if (cJSON_GetArraySize(s) > TARIFF_MAX_SURCHARGES) {
        jsonv_error(P->doc, s, p, "more than %d surcharges", TARIFF_MAX_SURCHARGES);
        return;
    }
    for (const cJSON *c = s->child; c != NULL; c = c->next) {
        jsonv_path_key(q, sizeof q, p, c->string);
        if (!ident_valid(c->string, TARIFF_NAME_MAX - 1)) {
            jsonv_error(P->doc, c, q, "surcharge name must be 1..%d letters, digits, '_', '-' or '.'",
                        TARIFF_NAME_MAX - 1);
            continue;
        }
        int64_t price = 0;
        int i = v->nsurcharges++;
        if (cJSON_IsArray(c)) {
            v->surcharge_by_month |= 1u << i;
            parse_month_prices(P, c, q, v->surcharge_month_micro[i]);
            price = v->surcharge_month_micro[i][0];
        } else {
            jsonv_decimal_value(P->doc, c, q, MONEY_SCALE_PRICE, 0, TARIFF_MAX_PRICE_MICRO, &price);
        }
        snprintf(v->surcharge_names[i], TARIFF_NAME_MAX, "%s", c->string);
        v->surcharge_micro[i] = price;
    }
}

static void parse_currency(parser *P, const cJSON *obj, const char *path, tariff_version *v)
{
    if (!jsonv_get_string(P->doc, obj, path, "currency", 0, "CNY", v->currency, sizeof v->currency))
        return;
    int ok = strlen(v->currency) == 3;
    for (int i = 0; ok && i < 3; i++)
        ok = v->currency[i] >= 'A' && v->currency[i] <= 'Z';
    if (!ok) {
        char p[JSONV_PATH_MAX];
        jsonv_path_key(p, sizeof p, path, "currency");
        jsonv_error(P->doc, cJSON_GetObjectItemCaseSensitive(obj, "currency"), p,
                    "must be an ISO 4217 code like \"CNY\"");
    }
}

/* "fixed_unit" / "minimum_unit": "month" (default), "day" or "year". */
static void get_charge_unit(parser *P, const cJSON *obj, const char *path, const char *charge,
                            tariff_charge_unit *out)
{
    static const char *const units[] = {"month", "day", "year", NULL};
    char key[24], p[JSONV_PATH_MAX];
    int u = 0;
    snprintf(key, sizeof key, "%s_unit", charge);
    if (jsonv_get_enum(P->doc, obj, path, key, 0, units, 0, &u))
        *out = u == 1 ? TARIFF_PER_DAY : u == 2 ? TARIFF_PER_YEAR : TARIFF_PER_MONTH;
    if (u != 0 && cJSON_GetObjectItemCaseSensitive(obj, charge) == NULL) {
        jsonv_path_key(p, sizeof p, path, key);
        jsonv_error(P->doc, cJSON_GetObjectItemCaseSensitive(obj, key), p, "needs \"%s\"", charge);
    }
}

static void parse_version(parser *P, const cJSON *obj, const char *path, int top, tariff_version *v)
{
    static const char *const keys[] = {"id", "description", "currency", "effective_from", "effective_to",
                                       "rounding", "fixed", "fixed_unit", "minimum", "minimum_unit",
                                       "annual_minimum", "energy",
                                       "demand", "power_factor",
                                       "surcharges", "holidays", NULL};
    memset(v, 0, sizeof *v);
    memset(v->period_map, 0, sizeof v->period_map);
    v->ntiers = 1;
    v->tier_start_month = 1;
    v->to_day = TARIFF_NO_END;
    if (!jsonv_check_object(P->doc, obj, path))
        return;
    jsonv_check_keys(P->doc, obj, path, keys);
    if (!top && cJSON_GetObjectItemCaseSensitive(obj, "holidays") != NULL) {
        char p[JSONV_PATH_MAX];
        jsonv_path_key(p, sizeof p, path, "holidays");
        jsonv_error(P->doc, cJSON_GetObjectItemCaseSensitive(obj, "holidays"), p,
                    "belongs at the top of the file, beside \"versions\"");
    }
    get_name(P, obj, path, "id", 1, v->id, sizeof v->id);
    parse_currency(P, obj, path, v);
    get_date(P, obj, path, "effective_from", 1, &v->from_day);
    if (get_date(P, obj, path, "effective_to", 0, &v->to_day) && v->to_day < v->from_day &&
        v->to_day != TARIFF_NO_END) {
        char p[JSONV_PATH_MAX];
        jsonv_path_key(p, sizeof p, path, "effective_to");
        jsonv_error(P->doc, cJSON_GetObjectItemCaseSensitive(obj, "effective_to"), p,
                    "must not be before effective_from");
    }
    parse_rounding(P, obj, path, v);
    get_price(P, obj, path, "fixed", 0, &v->fixed_micro);
    get_price(P, obj, path, "minimum", 0, &v->minimum_micro);
    get_price(P, obj, path, "annual_minimum", 0, &v->annual_minimum_micro);
    get_charge_unit(P, obj, path, "fixed", &v->fixed_unit);
    get_charge_unit(P, obj, path, "minimum", &v->minimum_unit);
    parse_energy(P, obj, path, v);
    parse_demand(P, obj, path, v);
    parse_power_factor(P, obj, path, v);
    parse_surcharges(P, obj, path, v);
}

static int date_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static void parse_holidays(parser *P, const cJSON *root)
{
    char q[JSONV_PATH_MAX];
    tariff_set *ts = P->ts;
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(root, "holidays");
    if (h == NULL || !jsonv_check_array(P->doc, h, "holidays", TARIFF_MAX_HOLIDAYS))
        return;
    int i = 0;
    for (const cJSON *c = h->child; c != NULL; c = c->next, i++) {
        jsonv_path_index(q, sizeof q, "holidays", i);
        int32_t day;
        if (!date_value(P, c, q, &day))
            continue;
        for (int j = 0; j < ts->nholidays; j++) {
            if (ts->holidays[j] == day) {
                jsonv_error(P->doc, c, q, "is listed twice");
                day = INT32_MIN;
                break;
            }
        }
        if (day != INT32_MIN)
            ts->holidays[ts->nholidays++] = day;
    }
    qsort(ts->holidays, (size_t)ts->nholidays, sizeof ts->holidays[0], date_cmp);
}

/* Versions in order, not overlapping, one id and currency; an open end runs
 * to the day before the next version. */
static void check_versions(parser *P, const cJSON *list)
{
    tariff_set *ts = P->ts;
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    for (int i = 1; i < ts->nversions; i++) {
        tariff_version *a = &ts->versions[i - 1], *b = &ts->versions[i];
        const cJSON *node = cJSON_GetArrayItem(list, i);
        jsonv_path_index(p, sizeof p, "versions", i);
        if (strcmp(a->id, b->id) != 0) {
            jsonv_path_key(q, sizeof q, p, "id");
            jsonv_error(P->doc, cJSON_GetObjectItemCaseSensitive(node, "id"), q, "must equal versions[0].id \"%s\"",
                        ts->versions[0].id);
        }
        if (strcmp(a->currency, b->currency) != 0) {
            jsonv_path_key(q, sizeof q, p, "currency");
            jsonv_error(P->doc, node, q, "must be the same in every version");
        }
        jsonv_path_key(q, sizeof q, p, "effective_from");
        if (b->from_day <= a->from_day)
            jsonv_error(P->doc, cJSON_GetObjectItemCaseSensitive(node, "effective_from"), q,
                        "must be after versions[%d].effective_from (versions in date order)", i - 1);
        else if (a->to_day != TARIFF_NO_END && a->to_day >= b->from_day)
            jsonv_error(P->doc, cJSON_GetObjectItemCaseSensitive(node, "effective_from"), q,
                        "overlaps versions[%d], in force until its effective_to", i - 1);
        else if (a->to_day == TARIFF_NO_END)
            a->to_day = b->from_day - 1;
    }
}

static void parse_root(parser *P, const cJSON *root)
{
    tariff_set *ts = P->ts;
    if (!jsonv_check_object(P->doc, root, ""))
        return;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "versions");
    parse_holidays(P, root);
    if (list == NULL) {
        ts->nversions = 1;
        parse_version(P, root, "", 1, &ts->versions[0]);
        snprintf(ts->id, sizeof ts->id, "%s", ts->versions[0].id);
        return;
    }
    static const char *const keys[] = {"id", "description", "versions", "holidays", NULL};
    jsonv_check_keys(P->doc, root, "", keys);
    if (!jsonv_check_array(P->doc, list, "versions", TARIFF_MAX_VERSIONS))
        return;
    if (cJSON_GetArraySize(list) < 1) {
        jsonv_error(P->doc, list, "versions", "must hold at least one version");
        return;
    }
    char p[JSONV_PATH_MAX];
    for (const cJSON *c = list->child; c != NULL; c = c->next) {
        jsonv_path_index(p, sizeof p, "versions", ts->nversions);
        parse_version(P, c, p, 0, &ts->versions[ts->nversions++]);
    }
    snprintf(ts->id, sizeof ts->id, "%s", ts->versions[0].id);
    char top_id[TARIFF_ID_MAX];
    if (get_name(P, root, "", "id", 0, top_id, sizeof top_id) && top_id[0] && strcmp(top_id, ts->id) != 0)
        jsonv_error(P->doc, cJSON_GetObjectItemCaseSensitive(root, "id"), "id", "must equal versions[0].id \"%s\"",
                    ts->id);
    if (jsonv_errors(P->doc) == 0)
        check_versions(P, list);
}

gl_status tariff_parse(const char *file, const char *text, size_t len, diag *d, tariff_set *out)
{
    gl_status ret = GL_EINVAL;
    jsonv_doc *doc = NULL;
    if (file == NULL || text == NULL || out == NULL)
        goto out;
    ret = jsonv_parse(file, text, len, d, &doc);
    if (ret != GL_OK)
        goto out;
    memset(out, 0, sizeof *out);
    parser P = {doc, out};
    parse_root(&P, jsonv_root(doc));
    ret = jsonv_errors(doc) ? GL_ECONFIG : GL_OK;
out:
    jsonv_free(doc);
    return ret;
}

int tariff_find_version(const tariff_set *ts, int32_t day)
{
    for (int i = 0; i < ts->nversions; i++)
        if (day >= ts->versions[i].from_day && day <= ts->versions[i].to_day)
            return i;
    return -1;
}

int tariff_is_holiday(const tariff_set *ts, int32_t day)
{
    int lo = 0, hi = ts->nholidays - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (ts->holidays[mid] == day)
            return 1;
        if (ts->holidays[mid] < day)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 0;
}

int tariff_period_at(const tariff_version *v, int32_t day, int slot, int holiday)
{
    if (!v->tou)
        return 0;
    int y, m, dd;
    civdate_to_ymd(day, &y, &m, &dd);
    int wd = civdate_weekday(day);
    int t = holiday ? TARIFF_HOLIDAY : wd >= CIVDATE_SATURDAY ? TARIFF_WEEKEND : TARIFF_WEEKDAY;
    return v->period_map[m - 1][t][slot];
}

/* The three tables of the 1983 办法, in basis points. Reductions above the
 * standard are listed; increases below it run 0.5% per 0.01 for 20
 * hundredths, then 1% per 0.01 for 5 hundredths, then 2% per 0.01. */
gl_status tariff_pf_adjust_bp(int standard, int pf_hundredths, int *out_bp)
{
    static const int cut90[] = {-15, -30, -45, -60, -75};                                  /* 0.91..0.95+ */
    static const int cut85[] = {-10, -20, -30, -40, -50, -65, -80, -95, -110};            /* 0.86..0.94+ */
    static const int cut80[] = {-10, -20, -30, -40, -50, -60, -70, -80, -90, -100, -115, -130}; /* 0.81..0.92+ */
    const int *cut;
    int ncut;
    if (pf_hundredths < 0 || pf_hundredths > 100 || out_bp == NULL)
        return GL_EINVAL;
    switch (standard) {
    case 90: cut = cut90; ncut = 5; break;
    case 85: cut = cut85; ncut = 9; break;
    case 80: cut = cut80; ncut = 12; break;
    default: return GL_EINVAL;
    }
    int below = standard - pf_hundredths;
    if (below <= 0) {
        int above = -below;
        *out_bp = above == 0 ? 0 : cut[(above > ncut ? ncut : above) - 1];
    } else if (below <= 20) {
        *out_bp = 50 * below;
    } else if (below <= 25) {
        *out_bp = 1000 + 100 * (below - 20);
    } else {
        *out_bp = 1500 + 200 * (below - 25);
    }
    return GL_OK;
}

/* a * b as a 96-bit number in (hi, lo), for b < 2^32. */
static void mul_64_32(uint64_t a, uint32_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t t1 = (a & 0xFFFFFFFFu) * b, t2 = (a >> 32) * b;
    *lo = t1 + (t2 << 32);
    *hi = (t2 >> 32) + (*lo < t1);
}

int tariff_pf_hundredths(int64_t p_wh, int64_t q_varh)
{
    if (p_wh <= 0)
        return q_varh <= 0 && p_wh == 0 ? 100 : 0;
    uint64_t p = (uint64_t)p_wh, q = q_varh > 0 ? (uint64_t)q_varh : 0;
    while (p >= (1u << 31) || q >= (1u << 31)) { /* keep squares in 63 bits: relative error < 2^-31 */
        p >>= 1;
        q >>= 1;
    }
    uint64_t pp = p * p, s = pp + q * q;
    /* largest k with P/sqrt(S) >= (2k-1)/200, i.e. 40000 P^2 >= (2k-1)^2 S */
    for (int k = 100; k >= 1; k--) {
        uint64_t ah, al, bh, bl;
        mul_64_32(pp, 40000u, &ah, &al);
        mul_64_32(s, (uint32_t)((2 * k - 1) * (2 * k - 1)), &bh, &bl);
        if (ah > bh || (ah == bh && al >= bl))
            return k;
    }
    return 0;
}
