/* coalesce.h: pure request planner for reading a meter's registers.
 *
 * Given the register spans a meter's quantities occupy, plans the requests
 * (function code, start, count <= 125) that read them all in the least bus
 * time. A request's bus time is counted from its frame bytes at the link's
 * baud rate (11 bits a character: start, 8 data, parity or second stop,
 * stop), 3.5 characters of silence before each frame (a fixed 1.75 ms above
 * 19,200 baud: Modbus over serial line V1.02, 2.5.1.1), plus the link's
 * fixed cost per request (inter-frame delay and the meter's turnaround). So
 * a gap between two spans is read through when its 2 bytes per register
 * cost less than a second request's frames and fixed cost. Optimal: a
 * dynamic programme over the spans sorted by address. */
#ifndef GRIDLEDGER_COALESCE_H
#define GRIDLEDGER_COALESCE_H

#include <stdint.h>

#include "gridledger/status.h"

#define COALESCE_MAX_REGS 125 /* Modbus application protocol V1.1b3, 6.3/6.4: 1..125 registers */
#define COALESCE_MAX_SPANS 64

typedef struct coalesce_span {
    uint8_t fn;     /* MODBUSFN_READ_HOLDING or _READ_INPUT */
    uint16_t addr;
    uint16_t count; /* registers */
} coalesce_span;

typedef struct coalesce_link {
    int baud;               /* RTU baud rate; 0 for TCP (bytes cost no bus time) */
    int64_t per_request_us; /* fixed cost per request: inter-frame delay + turnaround */
} coalesce_link;

/* coalesce_char_us: one character at baud (11 bits), in microseconds. */
int64_t coalesce_char_us(int baud);

/* coalesce_silence_us: the silence before a frame: 3.5 characters, or
 * 1750 us above 19,200 baud; 0 for TCP. */
int64_t coalesce_silence_us(int baud);

/* coalesce_request_us: bus time of one read of `count` registers: request
 * (8 bytes) and response (5 + 2 x count bytes) frames, a silence before
 * each, and the link's fixed cost. */
int64_t coalesce_request_us(const coalesce_link *link, int count);

/* coalesce_plan: plans the requests for n spans into out (cap entries);
 * *nout requests, *bus_us their total bus time (either may be NULL).
 * GL_EBOUND if n > COALESCE_MAX_SPANS, cap is too small or a span alone
 * exceeds 125 registers; GL_EINVAL on a bad argument. */
gl_status coalesce_plan(const coalesce_span *spans, int n, const coalesce_link *link, coalesce_span *out, int cap,
                        int *nout, int64_t *bus_us);

/* coalesce_limit_us: the physical minimum bus time for the spans: per
 * function code, only the registers asked, in as few requests as 125
 * registers each allow. */
int64_t coalesce_limit_us(const coalesce_span *spans, int n, const coalesce_link *link);

#endif
