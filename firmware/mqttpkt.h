/* mqttpkt.h: a pure MQTT 3.1.1 packet codec (OASIS Standard, 29 October 2014).
 *
 * Encoders write one whole packet into a caller buffer; the decoder reads one
 * whole packet from a caller buffer and returns views into it. No malloc, no
 * I/O, no clock: the transport and the session logic live in uplink.c, as
 * coreMQTT keeps its serializer apart from its transport.
 *
 * Status values: GL_OK; GL_EINVAL for arguments that would make a packet the
 * spec forbids (empty topic, wildcard in a topic name, packet id 0 on QoS 1,
 * ...); GL_EBOUND when the caller buffer is too small or a field exceeds its
 * length limit; GL_EPROTO for every malformed input of the decoder
 * (spec section 4.8: a malformed packet closes the connection);
 * GL_EUNSUPPORTED for well-formed packets this codec does not decode
 * (UNSUBSCRIBE). */
#ifndef GRIDLEDGER_MQTTPKT_H
#define GRIDLEDGER_MQTTPKT_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/status.h"

/* Control packet types, section 2.2.1 (0 and 15 are reserved). */
typedef enum mqttpkt_type {
    MQTTPKT_CONNECT = 1,
    MQTTPKT_CONNACK = 2,
    MQTTPKT_PUBLISH = 3,
    MQTTPKT_PUBACK = 4,
    MQTTPKT_PUBREC = 5,
    MQTTPKT_PUBREL = 6,
    MQTTPKT_PUBCOMP = 7,
    MQTTPKT_SUBSCRIBE = 8,
    MQTTPKT_SUBACK = 9,
    MQTTPKT_UNSUBSCRIBE = 10,
    MQTTPKT_UNSUBACK = 11,
    MQTTPKT_PINGREQ = 12,
    MQTTPKT_PINGRESP = 13,
    MQTTPKT_DISCONNECT = 14
} mqttpkt_type;

/* Section 2.2.3: at most four length bytes, 268,435,455 bytes. */
#define MQTTPKT_MAX_REMAINING 268435455u
#define MQTTPKT_MAX_HEADER 5u          /* fixed header: type byte + 4 length bytes */
/* Section 1.5.3: UTF-8 strings carry a two-byte length. */
#define MQTTPKT_MAX_STRING 65535u
/* Section 3.8.3: our bound on topic filters in one SUBSCRIBE / SUBACK. */
#define MQTTPKT_MAX_FILTERS 8

/* CONNACK return codes, section 3.2.2.3. */
#define MQTTPKT_CONNACK_ACCEPTED 0
#define MQTTPKT_CONNACK_BAD_PROTOCOL 1
#define MQTTPKT_CONNACK_ID_REJECTED 2
#define MQTTPKT_CONNACK_UNAVAILABLE 3
#define MQTTPKT_CONNACK_BAD_CREDENTIALS 4
#define MQTTPKT_CONNACK_NOT_AUTHORIZED 5
/* SUBACK failure return code, section 3.9.3. */
#define MQTTPKT_SUBACK_FAILURE 0x80

typedef struct mqttpkt_connect {
    const char *client_id;   /* UTF-8; "" only with clean_session (3.1.3.1) */
    uint16_t keepalive_s;    /* 3.1.2.10; 0 disables keepalive */
    int clean_session;       /* 3.1.2.4 */
    const char *will_topic;  /* NULL: no will */
    const uint8_t *will_msg; /* with will_topic */
    size_t will_len;
    int will_qos, will_retain;
    const char *username;    /* NULL: none */
    const uint8_t *password; /* NULL: none; needs username (3.1.2.9) */
    size_t password_len;
} mqttpkt_connect;

typedef struct mqttpkt_publish {
    const char *topic;       /* a topic name: no '+' or '#' (4.7.1) */
    size_t topic_len;        /* 0: strlen(topic) */
    const uint8_t *payload;
    size_t payload_len;
    int qos;                 /* 0 or 1 (2 is encoded too, we never send it) */
    int retain, dup;         /* dup only with qos > 0 (3.3.1.1) */
    uint16_t packet_id;      /* qos > 0: non-zero (2.3.1) */
} mqttpkt_publish;

/* A decoded packet. Pointers point into the buffer given to mqttpkt_decode;
 * strings are not NUL-terminated (use the _len). */
typedef struct mqttpkt {
    mqttpkt_type type;
    uint8_t flags;           /* the low nibble of the first byte */
    uint16_t packet_id;      /* PUBLISH qos>0, PUBACK..PUBCOMP, SUBSCRIBE, SUBACK, UNSUBACK */
    /* CONNACK */
    int session_present;
    int return_code;
    /* PUBLISH */
    const uint8_t *topic;
    size_t topic_len;
    const uint8_t *payload;
    size_t payload_len;
    int qos, retain, dup;
    /* SUBACK: return codes; SUBSCRIBE: requested QoS per filter */
    size_t count;
    uint8_t codes[MQTTPKT_MAX_FILTERS];
    /* SUBSCRIBE: the filters */
    const uint8_t *filters[MQTTPKT_MAX_FILTERS];
    size_t filter_lens[MQTTPKT_MAX_FILTERS];
    /* CONNECT */
    int protocol_level, clean_session, keepalive_s;
    const uint8_t *client_id, *will_topic, *will_msg, *username, *password;
    size_t client_id_len, will_topic_len, will_len, username_len, password_len;
    int has_will, will_qos, will_retain, has_username, has_password;
} mqttpkt;

/* mqttpkt_encode_connect / _publish: one packet into buf[0..cap); *len is its
 * size. Nothing is written past cap; on failure *len is 0. */
gl_status mqttpkt_encode_connect(const mqttpkt_connect *c, uint8_t *buf, size_t cap, size_t *len);
gl_status mqttpkt_encode_publish(const mqttpkt_publish *p, uint8_t *buf, size_t cap, size_t *len);

/* mqttpkt_encode_publish_head: a PUBLISH's fixed header, topic and packet
 * id for a payload of p->payload_len bytes (p->payload unused), so that a
 * caller can build the payload in place right after it; *len is the head's
 * size (at most MQTTPKT_MAX_HEADER + 2 + topic + 2). */
gl_status mqttpkt_encode_publish_head(const mqttpkt_publish *p, uint8_t *buf, size_t cap, size_t *len);

/* mqttpkt_encode_subscribe: SUBSCRIBE (3.8) for n filters (1..MQTTPKT_MAX_FILTERS),
 * each with its requested QoS 0..2; packet_id non-zero. */
gl_status mqttpkt_encode_subscribe(uint16_t packet_id, const char *const *filters, const uint8_t *qos,
                                   size_t n, uint8_t *buf, size_t cap, size_t *len);

/* mqttpkt_encode_ack: the two-byte-id packets PUBACK, PUBREC, PUBREL (flags
 * 0010), PUBCOMP, UNSUBACK; packet_id non-zero. */
gl_status mqttpkt_encode_ack(mqttpkt_type type, uint16_t packet_id, uint8_t *buf, size_t cap, size_t *len);

/* mqttpkt_encode_connack / _suback: the broker's answers (used by tests and
 * the fuzzer's round trips). */
gl_status mqttpkt_encode_connack(int session_present, int return_code, uint8_t *buf, size_t cap,
                                 size_t *len);
gl_status mqttpkt_encode_suback(uint16_t packet_id, const uint8_t *codes, size_t n, uint8_t *buf,
                                size_t cap, size_t *len);

/* mqttpkt_encode_empty: PINGREQ, PINGRESP or DISCONNECT (remaining length 0). */
gl_status mqttpkt_encode_empty(mqttpkt_type type, uint8_t *buf, size_t cap, size_t *len);

/* mqttpkt_frame: how long is the packet that starts at buf[0..len)?
 * GL_OK with *total = 0 when the fixed header is not complete yet, else
 * *total = fixed header + remaining length (which may exceed len: read
 * more). GL_EPROTO on a reserved type, on a fifth length byte (2.2.3) or a
 * non-minimal length encoding (ours: a peer never needs one). */
gl_status mqttpkt_frame(const uint8_t *buf, size_t len, size_t *total);

/* mqttpkt_decode: decodes exactly one packet, buf[0..len) being all of it
 * (len as mqttpkt_frame gave). GL_EPROTO on any malformed packet: wrong
 * flags (2.2.2), lengths that disagree, bad UTF-8 (1.5.3), wildcards in a
 * PUBLISH topic (3.3.2.1), packet id 0 (2.3.1), QoS 3 (3.3.1.2), reserved
 * bits set (3.1.2.3, 3.2.2.1, 3.8.3.1), unknown return codes (3.2.2.3,
 * 3.9.3). *out is zeroed first. */
gl_status mqttpkt_decode(const uint8_t *buf, size_t len, mqttpkt *out);

/* mqttpkt_decode_publish_head: the flags, topic and packet id of a PUBLISH
 * that starts at buf[0..len) and may be longer than len (a packet too large
 * to hold, skipped but answered). *head_len = 0 while the head is not all
 * there; then out->payload_len is the whole payload's size and
 * out->payload points at its first len - *head_len bytes (when len covers
 * them). GL_EPROTO for another packet type or a malformed head. */
gl_status mqttpkt_decode_publish_head(const uint8_t *buf, size_t len, mqttpkt *out, size_t *head_len);

/* mqttpkt_topic_valid / mqttpkt_filter_valid: a topic name (no wildcards)
 * or a topic filter ('#' last and alone in its level, '+' alone in its
 * level), 1..65535 bytes of valid UTF-8 without U+0000 (4.7). */
int mqttpkt_topic_valid(const uint8_t *s, size_t len);
int mqttpkt_filter_valid(const uint8_t *s, size_t len);

/* mqttpkt_type_name: "PUBLISH", ...; "?" for others. */
const char *mqttpkt_type_name(int type);

#endif
