/* test_dlt645.c: the DL/T 645-2007 codec as tables: frame builders byte for
 * byte against published frames, decoding with preambles 0..4, checksum
 * edge cases, every error reply, BCD, sign and time decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dlt645.h"

static dlt645_addr addr_of(const char *digits)
{
    dlt645_addr a;
    assert_int_equal(dlt645_addr_parse(digits, &a), GL_OK);
    return a;
}

static void test_addr_parse_format(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        gl_status st;
        uint8_t wire[6];
    } cases[] = {
        {"000000000001", GL_OK, {0x01, 0, 0, 0, 0, 0}},
        {"123456789012", GL_OK, {0x12, 0x90, 0x78, 0x56, 0x34, 0x12}},
        {"999999999999", GL_OK, {0x99, 0x99, 0x99, 0x99, 0x99, 0x99}},
        {"12345678901", GL_ESYNTAX, {0}},   /* 11 digits */
        {"1234567890123", GL_ESYNTAX, {0}}, /* 13 digits */
        {"12345678901A", GL_ESYNTAX, {0}},
        {"", GL_ESYNTAX, {0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dlt645_addr a;
        char back[13];
        assert_int_equal(dlt645_addr_parse(cases[i].text, &a), cases[i].st);
        if (cases[i].st != GL_OK)
            continue;
        assert_memory_equal(a.b, cases[i].wire, 6);
        dlt645_addr_format(&a, back);
        assert_string_equal(back, cases[i].text);
    }
    dlt645_addr w = dlt645_addr_wildcard();
    char text[13];
    dlt645_addr_format(&w, text);
    assert_string_equal(text, "AAAAAAAAAAAA");
}

struct built {
    const char *what;
    uint8_t bytes[64];
    size_t n;
};

static void expect_bytes(const struct built *want, const uint8_t *got, size_t n)
{
    if (n != want->n || memcmp(got, want->bytes, n) != 0) {
        print_error("%s: got %zu bytes:", want->what, n);
        for (size_t i = 0; i < n; i++)
            print_error(" %02X", got[i]);
        print_error("\n");
        fail();
    }
}

/* Worked frames:
 * - read address: "FE FE FE FE 68 AA AA AA AA AA AA 68 13 00 DF 16", the
 *   wire vector of 600888/dlt645 cpp/tests/core_test.cpp;
 * - broadcast time: 600888's time-sync vector carries 2025-11-02 12:34:56
 *   as 25 11 02 12 34 56 (YY first); the standard's ss mm hh DD MM YY order
 *   holds the same bytes reversed, so the checksum (7A) is the same;
 * - read 00010000 from 000000000001 (68 01 00 00 00 00 00 68 11 04 33 33
 *   34 33 B3 16), the frame DL/T 645 tutorials print for the total energy;
 * - the write-address vector of 600888 through the generic encoder. */
static void test_builders_byte_for_byte(void **state)
{
    (void)state;
    uint8_t out[DLT645_FRAME_MAX];
    size_t n = 0;
    dlt645_addr one = addr_of("000000000001");

    static const struct built read_address = {
        "read address",
        {0xFE, 0xFE, 0xFE, 0xFE, 0x68, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0x68, 0x13, 0x00, 0xDF, 0x16},
        16};
    assert_int_equal(dlt645_build_read_address(4, out, sizeof out, &n), GL_OK);
    expect_bytes(&read_address, out, n);

    static const struct built read_energy = {
        "read 00010000", {0x68, 0x01, 0, 0, 0, 0, 0, 0x68, 0x11, 0x04, 0x33, 0x33, 0x34, 0x33, 0xB3, 0x16}, 16};
    assert_int_equal(dlt645_build_read(&one, DLT645_DI_IMPORT_TOTAL, 0, out, sizeof out, &n), GL_OK);
    expect_bytes(&read_energy, out, n);

    static const struct built time = {"broadcast time",
                                      {0xFE, 0xFE, 0xFE, 0xFE, 0x68, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99,
                                       0x68, 0x08, 0x06, 0x89, 0x67, 0x45, 0x35, 0x44, 0x58, 0x7A, 0x16},
                                      22};
    dlt645_time t = {2025, 11, 2, 12, 34, 56};
    assert_int_equal(dlt645_build_broadcast_time(&t, 4, out, sizeof out, &n), GL_OK);
    expect_bytes(&time, out, n);

    static const struct built write_address = {"write address (600888)",
                                               {0xFE, 0xFE, 0xFE, 0xFE, 0x68, 0x12, 0x34, 0x56, 0x78, 0x10, 0x12,
                                                0x68, 0x15, 0x06, 0x45, 0x67, 0x89, 0xAB, 0x43, 0x46, 0x8A, 0x16},
                                               22};
    dlt645_addr a = {{0x12, 0x34, 0x56, 0x78, 0x10, 0x12}};
    static const uint8_t newaddr[] = {0x12, 0x34, 0x56, 0x78, 0x10, 0x13};
    assert_int_equal(dlt645_encode(&a, 0x15, newaddr, sizeof newaddr, 4, out, sizeof out, &n), GL_OK);
    expect_bytes(&write_address, out, n);
}

/* The relay frame as chinawrj/esphome-component-dlt645 builds it
 * (build_dlt645_relay_control_frame: PA 02, password 123456 sent 56 34 12,
 * operator 00000000, N1 1A trip, N2 00, then ss mm hh DD MM YY). */
static void test_build_relay(void **state)
{
    (void)state;
    uint8_t out[DLT645_FRAME_MAX];
    size_t n = 0;
    dlt645_addr a = addr_of("000000000001");
    dlt645_relay r = {0x02, 0x123456, 0, DLT645_RELAY_TRIP, {2026, 12, 1, 23, 59, 0}};
    assert_int_equal(dlt645_build_relay(&a, &r, 0, out, sizeof out, &n), GL_OK);
    static const uint8_t data[] = {0x02, 0x56, 0x34, 0x12, 0, 0, 0, 0, 0x1A, 0x00, 0x00, 0x59, 0x23, 0x01, 0x12, 0x26};
    assert_int_equal(n, 12 + sizeof data);
    assert_int_equal(out[8], 0x1C);
    assert_int_equal(out[9], 16);
    for (size_t i = 0; i < sizeof data; i++)
        assert_int_equal(out[10 + i], (uint8_t)(data[i] + 0x33));
    uint8_t sum = 0;
    for (size_t i = 0; i < n - 2; i++)
        sum = (uint8_t)(sum + out[i]);
    assert_int_equal(out[n - 2], sum);
    /* refusals */
    r.command = 0x55;
    assert_int_equal(dlt645_build_relay(&a, &r, 0, out, sizeof out, &n), GL_EINVAL);
    r.command = DLT645_RELAY_CLOSE;
    r.expiry.month = 13;
    assert_int_equal(dlt645_build_relay(&a, &r, 0, out, sizeof out, &n), GL_ERANGE);
}

static void test_encode_bounds(void **state)
{
    (void)state;
    uint8_t out[DLT645_FRAME_MAX], data[256] = {0};
    size_t n = 0;
    dlt645_addr a = addr_of("000000000001");
    assert_int_equal(dlt645_encode(&a, 0x11, data, 255, 4, out, sizeof out, &n), GL_OK);
    assert_int_equal(n, DLT645_FRAME_MAX);
    assert_int_equal(dlt645_encode(&a, 0x11, data, 256, 0, out, sizeof out, &n), GL_EBOUND);
    assert_int_equal(dlt645_encode(&a, 0x11, data, 4, 0, out, 15, &n), GL_EBOUND);
    assert_int_equal(dlt645_encode(&a, 0x11, data, 4, 0, out, 16, &n), GL_OK);
    assert_int_equal(dlt645_encode(&a, 0x11, data, 4, 5, out, sizeof out, &n), GL_EINVAL);
    assert_int_equal(dlt645_encode(&a, 0x11, data, 4, -1, out, sizeof out, &n), GL_EINVAL);
}

/* A reply frame built from plain data, decoded back after each preamble. */
static void test_round_trip_preambles(void **state)
{
    (void)state;
    dlt645_addr a = addr_of("201612345678");
    static const uint8_t data[] = {0x00, 0x00, 0x01, 0x00, 0x56, 0x34, 0x12, 0x00};
    for (int pre = 0; pre <= 4; pre++) {
        uint8_t out[DLT645_FRAME_MAX + 3];
        size_t n = 0, used = 0;
        dlt645_frame f;
        assert_int_equal(dlt645_encode(&a, 0x91, data, sizeof data, pre, out, sizeof out, &n), GL_OK);
        /* extra bytes after the frame (some serial ports) are not its */
        out[n] = 0x00;
        out[n + 1] = 0x68;
        assert_int_equal(dlt645_need(out, 5), (size_t)pre + 10);
        assert_int_equal(dlt645_need(out, n + 2), n);
        assert_int_equal(dlt645_decode(out, n + 2, &f, &used), GL_OK);
        assert_int_equal(used, n);
        assert_memory_equal(f.addr.b, a.b, 6);
        assert_int_equal(f.ctrl, 0x91);
        assert_int_equal(f.len, sizeof data);
        assert_memory_equal(f.data, data, sizeof data);
        const uint8_t *p;
        size_t plen;
        assert_int_equal(dlt645_read_payload(&f, DLT645_DI_IMPORT_TOTAL, &p, &plen), GL_OK);
        assert_int_equal(plen, 4);
        int64_t v;
        assert_int_equal(dlt645_bcd_get(p, 4, 0, &v), GL_OK);
        assert_int_equal(v, 123456); /* 1234.56 kWh */
        assert_int_equal(dlt645_read_payload(&f, DLT645_DI_EXPORT_TOTAL, &p, &plen), GL_EPROTO);
    }
}

/* Find data whose frame checksum is 0x16 and data holding 0x68 and 0x16:
 * parsing by length must not stop or restart on them. */
static void test_checksum_16_and_stray_68(void **state)
{
    (void)state;
    dlt645_addr a = addr_of("000000000001");
    int found = 0;
    for (int b = 0; b < 256; b++) {
        uint8_t data[6] = {0x68 - 0x33, 0x16 - 0x33, 0x68 - 0x33, 0, 0, (uint8_t)b};
        uint8_t out[DLT645_FRAME_MAX];
        size_t n = 0, used = 0;
        dlt645_frame f;
        assert_int_equal(dlt645_encode(&a, 0x91, data, sizeof data, 2, out, sizeof out, &n), GL_OK);
        if (out[n - 2] != 0x16)
            continue;
        found = 1;
        assert_int_equal(dlt645_need(out, n - 1), n);
        assert_int_equal(dlt645_decode(out, n, &f, &used), GL_OK);
        assert_int_equal(used, n);
        assert_memory_equal(f.data, data, sizeof data);
    }
    assert_true(found);
}

struct bad_case {
    const char *what;
    size_t at;    /* byte to change (after a 2-byte preamble) */
    uint8_t flip; /* xor-ed into it */
    gl_status st;
};

static void test_decode_refusals(void **state)
{
    (void)state;
    dlt645_addr a = addr_of("000000000001");
    static const uint8_t data[] = {0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00};
    static const struct bad_case cases[] = {
        {"checksum off by one bit", 2 + 18, 0x01, GL_ECORRUPT}, {"end byte 17, not 16", 2 + 19, 0x01, GL_EPROTO},
        {"second 68 missing", 2 + 7, 0x68, GL_EPROTO},          {"data byte changed", 2 + 12, 0x01, GL_ECORRUPT},
        {"control byte changed", 2 + 8, 0x80, GL_ECORRUPT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t out[DLT645_FRAME_MAX];
        size_t n = 0, used = 0;
        dlt645_frame f;
        assert_int_equal(dlt645_encode(&a, 0x91, data, sizeof data, 2, out, sizeof out, &n), GL_OK);
        out[cases[i].at] ^= cases[i].flip;
        assert_true(dlt645_need(out, n) <= n); /* complete, or refused early: never waits */
        gl_status st = dlt645_decode(out, n, &f, &used);
        if (st != cases[i].st)
            fail_msg("%s: %s", cases[i].what, gl_status_name(st));
        assert_true(used > 0 && used <= n); /* the caller can drop and resync */
    }
    /* too short, no 68 at all */
    /* a header without its second 68 is refused as soon as it shows */
    static const uint8_t no68[] = {0xFE, 0x68, 1, 2, 3, 4, 5, 6, 0x00, 0x11};
    assert_int_equal(dlt645_need(no68, 9), 9);
    assert_int_equal(dlt645_need(no68, 8), 11); /* not known yet */
    /* two meters colliding: a 68 whose second 68 never comes; each decode drops something */
    static const uint8_t collision[] = {0x68, 0xFF, 0x00, 0x68, 0x33, 0xFE, 0x68, 0x91};
    size_t at = 0, rounds = 0;
    while (at < sizeof collision && rounds++ < sizeof collision) {
        size_t u = 0, left = sizeof collision - at;
        dlt645_frame g;
        if (dlt645_need(collision + at, left) > left)
            break;
        assert_int_equal(dlt645_decode(collision + at, left, &g, &u), GL_EPROTO);
        assert_true(u > 0);
        at += u;
    }
    assert_true(rounds <= sizeof collision);
    static const uint8_t shortf[] = {0xFE, 0xFE, 0x68, 0x01, 0x00};
    size_t used = 0;
    dlt645_frame f;
    assert_int_equal(dlt645_decode(shortf, sizeof shortf, &f, &used), GL_EPROTO);
    static const uint8_t noise[] = {0xFE, 0x00, 0x12};
    assert_int_equal(dlt645_need(noise, sizeof noise), sizeof noise + 1);
    assert_int_equal(dlt645_decode(noise, sizeof noise, &f, &used), GL_EPROTO);
    assert_int_equal(used, sizeof noise);
}

static void test_error_replies(void **state)
{
    (void)state;
    static const struct {
        uint8_t err;
        const char *name;
    } cases[] = {
        {0x01, "other error"},
        {0x02, "no requested data"},
        {0x04, "password/authority refused"},
        {0x08, "baud rate not changeable"},
        {0x10, "too many year time zones"},
        {0x20, "too many daily time slots"},
        {0x40, "too many tariffs"},
        {0x06, "no requested data"}, /* the lowest bit names it */
        {0x00, "error reply"},
        {0x80, "error reply"}, /* reserved bit */
    };
    dlt645_addr a = addr_of("000000000007"), other = addr_of("000000000008");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t out[DLT645_FRAME_MAX], err = 0xFF;
        size_t n = 0, used = 0;
        dlt645_frame f;
        assert_int_equal(dlt645_encode(&a, 0xD1, &cases[i].err, 1, 0, out, sizeof out, &n), GL_OK);
        assert_int_equal(dlt645_decode(out, n, &f, &used), GL_OK);
        assert_int_equal(dlt645_reply_check(&f, DLT645_F_READ, &a, &err), GL_EEXCEPTION);
        assert_int_equal(err, cases[i].err);
        assert_string_equal(dlt645_err_name(err), cases[i].name);
        assert_int_equal(dlt645_reply_check(&f, DLT645_F_READ, &other, &err), GL_EPROTO);
        assert_int_equal(dlt645_reply_check(&f, DLT645_F_RELAY, &a, &err), GL_EPROTO);
    }
    /* relay error reply DC, ok reply 9C with L = 0, a request is no reply */
    static const struct {
        uint8_t c;
        gl_status st;
    } relay[] = {{0xDC, GL_EEXCEPTION}, {0x9C, GL_OK}, {0x1C, GL_EPROTO}, {0xBC, GL_OK}};
    for (size_t i = 0; i < sizeof relay / sizeof relay[0]; i++) {
        uint8_t out[DLT645_FRAME_MAX], err, e = DLT645_ERR_PASSWORD;
        size_t n = 0, used = 0;
        dlt645_frame f;
        size_t len = relay[i].c == 0xDC ? 1 : 0;
        assert_int_equal(dlt645_encode(&a, relay[i].c, &e, len, 0, out, sizeof out, &n), GL_OK);
        assert_int_equal(dlt645_decode(out, n, &f, &used), GL_OK);
        assert_int_equal(dlt645_reply_check(&f, DLT645_F_RELAY, &a, &err), relay[i].st);
    }
}

/* Follow-up: a 91 reply with D5 set (B1) and a 92/B2 reply carrying the
 * sequence byte after the data. */
static void test_follow_up(void **state)
{
    (void)state;
    dlt645_addr a = addr_of("000000000001");
    uint8_t out[DLT645_FRAME_MAX];
    size_t n = 0, used = 0, plen = 0;
    const uint8_t *p;
    dlt645_frame f;
    static const uint8_t more[] = {0x01, 0x01, 0x06, 0x05, 0x11, 0x22, 0x01};
    assert_int_equal(dlt645_encode(&a, 0xB2, more, sizeof more, 1, out, sizeof out, &n), GL_OK);
    assert_int_equal(dlt645_decode(out, n, &f, &used), GL_OK);
    assert_true(f.ctrl & DLT645_C_MORE);
    assert_int_equal(dlt645_read_payload(&f, DLT645_DI_FROZEN_DAY_IMPORT, &p, &plen), GL_OK);
    assert_int_equal(plen, 2);
    assert_int_equal(p[0], 0x11);
    assert_int_equal(p[1], 0x22);
    assert_int_equal(dlt645_build_read_more(&a, DLT645_DI_FROZEN_DAY_IMPORT, 1, 0, out, sizeof out, &n), GL_OK);
    assert_int_equal(out[8], 0x12);
    assert_int_equal(out[9], 5);
    assert_int_equal(out[14], 0x34); /* seq 1 + 0x33 */
}

struct bcd_case {
    uint8_t bytes[4];
    size_t width;
    int is_signed;
    gl_status st;
    int64_t value;
};

static void test_bcd_and_sign(void **state)
{
    (void)state;
    static const struct bcd_case cases[] = {
        {{0x00, 0x00, 0x00, 0x00}, 4, 0, GL_OK, 0},
        {{0x78, 0x56, 0x34, 0x12}, 4, 0, GL_OK, 12345678},
        {{0x99, 0x99, 0x99, 0x99}, 4, 0, GL_OK, 99999999},
        {{0x34, 0x12, 0x80}, 3, 1, GL_OK, -1234}, /* current -1.234 A */
        {{0x34, 0x12, 0x00}, 3, 1, GL_OK, 1234},
        {{0x99, 0x99, 0x79}, 3, 1, GL_OK, 799999}, /* largest signed 3-byte */
        {{0x99, 0x99, 0xF9}, 3, 1, GL_OK, -799999},
        {{0x00, 0x80}, 2, 1, GL_OK, 0},    /* -0 reads as 0 */
        {{0x00, 0x80}, 2, 0, GL_OK, 8000}, /* unsigned: 80 is a digit pair */
        {{0x1A, 0x00}, 2, 0, GL_ERANGE, 0},
        {{0xA1, 0x00}, 2, 0, GL_ERANGE, 0},
        {{0x00, 0xFF}, 2, 0, GL_ERANGE, 0},
        {{0x00, 0xA0}, 2, 1, GL_OK, -2000}, /* sign bit over the digits 20 */
        {{0x00, 0xFA}, 2, 1, GL_ERANGE, 0}, /* FA & 7F = 7A: not a digit */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = -7;
        gl_status st = dlt645_bcd_get(cases[i].bytes, cases[i].width, cases[i].is_signed, &v);
        if (st != cases[i].st)
            fail_msg("case %zu: %s", i, gl_status_name(st));
        if (st != GL_OK)
            continue;
        assert_int_equal(v, cases[i].value);
        uint8_t back[4] = {0};
        if (cases[i].value != 0 || !cases[i].is_signed) {
            assert_int_equal(dlt645_bcd_put(v, cases[i].width, cases[i].is_signed, back), GL_OK);
            assert_memory_equal(back, cases[i].bytes, cases[i].width);
        }
    }
    uint8_t p[4];
    assert_int_equal(dlt645_bcd_put(800000, 3, 1, p), GL_ERANGE); /* the sign bit's digit */
    assert_int_equal(dlt645_bcd_put(799999, 3, 1, p), GL_OK);
    assert_int_equal(dlt645_bcd_put(1000000, 3, 0, p), GL_ERANGE);
    assert_int_equal(dlt645_bcd_put(999999, 3, 0, p), GL_OK);
    assert_int_equal(dlt645_bcd_put(-1, 3, 0, p), GL_ERANGE);
    assert_int_equal(dlt645_bcd_put(1, 0, 0, p), GL_EINVAL);
}

static void test_time(void **state)
{
    (void)state;
    static const struct {
        uint8_t bytes[6];
        int has_seconds;
        gl_status st;
        dlt645_time t;
    } cases[] = {
        {{0x56, 0x34, 0x12, 0x02, 0x11, 0x25}, 1, GL_OK, {2025, 11, 2, 12, 34, 56}},
        {{0x00, 0x00, 0x00, 0x29, 0x02, 0x24}, 1, GL_OK, {2024, 2, 29, 0, 0, 0}},
        {{0x00, 0x00, 0x00, 0x29, 0x02, 0x25}, 1, GL_ERANGE, {0}}, /* not a leap year */
        {{0x59, 0x59, 0x23, 0x31, 0x12, 0x99}, 1, GL_OK, {2099, 12, 31, 23, 59, 59}},
        {{0x60, 0x00, 0x00, 0x01, 0x01, 0x26}, 1, GL_ERANGE, {0}},
        {{0x00, 0x00, 0x24, 0x01, 0x01, 0x26}, 1, GL_ERANGE, {0}},
        {{0x00, 0x00, 0x00, 0x00, 0x01, 0x26}, 1, GL_ERANGE, {0}},
        {{0x00, 0x00, 0x00, 0x01, 0x13, 0x26}, 1, GL_ERANGE, {0}},
        {{0x0A, 0x00, 0x00, 0x01, 0x01, 0x26}, 1, GL_ERANGE, {0}},
        {{0x00, 0x00, 0x01, 0x12, 0x26}, 0, GL_OK, {2026, 12, 1, 0, 0, 0}}, /* frozen: mm hh DD MM YY */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dlt645_time t;
        gl_status st = dlt645_time_get(cases[i].bytes, cases[i].has_seconds, &t);
        if (st != cases[i].st)
            fail_msg("case %zu: %s", i, gl_status_name(st));
        if (st != GL_OK)
            continue;
        assert_memory_equal(&t, &cases[i].t, sizeof t);
        if (cases[i].has_seconds) {
            uint8_t back[6];
            assert_int_equal(dlt645_time_put(&t, back), GL_OK);
            assert_memory_equal(back, cases[i].bytes, 6);
        }
    }
    dlt645_time bad = {1999, 12, 31, 0, 0, 0};
    uint8_t p[6];
    assert_int_equal(dlt645_time_put(&bad, p), GL_ERANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addr_parse_format),
        cmocka_unit_test(test_builders_byte_for_byte),
        cmocka_unit_test(test_build_relay),
        cmocka_unit_test(test_encode_bounds),
        cmocka_unit_test(test_round_trip_preambles),
        cmocka_unit_test(test_checksum_16_and_stray_68),
        cmocka_unit_test(test_decode_refusals),
        cmocka_unit_test(test_error_replies),
        cmocka_unit_test(test_follow_up),
        cmocka_unit_test(test_bcd_and_sign),
        cmocka_unit_test(test_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
