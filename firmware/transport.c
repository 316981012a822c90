/* transport.c: what both transports share: TCP connect with a timeout, waits,
 * the key-file permission check. This is an edge: errno is read here and
 * translated into gl_status, nowhere above. */
#include "transport.h"

#include "monotime.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void transport_free(transport *t)
{
    if (t == NULL || t->ops == NULL)
        return;
    t->ops->destroy(t->ctx);
    t->ops = NULL;
    t->ctx = NULL;
}

gl_status transport_fd_wait(int fd, int want_write, int timeout_ms)
{
    int64_t deadline = monotime_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        struct pollfd p = {.fd = fd, .events = (short)(want_write ? POLLOUT : POLLIN)};
        int64_t left = deadline - monotime_ms();
        int r = poll(&p, 1, left > 0 ? (int)left : 0);
        if (r > 0)
            return (p.revents & (POLLIN | POLLOUT)) || (p.revents & POLLHUP) ? GL_OK : GL_ENET;
        if (r == 0)
            return GL_ETIMEOUT;
        if (errno != EINTR)
            return GL_ENET;
    }
}

/* One address: non-blocking connect, wait, check SO_ERROR, back to blocking. */
static gl_status connect_one(const struct addrinfo *ai, int timeout_ms, int *out)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
        return GL_ENET;
    gl_status st = GL_ENET;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        goto out;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS)
            goto out;
        st = transport_fd_wait(fd, 1, timeout_ms);
        if (st != GL_OK)
            goto out;
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            st = GL_ENET;
            goto out;
        }
    }
    if (fcntl(fd, F_SETFL, fl) < 0) {
        st = GL_ENET;
        goto out;
    }
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *out = fd;
    fd = -1;
    st = GL_OK;
out:
    if (fd >= 0)
        close(fd);
    return st;
}

gl_status transport_tcp_connect(const char *host, int port, int timeout_ms, int *fd)
{
    if (host == NULL || fd == NULL || port < 1 || port > 65535)
        return GL_EINVAL;
    *fd = -1;
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, service, &hints, &res) != 0)
        return GL_ENET;
    gl_status st = GL_ENET;
    int64_t deadline = monotime_ms() + timeout_ms;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int64_t left = deadline - monotime_ms();
        if (left <= 0) {
            st = GL_ETIMEOUT;
            break;
        }
        st = connect_one(ai, (int)left, fd);
        if (st == GL_OK)
            break;
    }
    freeaddrinfo(res);
    return st;
}

gl_status transport_key_file_private(const char *path)
{
    struct stat sb;
    if (path == NULL || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return GL_EIO;
    return (sb.st_mode & (S_IRWXG | S_IRWXO)) ? GL_EPERM : GL_OK;
}
