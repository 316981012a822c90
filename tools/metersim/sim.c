/* sim.c: see sim.h. */
#include "sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "monotime.h"

double sim_now(const sim_clock *c)
{
    return c->start_s + (monotime_s() - c->real0_s) * c->speed;
}

double sim_import_wh(const sim_meter *m, const sim_clock *c, double t)
{
    double used = m->power_w * (t - c->since_s) / 3600.0;
    switch (m->fault) {
    case SIM_STUCK:
        return m->base_wh;
    case SIM_RESET:
        return used;
    case SIM_JUMP:
        return m->base_wh + used + (double)m->fault_arg * 1000.0;
    case SIM_ROLLOVER: {
        double wrap = (double)m->fault_arg * 1000.0;
        return wrap > 0 ? fmod(m->base_wh + used, wrap) : m->base_wh + used;
    }
    default:
        return m->base_wh + used;
    }
}

double sim_value(const sim_meter *m, const sim_clock *c, double t, profile_q q)
{
    double p = m->relay_closed ? m->power_w : 0;
    double v = m->voltage_dv;
    switch (q) {
    case PROFILE_Q_IMPORT:
        return sim_import_wh(m, c, t);
    case PROFILE_Q_EXPORT:
        return m->export_wh;
    case PROFILE_Q_REACTIVE:
        return sim_import_wh(m, c, t) * 0.3;
    case PROFILE_Q_DEMAND:
        return m->power_w * 1.2;
    case PROFILE_Q_VOLTAGE_L1:
    case PROFILE_Q_VOLTAGE_L2:
    case PROFILE_Q_VOLTAGE_L3:
        return v + (q - PROFILE_Q_VOLTAGE_L1) * 5;
    case PROFILE_Q_CURRENT_L1:
    case PROFILE_Q_CURRENT_L2:
    case PROFILE_Q_CURRENT_L3: /* mA = W / (dV/10) / pf x 1000, split over the phases */
        return p / (v / 10.0) / m->pf * 1000.0 / m->prof->nphases;
    case PROFILE_Q_POWER:
        return p;
    case PROFILE_Q_PF:
        return m->pf * 1000.0;
    default:
        return 5000;
    }
}

int sim_fill(const sim_meter *m, const sim_clock *c, int fn, uint16_t addr, uint16_t count, uint16_t *regs)
{
    double t = sim_now(c);
    int hits = 0;
    memset(regs, 0, count * sizeof *regs);
    for (int q = 0; q < PROFILE_Q_COUNT; q++) {
        profile_reg r = m->prof->q[q];
        uint16_t w[4];
        int n = profile_type_words(r.type);
        if (!r.present || r.fn != fn || r.addr + n <= addr || r.addr >= addr + count)
            continue;
        if (m->fault == SIM_SWAP)
            r.order = PROFILE_WO_CDAB;
        int nan = m->fault == SIM_NAN && q == PROFILE_Q_IMPORT &&
                  (r.type == PROFILE_T_FLOAT32 || r.type == PROFILE_T_FLOAT64);
        decode_encode(&r, nan ? NAN : sim_value(m, c, t, (profile_q)q), w);
        for (int k = 0; k < n; k++)
            if (r.addr + k >= addr && r.addr + k < addr + count)
                regs[r.addr + k - addr] = w[k];
        hits++;
    }
    return hits;
}

int sim_fault_parse(const char *s, sim_fault *f, long *arg)
{
    static const struct {
        const char *name;
        sim_fault f;
        int needs_arg; /* 1: a positive number; 2: zero allowed */
    } kinds[] = {{"silent", SIM_SILENT, 0},       {"slow", SIM_SLOW, 1},      {"exception", SIM_EXCEPTION, 1},
                 {"crc", SIM_CRC, 0},             {"swap", SIM_SWAP, 0},      {"rollover", SIM_ROLLOVER, 1},
                 {"reset", SIM_RESET, 0},         {"jump", SIM_JUMP, 1},      {"stuck", SIM_STUCK, 0},
                 {"relay-stuck", SIM_RELAY_STUCK, 0}, {"no-block", SIM_NOBLOCK, 0},
                 {"garbage", SIM_GARBAGE, 0},     {"drift", SIM_DRIFT, 1},    {"preamble", SIM_PREAMBLE, 2},
                 {"follow-up", SIM_FOLLOWUP, 0},  {"nan", SIM_NAN, 0},        {"unit", SIM_UNIT, 1}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t n = strlen(kinds[i].name);
        if (strncmp(s, kinds[i].name, n) != 0 || (s[n] != '\0' && s[n] != ':'))
            continue;
        *f = kinds[i].f;
        *arg = 0;
        if (kinds[i].needs_arg) {
            char *end;
            if (s[n] != ':')
                return -1;
            *arg = strtol(s + n + 1, &end, 10);
            if (*end != '\0' || *arg < 0 || (*arg == 0 && kinds[i].needs_arg == 1))
                return -1;
            if (kinds[i].f == SIM_PREAMBLE && *arg > 4)
                return -1;
        }
        return 0;
    }
    return -1;
}

uint16_t sim_crc16(const uint8_t *p, int n)
{
    uint16_t crc = 0xFFFF;
    for (int i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
    }
    return crc;
}
