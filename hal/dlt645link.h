/* dlt645link.h: the DL/T 645 transport of one bus: a serial line (termios,
 * default 2400 baud 8E1) or a TCP connection to an RS-485 converter in
 * transparent mode. libmodbus speaks only Modbus, so this small module
 * owns the file descriptor.
 *
 * A request waits the bus's inter-frame gap after the previous frame, then
 * waits for the reply up to timeout_ms plus the line time of the request and
 * of the longest reply (200 data bytes) at the baud rate; frames that are
 * not the awaited reply (an echo of the request on a half-duplex adapter,
 * another meter's late answer) are skipped, noise is dropped. Timeouts and
 * bad frames are retried `retries` times; an error reply is not (the meter
 * answered). The link reconnects on the next request after an I/O error.
 * Counters are those of the Modbus bus (bus.h). One thread at a time. */
#ifndef GRIDLEDGER_DLT645LINK_H
#define GRIDLEDGER_DLT645LINK_H

#include "bus.h"
#include "dlt645.h"

typedef struct dlt645link dlt645link;

/* dlt645link_open: a link for cfg (copied); does not connect yet. */
gl_status dlt645link_open(const bus_cfg *cfg, dlt645link **out);

/* dlt645link_close: disconnects and frees; NULL is a no-op. */
void dlt645link_close(dlt645link *l);

/* dlt645link_request: sends the frame req[n] and waits for the reply to
 * function func from addr (NULL: any address). GL_OK with *reply; the
 * meter's error reply is GL_EEXCEPTION with *err its ERR byte; GL_ETIMEOUT
 * (silence), GL_EPROTO (only bad frames), GL_ENET / GL_EDEVICE (link).
 * meter (may be NULL) is counted as the link is. */
gl_status dlt645link_request(dlt645link *l, const uint8_t *req, size_t n, const dlt645_addr *addr, uint8_t func,
                             int retries, bus_counters *meter, dlt645_frame *reply, uint8_t *err);

/* dlt645link_send: sends a frame nobody answers (broadcast time). */
gl_status dlt645link_send(dlt645link *l, const uint8_t *req, size_t n, bus_counters *meter);

/* dlt645link_counters: the link's totals. */
const bus_counters *dlt645link_counters(const dlt645link *l);

/* dlt645link_frame_us: the line time of n frame bytes at the bus's baud
 * (8E1: 11 bits a byte); 0 for TCP. */
int64_t dlt645link_frame_us(const dlt645link *l, size_t n);

#endif
