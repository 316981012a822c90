/* fuzz_mqttpkt.c: the MQTT packet framer and decoder on arbitrary bytes
 * must never crash or read out of bounds; whatever decodes must re-encode to
 * the same bytes (the codec has one encoding per packet); the head reader
 * of oversize PUBLISH packets agrees with the decoder. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqttpkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reencode(const uint8_t *data, size_t size, const mqttpkt *m)
{
    uint8_t buf[512];
    size_t len = 0;
    gl_status st = GL_EUNSUPPORTED;
    if (size > sizeof buf)
        return;
    switch (m->type) {
    case MQTTPKT_PUBLISH: {
        mqttpkt_publish p = {.topic = (const char *)m->topic, .topic_len = m->topic_len,
                             .payload = m->payload, .payload_len = m->payload_len, .qos = m->qos,
                             .retain = m->retain, .dup = m->dup, .packet_id = m->packet_id};
        st = mqttpkt_encode_publish(&p, buf, sizeof buf, &len);
        break;
    }
    case MQTTPKT_PUBACK:
    case MQTTPKT_PUBREC:
    case MQTTPKT_PUBREL:
    case MQTTPKT_PUBCOMP:
    case MQTTPKT_UNSUBACK:
        st = mqttpkt_encode_ack(m->type, m->packet_id, buf, sizeof buf, &len);
        break;
    case MQTTPKT_CONNACK:
        st = mqttpkt_encode_connack(m->session_present, m->return_code, buf, sizeof buf, &len);
        break;
    case MQTTPKT_SUBACK:
        st = mqttpkt_encode_suback(m->packet_id, m->codes, m->count, buf, sizeof buf, &len);
        break;
    case MQTTPKT_PINGREQ:
    case MQTTPKT_PINGRESP:
    case MQTTPKT_DISCONNECT:
        st = mqttpkt_encode_empty(m->type, buf, sizeof buf, &len);
        break;
    default:
        return;
    }
    if (st != GL_OK || len != size || memcmp(buf, data, size) != 0)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes, so ASan sees any over-read */
    uint8_t *copy = malloc(size ? size : 1);
    if (copy == NULL)
        return 0;
    if (size > 0)
        memcpy(copy, data, size);
    size_t total = 0;
    gl_status st = mqttpkt_frame(copy, size, &total);
    if (st == GL_OK && total > 0 && total <= size) {
        mqttpkt m;
        st = mqttpkt_decode(copy, total, &m);
        if (st == GL_OK)
            check_reencode(copy, total, &m);
        else if (st != GL_EPROTO && st != GL_EUNSUPPORTED)
            __builtin_trap();
    }
    mqttpkt m2;
    st = mqttpkt_decode(copy, size, &m2); /* the whole input as one packet */
    if (st != GL_OK && st != GL_EPROTO && st != GL_EUNSUPPORTED && st != GL_EINVAL)
        __builtin_trap();
    /* the input as the first bytes of a PUBLISH too large to hold: a head
     * read must stay inside them and agree with the full decode */
    size_t head = 0;
    mqttpkt m3;
    st = mqttpkt_decode_publish_head(copy, size, &m3, &head);
    if ((st != GL_OK && st != GL_EPROTO && st != GL_EINVAL) || head > size ||
        (st == GL_OK && head > 0 && m3.payload != copy + head))
        __builtin_trap();
    if (st == GL_OK && head > 0 && mqttpkt_decode(copy, size, &m2) == GL_OK &&
        (m2.packet_id != m3.packet_id || m2.payload_len != m3.payload_len || m2.topic_len != m3.topic_len))
        __builtin_trap();
    free(copy);
    return 0;
}
