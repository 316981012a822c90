/* dlt645link.c: see dlt645link.h. */
#include "dlt645link.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "coalesce.h"
#include "monotime.h"

#define RX_CAP (2 * DLT645_FRAME_MAX)

struct dlt645link {
    bus_cfg cfg;
    int fd;
    int64_t last_frame_us; /* when the previous exchange ended */
    bus_counters c;
    uint8_t rx[RX_CAP];
    size_t nrx;
    uint64_t rx_bytes; /* received in the current exchange */
};

gl_status dlt645link_open(const bus_cfg *cfg, dlt645link **out)
{
    dlt645link *l = calloc(1, sizeof *l);
    if (l == NULL)
        return GL_ENOMEM;
    l->cfg = *cfg;
    l->fd = -1;
    *out = l;
    return GL_OK;
}

static void disconnect(dlt645link *l)
{
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
    l->nrx = 0;
}

void dlt645link_close(dlt645link *l)
{
    if (l == NULL)
        return;
    disconnect(l);
    free(l);
}

static speed_t speed_of(int baud)
{
    switch (baud) {
    case 1200:
        return B1200;
    case 4800:
        return B4800;
    case 9600:
        return B9600;
    default:
        return B2400;
    }
}

/* glibc's tcsetattr says EINVAL when the line did not keep PARENB: a
 * pseudo-terminal has no parity bit to keep. Such a line is used as it is
 * if everything else (speed, size) was taken. */
static int parity_only_refused(int fd, const struct termios *want)
{
    struct termios got;
    if (errno != EINVAL || tcgetattr(fd, &got) != 0)
        return 0;
    return cfgetospeed(&got) == cfgetospeed(want) && (got.c_cflag & CSIZE) == (want->c_cflag & CSIZE);
}

static gl_status open_serial(dlt645link *l)
{
    struct termios t;
    int fd = open(l->cfg.device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT || errno == ENODEV || errno == EACCES ? GL_EDEVICE : GL_EIO;
    if (tcgetattr(fd, &t) != 0) {
        close(fd);
        return GL_EDEVICE;
    }
    cfmakeraw(&t);
    cfsetispeed(&t, speed_of(l->cfg.baud));
    cfsetospeed(&t, speed_of(l->cfg.baud));
    t.c_cflag &= (tcflag_t) ~(CSIZE | PARENB | PARODD | CSTOPB);
    t.c_cflag |= (tcflag_t)(CLOCAL | CREAD | (l->cfg.data_bits == 7 ? CS7 : CS8));
    if (l->cfg.parity != 'N')
        t.c_cflag |= (tcflag_t)(PARENB | (l->cfg.parity == 'O' ? PARODD : 0));
    if (l->cfg.stop_bits == 2)
        t.c_cflag |= CSTOPB;
    if (tcsetattr(fd, TCSANOW, &t) != 0 && !parity_only_refused(fd, &t)) {
        close(fd);
        return GL_EDEVICE;
    }
    tcflush(fd, TCIOFLUSH);
    l->fd = fd;
    return GL_OK;
}

static gl_status wait_fd(int fd, short events, int64_t deadline_us)
{
    for (;;) {
        int64_t left = deadline_us - monotime_us();
        struct pollfd p = {fd, events, 0};
        if (left <= 0)
            return GL_ETIMEOUT;
        int rc = poll(&p, 1, (int)((left + 999) / 1000));
        if (rc > 0)
            return (p.revents & (POLLERR | POLLNVAL)) && !(p.revents & events) ? GL_ENET : GL_OK;
        if (rc == 0)
            return GL_ETIMEOUT;
        if (errno != EINTR)
            return GL_ENET;
    }
}

static gl_status open_tcp(dlt645link *l)
{
    char port[16];
    struct addrinfo hints = {0}, *res = NULL;
    gl_status st = GL_ENET;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(port, sizeof port, "%d", l->cfg.port);
    if (getaddrinfo(l->cfg.host, port, &hints, &res) != 0)
        return GL_ENET;
    for (struct addrinfo *a = res; a != NULL && st != GL_OK; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        int rc = connect(fd, a->ai_addr, a->ai_addrlen);
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (rc != 0 && errno == EINPROGRESS &&
            wait_fd(fd, POLLOUT, monotime_us() + (int64_t)l->cfg.timeout_ms * 1000) == GL_OK &&
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0)
            rc = 0;
        if (rc == 0) {
            l->fd = fd;
            st = GL_OK;
        } else {
            close(fd);
        }
    }
    freeaddrinfo(res);
    return st;
}

static gl_status ensure_connected(dlt645link *l)
{
    if (l->fd >= 0)
        return GL_OK;
    gl_status st = l->cfg.type == BUS_RTU ? open_serial(l) : open_tcp(l);
    if (st == GL_OK)
        l->c.reconnects++;
    return st;
}

int64_t dlt645link_frame_us(const dlt645link *l, size_t n)
{
    return l->cfg.type == BUS_RTU ? (int64_t)n * coalesce_char_us(l->cfg.baud) : 0;
}

static gl_status write_all(dlt645link *l, const uint8_t *p, size_t n)
{
    int64_t deadline = monotime_us() + (int64_t)l->cfg.timeout_ms * 1000 + dlt645link_frame_us(l, n);
    while (n > 0) {
        ssize_t w = write(l->fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (wait_fd(l->fd, POLLOUT, deadline) != GL_OK)
                return GL_ETIMEOUT;
        } else {
            return GL_ENET;
        }
    }
    return GL_OK;
}

static void gap(dlt645link *l)
{
    int64_t wait = l->last_frame_us + (int64_t)l->cfg.inter_frame_ms * 1000 - monotime_us();
    if (l->last_frame_us > 0 && wait > 0)
        monotime_sleep_us(wait);
}

/* Takes the next frame out of l->rx: GL_OK, GL_ETIMEOUT when it needs
 * more bytes, or a decode error (the bad bytes are dropped). */
static gl_status take_frame(dlt645link *l, dlt645_frame *f)
{
    size_t used = 0;
    if (l->nrx == 0 || dlt645_need(l->rx, l->nrx) > l->nrx)
        return GL_ETIMEOUT;
    gl_status st = dlt645_decode(l->rx, l->nrx, f, &used);
    memmove(l->rx, l->rx + used, l->nrx - used);
    l->nrx -= used;
    return st;
}

static gl_status read_more(dlt645link *l, int64_t deadline)
{
    gl_status st = wait_fd(l->fd, POLLIN, deadline);
    if (st != GL_OK)
        return st;
    if (l->nrx == RX_CAP)
        l->nrx = 0; /* noise filled the buffer: no frame is that long */
    ssize_t r = read(l->fd, l->rx + l->nrx, RX_CAP - l->nrx);
    if (r > 0) {
        l->nrx += (size_t)r;
        l->rx_bytes += (uint64_t)r;
        return GL_OK;
    }
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return GL_OK;
    return GL_ENET; /* closed by the converter, or a read error */
}

/* Waits for the reply to func from addr; skips frames that are not it. */
static gl_status await_reply(dlt645link *l, const dlt645_addr *addr, uint8_t func, int64_t deadline,
                             dlt645_frame *reply, uint8_t *err)
{
    int bad = 0;
    for (;;) {
        gl_status st = take_frame(l, reply);
        if (st == GL_OK) {
            st = dlt645_reply_check(reply, func, addr, err);
            if (st == GL_OK || st == GL_EEXCEPTION)
                return st;
            continue; /* an echo, or not ours */
        }
        if (st != GL_ETIMEOUT) {
            bad = 1;
            continue;
        }
        st = read_more(l, deadline);
        if (st == GL_ETIMEOUT) /* bytes that never made a frame are an answer, not silence */
            return bad || l->nrx > 0 ? GL_EPROTO : GL_ETIMEOUT;
        if (st != GL_OK)
            return st;
    }
}

static void count(dlt645link *l, bus_counters *m, gl_status st, int retry, size_t tx, int64_t t0)
{
    uint64_t rx = l->rx_bytes;
    bus_counters *cs[2] = {&l->c, m};
    for (int i = 0; i < 2; i++) {
        if (cs[i] == NULL)
            continue;
        cs[i]->requests++;
        cs[i]->retries += (uint64_t)(retry > 0);
        cs[i]->timeouts += st == GL_ETIMEOUT;
        cs[i]->exceptions += st == GL_EEXCEPTION;
        cs[i]->errors += st == GL_EPROTO || st == GL_ENET || st == GL_EDEVICE;
        cs[i]->bytes_tx += tx;
        cs[i]->bytes_rx += rx;
        cs[i]->frame_us += dlt645link_frame_us(l, tx + (size_t)rx);
        cs[i]->wall_us += monotime_us() - t0;
    }
}

static gl_status exchange(dlt645link *l, const uint8_t *req, size_t n, const dlt645_addr *addr, uint8_t func,
                          dlt645_frame *reply, uint8_t *err)
{
    gl_status st = ensure_connected(l);
    l->rx_bytes = 0;
    if (st != GL_OK)
        return st;
    gap(l);
    l->nrx = 0;
    l->rx_bytes = 0;
    if (l->cfg.type == BUS_RTU)
        tcflush(l->fd, TCIFLUSH); /* late bytes of an earlier exchange */
    st = write_all(l, req, n);
    if (st == GL_OK && func != 0) {
        int64_t line = dlt645link_frame_us(l, n + DLT645_PREAMBLE_MAX + DLT645_OVERHEAD + DLT645_READ_DATA_MAX);
        st = await_reply(l, addr, func, monotime_us() + (int64_t)l->cfg.timeout_ms * 1000 + line, reply, err);
    }
    l->last_frame_us = monotime_us();
    if (st == GL_ENET || st == GL_EDEVICE)
        disconnect(l);
    return st;
}

gl_status dlt645link_request(dlt645link *l, const uint8_t *req, size_t n, const dlt645_addr *addr, uint8_t func,
                             int retries, bus_counters *meter, dlt645_frame *reply, uint8_t *err)
{
    gl_status st = GL_ETIMEOUT;
    *err = 0;
    for (int attempt = 0; attempt <= retries; attempt++) {
        int64_t t0 = monotime_us();
        st = exchange(l, req, n, addr, func, reply, err);
        count(l, meter, st, attempt, n, t0);
        if (st == GL_OK || st == GL_EEXCEPTION)
            return st;
    }
    return st;
}

gl_status dlt645link_send(dlt645link *l, const uint8_t *req, size_t n, bus_counters *meter)
{
    uint8_t err;
    int64_t t0 = monotime_us();
    gl_status st = exchange(l, req, n, NULL, 0, NULL, &err);
    count(l, meter, st, 0, n, t0);
    return st;
}

const bus_counters *dlt645link_counters(const dlt645link *l)
{
    return &l->c;
}
