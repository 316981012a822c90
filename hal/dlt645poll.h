/* dlt645poll.h: the DL/T 645-2007 master's reads and commands for one
 * meter, into the same reading the Modbus poller fills.
 *
 * Energies come first: the block 0001FF00 (total + tariffs) in one request
 * where the meter has it; a meter that answers the block with an error
 * reply is remembered and read by single DIs (00010000, 00010100..00010400)
 * from then on. The other quantities of the profile follow, one DI each; a
 * quantity the meter refuses (error reply) is left absent, a meter that
 * falls silent fails the reading. */
#ifndef GRIDLEDGER_DLT645POLL_H
#define GRIDLEDGER_DLT645POLL_H

#include "dlt645.h"
#include "dlt645link.h"
#include "dlt645prof.h"
#include "gridledger/reading.h"

typedef struct dlt645poll_meter {
    const dlt645prof *prof;
    dlt645_addr addr;
    int preamble; /* FE bytes sent before each frame */
    int retries;
    int block; /* -1 not tried yet, 1 the meter has 0001FF00, 0 it refused it */
    int relay; /* the config says the relay may be read and switched */
    int settle_dd, settle_hh; /* settlement day (04000B01) once read: day 1..28, hour; dd -1 not read, 0 refused */
    bus_counters *c;
} dlt645poll_meter;

/* dlt645poll_read: one reading of m into r (r->meter, ts set by the caller;
 * the rest is filled). Returns the status of the energy read. */
gl_status dlt645poll_read(dlt645link *l, dlt645poll_meter *m, reading *r);

/* dlt645poll_read_di: one DI's payload (after the DI) into out[cap]. */
gl_status dlt645poll_read_di(dlt645link *l, dlt645poll_meter *m, uint32_t di, uint8_t *out, size_t cap, size_t *n,
                             uint8_t *err);

/* dlt645poll_relay: sends relay command r (1C) and reads the state back
 * from status word 3: GL_ESTATE if it disagrees with the command. */
gl_status dlt645poll_relay(dlt645link *l, dlt645poll_meter *m, const dlt645_relay *r);

/* dlt645poll_relay_state: *closed from status word 3 (bit 4 set: open). */
gl_status dlt645poll_relay_state(dlt645link *l, dlt645poll_meter *m, int *closed);

/* dlt645poll_broadcast_time: 08 to every meter on the link. */
gl_status dlt645poll_broadcast_time(dlt645link *l, const dlt645_time *t, int preamble, bus_counters *c);

/* dlt645poll_frozen: the n-th last daily freeze (n = 1: the last
 * midnight) of m: 0506000n (its time, in the process's local time) and
 * 0506010n (import total + tariffs), as a reading flagged
 * READING_FLAG_FROZEN with ts the freeze time. */
gl_status dlt645poll_frozen(dlt645link *l, dlt645poll_meter *m, int n, reading *r);

/* dlt645poll_settlement: the meter's last settlement-day freeze (0001FF01,
 * or 00010001 + 000101..04 01 where the block is refused) as a reading
 * flagged READING_FLAG_FROZEN, source READING_FROZEN_SETTLEMENT, ts the last
 * settlement time at or before now (local time of the day and hour of
 * 04000B01, read once per meter and kept in m). GL_ENOTFOUND (nothing read
 * but 04000B01) when that time is not after after_ts; GL_EUNSUPPORTED when
 * the meter has no settlement day (refused, or not a day 1..28). */
gl_status dlt645poll_settlement(dlt645link *l, dlt645poll_meter *m, int64_t now, int64_t after_ts, reading *r);

/* dlt645poll_clock: the meter's clock (04000101 date, 04000102 time, in
 * the process's local time) as epoch seconds. */
gl_status dlt645poll_clock(dlt645link *l, dlt645poll_meter *m, int64_t *meter_ts);

/* dlt645poll_probe: whether m answers (its address, DI 04000401); GL_OK
 * with *got the address it reports. */
gl_status dlt645poll_probe(dlt645link *l, dlt645poll_meter *m, dlt645_addr *got);

/* dlt645poll_read_address: the address of the one meter on the link (13 to
 * AA..AA); several meters answering at once make GL_EPROTO. */
gl_status dlt645poll_read_address(dlt645link *l, int preamble, int retries, bus_counters *c, dlt645_addr *got);

/* dlt645poll_fail: r's status and error text for st (err: the ERR byte of
 * an error reply). */
void dlt645poll_fail(reading *r, gl_status st, uint8_t err);

#endif
