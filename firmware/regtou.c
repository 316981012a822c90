/* regtou.c: TOU bills from the meter's own per-tariff registers (see regtou.h). */
#include "regtou.h"

#include <stdio.h>
#include <string.h>

#include "gridledger/civdate.h"

#define REG_MAX 4 /* DL/T 645 tariffs 1..4 (READING_TARIFFS) */
_Static_assert(REG_MAX == READING_TARIFFS, "one register per reading tariff");

/* Reports at node when validating (doc != NULL); silent when reading back a validated config. */
#define BAD(doc, node, path, ...)                                                                                   \
    do {                                                                                                           \
        if ((doc) != NULL)                                                                                         \
            jsonv_error((doc), (node), (path), __VA_ARGS__);                                                       \
    } while (0)

/* slot_of: "HH:MM" on a quarter hour as its slot 0..95; -1 if not. */
static int slot_of(const char *s)
{
    if (s == NULL || strlen(s) != 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    return h < 24 && m < 60 && m % 15 == 0 ? h * 4 + m / 15 : -1;
}

/* reg_of: a register number 1..REG_MAX from node; 0 if it is not one. */
static int reg_of(const cJSON *node)
{
    if (!cJSON_IsNumber(node) || !(node->valuedouble >= 1 && node->valuedouble <= REG_MAX))
        return 0; /* range first: casting 1e300 to int is undefined */
    int r = (int)node->valuedouble;
    return (double)r == node->valuedouble ? r : 0;
}

static int parse_registers(jsonv_doc *doc, const cJSON *o, const char *path, regtou *out)
{
    char p[JSONV_PATH_MAX];
    int used[REG_MAX + 1] = {0};
    jsonv_path_key(p, sizeof p, path, "registers");
    if (!cJSON_IsObject(o) || o->child == NULL) {
        BAD(doc, o, p, "must be an object of tariff period names and register numbers 1..4");
        return -1;
    }
    for (const cJSON *e = o->child; e != NULL; e = e->next) {
        char pe[JSONV_PATH_MAX];
        int r = reg_of(e);
        jsonv_path_key(pe, sizeof pe, p, e->string);
        if (out->nnames == TARIFF_MAX_PERIODS || strlen(e->string) >= TARIFF_NAME_MAX) {
            BAD(doc, e, pe, "at most %d periods, names shorter than %d", TARIFF_MAX_PERIODS, TARIFF_NAME_MAX);
            return -1;
        }
        if (r == 0 || used[r]) {
            BAD(doc, e, pe, r ? "register %d already mapped: each register holds one period" : "must be a register 1..4",
                r);
            return -1;
        }
        used[r] = 1;
        snprintf(out->names[out->nnames], TARIFF_NAME_MAX, "%s", e->string);
        out->reg[out->nnames++] = r;
    }
    return 0;
}

/* parse_day: the meter's day table into out->slot_reg. */
static int parse_day(jsonv_doc *doc, const cJSON *a, const char *path, regtou *out)
{
    char p[JSONV_PATH_MAX];
    int start[REGTOU_MAX_SLOTS], reg[REGTOU_MAX_SLOTS], n = 0;
    jsonv_path_key(p, sizeof p, path, "meter_day");
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 || cJSON_GetArraySize(a) > REGTOU_MAX_SLOTS) {
        BAD(doc, a, p, "must be a list of 1..%d [\"HH:MM\", register] slots", REGTOU_MAX_SLOTS);
        return -1;
    }
    for (const cJSON *e = a->child; e != NULL; e = e->next, n++) {
        char pe[JSONV_PATH_MAX];
        const cJSON *t = cJSON_GetArrayItem(e, 0);
        jsonv_path_index(pe, sizeof pe, p, n);
        start[n] = cJSON_GetArraySize(e) == 2 ? slot_of(cJSON_GetStringValue(t)) : -1;
        reg[n] = reg_of(cJSON_GetArrayItem(e, 1));
        if (start[n] < 0 || reg[n] == 0) {
            BAD(doc, e, pe, "must be [\"HH:MM\" on a quarter hour, register 1..4]");
            return -1;
        }
        if (n > 0 && start[n] <= start[n - 1]) {
            BAD(doc, e, pe, "slots must start in ascending order");
            return -1;
        }
    }
    for (int q = 0; q < TARIFF_SLOTS_PER_DAY; q++) {
        int k = n - 1; /* before the first start: the last slot, from the day before */
        for (int i = 0; i < n; i++)
            if (start[i] <= q)
                k = i;
        out->slot_reg[q] = (uint8_t)reg[k];
    }
    return 0;
}

static int parse_entry(jsonv_doc *doc, const cJSON *o, const char *path, const config *cfg, regtou *out)
{
    static const char *const keys[] = {"tariff", "registers", "meter_day", NULL};
    char p[JSONV_PATH_MAX];
    memset(out, 0, sizeof *out);
    if (!cJSON_IsObject(o)) {
        BAD(doc, o, path, "must be an object");
        return -1;
    }
    if (doc != NULL)
        jsonv_check_keys(doc, o, path, keys);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "tariff");
    jsonv_path_key(p, sizeof p, path, "tariff");
    if (!cJSON_IsString(t) || config_find_tariff(cfg, t->valuestring) < 0) {
        BAD(doc, t != NULL ? t : o, p, "must name a tariff of \"tariffs\"");
        return -1;
    }
    snprintf(out->tariff, sizeof out->tariff, "%s", t->valuestring);
    if (parse_registers(doc, cJSON_GetObjectItemCaseSensitive(o, "registers"), path, out) != 0)
        return -1;
    return parse_day(doc, cJSON_GetObjectItemCaseSensitive(o, "meter_day"), path, out);
}

int regtou_config_check(jsonv_doc *doc, const cJSON *node, const char *path, const config *cfg)
{
    int before = jsonv_errors(doc), i = 0;
    if (node == NULL || !jsonv_check_array(doc, node, path, REGTOU_MAX_ENTRIES))
        return jsonv_errors(doc) - before;
    for (const cJSON *o = node->child; o != NULL; o = o->next, i++) {
        char p[JSONV_PATH_MAX];
        regtou m;
        jsonv_path_index(p, sizeof p, path, i);
        if (parse_entry(doc, o, p, cfg, &m) != 0)
            continue;
        for (const cJSON *e = node->child; e != o; e = e->next) {
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "tariff");
            if (cJSON_IsString(t) && strcmp(t->valuestring, m.tariff) == 0) {
                jsonv_path_key(p, sizeof p, p, "tariff");
                jsonv_error(doc, cJSON_GetObjectItemCaseSensitive(o, "tariff"), p, "tariff \"%s\" mapped twice", m.tariff);
                break;
            }
        }
    }
    return jsonv_errors(doc) - before;
}

gl_status regtou_find(const config *cfg, const char *tariff, regtou *out)
{
    if (cfg->register_tou == NULL || !cJSON_IsArray(cfg->register_tou))
        return GL_ENOTFOUND;
    for (const cJSON *o = cfg->register_tou->child; o != NULL; o = o->next) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "tariff");
        if (cJSON_IsString(t) && strcmp(t->valuestring, tariff) == 0)
            return parse_entry(NULL, o, "register_tou", cfg, out) == 0 ? GL_OK : GL_ECONFIG;
    }
    return GL_ENOTFOUND;
}

/* reg_named: the register mapped to period name; 0 if none. */
static int reg_named(const regtou *m, const char *name)
{
    for (int i = 0; i < m->nnames; i++)
        if (strcmp(m->names[i], name) == 0)
            return m->reg[i];
    return 0;
}

gl_status regtou_check(const regtou *m, const tariff_set *ts, int32_t from_day, int32_t to_day, char *why,
                       size_t cap)
{
    char date[CIVDATE_FMT_MAX];
    for (int32_t d = from_day; d <= to_day; d++) {
        int vi = tariff_find_version(ts, d), hol = tariff_is_holiday(ts, d);
        civdate_format(d, date, sizeof date);
        if (vi < 0 || !ts->versions[vi].tou) {
            snprintf(why, cap, "tariff %s on %s: %s", ts->id, date, vi < 0 ? "no version in force" : "not time of use");
            return GL_ESTATE;
        }
        const tariff_version *v = &ts->versions[vi];
        for (int q = 0; q < TARIFF_SLOTS_PER_DAY; q++) {
            const char *name = v->period_names[tariff_period_at(v, d, q, hol)];
            int r = reg_named(m, name);
            if (r == m->slot_reg[q])
                continue;
            snprintf(why, cap,
                     "tariff %s on %s at %02d:%02d%s: period \"%s\" is %s%d, the meter counts register %d then "
                     "(register_tou.meter_day)",
                     ts->id, date, q / 4, q % 4 * 15, hol ? " (holiday)" : "", name, r ? "register " : "in no register ",
                     r, m->slot_reg[q]);
            return GL_ESTATE;
        }
    }
    return GL_OK;
}

/* needs_intervals: a charge of v that register totals cannot price. */
static const char *needs_intervals(const tariff_version *v)
{
    if (v->demand_basis == TARIFF_DEMAND_KW || v->ndemand_periods > 0 || v->kvar_micro > 0 || v->ratchet_months > 0)
        return "demand charges";
    if (v->tier_per_kw)
        return "tiers in kWh per kW of demand";
    for (int p = 0; p < v->nperiods; p++)
        if (v->period_per_kw[p])
            return "tiers in kWh per kW of demand";
    if (v->has_sell)
        return "sell credits for exported energy";
    return v->pf_standard ? "a power-factor adjustment" : NULL;
}

/* first_slot: the first quarter hour of from_day..to_day in period name, as local minutes; -1 if none. */
static int64_t first_slot(const tariff_set *ts, int32_t from_day, int32_t to_day, const char *name)
{
    for (int32_t d = from_day; d <= to_day; d++) {
        int vi = tariff_find_version(ts, d), hol = tariff_is_holiday(ts, d);
        for (int q = 0; vi >= 0 && q < TARIFF_SLOTS_PER_DAY; q++)
            if (strcmp(ts->versions[vi].period_names[tariff_period_at(&ts->versions[vi], d, q, hol)], name) == 0)
                return (int64_t)d * 1440 + q * 15;
    }
    return -1;
}

gl_status regtou_usage(const regtou *m, const tariff_set *ts, int32_t from_day, int32_t to_day, const reading *base,
                       const reading *end, usage_interval *u, int cap, int *nu, char *why, size_t whycap)
{
    *nu = 0;
    for (int32_t d = from_day; d <= to_day; d++) {
        int vi = tariff_find_version(ts, d);
        const char *what = vi >= 0 ? needs_intervals(&ts->versions[vi]) : NULL;
        if (what != NULL) {
            snprintf(why, whycap, "tariff %s has %s: they need intervals", ts->id, what);
            return GL_ESTATE;
        }
    }
    if (!(base->present & READING_HAS_TARIFFS) || !(end->present & READING_HAS_TARIFFS)) {
        snprintf(why, whycap, "the %s reading has no tariff registers", !(base->present & READING_HAS_TARIFFS) ? "first" : "last");
        return GL_ESTATE;
    }
    for (int i = 0; i < m->nnames; i++) {
        int64_t e = end->tariff_wh[m->reg[i] - 1] - base->tariff_wh[m->reg[i] - 1];
        int64_t at = first_slot(ts, from_day, to_day, m->names[i]);
        if (e < 0) {
            snprintf(why, whycap, "register %d went down (%s)", m->reg[i], m->names[i]);
            return GL_ESTATE;
        }
        if (e > 0 && at < 0) {
            snprintf(why, whycap, "register %d (%s) counted %lld Wh, but the period is never in force", m->reg[i],
                     m->names[i], (long long)e);
            return GL_ESTATE;
        }
        if (e == 0)
            continue;
        if (*nu == cap)
            return GL_EBOUND;
        int k = (*nu)++;
        for (; k > 0 && u[k - 1].start_min > at; k--) /* in time order */
            u[k] = u[k - 1];
        u[k] = (usage_interval){at, 15, 0, 0, e, -1, -1};
    }
    return GL_OK;
}
