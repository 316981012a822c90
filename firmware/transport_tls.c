/* transport_tls.c: MQTT's byte stream over mbedTLS 2.28 (Debian 12).
 *
 * The profile (BSI TR-03116-3 for smart-meter WAN links, narrowed):
 * TLS 1.2 only; ECDHE key exchange with AEAD ciphers only (AES-GCM,
 * ChaCha20-Poly1305), TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 first;
 * curves brainpoolP256r1/384r1/512r1 and NIST P-256/P-384 (plus X25519
 * for ECDHE); the server's chain verified against the configured CA with
 * the host name checked; a client certificate and key (mutual TLS);
 * SHA-256 or better in certificates, RSA keys >= 2048 bits; the DRBG
 * seeded from the OS entropy source; the session kept for resumption on
 * reconnect. Every wait is bounded by the caller's timeout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "monotime.h"
#include "transport.h"

#define TLS_NAME_MAX 256

/* In order of preference; TLS 1.2 suites only (RFC 5289, RFC 7905). */
static const int tls_suites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    0,
};

/* Key exchange and certificate curves (RFC 7027 for brainpool in TLS). */
static const mbedtls_ecp_group_id tls_curves[] = {
    MBEDTLS_ECP_DP_BP256R1,   MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_CURVE25519,
    MBEDTLS_ECP_DP_BP384R1,   MBEDTLS_ECP_DP_SECP384R1, MBEDTLS_ECP_DP_BP512R1,
    MBEDTLS_ECP_DP_NONE,
};

#define ID(x) MBEDTLS_X509_ID_FLAG(x)
static const mbedtls_x509_crt_profile tls_cert_profile = {
    ID(MBEDTLS_MD_SHA256) | ID(MBEDTLS_MD_SHA384) | ID(MBEDTLS_MD_SHA512),
    ID(MBEDTLS_PK_ECKEY) | ID(MBEDTLS_PK_ECDSA) | ID(MBEDTLS_PK_RSA),
    ID(MBEDTLS_ECP_DP_SECP256R1) | ID(MBEDTLS_ECP_DP_SECP384R1) | ID(MBEDTLS_ECP_DP_BP256R1) |
        ID(MBEDTLS_ECP_DP_BP384R1) | ID(MBEDTLS_ECP_DP_BP512R1),
    2048,
};

typedef struct tls_ctx {
    mbedtls_net_context net;   /* first: the bio context is the tls_ctx */
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca, cert;
    mbedtls_pk_context key;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_ssl_session saved; /* the last session, offered on reconnect */
    int have_saved, resume, connected;
    int nowait;                /* tls_recv with timeout 0: the bio's recv does not wait */
    char server_name[TLS_NAME_MAX];
    transport_tls_info info;
} tls_ctx;

static void tls_close(void *vctx)
{
    tls_ctx *c = vctx;
    if (c->connected)
        (void)mbedtls_ssl_close_notify(&c->ssl);
    c->connected = 0;
    mbedtls_net_free(&c->net);
    mbedtls_net_init(&c->net);
    if (c->ssl.conf != NULL)
        (void)mbedtls_ssl_session_reset(&c->ssl);
}

static gl_status tls_err(int ret)
{
    switch (ret) {
    case MBEDTLS_ERR_SSL_TIMEOUT:
    case MBEDTLS_ERR_SSL_WANT_READ:
    case MBEDTLS_ERR_SSL_WANT_WRITE:
        return GL_ETIMEOUT;
    case MBEDTLS_ERR_NET_CONN_RESET:
    case MBEDTLS_ERR_NET_RECV_FAILED:
    case MBEDTLS_ERR_NET_SEND_FAILED:
    case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
    case MBEDTLS_ERR_SSL_CONN_EOF:
        return GL_ENET;
    default:
        return GL_ETLS;
    }
}

static void set_send_timeout(int fd, int timeout_ms)
{
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* Why the server's certificate failed, from mbedTLS's verify flags (x509.h);
 * the first that applies, most telling first. */
static const struct {
    uint32_t flag;
    const char *why;
} verify_reasons[] = {
    {MBEDTLS_X509_BADCERT_NOT_TRUSTED, "server certificate not trusted (not signed by the configured CA)"},
    {MBEDTLS_X509_BADCERT_EXPIRED, "server certificate expired"},
    {MBEDTLS_X509_BADCERT_FUTURE, "server certificate not yet valid"},
    {MBEDTLS_X509_BADCERT_CN_MISMATCH, "wrong host name (the server certificate names another host)"},
    {MBEDTLS_X509_BADCERT_REVOKED, "server certificate revoked"},
    {MBEDTLS_X509_BADCERT_BAD_MD, "server certificate signed with a hash refused by the profile"},
    {MBEDTLS_X509_BADCERT_BAD_PK, "server certificate signed with an algorithm refused by the profile"},
    {MBEDTLS_X509_BADCERT_BAD_KEY, "server certificate key refused by the profile (curve or RSA size)"},
    {MBEDTLS_X509_BADCERT_KEY_USAGE | MBEDTLS_X509_BADCERT_EXT_KEY_USAGE, "server certificate not for TLS servers"},
    {MBEDTLS_X509_BADCERT_MISSING, "no server certificate"},
};

/* Why the peer or mbedTLS ended the handshake, from its alert or error. */
static const char *alert_reason(int alert)
{
    switch (alert) {
    case MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION:
        return "protocol version refused by the server (TLS 1.2 only here)";
    case MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE:
    case MBEDTLS_SSL_ALERT_MSG_INSUFFICIENT_SECURITY:
        return "refused by the server: no cipher suite or curve in common";
    case MBEDTLS_SSL_ALERT_MSG_BAD_CERT:
    case MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA:
    case MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED:
    case MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED:
    case MBEDTLS_SSL_ALERT_MSG_CERT_UNKNOWN:
    case MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT:
    case MBEDTLS_SSL_ALERT_MSG_ACCESS_DENIED:
        return "our client certificate refused by the server";
    default:
        return "fatal alert from the server";
    }
}

static void note_failure(tls_ctx *c, int ret)
{
    uint32_t flags = mbedtls_ssl_get_verify_result(&c->ssl);
    const char *why = NULL;
    c->info.verify_flags = flags == (uint32_t)-1 ? 0 : flags;
    for (size_t i = 0; c->info.verify_flags && why == NULL && i < sizeof verify_reasons / sizeof verify_reasons[0]; i++)
        if (c->info.verify_flags & verify_reasons[i].flag)
            why = verify_reasons[i].why;
    if (why == NULL && ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE && c->ssl.in_msg != NULL)
        why = alert_reason(c->ssl.in_msg[1]);
    if (why == NULL && ret == MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION)
        why = "protocol version: the server does not speak TLS 1.2";
    if (why == NULL && (ret == MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE || ret == MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO))
        why = "the server chose a cipher suite or curve outside the profile";
    if (why == NULL && ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED)
        why = "server certificate refused";
    if (why != NULL)
        snprintf(c->info.reason, sizeof c->info.reason, "%s", why);
    else
        snprintf(c->info.reason, sizeof c->info.reason, "mbedTLS error -0x%04x", (unsigned)-ret);
}

/* The handshake one step at a time, each read bounded by what is left of
 * timeout_ms. A resumed handshake never reaches the server's Certificate. */
static gl_status handshake(tls_ctx *c, int timeout_ms)
{
    int64_t t0 = monotime_ms();
    int64_t deadline = t0 + timeout_ms;
    int saw_cert = 0;
    while (c->ssl.state != MBEDTLS_SSL_HANDSHAKE_OVER) {
        int64_t left = deadline - monotime_ms();
        if (left <= 0)
            return GL_ETIMEOUT;
        mbedtls_ssl_conf_read_timeout(&c->conf, (uint32_t)left);
        if (c->ssl.state == MBEDTLS_SSL_SERVER_CERTIFICATE)
            saw_cert = 1;
        int ret = mbedtls_ssl_handshake_step(&c->ssl);
        if (ret != 0) {
            note_failure(c, ret);
            return ret == MBEDTLS_ERR_SSL_TIMEOUT ? GL_ETIMEOUT : tls_err(ret) == GL_ENET ? GL_ENET : GL_ETLS;
        }
    }
    c->info.resumed = !saw_cert;
    c->info.handshake_us = (monotime_ms() - t0) * 1000;
    c->info.verify_flags = 0;
    c->info.reason[0] = '\0';
    const char *suite = mbedtls_ssl_get_ciphersuite(&c->ssl);
    snprintf(c->info.ciphersuite, sizeof c->info.ciphersuite, "%s", suite ? suite : "?");
    return GL_OK;
}

static void save_session(tls_ctx *c)
{
    mbedtls_ssl_session_free(&c->saved);
    mbedtls_ssl_session_init(&c->saved);
    c->have_saved = mbedtls_ssl_get_session(&c->ssl, &c->saved) == 0;
}

/* mbedtls_net_send with MSG_NOSIGNAL: a broker that went away gives
 * MBEDTLS_ERR_NET_CONN_RESET instead of killing the process by SIGPIPE
 * (the uplink must not depend on its caller ignoring SIGPIPE). */
static int net_send_nosig(void *vctx, const unsigned char *buf, size_t len)
{
    const tls_ctx *c = vctx;
    ssize_t n = send(c->net.fd, buf, len, MSG_NOSIGNAL);
    if (n >= 0)
        return (int)n;
    if (errno == EINTR)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    if (errno == EPIPE || errno == ECONNRESET)
        return MBEDTLS_ERR_NET_CONN_RESET;
    return MBEDTLS_ERR_NET_SEND_FAILED;
}

/* mbedtls_net_recv_timeout, or while nowait is set one recv that does not
 * wait (no select before it): nothing there is MBEDTLS_ERR_SSL_WANT_READ,
 * and mbedTLS keeps a partial record for the next read. */
static int net_recv_bio(void *vctx, unsigned char *buf, size_t len, uint32_t timeout)
{
    tls_ctx *c = vctx;
    if (!c->nowait)
        return mbedtls_net_recv_timeout(&c->net, buf, len, timeout);
    ssize_t n = recv(c->net.fd, buf, len, MSG_DONTWAIT);
    if (n >= 0)
        return (int)n; /* 0: EOF */
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return MBEDTLS_ERR_SSL_WANT_READ;
    return errno == ECONNRESET || errno == EPIPE ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
}

static gl_status tls_connect(void *vctx, const char *host, int port, int timeout_ms)
{
    tls_ctx *c = vctx;
    tls_close(c);
    int64_t deadline = monotime_ms() + timeout_ms;
    int fd;
    gl_status st = transport_tcp_connect(host, port, timeout_ms, &fd);
    if (st != GL_OK)
        return st;
    c->net.fd = fd;
    set_send_timeout(fd, timeout_ms);
    const char *name = c->server_name[0] ? c->server_name : host;
    if (mbedtls_ssl_set_hostname(&c->ssl, name) != 0) {
        st = GL_EINVAL;
        goto out;
    }
    int offered = 0;
    if (c->resume && c->have_saved)
        offered = mbedtls_ssl_set_session(&c->ssl, &c->saved) == 0;
    mbedtls_ssl_set_bio(&c->ssl, c, net_send_nosig, NULL, net_recv_bio);
    int64_t left = deadline - monotime_ms();
    st = left > 0 ? handshake(c, (int)left) : GL_ETIMEOUT;
    if (st != GL_OK) {
        if (offered)
            c->have_saved = 0; /* next time a full handshake */
        goto out;
    }
    c->connected = 1;
    if (c->resume)
        save_session(c);
out:
    if (st != GL_OK)
        tls_close(c);
    return st;
}

static gl_status tls_send(void *vctx, const uint8_t *buf, size_t len, int timeout_ms)
{
    tls_ctx *c = vctx;
    int64_t deadline = monotime_ms() + timeout_ms;
    size_t done = 0;
    if (!c->connected)
        return GL_ENET;
    while (done < len) {
        int ret = mbedtls_ssl_write(&c->ssl, buf + done, len - done);
        if (ret > 0) {
            done += (size_t)ret;
            continue;
        }
        if (ret != MBEDTLS_ERR_SSL_WANT_WRITE && ret != MBEDTLS_ERR_SSL_WANT_READ)
            return tls_err(ret) == GL_ETIMEOUT ? GL_ENET : tls_err(ret);
        int64_t left = deadline - monotime_ms();
        if (left <= 0)
            return GL_ETIMEOUT;
        gl_status st = transport_fd_wait(c->net.fd, ret == MBEDTLS_ERR_SSL_WANT_WRITE, (int)left);
        if (st != GL_OK)
            return st;
    }
    return GL_OK;
}

static gl_status tls_recv(void *vctx, uint8_t *buf, size_t cap, size_t *got, int timeout_ms)
{
    tls_ctx *c = vctx;
    *got = 0;
    if (!c->connected)
        return GL_ENET;
    /* timeout 0: no wait at all (one recv, no select); else mbedTLS's
     * read timeout (which reads 0 as "wait forever") */
    c->nowait = timeout_ms <= 0;
    if (!c->nowait)
        mbedtls_ssl_conf_read_timeout(&c->conf, (uint32_t)timeout_ms);
    int ret = mbedtls_ssl_read(&c->ssl, buf, cap);
    c->nowait = 0;
    if (ret > 0) {
        *got = (size_t)ret;
        return GL_OK;
    }
    if (ret == 0)
        return GL_ENET; /* EOF */
    return tls_err(ret);
}

static void tls_destroy(void *vctx)
{
    tls_ctx *c = vctx;
    if (c == NULL)
        return;
    tls_close(c);
    mbedtls_ssl_session_free(&c->saved);
    mbedtls_ssl_free(&c->ssl);
    mbedtls_ssl_config_free(&c->conf);
    mbedtls_x509_crt_free(&c->ca);
    mbedtls_x509_crt_free(&c->cert);
    mbedtls_pk_free(&c->key);
    mbedtls_ctr_drbg_free(&c->drbg);
    mbedtls_entropy_free(&c->entropy);
    free(c);
}

static int tls_fd(void *vctx)
{
    const tls_ctx *c = vctx;
    return c->connected ? c->net.fd : -1;
}

static const transport_ops tls_ops = {tls_connect, tls_send, tls_recv, tls_close, tls_destroy, tls_fd};

static gl_status file_err(int ret)
{
    return ret == MBEDTLS_ERR_PK_FILE_IO_ERROR || ret == MBEDTLS_ERR_X509_FILE_IO_ERROR ? GL_EIO : GL_ETLS;
}

static gl_status load_credentials(tls_ctx *c, const transport_tls_opts *o)
{
    gl_status st = transport_key_file_private(o->key_file);
    if (st != GL_OK)
        return st;
    int ret = mbedtls_x509_crt_parse_file(&c->ca, o->ca_file);
    if (ret != 0)
        return file_err(ret);
    ret = mbedtls_x509_crt_parse_file(&c->cert, o->cert_file);
    if (ret != 0)
        return file_err(ret);
    ret = mbedtls_pk_parse_keyfile(&c->key, o->key_file, NULL);
    if (ret != 0)
        return file_err(ret);
    if (mbedtls_pk_check_pair(&c->cert.pk, &c->key) != 0)
        return GL_ETLS; /* certificate and key do not belong together */
    return GL_OK;
}

static gl_status configure(tls_ctx *c)
{
    static const char pers[] = "gridledger-uplink";
    if (mbedtls_ctr_drbg_seed(&c->drbg, mbedtls_entropy_func, &c->entropy, (const unsigned char *)pers,
                              sizeof pers - 1) != 0)
        return GL_ETLS;
    if (mbedtls_ssl_config_defaults(&c->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0)
        return GL_ETLS;
    mbedtls_ssl_conf_min_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_ciphersuites(&c->conf, tls_suites);
    mbedtls_ssl_conf_curves(&c->conf, tls_curves);
    mbedtls_ssl_conf_cert_profile(&c->conf, &tls_cert_profile);
    mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&c->conf, &c->ca, NULL);
    mbedtls_ssl_conf_rng(&c->conf, mbedtls_ctr_drbg_random, &c->drbg);
    mbedtls_ssl_conf_session_tickets(&c->conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
    if (mbedtls_ssl_conf_own_cert(&c->conf, &c->cert, &c->key) != 0)
        return GL_ETLS;
    if (mbedtls_ssl_setup(&c->ssl, &c->conf) != 0)
        return GL_ENOMEM;
    return GL_OK;
}

gl_status transport_tls_new(const transport_tls_opts *o, transport *out)
{
    if (o == NULL || out == NULL || o->ca_file == NULL || o->cert_file == NULL || o->key_file == NULL)
        return GL_EINVAL;
    if (o->server_name != NULL && strlen(o->server_name) >= TLS_NAME_MAX)
        return GL_EINVAL;
    out->ops = NULL;
    out->ctx = NULL;
    tls_ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return GL_ENOMEM;
    mbedtls_net_init(&c->net);
    mbedtls_ssl_init(&c->ssl);
    mbedtls_ssl_config_init(&c->conf);
    mbedtls_x509_crt_init(&c->ca);
    mbedtls_x509_crt_init(&c->cert);
    mbedtls_pk_init(&c->key);
    mbedtls_entropy_init(&c->entropy);
    mbedtls_ctr_drbg_init(&c->drbg);
    mbedtls_ssl_session_init(&c->saved);
    c->resume = o->resume;
    if (o->server_name != NULL)
        snprintf(c->server_name, sizeof c->server_name, "%s", o->server_name);
    gl_status st = load_credentials(c, o);
    if (st == GL_OK)
        st = configure(c);
    if (st != GL_OK) {
        tls_destroy(c);
        return st;
    }
    out->ops = &tls_ops;
    out->ctx = c;
    return GL_OK;
}

void transport_tls_info_get(const transport *t, transport_tls_info *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof *out);
    if (t != NULL && t->ops == &tls_ops)
        *out = ((const tls_ctx *)t->ctx)->info;
}
