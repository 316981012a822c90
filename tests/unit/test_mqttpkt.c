/* test_mqttpkt.c: the MQTT 3.1.1 codec against the spec's byte examples,
 * round trips and a table of malformed packets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mqttpkt.h"

#define B(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

/* Section 2.2.3, table 2.4: remaining length encodings at each size edge. */
struct len_case {
    size_t value;
    uint8_t bytes[4];
    size_t n;
};

static void test_remaining_length_spec_table(void **state)
{
    (void)state;
    static const struct len_case cases[] = {
        {0, {0x00}, 1},
        {127, {0x7f}, 1},
        {128, {0x80, 0x01}, 2},
        {16383, {0xff, 0x7f}, 2},
        {16384, {0x80, 0x80, 0x01}, 3},
        {2097151, {0xff, 0xff, 0x7f}, 3},
        {2097152, {0x80, 0x80, 0x80, 0x01}, 4},
        {268435455, {0xff, 0xff, 0xff, 0x7f}, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t hdr[5] = {0x30};
        memcpy(hdr + 1, cases[i].bytes, cases[i].n);
        size_t total = 99;
        assert_int_equal(mqttpkt_frame(hdr, 1 + cases[i].n, &total), GL_OK);
        assert_int_equal(total, 1 + cases[i].n + cases[i].value);
        /* one byte short: not complete yet (except the 1-byte case's type byte alone) */
        assert_int_equal(mqttpkt_frame(hdr, cases[i].n, &total), GL_OK);
        assert_int_equal(total, 0);
    }
    /* the encoder writes the same bytes: a QoS 0 PUBLISH with 128 - 3 payload bytes */
    static uint8_t payload[200];
    uint8_t buf[256];
    size_t len;
    mqttpkt_publish p = {.topic = "a", .payload = payload, .payload_len = 125};
    assert_int_equal(mqttpkt_encode_publish(&p, buf, sizeof buf, &len), GL_OK);
    assert_int_equal(buf[1], 0x80);
    assert_int_equal(buf[2], 0x01);
    assert_int_equal(len, 3 + 128);
}

struct frame_bad {
    const uint8_t *bytes;
    size_t n;
    const char *why;
};

static void test_frame_rejects(void **state)
{
    (void)state;
    const struct frame_bad cases[] = {
        {B(0x00, 0x00), "reserved type 0 (2.2.1)"},
        {B(0xf0, 0x00), "reserved type 15 (2.2.1)"},
        {B(0x30, 0xff, 0xff, 0xff, 0xff, 0x01), "fifth length byte (2.2.3)"},
        {B(0x30, 0x80, 0x00), "non-minimal length"},
        {B(0x30, 0x80, 0x80, 0x80, 0x00), "non-minimal 4-byte length"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t total;
        if (mqttpkt_frame(cases[i].bytes, cases[i].n, &total) != GL_EPROTO)
            fail_msg("case %zu (%s) accepted", i, cases[i].why);
    }
}

/* Section 3.1.2.10, figure 3.11: the variable header example (user name,
 * password, will retain 0, will QoS 1, will flag, clean session; keepalive 10). */
static void test_connect_spec_example(void **state)
{
    (void)state;
    static const uint8_t will_msg[] = "bye";
    static const uint8_t pw[] = {'p', 'w'};
    mqttpkt_connect c = {.client_id = "gw-0001", .keepalive_s = 10, .clean_session = 1,
                         .will_topic = "w", .will_msg = will_msg, .will_len = 3, .will_qos = 1,
                         .username = "u", .password = pw, .password_len = 2};
    uint8_t buf[128];
    size_t len;
    assert_int_equal(mqttpkt_encode_connect(&c, buf, sizeof buf, &len), GL_OK);
    static const uint8_t vh[] = {0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0xce, 0x00, 0x0a};
    assert_int_equal(buf[0], 0x10);
    assert_memory_equal(buf + 2, vh, sizeof vh);
    assert_int_equal(buf[1], len - 2);
    mqttpkt m;
    assert_int_equal(mqttpkt_decode(buf, len, &m), GL_OK);
    assert_int_equal(m.type, MQTTPKT_CONNECT);
    assert_int_equal(m.protocol_level, 4);
    assert_int_equal(m.keepalive_s, 10);
    assert_int_equal(m.will_qos, 1);
    assert_int_equal(m.client_id_len, 7);
    assert_memory_equal(m.client_id, "gw-0001", 7);
    assert_memory_equal(m.will_msg, "bye", 3);
    assert_memory_equal(m.password, "pw", 2);

    /* the gateway's own: persistent session, no will, no credentials */
    mqttpkt_connect g = {.client_id = "gw-0001", .keepalive_s = 60, .clean_session = 0};
    assert_int_equal(mqttpkt_encode_connect(&g, buf, sizeof buf, &len), GL_OK);
    static const uint8_t want[] = {0x10, 19,  0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x00, 0x00, 60,
                                   0x00, 7,   'g',  'w',  '-', '0', '0', '0', '1'};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
}

struct enc_bad {
    mqttpkt_connect c;
    gl_status want;
};

static void test_connect_encode_refuses(void **state)
{
    (void)state;
    static const uint8_t pw[] = {'x'};
    const struct enc_bad cases[] = {
        {{.client_id = "", .clean_session = 0}, GL_EINVAL},                  /* [MQTT-3.1.3-7] */
        {{.client_id = "a", .password = pw, .password_len = 1}, GL_EINVAL}, /* [MQTT-3.1.2-22] */
        {{.client_id = "a", .will_topic = "a/#"}, GL_EINVAL},               /* will topic wildcard */
        {{.client_id = "a", .will_topic = "a", .will_qos = 3}, GL_EINVAL},
        {{.client_id = "\xc0\xaf"}, GL_EINVAL},                              /* overlong UTF-8 */
        {{.client_id = NULL}, GL_EINVAL},
    };
    uint8_t buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = 7;
        if (mqttpkt_encode_connect(&cases[i].c, buf, sizeof buf, &len) != cases[i].want || len != 0)
            fail_msg("case %zu", i);
    }
    mqttpkt_connect ok = {.client_id = "gw-0001"};
    size_t len;
    assert_int_equal(mqttpkt_encode_connect(&ok, buf, 20, &len), GL_EBOUND); /* needs 21 */
    assert_int_equal(mqttpkt_encode_connect(&ok, buf, 21, &len), GL_OK);
}

static void test_publish_round_trip(void **state)
{
    (void)state;
    static const uint8_t body[] = "{\"v\":1}";
    const mqttpkt_publish cases[] = {
        {.topic = "gl/v1/gw-0001/readings", .payload = body, .payload_len = 7, .qos = 1, .packet_id = 1},
        {.topic = "gl/v1/gw-0001/status", .payload = body, .payload_len = 7, .qos = 1, .dup = 1,
         .packet_id = 65535},
        {.topic = "a", .payload = NULL, .payload_len = 0, .qos = 0, .retain = 1},
        {.topic = "电/表", .payload = body, .payload_len = 1, .qos = 2, .packet_id = 7},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[128];
        size_t len;
        mqttpkt m;
        assert_int_equal(mqttpkt_encode_publish(&cases[i], buf, sizeof buf, &len), GL_OK);
        assert_int_equal(mqttpkt_decode(buf, len, &m), GL_OK);
        assert_int_equal(m.type, MQTTPKT_PUBLISH);
        assert_int_equal(m.qos, cases[i].qos);
        assert_int_equal(m.dup, cases[i].dup);
        assert_int_equal(m.retain, cases[i].retain);
        assert_int_equal(m.packet_id, cases[i].packet_id);
        assert_int_equal(m.topic_len, strlen(cases[i].topic));
        assert_memory_equal(m.topic, cases[i].topic, m.topic_len);
        assert_int_equal(m.payload_len, cases[i].payload_len);
        /* every shorter buffer is refused without writing past it */
        for (size_t cap = 0; cap < len; cap++) {
            uint8_t small[128];
            memset(small, 0xaa, sizeof small);
            size_t l2;
            assert_int_equal(mqttpkt_encode_publish(&cases[i], small, cap, &l2), GL_EBOUND);
            assert_int_equal(small[cap], 0xaa);
        }
    }
    /* the exact bytes of a QoS 1 publish */
    mqttpkt_publish p = {.topic = "a/b", .payload = (const uint8_t *)"hi", .payload_len = 2, .qos = 1,
                         .packet_id = 10};
    uint8_t buf[32];
    size_t len;
    assert_int_equal(mqttpkt_encode_publish(&p, buf, sizeof buf, &len), GL_OK);
    static const uint8_t want[] = {0x32, 9, 0, 3, 'a', '/', 'b', 0, 10, 'h', 'i'};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
}

static void test_publish_encode_refuses(void **state)
{
    (void)state;
    const mqttpkt_publish cases[] = {
        {.topic = "", .qos = 0},                         /* 4.7.3: at least one character */
        {.topic = "a/+", .qos = 0},                      /* [MQTT-3.3.2-2] */
        {.topic = "a/#", .qos = 0},
        {.topic = "a", .qos = 1, .packet_id = 0},        /* [MQTT-2.3.1-1] */
        {.topic = "a", .qos = 0, .dup = 1},              /* [MQTT-3.3.1-2] */
        {.topic = "a", .qos = 3, .packet_id = 1},
        {.topic = "a\xed\xa0\x80", .qos = 0},            /* a surrogate [MQTT-1.5.3-1] */
        {.topic = "a", .payload = NULL, .payload_len = 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[64];
        size_t len;
        if (mqttpkt_encode_publish(&cases[i], buf, sizeof buf, &len) != GL_EINVAL)
            fail_msg("case %zu accepted", i);
    }
    /* a payload past 268,435,455 bytes is refused before anything is read */
    static const uint8_t one = 0;
    mqttpkt_publish big = {.topic = "a", .payload = &one, .payload_len = MQTTPKT_MAX_REMAINING};
    uint8_t buf[8];
    size_t len;
    assert_int_equal(mqttpkt_encode_publish(&big, buf, sizeof buf, &len), GL_EBOUND);
}

struct dec_case {
    const uint8_t *bytes;
    size_t n;
    gl_status want;
    int type;
    uint16_t packet_id;
    const char *why;
};

/* The head of a PUBLISH alone: encoded before a payload built in place
 * (same bytes as the whole packet's start), and decoded from the first
 * bytes of a packet too large to hold, with "need more" below the head. */
static void test_publish_head(void **state)
{
    (void)state;
    uint8_t payload[300], whole[400], head[64];
    memset(payload, 'p', sizeof payload);
    static const size_t lens[] = {0, 1, 100, 300};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        mqttpkt_publish p = {.topic = "gl/v1/gw/down/payments", .payload = payload, .payload_len = lens[i],
                             .qos = 1, .packet_id = 77};
        size_t wl, hl, got;
        assert_int_equal(mqttpkt_encode_publish(&p, whole, sizeof whole, &wl), GL_OK);
        p.payload = NULL;
        assert_int_equal(mqttpkt_encode_publish_head(&p, head, sizeof head, &hl), GL_OK);
        assert_int_equal(wl, hl + lens[i]);
        assert_memory_equal(whole, head, hl);
        mqttpkt m;
        for (size_t cut = 0; cut < hl; cut++) { /* the head not all there yet */
            assert_int_equal(mqttpkt_decode_publish_head(whole, cut, &m, &got), GL_OK);
            assert_int_equal(got, 0);
        }
        assert_int_equal(mqttpkt_decode_publish_head(whole, hl, &m, &got), GL_OK);
        assert_int_equal(got, hl);
        assert_int_equal(m.packet_id, 77);
        assert_int_equal(m.qos, 1);
        assert_int_equal(m.payload_len, lens[i]);
        assert_int_equal(m.topic_len, strlen("gl/v1/gw/down/payments"));
        assert_memory_equal(m.topic, "gl/v1/gw/down/payments", m.topic_len);
    }
    mqttpkt_publish p = {.topic = "a", .payload_len = 1, .qos = 1, .packet_id = 0};
    size_t hl;
    assert_int_equal(mqttpkt_encode_publish_head(&p, head, sizeof head, &hl), GL_EINVAL); /* id 0 on QoS 1 */
    p.packet_id = 1;
    assert_int_equal(mqttpkt_encode_publish_head(&p, head, 3, &hl), GL_EBOUND);
    /* not a PUBLISH; a topic running past the packet; a wildcard topic */
    static const uint8_t puback[] = {0x40, 0x02, 0x00, 0x01};
    static const uint8_t long_topic[] = {0x32, 0x04, 0x00, 0x09, 'a', 'b'};
    static const uint8_t wildcard[] = {0x32, 0x07, 0x00, 0x03, 'a', '/', '#', 0x00, 0x01};
    mqttpkt m;
    size_t got;
    assert_int_equal(mqttpkt_decode_publish_head(puback, sizeof puback, &m, &got), GL_EPROTO);
    assert_int_equal(mqttpkt_decode_publish_head(long_topic, sizeof long_topic, &m, &got), GL_EPROTO);
    assert_int_equal(mqttpkt_decode_publish_head(wildcard, sizeof wildcard, &m, &got), GL_EPROTO);
}

static void test_decode_table(void **state)
{
    (void)state;
    const struct dec_case cases[] = {
        {B(0x20, 0x02, 0x00, 0x00), GL_OK, MQTTPKT_CONNACK, 0, "CONNACK accepted"},
        {B(0x20, 0x02, 0x01, 0x00), GL_OK, MQTTPKT_CONNACK, 0, "CONNACK session present"},
        {B(0x20, 0x02, 0x00, 0x05), GL_OK, MQTTPKT_CONNACK, 0, "CONNACK not authorized"},
        {B(0x20, 0x02, 0x00, 0x06), GL_EPROTO, 0, 0, "CONNACK return code 6 (3.2.2.3)"},
        {B(0x20, 0x02, 0x02, 0x00), GL_EPROTO, 0, 0, "CONNACK reserved bit (3.2.2.1)"},
        {B(0x20, 0x02, 0x01, 0x04), GL_EPROTO, 0, 0, "session present with refusal [MQTT-3.2.2-4]"},
        {B(0x20, 0x03, 0x00, 0x00, 0x00), GL_EPROTO, 0, 0, "CONNACK too long"},
        {B(0x21, 0x02, 0x00, 0x00), GL_EPROTO, 0, 0, "CONNACK flags (2.2.2)"},
        {B(0x20, 0x01, 0x00), GL_EPROTO, 0, 0, "CONNACK too short"},
        {B(0x40, 0x02, 0x12, 0x34), GL_OK, MQTTPKT_PUBACK, 0x1234, "PUBACK"},
        {B(0x40, 0x02, 0x00, 0x00), GL_EPROTO, 0, 0, "PUBACK id 0 (2.3.1)"},
        {B(0x42, 0x02, 0x00, 0x01), GL_EPROTO, 0, 0, "PUBACK flags"},
        {B(0x62, 0x02, 0x00, 0x01), GL_OK, MQTTPKT_PUBREL, 1, "PUBREL flags 0010"},
        {B(0x60, 0x02, 0x00, 0x01), GL_EPROTO, 0, 0, "PUBREL flags 0000 [MQTT-3.6.1-1]"},
        {B(0x90, 0x03, 0x00, 0x01, 0x01), GL_OK, MQTTPKT_SUBACK, 1, "SUBACK granted 1"},
        {B(0x90, 0x04, 0x00, 0x02, 0x80, 0x00), GL_OK, MQTTPKT_SUBACK, 2, "SUBACK failure + 0"},
        {B(0x90, 0x03, 0x00, 0x01, 0x03), GL_EPROTO, 0, 0, "SUBACK code 3 (3.9.3)"},
        {B(0x90, 0x02, 0x00, 0x01), GL_EPROTO, 0, 0, "SUBACK without codes"},
        {B(0xd0, 0x00), GL_OK, MQTTPKT_PINGRESP, 0, "PINGRESP"},
        {B(0xc0, 0x00), GL_OK, MQTTPKT_PINGREQ, 0, "PINGREQ"},
        {B(0xe0, 0x00), GL_OK, MQTTPKT_DISCONNECT, 0, "DISCONNECT"},
        {B(0xd0, 0x01, 0x00), GL_EPROTO, 0, 0, "PINGRESP with a body"},
        {B(0xd1, 0x00), GL_EPROTO, 0, 0, "PINGRESP flags"},
        {B(0x30, 0x03, 0x00, 0x01, 'a'), GL_OK, MQTTPKT_PUBLISH, 0, "PUBLISH qos0 empty payload"},
        {B(0x32, 0x05, 0x00, 0x01, 'a', 0x00, 0x07), GL_OK, MQTTPKT_PUBLISH, 7, "PUBLISH qos1"},
        {B(0x32, 0x05, 0x00, 0x01, 'a', 0x00, 0x00), GL_EPROTO, 0, 0, "PUBLISH qos1 id 0"},
        {B(0x36, 0x05, 0x00, 0x01, 'a', 0x00, 0x07), GL_EPROTO, 0, 0, "PUBLISH qos 3 [MQTT-3.3.1-4]"},
        {B(0x38, 0x03, 0x00, 0x01, 'a'), GL_EPROTO, 0, 0, "PUBLISH dup with qos0 [MQTT-3.3.1-2]"},
        {B(0x30, 0x03, 0x00, 0x01, '#'), GL_EPROTO, 0, 0, "PUBLISH wildcard [MQTT-3.3.2-2]"},
        {B(0x30, 0x02, 0x00, 0x00), GL_EPROTO, 0, 0, "PUBLISH empty topic (4.7.3)"},
        {B(0x30, 0x03, 0x00, 0x01, 0x00), GL_EPROTO, 0, 0, "PUBLISH U+0000 [MQTT-1.5.3-2]"},
        {B(0x30, 0x04, 0x00, 0x02, 0xc0, 0x80), GL_EPROTO, 0, 0, "PUBLISH overlong NUL"},
        {B(0x30, 0x03, 0x00, 0x05, 'a'), GL_EPROTO, 0, 0, "PUBLISH topic longer than packet"},
        {B(0x32, 0x04, 0x00, 0x01, 'a', 0x00), GL_EPROTO, 0, 0, "PUBLISH qos1 half an id"},
        {B(0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x01), GL_OK, MQTTPKT_SUBSCRIBE, 1, "SUBSCRIBE"},
        {B(0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x01), GL_EPROTO, 0, 0, "SUBSCRIBE flags [MQTT-3.8.1-1]"},
        {B(0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x04), GL_EPROTO, 0, 0, "SUBSCRIBE reserved [MQTT-3.8.3-4]"},
        {B(0x82, 0x02, 0x00, 0x01), GL_EPROTO, 0, 0, "SUBSCRIBE no filter [MQTT-3.8.3-3]"},
        {B(0x82, 0x07, 0x00, 0x01, 0x00, 0x02, 'a', '#', 0x01), GL_EPROTO, 0, 0, "filter a# (4.7.1.2)"},
        {B(0xa2, 0x05, 0x00, 0x01, 0x00, 0x01, 'a'), GL_EUNSUPPORTED, 0, 0, "UNSUBSCRIBE"},
        {B(0x10, 0x0c, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00), GL_OK,
         MQTTPKT_CONNECT, 0, "CONNECT empty id, clean"},
        {B(0x10, 0x0c, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x00, 0x00, 0x3c, 0x00, 0x00), GL_EPROTO, 0,
         0, "CONNECT empty id, persistent [MQTT-3.1.3-7]"},
        {B(0x10, 0x0c, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x03, 0x00, 0x3c, 0x00, 0x00), GL_EPROTO, 0,
         0, "CONNECT reserved flag [MQTT-3.1.2-3]"},
        {B(0x10, 0x0c, 0x00, 0x04, 'M', 'Q', 'T', 'X', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00), GL_EPROTO, 0,
         0, "CONNECT protocol name [MQTT-3.1.2-1]"},
        {B(0x10, 0x0c, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x42, 0x00, 0x3c, 0x00, 0x00), GL_EPROTO, 0,
         0, "CONNECT password without user [MQTT-3.1.2-22]"},
        {B(0x10, 0x0c, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x0a, 0x00, 0x3c, 0x00, 0x00), GL_EPROTO, 0,
         0, "CONNECT will QoS without will [MQTT-3.1.2-13]"},
        {B(0x30, 0x05, 0x00, 0x01, 'a'), GL_EPROTO, 0, 0, "truncated packet"},
        {B(0x30, 0x03, 0x00, 0x01, 'a', 0x00), GL_EPROTO, 0, 0, "bytes after the packet"},
        {B(0x30), GL_EPROTO, 0, 0, "header only"},
        {B(0x00, 0x00), GL_EPROTO, 0, 0, "reserved type"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mqttpkt m;
        gl_status st = mqttpkt_decode(cases[i].bytes, cases[i].n, &m);
        if (st != cases[i].want)
            fail_msg("case %zu (%s): got %s want %s", i, cases[i].why, gl_status_name(st),
                     gl_status_name(cases[i].want));
        if (st == GL_OK && ((int)m.type != cases[i].type || m.packet_id != cases[i].packet_id))
            fail_msg("case %zu (%s): type %d id %u", i, cases[i].why, m.type, m.packet_id);
    }
}

static void test_subscribe_round_trip(void **state)
{
    (void)state;
    const char *filters[] = {"gl/v1/gw-0001/down/#", "a/+/b", "+"};
    const uint8_t qos[] = {1, 0, 2};
    uint8_t buf[128];
    size_t len;
    mqttpkt m;
    assert_int_equal(mqttpkt_encode_subscribe(9, filters, qos, 3, buf, sizeof buf, &len), GL_OK);
    assert_int_equal(buf[0], 0x82);
    assert_int_equal(mqttpkt_decode(buf, len, &m), GL_OK);
    assert_int_equal(m.count, 3);
    assert_int_equal(m.packet_id, 9);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(m.filter_lens[i], strlen(filters[i]));
        assert_memory_equal(m.filters[i], filters[i], m.filter_lens[i]);
        assert_int_equal(m.codes[i], qos[i]);
    }
    const char *bad[] = {"a/#/b"};
    assert_int_equal(mqttpkt_encode_subscribe(9, bad, qos, 1, buf, sizeof buf, &len), GL_EINVAL);
    assert_int_equal(mqttpkt_encode_subscribe(0, filters, qos, 1, buf, sizeof buf, &len), GL_EINVAL);
    assert_int_equal(mqttpkt_encode_subscribe(9, filters, qos, 0, buf, sizeof buf, &len), GL_EINVAL);

    /* SUBACK, CONNACK, acks and the empty packets round trip */
    const uint8_t codes[] = {1, MQTTPKT_SUBACK_FAILURE};
    assert_int_equal(mqttpkt_encode_suback(9, codes, 2, buf, sizeof buf, &len), GL_OK);
    assert_int_equal(mqttpkt_decode(buf, len, &m), GL_OK);
    assert_int_equal(m.count, 2);
    assert_int_equal(m.codes[1], 0x80);
    assert_int_equal(mqttpkt_encode_connack(1, 0, buf, sizeof buf, &len), GL_OK);
    assert_int_equal(mqttpkt_decode(buf, len, &m), GL_OK);
    assert_int_equal(m.session_present, 1);
    assert_int_equal(mqttpkt_encode_connack(1, 5, buf, sizeof buf, &len), GL_EINVAL);
    const int acks[] = {MQTTPKT_PUBACK, MQTTPKT_PUBREC, MQTTPKT_PUBREL, MQTTPKT_PUBCOMP, MQTTPKT_UNSUBACK};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(mqttpkt_encode_ack((mqttpkt_type)acks[i], 300, buf, sizeof buf, &len), GL_OK);
        assert_int_equal(len, 4);
        assert_int_equal(mqttpkt_decode(buf, len, &m), GL_OK);
        assert_int_equal(m.type, acks[i]);
        assert_int_equal(m.packet_id, 300);
    }
    assert_int_equal(mqttpkt_encode_ack(MQTTPKT_PUBACK, 0, buf, sizeof buf, &len), GL_EINVAL);
    const int empties[] = {MQTTPKT_PINGREQ, MQTTPKT_PINGRESP, MQTTPKT_DISCONNECT};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(mqttpkt_encode_empty((mqttpkt_type)empties[i], buf, sizeof buf, &len), GL_OK);
        assert_int_equal(len, 2);
        assert_int_equal(buf[0], empties[i] << 4);
        assert_int_equal(mqttpkt_decode(buf, len, &m), GL_OK);
    }
    assert_int_equal(mqttpkt_encode_empty(MQTTPKT_PUBACK, buf, sizeof buf, &len), GL_EINVAL);
}

struct filter_case {
    const char *s;
    int filter_ok, topic_ok;
};

/* Section 4.7.1 examples. */
static void test_topic_and_filter_rules(void **state)
{
    (void)state;
    static const struct filter_case cases[] = {
        {"sport/tennis/player1/#", 1, 0}, {"sport/#", 1, 0}, {"#", 1, 0}, {"sport/tennis#", 0, 0},
        {"sport/tennis/#/ranking", 0, 0}, {"+", 1, 0},       {"+/tennis/#", 1, 0}, {"sport+", 0, 0},
        {"sport/+/player1", 1, 0},        {"/finance", 1, 1}, {"/", 1, 1},          {"", 0, 0},
        {"gl/v1/gw-0001/ack", 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const uint8_t *s = (const uint8_t *)cases[i].s;
        size_t n = strlen(cases[i].s);
        if (mqttpkt_filter_valid(s, n) != cases[i].filter_ok || mqttpkt_topic_valid(s, n) != cases[i].topic_ok)
            fail_msg("case %zu: %s", i, cases[i].s);
    }
    assert_string_equal(mqttpkt_type_name(MQTTPKT_PUBACK), "PUBACK");
    assert_string_equal(mqttpkt_type_name(0), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_remaining_length_spec_table),
        cmocka_unit_test(test_frame_rejects),
        cmocka_unit_test(test_connect_spec_example),
        cmocka_unit_test(test_connect_encode_refuses),
        cmocka_unit_test(test_publish_round_trip),
        cmocka_unit_test(test_publish_encode_refuses),
        cmocka_unit_test(test_decode_table),
        cmocka_unit_test(test_publish_head),
        cmocka_unit_test(test_subscribe_round_trip),
        cmocka_unit_test(test_topic_and_filter_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
