/* bo_down.c: `pay`, `topup`, `tariff push`, `disconnect`, `reconnect`,
 * `resend` and `acks`: messages down to a gateway, signed with its key.
 *
 * The downlink seq is kept per gateway in the database (down_seq): taken and
 * recorded with the message (downlink) in one transaction, then published at
 * QoS 1 and the broker's PUBACK awaited. A message that fails to publish
 * leaves a gap in the gateway's seqs, which is harmless: the gateway refuses
 * only seqs at or below the last one it accepted. */
#include "bo_down.h"

#include <fcntl.h>
#include <mbedtls/md.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bo_cli.h"
#include "bo_ingest.h"
#include "bo_mqtt.h"
#include "bo_report.h"
#include "cli.h"
#include "downlink.h"
#include "fileio.h"
#include "gridledger/money.h"
#include "gridledger/tariff.h"

#define PUBACK_WAIT_S 10

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

gl_status bo_key_load(const char *keys_dir, const char *gateway, unsigned char key[BO_KEY_BYTES])
{
    char path[BO_PATH_MAX + 80], text[80];
    struct stat sb;
    gl_status st = GL_EIO;
    ssize_t n;
    int fd;
    snprintf(path, sizeof path, "%s/%s.key", keys_dir, gateway);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return GL_EIO;
    if (fstat(fd, &sb) != 0)
        goto out;
    st = GL_EPERM;
    if (sb.st_mode & 077)
        goto out;
    st = GL_ESYNTAX;
    n = read(fd, text, sizeof text);
    if (n == 65 && text[64] == '\n')
        n = 64;
    if (n != 64)
        goto out;
    for (int i = 0; i < BO_KEY_BYTES; i++) {
        int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            goto out;
        key[i] = (unsigned char)(hi << 4 | lo);
    }
    st = GL_OK;
out:
    memset(text, 0, sizeof text);
    close(fd);
    return st;
}

/* ,"sig":"<64 hex>"} in place of the final }: what signing adds */
#define SIG_MEMBER 73u
/* the envelope around a body, "sig" included, at most (ids of 64, seq,
 * ts and expires of 20 digits, the kind) */
#define ENVELOPE_MAX 400u

gl_status bo_down_sign(const unsigned char key[BO_KEY_BYTES], const char *gateway, long long seq, long long ts,
                       long long expires, const char *kind, const cJSON *body, char **out)
{
    gl_status st = GL_ENOMEM;
    cJSON *env = cJSON_CreateObject(), *b = cJSON_Duplicate(body, 1);
    char *text = NULL, *msg = NULL;
    unsigned char mac[32];
    *out = NULL;
    if (!env || !b)
        goto out;
    /* member order fixed: the signature is over these exact bytes */
    cJSON_AddNumberToObject(env, "v", 1);
    cJSON_AddStringToObject(env, "gateway", gateway);
    cJSON_AddNumberToObject(env, "seq", (double)seq);
    cJSON_AddNumberToObject(env, "ts", (double)ts);
    cJSON_AddNumberToObject(env, "expires", (double)expires);
    cJSON_AddStringToObject(env, "kind", kind);
    cJSON_AddItemToObject(env, "body", b);
    b = NULL;
    text = cJSON_PrintUnformatted(env);
    if (!text)
        goto out;
    size_t len = strlen(text);
    st = GL_EBOUND;
    if (len + SIG_MEMBER > DOWNLINK_MAX_TEXT)
        goto out; /* the gateway would refuse it unread */
    st = GL_EAUTH;
    if (mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key, BO_KEY_BYTES, (const unsigned char *)text,
                        len, mac) != 0)
        goto out;
    st = GL_ENOMEM;
    msg = malloc(len + 80);
    if (!msg)
        goto out;
    memcpy(msg, text, len - 1); /* without the closing brace */
    size_t p = len - 1;
    p += (size_t)snprintf(msg + p, 80, ",\"sig\":\"");
    for (int i = 0; i < 32; i++)
        p += (size_t)snprintf(msg + p, 3, "%02x", mac[i]);
    snprintf(msg + p, 3, "\"}");
    *out = msg;
    msg = NULL;
    st = GL_OK;
out:
    memset(mac, 0, sizeof mac);
    free(msg);
    cJSON_free(text);
    cJSON_Delete(b);
    cJSON_Delete(env);
    return st;
}

/* ---- publishing ---- */

typedef struct pub_state {
    int mid;
    int acked;
} pub_state;

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
    pub_state *p = obj;
    (void)m;
    if (mid == p->mid)
        p->acked = 1;
}

static gl_status publish(const bo_config *cfg, const char *topic, const char *msg)
{
    pub_state ps = {0, 0};
    gl_status st = GL_ENET;
    mosquitto_lib_init();
    struct mosquitto *m = bo_mqtt_connect(cfg, NULL, 1, &ps);
    if (!m)
        goto out;
    mosquitto_publish_callback_set(m, on_publish);
    if (mosquitto_publish(m, &ps.mid, topic, (int)strlen(msg), msg, 1, false) != MOSQ_ERR_SUCCESS)
        goto out;
    for (time_t end = time(NULL) + PUBACK_WAIT_S; !ps.acked && time(NULL) < end;)
        if (mosquitto_loop(m, 200, 1) != MOSQ_ERR_SUCCESS)
            break;
    if (ps.acked)
        st = GL_OK;
    else
        cli_error("publish", "%s: no PUBACK from the broker within %d s", topic, PUBACK_WAIT_S);
    mosquitto_disconnect(m);
out:
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    return st;
}

/* ---- the message and its record ---- */

typedef struct down_req {
    const char *gateway;
    const char *kind; /* payments|topups|tariffs|commands */
    cJSON *body;
    const char *customer, *ref, *date; /* for the record; may be NULL */
    char amount_fen[24];
    long long seq; /* set when sent */
    int quiet;     /* no "sent ..." line */
} down_req;

/* next_seq_and_record: takes the gateway's next downlink seq and records the
 * signed message, in one transaction. */
static gl_status next_seq_and_record(bo_db *db, down_req *r, const unsigned char *key, long long ttl_s, char **msg,
                                     long long *seq_out)
{
    gl_status st;
    char seq_s[24], ts_s[24], exp_s[24];
    long long ts = (long long)time(NULL);
    for (int attempt = 0; attempt < BO_RETRIES; attempt++) {
        st = bo_db_begin(db);
        if (st != GL_OK)
            return st;
        const char *g[] = {r->gateway};
        st = bo_db_scalar(db,
                          "INSERT INTO down_seq (gateway, last_seq) VALUES ($1, 1) ON CONFLICT (gateway)"
                          " DO UPDATE SET last_seq = down_seq.last_seq + 1 RETURNING last_seq",
                          1, g, seq_s, sizeof seq_s);
        long long seq = strtoll(seq_s, NULL, 10);
        if (st == GL_OK && seq <= 0)
            st = GL_EDB;
        if (st == GL_OK)
            st = bo_down_sign(key, r->gateway, seq, ts, ts + ttl_s, r->kind, r->body, msg);
        snprintf(ts_s, sizeof ts_s, "%lld", ts);
        snprintf(exp_s, sizeof exp_s, "%lld", ts + ttl_s);
        const char *p[] = {r->gateway, seq_s, r->kind, ts_s, exp_s, r->customer, r->amount_fen[0] ? r->amount_fen : NULL,
                           r->ref, r->date, *msg};
        if (st == GL_OK)
            st = bo_db_exec(db,
                            "INSERT INTO downlink (gateway, seq, kind, ts, expires, customer, amount_fen, ref, date,"
                            " message) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
                            10, p, NULL);
        if (st == GL_OK)
            st = bo_db_commit(db);
        if (st == GL_OK) {
            *seq_out = seq;
            return GL_OK;
        }
        bo_db_rollback(db);
        free(*msg);
        *msg = NULL;
        if (st != BO_DB_RETRY)
            return st;
    }
    return st;
}

static int send_down(bo_ctx *ctx, down_req *r)
{
    unsigned char key[BO_KEY_BYTES];
    bo_db *db = NULL;
    char *msg = NULL, topic[BO_TOPIC_MAX], where[BO_PATH_MAX + 80];
    long long seq = 0;
    int ret = CLI_USAGE;
    gl_status st = bo_key_load(ctx->cfg.keys_dir, r->gateway, key);
    snprintf(where, sizeof where, "%s/%s.key", ctx->cfg.keys_dir, r->gateway);
    if (st != GL_OK) {
        cli_error(where, "%s", st == GL_EPERM    ? "readable by group or others; chmod 0600"
                               : st == GL_ESYNTAX ? "must hold 64 hex characters (32 bytes)"
                                                  : "cannot read the gateway's key");
        return CLI_USAGE;
    }
    ret = CLI_FAIL;
    if (bo_open_db(ctx, &db) != GL_OK)
        goto out;
    st = next_seq_and_record(db, r, key, ctx->cfg.down_ttl_s, &msg, &seq);
    if (st != GL_OK) {
        cli_error(r->kind, "%s: %s", gl_strerror(st), bo_db_error(db));
        goto out;
    }
    snprintf(topic, sizeof topic, "gl/v1/%s/down/%s", r->gateway, r->kind);
    if (publish(&ctx->cfg, topic, msg) != GL_OK)
        goto out;
    if (!r->quiet)
        printf("sent %s seq %lld to %s\n", r->kind, seq, r->gateway);
    r->seq = seq;
    ret = CLI_OK;
out:
    memset(key, 0, sizeof key);
    free(msg);
    bo_db_close(db);
    return ret;
}

gl_status bo_down_send_cmd(bo_ctx *ctx, const char *gateway, const char *kind, cJSON *body, const char *customer,
                           long long *seq)
{
    down_req r;
    memset(&r, 0, sizeof r);
    r.gateway = gateway;
    r.kind = kind;
    r.body = body;
    r.customer = customer;
    r.quiet = 1;
    int rc = send_down(ctx, &r);
    *seq = r.seq;
    return rc == CLI_OK ? GL_OK : rc == CLI_USAGE ? GL_EAUTH : GL_ENET;
}

/* ---- argument handling per command ---- */

/* payment_json: the body of a payment or top-up; NULL when out of memory. */
static cJSON *payment_json(const char *customer, const char *amount, const char *ref, const char *date)
{
    cJSON *b = cJSON_CreateObject();
    if (b) {
        cJSON_AddStringToObject(b, "customer", customer);
        cJSON_AddStringToObject(b, "amount", amount);
        cJSON_AddStringToObject(b, "ref", ref);
        cJSON_AddStringToObject(b, "date", date);
    }
    return b;
}

static int money_body(down_req *r, int argc, char **argv)
{
    const char *ref = NULL, *date = NULL;
    static char today[11];
    int64_t fen = 0;
    char amount[MONEY_FMT_MAX];
    int pos = 0;
    const char *args[3] = {NULL, NULL, NULL};
    for (int i = 1; i < argc; i++) {
        int t;
        if ((t = bo_take_opt(argc, argv, &i, "--ref", &ref)) || (t = bo_take_opt(argc, argv, &i, "--date", &date))) {
            if (t < 0)
                return -1;
        } else if (pos < 3) {
            args[pos++] = argv[i];
        } else {
            return -1;
        }
    }
    if (pos != 3 || !ref || !*ref || strlen(ref) > 64 || !bo_valid_id(args[0]) || !bo_valid_id(args[1]))
        return -1;
    if (money_parse(args[2], 2, &fen) != GL_OK || fen <= 0 || money_format(fen, 2, amount, sizeof amount) != GL_OK) {
        cli_error(argv[0], "amount %s: a positive decimal with at most 2 decimals", args[2]);
        return -1;
    }
    if (!date) {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(today, sizeof today, "%Y-%m-%d", &tm);
        date = today;
    }
    if (!bo_valid_date(date))
        return -1;
    r->gateway = args[0];
    r->customer = args[1];
    r->ref = ref;
    r->date = date;
    snprintf(r->amount_fen, sizeof r->amount_fen, "%lld", (long long)fen);
    r->body = payment_json(r->customer, amount, ref, date);
    return r->body ? 0 : -1;
}

gl_status bo_down_tariff_body(const char *name, const char *text, size_t len, cJSON **body, char *why, size_t cap)
{
    diag *d = malloc(sizeof *d);
    tariff_set *ts = malloc(sizeof *ts);
    gl_status st = d && ts ? GL_OK : GL_ENOMEM;
    *body = NULL;
    why[0] = '\0';
    if (st == GL_OK) {
        diag_init(d);
        st = tariff_parse(name, text, len, d, ts);
        if (st != GL_OK)
            snprintf(why, cap, "%s", d->count ? d->lines[0] : gl_strerror(st));
    }
    free(d);
    free(ts);
    cJSON *t = st == GL_OK ? cJSON_ParseWithLength(text, len) : NULL;
    char *compact = t ? cJSON_PrintUnformatted(t) : NULL;
    size_t body_len = compact ? strlen(compact) : SIZE_MAX - ENVELOPE_MAX;
    cJSON_free(compact);
    if (st == GL_OK && !cJSON_IsObject(t)) {
        snprintf(why, cap, "%s: not a JSON object", name);
        st = GL_ESYNTAX;
    } else if (st == GL_OK && body_len + ENVELOPE_MAX > DOWNLINK_MAX_TEXT) {
        snprintf(why, cap, "%s: the signed message would exceed the gateway's limit of %u bytes (%zu bytes of tariff)",
                 name, DOWNLINK_MAX_TEXT, body_len);
        st = GL_EBOUND;
    }
    if (st == GL_OK && (*body = cJSON_CreateObject()) != NULL) {
        cJSON_AddItemToObject(*body, "tariff", t);
        return GL_OK;
    }
    cJSON_Delete(t);
    return st == GL_OK ? GL_ENOMEM : st;
}

static int tariff_body(down_req *r, int argc, char **argv)
{
    char *text = NULL, why[DIAG_LINE + 64];
    size_t len = 0;
    if (argc != 4 || strcmp(argv[1], "push") != 0 || !bo_valid_id(argv[2]))
        return -1;
    if (fileio_read(argv[3], DOWNLINK_MAX_TEXT, &text, &len) != GL_OK) {
        cli_error(argv[3], "cannot read the tariff file (at most %u bytes)", DOWNLINK_MAX_TEXT);
        return -2;
    }
    gl_status st = bo_down_tariff_body(argv[3], text, len, &r->body, why, sizeof why);
    free(text);
    if (st == GL_ENOMEM)
        return -1;
    if (st != GL_OK) {
        fprintf(stderr, "gridledger-backoffice: %s\n", why);
        return -2;
    }
    r->gateway = argv[2];
    return 0;
}

/* ack_body: ack-alert GATEWAY KIND SUBJECT -> {"command":"ack_alert","alert","subject"}. */
static int ack_body(down_req *r, int argc, char **argv)
{
    if (argc != 4 || !bo_valid_id(argv[1]) || !bo_valid_id(argv[2]) || !bo_valid_id(argv[3]))
        return -1;
    r->gateway = argv[1];
    r->body = cJSON_CreateObject();
    if (!r->body)
        return -1;
    cJSON_AddStringToObject(r->body, "command", "ack_alert");
    cJSON_AddStringToObject(r->body, "alert", argv[2]);
    cJSON_AddStringToObject(r->body, "subject", argv[3]);
    return 0;
}

/* served_body: served GATEWAY CUSTOMER ACTION --proof TEXT [--id N] [--at UNIX]: a collector's
 * confirmation (a letter handed over, a call answered) sent down as the
 * notice's proof of service; --id 0 (default) is the newest such notice. */
static int served_body(down_req *r, int argc, char **argv)
{
    const char *proof = NULL, *id = "0", *at = NULL, *pos[3] = {NULL, NULL, NULL};
    int np = 0;
    for (int i = 1; i < argc; i++) {
        int t;
        if ((t = bo_take_opt(argc, argv, &i, "--proof", &proof)) || (t = bo_take_opt(argc, argv, &i, "--id", &id)) ||
            (t = bo_take_opt(argc, argv, &i, "--at", &at))) {
            if (t < 0)
                return -1;
        } else if (np < 3) {
            pos[np++] = argv[i];
        } else {
            return -1;
        }
    }
    char *e1 = NULL, *e2 = NULL;
    long long rid = strtoll(id, &e1, 10), ts = at ? strtoll(at, &e2, 10) : (long long)time(NULL);
    if (np != 3 || !proof || !*proof || strlen(proof) > 127 || !bo_valid_id(pos[0]) || !bo_valid_id(pos[1]) ||
        !bo_valid_id(pos[2]) || *e1 || rid < 0 || (at && (*e2 || ts <= 0)))
        return -1;
    r->gateway = pos[0];
    r->customer = pos[1];
    r->body = cJSON_CreateObject();
    if (!r->body)
        return -1;
    cJSON_AddStringToObject(r->body, "command", "served");
    cJSON_AddStringToObject(r->body, "customer", pos[1]);
    cJSON_AddStringToObject(r->body, "action", pos[2]);
    cJSON_AddNumberToObject(r->body, "record_id", (double)rid);
    cJSON_AddNumberToObject(r->body, "served", (double)ts);
    cJSON_AddStringToObject(r->body, "proof", proof);
    return 0;
}

static int command_body(down_req *r, int argc, char **argv)
{
    long long since = 0;
    char *end = NULL;
    if (strcmp(argv[0], "ack-alert") == 0)
        return ack_body(r, argc, argv);
    if (strcmp(argv[0], "served") == 0)
        return served_body(r, argc, argv);
    if (argc != 3 || !bo_valid_id(argv[1]))
        return -1;
    r->gateway = argv[1];
    r->body = cJSON_CreateObject();
    if (!r->body)
        return -1;
    cJSON_AddStringToObject(r->body, "command", argv[0]);
    if (strcmp(argv[0], "resend") == 0) {
        since = strtoll(argv[2], &end, 10);
        if (!end || *end || since < 0 || since > BO_SEQ_MAX)
            return -1;
        cJSON_AddNumberToObject(r->body, "since_seq", (double)since);
    } else {
        if (!bo_valid_id(argv[2]))
            return -1;
        r->customer = argv[2];
        cJSON_AddStringToObject(r->body, "customer", argv[2]);
    }
    return 0;
}

int bo_cmd_down(bo_ctx *ctx, int argc, char **argv)
{
    down_req r;
    int rc;
    memset(&r, 0, sizeof r);
    if (bo_config_load(ctx) != GL_OK)
        return CLI_USAGE;
    if (strcmp(argv[0], "pay") == 0 || strcmp(argv[0], "topup") == 0) {
        r.kind = argv[0][0] == 'p' ? "payments" : "topups";
        rc = money_body(&r, argc, argv);
    } else if (strcmp(argv[0], "tariff") == 0) {
        r.kind = "tariffs";
        rc = tariff_body(&r, argc, argv);
    } else {
        r.kind = "commands";
        rc = command_body(&r, argc, argv);
    }
    if (rc == -1)
        cli_error(argv[0], "usage: see gridledger-backoffice %s --help", argv[0]);
    int ret = rc == 0 ? send_down(ctx, &r) : CLI_USAGE;
    cJSON_Delete(r.body);
    return ret;
}

/* prepay_body: prepay GATEWAY CUSTOMER --opening AMOUNT [--mode prepaid|load_controlled] [--rule RULE]
 * or prepay GATEWAY CUSTOMER --mode postpaid [--rule RULE] (back to post-paid: no opening, the
 * prepaid balance is carried) -> {"command":"payment_mode","customer","mode","opening_balance","rule"}. */
static cJSON *prepay_body(int argc, char **argv, const char **gw, const char **customer)
{
    const char *opening = NULL, *mode = "prepaid", *rule = NULL, *pos[2] = {NULL, NULL};
    char amount[MONEY_FMT_MAX];
    int64_t fen = 0;
    int np = 0;
    for (int i = 1; i < argc; i++) {
        int t;
        if ((t = bo_take_opt(argc, argv, &i, "--opening", &opening)) || (t = bo_take_opt(argc, argv, &i, "--mode", &mode)) ||
            (t = bo_take_opt(argc, argv, &i, "--rule", &rule))) {
            if (t < 0)
                return NULL;
        } else if (np < 2) {
            pos[np++] = argv[i];
        } else {
            return NULL;
        }
    }
    int post = strcmp(mode, "postpaid") == 0;
    if (np != 2 || (post ? opening != NULL : opening == NULL) || !bo_valid_id(pos[0]) || !bo_valid_id(pos[1]) ||
        (strcmp(mode, "prepaid") != 0 && strcmp(mode, "load_controlled") != 0 && !post) || (rule && strlen(rule) > 127))
        return NULL;
    if (post)
        opening = "0";
    if (money_parse(opening, 2, &fen) != GL_OK || fen < 0 || money_format(fen, 2, amount, sizeof amount) != GL_OK) {
        cli_error("prepay", "--opening %s: a decimal >= 0 with at most 2 decimals", opening);
        return NULL;
    }
    cJSON *b = cJSON_CreateObject();
    if (b == NULL)
        return NULL;
    cJSON_AddStringToObject(b, "command", "payment_mode");
    cJSON_AddStringToObject(b, "customer", pos[1]);
    cJSON_AddStringToObject(b, "mode", mode);
    cJSON_AddStringToObject(b, "opening_balance", amount);
    if (rule)
        cJSON_AddStringToObject(b, "rule", rule);
    *gw = pos[0];
    *customer = pos[1];
    return b;
}

/* prepay: carries out the grade's "move to prepayment" measure: a signed
 * payment_mode command; the gateway's answer comes back on its ack topic
 * (`acks`). */
/* send_body: a measure's command body (NULL: the usage) sent signed on
 * "commands" to gw. */
static int send_body(bo_ctx *ctx, const char *name, const char *usage, cJSON *b, const char *gw, const char *customer)
{
    long long seq = 0;
    if (b == NULL) {
        cli_error(name, "usage: %s", usage);
        return CLI_USAGE;
    }
    gl_status st = bo_down_send_cmd(ctx, gw, "commands", b, customer, &seq);
    if (st == GL_OK)
        printf("sent commands seq %lld to %s (%s %s)\n", seq, gw,
               cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "command")), customer);
    cJSON_Delete(b);
    if (st != GL_OK)
        return st == GL_EAUTH ? CLI_USAGE : CLI_FAIL;
    return CLI_OK;
}

int bo_cmd_prepay(bo_ctx *ctx, int argc, char **argv)
{
    const char *gw = NULL, *customer = NULL;
    if (bo_config_load(ctx) != GL_OK)
        return CLI_USAGE;
    cJSON *b = prepay_body(argc, argv, &gw, &customer);
    return send_body(ctx, "prepay", "prepay GATEWAY CUSTOMER (--opening AMOUNT [--mode prepaid|load_controlled] | "
                     "--mode postpaid) [--rule RULE]", b, gw, customer);
}

/* deposit_body: deposit GATEWAY CUSTOMER (--request AMOUNT | --record AMOUNT --ref REF | --release --ref REF)
 * [--rule RULE] -> {"command":"deposit","customer","op","amount","ref","rule"}. */
static cJSON *deposit_body(int argc, char **argv, const char **gw, const char **customer)
{
    const char *req = NULL, *rec = NULL, *ref = NULL, *rule = NULL, *pos[2] = {NULL, NULL};
    char amount[MONEY_FMT_MAX] = "";
    int64_t fen = 0;
    int np = 0, rel = 0;
    for (int i = 1; i < argc; i++) {
        int t;
        if ((t = bo_take_opt(argc, argv, &i, "--request", &req)) || (t = bo_take_opt(argc, argv, &i, "--record", &rec)) ||
            (t = bo_take_opt(argc, argv, &i, "--ref", &ref)) || (t = bo_take_opt(argc, argv, &i, "--rule", &rule))) {
            if (t < 0)
                return NULL;
        } else if (strcmp(argv[i], "--release") == 0) {
            rel = 1;
        } else if (np < 2) {
            pos[np++] = argv[i];
        } else {
            return NULL;
        }
    }
    const char *money = req ? req : rec;
    if (np != 2 || (req != NULL) + (rec != NULL) + rel != 1 || (req != NULL) == (ref != NULL) || !bo_valid_id(pos[0]) ||
        !bo_valid_id(pos[1]) || (ref && (strlen(ref) == 0 || strlen(ref) > 47)) || (rule && strlen(rule) > 127))
        return NULL;
    if (money && (money_parse(money, 2, &fen) != GL_OK || fen <= 0 || money_format(fen, 2, amount, sizeof amount) != GL_OK)) {
        cli_error("deposit", "%s: a decimal > 0 with at most 2 decimals", money);
        return NULL;
    }
    cJSON *b = cJSON_CreateObject();
    if (b == NULL)
        return NULL;
    cJSON_AddStringToObject(b, "command", "deposit");
    cJSON_AddStringToObject(b, "customer", pos[1]);
    cJSON_AddStringToObject(b, "op", req ? "request" : rec ? "record" : "release");
    if (money)
        cJSON_AddStringToObject(b, "amount", amount);
    if (ref)
        cJSON_AddStringToObject(b, "ref", ref);
    if (rule)
        cJSON_AddStringToObject(b, "rule", rule);
    *gw = pos[0];
    *customer = pos[1];
    return b;
}

/* deposit: carries out the grade's deposit measure: request, record or
 * release a cash deposit by a signed deposit command (answer on `acks`). */
int bo_cmd_deposit(bo_ctx *ctx, int argc, char **argv)
{
    const char *gw = NULL, *customer = NULL;
    if (bo_config_load(ctx) != GL_OK)
        return CLI_USAGE;
    cJSON *b = deposit_body(argc, argv, &gw, &customer);
    return send_body(ctx, "deposit", "deposit GATEWAY CUSTOMER (--request AMOUNT | --record AMOUNT --ref REF | "
                     "--release --ref REF) [--rule RULE]", b, gw, customer);
}

/* ---- acks ---- */

static const bo_col acks_cols[] = {
    {"gateway", BO_COL_TEXT}, {"seq", BO_COL_INT},      {"kind", BO_COL_TEXT},   {"customer", BO_COL_TEXT},
    {"amount", BO_COL_FEN},   {"ref", BO_COL_TEXT},     {"sent_ts", BO_COL_INT}, {"result", BO_COL_TEXT},
    {"reason", BO_COL_TEXT},  {"ack_seq", BO_COL_INT},
};

/* acks [GATEWAY]: every downlink message with its acknowledgement, or
 * "pending" while none came back. */
int bo_cmd_acks(bo_ctx *ctx, int argc, char **argv)
{
    const char *gw = argc > 1 ? argv[1] : "";
    if (argc > 2 || (*gw && !bo_valid_id(gw))) {
        cli_error("acks", "usage: acks [GATEWAY]");
        return CLI_USAGE;
    }
    const char *p[] = {gw};
    return bo_print_query(ctx, "acks",
                          "SELECT d.gateway, d.seq, d.kind, d.customer, d.amount_fen, d.ref, d.ts,"
                          " COALESCE(a.result, 'pending'), a.reason, a.seq FROM downlink d"
                          " LEFT JOIN acks a ON a.gateway = d.gateway AND a.down_kind = d.kind"
                          " AND a.down_seq = d.seq AND a.seq = (SELECT MAX(b.seq) FROM acks b"
                          " WHERE b.gateway = d.gateway AND b.down_kind = d.kind AND b.down_seq = d.seq)"
                          " WHERE ($1 = '' OR d.gateway = $1) ORDER BY d.gateway, d.seq",
                          acks_cols, (int)(sizeof acks_cols / sizeof acks_cols[0]), 1, p);
}

/* ---- for the console (bo_api.c) ---- */

/* send_recorded: signs r, records it and publishes it (bo_down_send). */
static gl_status send_recorded(struct bo_ctx *ctx, bo_db *db, down_req *r, long long *seq)
{
    unsigned char key[BO_KEY_BYTES];
    char *msg = NULL, topic[BO_TOPIC_MAX];
    gl_status st = bo_key_load(ctx->cfg.keys_dir, r->gateway, key);
    if (st == GL_OK)
        st = next_seq_and_record(db, r, key, ctx->cfg.down_ttl_s, &msg, seq);
    memset(key, 0, sizeof key);
    if (st != GL_OK)
        return st;
    snprintf(topic, sizeof topic, "gl/v1/%s/down/%s", r->gateway, r->kind);
    st = publish(&ctx->cfg, topic, msg);
    free(msg);
    return st == GL_OK ? GL_OK : GL_ENET;
}

gl_status bo_down_send(struct bo_ctx *ctx, bo_db *db, const char *gateway, const char *kind, cJSON *body,
                       const char *customer, long long *seq)
{
    down_req r;
    memset(&r, 0, sizeof r);
    r.gateway = gateway;
    r.kind = kind;
    r.body = body;
    r.customer = customer;
    return send_recorded(ctx, db, &r, seq);
}

gl_status bo_down_send_payment(struct bo_ctx *ctx, bo_db *db, const char *gateway, const char *customer,
                               int64_t amount_fen, const char *ref, const char *date, long long *seq)
{
    down_req r;
    char amount[MONEY_FMT_MAX];
    memset(&r, 0, sizeof r);
    if (amount_fen <= 0 || money_format(amount_fen, 2, amount, sizeof amount) != GL_OK)
        return GL_ERANGE;
    r.gateway = gateway;
    r.kind = "payments";
    r.customer = customer;
    r.ref = ref;
    r.date = date;
    snprintf(r.amount_fen, sizeof r.amount_fen, "%lld", (long long)amount_fen);
    r.body = payment_json(customer, amount, ref, date);
    gl_status st = r.body ? send_recorded(ctx, db, &r, seq) : GL_ENOMEM;
    cJSON_Delete(r.body);
    return st;
}
