/* profile.h: meter register maps as data.
 *
 * A profile says, for each quantity a reading can carry, where the meter
 * keeps it (function code 3 or 4, register address), how it is encoded
 * (integer or IEEE-754 type, word order) and how to turn the raw number into
 * the reading's integer unit (scale, unit). Built-in profiles cite the public
 * register map they follow; custom ones come from the config's `profiles`
 * section (docs/meters.md) and may start from a built-in one (`base`). */
#ifndef GRIDLEDGER_PROFILE_H
#define GRIDLEDGER_PROFILE_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "gridledger/jsonv.h"
#include "gridledger/status.h"

#define PROFILE_NAME_MAX 48 /* the config's ids (firmware/config.h CONFIG_ID_MAX) */
#define PROFILE_SOURCE_MAX 200
#define PROFILE_MAX_CUSTOM 64
#define PROFILE_SCALE_ONE 1000000 /* scale_micro of a scale of 1 */

/* The quantities a reading carries (reading.h), in the reading's units. */
typedef enum profile_q {
    PROFILE_Q_IMPORT = 0, /* total import active energy, Wh: the billing register */
    PROFILE_Q_EXPORT,     /* total export active energy, Wh */
    PROFILE_Q_REACTIVE,   /* total reactive energy, varh */
    PROFILE_Q_DEMAND,     /* maximum demand, W */
    PROFILE_Q_VOLTAGE_L1, /* 0.1 V */
    PROFILE_Q_VOLTAGE_L2,
    PROFILE_Q_VOLTAGE_L3,
    PROFILE_Q_CURRENT_L1, /* mA */
    PROFILE_Q_CURRENT_L2,
    PROFILE_Q_CURRENT_L3,
    PROFILE_Q_POWER,      /* total active power, W */
    PROFILE_Q_PF,         /* power factor x 1000 */
    PROFILE_Q_FREQ,       /* 0.01 Hz */
    PROFILE_Q_COUNT
} profile_q;

typedef enum profile_type {
    PROFILE_T_INT16 = 0,
    PROFILE_T_UINT16,
    PROFILE_T_INT32,
    PROFILE_T_UINT32,
    PROFILE_T_INT64,
    PROFILE_T_FLOAT32,
    PROFILE_T_FLOAT64,
    PROFILE_T_COUNT
} profile_type;

/* Byte order of a value over its registers, the value's big-endian bytes
 * being A B C D (E F G H): ABCD high word first (Modbus "big endian");
 * CDAB words reversed; BADC bytes swapped in each word; DCBA both. */
typedef enum profile_order { PROFILE_WO_ABCD = 0, PROFILE_WO_CDAB, PROFILE_WO_BADC, PROFILE_WO_DCBA } profile_order;

typedef enum profile_relay_kind {
    PROFILE_RELAY_NONE = 0,
    PROFILE_RELAY_COIL,     /* read with function 1, written with function 5; 1 = closed */
    PROFILE_RELAY_REGISTER, /* read with function 3, written with function 6: relay_on / relay_off */
} profile_relay_kind;

typedef struct profile_reg {
    int present;          /* 0: the meter does not have this quantity */
    int fn;               /* MODBUSFN_READ_HOLDING or MODBUSFN_READ_INPUT (modbusfn.h) */
    uint16_t addr;        /* 0-based register address */
    profile_type type;
    profile_order order;
    int64_t scale_micro;  /* raw x scale_micro / 1e6 = the value in `unit` (may be negative) */
    int64_t unit_mult;    /* value in `unit` x unit_mult = the value in the reading's unit */
    char unit[8];         /* "kWh", "V", "A", "kW", "Hz", "1", ... */
} profile_reg;

typedef struct profile {
    char name[PROFILE_NAME_MAX];
    char source[PROFILE_SOURCE_MAX]; /* the register map followed */
    int nphases;                     /* 1 or 3 */
    int64_t max_power_w;             /* default for the jump check */
    profile_reg q[PROFILE_Q_COUNT];
    profile_relay_kind relay;
    uint16_t relay_addr;
    uint16_t relay_on, relay_off;    /* PROFILE_RELAY_REGISTER values */
} profile;

/* profile_builtin: the built-in profile named name, or NULL. */
const profile *profile_builtin(const char *name);

/* profile_builtin_count / profile_builtin_at: iterate the built-in profiles. */
int profile_builtin_count(void);
const profile *profile_builtin_at(int i);

/* profile_q_name: the config key of q ("import", "voltage_l1", ...). */
const char *profile_q_name(profile_q q);

/* profile_type_words: registers taken by a value of type t (1, 2 or 4). */
int profile_type_words(profile_type t);

/* profile_unit_mult: the multiplier from `unit` to the reading's unit of q;
 * GL_EINVAL if unit is not one q can have. */
gl_status profile_unit_mult(profile_q q, const char *unit, int64_t *mult);

/* profile_config_check: the check of the config's `profiles` section (root:
 * the document's root, unused): an array of custom profiles; reports every
 * problem through jsonv and returns their number. node may be NULL (no
 * custom profiles). */
int profile_config_check(jsonv_doc *doc, const cJSON *node, const char *path, const cJSON *root);

/* profile_parse: one custom profile object at path into *out; returns the
 * number of problems reported (0: *out is complete). */
int profile_parse(jsonv_doc *doc, const cJSON *obj, const char *path, profile *out);

/* profile_resolve: the profile a meter names: built in, or custom from
 * profiles (the `profiles` section of doc, may be NULL). GL_ENOTFOUND if
 * neither; GL_ECONFIG if the custom one is invalid (cannot happen for a
 * config that passed config_load). */
gl_status profile_resolve(jsonv_doc *doc, const cJSON *profiles, const char *name, profile *out);

#endif
