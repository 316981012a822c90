/* mqttpkt.c: MQTT 3.1.1 packet encoding and decoding; see mqttpkt.h.
 * Section numbers refer to the OASIS MQTT Version 3.1.1 standard. */
#include "mqttpkt.h"

#include "gridledger/utf8.h"

#include <string.h>

/* A bounded writer over a caller buffer: once it overflows, it stays so. */
typedef struct wbuf {
    uint8_t *p;
    size_t cap, len;
    int over;
} wbuf;

static void w_bytes(wbuf *w, const void *src, size_t n)
{
    if (w->over || n > w->cap - w->len) {
        w->over = 1;
        return;
    }
    if (n > 0)
        memcpy(w->p + w->len, src, n);
    w->len += n;
}

static void w_u8(wbuf *w, uint8_t v)
{
    w_bytes(w, &v, 1);
}

static void w_u16(wbuf *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)(v & 0xff)};
    w_bytes(w, b, 2);
}

static void w_str(wbuf *w, const void *s, size_t n)
{
    w_u16(w, (uint16_t)n);
    w_bytes(w, s, n);
}

/* Remaining length, section 2.2.3: 7 bits per byte, high bit = more. */
static void w_remaining(wbuf *w, size_t n)
{
    do {
        uint8_t b = (uint8_t)(n % 128);
        n /= 128;
        if (n > 0)
            b |= 0x80;
        w_u8(w, b);
    } while (n > 0);
}

static gl_status w_finish(wbuf *w, size_t *len)
{
    if (w->over) {
        *len = 0;
        return GL_EBOUND;
    }
    *len = w->len;
    return GL_OK;
}

static gl_status w_header(wbuf *w, uint8_t first, size_t remaining)
{
    if (remaining > MQTTPKT_MAX_REMAINING)
        return GL_EBOUND;
    w_u8(w, first);
    w_remaining(w, remaining);
    return GL_OK;
}

int mqttpkt_topic_valid(const uint8_t *s, size_t len)
{
    if (s == NULL || len == 0 || len > MQTTPKT_MAX_STRING || !utf8_valid(s, len))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '+' || s[i] == '#')
            return 0; /* [MQTT-3.3.2-2] */
    return 1;
}

int mqttpkt_filter_valid(const uint8_t *s, size_t len)
{
    if (s == NULL || len == 0 || len > MQTTPKT_MAX_STRING || !utf8_valid(s, len))
        return 0;
    for (size_t i = 0; i < len; i++) {
        int level_start = (i == 0 || s[i - 1] == '/');
        int level_end = (i + 1 == len || s[i + 1] == '/');
        if (s[i] == '#' && !(level_start && i + 1 == len))
            return 0; /* 4.7.1.2 */
        if (s[i] == '+' && !(level_start && level_end))
            return 0; /* 4.7.1.3 */
    }
    return 1;
}

gl_status mqttpkt_encode_connect(const mqttpkt_connect *c, uint8_t *buf, size_t cap, size_t *len)
{
    if (len == NULL)
        return GL_EINVAL;
    *len = 0;
    if (c == NULL || buf == NULL || c->client_id == NULL)
        return GL_EINVAL;
    size_t id_len = strlen(c->client_id);
    if (id_len == 0 && !c->clean_session)
        return GL_EINVAL; /* [MQTT-3.1.3-7] */
    if (id_len > MQTTPKT_MAX_STRING || !utf8_valid((const uint8_t *)c->client_id, id_len))
        return GL_EINVAL;
    if (c->password != NULL && c->username == NULL)
        return GL_EINVAL; /* [MQTT-3.1.2-22] */
    size_t wt_len = 0, user_len = 0;
    uint8_t flags = c->clean_session ? 0x02 : 0x00;
    size_t rem = 10 + 2 + id_len; /* variable header 3.1.2 + client id */
    if (c->will_topic != NULL) {
        wt_len = strlen(c->will_topic);
        if (!mqttpkt_topic_valid((const uint8_t *)c->will_topic, wt_len) || c->will_qos < 0 ||
            c->will_qos > 2 || c->will_len > MQTTPKT_MAX_STRING || (c->will_len > 0 && c->will_msg == NULL))
            return GL_EINVAL;
        flags |= (uint8_t)(0x04 | (c->will_qos << 3) | (c->will_retain ? 0x20 : 0));
        rem += 2 + wt_len + 2 + c->will_len;
    }
    if (c->username != NULL) {
        user_len = strlen(c->username);
        if (user_len > MQTTPKT_MAX_STRING || !utf8_valid((const uint8_t *)c->username, user_len))
            return GL_EINVAL;
        flags |= 0x80;
        rem += 2 + user_len;
    }
    if (c->password != NULL) {
        if (c->password_len > MQTTPKT_MAX_STRING)
            return GL_EINVAL;
        flags |= 0x40;
        rem += 2 + c->password_len;
    }
    wbuf w = {buf, cap, 0, 0};
    gl_status st = w_header(&w, MQTTPKT_CONNECT << 4, rem);
    if (st != GL_OK)
        return st;
    w_str(&w, "MQTT", 4); /* 3.1.2.1 */
    w_u8(&w, 4);          /* 3.1.2.2: protocol level 4 = 3.1.1 */
    w_u8(&w, flags);
    w_u16(&w, c->keepalive_s);
    w_str(&w, c->client_id, id_len);
    if (c->will_topic != NULL) {
        w_str(&w, c->will_topic, wt_len);
        w_str(&w, c->will_msg, c->will_len);
    }
    if (c->username != NULL)
        w_str(&w, c->username, user_len);
    if (c->password != NULL)
        w_str(&w, c->password, c->password_len);
    return w_finish(&w, len);
}

gl_status mqttpkt_encode_publish_head(const mqttpkt_publish *p, uint8_t *buf, size_t cap, size_t *len)
{
    if (len == NULL)
        return GL_EINVAL;
    *len = 0;
    if (p == NULL || buf == NULL || p->topic == NULL)
        return GL_EINVAL;
    size_t tlen = p->topic_len ? p->topic_len : strlen(p->topic);
    if (!mqttpkt_topic_valid((const uint8_t *)p->topic, tlen))
        return GL_EINVAL;
    if (p->qos < 0 || p->qos > 2 || (p->qos > 0 && p->packet_id == 0) || (p->qos == 0 && p->dup))
        return GL_EINVAL; /* 3.3.1.1, 3.3.1.2, 2.3.1 */
    size_t rem = 2 + tlen + (p->qos > 0 ? 2 : 0);
    if (p->payload_len > MQTTPKT_MAX_REMAINING - rem)
        return GL_EBOUND;
    rem += p->payload_len;
    uint8_t first = (uint8_t)((MQTTPKT_PUBLISH << 4) | (p->dup ? 0x08 : 0) | (p->qos << 1) | (p->retain ? 1 : 0));
    wbuf w = {buf, cap, 0, 0};
    gl_status st = w_header(&w, first, rem);
    if (st != GL_OK)
        return st;
    w_str(&w, p->topic, tlen);
    if (p->qos > 0)
        w_u16(&w, p->packet_id);
    return w_finish(&w, len);
}

gl_status mqttpkt_encode_publish(const mqttpkt_publish *p, uint8_t *buf, size_t cap, size_t *len)
{
    if (len == NULL)
        return GL_EINVAL;
    *len = 0;
    if (p == NULL || (p->payload == NULL && p->payload_len > 0))
        return GL_EINVAL;
    size_t head = 0;
    gl_status st = mqttpkt_encode_publish_head(p, buf, cap, &head);
    if (st != GL_OK)
        return st;
    if (p->payload_len > cap - head)
        return GL_EBOUND;
    if (p->payload_len > 0)
        memcpy(buf + head, p->payload, p->payload_len);
    *len = head + p->payload_len;
    return GL_OK;
}

gl_status mqttpkt_encode_subscribe(uint16_t packet_id, const char *const *filters, const uint8_t *qos,
                                   size_t n, uint8_t *buf, size_t cap, size_t *len)
{
    if (len == NULL)
        return GL_EINVAL;
    *len = 0;
    if (buf == NULL || filters == NULL || qos == NULL || n == 0 || n > MQTTPKT_MAX_FILTERS ||
        packet_id == 0)
        return GL_EINVAL; /* [MQTT-3.8.3-3]: at least one filter */
    size_t rem = 2;
    for (size_t i = 0; i < n; i++) {
        size_t fl = filters[i] ? strlen(filters[i]) : 0;
        if (!mqttpkt_filter_valid((const uint8_t *)filters[i], fl) || qos[i] > 2)
            return GL_EINVAL;
        rem += 2 + fl + 1;
    }
    wbuf w = {buf, cap, 0, 0};
    gl_status st = w_header(&w, (MQTTPKT_SUBSCRIBE << 4) | 0x02, rem); /* [MQTT-3.8.1-1] */
    if (st != GL_OK)
        return st;
    w_u16(&w, packet_id);
    for (size_t i = 0; i < n; i++) {
        w_str(&w, filters[i], strlen(filters[i]));
        w_u8(&w, qos[i]);
    }
    return w_finish(&w, len);
}

gl_status mqttpkt_encode_ack(mqttpkt_type type, uint16_t packet_id, uint8_t *buf, size_t cap, size_t *len)
{
    if (len == NULL)
        return GL_EINVAL;
    *len = 0;
    if (buf == NULL || packet_id == 0)
        return GL_EINVAL;
    if (type != MQTTPKT_PUBACK && type != MQTTPKT_PUBREC && type != MQTTPKT_PUBREL &&
        type != MQTTPKT_PUBCOMP && type != MQTTPKT_UNSUBACK)
        return GL_EINVAL;
    wbuf w = {buf, cap, 0, 0};
    w_u8(&w, (uint8_t)((type << 4) | (type == MQTTPKT_PUBREL ? 0x02 : 0))); /* [MQTT-3.6.1-1] */
    w_u8(&w, 2);
    w_u16(&w, packet_id);
    return w_finish(&w, len);
}

gl_status mqttpkt_encode_connack(int session_present, int return_code, uint8_t *buf, size_t cap,
                                 size_t *len)
{
    if (len == NULL)
        return GL_EINVAL;
    *len = 0;
    if (buf == NULL || return_code < 0 || return_code > 5 || (return_code != 0 && session_present))
        return GL_EINVAL; /* [MQTT-3.2.2-4] */
    wbuf w = {buf, cap, 0, 0};
    w_u8(&w, MQTTPKT_CONNACK << 4);
    w_u8(&w, 2);
    w_u8(&w, session_present ? 1 : 0);
    w_u8(&w, (uint8_t)return_code);
    return w_finish(&w, len);
}

static int suback_code_valid(uint8_t c)
{
    return c <= 2 || c == MQTTPKT_SUBACK_FAILURE; /* 3.9.3 */
}

gl_status mqttpkt_encode_suback(uint16_t packet_id, const uint8_t *codes, size_t n, uint8_t *buf,
                                size_t cap, size_t *len)
{
    if (len == NULL)
        return GL_EINVAL;
    *len = 0;
    if (buf == NULL || codes == NULL || n == 0 || n > MQTTPKT_MAX_FILTERS || packet_id == 0)
        return GL_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!suback_code_valid(codes[i]))
            return GL_EINVAL;
    wbuf w = {buf, cap, 0, 0};
    w_u8(&w, MQTTPKT_SUBACK << 4);
    w_remaining(&w, 2 + n);
    w_u16(&w, packet_id);
    w_bytes(&w, codes, n);
    return w_finish(&w, len);
}

gl_status mqttpkt_encode_empty(mqttpkt_type type, uint8_t *buf, size_t cap, size_t *len)
{
    if (len == NULL)
        return GL_EINVAL;
    *len = 0;
    if (buf == NULL || (type != MQTTPKT_PINGREQ && type != MQTTPKT_PINGRESP && type != MQTTPKT_DISCONNECT))
        return GL_EINVAL;
    wbuf w = {buf, cap, 0, 0};
    w_u8(&w, (uint8_t)(type << 4));
    w_u8(&w, 0);
    return w_finish(&w, len);
}

/* ---- decoding ---- */

gl_status mqttpkt_frame(const uint8_t *buf, size_t len, size_t *total)
{
    if (total == NULL)
        return GL_EINVAL;
    *total = 0;
    if (buf == NULL && len > 0)
        return GL_EINVAL;
    if (len == 0)
        return GL_OK;
    int type = buf[0] >> 4;
    if (type == 0 || type == 15)
        return GL_EPROTO; /* 2.2.1: reserved */
    size_t rem = 0, mult = 1;
    for (size_t i = 1; i <= 4; i++) {
        if (i >= len)
            return GL_OK; /* header not complete */
        uint8_t b = buf[i];
        rem += (size_t)(b & 0x7f) * mult;
        if ((b & 0x80) == 0) {
            if (i > 1 && b == 0)
                return GL_EPROTO; /* non-minimal: a trailing zero length byte */
            *total = i + 1 + rem;
            return GL_OK;
        }
        mult *= 128;
    }
    return GL_EPROTO; /* 2.2.3: a fifth length byte */
}

/* A bounded reader: any read past the end marks it bad. */
typedef struct rbuf {
    const uint8_t *p;
    size_t len, pos;
    int bad;
} rbuf;

static size_t r_left(const rbuf *r)
{
    return r->len - r->pos;
}

static uint8_t r_u8(rbuf *r)
{
    if (r->bad || r_left(r) < 1) {
        r->bad = 1;
        return 0;
    }
    return r->p[r->pos++];
}

static uint16_t r_u16(rbuf *r)
{
    uint16_t hi = r_u8(r);
    uint16_t lo = r_u8(r);
    return (uint16_t)((hi << 8) | lo);
}

/* A length-prefixed field (1.5.2/1.5.3); utf8: check it as a string. */
static const uint8_t *r_str(rbuf *r, size_t *n, int utf8)
{
    size_t l = r_u16(r);
    if (r->bad || r_left(r) < l) {
        r->bad = 1;
        *n = 0;
        return NULL;
    }
    const uint8_t *s = r->p + r->pos;
    r->pos += l;
    if (utf8 && !utf8_valid(s, l))
        r->bad = 1;
    *n = l;
    return s;
}

static gl_status decode_connect(rbuf *r, mqttpkt *m)
{
    size_t n;
    const uint8_t *name = r_str(r, &n, 1);
    if (r->bad || n != 4 || memcmp(name, "MQTT", 4) != 0)
        return GL_EPROTO; /* [MQTT-3.1.2-1] */
    m->protocol_level = r_u8(r);
    uint8_t f = r_u8(r);
    m->keepalive_s = r_u16(r);
    if (r->bad || (f & 0x01))
        return GL_EPROTO; /* [MQTT-3.1.2-3]: reserved flag */
    m->clean_session = (f >> 1) & 1;
    m->has_will = (f >> 2) & 1;
    m->will_qos = (f >> 3) & 3;
    m->will_retain = (f >> 5) & 1;
    m->has_password = (f >> 6) & 1;
    m->has_username = (f >> 7) & 1;
    if (m->will_qos == 3 || (!m->has_will && (m->will_qos || m->will_retain)))
        return GL_EPROTO; /* [MQTT-3.1.2-13..15] */
    if (m->has_password && !m->has_username)
        return GL_EPROTO; /* [MQTT-3.1.2-22] */
    m->client_id = r_str(r, &m->client_id_len, 1);
    if (!r->bad && m->client_id_len == 0 && !m->clean_session)
        return GL_EPROTO; /* [MQTT-3.1.3-7] */
    if (m->has_will) {
        m->will_topic = r_str(r, &m->will_topic_len, 1);
        if (!r->bad && !mqttpkt_topic_valid(m->will_topic, m->will_topic_len))
            return GL_EPROTO;
        m->will_msg = r_str(r, &m->will_len, 0);
    }
    if (m->has_username)
        m->username = r_str(r, &m->username_len, 1);
    if (m->has_password)
        m->password = r_str(r, &m->password_len, 0);
    return r->bad || r_left(r) != 0 ? GL_EPROTO : GL_OK;
}

static gl_status decode_publish(rbuf *r, mqttpkt *m)
{
    m->dup = (m->flags >> 3) & 1;
    m->qos = (m->flags >> 1) & 3;
    m->retain = m->flags & 1;
    if (m->qos == 3 || (m->qos == 0 && m->dup))
        return GL_EPROTO; /* [MQTT-3.3.1-4], [MQTT-3.3.1-2] */
    m->topic = r_str(r, &m->topic_len, 1);
    if (r->bad || !mqttpkt_topic_valid(m->topic, m->topic_len))
        return GL_EPROTO; /* [MQTT-3.3.2-1], [MQTT-3.3.2-2] */
    if (m->qos > 0) {
        m->packet_id = r_u16(r);
        if (r->bad || m->packet_id == 0)
            return GL_EPROTO; /* [MQTT-2.3.1-1] */
    }
    m->payload = r->p + r->pos;
    m->payload_len = r_left(r);
    return GL_OK;
}

static gl_status decode_subscribe(rbuf *r, mqttpkt *m)
{
    m->packet_id = r_u16(r);
    if (r->bad || m->packet_id == 0)
        return GL_EPROTO;
    while (r_left(r) > 0) {
        size_t n;
        const uint8_t *f = r_str(r, &n, 1);
        uint8_t q = r_u8(r);
        if (r->bad || !mqttpkt_filter_valid(f, n) || (q & 0xfc))
            return GL_EPROTO; /* [MQTT-3.8.3-4]: reserved bits, QoS 3 */
        if (m->count == MQTTPKT_MAX_FILTERS)
            return GL_EPROTO; /* beyond our bound: treated as malformed */
        m->filters[m->count] = f;
        m->filter_lens[m->count] = n;
        m->codes[m->count++] = q;
    }
    return m->count == 0 ? GL_EPROTO : GL_OK; /* [MQTT-3.8.3-3] */
}

static gl_status decode_suback(rbuf *r, mqttpkt *m)
{
    m->packet_id = r_u16(r);
    if (r->bad || m->packet_id == 0 || r_left(r) == 0 || r_left(r) > MQTTPKT_MAX_FILTERS)
        return GL_EPROTO;
    while (r_left(r) > 0) {
        uint8_t c = r_u8(r);
        if (!suback_code_valid(c))
            return GL_EPROTO; /* 3.9.3 */
        m->codes[m->count++] = c;
    }
    return GL_OK;
}

/* 2.2.2: the only flags allowed per type (PUBLISH: any but checked above). */
static int flags_valid(int type, uint8_t flags)
{
    if (type == MQTTPKT_PUBLISH)
        return 1;
    if (type == MQTTPKT_PUBREL || type == MQTTPKT_SUBSCRIBE || type == MQTTPKT_UNSUBSCRIBE)
        return flags == 0x02;
    return flags == 0;
}

static gl_status decode_body(rbuf *r, mqttpkt *m)
{
    switch (m->type) {
    case MQTTPKT_CONNECT:
        return decode_connect(r, m);
    case MQTTPKT_CONNACK: {
        uint8_t ack = r_u8(r);
        m->return_code = r_u8(r);
        m->session_present = ack & 1;
        if (r->bad || r_left(r) != 0 || (ack & 0xfe) || m->return_code > 5 ||
            (m->return_code != 0 && m->session_present))
            return GL_EPROTO; /* 3.2.2.1, 3.2.2.3, [MQTT-3.2.2-4] */
        return GL_OK;
    }
    case MQTTPKT_PUBLISH:
        return decode_publish(r, m);
    case MQTTPKT_PUBACK:
    case MQTTPKT_PUBREC:
    case MQTTPKT_PUBREL:
    case MQTTPKT_PUBCOMP:
    case MQTTPKT_UNSUBACK:
        m->packet_id = r_u16(r);
        return r->bad || r_left(r) != 0 || m->packet_id == 0 ? GL_EPROTO : GL_OK;
    case MQTTPKT_SUBSCRIBE:
        return decode_subscribe(r, m);
    case MQTTPKT_SUBACK:
        return decode_suback(r, m);
    case MQTTPKT_UNSUBSCRIBE:
        return GL_EUNSUPPORTED;
    case MQTTPKT_PINGREQ:
    case MQTTPKT_PINGRESP:
    case MQTTPKT_DISCONNECT:
        return r_left(r) == 0 ? GL_OK : GL_EPROTO;
    default:
        return GL_EPROTO;
    }
}

gl_status mqttpkt_decode_publish_head(const uint8_t *buf, size_t len, mqttpkt *out, size_t *head_len)
{
    if (out == NULL || head_len == NULL || buf == NULL)
        return GL_EINVAL;
    memset(out, 0, sizeof *out);
    *head_len = 0;
    size_t total;
    gl_status st = mqttpkt_frame(buf, len, &total);
    if (st != GL_OK || total == 0)
        return st;
    if ((buf[0] >> 4) != MQTTPKT_PUBLISH)
        return GL_EPROTO;
    size_t hdr = 1;
    while (buf[hdr] & 0x80)
        hdr++;
    hdr++;
    out->type = MQTTPKT_PUBLISH;
    out->flags = buf[0] & 0x0f;
    size_t avail = (len < total ? len : total) - hdr;
    if (avail < 2)
        return GL_OK; /* the topic length is not there yet */
    size_t tlen = (size_t)buf[hdr] << 8 | buf[hdr + 1];
    size_t need = 2 + tlen + (((out->flags >> 1) & 3) > 0 ? 2 : 0);
    if (need > total - hdr)
        return GL_EPROTO; /* the topic runs past the packet */
    if (avail < need)
        return GL_OK;
    rbuf r = {buf + hdr, need, 0, 0};
    st = decode_publish(&r, out);
    if (st != GL_OK)
        return st;
    out->payload = buf + hdr + need;
    out->payload_len = total - hdr - need;
    *head_len = hdr + need;
    return GL_OK;
}

gl_status mqttpkt_decode(const uint8_t *buf, size_t len, mqttpkt *out)
{
    if (out == NULL)
        return GL_EINVAL;
    memset(out, 0, sizeof *out);
    if (buf == NULL)
        return GL_EINVAL;
    size_t total;
    gl_status st = mqttpkt_frame(buf, len, &total);
    if (st != GL_OK)
        return st;
    if (total == 0 || total != len)
        return GL_EPROTO; /* truncated, or bytes after the packet */
    size_t hdr = 1;
    while (buf[hdr] & 0x80)
        hdr++;
    hdr++;
    out->type = (mqttpkt_type)(buf[0] >> 4);
    out->flags = buf[0] & 0x0f;
    if (!flags_valid(out->type, out->flags))
        return GL_EPROTO; /* [MQTT-2.2.2-2] */
    rbuf r = {buf + hdr, len - hdr, 0, 0};
    st = decode_body(&r, out);
    if (st != GL_OK) {
        mqttpkt_type t = out->type;
        memset(out, 0, sizeof *out);
        out->type = t;
    }
    return st;
}

const char *mqttpkt_type_name(int type)
{
    static const char *const names[] = {"?",      "CONNECT",   "CONNACK",  "PUBLISH",  "PUBACK",
                                        "PUBREC", "PUBREL",    "PUBCOMP",  "SUBSCRIBE", "SUBACK",
                                        "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT"};
    if (type < 1 || type > 14)
        return "?";
    return names[type];
}
