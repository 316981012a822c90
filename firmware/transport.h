/* transport.h: the byte stream under the MQTT client.
 *
 * A table of function pointers and an opaque context, as coreMQTT's
 * transport interface and libmodbus's backends: TLS over a TCP socket
 * (transport_tls.c, the gateway's), and a plain TCP socket
 * (transport_plain.c, for tests and benchmarks). Every call is bounded by
 * a timeout in milliseconds; nothing blocks forever. */
#ifndef GRIDLEDGER_TRANSPORT_H
#define GRIDLEDGER_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/status.h"

typedef struct transport_ops {
    /* connect: TCP connect (and TLS handshake) to host:port within
     * timeout_ms. GL_ENET (resolve, refused, reset), GL_ETIMEOUT, GL_ETLS
     * (handshake or certificate refused). A connected transport is closed first. */
    gl_status (*connect)(void *ctx, const char *host, int port, int timeout_ms);
    /* send: writes all len bytes within timeout_ms: GL_OK, GL_ETIMEOUT, GL_ENET. */
    gl_status (*send)(void *ctx, const uint8_t *buf, size_t len, int timeout_ms);
    /* recv: reads 1..cap bytes into buf (*got), waiting at most timeout_ms
     * (0: only what is there). GL_ETIMEOUT when nothing came (the stream
     * stays usable), GL_ENET when the peer closed or the link broke. */
    gl_status (*recv)(void *ctx, uint8_t *buf, size_t cap, size_t *got, int timeout_ms);
    /* close: ends the connection (keeps settings, TLS session for resumption). */
    void (*close)(void *ctx);
    /* destroy: closes and releases ctx. */
    void (*destroy)(void *ctx);
    /* fd: the connection's descriptor to wait on for incoming bytes (after
     * recv with timeout 0 said GL_ETIMEOUT), -1 when not connected. */
    int (*fd)(void *ctx);
} transport_ops;

typedef struct transport {
    const transport_ops *ops;
    void *ctx;
} transport;

/* transport_free: t->ops->destroy and clears t; NULL or empty is a no-op. */
void transport_free(transport *t);

/* transport_plain_new: a plain TCP transport. */
gl_status transport_plain_new(transport *out);

typedef struct transport_tls_opts {
    const char *ca_file;      /* PEM CA(s) the server certificate must chain to */
    const char *cert_file;    /* PEM client certificate (mutual TLS) */
    const char *key_file;     /* PEM client key: refused if group/others may read it */
    const char *server_name;  /* name checked against the server certificate;
                                 NULL: the host given to connect */
    int resume;               /* 1: offer the last session on reconnect (ticket or id) */
} transport_tls_opts;

/* transport_tls_new: loads CA, certificate and key and seeds the DRBG from
 * the OS entropy source. GL_EPERM for a key file readable by group or
 * others, GL_EIO for unreadable files, GL_ETLS for unparsable ones. */
gl_status transport_tls_new(const transport_tls_opts *o, transport *out);

typedef struct transport_tls_info {
    int resumed;              /* the last handshake resumed a session */
    int64_t handshake_us;     /* the last handshake's duration */
    char ciphersuite[64];     /* the last negotiated suite */
    uint32_t verify_flags;    /* mbedTLS verify flags of the last failed check */
    char reason[96];          /* why the last handshake failed, "" after a success */
} transport_tls_info;

/* transport_tls_info_get: facts about the last handshake of a TLS transport. */
void transport_tls_info_get(const transport *t, transport_tls_info *out);

/* transport_key_file_private: GL_OK if path is a regular file that neither
 * group nor others may read or write (0600 or stricter), GL_EPERM if they
 * may, GL_EIO if it cannot be examined. Shared with the HMAC key file. */
gl_status transport_key_file_private(const char *path);

/* transport_tcp_connect: a connected, blocking TCP socket to host:port
 * within timeout_ms (every resolved address in turn), TCP_NODELAY set.
 * GL_ENET or GL_ETIMEOUT. */
gl_status transport_tcp_connect(const char *host, int port, int timeout_ms, int *fd);

/* transport_fd_wait: waits up to timeout_ms for fd to be readable (want_write
 * 0) or writable. GL_OK, GL_ETIMEOUT, GL_ENET. */
gl_status transport_fd_wait(int fd, int want_write, int timeout_ms);


#endif
