/* sim.h: the simulated meters of metersim: state, energy over simulated
 * time, faults, and the Modbus answers built from the hal profile tables. */
#ifndef METERSIM_SIM_H
#define METERSIM_SIM_H

#include <stdint.h>

#include <modbus.h>

#include "profile.h"

#define SIM_MAX_ENDPOINTS 16
#define SIM_MAX_IDS 248

typedef enum sim_fault {
    SIM_OK = 0,
    SIM_SILENT,      /* never answers */
    SIM_SLOW,        /* answers after arg ms */
    SIM_EXCEPTION,   /* answers with exception code arg */
    SIM_CRC,         /* answers with a corrupted CRC (RTU) */
    SIM_SWAP,        /* floats in the wrong word order (CDAB) */
    SIM_ROLLOVER,    /* import counter wraps at arg kWh */
    SIM_RESET,       /* meter replaced: import counter restarts at 0 */
    SIM_JUMP,        /* import jumps by arg kWh */
    SIM_STUCK,       /* import frozen while power flows */
    SIM_RELAY_STUCK, /* relay ignores commands */
    SIM_NOBLOCK,     /* DL/T 645: answers block reads (DI1 = FF) with an error reply */
    SIM_GARBAGE,     /* answers with bytes that are no frame */
    SIM_DRIFT,       /* DL/T 645: the meter's clock runs arg seconds ahead */
    SIM_PREAMBLE,    /* DL/T 645: replies with arg (0..4) FE bytes instead of 4 */
    SIM_FOLLOWUP,    /* DL/T 645: block replies come in two frames (D5, then 12) */
    SIM_NAN,         /* float import register reads NaN (a broken meter) */
    SIM_UNIT,        /* TCP: replies carry unit id arg instead of the one asked (a confused converter) */
} sim_fault;

typedef struct sim_meter {
    int endpoint, id;
    const profile *prof;
    double base_wh;      /* import at the simulated start */
    double power_w;      /* constant load */
    double export_wh, voltage_dv, pf;
    int relay_closed;
    int dlt645;            /* a DL/T 645 meter: address = endpoint's base + id */
    double clock_offset_s; /* DL/T 645: meter clock minus simulated time */
    sim_fault fault;
    long fault_arg;
} sim_meter;

typedef struct sim_clock {
    double start_s;  /* simulated epoch seconds at launch */
    double speed;    /* simulated seconds per real second */
    double real0_s;  /* monotonic seconds at launch */
    double since_s;  /* simulated epoch seconds the counters count from (--since; default start_s) */
    int has_since;
} sim_clock;

/* sim_now: the simulated time in epoch seconds. */
double sim_now(const sim_clock *c);

/* sim_import_wh: meter m's true import counter at simulated time t (faults applied). */
double sim_import_wh(const sim_meter *m, const sim_clock *c, double t);

/* sim_value: the true value of quantity q (reading units) at time t. */
double sim_value(const sim_meter *m, const sim_clock *c, double t, profile_q q);

/* sim_fill: the registers [addr, addr+count) of function fn (3/4) into
 * regs; returns the number of quantities overlapping (0: illegal address). */
int sim_fill(const sim_meter *m, const sim_clock *c, int fn, uint16_t addr, uint16_t count, uint16_t *regs);

/* sim_fault_parse: "silent", "slow:MS", "exception:CODE", ... */
int sim_fault_parse(const char *s, sim_fault *f, long *arg);

/* sim_crc16: Modbus RTU CRC (transmitted low byte first). */
uint16_t sim_crc16(const uint8_t *p, int n);

#endif
