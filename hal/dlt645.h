/* dlt645.h: the DL/T 645-2007 frame codec (pure: no I/O, no clock, no malloc).
 *
 * A frame on the wire is `FE`x0..4, `68 A0..A5 68 C L DATA CS 16`: the
 * address is 12 BCD digits, low byte first; every DATA byte (the data
 * identifier included) is sent +0x33; CS is the byte sum mod 256 from the
 * first 68 to the end of DATA (DL/T 645-2007 sections 4.1-4.3). Frames are
 * parsed by their length byte, never by looking for a 16 or a 68 inside
 * them: a checksum equal to 0x16 or a stray 68 in the data cannot end or
 * restart a frame.
 *
 * Builders write caller-owned buffers of at least DLT645_FRAME_MAX bytes
 * (or return GL_EBOUND); the decoder takes a whole received buffer and says
 * with dlt645_need() how many bytes it must hold first. */
#ifndef GRIDLEDGER_DLT645_H
#define GRIDLEDGER_DLT645_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/status.h"

#define DLT645_ADDR_LEN 6
#define DLT645_DATA_MAX 255      /* L is one byte */
#define DLT645_READ_DATA_MAX 200 /* L <= 200 for read replies (DL/T 645-2007 4.3.3) */
#define DLT645_PREAMBLE_MAX 4
#define DLT645_FRAME_MAX (DLT645_PREAMBLE_MAX + 12 + DLT645_DATA_MAX)
#define DLT645_OVERHEAD 12 /* 68 A0..A5 68 C L CS 16 */

/* Control byte: D7 direction (1 = reply), D6 error reply, D5 follow-up frame
 * coming, D4..D0 the function. */
#define DLT645_C_REPLY 0x80
#define DLT645_C_ERROR 0x40
#define DLT645_C_MORE 0x20
#define DLT645_C_FUNC 0x1F

#define DLT645_F_BROADCAST_TIME 0x08
#define DLT645_F_READ 0x11
#define DLT645_F_READ_MORE 0x12
#define DLT645_F_READ_ADDRESS 0x13
#define DLT645_F_WRITE 0x14
#define DLT645_F_RELAY 0x1C

/* ERR byte of an error reply (C | 0xC0), DL/T 645-2007 table 6 (bit 7 reserved). */
#define DLT645_ERR_OTHER 0x01
#define DLT645_ERR_NO_DATA 0x02
#define DLT645_ERR_PASSWORD 0x04
#define DLT645_ERR_BAUD 0x08
#define DLT645_ERR_YEAR_ZONES 0x10
#define DLT645_ERR_DAY_SLOTS 0x20
#define DLT645_ERR_TARIFFS 0x40

/* Data identifiers (DI3 DI2 DI1 DI0 as the standard writes them). */
#define DLT645_DI_IMPORT_TOTAL 0x00010000u /* forward active total, 4 bytes BCD, 0.01 kWh */
#define DLT645_DI_IMPORT_BLOCK 0x0001FF00u /* total + tariffs 1..4 */
#define DLT645_DI_EXPORT_TOTAL 0x00020000u
#define DLT645_DI_VOLTAGE_A 0x02010100u   /* 2 bytes, 0.1 V */
#define DLT645_DI_CURRENT_A 0x02020100u   /* 3 bytes, 0.001 A, signed */
#define DLT645_DI_POWER_TOTAL 0x02030000u /* 3 bytes, 0.0001 kW, signed */
#define DLT645_DI_PF_TOTAL 0x02060000u    /* 2 bytes, 0.001, signed */
#define DLT645_DI_FREQUENCY 0x02800002u   /* 2 bytes, 0.01 Hz */
#define DLT645_DI_DATE 0x04000101u        /* YY MM DD WW (sent WW DD MM YY) */
#define DLT645_DI_TIME 0x04000102u        /* hh mm ss (sent ss mm hh) */
#define DLT645_DI_ADDRESS 0x04000401u
#define DLT645_DI_STATUS3 0x04000503u           /* bit 4: relay open */
#define DLT645_DI_FROZEN_DAY_TIME 0x05060001u   /* last daily freeze: YY MM DD hh mm */
#define DLT645_DI_FROZEN_DAY_IMPORT 0x05060101u /* last daily freeze: import total + tariffs */
#define DLT645_DI_SETTLE_BLOCK 0x0001FF01u      /* last settlement day: import total + tariffs 1..4 */
#define DLT645_DI_SETTLE_TOTAL 0x00010001u      /* the same, total only (tariff k: + k x 0x100) */
#define DLT645_DI_SETTLE_DAY 0x04000B01u        /* 1st settlement day of the month: DD hh (sent hh DD) */

/* Relay commands (N1 of the 1C frame). */
#define DLT645_RELAY_TRIP 0x1A
#define DLT645_RELAY_ALLOW_CLOSE 0x1B
#define DLT645_RELAY_CLOSE 0x1C

typedef struct dlt645_addr {
    uint8_t b[DLT645_ADDR_LEN]; /* wire order: b[0] holds the two lowest digits */
} dlt645_addr;

/* A decoded frame: data is already -0x33. */
typedef struct dlt645_frame {
    dlt645_addr addr;
    uint8_t ctrl;
    uint8_t len;
    uint8_t data[DLT645_DATA_MAX];
} dlt645_frame;

/* A civil time as meters keep it (two-digit year 2000..2099). */
typedef struct dlt645_time {
    int year, month, day, hour, minute, second;
} dlt645_time;

typedef struct dlt645_relay {
    uint8_t level;          /* PA: password level (02 or 04 usually) */
    uint32_t password;      /* P2 P1 P0 as 6 hex digits, e.g. 0x123456 */
    uint32_t operator_code; /* C3..C0 as 8 hex digits */
    uint8_t command;        /* DLT645_RELAY_* */
    dlt645_time expiry;     /* the meter rejects the command after this */
} dlt645_relay;

/* dlt645_addr_parse: 12 decimal digits ("000000123456") to wire order
 * (56 34 12 00 00 00). GL_ESYNTAX if not exactly 12 digits. */
gl_status dlt645_addr_parse(const char *digits, dlt645_addr *out);

/* dlt645_addr_format: the 12 digits of a (out holds 13 bytes); a byte that
 * is not BCD (AA wildcard) prints as its two hex digits. */
void dlt645_addr_format(const dlt645_addr *a, char out[13]);

/* dlt645_addr_broadcast / dlt645_addr_wildcard: 99..99 and AA..AA. */
dlt645_addr dlt645_addr_broadcast(void);
dlt645_addr dlt645_addr_wildcard(void);

/* dlt645_encode: a frame to addr with control c and data (plain, the +0x33
 * is added here) after `preamble` FE bytes (0..4), into out[cap]; *n is its
 * size. GL_EINVAL for a preamble above 4, GL_EBOUND if len > 255 or cap is
 * too small. */
gl_status dlt645_encode(const dlt645_addr *addr, uint8_t c, const uint8_t *data, size_t len, int preamble, uint8_t *out,
                        size_t cap, size_t *n);

/* dlt645_build_read: read data (11) of DI di. */
gl_status dlt645_build_read(const dlt645_addr *addr, uint32_t di, int preamble, uint8_t *out, size_t cap, size_t *n);

/* dlt645_build_read_more: read follow-up frame (12) number seq of DI di. */
gl_status dlt645_build_read_more(const dlt645_addr *addr, uint32_t di, uint8_t seq, int preamble, uint8_t *out,
                                 size_t cap, size_t *n);

/* dlt645_build_read_address: read address (13) to AA..AA, L = 0. */
gl_status dlt645_build_read_address(int preamble, uint8_t *out, size_t cap, size_t *n);

/* dlt645_build_broadcast_time: 08 to 99..99 with `ss mm hh DD MM YY`.
 * GL_ERANGE for a time that is not a valid 2000..2099 civil time. */
gl_status dlt645_build_broadcast_time(const dlt645_time *t, int preamble, uint8_t *out, size_t cap, size_t *n);

/* dlt645_build_relay: 1C with PA P0 P1 P2 C0..C3 N1 N2 N3..N8. */
gl_status dlt645_build_relay(const dlt645_addr *addr, const dlt645_relay *r, int preamble, uint8_t *out, size_t cap,
                             size_t *n);

/* dlt645_need: how many bytes of buf decoding needs: the whole frame once
 * its length byte is in, else enough to see the header; n itself once the
 * second 68 is seen missing (decoding then refuses it). Leading FE and
 * bytes before the first 68 count as part of it. */
size_t dlt645_need(const uint8_t *buf, size_t n);

/* dlt645_decode: the first frame in buf[n] (n >= dlt645_need(buf, n)).
 * GL_OK with *used the bytes up to its 16 (what follows is the caller's);
 * GL_EPROTO (no 68 / second 68 misplaced / missing 16 / too short),
 * GL_ECORRUPT (checksum) with *used = bytes to drop before trying again,
 * never 0 when n > 0. */
gl_status dlt645_decode(const uint8_t *buf, size_t n, dlt645_frame *f, size_t *used);

/* dlt645_reply_check: f answers function `func` from addr (NULL: any
 * address, for 13 and broadcasts). GL_EEXCEPTION for an error reply (*err
 * set to its ERR byte, 0 if it had none); GL_EPROTO for a reply to another
 * function, a request instead of a reply, or another address. */
gl_status dlt645_reply_check(const dlt645_frame *f, uint8_t func, const dlt645_addr *addr, uint8_t *err);

/* dlt645_read_payload: the data after the DI of a read reply (11 or 12)
 * that must answer di; for 12 the trailing sequence byte is left out.
 * GL_EPROTO when the DI differs or the reply is too short. */
gl_status dlt645_read_payload(const dlt645_frame *f, uint32_t di, const uint8_t **p, size_t *len);

/* dlt645_err_name: the name of the lowest ERR bit set in err ("no requested
 * data", "password/authority", ...); "error reply" for 0. Never NULL. */
const char *dlt645_err_name(uint8_t err);

/* dlt645_bcd_get: the value of `width` BCD bytes, least significant first;
 * when is_signed the top bit of the last byte is the sign. GL_ERANGE for a
 * nibble above 9. */
gl_status dlt645_bcd_get(const uint8_t *p, size_t width, int is_signed, int64_t *out);

/* dlt645_bcd_put: the inverse; GL_ERANGE if v does not fit (or is negative
 * for an unsigned field). */
gl_status dlt645_bcd_put(int64_t v, size_t width, int is_signed, uint8_t *p);

/* dlt645_time_get: `ss mm hh DD MM YY` (6 bytes) or, with has_seconds == 0,
 * `mm hh DD MM YY`, as the frozen-data time is kept. GL_ERANGE if invalid. */
gl_status dlt645_time_get(const uint8_t *p, int has_seconds, dlt645_time *t);

/* dlt645_time_put: the inverse (6 bytes with seconds). */
gl_status dlt645_time_put(const dlt645_time *t, uint8_t *p);

#endif
