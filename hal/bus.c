/* bus.c: see bus.h. */
#include "bus.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <modbus.h>

#include "coalesce.h"
#include "modbusfn.h"
#include "monotime.h"

struct bus {
    bus_cfg cfg;
    modbus_t *ctx;
    int connected;
    int64_t last_frame_us; /* monotonic end of the last exchange */
    uint16_t tid;          /* MBAP transaction id of our own TCP reads */
    int wrong_unit;        /* the last TCP reply named another unit */
    bus_counters c;
};

typedef enum { OP_READ_HOLDING, OP_READ_INPUT, OP_READ_BIT, OP_WRITE_BIT, OP_WRITE_REG } bus_op;

typedef struct {
    bus_op op;
    int slave;
    uint16_t addr, count;
    uint16_t *regs;
    uint8_t bit;
    uint16_t value;
} bus_req;

gl_status bus_open(const bus_cfg *cfg, bus **out)
{
    if (cfg == NULL || out == NULL)
        return GL_EINVAL;
    bus *b = calloc(1, sizeof *b);
    if (b == NULL)
        return GL_ENOMEM;
    b->cfg = *cfg;
    *out = b;
    return GL_OK;
}

static void disconnect(bus *b)
{
    if (b->ctx != NULL) {
        modbus_close(b->ctx);
        modbus_free(b->ctx);
        b->ctx = NULL;
    }
    b->connected = 0;
}

void bus_close(bus *b)
{
    if (b == NULL)
        return;
    disconnect(b);
    free(b);
}

const bus_counters *bus_counters_of(const bus *b)
{
    return &b->c;
}

const bus_cfg *bus_config(const bus *b)
{
    return &b->cfg;
}

/* The one place libmodbus's errno becomes a gl_status. */
static gl_status from_errno(int e, int *exc)
{
    if (e == ETIMEDOUT)
        return GL_ETIMEOUT;
    if (e > MODBUS_ENOBASE && e <= MODBUS_ENOBASE + MODBUS_EXCEPTION_GATEWAY_TARGET) {
        if (exc)
            *exc = e - MODBUS_ENOBASE;
        return GL_EEXCEPTION;
    }
    switch (e) {
    case EMBBADCRC:
    case EMBBADDATA:
    case EMBBADEXC:
    case EMBUNKEXC:
    case EMBMDATA:
    case EMBBADSLAVE:
        return GL_EPROTO;
    case ECONNRESET:
    case ECONNREFUSED:
    case ENOTCONN:
    case EPIPE:
    case EHOSTUNREACH:
    case ENETUNREACH:
        return GL_ENET;
    case EBADF:
    case EIO:
    case ENXIO:
    case ENODEV:
    case ENOENT:
    case EACCES:
        return GL_EDEVICE;
    case EINVAL:
        return GL_EINVAL;
    default:
        return GL_EIO;
    }
}

static void set_timeouts(bus *b)
{
    int t = b->cfg.timeout_ms > 0 ? b->cfg.timeout_ms : BUS_DEFAULT_TIMEOUT_MS;
    modbus_set_response_timeout(b->ctx, (uint32_t)(t / 1000), (uint32_t)(t % 1000) * 1000);
    if (b->cfg.byte_timeout_ms > 0)
        modbus_set_byte_timeout(b->ctx, (uint32_t)(b->cfg.byte_timeout_ms / 1000),
                                (uint32_t)(b->cfg.byte_timeout_ms % 1000) * 1000);
    modbus_set_error_recovery(b->ctx, MODBUS_ERROR_RECOVERY_PROTOCOL);
}

static gl_status connect_bus(bus *b)
{
    char port[16];
    if (b->connected)
        return GL_OK;
    disconnect(b);
    if (b->cfg.type == BUS_RTU) {
        b->ctx = modbus_new_rtu(b->cfg.device, b->cfg.baud, b->cfg.parity, b->cfg.data_bits, b->cfg.stop_bits);
    } else {
        snprintf(port, sizeof port, "%d", b->cfg.port);
        b->ctx = modbus_new_tcp_pi(b->cfg.host, port);
    }
    if (b->ctx == NULL)
        return errno == ENOMEM ? GL_ENOMEM : GL_EINVAL;
    set_timeouts(b);
    if (modbus_connect(b->ctx) != 0) {
        gl_status st = from_errno(errno, NULL);
        disconnect(b);
        return st == GL_ETIMEOUT ? GL_ENET : st;
    }
    /* RS-485 mode where the driver has it; a pty or a plain UART refuses: ignored */
    if (b->cfg.type == BUS_RTU && b->cfg.rs485)
        (void)modbus_rtu_set_serial_mode(b->ctx, MODBUS_RTU_RS485);
    b->connected = 1;
    return GL_OK;
}

/* Frame bytes of one exchange (request, response). */
static void frame_bytes(const bus *b, const bus_req *q, gl_status st, int *tx, int *rx)
{
    int rtu = b->cfg.type == BUS_RTU;
    int pdu_rx;
    switch (q->op) {
    case OP_READ_HOLDING:
    case OP_READ_INPUT:
        pdu_rx = 2 + 2 * q->count;
        break;
    case OP_READ_BIT:
        pdu_rx = 3;
        break;
    default:
        pdu_rx = 5;
        break;
    }
    if (st == GL_EEXCEPTION)
        pdu_rx = 2;
    else if (st != GL_OK)
        pdu_rx = 0;
    *tx = 5 + (rtu ? 3 : 7); /* PDU of 5 bytes + address and CRC, or MBAP */
    *rx = pdu_rx ? pdu_rx + (rtu ? 3 : 7) : 0;
}

static void count(bus *b, bus_counters *m, const bus_req *q, gl_status st, int64_t wall)
{
    int tx, rx;
    frame_bytes(b, q, st, &tx, &rx);
    int64_t f = 0;
    if (b->cfg.type == BUS_RTU)
        f = (int64_t)(tx + rx) * coalesce_char_us(b->cfg.baud) + (rx ? 2 : 1) * coalesce_silence_us(b->cfg.baud);
    bus_counters *cs[2] = {&b->c, m};
    for (int i = 0; i < 2; i++) {
        if (cs[i] == NULL)
            continue;
        cs[i]->requests++;
        cs[i]->bytes_tx += (uint64_t)tx;
        cs[i]->bytes_rx += (uint64_t)rx;
        cs[i]->frame_us += f;
        cs[i]->wall_us += wall;
        cs[i]->timeouts += st == GL_ETIMEOUT;
        cs[i]->exceptions += st == GL_EEXCEPTION;
        cs[i]->errors += st != GL_OK && st != GL_ETIMEOUT && st != GL_EEXCEPTION;
        cs[i]->wrong_unit += b->wrong_unit;
    }
}

/* tcp_check: the reply rsp (n bytes, MBAP first) to our read q with
 * transaction id tid; -1 with errno as libmodbus would set it if it is not. */
static int tcp_check(bus *b, const bus_req *q, int fn, uint16_t tid, const uint8_t *rsp, int n)
{
    if (n < 9 || (rsp[0] << 8 | rsp[1]) != tid || rsp[2] != 0 || rsp[3] != 0) {
        errno = EMBBADDATA; /* a late or foreign reply */
        return -1;
    }
    if (rsp[6] != q->slave) {
        b->wrong_unit = 1;
        errno = EMBBADSLAVE;
        return -1;
    }
    if (rsp[7] == (fn | 0x80)) {
        errno = rsp[8] >= 1 && rsp[8] <= MODBUS_EXCEPTION_GATEWAY_TARGET ? (int)MODBUS_ENOBASE + rsp[8] : EMBBADEXC;
        return -1;
    }
    if (rsp[7] != fn || rsp[8] != 2 * q->count || n != 9 + 2 * q->count) {
        errno = EMBBADDATA;
        return -1;
    }
    for (int i = 0; i < q->count; i++)
        q->regs[i] = (uint16_t)(rsp[9 + 2 * i] << 8 | rsp[10 + 2 * i]);
    return q->count;
}

/* tcp_read: function 3 or 4 over Modbus TCP with the reply checked here.
 * libmodbus 3.1.6 checks a TCP reply's transaction id, function and length
 * but not its unit id (_modbus_tcp_pre_check_confirmation; the RTU backend
 * does check the slave), so a converter answering for another unit would be
 * taken as this meter's: the request is framed here (MBAP: tid, protocol 0,
 * length 6, unit) and the reply read with modbus_receive_confirmation. */
static int tcp_read(bus *b, const bus_req *q)
{
    int fn = q->op == OP_READ_HOLDING ? 3 : 4;
    uint8_t rsp[MODBUS_TCP_MAX_ADU_LENGTH];
    uint16_t tid = ++b->tid;
    uint8_t req[12] = {(uint8_t)(tid >> 8), (uint8_t)tid,         0, 0, 0, 6, (uint8_t)q->slave, (uint8_t)fn,
                       (uint8_t)(q->addr >> 8), (uint8_t)q->addr, (uint8_t)(q->count >> 8), (uint8_t)q->count};
    int sock = modbus_get_socket(b->ctx);
    if (sock < 0 || send(sock, req, sizeof req, MSG_NOSIGNAL) != (ssize_t)sizeof req) {
        if (sock < 0)
            errno = ENOTCONN;
        return -1;
    }
    int n = modbus_receive_confirmation(b->ctx, rsp);
    if (n < 0)
        return -1;
    if (tcp_check(b, q, fn, tid, rsp, n) >= 0)
        return q->count;
    int e = errno;
    if (e != EMBBADSLAVE && !(e > MODBUS_ENOBASE && e <= MODBUS_ENOBASE + MODBUS_EXCEPTION_GATEWAY_TARGET))
        modbus_flush(b->ctx); /* a late or foreign frame: drop what else is queued before the retry */
    errno = e;
    return -1;
}

static int do_op(bus *b, const bus_req *q)
{
    switch (q->op) {
    case OP_READ_HOLDING:
        if (b->cfg.type == BUS_TCP)
            return tcp_read(b, q);
        return modbus_read_registers(b->ctx, q->addr, q->count, q->regs);
    case OP_READ_INPUT:
        if (b->cfg.type == BUS_TCP)
            return tcp_read(b, q);
        return modbus_read_input_registers(b->ctx, q->addr, q->count, q->regs);
    case OP_READ_BIT: {
        uint8_t v = 0;
        int rc = modbus_read_bits(b->ctx, q->addr, 1, &v);
        q->regs[0] = v;
        return rc;
    }
    case OP_WRITE_BIT:
        return modbus_write_bit(b->ctx, q->addr, q->bit);
    default:
        return modbus_write_register(b->ctx, q->addr, q->value);
    }
}

static gl_status attempt(bus *b, const bus_req *q, bus_counters *m, int *exc)
{
    int64_t t0 = monotime_us();
    gl_status st = connect_bus(b);
    if (st != GL_OK) {
        count(b, m, q, st, monotime_us() - t0);
        return st;
    }
    /* the silence the bus wants between frames (also after a slave id change) */
    int64_t wait = b->last_frame_us + (int64_t)b->cfg.inter_frame_ms * 1000 - monotime_us();
    monotime_sleep_us(wait);
    modbus_set_slave(b->ctx, q->slave);
    b->wrong_unit = 0;
    st = do_op(b, q) >= 0 ? GL_OK : from_errno(errno, exc);
    b->last_frame_us = monotime_us();
    count(b, m, q, st, b->last_frame_us - t0);
    if (st == GL_ENET || st == GL_EDEVICE || st == GL_EIO) {
        disconnect(b); /* reconnect on the next attempt: replugged adapter, reset connection */
        b->c.reconnects++;
        if (m)
            m->reconnects++;
    }
    return st;
}

static gl_status run(bus *b, const bus_req *q, int retries, bus_counters *m, int *exc)
{
    gl_status st = GL_EINVAL;
    if (b == NULL || q->slave < 0 || q->slave > 247)
        return GL_EINVAL;
    for (int i = 0; i <= retries; i++) {
        if (i > 0) {
            b->c.retries++;
            if (m)
                m->retries++;
        }
        st = attempt(b, q, m, exc);
        if (st == GL_OK || st == GL_EEXCEPTION || st == GL_EINVAL || st == GL_ENOMEM)
            break;
    }
    return st;
}

gl_status bus_read_registers(bus *b, int slave, int fn, uint16_t addr, uint16_t count_regs, uint16_t *dst,
                             int retries, bus_counters *meter, int *exc)
{
    if (dst == NULL || count_regs == 0 || count_regs > COALESCE_MAX_REGS ||
        (fn != MODBUSFN_READ_HOLDING && fn != MODBUSFN_READ_INPUT))
        return GL_EINVAL;
    bus_req q = {fn == MODBUSFN_READ_HOLDING ? OP_READ_HOLDING : OP_READ_INPUT, slave, addr, count_regs, dst, 0, 0};
    return run(b, &q, retries, meter, exc);
}

gl_status bus_read_bit(bus *b, int slave, uint16_t addr, int *on, int retries, bus_counters *meter, int *exc)
{
    uint16_t v = 0;
    bus_req q = {OP_READ_BIT, slave, addr, 1, &v, 0, 0};
    gl_status st = run(b, &q, retries, meter, exc);
    if (st == GL_OK)
        *on = v != 0;
    return st;
}

gl_status bus_write_bit(bus *b, int slave, uint16_t addr, int on, int retries, bus_counters *meter, int *exc)
{
    bus_req q = {OP_WRITE_BIT, slave, addr, 1, NULL, (uint8_t)(on ? 1 : 0), 0};
    return run(b, &q, retries, meter, exc);
}

gl_status bus_write_register(bus *b, int slave, uint16_t addr, uint16_t value, int retries, bus_counters *meter,
                             int *exc)
{
    bus_req q = {OP_WRITE_REG, slave, addr, 1, NULL, 0, value};
    return run(b, &q, retries, meter, exc);
}
