/* simdlt.h: the DL/T 645-2007 answers of a simulated meter (metersim).
 *
 * The meter keeps what a residential meter keeps: forward active energy in
 * total and per tariff (1 sharp 19-21 h, 2 peak 8-11, 18-19, 21-23 h,
 * 3 flat 7-8, 11-18 h, 4 valley 23-7 h, local time: run metersim with
 * the gateway's TZ, as meters keep Beijing time), reverse energy, voltage,
 * current and power per phase, its clock, the relay, a daily freeze at
 * midnight (0506000N / 0506010N) and the settlement day on the 1st of the
 * month at midnight (0001xx0N). Sim meters take password level 02 with
 * password 000000 for relay commands. */
#ifndef METERSIM_SIMDLT_H
#define METERSIM_SIMDLT_H

#include <stddef.h>
#include <stdint.h>

#include "dlt645.h"
#include "sim.h"

/* simdlt_addr: the address of meter id behind an endpoint whose base is base. */
dlt645_addr simdlt_addr(uint64_t base, int id);

/* simdlt_id: the id of addr behind base (1..SIM_MAX_IDS-1), or 0. */
int simdlt_id(uint64_t base, const dlt645_addr *addr);

/* simdlt_matches: addr (AA bytes match anything) names own. */
int simdlt_matches(const dlt645_addr *addr, const dlt645_addr *own);

/* simdlt_tariff_units: the meter's forward active energy at time t in
 * 0.01 kWh: [0] total, [1..4] tariffs (they add up to the total). */
void simdlt_tariff_units(const sim_meter *m, const sim_clock *c, double t, int64_t units[5]);

/* simdlt_reply: the reply of meter m (address own) to req into out[cap]:
 * 1 and *n its size, or 0 when the meter stays quiet (broadcasts, silence). */
int simdlt_reply(sim_meter *m, const sim_clock *c, const dlt645_addr *own, const dlt645_frame *req, uint8_t *out,
                 size_t cap, size_t *n);

/* simdlt_set_clock: a broadcast time (08) received by m. */
void simdlt_set_clock(sim_meter *m, const sim_clock *c, const dlt645_frame *req);

#endif
