/* profile.c: built-in meter register maps and custom profiles from the config.
 *
 * Built-in maps (addresses 0-based, float32 high word first unless stated):
 *  - SDM120, SDM630: Eastron input registers (function 4), as mbmd reads them
 *    (volkszaehler/mbmd meters/rs485/sdm120.go and sdm.go, after Eastron's
 *    "SDM120 Modbus protocol" and "SDM630 Modbus protocol" register lists).
 *  - DDSU666: Chint, function 3 as OpenEMS reads it (io.openems.edge.meter.
 *    chint.ddsu666); the same addresses appear in Tasmota's Modbus energy
 *    defaults with function 4. Power is in kW there.
 *  - DTSU666: Chint, function 3 as mbmd reads it (meters/rs485/dtsu666.go,
 *    citing Chint's "DTSU666 DSSU666 User Manual"): raw units 0.1 V,
 *    0.001 A, 0.1 W, 0.001 (pf), 0.01 Hz; import energy 0x101E. OpenEMS reads
 *    energy at 0x401E with function 4 instead: override with a custom profile
 *    using "base": "DTSU666" where a meter wants that.
 *  - generic: gridledger's own integer map for converters and test rigs
 *    (holding registers, integers, high word first) with a relay coil.
 * The Chint and Eastron meters here have no relay; the built-in maps say so. */
#include "profile.h"

#include <stdio.h>
#include <string.h>

#include "modbusfn.h"

#define HOLD MODBUSFN_READ_HOLDING /* the tables below */
#define INPUT MODBUSFN_READ_INPUT
#define F32(fn_, addr_, unit_, scale_, mult_)                                                        \
    {                                                                                                \
        1, fn_, addr_, PROFILE_T_FLOAT32, PROFILE_WO_ABCD, scale_, mult_, unit_                      \
    }
#define INT(fn_, addr_, type_, unit_, scale_, mult_)                                                 \
    {                                                                                                \
        1, fn_, addr_, type_, PROFILE_WO_ABCD, scale_, mult_, unit_                                  \
    }
#define ONE PROFILE_SCALE_ONE

static const profile builtin[] = {
    {
        .name = "SDM120",
        .source = "Eastron SDM120 Modbus register list; volkszaehler/mbmd meters/rs485/sdm120.go",
        .nphases = 1,
        .max_power_w = 12000, /* 45 A max x 264 V */
        .q =
            {
                [PROFILE_Q_IMPORT] = F32(INPUT, 0x0048, "kWh", ONE, 1000),
                [PROFILE_Q_EXPORT] = F32(INPUT, 0x004A, "kWh", ONE, 1000),
                [PROFILE_Q_REACTIVE] = F32(INPUT, 0x004C, "kvarh", ONE, 1000),
                [PROFILE_Q_DEMAND] = F32(INPUT, 0x0056, "W", ONE, 1), /* max total system power demand */
                [PROFILE_Q_VOLTAGE_L1] = F32(INPUT, 0x0000, "V", ONE, 10),
                [PROFILE_Q_CURRENT_L1] = F32(INPUT, 0x0006, "A", ONE, 1000),
                [PROFILE_Q_POWER] = F32(INPUT, 0x000C, "W", ONE, 1),
                [PROFILE_Q_PF] = F32(INPUT, 0x001E, "1", ONE, 1000),
                [PROFILE_Q_FREQ] = F32(INPUT, 0x0046, "Hz", ONE, 100),
            },
    },
    {
        .name = "SDM630",
        .source = "Eastron SDM630 Modbus register list; volkszaehler/mbmd meters/rs485/sdm.go",
        .nphases = 3,
        .max_power_w = 80000, /* 100 A x 3 x 264 V */
        .q =
            {
                [PROFILE_Q_IMPORT] = F32(INPUT, 0x0048, "kWh", ONE, 1000),
                [PROFILE_Q_EXPORT] = F32(INPUT, 0x004A, "kWh", ONE, 1000),
                [PROFILE_Q_REACTIVE] = F32(INPUT, 0x004C, "kvarh", ONE, 1000),
                [PROFILE_Q_DEMAND] = F32(INPUT, 0x0056, "W", ONE, 1),
                [PROFILE_Q_VOLTAGE_L1] = F32(INPUT, 0x0000, "V", ONE, 10),
                [PROFILE_Q_VOLTAGE_L2] = F32(INPUT, 0x0002, "V", ONE, 10),
                [PROFILE_Q_VOLTAGE_L3] = F32(INPUT, 0x0004, "V", ONE, 10),
                [PROFILE_Q_CURRENT_L1] = F32(INPUT, 0x0006, "A", ONE, 1000),
                [PROFILE_Q_CURRENT_L2] = F32(INPUT, 0x0008, "A", ONE, 1000),
                [PROFILE_Q_CURRENT_L3] = F32(INPUT, 0x000A, "A", ONE, 1000),
                [PROFILE_Q_POWER] = F32(INPUT, 0x0034, "W", ONE, 1),
                [PROFILE_Q_PF] = F32(INPUT, 0x003E, "1", ONE, 1000),
                [PROFILE_Q_FREQ] = F32(INPUT, 0x0046, "Hz", ONE, 100),
            },
    },
    {
        .name = "DDSU666",
        .source = "Chint DDSU666 register list as read by OpenEMS meter.chint.ddsu666 (fn 3) and "
                  "Tasmota's Modbus energy defaults",
        .nphases = 1,
        .max_power_w = 25000, /* 80 A x 264 V + margin */
        .q =
            {
                [PROFILE_Q_IMPORT] = F32(HOLD, 0x4000, "kWh", ONE, 1000),
                [PROFILE_Q_EXPORT] = F32(HOLD, 0x400A, "kWh", ONE, 1000),
                [PROFILE_Q_VOLTAGE_L1] = F32(HOLD, 0x2000, "V", ONE, 10),
                [PROFILE_Q_CURRENT_L1] = F32(HOLD, 0x2002, "A", ONE, 1000),
                [PROFILE_Q_POWER] = F32(HOLD, 0x2004, "kW", ONE, 1000),
                [PROFILE_Q_PF] = F32(HOLD, 0x200A, "1", ONE, 1000),
                [PROFILE_Q_FREQ] = F32(HOLD, 0x200E, "Hz", ONE, 100),
            },
    },
    {
        .name = "DTSU666",
        .source = "Chint DTSU666 User Manual as read by volkszaehler/mbmd meters/rs485/dtsu666.go "
                  "(fn 3, import 0x101E); phase voltages Ua..Uc 0x2006..0x200A",
        .nphases = 3,
        .max_power_w = 500000, /* area summary meter behind CTs */
        .q =
            {
                [PROFILE_Q_IMPORT] = F32(HOLD, 0x101E, "kWh", ONE, 1000),
                [PROFILE_Q_EXPORT] = F32(HOLD, 0x1028, "kWh", ONE, 1000),
                [PROFILE_Q_VOLTAGE_L1] = F32(HOLD, 0x2006, "V", 100000, 10), /* raw 0.1 V */
                [PROFILE_Q_VOLTAGE_L2] = F32(HOLD, 0x2008, "V", 100000, 10),
                [PROFILE_Q_VOLTAGE_L3] = F32(HOLD, 0x200A, "V", 100000, 10),
                [PROFILE_Q_CURRENT_L1] = F32(HOLD, 0x200C, "A", 1000, 1000), /* raw 0.001 A */
                [PROFILE_Q_CURRENT_L2] = F32(HOLD, 0x200E, "A", 1000, 1000),
                [PROFILE_Q_CURRENT_L3] = F32(HOLD, 0x2010, "A", 1000, 1000),
                [PROFILE_Q_POWER] = F32(HOLD, 0x2012, "W", 100000, 1),       /* raw 0.1 W */
                [PROFILE_Q_PF] = F32(HOLD, 0x202A, "1", 1000, 1000),         /* raw 0.001 */
                [PROFILE_Q_FREQ] = F32(HOLD, 0x2044, "Hz", 10000, 100),      /* raw 0.01 Hz */
            },
    },
    {
        .name = "generic",
        .source = "gridledger generic integer map (docs/meters.md)",
        .nphases = 1,
        .max_power_w = 100000,
        .q =
            {
                [PROFILE_Q_IMPORT] = INT(HOLD, 0x0000, PROFILE_T_UINT32, "kWh", 10000, 1000), /* 0.01 kWh */
                [PROFILE_Q_EXPORT] = INT(HOLD, 0x0002, PROFILE_T_UINT32, "kWh", 10000, 1000),
                [PROFILE_Q_REACTIVE] = INT(HOLD, 0x0004, PROFILE_T_UINT32, "kvarh", 10000, 1000),
                [PROFILE_Q_DEMAND] = INT(HOLD, 0x0006, PROFILE_T_INT32, "W", ONE, 1),
                [PROFILE_Q_VOLTAGE_L1] = INT(HOLD, 0x0010, PROFILE_T_UINT16, "V", 100000, 10), /* 0.1 V */
                [PROFILE_Q_CURRENT_L1] = INT(HOLD, 0x0011, PROFILE_T_UINT16, "A", 10000, 1000), /* 0.01 A */
                [PROFILE_Q_POWER] = INT(HOLD, 0x0012, PROFILE_T_INT32, "W", ONE, 1),
                [PROFILE_Q_PF] = INT(HOLD, 0x0014, PROFILE_T_INT16, "1", 1000, 1000),
                [PROFILE_Q_FREQ] = INT(HOLD, 0x0015, PROFILE_T_UINT16, "Hz", 10000, 100),
            },
        .relay = PROFILE_RELAY_COIL,
        .relay_addr = 0x0000,
    },
};

#define N_BUILTIN ((int)(sizeof builtin / sizeof builtin[0]))

static const char *const q_names[PROFILE_Q_COUNT + 1] = {
    "import",     "export",     "reactive",   "demand", "voltage_l1", "voltage_l2", "voltage_l3",
    "current_l1", "current_l2", "current_l3", "power",  "pf",         "freq",       NULL};

static const char *const type_names[] = {"int16", "uint16", "int32", "uint32", "int64", "float32", "float64", NULL};
static const char *const order_names[] = {"ABCD", "CDAB", "BADC", "DCBA", NULL};

const profile *profile_builtin(const char *name)
{
    for (int i = 0; i < N_BUILTIN; i++)
        if (strcmp(builtin[i].name, name) == 0)
            return &builtin[i];
    return NULL;
}

int profile_builtin_count(void)
{
    return N_BUILTIN;
}

const profile *profile_builtin_at(int i)
{
    return i >= 0 && i < N_BUILTIN ? &builtin[i] : NULL;
}

const char *profile_q_name(profile_q q)
{
    return (unsigned)q < PROFILE_Q_COUNT ? q_names[q] : "?";
}

int profile_type_words(profile_type t)
{
    switch (t) {
    case PROFILE_T_INT16:
    case PROFILE_T_UINT16:
        return 1;
    case PROFILE_T_INT64:
    case PROFILE_T_FLOAT64:
        return 4;
    default:
        return 2;
    }
}

typedef struct {
    const char *unit;
    int64_t mult;
} unit_row;

gl_status profile_unit_mult(profile_q q, const char *unit, int64_t *mult)
{
    static const unit_row energy[] = {{"Wh", 1}, {"kWh", 1000}, {"MWh", 1000000}, {NULL, 0}};
    static const unit_row reactive[] = {{"varh", 1}, {"kvarh", 1000}, {"Mvarh", 1000000}, {NULL, 0}};
    static const unit_row power[] = {{"W", 1}, {"kW", 1000}, {"MW", 1000000}, {NULL, 0}};
    static const unit_row voltage[] = {{"dV", 1}, {"V", 10}, {"kV", 10000}, {NULL, 0}};
    static const unit_row current[] = {{"mA", 1}, {"A", 1000}, {NULL, 0}};
    static const unit_row pf[] = {{"1", 1000}, {"%", 10}, {"milli", 1}, {NULL, 0}};
    static const unit_row freq[] = {{"cHz", 1}, {"Hz", 100}, {NULL, 0}};
    const unit_row *t;
    if (q == PROFILE_Q_IMPORT || q == PROFILE_Q_EXPORT)
        t = energy;
    else if (q == PROFILE_Q_REACTIVE)
        t = reactive;
    else if (q == PROFILE_Q_DEMAND || q == PROFILE_Q_POWER)
        t = power;
    else if (q >= PROFILE_Q_VOLTAGE_L1 && q <= PROFILE_Q_VOLTAGE_L3)
        t = voltage;
    else if (q >= PROFILE_Q_CURRENT_L1 && q <= PROFILE_Q_CURRENT_L3)
        t = current;
    else if (q == PROFILE_Q_PF)
        t = pf;
    else if (q == PROFILE_Q_FREQ)
        t = freq;
    else
        return GL_EINVAL;
    for (; t->unit != NULL; t++) {
        if (strcmp(t->unit, unit) == 0) {
            *mult = t->mult;
            return GL_OK;
        }
    }
    return GL_EINVAL;
}

/* ---- custom profiles ---- */

typedef struct {
    int fn;
    int type;
    int order;
} reg_defaults;

static void err_at(jsonv_doc *doc, const cJSON *obj, const char *path, const char *key, const char *msg)
{
    char p[JSONV_PATH_MAX];
    jsonv_path_key(p, sizeof p, path, key);
    jsonv_error(doc, cJSON_GetObjectItemCaseSensitive(obj, key), p, "%s", msg);
}

static int get_fn(jsonv_doc *doc, const cJSON *o, const char *path, int def, int *fn)
{
    long long v = def;
    if (!jsonv_get_int(doc, o, path, "function", 0, def, MODBUSFN_READ_HOLDING, MODBUSFN_READ_INPUT, &v))
        return 0;
    *fn = (int)v;
    return 1;
}

static void parse_reg(jsonv_doc *doc, const cJSON *o, const char *path, profile_q q, const reg_defaults *d,
                      profile_reg *r)
{
    static const char *const keys[] = {"address", "function", "type", "word_order", "scale", "unit", NULL};
    long long addr = 0;
    int type = d->type, order = d->order;
    if (!jsonv_check_object(doc, o, path))
        return;
    jsonv_check_keys(doc, o, path, keys);
    r->present = 1;
    if (jsonv_get_int(doc, o, path, "address", 1, 0, 0, 65535, &addr))
        r->addr = (uint16_t)addr;
    r->fn = d->fn;
    get_fn(doc, o, path, d->fn, &r->fn);
    jsonv_get_enum(doc, o, path, "type", 0, type_names, d->type, &type);
    r->type = (profile_type)type;
    jsonv_get_enum(doc, o, path, "word_order", 0, order_names, d->order, &order);
    r->order = (profile_order)order;
    if (jsonv_get_decimal(doc, o, path, "scale", 0, PROFILE_SCALE_ONE, 6, -1000000000000LL, 1000000000000LL,
                          &r->scale_micro) &&
        r->scale_micro == 0)
        err_at(doc, o, path, "scale", "must not be 0");
    if (!jsonv_get_string(doc, o, path, "unit", 1, NULL, r->unit, sizeof r->unit))
        return;
    if (profile_unit_mult(q, r->unit, &r->unit_mult) != GL_OK)
        err_at(doc, o, path, "unit", "not a unit of this quantity (see docs/meters.md)");
    else if (addr + profile_type_words(r->type) > 65536)
        err_at(doc, o, path, "address", "the value runs past register 65535");
}

static void parse_quantities(jsonv_doc *doc, const cJSON *o, const char *path, const reg_defaults *d, profile *p)
{
    if (o == NULL || !jsonv_check_object(doc, o, path))
        return;
    jsonv_check_keys(doc, o, path, q_names);
    for (int q = 0; q < PROFILE_Q_COUNT; q++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, q_names[q]);
        char p2[JSONV_PATH_MAX];
        if (v == NULL)
            continue;
        jsonv_path_key(p2, sizeof p2, path, q_names[q]);
        memset(&p->q[q], 0, sizeof p->q[q]);
        if (!cJSON_IsNull(v)) /* null removes a quantity of the base profile */
            parse_reg(doc, v, p2, (profile_q)q, d, &p->q[q]);
    }
}

static void parse_relay(jsonv_doc *doc, const cJSON *o, const char *path, profile *p)
{
    static const char *const keys[] = {"coil", "register", "on", "off", NULL};
    long long addr = 0, on = 1, off = 0;
    const cJSON *coil = cJSON_GetObjectItemCaseSensitive(o, "coil");
    const cJSON *reg = cJSON_GetObjectItemCaseSensitive(o, "register");
    if (!jsonv_check_object(doc, o, path))
        return;
    jsonv_check_keys(doc, o, path, keys);
    if ((coil == NULL) == (reg == NULL)) {
        jsonv_error(doc, o, path, "needs exactly one of \"coil\" or \"register\"");
        return;
    }
    p->relay = coil ? PROFILE_RELAY_COIL : PROFILE_RELAY_REGISTER;
    if (jsonv_get_int(doc, o, path, coil ? "coil" : "register", 1, 0, 0, 65535, &addr))
        p->relay_addr = (uint16_t)addr;
    if (coil && (cJSON_GetObjectItemCaseSensitive(o, "on") || cJSON_GetObjectItemCaseSensitive(o, "off")))
        jsonv_error(doc, o, path, "\"on\"/\"off\" only for a register relay");
    jsonv_get_int(doc, o, path, "on", 0, 1, 0, 65535, &on);
    jsonv_get_int(doc, o, path, "off", 0, 0, 0, 65535, &off);
    p->relay_on = (uint16_t)on;
    p->relay_off = (uint16_t)off;
    if (reg && on == off)
        jsonv_error(doc, o, path, "\"on\" and \"off\" must differ");
}

int profile_parse(jsonv_doc *doc, const cJSON *obj, const char *path, profile *out)
{
    static const char *const keys[] = {"name", "base", "source", "phases", "max_power_w", "function",
                                       "type", "word_order", "quantities", "relay", NULL};
    int before = jsonv_errors(doc);
    char base[PROFILE_NAME_MAX] = "";
    long long phases = 1, maxp = 0;
    reg_defaults d = {3, PROFILE_T_FLOAT32, PROFILE_WO_ABCD};
    memset(out, 0, sizeof *out);
    if (!jsonv_check_object(doc, obj, path))
        return jsonv_errors(doc) - before;
    jsonv_check_keys(doc, obj, path, keys);
    if (jsonv_get_string(doc, obj, path, "base", 0, "", base, sizeof base) && base[0]) {
        const profile *b = profile_builtin(base);
        if (b == NULL)
            err_at(doc, obj, path, "base", "not a built-in profile (DDSU666 DTSU666 SDM120 SDM630 generic)");
        else
            *out = *b;
        phases = out->nphases;
        d.fn = b && b->q[PROFILE_Q_IMPORT].present ? b->q[PROFILE_Q_IMPORT].fn : MODBUSFN_READ_HOLDING;
    }
    jsonv_get_string(doc, obj, path, "name", 1, NULL, out->name, sizeof out->name);
    jsonv_get_string(doc, obj, path, "source", 0, out->source[0] ? out->source : "config", out->source,
                     sizeof out->source);
    jsonv_get_int(doc, obj, path, "phases", 0, phases, 1, 3, &phases);
    if (phases == 2)
        err_at(doc, obj, path, "phases", "must be 1 or 3");
    out->nphases = (int)phases;
    jsonv_get_int(doc, obj, path, "max_power_w", 0, out->max_power_w ? out->max_power_w : 100000, 1,
                  100000000, &maxp);
    out->max_power_w = maxp;
    get_fn(doc, obj, path, d.fn, &d.fn);
    jsonv_get_enum(doc, obj, path, "type", 0, type_names, d.type, &d.type);
    jsonv_get_enum(doc, obj, path, "word_order", 0, order_names, d.order, &d.order);
    char p2[JSONV_PATH_MAX];
    jsonv_path_key(p2, sizeof p2, path, "quantities");
    parse_quantities(doc, cJSON_GetObjectItemCaseSensitive(obj, "quantities"), p2, &d, out);
    const cJSON *relay = cJSON_GetObjectItemCaseSensitive(obj, "relay");
    jsonv_path_key(p2, sizeof p2, path, "relay");
    if (relay != NULL)
        parse_relay(doc, relay, p2, out);
    if (jsonv_errors(doc) == before && !out->q[PROFILE_Q_IMPORT].present)
        jsonv_error(doc, obj, path, "a profile needs an \"import\" quantity (the billing register)");
    return jsonv_errors(doc) - before;
}

int profile_config_check(jsonv_doc *doc, const cJSON *node, const char *path, const cJSON *root)
{
    (void)root;
    int before = jsonv_errors(doc);
    if (node == NULL || !jsonv_check_array(doc, node, path, PROFILE_MAX_CUSTOM))
        return jsonv_errors(doc) - before;
    int i = 0;
    for (const cJSON *o = node->child; o != NULL; o = o->next, i++) {
        char p[JSONV_PATH_MAX];
        profile pr;
        jsonv_path_index(p, sizeof p, path, i);
        if (profile_parse(doc, o, p, &pr) != 0 || pr.name[0] == '\0')
            continue;
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
        char pn[JSONV_PATH_MAX];
        jsonv_path_key(pn, sizeof pn, p, "name");
        if (profile_builtin(pr.name) != NULL) {
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

gl_status profile_resolve(jsonv_doc *doc, const cJSON *profiles, const char *name, profile *out)
{
    const profile *b = profile_builtin(name);
    if (b != NULL) {
        *out = *b;
        return GL_OK;
    }
    if (profiles == NULL || !cJSON_IsArray(profiles))
        return GL_ENOTFOUND;
    int i = 0;
    for (const cJSON *o = profiles->child; o != NULL; o = o->next, i++) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "name");
        if (!cJSON_IsString(n) || strcmp(n->valuestring, name) != 0)
            continue;
        char p[JSONV_PATH_MAX];
        jsonv_path_index(p, sizeof p, "profiles", i);
        return profile_parse(doc, o, p, out) == 0 ? GL_OK : GL_ECONFIG;
    }
    return GL_ENOTFOUND;
}
