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

#include "gridledger/status.h"

#define BUS_NAME_MAX 48    /* the config's ids (firmware/config.h CONFIG_ID_MAX) */
#define BUS_HOST_MAX 96    /* CONFIG_NAME_MAX */
#define BUS_DEVICE_MAX 256 /* CONFIG_PATH_MAX */

/* Defaults (docs/configuration.md; firmware/config.c applies them) */
#define BUS_DEFAULT_TIMEOUT_MS 1000
#define BUS_DEFAULT_BYTE_TIMEOUT_MS 100
#define BUS_DEFAULT_RETRIES 2
#define BUS_DEFAULT_INTER_FRAME_MS 20
#define BUS_DEFAULT_OFFLINE_AFTER 3
#define BUS_DEFAULT_ERROR_AFTER 4

typedef enum bus_type { BUS_RTU = 0, BUS_TCP } bus_type;

typedef enum bus_protocol { BUS_PROTO_MODBUS = 0, BUS_PROTO_DLT645 } bus_protocol;

/* bus_cfg: one bus of the config's `buses` (filled by firmware/config.c). */
typedef struct bus_cfg {
    char name[BUS_NAME_MAX];
    bus_type type;
    bus_protocol protocol;       /* modbus (default) or dlt645 */
    int preamble;                /* dlt645: FE bytes sent before each frame, 0..4 */
    int clock_limit_s;           /* dlt645: meters' clocks read daily; drift beyond this is an alert (0: off) */
    char device[BUS_DEVICE_MAX]; /* rtu */
    int baud;                    /* rtu: 1200..115200 (dlt645: 1200..9600) */
    char parity;                 /* rtu: 'N', 'E', 'O' */
    int data_bits, stop_bits;    /* rtu */
    int rs485;                   /* rtu: switch the port to RS-485 mode */
    char host[BUS_HOST_MAX];     /* tcp */
    int port;                    /* tcp */
    int timeout_ms, byte_timeout_ms, retries, inter_frame_ms;
    int offline_after;           /* silent polls before a meter is offline */
    int error_after;             /* error answers in a row before a meter_garbage alert */
} bus_cfg;

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
gl_status bus_open(const bus_cfg *cfg, bus **out);

/* bus_close: disconnects and frees; NULL is a no-op. */
void bus_close(bus *b);

/* bus_read_registers: reads count (1..125) registers at addr with function
 * fn (MODBUSFN_READ_HOLDING or _READ_INPUT, modbusfn.h) from slave into dst. On GL_EEXCEPTION *exc is the exception
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
const bus_cfg *bus_config(const bus *b);

#endif
