/* config.h: the gateway configuration (one JSON file, CONTRACT.md).
 *
 * config_load reads and validates the whole file before anything starts:
 * types, ranges, required keys, unknown keys, duplicate ids and references
 * (meter -> bus, meter -> customer, customer -> tariff). Every problem is one
 * diag line "FILE:LINE:COL: json.path: what is wrong". Defaults are listed in
 * docs/configuration.md and in the CONFIG_DEFAULT_* constants below.
 * Sections owned by other modules (profiles, credit, collection, fee_control)
 * are validated by the parsers those modules register in config.c. */
#ifndef GRIDLEDGER_CONFIG_H
#define GRIDLEDGER_CONFIG_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "bus.h"
#include "gridledger/creditcfg.h"
#include "gridledger/diag.h"
#include "gridledger/jsonv.h"
#include "gridledger/status.h"
#include "poller.h"

#define CONFIG_ID_MAX 48
#define CONFIG_NAME_MAX 96
#define CONFIG_PATH_MAX 256
#define CONFIG_MAX_BUSES 64
#define CONFIG_MAX_METERS 8192
#define CONFIG_MAX_CUSTOMERS 8192
#define CONFIG_MAX_TARIFFS 64

/* Defaults (documented in docs/configuration.md) */
#define CONFIG_DEFAULT_POLL_INTERVAL_S 900
#define CONFIG_DEFAULT_CYCLE_DAY 1
#define CONFIG_DEFAULT_DUE_DAYS 15
#define CONFIG_DEFAULT_QUOTA_MB 256
#define CONFIG_DEFAULT_COMPACT_AFTER_DAYS 7
#define CONFIG_DEFAULT_PENDING_CYCLES 8 /* poll cycles of readings held in memory while the disk refuses writes */
#define CONFIG_DEFAULT_UPLINK_PORT 8883
#define CONFIG_DEFAULT_STATUS_INTERVAL_S 300
#define CONFIG_DEFAULT_BATCH_READINGS 200

typedef struct config_gateway {
    char id[CONFIG_ID_MAX];        /* required; also the MQTT client id */
    char area[CONFIG_ID_MAX];      /* required: the transformer area (台区) id */
    char timezone[CONFIG_NAME_MAX]; /* TZ database name, default "Asia/Shanghai" */
} config_gateway;

typedef struct config_store {
    char path[CONFIG_PATH_MAX];   /* required */
    int quota_mb;                 /* database size bound */
    int compact_after_days;       /* raw readings older than this become intervals */
    int pending_cycles;           /* the memory queue holds this many cycles of every meter's readings */
} config_store;

typedef struct config_schedule {
    int poll_interval_s;
    int status_interval_s;
} config_schedule;

#define CONFIG_DLT645_DEFAULT_BAUD 2400   /* DL/T 645-2007: 8E1 */
#define CONFIG_DLT645_DEFAULT_PREAMBLE 4  /* FE bytes sent before a frame */
#define CONFIG_DLT645_DEFAULT_CLOCK_LIMIT_S 300

typedef enum config_meter_role { CONFIG_ROLE_CUSTOMER = 0, CONFIG_ROLE_AREA_SUMMARY } config_meter_role;

typedef struct config_meter {
    char id[CONFIG_ID_MAX];
    char bus[CONFIG_ID_MAX];
    int bus_index;               /* index into config.buses */
    int slave_id;                /* Modbus: 1..247 (0 on a dlt645 bus) */
    char address[13];            /* DL/T 645: 12 digits ("" on a Modbus bus) */
    int password_level;          /* DL/T 645 relay control: PA (default 2) */
    uint32_t password;           /* DL/T 645: P2 P1 P0 (6 hex digits) */
    uint32_t operator_code;      /* DL/T 645: C3..C0 (8 hex digits) */
    char profile[CONFIG_ID_MAX]; /* built-in or config profile name */
    char customer[CONFIG_ID_MAX]; /* empty for the area summary meter */
    int customer_index;          /* -1 if none */
    config_meter_role role;
    int relay;                   /* has a controllable relay */
    int64_t max_power_w;         /* for jump validation; 0 = profile default */
} config_meter;

typedef enum config_customer_class {
    CONFIG_CLASS_RESIDENTIAL = 0,
    CONFIG_CLASS_COMMERCIAL,
    CONFIG_CLASS_INDUSTRIAL,
    CONFIG_CLASS_AGRICULTURAL,
    CONFIG_CLASS_OTHER,
} config_customer_class;

typedef enum config_payment { CONFIG_PAY_POSTPAID = 0, CONFIG_PAY_PREPAID } config_payment;

/* A large customer's capacity change (新装, 增容, 减容): ledger-like, an id
 * given once; in the order they happened. */
#define CONFIG_CAPACITY_CHANGES_MAX 8
typedef enum config_capacity_kind { CONFIG_CAP_NEW = 0, CONFIG_CAP_INCREASE, CONFIG_CAP_REDUCTION } config_capacity_kind;

typedef struct config_capacity_change {
    char id[CONFIG_ID_MAX];
    char date[12];                 /* YYYY-MM-DD, a real date */
    config_capacity_kind kind;
    int64_t kva_milli;             /* > 0: the capacity of a new connection, or the change */
} config_capacity_change;

typedef struct config_customer {
    char id[CONFIG_ID_MAX];
    char name[CONFIG_NAME_MAX];
    config_customer_class klass;
    char grid[CONFIG_ID_MAX];      /* collection grid (网格) */
    char collector[CONFIG_ID_MAX]; /* optional */
    char tariff[CONFIG_ID_MAX];    /* a tariff id from `tariffs` */
    int tariff_index;
    config_payment payment;
    int64_t deposit_fen;
    int64_t capacity_kva_milli;    /* for per-kVA demand charges; 0 if none */
    int important;                 /* important customer: notices also go to the authority */
    char industry[2];              /* GB/T 4754 section letter A..T, "" if not given */
    int ncapacity_changes;
    config_capacity_change capacity_changes[CONFIG_CAPACITY_CHANGES_MAX];
    int64_t load_price_micro;      /* load_control.price: contracted price per kWh (micro-yuan); 0 none */
    int load_controlled;           /* load-controlled purchase in force (the store's payment mode) */
} config_customer;

typedef struct config_tariff_ref {
    char path[CONFIG_PATH_MAX]; /* resolved against the config file's folder */
    char id[CONFIG_ID_MAX];     /* the tariff's id, read from the file */
} config_tariff_ref;

typedef struct config_billing {
    int cycle_day; /* 1..28: the day the billing cycle closes */
    int due_days;  /* days from bill date to due date */
} config_billing;

typedef struct config_uplink {
    int enabled;                   /* 0 if the section is absent */
    char host[CONFIG_NAME_MAX];
    int port;
    char ca[CONFIG_PATH_MAX], cert[CONFIG_PATH_MAX], key[CONFIG_PATH_MAX], hmac_key[CONFIG_PATH_MAX];
    int tls;                       /* 0 only for tests on a plain socket */
    int keepalive_s;
    int batch_readings;
} config_uplink;

typedef struct config {
    char file[CONFIG_PATH_MAX]; /* the file it was read from */
    char dir[CONFIG_PATH_MAX];  /* its folder, for relative paths */
    config_gateway gateway;
    config_store store;
    config_schedule schedule;
    config_billing billing;
    config_uplink uplink;
    int nbuses, nmeters, ncustomers, ntariffs;
    bus_cfg *buses;
    config_meter *meters;
    config_customer *customers;
    config_tariff_ref *tariffs;
    /* Sections validated by their own modules; they point into `doc`. */
    const cJSON *profiles, *credit, *collection, *fee_control;
    const cJSON *dlt645_profiles; /* custom DL/T 645 profiles (hal/dlt645prof.c) */
    const cJSON *register_tou;    /* TOU bills from meter registers (firmware/regtou.c) */
    jsonv_doc *doc;
    /* What hal's poller reads with: the buses, the meters (poll_meters,
     * pointing into `meters`) and the custom profiles. */
    poller_cfg poll;
    poller_meter *poll_meters;
} config;

/* config_load: reads and validates path into *out (free with config_free).
 * Returns GL_OK, GL_EIO (unreadable) or GL_ECONFIG with every problem in d. */
gl_status config_load(const char *path, diag *d, config **out);

/* config_parse: as config_load, from text already in memory. */
gl_status config_parse(const char *file, const char *text, size_t len, diag *d, config **out);

/* config_free: releases cfg; NULL is a no-op. */
void config_free(config *cfg);

/* config_find_meter / _customer / _bus / _tariff: index by id, or -1. */
int config_find_meter(const config *cfg, const char *id);
int config_find_customer(const config *cfg, const char *id);
int config_find_bus(const config *cfg, const char *name);
int config_find_tariff(const config *cfg, const char *id);

/* config_resolve_path: out = path if absolute, else cfg->dir/path. */
void config_resolve_path(const config *cfg, const char *path, char *out, size_t cap);

/* config_credit: the credit, collection and fee_control sections as core's
 * creditcfg (cfg may be NULL: every default). Returns the number of
 * problems (0 for a config that config_load accepted). */
int config_credit(const config *cfg, creditcfg *out);

#endif
