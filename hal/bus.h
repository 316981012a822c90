/* bus.h: one Modbus bus (an RTU serial line or a TCP endpoint with several
 * unit ids behind it) over libmodbus.
 *
 * A bus connects lazily and reconnects after a link error (a replugged USB
 * adapter, a reset TCP connection) on the next request. Every request waits
 * the bus's inter-frame delay after the previous frame, is retried on
 * timeouts and bad frames up to `retries` times (never on a Modbus
 * exception: the meter answered), and is counted on the bus and on the
 * caller's per-meter counters. libmodbus's -1/errno is translated to
 * gl_status here, once. A bus is used by one thread at a time. */
#ifndef GRIDLEDGER_BUS_H
#define GRIDLEDGER_BUS_H

#include <stdint.h>

#include "gridledger/config.h"
#include "gridledger/status.h"

typedef struct bus_counters {
    uint64_t requests;   /* request frames sent, retries included */
    uint64_t retries;
    uint64_t timeouts;
    uint64_t exceptions; /* Modbus exception responses */
    uint64_t errors;     /* bad frames (CRC, length, id) and link errors */
    uint64_t wrong_unit; /* replies from another slave / unit id than asked (also in errors), rejected */
    uint64_t reconnects;
    uint64_t bytes_tx, bytes_rx; /* frame bytes (RTU: with address and CRC; TCP: with MBAP header) */
    int64_t frame_us;    /* bus time from frame bytes at the baud rate (RTU), silences included */
    int64_t wall_us;     /* measured time spent in requests, delays included */
} bus_counters;

typedef struct bus bus;

/* bus_open: a bus for cfg (copied); does not connect yet. */
gl_status bus_open(const config_bus *cfg, bus **out);

/* bus_close: disconnects and frees; NULL is a no-op. */
void bus_close(bus *b);

/* bus_read_registers: reads count (1..125) registers at addr with function
 * fn (3 or 4) from slave into dst. On GL_EEXCEPTION *exc is the exception
 * code. meter (may be NULL) gets the same counts as the bus. */
gl_status bus_read_registers(bus *b, int slave, int fn, uint16_t addr, uint16_t count, uint16_t *dst, int retries,
                             bus_counters *meter, int *exc);

/* bus_read_bit: reads one coil (function 1) into *on. */
gl_status bus_read_bit(bus *b, int slave, uint16_t addr, int *on, int retries, bus_counters *meter, int *exc);

/* bus_write_bit / bus_write_register: function 5 / function 6. */
gl_status bus_write_bit(bus *b, int slave, uint16_t addr, int on, int retries, bus_counters *meter, int *exc);
gl_status bus_write_register(bus *b, int slave, uint16_t addr, uint16_t value, int retries, bus_counters *meter,
                             int *exc);

/* bus_counters_of: the bus's totals. */
const bus_counters *bus_counters_of(const bus *b);

/* bus_config: the bus's configuration. */
const config_bus *bus_config(const bus *b);

#endif
