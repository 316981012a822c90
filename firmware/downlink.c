/* downlink.c: verifying and reading downlink messages; see downlink.h. */
#include "downlink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <mbedtls/md.h>

#include "gridledger/civdate.h"
#include "fileio.h"
#include "gridledger/jsonv.h"
#include "gridledger/money.h"
#include "gridledger/utf8.h"
#include "transport.h"

static const char *const kind_names[DOWNLINK_KIND_COUNT] = {"payments", "topups", "tariffs", "commands",
                                                            "config"};
static const char *const command_names[] = {"disconnect", "reconnect", "poll_now", "resend",
                                            "ack_alert",  "served",    "payment_mode", "deposit"};
#define SIG_TAIL ",\"sig\":\""
#define MAX_SAFE_INT 9007199254740991.0 /* 2^53 - 1: JSON numbers as doubles stay exact */

const char *downlink_kind_name(downlink_kind k)
{
    return (unsigned)k < DOWNLINK_KIND_COUNT ? kind_names[k] : "?";
}

gl_status downlink_kind_parse(const char *s, size_t len, downlink_kind *out)
{
    for (int k = 0; s != NULL && k < DOWNLINK_KIND_COUNT; k++) {
        if (strlen(kind_names[k]) == len && memcmp(s, kind_names[k], len) == 0) {
            *out = (downlink_kind)k;
            return GL_OK;
        }
    }
    return GL_ENOTFOUND;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

gl_status downlink_key_load(const char *path, uint8_t key[DOWNLINK_KEY_BYTES])
{
    gl_status st = transport_key_file_private(path);
    if (st != GL_OK)
        return st;
    char *buf = NULL;
    size_t len = 0;
    st = fileio_read(path, 128, &buf, &len);
    if (st != GL_OK)
        return st == GL_EBOUND ? GL_ESYNTAX : st;
    if (len > 0 && buf[len - 1] == '\n')
        len--;
    st = GL_ESYNTAX;
    if (len != 2 * DOWNLINK_KEY_BYTES)
        goto out;
    for (size_t i = 0; i < DOWNLINK_KEY_BYTES; i++) {
        int hi = hexval(buf[2 * i]), lo = hexval(buf[2 * i + 1]);
        if (hi < 0 || lo < 0)
            goto out;
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    st = GL_OK;
out:
    free(buf);
    return st;
}

/* HMAC-SHA256 over text[0..body_len) followed by "}". */
static gl_status hmac_signed_part(const uint8_t *key, const char *text, size_t body_len, uint8_t mac[32])
{
    mbedtls_md_context_t md;
    mbedtls_md_init(&md);
    gl_status st = GL_EAUTH;
    if (mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1) == 0 &&
        mbedtls_md_hmac_starts(&md, key, DOWNLINK_KEY_BYTES) == 0 &&
        mbedtls_md_hmac_update(&md, (const unsigned char *)text, body_len) == 0 &&
        mbedtls_md_hmac_update(&md, (const unsigned char *)"}", 1) == 0 && mbedtls_md_hmac_finish(&md, mac) == 0)
        st = GL_OK;
    mbedtls_md_free(&md);
    return st;
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Finds `,"sig":"<64 lowercase hex>"` followed only by '}' and white space;
 * *comma = its offset, sig = the decoded bytes. 0 if absent or malformed. */
static int find_sig(const char *text, size_t len, size_t *comma, uint8_t sig[32])
{
    size_t tl = strlen(SIG_TAIL);
    size_t end = len;
    while (end > 0 && is_ws(text[end - 1]))
        end--;
    if (end == 0 || text[end - 1] != '}')
        return 0;
    end--;
    while (end > 0 && is_ws(text[end - 1]))
        end--;
    /* end is just past the closing quote of the sig value */
    if (end < tl + 64 + 1 || text[end - 1] != '"')
        return 0;
    size_t start = end - 1 - 64 - tl;
    if (memcmp(text + start, SIG_TAIL, tl) != 0)
        return 0;
    const char *hex = text + start + tl;
    for (size_t i = 0; i < 32; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0 || (hex[2 * i] >= 'A' && hex[2 * i] <= 'F') ||
            (hex[2 * i + 1] >= 'A' && hex[2 * i + 1] <= 'F'))
            return 0; /* lowercase only */
        sig[i] = (uint8_t)(hi << 4 | lo);
    }
    *comma = start;
    return 1;
}

static int ct_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++)
        d |= (uint8_t)(a[i] ^ b[i]);
    return d == 0;
}

static void say(char *reason, size_t cap, const char *what)
{
    if (reason != NULL && cap > 0)
        snprintf(reason, cap, "%s", what);
}

/* An integer member 0..2^53-1; 0 if missing or not one. */
static int get_int(const cJSON *obj, const char *key, int64_t *out)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(n) || n->valuedouble < 0 || n->valuedouble > MAX_SAFE_INT ||
        n->valuedouble != (double)(int64_t)n->valuedouble)
        return 0;
    *out = (int64_t)n->valuedouble;
    return 1;
}

/* A string member of 1..cap-1 bytes copied into out; 0 otherwise. */
static int get_str(const cJSON *obj, const char *key, char *out, size_t cap)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(n) || n->valuestring[0] == '\0' || strlen(n->valuestring) >= cap)
        return 0;
    memcpy(out, n->valuestring, strlen(n->valuestring) + 1);
    return 1;
}

/* date_valid: d is a real calendar date YYYY-MM-DD (the one calendar's check). */
static int date_valid(const char *d)
{
    int32_t day = 0;
    return civdate_parse(d, strlen(d), &day) == GL_OK;
}

static gl_status parse_money_body(const cJSON *body, downlink_msg *m, char *reason, size_t cap)
{
    char amount[32];
    if (!get_str(body, "customer", m->customer, sizeof m->customer) ||
        !get_str(body, "ref", m->ref, sizeof m->ref) || !get_str(body, "amount", amount, sizeof amount) ||
        !get_str(body, "date", m->date, sizeof m->date)) {
        say(reason, cap, "body needs customer, amount, ref, date as strings");
        return GL_ESYNTAX;
    }
    if (money_parse(amount, 2, &m->amount_fen) != GL_OK || m->amount_fen <= 0) {
        say(reason, cap, "body.amount must be a positive decimal string with at most 2 decimals");
        return GL_ERANGE;
    }
    if (!date_valid(m->date)) {
        say(reason, cap, "body.date must be YYYY-MM-DD");
        return GL_ERANGE;
    }
    return GL_OK;
}

/* payment_mode: customer, mode (prepaid|load_controlled|postpaid),
 * opening_balance (a decimal string >= 0, "0.00" if absent; none back to
 * postpaid), rule (optional: the measure). */
static gl_status parse_payment_mode(const cJSON *body, int has_customer, downlink_msg *m, char *reason, size_t cap)
{
    char amount[32] = "0.00";
    const cJSON *ob = cJSON_GetObjectItemCaseSensitive(body, "opening_balance");
    if (!has_customer || !get_str(body, "mode", m->mode, sizeof m->mode)) {
        say(reason, cap, "payment_mode needs customer and mode (strings)");
        return GL_ESYNTAX;
    }
    if (strcmp(m->mode, "prepaid") != 0 && strcmp(m->mode, "load_controlled") != 0 && strcmp(m->mode, "postpaid") != 0) {
        say(reason, cap, "body.mode must be prepaid|load_controlled|postpaid");
        return GL_ERANGE;
    }
    if ((ob != NULL && !get_str(body, "opening_balance", amount, sizeof amount)) ||
        (cJSON_GetObjectItemCaseSensitive(body, "rule") != NULL && !get_str(body, "rule", m->proof, sizeof m->proof))) {
        say(reason, cap, "body.opening_balance and body.rule must be strings");
        return GL_ESYNTAX;
    }
    if (money_parse(amount, 2, &m->amount_fen) != GL_OK || m->amount_fen < 0) {
        say(reason, cap, "body.opening_balance must be a decimal string >= 0 with at most 2 decimals");
        return GL_ERANGE;
    }
    return GL_OK;
}

/* deposit: customer, op (request|record|release), amount (a decimal string
 * > 0; none for release), ref (record, release), rule (optional). */
static gl_status parse_deposit(const cJSON *body, int has_customer, downlink_msg *m, char *reason, size_t cap)
{
    char amount[32] = "0";
    const cJSON *am = cJSON_GetObjectItemCaseSensitive(body, "amount");
    if (!has_customer || !get_str(body, "op", m->mode, sizeof m->mode) ||
        (am != NULL && !get_str(body, "amount", amount, sizeof amount)) ||
        (cJSON_GetObjectItemCaseSensitive(body, "ref") != NULL && !get_str(body, "ref", m->ref, sizeof m->ref)) ||
        (cJSON_GetObjectItemCaseSensitive(body, "rule") != NULL && !get_str(body, "rule", m->proof, sizeof m->proof))) {
        say(reason, cap, "deposit needs customer and op; amount, ref and rule are strings");
        return GL_ESYNTAX;
    }
    if (strcmp(m->mode, "request") != 0 && strcmp(m->mode, "record") != 0 && strcmp(m->mode, "release") != 0) {
        say(reason, cap, "body.op must be request|record|release");
        return GL_ERANGE;
    }
    if (money_parse(amount, 2, &m->amount_fen) != GL_OK || m->amount_fen < 0) {
        say(reason, cap, "body.amount must be a decimal string > 0 with at most 2 decimals");
        return GL_ERANGE;
    }
    return GL_OK;
}

static gl_status parse_command_body(const cJSON *body, downlink_msg *m, char *reason, size_t cap)
{
    char cmd[16];
    if (!get_str(body, "command", cmd, sizeof cmd)) {
        say(reason, cap, "body.command missing");
        return GL_ESYNTAX;
    }
    size_t k;
    for (k = 0; k < sizeof command_names / sizeof command_names[0]; k++)
        if (strcmp(cmd, command_names[k]) == 0)
            break;
    if (k == sizeof command_names / sizeof command_names[0]) {
        say(reason, cap, "body.command must be disconnect|reconnect|poll_now|resend|ack_alert|served|payment_mode|deposit");
        return GL_ERANGE;
    }
    m->command = (downlink_command)k;
    int has_customer = get_str(body, "customer", m->customer, sizeof m->customer);
    if ((m->command == DOWNLINK_CMD_DISCONNECT || m->command == DOWNLINK_CMD_RECONNECT) && !has_customer) {
        say(reason, cap, "body.customer missing");
        return GL_ESYNTAX;
    }
    m->since_seq = -1;
    if (cJSON_GetObjectItemCaseSensitive(body, "since_seq") != NULL && !get_int(body, "since_seq", &m->since_seq)) {
        say(reason, cap, "body.since_seq must be a non-negative integer");
        return GL_ERANGE;
    }
    if (m->command == DOWNLINK_CMD_ACK_ALERT && (!get_str(body, "alert", m->ref, sizeof m->ref) ||
                                                 !get_str(body, "subject", m->customer, sizeof m->customer))) {
        say(reason, cap, "body.alert and body.subject missing");
        return GL_ESYNTAX;
    }
    if (m->command == DOWNLINK_CMD_SERVED &&
        (!has_customer || !get_str(body, "action", m->ref, sizeof m->ref) || !get_int(body, "record_id", &m->record_id) ||
         !get_int(body, "served", &m->served_ts) || !get_str(body, "proof", m->proof, sizeof m->proof))) {
        say(reason, cap, "served needs customer, action, proof (strings), record_id, served (integers)");
        return GL_ESYNTAX;
    }
    if (m->command == DOWNLINK_CMD_PAYMENT_MODE)
        return parse_payment_mode(body, has_customer, m, reason, cap);
    if (m->command == DOWNLINK_CMD_DEPOSIT)
        return parse_deposit(body, has_customer, m, reason, cap);
    if (m->command == DOWNLINK_CMD_RESEND && m->since_seq < 0) {
        say(reason, cap, "body.since_seq missing");
        return GL_ESYNTAX;
    }
    return GL_OK;
}

static gl_status parse_json_body(const cJSON *body, const char *key, downlink_msg *m, char *reason, size_t cap)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(body, key);
    if (!cJSON_IsObject(n)) {
        say(reason, cap, m->kind == DOWNLINK_TARIFFS ? "body.tariff must be an object" : "body.config must be an object");
        return GL_ESYNTAX;
    }
    m->json = cJSON_PrintUnformatted(n);
    return m->json ? GL_OK : GL_ENOMEM;
}

static gl_status parse_body(const cJSON *body, downlink_msg *m, char *reason, size_t cap)
{
    switch (m->kind) {
    case DOWNLINK_PAYMENTS:
    case DOWNLINK_TOPUPS:
        return parse_money_body(body, m, reason, cap);
    case DOWNLINK_COMMANDS:
        return parse_command_body(body, m, reason, cap);
    case DOWNLINK_TARIFFS:
        return parse_json_body(body, "tariff", m, reason, cap);
    case DOWNLINK_CONFIG:
        return parse_json_body(body, "config", m, reason, cap);
    default:
        return GL_EINVAL;
    }
}

/* Identity, kind, time and sequence of an authenticated envelope. */
static gl_status check_envelope(const cJSON *root, const char *gateway, downlink_kind topic_kind, int64_t last_seq,
                                int64_t now_s, downlink_msg *m, char *reason, size_t cap)
{
    int64_t v = 0;
    char gw[DOWNLINK_ID_MAX] = "", kind[16] = "";
    if (!get_int(root, "v", &v) || !get_str(root, "gateway", gw, sizeof gw) || !get_str(root, "kind", kind, sizeof kind) ||
        !get_int(root, "ts", &m->ts) || !get_int(root, "expires", &m->expires) ||
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "body"))) {
        say(reason, cap, "envelope needs v, gateway, seq, ts, expires, kind, body");
        return GL_ESYNTAX;
    }
    if (strcmp(gw, gateway) != 0) {
        say(reason, cap, "addressed to another gateway");
        return GL_EAUTH;
    }
    if (v != 1) {
        say(reason, cap, "unknown envelope version");
        return GL_EPROTO;
    }
    if (downlink_kind_parse(kind, strlen(kind), &m->kind) != GL_OK || m->kind != topic_kind) {
        say(reason, cap, "kind does not match the topic");
        return GL_EPROTO;
    }
    if (m->expires <= now_s) {
        say(reason, cap, "expired");
        return GL_EEXPIRED;
    }
    if (m->ts > now_s + DOWNLINK_MAX_SKEW_S || m->expires < m->ts) {
        say(reason, cap, m->expires < m->ts ? "expires before ts" : "ts in the future");
        return GL_ERANGE;
    }
    if (m->expires - m->ts > DOWNLINK_MAX_LIFETIME_S) {
        say(reason, cap, "expires more than 366 days after ts");
        return GL_ERANGE;
    }
    if (m->seq <= last_seq) {
        if (reason != NULL && cap > 0)
            snprintf(reason, cap, "replayed or old seq %lld <= %lld", (long long)m->seq, (long long)last_seq);
        return GL_EREPLAY;
    }
    return GL_OK;
}

/* lenient_seq: the seq of a message strict parsing refused (invalid UTF-8,
 * "\u0000", a duplicate key), read by cJSON's lenient parser so the refusal
 * ack names the message; 0 if none. Nothing else of such a text is used. */
static int64_t lenient_seq(const char *text, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    int64_t seq = 0;
    if (!cJSON_IsObject(root) || !get_int(root, "seq", &seq))
        seq = 0;
    cJSON_Delete(root);
    return seq;
}

gl_status downlink_verify(const uint8_t key[DOWNLINK_KEY_BYTES], const char *gateway, downlink_kind topic_kind,
                          const char *text, size_t len, int64_t last_seq, int64_t now_s, downlink_msg *out,
                          char *reason, size_t reason_cap)
{
    if (out == NULL)
        return GL_EINVAL;
    memset(out, 0, sizeof *out);
    out->kind = topic_kind;
    out->since_seq = -1;
    say(reason, reason_cap, "");
    if (key == NULL || gateway == NULL || text == NULL)
        return GL_EINVAL;
    if (len > DOWNLINK_MAX_TEXT) {
        say(reason, reason_cap, "message too large");
        return GL_EBOUND;
    }
    diag *d = malloc(sizeof *d);
    if (d == NULL)
        return GL_ENOMEM;
    diag_init(d);
    jsonv_doc *doc = NULL;
    gl_status st = jsonv_parse("downlink", text, len, d, &doc);
    const cJSON *root = doc ? jsonv_root(doc) : NULL;
    if (st != GL_OK || !cJSON_IsObject(root)) {
        if (reason != NULL && reason_cap > 0) /* the diag's line without "downlink:" */
            snprintf(reason, reason_cap, "malformed JSON%s%s", d->count ? " at " : "",
                     d->count ? d->lines[0] + strlen("downlink:") : "");
        out->seq = st == GL_ESYNTAX ? lenient_seq(text, len) : 0;
        st = st == GL_ENOMEM ? st : GL_ESYNTAX;
        goto out;
    }
    if (!get_int(root, "seq", &out->seq) || out->seq == 0) {
        out->seq = 0;
        say(reason, reason_cap, "seq must be a positive integer");
        st = GL_ESYNTAX;
        goto out;
    }
    const cJSON *last = root->child;
    while (last != NULL && last->next != NULL)
        last = last->next;
    size_t comma;
    uint8_t sig[32], mac[32];
    if (last == NULL || strcmp(last->string, "sig") != 0 || !find_sig(text, len, &comma, sig)) {
        say(reason, reason_cap, "no \"sig\" of 64 lowercase hex digits as the last member");
        st = GL_EAUTH;
        goto out;
    }
    st = hmac_signed_part(key, text, comma, mac);
    if (st == GL_OK && !ct_equal(mac, sig, sizeof mac)) {
        say(reason, reason_cap, "bad signature");
        st = GL_EAUTH;
    }
    if (st != GL_OK)
        goto out;
    st = check_envelope(root, gateway, topic_kind, last_seq, now_s, out, reason, reason_cap);
    if (st == GL_OK)
        st = parse_body(cJSON_GetObjectItemCaseSensitive(root, "body"), out, reason, reason_cap);
out:
    if (st != GL_OK) {
        free(out->json);
        out->json = NULL;
    }
    jsonv_free(doc);
    free(d);
    return st;
}

void downlink_msg_free(downlink_msg *m)
{
    if (m == NULL)
        return;
    free(m->json);
    m->json = NULL;
}

gl_status downlink_sign(const uint8_t key[DOWNLINK_KEY_BYTES], const char *text, size_t len, char *out, size_t cap)
{
    if (key == NULL || text == NULL || out == NULL)
        return GL_EINVAL;
    size_t end = len;
    while (end > 0 && is_ws(text[end - 1]))
        end--;
    if (end == 0 || text[end - 1] != '}')
        return GL_ESYNTAX;
    end--; /* text[0..end) is the signed part without its '}' */
    size_t need = end + strlen(SIG_TAIL) + 64 + 2 + 1;
    if (cap < need)
        return GL_EBOUND;
    uint8_t mac[32];
    gl_status st = hmac_signed_part(key, text, end, mac);
    if (st != GL_OK)
        return st;
    memcpy(out, text, end);
    size_t p = end;
    memcpy(out + p, SIG_TAIL, strlen(SIG_TAIL));
    p += strlen(SIG_TAIL);
    for (size_t i = 0; i < 32; i++) {
        out[p++] = "0123456789abcdef"[mac[i] >> 4];
        out[p++] = "0123456789abcdef"[mac[i] & 15];
    }
    out[p++] = '"';
    out[p++] = '}';
    out[p] = '\0';
    return GL_OK;
}

/* text_clean: src as valid UTF-8 in out (cap > 0): each byte that does not
 * start a well-formed character becomes '?', so a reason quoting a refused
 * message (or cut by snprintf inside a character) stays text the back
 * office accepts. */
static void text_clean(const char *src, char *out, size_t cap)
{
    size_t o = 0, n = strlen(src);
    for (size_t i = 0; i < n && o + 1 < cap;) {
        size_t k = 4;
        while (k > 0 && (i + k > n || !utf8_valid((const uint8_t *)src + i, k)))
            k--;
        if (k == 0 || o + k >= cap) {
            out[o++] = '?';
            i += k ? k : 1;
            continue;
        }
        memcpy(out + o, src + i, k);
        o += k;
        i += k;
    }
    out[o] = '\0';
}

gl_status downlink_ack_body(downlink_kind kind, int64_t down_seq, const char *result, const char *reason, char *buf,
                            size_t cap)
{
    if (buf == NULL || result == NULL || cap == 0)
        return GL_EINVAL;
    buf[0] = '\0';
    char clean[DOWNLINK_ACK_MAX];
    text_clean(reason ? reason : "", clean, sizeof clean);
    cJSON *o = cJSON_CreateObject();
    gl_status st = GL_ENOMEM;
    if (o == NULL)
        goto out;
    if (!cJSON_AddStringToObject(o, "down_kind", downlink_kind_name(kind)) ||
        !cJSON_AddNumberToObject(o, "down_seq", (double)down_seq) || !cJSON_AddStringToObject(o, "result", result) ||
        !cJSON_AddStringToObject(o, "reason", clean))
        goto out;
    st = cap > 5 && cJSON_PrintPreallocated(o, buf, (int)(cap - 5), 0) ? GL_OK : GL_EBOUND;
out:
    if (st != GL_OK)
        buf[0] = '\0';
    cJSON_Delete(o);
    return st;
}
