/* config.c: load and validate the gateway configuration (see config.h).
 *
 * Validation reports every problem it finds, not only the first: each reader
 * below reports through jsonv and returns 0 on a problem, and the loader
 * fails at the end if any was reported. Cross references (meter -> bus,
 * meter -> customer, customer -> tariff) are checked after all sections. */
#include "config.h"
#include "gridledger/creditcfg.h"
#include "gridledger/ident.h"
#include "gridledger/civdate.h"
#include "fileio.h"
#include "gridledger/largecust.h"
#include "gridledger/money.h"
#include "dlt645prof.h"
#include "profile.h"
#include "regtou.h"
#include "uplink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    jsonv_doc *doc;
    config *cfg;
} loader;

/* A section validated by the hal or core module that owns it: it sees the
 * section (node, NULL if absent) and the document's root, never the config. */
typedef int (*section_check)(jsonv_doc *doc, const cJSON *node, const char *path, const cJSON *root);

/* Sections validated by the modules that own them (NULL: none yet in this
 * build); register_tou, firmware's, is checked after them against the
 * tariffs (run_section_hooks). */
static const struct {
    const char *key;
    section_check fn;
} section_hooks[] = {
    {"profiles", profile_config_check},
    {"dlt645_profiles", dlt645prof_config_check},
    {"credit", creditcfg_check_credit},
    {"collection", creditcfg_check_collection},
    {"fee_control", creditcfg_check_fee_control},
};

static const char *const top_keys[] = {"gateway", "store", "schedule", "buses", "meters", "profiles", "dlt645_profiles",
                                       "customers", "tariffs", "billing", "credit", "collection",
                                       "fee_control", "uplink", "register_tou", NULL};

/* An id: 1..CONFIG_ID_MAX-1 characters of [A-Za-z0-9_.-]. */
static int valid_id(const char *s)
{
    return ident_valid(s, CONFIG_ID_MAX - 1);
}

static int get_id(loader *L, const cJSON *obj, const char *path, const char *key, int required, char *out)
{
    if (!jsonv_get_string(L->doc, obj, path, key, required, "", out, CONFIG_ID_MAX))
        return 0;
    if (out[0] == '\0' && !required)
        return 1;
    if (!valid_id(out)) {
        char p[JSONV_PATH_MAX];
        jsonv_path_key(p, sizeof p, path, key);
        jsonv_error(L->doc, cJSON_GetObjectItemCaseSensitive(obj, key), p,
                    "must use only letters, digits, '_', '-' and '.'");
        return 0;
    }
    return 1;
}

static int get_intv(loader *L, const cJSON *obj, const char *path, const char *key, int required, long long def,
                    long long lo, long long hi, int *out)
{
    long long v = def;
    int ok = jsonv_get_int(L->doc, obj, path, key, required, def, lo, hi, &v);
    *out = (int)v;
    return ok;
}

/* The TZ database must know the zone: /usr/share/zoneinfo/NAME (or $TZDIR). */
static int timezone_known(const char *tz)
{
    if (tz[0] == '/' || strstr(tz, "..") != NULL)
        return 0;
    const char *dir = getenv("TZDIR");
    char path[CONFIG_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir && dir[0] ? dir : "/usr/share/zoneinfo", tz);
    return access(path, R_OK) == 0;
}

static void parse_gateway(loader *L, const cJSON *node)
{
    static const char *const keys[] = {"id", "area", "timezone", NULL};
    config_gateway *g = &L->cfg->gateway;
    if (node == NULL) {
        jsonv_error(L->doc, jsonv_root(L->doc), "gateway", "required key is missing");
        return;
    }
    if (!jsonv_check_object(L->doc, node, "gateway"))
        return;
    jsonv_check_keys(L->doc, node, "gateway", keys);
    get_id(L, node, "gateway", "id", 1, g->id);
    get_id(L, node, "gateway", "area", 1, g->area);
    if (jsonv_get_string(L->doc, node, "gateway", "timezone", 0, "Asia/Shanghai", g->timezone,
                         sizeof g->timezone) &&
        !timezone_known(g->timezone))
        jsonv_error(L->doc, cJSON_GetObjectItemCaseSensitive(node, "timezone"), "gateway.timezone",
                    "unknown time zone \"%s\" (not in the TZ database)", g->timezone);
}

static void parse_store(loader *L, const cJSON *node)
{
    static const char *const keys[] = {"path", "quota_mb", "compact_after_days", "pending_cycles", NULL};
    config_store *s = &L->cfg->store;
    if (node == NULL) {
        jsonv_error(L->doc, jsonv_root(L->doc), "store", "required key is missing");
        return;
    }
    if (!jsonv_check_object(L->doc, node, "store"))
        return;
    jsonv_check_keys(L->doc, node, "store", keys);
    jsonv_get_string(L->doc, node, "store", "path", 1, NULL, s->path, sizeof s->path);
    get_intv(L, node, "store", "quota_mb", 0, CONFIG_DEFAULT_QUOTA_MB, 1, 1 << 20, &s->quota_mb);
    get_intv(L, node, "store", "compact_after_days", 0, CONFIG_DEFAULT_COMPACT_AFTER_DAYS, 1, 3650,
             &s->compact_after_days);
    get_intv(L, node, "store", "pending_cycles", 0, CONFIG_DEFAULT_PENDING_CYCLES, 1, 1000, &s->pending_cycles);
}

static void parse_schedule(loader *L, const cJSON *node)
{
    static const char *const keys[] = {"poll_interval_s", "status_interval_s", NULL};
    config_schedule *s = &L->cfg->schedule;
    s->poll_interval_s = CONFIG_DEFAULT_POLL_INTERVAL_S;
    s->status_interval_s = CONFIG_DEFAULT_STATUS_INTERVAL_S;
    if (node == NULL || !jsonv_check_object(L->doc, node, "schedule"))
        return;
    jsonv_check_keys(L->doc, node, "schedule", keys);
    get_intv(L, node, "schedule", "poll_interval_s", 0, CONFIG_DEFAULT_POLL_INTERVAL_S, 1, 86400,
             &s->poll_interval_s);
    get_intv(L, node, "schedule", "status_interval_s", 0, CONFIG_DEFAULT_STATUS_INTERVAL_S, 10, 86400,
             &s->status_interval_s);
}

static void parse_billing(loader *L, const cJSON *node)
{
    static const char *const keys[] = {"cycle_day", "due_days", NULL};
    config_billing *b = &L->cfg->billing;
    b->cycle_day = CONFIG_DEFAULT_CYCLE_DAY;
    b->due_days = CONFIG_DEFAULT_DUE_DAYS;
    if (node == NULL || !jsonv_check_object(L->doc, node, "billing"))
        return;
    jsonv_check_keys(L->doc, node, "billing", keys);
    get_intv(L, node, "billing", "cycle_day", 0, CONFIG_DEFAULT_CYCLE_DAY, 1, 28, &b->cycle_day);
    get_intv(L, node, "billing", "due_days", 0, CONFIG_DEFAULT_DUE_DAYS, 0, 90, &b->due_days);
}

static void parse_uplink(loader *L, const cJSON *node)
{
    static const char *const keys[] = {"host", "port", "ca", "cert", "key", "hmac_key", "tls", "keepalive_s",
                                       "batch_readings", NULL};
    config_uplink *u = &L->cfg->uplink;
    const char *p = "uplink";
    u->port = CONFIG_DEFAULT_UPLINK_PORT;
    u->tls = 1;
    u->keepalive_s = UPLINK_DEFAULT_KEEPALIVE_S;
    u->batch_readings = CONFIG_DEFAULT_BATCH_READINGS;
    if (node == NULL || !jsonv_check_object(L->doc, node, p))
        return;
    u->enabled = 1;
    jsonv_check_keys(L->doc, node, p, keys);
    jsonv_get_string(L->doc, node, p, "host", 1, NULL, u->host, sizeof u->host);
    get_intv(L, node, p, "port", 0, CONFIG_DEFAULT_UPLINK_PORT, 1, 65535, &u->port);
    jsonv_get_bool(L->doc, node, p, "tls", 0, 1, &u->tls);
    jsonv_get_string(L->doc, node, p, "ca", u->tls, "", u->ca, sizeof u->ca);
    jsonv_get_string(L->doc, node, p, "cert", u->tls, "", u->cert, sizeof u->cert);
    jsonv_get_string(L->doc, node, p, "key", u->tls, "", u->key, sizeof u->key);
    jsonv_get_string(L->doc, node, p, "hmac_key", 1, NULL, u->hmac_key, sizeof u->hmac_key);
    get_intv(L, node, p, "keepalive_s", 0, UPLINK_DEFAULT_KEEPALIVE_S, 5, 3600, &u->keepalive_s);
    get_intv(L, node, p, "batch_readings", 0, CONFIG_DEFAULT_BATCH_READINGS, 1, 5000, &u->batch_readings);
}

/* A key that only one bus type may carry. */
static void refuse_key(loader *L, const cJSON *obj, const char *path, const char *key, const char *why)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (v == NULL)
        return;
    char p[JSONV_PATH_MAX];
    jsonv_path_key(p, sizeof p, path, key);
    jsonv_error(L->doc, v, p, "%s", why);
}

static void parse_bus_rtu(loader *L, const cJSON *o, const char *path, bus_cfg *b)
{
    static const char *const parities[] = {"N", "E", "O", NULL};
    static const int bauds[] = {1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200};
    int dlt = b->protocol == BUS_PROTO_DLT645, parity = 0, ok_baud = 0;
    int nbauds = dlt ? 4 : (int)(sizeof bauds / sizeof bauds[0]); /* DL/T 645-2007: 1200..9600 */
    jsonv_get_string(L->doc, o, path, "device", 1, NULL, b->device, sizeof b->device);
    if (get_intv(L, o, path, "baud", 0, dlt ? CONFIG_DLT645_DEFAULT_BAUD : 9600, 300, 115200, &b->baud)) {
        for (int i = 0; i < nbauds; i++)
            ok_baud |= bauds[i] == b->baud;
        if (!ok_baud) {
            char p[JSONV_PATH_MAX];
            jsonv_path_key(p, sizeof p, path, "baud");
            jsonv_error(L->doc, cJSON_GetObjectItemCaseSensitive(o, "baud"), p, "must be one of %s",
                        dlt ? "1200 2400 4800 9600 (protocol dlt645)"
                            : "1200 2400 4800 9600 19200 38400 57600 115200");
        }
    }
    jsonv_get_enum(L->doc, o, path, "parity", 0, parities, dlt ? 1 : 0, &parity); /* DL/T 645: 8E1 */
    b->parity = parities[parity][0];
    get_intv(L, o, path, "data_bits", 0, 8, 7, 8, &b->data_bits);
    get_intv(L, o, path, "stop_bits", 0, 1, 1, 2, &b->stop_bits);
    jsonv_get_bool(L->doc, o, path, "rs485", 0, 0, &b->rs485);
    refuse_key(L, o, path, "host", "only for type tcp");
    refuse_key(L, o, path, "port", "only for type tcp");
}

static void parse_bus_tcp(loader *L, const cJSON *o, const char *path, bus_cfg *b)
{
    static const char *const rtu_only[] = {"device", "baud", "parity", "data_bits", "stop_bits", "rs485", NULL};
    jsonv_get_string(L->doc, o, path, "host", 1, NULL, b->host, sizeof b->host);
    /* converters have no standard port for DL/T 645: it must be given */
    get_intv(L, o, path, "port", b->protocol == BUS_PROTO_DLT645, 502, 1, 65535, &b->port);
    for (int i = 0; rtu_only[i] != NULL; i++)
        refuse_key(L, o, path, rtu_only[i], "only for type rtu");
}

static void parse_bus(loader *L, const cJSON *o, const char *path, bus_cfg *b)
{
    static const char *const keys[] = {"name", "type", "device", "baud", "parity", "data_bits", "stop_bits",
                                       "rs485", "host", "port", "timeout_ms", "byte_timeout_ms", "retries",
                                       "inter_frame_ms", "offline_after", "error_after", "protocol", "preamble",
                                       "clock_limit_s", NULL};
    static const char *const types[] = {"rtu", "tcp", NULL};
    static const char *const protocols[] = {"modbus", "dlt645", NULL};
    int type = 0, proto = 0;
    if (!jsonv_check_object(L->doc, o, path))
        return;
    jsonv_check_keys(L->doc, o, path, keys);
    get_id(L, o, path, "name", 1, b->name);
    jsonv_get_enum(L->doc, o, path, "protocol", 0, protocols, 0, &proto);
    b->protocol = (bus_protocol)proto;
    b->preamble = CONFIG_DLT645_DEFAULT_PREAMBLE;
    if (b->protocol == BUS_PROTO_DLT645) {
        get_intv(L, o, path, "preamble", 0, CONFIG_DLT645_DEFAULT_PREAMBLE, 0, 4, &b->preamble);
        get_intv(L, o, path, "clock_limit_s", 0, CONFIG_DLT645_DEFAULT_CLOCK_LIMIT_S, 0, 86400, &b->clock_limit_s);
    } else {
        refuse_key(L, o, path, "preamble", "only for protocol dlt645");
        refuse_key(L, o, path, "clock_limit_s", "only for protocol dlt645");
    }
    if (jsonv_get_enum(L->doc, o, path, "type", 1, types, 0, &type)) {
        b->type = (bus_type)type;
        if (b->type == BUS_RTU)
            parse_bus_rtu(L, o, path, b);
        else
            parse_bus_tcp(L, o, path, b);
    }
    get_intv(L, o, path, "timeout_ms", 0, BUS_DEFAULT_TIMEOUT_MS, 10, 60000, &b->timeout_ms);
    get_intv(L, o, path, "byte_timeout_ms", 0, BUS_DEFAULT_BYTE_TIMEOUT_MS, 0, 10000, &b->byte_timeout_ms);
    get_intv(L, o, path, "retries", 0, BUS_DEFAULT_RETRIES, 0, 10, &b->retries);
    get_intv(L, o, path, "inter_frame_ms", 0, BUS_DEFAULT_INTER_FRAME_MS, 0, 5000, &b->inter_frame_ms);
    get_intv(L, o, path, "offline_after", 0, BUS_DEFAULT_OFFLINE_AFTER, 1, 1000, &b->offline_after);
    get_intv(L, o, path, "error_after", 0, BUS_DEFAULT_ERROR_AFTER, 1, 1000, &b->error_after);
}

/* A string of exactly `digits` characters from `set` into out (or def). */
static int get_digits(loader *L, const cJSON *o, const char *path, const char *key, const char *def, int digits,
                      const char *set, const char *what, char *out, size_t cap)
{
    if (!jsonv_get_string(L->doc, o, path, key, 0, def, out, cap))
        return 0;
    if ((int)strlen(out) == digits && strspn(out, set) == (size_t)digits)
        return 1;
    char p[JSONV_PATH_MAX];
    jsonv_path_key(p, sizeof p, path, key);
    jsonv_error(L->doc, cJSON_GetObjectItemCaseSensitive(o, key), p, "must be %s", what);
    out[0] = '\0';
    return 0;
}

static void parse_dlt645_meter(loader *L, const cJSON *o, const char *path, config_meter *m)
{
    char hex[16];
    static const char *const hexdigits = "0123456789abcdefABCDEF";
    if (cJSON_GetObjectItemCaseSensitive(o, "address") != NULL)
        get_digits(L, o, path, "address", NULL, 12, "0123456789",
                   "12 decimal digits, as printed on the meter (\"000012345678\")", m->address, sizeof m->address);
    get_intv(L, o, path, "password_level", 0, 2, 0, 9, &m->password_level);
    if (get_digits(L, o, path, "password", "000000", 6, hexdigits, "6 hex digits (\"000000\")", hex, sizeof hex))
        m->password = (uint32_t)strtoul(hex, NULL, 16);
    if (get_digits(L, o, path, "operator_code", "00000000", 8, hexdigits, "8 hex digits (\"00000000\")", hex,
                   sizeof hex))
        m->operator_code = (uint32_t)strtoul(hex, NULL, 16);
}

static void parse_meter(loader *L, const cJSON *o, const char *path, config_meter *m)
{
    static const char *const keys[] = {"id", "bus", "slave_id", "address", "profile", "customer", "role", "relay",
                                       "max_power_w", "password_level", "password", "operator_code", NULL};
    static const char *const roles[] = {"customer", "area_summary", NULL};
    int role = 0;
    long long maxp = 0;
    m->bus_index = m->customer_index = -1;
    if (!jsonv_check_object(L->doc, o, path))
        return;
    jsonv_check_keys(L->doc, o, path, keys);
    get_id(L, o, path, "id", 1, m->id);
    get_id(L, o, path, "bus", 1, m->bus);
    /* Modbus: 1..247 unicast; DL/T 645: a 12-digit address. Which one the
     * meter needs depends on its bus: checked with the references. */
    get_intv(L, o, path, "slave_id", 0, 0, 1, 247, &m->slave_id);
    parse_dlt645_meter(L, o, path, m);
    get_id(L, o, path, "profile", 1, m->profile);
    get_id(L, o, path, "customer", 0, m->customer);
    jsonv_get_enum(L->doc, o, path, "role", 0, roles, 0, &role);
    m->role = (config_meter_role)role;
    jsonv_get_bool(L->doc, o, path, "relay", 0, 0, &m->relay);
    jsonv_get_int(L->doc, o, path, "max_power_w", 0, 0, 1, 100000000, &maxp);
    m->max_power_w = maxp;
}

/* parse_capacity_change: {"id", "date", "kind": new|increase|reduction, "kva"}. */
static void parse_capacity_change(loader *L, const cJSON *o, const char *path, config_capacity_change *e)
{
    static const char *const keys[] = {"id", "date", "kind", "kva", NULL};
    static const char *const kinds[] = {"new", "increase", "reduction", NULL};
    int kind = 0;
    int32_t day = 0;
    if (!jsonv_check_object(L->doc, o, path))
        return;
    jsonv_check_keys(L->doc, o, path, keys);
    get_id(L, o, path, "id", 1, e->id);
    if (jsonv_get_string(L->doc, o, path, "date", 1, "", e->date, sizeof e->date) &&
        civdate_parse(e->date, strlen(e->date), &day) != GL_OK) {
        char p[JSONV_PATH_MAX];
        jsonv_path_key(p, sizeof p, path, "date");
        jsonv_error(L->doc, cJSON_GetObjectItemCaseSensitive(o, "date"), p, "must be a date YYYY-MM-DD");
    }
    jsonv_get_enum(L->doc, o, path, "kind", 1, kinds, 0, &kind);
    e->kind = (config_capacity_kind)kind;
    jsonv_get_decimal(L->doc, o, path, "kva", 1, 0, 3, 1, INT64_C(1000000000), &e->kva_milli);
}

/* check_capacity_changes: ids once, dates in order, a new connection only
 * first, never below zero, and the sum equal to capacity_kva when given. */
static void check_capacity_changes(loader *L, const cJSON *arr, const char *path, config_customer *c)
{
    int64_t kva = 0;
    const cJSON *o = arr->child;
    for (int i = 0; i < c->ncapacity_changes; i++, o = o->next) {
        const config_capacity_change *e = &c->capacity_changes[i];
        char p[JSONV_PATH_MAX];
        jsonv_path_index(p, sizeof p, path, i);
        for (int k = 0; k < i; k++)
            if (strcmp(c->capacity_changes[k].id, e->id) == 0)
                jsonv_error(L->doc, o, p, "id %s given twice (a correction is a new change)", e->id);
        if (i > 0 && strcmp(e->date, c->capacity_changes[i - 1].date) < 0)
            jsonv_error(L->doc, o, p, "date %s before the previous change's %s: list them in order", e->date,
                        c->capacity_changes[i - 1].date);
        if ((e->kind == CONFIG_CAP_NEW) != (i == 0))
            jsonv_error(L->doc, o, p, i == 0 ? "the first change must be the new connection (kind new)"
                                             : "kind new only for the first change");
        kva += e->kind == CONFIG_CAP_REDUCTION ? -e->kva_milli : e->kva_milli;
        if (kva < 0)
            jsonv_error(L->doc, o, p, "the reduction takes the capacity below 0 kVA");
    }
    if (c->ncapacity_changes > 0 && c->capacity_kva_milli > 0 && kva != c->capacity_kva_milli) {
        char p[JSONV_PATH_MAX], a[24], b[24];
        jsonv_path_key(p, sizeof p, path, "");
        money_format_trim(kva, 3, 0, a, sizeof a);
        money_format_trim(c->capacity_kva_milli, 3, 0, b, sizeof b);
        jsonv_error(L->doc, arr, path, "the changes add up to %s kVA, capacity_kva says %s", a, b);
    }
}

/* parse_large: "industry" (GB/T 4754 section letter) and "capacity_changes". */
static void parse_large(loader *L, const cJSON *o, const char *path, config_customer *c)
{
    char p[JSONV_PATH_MAX];
    const cJSON *arr;
    if (jsonv_get_string(L->doc, o, path, "industry", 0, "", c->industry, sizeof c->industry) && c->industry[0] &&
        largecust_industry(c->industry) == NULL) {
        jsonv_path_key(p, sizeof p, path, "industry");
        jsonv_error(L->doc, cJSON_GetObjectItemCaseSensitive(o, "industry"), p,
                    "must be a GB/T 4754 section letter A..T");
    }
    jsonv_path_key(p, sizeof p, path, "capacity_changes");
    arr = jsonv_get(L->doc, o, path, "capacity_changes", 0);
    if (arr == NULL || !jsonv_check_array(L->doc, arr, p, CONFIG_CAPACITY_CHANGES_MAX))
        return;
    for (const cJSON *e = arr->child; e != NULL; e = e->next) {
        char ep[JSONV_PATH_MAX];
        jsonv_path_index(ep, sizeof ep, p, c->ncapacity_changes);
        parse_capacity_change(L, e, ep, &c->capacity_changes[c->ncapacity_changes++]);
    }
    check_capacity_changes(L, arr, p, c);
}

/* load_control: {"price": "0.85"}: load-controlled purchase (负荷控制购电):
 * a purchase buys the energy it pays for at this contracted price per kWh
 * (up to 6 decimals); the customer is prepaid (fee control). */
static void parse_load_control(loader *L, const cJSON *o, const char *path, config_customer *c)
{
    static const char *const keys[] = {"price", NULL};
    char p[JSONV_PATH_MAX];
    if (o == NULL)
        return;
    jsonv_path_key(p, sizeof p, path, "load_control");
    if (!jsonv_check_object(L->doc, o, p))
        return;
    jsonv_check_keys(L->doc, o, p, keys);
    jsonv_get_decimal(L->doc, o, p, "price", 1, 0, 6, 1, INT64_C(100000000), &c->load_price_micro);
    c->load_controlled = c->payment == CONFIG_PAY_PREPAID;
}

static void parse_customer(loader *L, const cJSON *o, const char *path, config_customer *c)
{
    static const char *const keys[] = {"id", "name", "class", "grid", "collector", "tariff", "payment",
                                       "deposit", "capacity_kva", "important", "industry", "capacity_changes",
                                       "load_control", NULL};
    static const char *const classes[] = {"residential", "commercial", "industrial", "agricultural", "other",
                                          NULL};
    static const char *const payments[] = {"postpaid", "prepaid", NULL};
    int klass = 0, pay = 0;
    c->tariff_index = -1;
    if (!jsonv_check_object(L->doc, o, path))
        return;
    jsonv_check_keys(L->doc, o, path, keys);
    get_id(L, o, path, "id", 1, c->id);
    jsonv_get_string(L->doc, o, path, "name", 1, NULL, c->name, sizeof c->name);
    jsonv_get_enum(L->doc, o, path, "class", 0, classes, 0, &klass);
    c->klass = (config_customer_class)klass;
    get_id(L, o, path, "grid", 0, c->grid);
    if (c->grid[0] == '\0')
        snprintf(c->grid, sizeof c->grid, "%s", "default");
    get_id(L, o, path, "collector", 0, c->collector);
    get_id(L, o, path, "tariff", 1, c->tariff);
    jsonv_get_enum(L->doc, o, path, "payment", 0, payments, 0, &pay);
    c->payment = (config_payment)pay;
    jsonv_get_decimal(L->doc, o, path, "deposit", 0, 0, 2, 0, INT64_C(100000000000), &c->deposit_fen);
    jsonv_get_decimal(L->doc, o, path, "capacity_kva", 0, 0, 3, 0, INT64_C(1000000000), &c->capacity_kva_milli);
    jsonv_get_bool(L->doc, o, path, "important", 0, 0, &c->important);
    parse_large(L, o, path, c);
    parse_load_control(L, cJSON_GetObjectItemCaseSensitive(o, "load_control"), path, c);
}

/* Reads the id of a tariff file: top-level "id", or versions[0].id. */
static gl_status tariff_file_id(const char *path, char *id, size_t cap, diag *d)
{
    jsonv_doc *tdoc = NULL;
    gl_status st = fileio_load_json(path, d, &tdoc);
    if (st != GL_OK)
        return st;
    const cJSON *root = jsonv_root(tdoc);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "id");
    if (v == NULL)
        v = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "versions"), 0),
                                             "id");
    st = GL_ENOTFOUND;
    if (cJSON_IsString(v) && strlen(v->valuestring) < cap && valid_id(v->valuestring)) {
        snprintf(id, cap, "%s", v->valuestring);
        st = GL_OK;
    }
    jsonv_free(tdoc);
    return st;
}

static void parse_tariff_ref(loader *L, const cJSON *o, const char *path, config_tariff_ref *t)
{
    diag tmp;
    if (!cJSON_IsString(o) || o->valuestring[0] == '\0' || strlen(o->valuestring) >= CONFIG_PATH_MAX) {
        jsonv_error(L->doc, o, path, "must be the path of a tariff file");
        return;
    }
    config_resolve_path(L->cfg, o->valuestring, t->path, sizeof t->path);
    diag_init(&tmp);
    gl_status st = tariff_file_id(t->path, t->id, sizeof t->id, &tmp);
    if (st == GL_EIO)
        jsonv_error(L->doc, o, path, "cannot read tariff file \"%s\"", o->valuestring);
    else if (st == GL_ENOTFOUND)
        jsonv_error(L->doc, o, path, "tariff file \"%s\" has no valid \"id\"", o->valuestring);
    else if (st != GL_OK)
        jsonv_error(L->doc, o, path, "tariff file is not valid JSON: %s", tmp.count ? tmp.lines[0] : "?");
}

/* Parses an array section: allocates *items (n elements of size sz), calls
 * one() per element with its path. Returns the count. */
typedef void (*item_fn)(loader *L, const cJSON *o, const char *path, void *item);

static int parse_array(loader *L, const char *key, int required, int max, size_t sz, void **items, item_fn one)
{
    const cJSON *arr = jsonv_get(L->doc, jsonv_root(L->doc), "", key, required);
    if (arr == NULL || !jsonv_check_array(L->doc, arr, key, max))
        return 0;
    int n = cJSON_GetArraySize(arr), i = 0;
    *items = calloc(n > 0 ? (size_t)n : 1, sz);
    if (*items == NULL) {
        jsonv_error(L->doc, arr, key, "out of memory");
        return 0;
    }
    for (const cJSON *o = arr->child; o != NULL; o = o->next, i++) {
        char path[JSONV_PATH_MAX];
        jsonv_path_index(path, sizeof path, key, i);
        one(L, o, path, (char *)*items + (size_t)i * sz);
    }
    return n;
}

static void bus_item(loader *L, const cJSON *o, const char *path, void *item)
{
    parse_bus(L, o, path, item);
}

static void meter_item(loader *L, const cJSON *o, const char *path, void *item)
{
    parse_meter(L, o, path, item);
}

static void customer_item(loader *L, const cJSON *o, const char *path, void *item)
{
    parse_customer(L, o, path, item);
}

static void tariff_item(loader *L, const cJSON *o, const char *path, void *item)
{
    parse_tariff_ref(L, o, path, item);
}

/* Reports the second and later occurrences of an id in an array section.
 * `id_of` returns the id of element i. */
static void check_unique(loader *L, const char *key, const char *field, int n,
                         const char *(*id_of)(const config *, int))
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(jsonv_root(L->doc), key);
    for (int i = 1; i < n; i++) {
        const char *id = id_of(L->cfg, i);
        for (int j = 0; id[0] != '\0' && j < i; j++) {
            if (strcmp(id, id_of(L->cfg, j)) != 0)
                continue;
            char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
            jsonv_path_index(p, sizeof p, key, i);
            const cJSON *el = cJSON_GetArrayItem(arr, i);
            const cJSON *v = field ? cJSON_GetObjectItemCaseSensitive(el, field) : el;
            if (field)
                jsonv_path_key(q, sizeof q, p, field);
            else
                snprintf(q, sizeof q, "%s", p);
            jsonv_error(L->doc, v, q, "duplicate \"%s\" (first at %s[%d])", id, key, j);
            break;
        }
    }
}

static const char *bus_id(const config *c, int i)
{
    return c->buses[i].name;
}
static const char *meter_id(const config *c, int i)
{
    return c->meters[i].id;
}
static const char *customer_id(const config *c, int i)
{
    return c->customers[i].id;
}
static const char *tariff_id(const config *c, int i)
{
    return c->tariffs[i].id;
}

static const cJSON *item_field(loader *L, const char *key, int i, const char *field, char *path, size_t cap)
{
    char p[JSONV_PATH_MAX];
    jsonv_path_index(p, sizeof p, key, i);
    jsonv_path_key(path, cap, p, field);
    return cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(jsonv_root(L->doc), key), i), field);
}

static int profile_known(const config *cfg, const char *name)
{
    if (profile_builtin(name) != NULL)
        return 1;
    for (const cJSON *p = cfg->profiles ? cfg->profiles->child : NULL; p != NULL; p = p->next) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(p, "name");
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
            return 1;
    }
    return 0;
}

/* A meter needs `need` (given: has) and must not carry `refused`. */
static void check_addressing(loader *L, int i, const char *need, int has, const char *refused, const char *who)
{
    char p[JSONV_PATH_MAX];
    const cJSON *v, *meters = cJSON_GetObjectItemCaseSensitive(jsonv_root(L->doc), "meters");
    if (!has && item_field(L, "meters", i, need, p, sizeof p) == NULL &&
        (v = cJSON_GetArrayItem(meters, i)) != NULL) {
        jsonv_path_index(p, sizeof p, "meters", i);
        jsonv_error(L->doc, v, p, "required key \"%s\" is missing (bus \"%s\")", need, L->cfg->meters[i].bus);
    }
    if ((v = item_field(L, "meters", i, refused, p, sizeof p)) != NULL)
        jsonv_error(L->doc, v, p, "only for %s", who);
}

static void check_dlt645_meter(loader *L, int i)
{
    config *cfg = L->cfg;
    config_meter *m = &cfg->meters[i];
    char p[JSONV_PATH_MAX];
    const cJSON *v;
    check_addressing(L, i, "address", m->address[0] != '\0', "slave_id", "a meter on a modbus bus");
    if (m->profile[0] && !dlt645prof_known(cfg->dlt645_profiles, m->profile) &&
        (v = item_field(L, "meters", i, "profile", p, sizeof p)))
        jsonv_error(L->doc, v, p,
                    "unknown DL/T 645 profile \"%s\" (built in: DLT645-1P DLT645-3P, or a dlt645_profiles[].name)",
                    m->profile);
    for (int j = 0; j < i && m->address[0]; j++) {
        if (cfg->meters[j].bus_index == m->bus_index && strcmp(cfg->meters[j].address, m->address) == 0 &&
            (v = item_field(L, "meters", i, "address", p, sizeof p))) {
            jsonv_error(L->doc, v, p, "address %s already used on bus \"%s\" by meter \"%s\"", m->address, m->bus,
                        cfg->meters[j].id);
            break;
        }
    }
}

static void check_meter_refs(loader *L, int i, int *area_meters)
{
    config *cfg = L->cfg;
    config_meter *m = &cfg->meters[i];
    char p[JSONV_PATH_MAX];
    const cJSON *v;
    m->bus_index = config_find_bus(cfg, m->bus);
    if (m->bus[0] && m->bus_index < 0 && (v = item_field(L, "meters", i, "bus", p, sizeof p)))
        jsonv_error(L->doc, v, p, "no bus named \"%s\" in buses", m->bus);
    m->customer_index = m->customer[0] ? config_find_customer(cfg, m->customer) : -1;
    if (m->customer[0] && m->customer_index < 0 && (v = item_field(L, "meters", i, "customer", p, sizeof p)))
        jsonv_error(L->doc, v, p, "no customer \"%s\" in customers", m->customer);
    const cJSON *role = item_field(L, "meters", i, "role", p, sizeof p);
    int role_ok = role == NULL || (cJSON_IsString(role) && strcmp(role->valuestring, "customer") == 0);
    if (m->role == CONFIG_ROLE_CUSTOMER && role_ok && m->customer[0] == '\0' && m->id[0] &&
        (v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(jsonv_root(L->doc), "meters"), i))) {
        jsonv_path_index(p, sizeof p, "meters", i);
        jsonv_error(L->doc, v, p, "a meter with role \"customer\" needs a \"customer\"");
    }
    if (m->role == CONFIG_ROLE_AREA_SUMMARY && ++*area_meters > 1 &&
        (v = item_field(L, "meters", i, "role", p, sizeof p)))
        jsonv_error(L->doc, v, p, "only one area_summary meter per gateway");
    if (m->bus_index >= 0 && cfg->buses[m->bus_index].protocol == BUS_PROTO_DLT645) {
        check_dlt645_meter(L, i);
        return;
    }
    if (m->bus_index >= 0) {
        static const char *const dlt_only[] = {"password_level", "password", "operator_code"};
        check_addressing(L, i, "slave_id", m->slave_id > 0, "address", "a meter on a dlt645 bus");
        for (size_t k = 0; k < sizeof dlt_only / sizeof dlt_only[0]; k++)
            if ((v = item_field(L, "meters", i, dlt_only[k], p, sizeof p)) != NULL)
                jsonv_error(L->doc, v, p, "only for a meter on a dlt645 bus");
    }
    if (m->profile[0] && !profile_known(cfg, m->profile) && (v = item_field(L, "meters", i, "profile", p, sizeof p)))
        jsonv_error(L->doc, v, p, "unknown profile \"%s\" (built in: DDSU666 DTSU666 SDM120 SDM630 generic)",
                    m->profile);
    for (int j = 0; j < i && m->bus_index >= 0 && m->slave_id > 0; j++) { /* an invalid id is reported already */
        if (cfg->meters[j].bus_index == m->bus_index && cfg->meters[j].slave_id == m->slave_id &&
            (v = item_field(L, "meters", i, "slave_id", p, sizeof p))) {
            jsonv_error(L->doc, v, p, "slave id %d already used on bus \"%s\" by meter \"%s\"", m->slave_id,
                        m->bus, cfg->meters[j].id);
            break;
        }
    }
}

static void check_references(loader *L)
{
    config *cfg = L->cfg;
    int area_meters = 0;
    check_unique(L, "buses", "name", cfg->nbuses, bus_id);
    check_unique(L, "meters", "id", cfg->nmeters, meter_id);
    check_unique(L, "customers", "id", cfg->ncustomers, customer_id);
    check_unique(L, "tariffs", NULL, cfg->ntariffs, tariff_id);
    for (int i = 0; i < cfg->nmeters; i++)
        check_meter_refs(L, i, &area_meters);
    for (int i = 0; i < cfg->ncustomers; i++) {
        config_customer *c = &cfg->customers[i];
        char p[JSONV_PATH_MAX];
        const cJSON *v;
        c->tariff_index = config_find_tariff(cfg, c->tariff);
        if (c->tariff[0] && c->tariff_index < 0 && (v = item_field(L, "customers", i, "tariff", p, sizeof p)))
            jsonv_error(L->doc, v, p, "no tariff with id \"%s\" in the files of \"tariffs\"", c->tariff);
    }
}

static void run_section_hooks(loader *L)
{
    for (size_t i = 0; i < sizeof section_hooks / sizeof section_hooks[0]; i++) {
        const cJSON *node = cJSON_GetObjectItemCaseSensitive(jsonv_root(L->doc), section_hooks[i].key);
        if (section_hooks[i].fn != NULL)
            section_hooks[i].fn(L->doc, node, section_hooks[i].key, jsonv_root(L->doc));
        else if (node != NULL)
            jsonv_error(L->doc, node, section_hooks[i].key, "section not supported by this build");
    }
    regtou_config_check(L->doc, L->cfg->register_tou, "register_tou", L->cfg);
}

/* fill_poll: what hal's poller reads with, pointing into cfg. */
static gl_status fill_poll(config *cfg)
{
    cfg->poll_meters = calloc((size_t)cfg->nmeters + 1, sizeof *cfg->poll_meters);
    if (cfg->poll_meters == NULL)
        return GL_ENOMEM;
    for (int i = 0; i < cfg->nmeters; i++) {
        const config_meter *m = &cfg->meters[i];
        cfg->poll_meters[i] = (poller_meter){m->id,       m->profile,      m->address,       m->bus_index,
                                             m->slave_id, m->password_level, m->password, m->operator_code,
                                             m->relay,    m->max_power_w};
    }
    cfg->poll = (poller_cfg){cfg->nbuses, cfg->nmeters, cfg->buses, cfg->poll_meters,
                             cfg->doc,    cfg->profiles, cfg->dlt645_profiles};
    return GL_OK;
}

static void set_dir(config *cfg, const char *file)
{
    snprintf(cfg->file, sizeof cfg->file, "%s", file);
    snprintf(cfg->dir, sizeof cfg->dir, "%s", file);
    char *slash = strrchr(cfg->dir, '/');
    if (slash == NULL)
        snprintf(cfg->dir, sizeof cfg->dir, ".");
    else if (slash == cfg->dir)
        slash[1] = '\0';
    else
        *slash = '\0';
}

static void parse_all(loader *L)
{
    const cJSON *root = jsonv_root(L->doc);
    config *cfg = L->cfg;
    jsonv_check_keys(L->doc, root, "", top_keys);
    cfg->profiles = cJSON_GetObjectItemCaseSensitive(root, "profiles");
    cfg->dlt645_profiles = cJSON_GetObjectItemCaseSensitive(root, "dlt645_profiles");
    cfg->register_tou = cJSON_GetObjectItemCaseSensitive(root, "register_tou");
    cfg->credit = cJSON_GetObjectItemCaseSensitive(root, "credit");
    cfg->collection = cJSON_GetObjectItemCaseSensitive(root, "collection");
    cfg->fee_control = cJSON_GetObjectItemCaseSensitive(root, "fee_control");
    parse_gateway(L, cJSON_GetObjectItemCaseSensitive(root, "gateway"));
    parse_store(L, cJSON_GetObjectItemCaseSensitive(root, "store"));
    parse_schedule(L, cJSON_GetObjectItemCaseSensitive(root, "schedule"));
    parse_billing(L, cJSON_GetObjectItemCaseSensitive(root, "billing"));
    parse_uplink(L, cJSON_GetObjectItemCaseSensitive(root, "uplink"));
    cfg->nbuses = parse_array(L, "buses", 1, CONFIG_MAX_BUSES, sizeof *cfg->buses, (void **)&cfg->buses, bus_item);
    cfg->nmeters = parse_array(L, "meters", 1, CONFIG_MAX_METERS, sizeof *cfg->meters, (void **)&cfg->meters,
                               meter_item);
    cfg->ncustomers = parse_array(L, "customers", 0, CONFIG_MAX_CUSTOMERS, sizeof *cfg->customers,
                                  (void **)&cfg->customers, customer_item);
    cfg->ntariffs = parse_array(L, "tariffs", 0, CONFIG_MAX_TARIFFS, sizeof *cfg->tariffs,
                                (void **)&cfg->tariffs, tariff_item);
    check_references(L);
    run_section_hooks(L);
}

/* config_build: validates the parsed doc into a config; takes doc. */
static gl_status config_build(jsonv_doc *doc, const char *file, config **out)
{
    gl_status ret = GL_ENOMEM;
    config *cfg = calloc(1, sizeof *cfg);
    if (cfg == NULL) {
        jsonv_free(doc);
        return ret;
    }
    set_dir(cfg, file);
    cfg->doc = doc;
    loader L = {cfg->doc, cfg};
    ret = GL_ECONFIG;
    if (!jsonv_check_object(cfg->doc, jsonv_root(cfg->doc), ""))
        goto out;
    parse_all(&L);
    if (jsonv_errors(cfg->doc) > 0)
        goto out;
    if ((ret = fill_poll(cfg)) != GL_OK)
        goto out;
    /* copied into cfg's arrays: the tree of 1,000 meters was 320 KiB */
    jsonv_drop(cfg->doc, "meters");
    jsonv_drop(cfg->doc, "customers");
    jsonv_drop(cfg->doc, "buses");
    *out = cfg;
    cfg = NULL;
    ret = GL_OK;
out:
    config_free(cfg);
    return ret;
}

gl_status config_parse(const char *file, const char *text, size_t len, diag *d, config **out)
{
    jsonv_doc *doc = NULL;
    *out = NULL;
    gl_status st = jsonv_parse(file, text, len, d, &doc);
    if (st != GL_OK)
        return st == GL_ENOMEM ? st : GL_ECONFIG;
    return config_build(doc, file, out);
}

gl_status config_load(const char *path, diag *d, config **out)
{
    jsonv_doc *doc = NULL;
    *out = NULL;
    gl_status st = fileio_load_json(path, d, &doc);
    if (st != GL_OK)
        return st == GL_ENOMEM ? st : GL_ECONFIG;
    return config_build(doc, path, out);
}

void config_free(config *cfg)
{
    if (cfg == NULL)
        return;
    free(cfg->buses);
    free(cfg->meters);
    free(cfg->customers);
    free(cfg->tariffs);
    free(cfg->poll_meters);
    jsonv_free(cfg->doc);
    free(cfg);
}

#define FIND_BY(array, count, field)                                                                          \
    for (int i = 0; name != NULL && i < cfg->count; i++)                                                      \
        if (strcmp(cfg->array[i].field, name) == 0)                                                           \
            return i;                                                                                         \
    return -1

int config_find_meter(const config *cfg, const char *name)
{
    FIND_BY(meters, nmeters, id);
}

int config_find_customer(const config *cfg, const char *name)
{
    FIND_BY(customers, ncustomers, id);
}

int config_find_bus(const config *cfg, const char *name)
{
    FIND_BY(buses, nbuses, name);
}

int config_find_tariff(const config *cfg, const char *name)
{
    FIND_BY(tariffs, ntariffs, id);
}

void config_resolve_path(const config *cfg, const char *path, char *out, size_t cap)
{
    size_t nd = path[0] == '/' ? 0 : strlen(cfg->dir), np = strlen(path);
    if (cap == 0)
        return;
    out[0] = '\0';
    if (nd + 1 + np >= cap)
        return; /* too long: an empty path, which no open() accepts */
    if (nd > 0) {
        memcpy(out, cfg->dir, nd);
        out[nd++] = '/';
    }
    memcpy(out + nd, path, np + 1);
}

int config_credit(const config *cfg, creditcfg *out)
{
    creditcfg_default(out);
    if (cfg == NULL || cfg->doc == NULL)
        return 0;
    int n = creditcfg_parse_credit(cfg->doc, cfg->credit, "credit", out);
    n += creditcfg_parse_collection(cfg->doc, cfg->collection, "collection", out);
    n += creditcfg_parse_fee_control(cfg->doc, cfg->fee_control, "fee_control", out);
    return n;
}
