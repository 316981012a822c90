/* dlt645prof.c: see dlt645prof.h. */
#include "dlt645prof.h"

#include <stdio.h>
#include <string.h>

#define ITEM(di_, width_, signed_, mult_, div_) {1, di_, width_, signed_, mult_, div_}

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
