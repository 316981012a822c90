/* uplink.h: the gateway's MQTT 3.1.1 client to the back office.
 *
 * Up messages go through the store's outbox: uplink_publish commits a
 * message (its seq assigned by the store) before anything is sent;
 * uplink_step publishes waiting messages at QoS 1 with at most `window` in
 * flight, deletes each from the store only when its PUBACK comes, and
 * re-sends the unacknowledged ones after a reconnect (same packet id, DUP
 * set). The session is persistent (clean session 0, client id = gateway
 * id), subscribed to gl/v1/{gateway}/down/#; downlink messages are verified
 * (downlink.h) and handed to the daemon's callbacks, then answered on
 * gl/v1/{gateway}/ack through the outbox, then PUBACKed. A lost connection
 * is retried with exponential backoff and jitter.
 *
 * Time: uplink_step takes the gateway's clock (epoch seconds, for downlink
 * expiry) and waits at most wait_ms; keepalive, backoff, network timeouts
 * and the idle wait run on the injected clock's mono_ms and wait_ms (real
 * time even under a simulated clock: the network does not run faster; a
 * fake one in the unit tests). One thread steps the uplink; uplink_wake
 * may be called from any thread. */
#ifndef GRIDLEDGER_UPLINK_H
#define GRIDLEDGER_UPLINK_H

#include <stddef.h>
#include <stdint.h>

#include "downlink.h"
#include "clock.h"
#include "config.h"
#include "gridledger/status.h"
#include "store.h"
#include "transport.h"

#define UPLINK_MAX_INFLIGHT 64              /* bound on the window */
#define UPLINK_MSG_MAX (1024u * 1024u)      /* a PUBLISH larger than this is never sent */
#define UPLINK_BODY_MAX (UPLINK_MSG_MAX - 1024u) /* the largest body the gateway writes (envelope and topic around it) */
#define UPLINK_RX_MAX (DOWNLINK_MAX_TEXT + 1024u)
#define UPLINK_KV_DOWN_SEQ "uplink.down_seq" /* the last accepted downlink seq */

/* What a zero field of uplink_opts means (docs/uplink.md); the config's
 * `uplink.keepalive_s` defaults to UPLINK_DEFAULT_KEEPALIVE_S too. */
#define UPLINK_DEFAULT_KEEPALIVE_S 60
#define UPLINK_DEFAULT_WINDOW 16
#define UPLINK_DEFAULT_BACKOFF_MIN_MS 1000
#define UPLINK_DEFAULT_BACKOFF_MAX_MS 300000
#define UPLINK_DEFAULT_TIMEOUT_MS 10000 /* connect (TCP + TLS + CONNACK) and one send */

/* The daemon's side of downlink messages. Each callback applies a verified
 * message and returns GL_OK (applied), GL_EEXIST (already applied: nothing
 * changed, e.g. a payment ref seen before) or another status (refused,
 * reason filled in). A NULL callback refuses its kind. */
typedef gl_status (*uplink_apply_fn)(void *ctx, const downlink_msg *m, char *reason, size_t cap);
typedef struct uplink_callbacks {
    void *ctx;
    uplink_apply_fn payment, topup, tariff, command, config;
} uplink_callbacks;

typedef struct uplink_opts {
    const char *gateway_id;   /* client id and topic level; [A-Za-z0-9._-], 1..64 */
    const char *host;
    int port;
    transport tr;             /* connected by the uplink; owned by it from uplink_new on */
    store *st;                /* the outbox and the kv (not owned) */
    uint8_t hmac_key[DOWNLINK_KEY_BYTES];
    int keepalive_s;          /* 0: UPLINK_DEFAULT_KEEPALIVE_S */
    int window;               /* in-flight messages 1..UPLINK_MAX_INFLIGHT; 0: UPLINK_DEFAULT_WINDOW */
    int backoff_min_ms;       /* 0: UPLINK_DEFAULT_BACKOFF_MIN_MS */
    int backoff_max_ms;       /* 0: UPLINK_DEFAULT_BACKOFF_MAX_MS */
    int connect_timeout_ms;   /* TCP + TLS + CONNACK; 0: UPLINK_DEFAULT_TIMEOUT_MS */
    int io_timeout_ms;        /* one send; 0: UPLINK_DEFAULT_TIMEOUT_MS */
    uint32_t seed;            /* jitter; 0: from the clock */
    const gl_clock *clock;    /* mono_ms and wait_ms for timeouts, keepalive,
                                 backoff and idle waits (not owned); NULL: real */
    uplink_callbacks cb;
} uplink_opts;

typedef struct uplink uplink;

typedef struct uplink_stats {
    int connected;
    int inflight;
    int64_t connects, connect_failures, disconnects;
    int64_t published;        /* PUBLISH packets sent (re-sends included) */
    int64_t published_bytes;  /* their size in bytes (MQTT packets, before TLS) */
    int64_t acked;            /* PUBACKs that deleted a message */
    int64_t downlinks, applied, duplicates, refused;
    int64_t oversize;         /* stored messages too large to send (deleted, counted) */
    int backoff_ms;           /* the delay before the next attempt */
    gl_status last_error;
    char last_error_where[128];
} uplink_stats;

/* uplink_new: checks the options and takes the transport (also on failure:
 * it is freed). GL_EINVAL for a bad gateway id, window or missing store. */
gl_status uplink_new(const uplink_opts *o, uplink **out);

/* uplink_free: sends DISCONNECT if connected, frees the transport; NULL is a no-op. */
void uplink_free(uplink *u);

/* uplink_publish: commits an up message of kind (readings, bills, ...; "ack"
 * for answers) with its JSON body to the outbox; *seq (may be NULL) gets
 * its seq. GL_EINVAL for a kind outside [a-z_], GL_EBOUND for a body that
 * could never be sent, GL_EFULL from the store's quota. */
gl_status uplink_publish(uplink *u, const char *kind, const char *body_json, int64_t ts, int64_t *seq);

/* uplink_step: does what is due: connects when the backoff has passed,
 * publishes up to the window, reads PUBACKs and downlink messages, keeps
 * the connection alive. With nothing to do it sleeps (no polling) for at
 * most wait_ms: until the next connection attempt, bytes from the broker,
 * the keepalive's next task or uplink_wake. Connection failures are not
 * returned (they schedule a reconnect; see stats); store failures are. */
gl_status uplink_step(uplink *u, int64_t now_s, int wait_ms);

/* uplink_wake: ends uplink_step's idle wait at once (a message was
 * committed to the outbox on another connection, or the caller wants to
 * stop). Safe from any thread; uplink_publish calls it itself. */
void uplink_wake(uplink *u);

/* uplink_disconnect: sends DISCONNECT and closes; the next step reconnects
 * at once (reconnect command, tests). */
void uplink_disconnect(uplink *u);

/* uplink_stats_get: counters and state. */
void uplink_stats_get(const uplink *u, uplink_stats *out);

/* uplink_new_from_config: an uplink for cfg's "uplink" section: TLS with
 * its ca/cert/key (paths relative to the config file) unless "tls": false,
 * the HMAC key from hmac_key, the gateway id as client id, clock as in
 * uplink_opts (NULL: real). GL_ENOTFOUND if
 * the section is absent; transport and key errors as transport_tls_new
 * and downlink_key_load give them. */
gl_status uplink_new_from_config(const config *cfg, store *st, const uplink_callbacks *cb, const gl_clock *clock,
                                 uplink **out);

/* uplink_topic: "gl/v1/{gateway}/{kind}" (kind "ack" -> .../ack). */
gl_status uplink_topic(const char *gateway, const char *kind, char *buf, size_t cap);

#endif
