/* transport_plain.c: MQTT over a plain TCP socket, for tests and benchmarks
 * only (the daemon refuses it unless the config says "tls": false). */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "monotime.h"
#include "transport.h"

typedef struct plain_ctx {
    int fd;
} plain_ctx;

static void plain_close(void *vctx)
{
    plain_ctx *c = vctx;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static gl_status plain_connect(void *vctx, const char *host, int port, int timeout_ms)
{
    plain_ctx *c = vctx;
    plain_close(c);
    return transport_tcp_connect(host, port, timeout_ms, &c->fd);
}

static gl_status plain_send(void *vctx, const uint8_t *buf, size_t len, int timeout_ms)
{
    plain_ctx *c = vctx;
    int64_t deadline = monotime_ms() + timeout_ms;
    size_t done = 0;
    if (c->fd < 0)
        return GL_ENET;
    while (done < len) {
        ssize_t n = send(c->fd, buf + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int64_t left = deadline - monotime_ms();
            if (left <= 0)
                return GL_ETIMEOUT;
            gl_status st = transport_fd_wait(c->fd, 1, (int)left);
            if (st != GL_OK)
                return st;
            continue;
        }
        return GL_ENET;
    }
    return GL_OK;
}

static gl_status plain_recv(void *vctx, uint8_t *buf, size_t cap, size_t *got, int timeout_ms)
{
    plain_ctx *c = vctx;
    *got = 0;
    if (c->fd < 0)
        return GL_ENET;
    gl_status st = transport_fd_wait(c->fd, 0, timeout_ms);
    if (st != GL_OK)
        return st;
    for (;;) {
        ssize_t n = recv(c->fd, buf, cap, MSG_DONTWAIT);
        if (n > 0) {
            *got = (size_t)n;
            return GL_OK;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return GL_ETIMEOUT;
        return GL_ENET; /* 0: the peer closed */
    }
}

static void plain_destroy(void *vctx)
{
    if (vctx == NULL)
        return;
    plain_close(vctx);
    free(vctx);
}

static int plain_fd(void *vctx)
{
    return ((plain_ctx *)vctx)->fd;
}

static const transport_ops plain_ops = {plain_connect, plain_send, plain_recv, plain_close, plain_destroy, plain_fd};

gl_status transport_plain_new(transport *out)
{
    if (out == NULL)
        return GL_EINVAL;
    plain_ctx *c = malloc(sizeof *c);
    if (c == NULL)
        return GL_ENOMEM;
    c->fd = -1;
    out->ops = &plain_ops;
    out->ctx = c;
    return GL_OK;
}
