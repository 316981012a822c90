/* dlt645prof.h: DL/T 645-2007 meter profiles as data.
 *
 * A profile says, for each quantity a reading can carry, which data
 * identifier holds it, in how many BCD bytes, whether its top bit is a
 * sign, and how the raw integer becomes the reading's unit (raw x mult /
 * div, rounded half away from zero). Energies per tariff come from the
 * block 0001FF00 where the meter has it, else DI 00010100..00010400.
 * Built in: DLT645-1P (single-phase) and DLT645-3P (three-phase), after the
 * DI table of DL/T 645-2007 appendix A (as tabulated in 600888/dlt645
 * energy_def / variable_def and WKJay/DLT645 dlt645_2007.c). */
#ifndef GRIDLEDGER_DLT645PROF_H
#define GRIDLEDGER_DLT645PROF_H

#include <stdint.h>

#include "gridledger/jsonv.h"
#include "dlt645.h"
#include "profile.h"

#define DLT645PROF_TARIFFS 4

typedef struct dlt645_item {
    int present;
    uint32_t di;
    uint8_t width;     /* BCD bytes on the wire */
    uint8_t is_signed; /* top bit of the last byte is the sign */
    int64_t mult, div; /* raw x mult / div = the reading's unit */
} dlt645_item;

typedef struct dlt645prof {
    char name[PROFILE_NAME_MAX];
    char source[PROFILE_SOURCE_MAX];
    int nphases;
    int64_t max_power_w;
    dlt645_item q[PROFILE_Q_COUNT];
    int block;    /* 1: read import total + tariffs as 0001FF00 first */
    int ntariffs; /* tariff registers read (0..4) */
    int relay;    /* has a relay (1C) read back from status word 3 */
} dlt645prof;

/* dlt645prof_builtin: the built-in profile named name, or NULL. */
const dlt645prof *dlt645prof_builtin(const char *name);

#define DLT645PROF_MAX_CUSTOM 64

/* dlt645prof_known: name is built in or a `dlt645_profiles[].name` of
 * profiles (the config's section, may be NULL). */
int dlt645prof_known(const cJSON *profiles, const char *name);

/* dlt645prof_parse: one custom profile object at path into *out (from its
 * "base", default DLT645-1P); returns the number of problems reported. */
int dlt645prof_parse(jsonv_doc *doc, const cJSON *obj, const char *path, dlt645prof *out);

/* dlt645prof_config_check: the check of the config's `dlt645_profiles`
 * section (root: the document's root, unused). */
int dlt645prof_config_check(jsonv_doc *doc, const cJSON *node, const char *path, const cJSON *root);

/* dlt645prof_resolve: the profile a meter names, built in or custom from
 * profiles (the `dlt645_profiles` section of doc, may be NULL).
 * GL_ENOTFOUND if neither; GL_ECONFIG if the custom one is invalid. */
gl_status dlt645prof_resolve(jsonv_doc *doc, const cJSON *profiles, const char *name, dlt645prof *out);

/* dlt645prof_value: the item's value from its `width` bytes at p, in the
 * reading's unit. GL_ERANGE for bytes that are not BCD. */
gl_status dlt645prof_value(const dlt645_item *it, const uint8_t *p, int64_t *out);

/* dlt645prof_as_profile: the Modbus-shaped view the rest of the gateway
 * reads (name, phases, max power; no registers). */
void dlt645prof_as_profile(const dlt645prof *d, profile *out);

#endif
