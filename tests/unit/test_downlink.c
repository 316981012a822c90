/* test_downlink.c: downlink verification: good, bad, replayed, expired,
 * tampered messages as rows; a signature vector computed with openssl; key
 * files; ack bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "downlink.h"

static const uint8_t KEY[32] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
#define NOW 1700000100
#define PAY_BODY "{\"customer\":\"C-0001\",\"amount\":\"100.00\",\"ref\":\"BANK-123\",\"date\":\"2023-11-14\"}"
#define DEP_BODY(fields) "{\"command\":\"deposit\",\"customer\":\"C-0001\"," fields "}"
#define PM_BODY(fields) "{\"command\":\"payment_mode\",\"customer\":\"C-L01\"," fields "}"
#define SERVED_BODY(record)                                                                             \
    "{\"command\":\"served\",\"customer\":\"C-0001\",\"action\":\"disconnect_notice\"," record             \
    "\"served\":1699990000,\"proof\":\"sms dlr 00ebd7b8-7b08-4530-a742-1759a89c76b1\"}"
#define ENV(seq, ts, exp, kind, body)                                                                      \
    "{\"v\":1,\"gateway\":\"gw-0001\",\"seq\":" #seq ",\"ts\":" #ts ",\"expires\":" #exp ",\"kind\":\"" kind \
    "\",\"body\":" body "}"
#define PAY1 ENV(1, 1700000000, 1700086400, "payments", PAY_BODY)

/* HMAC-SHA256 of PAY1 with key 00..1f, by `openssl dgst -sha256 -mac HMAC`. */
static const char *const PAY1_SIG = "3bee3a8065abf5391b26b9251ccb7080e9c7194dd5865188516b7d56f6a01874";

static void test_signature_vector(void **state)
{
    (void)state;
    char out[1024], want[1024];
    assert_int_equal(downlink_sign(KEY, PAY1, strlen(PAY1), out, sizeof out), GL_OK);
    snprintf(want, sizeof want, "%.*s,\"sig\":\"%s\"}", (int)strlen(PAY1) - 1, PAY1, PAY1_SIG);
    assert_string_equal(out, want);
    downlink_msg m;
    char why[128];
    assert_int_equal(downlink_verify(KEY, "gw-0001", DOWNLINK_PAYMENTS, want, strlen(want), 0, NOW, &m, why, sizeof why),
                     GL_OK);
    assert_int_equal(m.seq, 1);
    assert_int_equal(m.amount_fen, 10000);
    assert_string_equal(m.customer, "C-0001");
    assert_string_equal(m.ref, "BANK-123");
    assert_string_equal(m.date, "2023-11-14");
    downlink_msg_free(&m);
    assert_int_equal(downlink_sign(KEY, PAY1, strlen(PAY1), out, strlen(PAY1) + 10), GL_EBOUND);
}

struct verify_case {
    const char *name;
    const char *unsigned_text; /* signed with KEY before the check, unless raw */
    const char *raw;           /* used as is */
    downlink_kind topic;
    int64_t last_seq;
    gl_status want;
    int64_t want_seq;
    const char *tamper_from, *tamper_to; /* applied after signing */
};

static void run_verify_case(const struct verify_case *c, size_t i)
{
    char text[4096];
    if (c->raw != NULL)
        snprintf(text, sizeof text, "%s", c->raw);
    else
        assert_int_equal(downlink_sign(KEY, c->unsigned_text, strlen(c->unsigned_text), text, sizeof text), GL_OK);
    if (c->tamper_from != NULL) {
        char *p = strstr(text, c->tamper_from);
        assert_non_null(p);
        assert_int_equal(strlen(c->tamper_from), strlen(c->tamper_to));
        memcpy(p, c->tamper_to, strlen(c->tamper_to));
    }
    downlink_msg m;
    char why[160];
    gl_status st = downlink_verify(KEY, "gw-0001", c->topic, text, strlen(text), c->last_seq, NOW, &m, why, sizeof why);
    if (st != c->want || m.seq != c->want_seq)
        fail_msg("row %zu %s: got %s seq %lld (%s), want %s seq %lld", i, c->name, gl_status_name(st),
                 (long long)m.seq, why, gl_status_name(c->want), (long long)c->want_seq);
    if (st != GL_OK && why[0] == '\0')
        fail_msg("row %zu %s: no reason", i, c->name);
    downlink_msg_free(&m);
}

static void test_verify_table(void **state)
{
    (void)state;
    const struct verify_case cases[] = {
        {"good payment", PAY1, NULL, DOWNLINK_PAYMENTS, 0, GL_OK, 1, NULL, NULL},
        {"good topup", ENV(5, 1700000000, 1700086400, "topups", PAY_BODY), NULL, DOWNLINK_TOPUPS, 4, GL_OK, 5, NULL, NULL},
        {"tampered amount", PAY1, NULL, DOWNLINK_PAYMENTS, 0, GL_EAUTH, 1, "100.00", "900.00"},
        {"tampered seq", PAY1, NULL, DOWNLINK_PAYMENTS, 0, GL_EAUTH, 2, "\"seq\":1", "\"seq\":2"},
        {"tampered sig", PAY1, NULL, DOWNLINK_PAYMENTS, 0, GL_EAUTH, 1, "\"sig\":\"3b", "\"sig\":\"3c"},
        {"replayed seq", PAY1, NULL, DOWNLINK_PAYMENTS, 1, GL_EREPLAY, 1, NULL, NULL},
        {"old seq", PAY1, NULL, DOWNLINK_PAYMENTS, 7, GL_EREPLAY, 1, NULL, NULL},
        {"expired", ENV(2, 1699990000, 1700000000, "payments", PAY_BODY), NULL, DOWNLINK_PAYMENTS, 0, GL_EEXPIRED, 2, NULL, NULL},
        {"ts in the future", ENV(2, 1700009999, 1700086400, "payments", PAY_BODY), NULL, DOWNLINK_PAYMENTS, 0, GL_ERANGE, 2, NULL, NULL},
        {"other gateway", "{\"v\":1,\"gateway\":\"gw-0002\",\"seq\":3,\"ts\":1700000000,\"expires\":1700086400,"
                          "\"kind\":\"payments\",\"body\":" PAY_BODY "}", NULL, DOWNLINK_PAYMENTS, 0, GL_EAUTH, 3, NULL, NULL},
        {"kind differs from topic", PAY1, NULL, DOWNLINK_TOPUPS, 0, GL_EPROTO, 1, NULL, NULL},
        {"version 2", "{\"v\":2,\"gateway\":\"gw-0001\",\"seq\":3,\"ts\":1700000000,\"expires\":1700086400,"
                      "\"kind\":\"payments\",\"body\":" PAY_BODY "}", NULL, DOWNLINK_PAYMENTS, 0, GL_EPROTO, 3, NULL, NULL},
        {"no sig", NULL, PAY1, DOWNLINK_PAYMENTS, 0, GL_EAUTH, 1, NULL, NULL},
        {"sig not last", NULL,
         "{\"sig\":\"3bee3a8065abf5391b26b9251ccb7080e9c7194dd5865188516b7d56f6a01874\",\"v\":1,\"gateway\":\"gw-0001\","
         "\"seq\":1,\"ts\":1700000000,\"expires\":1700086400,\"kind\":\"payments\",\"body\":" PAY_BODY "}",
         DOWNLINK_PAYMENTS, 0, GL_EAUTH, 1, NULL, NULL},
        {"uppercase hex", NULL,
         "{\"v\":1,\"gateway\":\"gw-0001\",\"seq\":1,\"ts\":1700000000,\"expires\":1700086400,\"kind\":\"payments\","
         "\"body\":" PAY_BODY ",\"sig\":\"3BEE3A8065ABF5391B26B9251CCB7080E9C7194DD5865188516B7D56F6A01874\"}",
         DOWNLINK_PAYMENTS, 0, GL_EAUTH, 1, NULL, NULL},
        {"duplicate seq key", NULL,
         "{\"seq\":9,\"v\":1,\"gateway\":\"gw-0001\",\"seq\":1,\"ts\":1700000000,\"expires\":1700086400,"
         "\"kind\":\"payments\",\"body\":" PAY_BODY ",\"sig\":\"3bee3a8065abf5391b26b9251ccb7080e9c7194dd5865188516b7d56f6a01874\"}",
         DOWNLINK_PAYMENTS, 0, GL_ESYNTAX, 9, NULL, NULL}, /* the seq the ack names: the first, as cJSON reads */
        {"not JSON", NULL, "{\"v\":1,", DOWNLINK_PAYMENTS, 0, GL_ESYNTAX, 0, NULL, NULL},
        {"array", NULL, "[1]", DOWNLINK_PAYMENTS, 0, GL_ESYNTAX, 0, NULL, NULL},
        {"seq 0", ENV(0, 1700000000, 1700086400, "payments", PAY_BODY), NULL, DOWNLINK_PAYMENTS, 0, GL_ESYNTAX, 0, NULL, NULL},
        {"seq fraction", ENV(1.5, 1700000000, 1700086400, "payments", PAY_BODY), NULL, DOWNLINK_PAYMENTS, 0, GL_ESYNTAX, 0, NULL, NULL},
        {"amount as number", ENV(2, 1700000000, 1700086400, "payments",
                                 "{\"customer\":\"C\",\"amount\":100,\"ref\":\"R\",\"date\":\"2023-11-14\"}"),
         NULL, DOWNLINK_PAYMENTS, 0, GL_ESYNTAX, 2, NULL, NULL},
        {"amount 3 decimals", ENV(2, 1700000000, 1700086400, "payments",
                                  "{\"customer\":\"C\",\"amount\":\"1.005\",\"ref\":\"R\",\"date\":\"2023-11-14\"}"),
         NULL, DOWNLINK_PAYMENTS, 0, GL_ERANGE, 2, NULL, NULL},
        {"amount negative", ENV(2, 1700000000, 1700086400, "payments",
                                "{\"customer\":\"C\",\"amount\":\"-5.00\",\"ref\":\"R\",\"date\":\"2023-11-14\"}"),
         NULL, DOWNLINK_PAYMENTS, 0, GL_ERANGE, 2, NULL, NULL},
        {"date 2023-02-29", ENV(2, 1700000000, 1700086400, "payments",
                                "{\"customer\":\"C\",\"amount\":\"5.00\",\"ref\":\"R\",\"date\":\"2023-02-29\"}"),
         NULL, DOWNLINK_PAYMENTS, 0, GL_ERANGE, 2, NULL, NULL},
        {"date 2026-02-31", ENV(2, 1700000000, 1700086400, "payments",
                                "{\"customer\":\"C\",\"amount\":\"5.00\",\"ref\":\"R\",\"date\":\"2026-02-31\"}"),
         NULL, DOWNLINK_PAYMENTS, 0, GL_ERANGE, 2, NULL, NULL},
        {"date before the calendar's range", ENV(2, 1700000000, 1700086400, "payments",
                                "{\"customer\":\"C\",\"amount\":\"5.00\",\"ref\":\"R\",\"date\":\"1899-12-31\"}"),
         NULL, DOWNLINK_PAYMENTS, 0, GL_ERANGE, 2, NULL, NULL},
        {"missing ref", ENV(2, 1700000000, 1700086400, "payments",
                            "{\"customer\":\"C\",\"amount\":\"5.00\",\"date\":\"2023-11-14\"}"),
         NULL, DOWNLINK_PAYMENTS, 0, GL_ESYNTAX, 2, NULL, NULL},
        {"disconnect", ENV(3, 1700000000, 1700086400, "commands", "{\"command\":\"disconnect\",\"customer\":\"C-0001\"}"),
         NULL, DOWNLINK_COMMANDS, 2, GL_OK, 3, NULL, NULL},
        {"disconnect without customer", ENV(3, 1700000000, 1700086400, "commands", "{\"command\":\"disconnect\"}"),
         NULL, DOWNLINK_COMMANDS, 2, GL_ESYNTAX, 3, NULL, NULL},
        {"resend", ENV(3, 1700000000, 1700086400, "commands", "{\"command\":\"resend\",\"since_seq\":40}"),
         NULL, DOWNLINK_COMMANDS, 2, GL_OK, 3, NULL, NULL},
        {"unknown command", ENV(3, 1700000000, 1700086400, "commands", "{\"command\":\"explode\",\"customer\":\"C\"}"),
         NULL, DOWNLINK_COMMANDS, 2, GL_ERANGE, 3, NULL, NULL},
        {"ack_alert", ENV(3, 1700000000, 1700086400, "commands",
                          "{\"command\":\"ack_alert\",\"alert\":\"suspected_bypass\",\"subject\":\"M-0118\"}"),
         NULL, DOWNLINK_COMMANDS, 2, GL_OK, 3, NULL, NULL},
        {"ack_alert without subject", ENV(3, 1700000000, 1700086400, "commands",
                                          "{\"command\":\"ack_alert\",\"alert\":\"suspected_bypass\"}"),
         NULL, DOWNLINK_COMMANDS, 2, GL_ESYNTAX, 3, NULL, NULL},
        {"served", ENV(3, 1700000000, 1700086400, "commands", SERVED_BODY("\"record_id\":7,")), NULL,
         DOWNLINK_COMMANDS, 2, GL_OK, 3, NULL, NULL},
        {"served without record_id", ENV(3, 1700000000, 1700086400, "commands", SERVED_BODY("")), NULL,
         DOWNLINK_COMMANDS, 2, GL_ESYNTAX, 3, NULL, NULL},
        {"served record_id as string", ENV(3, 1700000000, 1700086400, "commands", SERVED_BODY("\"record_id\":\"7\",")),
         NULL, DOWNLINK_COMMANDS, 2, GL_ESYNTAX, 3, NULL, NULL},
        {"payment_mode", ENV(3, 1700000000, 1700086400, "commands", PM_BODY("\"mode\":\"prepaid\",\"opening_balance\":\"0.00\"")),
         NULL, DOWNLINK_COMMANDS, 2, GL_OK, 3, NULL, NULL},
        {"payment_mode without opening_balance", ENV(3, 1700000000, 1700086400, "commands",
                                                     PM_BODY("\"mode\":\"load_controlled\"")),
         NULL, DOWNLINK_COMMANDS, 2, GL_OK, 3, NULL, NULL},
        {"payment_mode postpaid (back, the balance carried)", ENV(3, 1700000000, 1700086400, "commands",
                                                                  PM_BODY("\"mode\":\"postpaid\"")),
         NULL, DOWNLINK_COMMANDS, 2, GL_OK, 3, NULL, NULL},
        {"payment_mode credit", ENV(3, 1700000000, 1700086400, "commands", PM_BODY("\"mode\":\"credit\"")),
         NULL, DOWNLINK_COMMANDS, 2, GL_ERANGE, 3, NULL, NULL},
        {"deposit record", ENV(3, 1700000000, 1700086400, "commands",
                               DEP_BODY("\"op\":\"record\",\"amount\":\"150.00\",\"ref\":\"DEP-1\"")),
         NULL, DOWNLINK_COMMANDS, 2, GL_OK, 3, NULL, NULL},
        {"deposit release without amount", ENV(3, 1700000000, 1700086400, "commands",
                                               DEP_BODY("\"op\":\"release\",\"ref\":\"REL-1\"")),
         NULL, DOWNLINK_COMMANDS, 2, GL_OK, 3, NULL, NULL},
        {"deposit unknown op", ENV(3, 1700000000, 1700086400, "commands", DEP_BODY("\"op\":\"keep\"")),
         NULL, DOWNLINK_COMMANDS, 2, GL_ERANGE, 3, NULL, NULL},
        {"deposit amount as number", ENV(3, 1700000000, 1700086400, "commands",
                                         DEP_BODY("\"op\":\"record\",\"amount\":150")),
         NULL, DOWNLINK_COMMANDS, 2, GL_ESYNTAX, 3, NULL, NULL},
        {"deposit amount 3 decimals", ENV(3, 1700000000, 1700086400, "commands",
                                          DEP_BODY("\"op\":\"request\",\"amount\":\"1.001\"")),
         NULL, DOWNLINK_COMMANDS, 2, GL_ERANGE, 3, NULL, NULL},
        {"deposit without op", ENV(3, 1700000000, 1700086400, "commands", DEP_BODY("\"amount\":\"1.00\"")),
         NULL, DOWNLINK_COMMANDS, 2, GL_ESYNTAX, 3, NULL, NULL},
        {"payment_mode without mode", ENV(3, 1700000000, 1700086400, "commands", PM_BODY("\"opening_balance\":\"1\"")),
         NULL, DOWNLINK_COMMANDS, 2, GL_ESYNTAX, 3, NULL, NULL},
        {"payment_mode opening -0.01", ENV(3, 1700000000, 1700086400, "commands",
                                           PM_BODY("\"mode\":\"prepaid\",\"opening_balance\":\"-0.01\"")),
         NULL, DOWNLINK_COMMANDS, 2, GL_ERANGE, 3, NULL, NULL},
        {"payment_mode opening 3 decimals", ENV(3, 1700000000, 1700086400, "commands",
                                                PM_BODY("\"mode\":\"prepaid\",\"opening_balance\":\"1.005\"")),
         NULL, DOWNLINK_COMMANDS, 2, GL_ERANGE, 3, NULL, NULL},
        {"payment_mode opening as number", ENV(3, 1700000000, 1700086400, "commands",
                                               PM_BODY("\"mode\":\"prepaid\",\"opening_balance\":5")),
         NULL, DOWNLINK_COMMANDS, 2, GL_ESYNTAX, 3, NULL, NULL},
        {"tariff", ENV(4, 1700000000, 1700086400, "tariffs", "{\"tariff\":{\"id\":\"bj-res\"}}"), NULL, DOWNLINK_TARIFFS,
         0, GL_OK, 4, NULL, NULL},
        {"tariff not object", ENV(4, 1700000000, 1700086400, "tariffs", "{\"tariff\":\"x\"}"), NULL, DOWNLINK_TARIFFS,
         0, GL_ESYNTAX, 4, NULL, NULL},
        {"config", ENV(4, 1700000000, 1700086400, "config", "{\"config\":{\"gateway\":{}}}"), NULL, DOWNLINK_CONFIG,
         0, GL_OK, 4, NULL, NULL},
        /* issue 21.3: NUL and invalid UTF-8 in signed strings, refused before anything is read */
        {"ref with \\u0000", ENV(6, 1700000000, 1700086400, "payments",
                                "{\"customer\":\"C-0001\",\"amount\":\"5.00\",\"ref\":\"R\\u0000X\",\"date\":\"2023-11-14\"}"),
         NULL, DOWNLINK_PAYMENTS, 0, GL_ESYNTAX, 6, NULL, NULL},
        {"customer with \\u0000", ENV(6, 1700000000, 1700086400, "commands",
                                     "{\"command\":\"disconnect\",\"customer\":\"C-1\\u0000X\"}"),
         NULL, DOWNLINK_COMMANDS, 0, GL_ESYNTAX, 6, NULL, NULL},
        {"ref with an escaped backslash then u0000", ENV(6, 1700000000, 1700086400, "payments",
                                "{\"customer\":\"C-0001\",\"amount\":\"5.00\",\"ref\":\"R\\\\u0000X\",\"date\":\"2023-11-14\"}"),
         NULL, DOWNLINK_PAYMENTS, 0, GL_OK, 6, NULL, NULL},
        {"ref with \\u0001", ENV(6, 1700000000, 1700086400, "payments",
                                "{\"customer\":\"C-0001\",\"amount\":\"5.00\",\"ref\":\"R\\u0001X\",\"date\":\"2023-11-14\"}"),
         NULL, DOWNLINK_PAYMENTS, 0, GL_OK, 6, NULL, NULL},
        {"ref with invalid UTF-8", ENV(6, 1700000000, 1700086400, "payments",
                                "{\"customer\":\"C-0001\",\"amount\":\"5.00\",\"ref\":\"R\xff\xfeX\",\"date\":\"2023-11-14\"}"),
         NULL, DOWNLINK_PAYMENTS, 0, GL_ESYNTAX, 6, NULL, NULL},
        {"ref with an overlong slash", ENV(6, 1700000000, 1700086400, "payments",
                                "{\"customer\":\"C-0001\",\"amount\":\"5.00\",\"ref\":\"R\xc0\xafX\",\"date\":\"2023-11-14\"}"),
         NULL, DOWNLINK_PAYMENTS, 0, GL_ESYNTAX, 6, NULL, NULL},
        {"ref in Chinese", ENV(6, 1700000000, 1700086400, "payments",
                                "{\"customer\":\"C-0001\",\"amount\":\"5.00\",\"ref\":\"\xe9\x93\xb6\xe8\xa1\x8c-1\",\"date\":\"2023-11-14\"}"),
         NULL, DOWNLINK_PAYMENTS, 0, GL_OK, 6, NULL, NULL},
        /* issue 21.10: an upper bound on the lifetime, both sides of 366 days */
        {"lifetime 366 days", ENV(7, 1700000000, 1731622400, "payments", PAY_BODY), NULL, DOWNLINK_PAYMENTS, 0, GL_OK, 7,
         NULL, NULL},
        {"lifetime 366 days + 1 s", ENV(7, 1700000000, 1731622401, "payments", PAY_BODY), NULL, DOWNLINK_PAYMENTS, 0,
         GL_ERANGE, 7, NULL, NULL},
        {"body missing", "{\"v\":1,\"gateway\":\"gw-0001\",\"seq\":3,\"ts\":1700000000,\"expires\":1700086400,"
                         "\"kind\":\"payments\"}", NULL, DOWNLINK_PAYMENTS, 0, GL_ESYNTAX, 3, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_verify_case(&cases[i], i);
}

static void test_served_body(void **state)
{
    (void)state;
    char text[2048];
    downlink_msg m;
    const char *t = ENV(3, 1700000000, 1700086400, "commands", SERVED_BODY("\"record_id\":7,"));
    assert_int_equal(downlink_sign(KEY, t, strlen(t), text, sizeof text), GL_OK);
    assert_int_equal(downlink_verify(KEY, "gw-0001", DOWNLINK_COMMANDS, text, strlen(text), 0, NOW, &m, NULL, 0), GL_OK);
    assert_int_equal(m.command, DOWNLINK_CMD_SERVED);
    assert_string_equal(m.customer, "C-0001");
    assert_string_equal(m.ref, "disconnect_notice");
    assert_int_equal(m.record_id, 7);
    assert_int_equal(m.served_ts, 1699990000);
    assert_string_equal(m.proof, "sms dlr 00ebd7b8-7b08-4530-a742-1759a89c76b1");
    downlink_msg_free(&m);
}

static void test_payment_mode_body(void **state)
{
    (void)state;
    char text[2048];
    downlink_msg m;
    const char *t = ENV(3, 1700000000, 1700086400, "commands",
                        PM_BODY("\"mode\":\"load_controlled\",\"opening_balance\":\"120.50\",\"rule\":\"credit.measures.table.large.C\""));
    assert_int_equal(downlink_sign(KEY, t, strlen(t), text, sizeof text), GL_OK);
    assert_int_equal(downlink_verify(KEY, "gw-0001", DOWNLINK_COMMANDS, text, strlen(text), 0, NOW, &m, NULL, 0), GL_OK);
    assert_int_equal(m.command, DOWNLINK_CMD_PAYMENT_MODE);
    assert_string_equal(m.customer, "C-L01");
    assert_string_equal(m.mode, "load_controlled");
    assert_int_equal(m.amount_fen, 12050);
    assert_string_equal(m.proof, "credit.measures.table.large.C");
    downlink_msg_free(&m);
}

static void test_bodies_and_whitespace(void **state)
{
    (void)state;
    char text[2048];
    downlink_msg m;
    const char *t = ENV(3, 1700000000, 1700086400, "commands", "{\"command\":\"resend\",\"since_seq\":40}");
    assert_int_equal(downlink_sign(KEY, t, strlen(t), text, sizeof text), GL_OK);
    strcat(text, "\n"); /* mosquitto_pub -f adds nothing, but a file may end in a newline */
    assert_int_equal(downlink_verify(KEY, "gw-0001", DOWNLINK_COMMANDS, text, strlen(text), 0, NOW, &m, NULL, 0), GL_OK);
    assert_int_equal(m.command, DOWNLINK_CMD_RESEND);
    assert_int_equal(m.since_seq, 40);
    downlink_msg_free(&m);
    t = ENV(4, 1700000000, 1700086400, "tariffs", "{\"tariff\": {\"id\": \"bj-res\", \"rate\": \"0.4883\"}}");
    assert_int_equal(downlink_sign(KEY, t, strlen(t), text, sizeof text), GL_OK);
    assert_int_equal(downlink_verify(KEY, "gw-0001", DOWNLINK_TARIFFS, text, strlen(text), 3, NOW, &m, NULL, 0), GL_OK);
    assert_string_equal(m.json, "{\"id\":\"bj-res\",\"rate\":\"0.4883\"}");
    downlink_msg_free(&m);
    downlink_msg_free(NULL);
    /* a different key refuses */
    uint8_t other[32] = {1};
    assert_int_equal(downlink_verify(other, "gw-0001", DOWNLINK_TARIFFS, text, strlen(text), 3, NOW, &m, NULL, 0),
                     GL_EAUTH);
    /* oversize */
    size_t big = DOWNLINK_MAX_TEXT + 1;
    char *huge = malloc(big);
    assert_non_null(huge);
    memset(huge, ' ', big);
    assert_int_equal(downlink_verify(KEY, "gw-0001", DOWNLINK_TARIFFS, huge, big, 0, NOW, &m, NULL, 0), GL_EBOUND);
    free(huge);
}

struct key_case {
    const char *content;
    int mode;
    gl_status want;
};

static void test_key_file(void **state)
{
    (void)state;
    const struct key_case cases[] = {
        {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", 0600, GL_OK},
        {"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", 0400, GL_OK},
        {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", 0640, GL_EPERM},
        {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", 0604, GL_EPERM},
        {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e", 0600, GL_ESYNTAX},
        {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n\n", 0600, GL_ESYNTAX},
        {"zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 0600, GL_ESYNTAX},
    };
    char path[] = "/tmp/gl-key-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(cases[i].content, f);
        fclose(f);
        chmod(path, (mode_t)cases[i].mode);
        uint8_t key[32];
        gl_status st = downlink_key_load(path, key);
        if (st != cases[i].want)
            fail_msg("row %zu: got %s", i, gl_status_name(st));
        if (st == GL_OK)
            assert_memory_equal(key, KEY, 32);
    }
    unlink(path);
    uint8_t key[32];
    assert_int_equal(downlink_key_load("/nonexistent/key", key), GL_EIO);
}

static void test_ack_body(void **state)
{
    (void)state;
    char buf[DOWNLINK_ACK_MAX];
    assert_int_equal(downlink_ack_body(DOWNLINK_PAYMENTS, 7, "applied", "", buf, sizeof buf), GL_OK);
    assert_string_equal(buf, "{\"down_kind\":\"payments\",\"down_seq\":7,\"result\":\"applied\",\"reason\":\"\"}");
    assert_int_equal(downlink_ack_body(DOWNLINK_COMMANDS, 9, "refused", "bad \"sig\"", buf, sizeof buf), GL_OK);
    assert_string_equal(buf, "{\"down_kind\":\"commands\",\"down_seq\":9,\"result\":\"refused\",\"reason\":\"bad \\\"sig\\\"\"}");
    assert_int_equal(downlink_ack_body(DOWNLINK_COMMANDS, 9, "refused", "x", buf, 20), GL_EBOUND);
    /* issue 21.3: a reason holding bytes that are not UTF-8 (or a character
     * cut short) goes up as valid text */
    assert_int_equal(downlink_ack_body(DOWNLINK_PAYMENTS, 3, "refused", "ref R\xff\xfeX \xe9\x93\xb6\xe9", buf, sizeof buf),
                     GL_OK);
    assert_string_equal(buf, "{\"down_kind\":\"payments\",\"down_seq\":3,\"result\":\"refused\",\"reason\":\"ref R??X \xe9\x93\xb6?\"}");
    downlink_kind k;
    assert_int_equal(downlink_kind_parse("topups", 6, &k), GL_OK);
    assert_int_equal(k, DOWNLINK_TOPUPS);
    assert_int_equal(downlink_kind_parse("topup", 5, &k), GL_ENOTFOUND);
    assert_string_equal(downlink_kind_name(DOWNLINK_CONFIG), "config");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_vector),
        cmocka_unit_test(test_verify_table),
        cmocka_unit_test(test_bodies_and_whitespace),
        cmocka_unit_test(test_served_body),
        cmocka_unit_test(test_payment_mode_body),
        cmocka_unit_test(test_key_file),
        cmocka_unit_test(test_ack_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
