/* bo_http.c: a minimal HTTP/1.0 client and listener (see bo_http.h). */
#define _GNU_SOURCE /* memmem, accept4 */
#include "bo_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "monotime.h"

gl_status bo_http_urlencode(const char *s, char *out, size_t cap, size_t *len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = *len;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                    strchr("-._~", *p) != NULL;
        if (o + (plain ? 1 : 3) + 1 > cap)
            return GL_EBOUND;
        if (plain) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
    *len = o;
    return GL_OK;
}

/* split_hostport: "HOST:PORT" into host and port text. */
static int split_hostport(const char *hp, size_t n, char *host, size_t hcap, char *port, size_t pcap)
{
    const char *colon = memchr(hp, ':', n);
    if (!colon || colon == hp || (size_t)(colon - hp) >= hcap || n - (size_t)(colon - hp) - 1 >= pcap ||
        n - (size_t)(colon - hp) - 1 == 0)
        return 0;
    snprintf(host, hcap, "%.*s", (int)(colon - hp), hp);
    snprintf(port, pcap, "%.*s", (int)(n - (size_t)(colon - hp) - 1), colon + 1);
    return 1;
}

static int tcp_connect(const char *host, const char *port)
{
    struct addrinfo hints, *res = NULL;
    int fd = -1;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

/* read_all: reads until EOF, cap, the deadline or (headers_only) the end of
 * the headers; returns bytes read or -1. */
static ssize_t read_all(int fd, char *buf, size_t cap, long long deadline, int headers_only)
{
    size_t n = 0;
    while (n + 1 < cap) {
        struct pollfd p = {fd, POLLIN, 0};
        long long left = deadline - monotime_ms();
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            return -1;
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
        if (headers_only && memmem(buf, n, "\r\n\r\n", 4))
            break;
    }
    buf[n] = '\0';
    return (ssize_t)n;
}

static int write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return 0;
        s += w;
        n -= (size_t)w;
    }
    return 1;
}

gl_status bo_http_get(const char *url, const char *query, int timeout_ms, int *code, char *body, size_t cap)
{
    char host[256], port[16], *req = NULL, resp[BO_HTTP_BODY_MAX + 1024];
    const char *hp = strncmp(url, "http://", 7) == 0 ? url + 7 : NULL;
    const char *path = hp ? strchr(hp, '/') : NULL;
    gl_status st = GL_EINVAL;
    if (!hp || !path || !split_hostport(hp, (size_t)(path - hp), host, sizeof host, port, sizeof port))
        return st;
    size_t rl = strlen(path) + strlen(query) + strlen(host) + 64;
    req = malloc(rl);
    if (!req)
        return GL_ENOMEM;
    snprintf(req, rl, "GET %s?%s HTTP/1.0\r\nHost: %s\r\n\r\n", path, query, host);
    long long deadline = monotime_ms() + timeout_ms;
    int fd = tcp_connect(host, port);
    st = GL_ENET;
    if (fd < 0 || !write_all(fd, req, strlen(req)))
        goto out;
    ssize_t n = read_all(fd, resp, sizeof resp, deadline, 0);
    const char *sp = n > 0 ? strchr(resp, ' ') : NULL, *b = n > 0 ? strstr(resp, "\r\n\r\n") : NULL;
    if (!sp || strncmp(resp, "HTTP/", 5) != 0)
        goto out;
    *code = (int)strtol(sp + 1, NULL, 10);
    snprintf(body, cap, "%s", b ? b + 4 : "");
    st = GL_OK;
out:
    if (fd >= 0)
        close(fd);
    free(req);
    return st;
}

int bo_http_listen(const char *hostport)
{
    char host[256], port[16];
    struct sockaddr_in sa;
    int one = 1;
    if (!split_hostport(hostport, strlen(hostport), host, sizeof host, port, sizeof port))
        return -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)strtol(port, NULL, 10));
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int bo_http_accept(int lfd, int wait_ms, char *target, size_t cap)
{
    char req[2048];
    struct pollfd p = {lfd, POLLIN, 0};
    int r = poll(&p, 1, wait_ms);
    if (r <= 0)
        return r < 0 && errno != EINTR ? -1 : 0;
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read_all(fd, req, sizeof req, monotime_ms() + 2000, 1);
    const char *sp = n > 0 ? strchr(req, ' ') : NULL, *end = sp ? strchr(sp + 1, ' ') : NULL;
    if (!end || strncmp(req, "GET ", 4) != 0) {
        bo_http_reply(fd, 400, "bad request");
        return 0;
    }
    snprintf(target, cap, "%.*s", (int)(end - sp - 1), sp + 1);
    return fd;
}

void bo_http_reply(int fd, int code, const char *text)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "HTTP/1.0 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n\r\n%s",
                     code, code == 200 ? "OK" : "Error", strlen(text), text);
    if (n > 0)
        (void)write_all(fd, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    close(fd);
}

static int hexv(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int bo_http_param(const char *target, const char *name, char *out, size_t cap)
{
    const char *q = strchr(target, '?');
    size_t nl = strlen(name);
    for (const char *p = q ? q + 1 : target; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        if (strncmp(p, name, nl) != 0 || p[nl] != '=')
            continue;
        size_t o = 0;
        for (p += nl + 1; *p && *p != '&' && o + 1 < cap; p++) {
            if (*p == '%' && hexv(p[1]) >= 0 && hexv(p[2]) >= 0) {
                out[o++] = (char)(hexv(p[1]) << 4 | hexv(p[2]));
                p += 2;
            } else {
                out[o++] = *p == '+' ? ' ' : *p;
            }
        }
        out[o] = '\0';
        return 1;
    }
    return 0;
}
