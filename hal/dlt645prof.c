/* dlt645prof.c: see dlt645prof.h. */
#include "dlt645prof.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEM(di_, width_, signed_, mult_, div_)                                                                        \
    {                                                                                                                  \
        1, di_, width_, signed_, mult_, div_                                                                           \
    }

/* 0.01 kWh -> Wh; 0.1 V -> dV; 0.001 A -> mA; 0.0001 kW -> W; 0.001 -> pf x 1000; 0.01 Hz -> cHz */
#define ENERGY(di_) ITEM(di_, 4, 0, 10, 1)
#define VOLTS(di_) ITEM(di_, 2, 0, 1, 1)
#define AMPS(di_) ITEM(di_, 3, 1, 1, 1)

static const dlt645prof builtin[] = {
    {
        .name = "DLT645-1P",
        .source = "DL/T 645-2007 appendix A, single-phase residential meter",
        .nphases = 1,
        .max_power_w = 20000, /* 80 A x 250 V */
        .q =
            {
                [PROFILE_Q_IMPORT] = ENERGY(0x00010000),
                [PROFILE_Q_EXPORT] = ENERGY(0x00020000),
                [PROFILE_Q_VOLTAGE_L1] = VOLTS(0x02010100),
                [PROFILE_Q_CURRENT_L1] = AMPS(0x02020100),
                [PROFILE_Q_POWER] = ITEM(0x02030000, 3, 1, 1, 10),
                [PROFILE_Q_PF] = ITEM(0x02060000, 2, 1, 1, 1),
                [PROFILE_Q_FREQ] = ITEM(0x02800002, 2, 0, 1, 1),
            },
        .block = 1,
        .ntariffs = 4,
        .relay = 1,
    },
    {
        .name = "DLT645-3P",
        .source = "DL/T 645-2007 appendix A, three-phase meter",
        .nphases = 3,
        .max_power_w = 80000,
        .q =
            {
                [PROFILE_Q_IMPORT] = ENERGY(0x00010000),
                [PROFILE_Q_EXPORT] = ENERGY(0x00020000),
                [PROFILE_Q_VOLTAGE_L1] = VOLTS(0x02010100),
                [PROFILE_Q_VOLTAGE_L2] = VOLTS(0x02010200),
                [PROFILE_Q_VOLTAGE_L3] = VOLTS(0x02010300),
                [PROFILE_Q_CURRENT_L1] = AMPS(0x02020100),
                [PROFILE_Q_CURRENT_L2] = AMPS(0x02020200),
                [PROFILE_Q_CURRENT_L3] = AMPS(0x02020300),
                [PROFILE_Q_POWER] = ITEM(0x02030000, 3, 1, 1, 10),
                [PROFILE_Q_PF] = ITEM(0x02060000, 2, 1, 1, 1),
                [PROFILE_Q_FREQ] = ITEM(0x02800002, 2, 0, 1, 1),
            },
        .block = 1,
        .ntariffs = 4,
        .relay = 1,
    },
};

const dlt645prof *dlt645prof_builtin(const char *name)
{
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
        if (strcmp(builtin[i].name, name) == 0)
            return &builtin[i];
    return NULL;
}

gl_status dlt645prof_value(const dlt645_item *it, const uint8_t *p, int64_t *out)
{
    int64_t raw;
    gl_status st = dlt645_bcd_get(p, it->width, it->is_signed, &raw);
    if (st != GL_OK)
        return st;
    int64_t v = raw * it->mult; /* |raw| < 10^16 / 2, mult small */
    int64_t half = it->div / 2;
    *out = it->div == 1 ? v : (v >= 0 ? (v + half) / it->div : -((-v + half) / it->div));
    return GL_OK;
}

void dlt645prof_as_profile(const dlt645prof *d, profile *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", d->name);
    snprintf(out->source, sizeof out->source, "%s", d->source);
    out->nphases = d->nphases;
    out->max_power_w = d->max_power_w;
}

int dlt645prof_known(const cJSON *profiles, const char *name)
{
    if (dlt645prof_builtin(name) != NULL)
        return 1;
    for (const cJSON *p = profiles ? profiles->child : NULL; p != NULL; p = p->next) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(p, "name");
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
            return 1;
    }
    return 0;
}

static void err_at(jsonv_doc *doc, const cJSON *obj, const char *path, const char *key, const char *msg)
{
    char p[JSONV_PATH_MAX];
    jsonv_path_key(p, sizeof p, path, key);
    jsonv_error(doc, cJSON_GetObjectItemCaseSensitive(obj, key), p, "%s", msg);
}

static int64_t gcd64(int64_t a, int64_t b)
{
    a = a < 0 ? -a : a;
    while (b != 0) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a ? a : 1;
}

/* {"di": "02010100", "bytes": 2, "signed": false, "scale": "0.1", "unit": "V"} */
static void parse_item(jsonv_doc *doc, const cJSON *o, const char *path, profile_q q, dlt645_item *it)
{
    static const char *const keys[] = {"di", "bytes", "signed", "scale", "unit", NULL};
    char di[16], unit[8];
    long long width = 4;
    int is_signed = 0;
    int64_t scale_micro = 1000000, mult = 1;
    if (!jsonv_check_object(doc, o, path))
        return;
    jsonv_check_keys(doc, o, path, keys);
    if (jsonv_get_string(doc, o, path, "di", 1, NULL, di, sizeof di) &&
        (strlen(di) != 8 || strspn(di, "0123456789abcdefABCDEF") != 8))
        err_at(doc, o, path, "di", "must be 8 hex digits, DI3 first (\"02010100\")");
    jsonv_get_int(doc, o, path, "bytes", 0, 4, 1, 8, &width);
    jsonv_get_bool(doc, o, path, "signed", 0, 0, &is_signed);
    if (jsonv_get_decimal(doc, o, path, "scale", 0, 1000000, 6, 1, 1000000000000LL, &scale_micro) == 0)
        return;
    if (!jsonv_get_string(doc, o, path, "unit", 1, NULL, unit, sizeof unit))
        return;
    if (profile_unit_mult(q, unit, &mult) != GL_OK) {
        err_at(doc, o, path, "unit", "not a unit of this quantity (see docs/meters.md)");
        return;
    }
    int64_t num = scale_micro * mult, den = 1000000, g = gcd64(num, den);
    *it = (dlt645_item){1, (uint32_t)strtoul(di, NULL, 16), (uint8_t)width, (uint8_t)is_signed, num / g, den / g};
}

static void parse_items(jsonv_doc *doc, const cJSON *o, const char *path, dlt645prof *p)
{
    const char *names[PROFILE_Q_COUNT + 1];
    if (o == NULL || !jsonv_check_object(doc, o, path))
        return;
    for (int q = 0; q < PROFILE_Q_COUNT; q++)
        names[q] = profile_q_name((profile_q)q);
    names[PROFILE_Q_COUNT] = NULL;
    jsonv_check_keys(doc, o, path, names);
    for (int q = 0; q < PROFILE_Q_COUNT; q++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, names[q]);
        char p2[JSONV_PATH_MAX];
        if (v == NULL)
            continue;
        jsonv_path_key(p2, sizeof p2, path, names[q]);
        memset(&p->q[q], 0, sizeof p->q[q]);
        if (!cJSON_IsNull(v)) /* null removes a quantity of the base profile */
            parse_item(doc, v, p2, (profile_q)q, &p->q[q]);
    }
}

int dlt645prof_parse(jsonv_doc *doc, const cJSON *obj, const char *path, dlt645prof *out)
{
    static const char *const keys[] = {"name",  "base",    "source", "phases", "max_power_w",
                                       "block", "tariffs", "relay",  "items",  NULL};
    int before = jsonv_errors(doc);
    char base[PROFILE_NAME_MAX] = "DLT645-1P", p2[JSONV_PATH_MAX];
    long long phases, maxp, tariffs;
    memset(out, 0, sizeof *out);
    if (!jsonv_check_object(doc, obj, path))
        return jsonv_errors(doc) - before;
    jsonv_check_keys(doc, obj, path, keys);
    jsonv_get_string(doc, obj, path, "base", 0, "DLT645-1P", base, sizeof base);
    const dlt645prof *b = dlt645prof_builtin(base);
    if (b == NULL) {
        err_at(doc, obj, path, "base", "not a built-in DL/T 645 profile (DLT645-1P DLT645-3P)");
        b = dlt645prof_builtin("DLT645-1P");
    }
    *out = *b;
    jsonv_get_string(doc, obj, path, "name", 1, NULL, out->name, sizeof out->name);
    jsonv_get_string(doc, obj, path, "source", 0, "config", out->source, sizeof out->source);
    jsonv_get_int(doc, obj, path, "phases", 0, b->nphases, 1, 3, &phases);
    if (phases == 2)
        err_at(doc, obj, path, "phases", "must be 1 or 3");
    out->nphases = (int)phases;
    jsonv_get_int(doc, obj, path, "max_power_w", 0, b->max_power_w, 1, 100000000, &maxp);
    out->max_power_w = maxp;
    jsonv_get_bool(doc, obj, path, "block", 0, b->block, &out->block);
    jsonv_get_int(doc, obj, path, "tariffs", 0, b->ntariffs, 0, DLT645PROF_TARIFFS, &tariffs);
    out->ntariffs = (int)tariffs;
    jsonv_get_bool(doc, obj, path, "relay", 0, b->relay, &out->relay);
    jsonv_path_key(p2, sizeof p2, path, "items");
    parse_items(doc, cJSON_GetObjectItemCaseSensitive(obj, "items"), p2, out);
    if (jsonv_errors(doc) == before && !out->q[PROFILE_Q_IMPORT].present)
        jsonv_error(doc, obj, path, "a profile needs an \"import\" item (the billing register)");
    return jsonv_errors(doc) - before;
}

int dlt645prof_config_check(jsonv_doc *doc, const cJSON *node, const char *path, const cJSON *root)
{
    (void)root;
    int before = jsonv_errors(doc), i = 0;
    if (node == NULL || !jsonv_check_array(doc, node, path, DLT645PROF_MAX_CUSTOM))
        return jsonv_errors(doc) - before;
    for (const cJSON *o = node->child; o != NULL; o = o->next, i++) {
        char p[JSONV_PATH_MAX], pn[JSONV_PATH_MAX];
        dlt645prof pr;
        jsonv_path_index(p, sizeof p, path, i);
        if (dlt645prof_parse(doc, o, p, &pr) != 0)
            continue;
        jsonv_path_key(pn, sizeof pn, p, "name");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
        if (dlt645prof_builtin(pr.name) != NULL || profile_builtin(pr.name) != NULL) {
            jsonv_error(doc, name, pn, "\"%s\" is a built-in profile; use \"base\" to start from it", pr.name);
            continue;
        }
        for (const cJSON *e = node->child; e != o; e = e->next) {
            const cJSON *n2 = cJSON_GetObjectItemCaseSensitive(e, "name");
            if (cJSON_IsString(n2) && strcmp(n2->valuestring, pr.name) == 0) {
                jsonv_error(doc, name, pn, "profile \"%s\" defined twice", pr.name);
                break;
            }
        }
    }
    return jsonv_errors(doc) - before;
}

gl_status dlt645prof_resolve(jsonv_doc *doc, const cJSON *profiles, const char *name, dlt645prof *out)
{
    const dlt645prof *b = dlt645prof_builtin(name);
    int i = 0;
    if (b != NULL) {
        *out = *b;
        return GL_OK;
    }
    if (profiles == NULL || !cJSON_IsArray(profiles))
        return GL_ENOTFOUND;
    for (const cJSON *o = profiles->child; o != NULL; o = o->next, i++) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "name");
        char p[JSONV_PATH_MAX];
        if (!cJSON_IsString(n) || strcmp(n->valuestring, name) != 0)
            continue;
        jsonv_path_index(p, sizeof p, "dlt645_profiles", i);
        return dlt645prof_parse(doc, o, p, out) == 0 ? GL_OK : GL_ECONFIG;
    }
    return GL_ENOTFOUND;
}
