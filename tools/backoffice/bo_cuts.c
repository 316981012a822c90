/* bo_cuts.c: disconnect/reconnect requests and their lawfulness check (bo_cuts.h). */
#include "bo_cuts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gridledger/civdate.h"
#include "gridledger/money.h"

gl_status bo_cuts_schema(bo_db *db)
{
    return bo_db_exec(db,
                      "CREATE TABLE IF NOT EXISTS console_commands (id BIGINT NOT NULL PRIMARY KEY,"
                      " gateway TEXT NOT NULL, customer TEXT NOT NULL, command TEXT NOT NULL, reason TEXT NOT NULL,"
                      " requested_by TEXT NOT NULL, requested_ts BIGINT NOT NULL, state TEXT NOT NULL,"
                      " decided_by TEXT, decided_ts BIGINT, down_seq BIGINT, check_json TEXT NOT NULL)",
                      0, NULL, NULL);
}

/* ---- the check's inputs ---- */

static int64_t fen_of(const char *v)
{
    int64_t n = 0;
    return v && money_parse(v, 0, &n) == GL_OK ? n : 0;
}

static int32_t day_of_text(const char *v)
{
    int32_t d = -1;
    return v && strlen(v) >= 10 && civdate_parse(v, 10, &d) == GL_OK ? d : -1;
}

/* minute_of_text: "YYYY-MM-DD[THH:MM...]" as a civil minute (the gateway's
 * local time as it wrote it); -1 when empty or malformed. */
static int64_t minute_of_text(const char *v)
{
    int64_t min = -1;
    int32_t d = day_of_text(v);
    if (d < 0)
        return -1;
    if (strlen(v) < 16 || v[10] != 'T' || v[13] != ':')
        return (int64_t)d * CIVDATE_MINUTES_PER_DAY;
    return civdate_parse_minute(v, 16, &min) == GL_OK ? min : -1;
}

static int arrears_cb(void *arg, int ncols, const char *const *v)
{
    bo_cuts_basis *b = arg;
    if (ncols != 4 || !v[0])
        return 1;
    snprintf(b->as_of, sizeof b->as_of, "%.10s", v[0]);
    b->arrears_fen = fen_of(v[1]);
    b->penalty_fen = fen_of(v[2]);
    b->oldest_due = day_of_text(v[3]);
    return 1; /* the newest row only */
}

typedef struct rec_acc {
    episode_rec *rec;
    int n;
    int residential;
} rec_acc;

static int rec_cb(void *arg, int ncols, const char *const *v)
{
    rec_acc *r = arg;
    if (ncols != 5 || r->n >= EPISODE_MAX_RECORD)
        return 1;
    int a = collect_action_parse(v[0] ? v[0] : ""), st = episode_status_parse(v[1] ? v[1] : "");
    if (a < 0 || st < 0)
        return 0;
    if (a == COLLECT_NOTICE_1H)
        r->residential = 0;
    r->rec[r->n++] = (episode_rec){(collect_action)a, (episode_status)st, minute_of_text(v[2]), minute_of_text(v[3]),
                                   minute_of_text(v[4])};
    return 0;
}

static int64_t civil_minute_now(long long now)
{
    time_t t = (time_t)now;
    struct tm tm;
    localtime_r(&t, &tm);
    return (int64_t)civdate_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * CIVDATE_MINUTES_PER_DAY +
           tm.tm_hour * 60 + tm.tm_min;
}

static const char arrears_sql[] =
    "SELECT d, a, p, o FROM (SELECT date AS d, arrears_fen AS a, penalty_fen AS p, oldest_due AS o FROM worklist"
    " WHERE gateway = $1 AND customer = $2 UNION ALL SELECT as_of, arrears_fen, penalty_fen, oldest_due FROM grades"
    " WHERE gateway = $1 AND customer = $2) x ORDER BY d DESC LIMIT 1";
static const char paid_sql[] =
    "SELECT COALESCE(SUM(d.amount_fen), 0) FROM downlink d WHERE d.gateway = $1 AND d.customer = $2"
    " AND d.kind = 'payments' AND d.date >= $3 AND EXISTS (SELECT 1 FROM acks k WHERE k.gateway = d.gateway"
    " AND k.down_kind = 'payments' AND k.down_seq = d.seq AND k.result = 'applied')";
static const char episode_sql[] = "SELECT COALESCE(MAX(episode), '') FROM actions WHERE gateway = $1 AND customer = $2";
static const char record_sql[] = "SELECT action, status, planned, taken, served FROM actions"
                                 " WHERE gateway = $1 AND customer = $2 AND episode = $3 ORDER BY id DESC";

gl_status bo_cuts_check(bo_db *db, const collect_cfg *cfg, const char *gateway, const char *customer, long long now,
                        episode_cut_check *chk, bo_cuts_basis *b)
{
    static episode_rec rec[EPISODE_MAX_RECORD];
    char paid[32] = "";
    memset(b, 0, sizeof *b);
    b->oldest_due = -1;
    const char *p[] = {gateway, customer, ""};
    gl_status st = bo_db_query(db, arrears_sql, 2, p, arrears_cb, b);
    p[2] = b->as_of;
    if (st == GL_OK && b->as_of[0])
        st = bo_db_scalar(db, paid_sql, 3, p, paid, sizeof paid);
    if (st == GL_OK)
        st = bo_db_scalar(db, episode_sql, 2, p, b->episode, sizeof b->episode);
    rec_acc acc = {rec, 0, 1};
    p[2] = b->episode;
    if (st == GL_OK && b->episode[0])
        st = bo_db_query(db, record_sql, 3, p, rec_cb, &acc);
    if (st != GL_OK)
        return st;
    b->paid_fen = fen_of(paid);
    b->arrears_fen = b->arrears_fen > b->paid_fen ? b->arrears_fen - b->paid_fen : 0;
    b->nrec = acc.n;
    b->residential = acc.residential;
    b->at_min = civil_minute_now(now);
    ledger_arrears a;
    memset(&a, 0, sizeof a);
    a.arrears_fen = b->arrears_fen;
    a.penalty_fen = b->penalty_fen;
    a.oldest_due = b->arrears_fen > 0 ? b->oldest_due : -1;
    a.next_due = a.penalty_since = -1;
    collect_customer cust = {b->residential ? LEDGER_CLASS_RESIDENTIAL : LEDGER_CLASS_COMMERCIAL, 0, 0};
    episode_cut_rules(cfg, &cust, &a, rec, acc.n, b->at_min, chk);
    return GL_OK;
}

static void add_fen(cJSON *o, const char *name, int64_t fen)
{
    char buf[MONEY_FMT_MAX];
    if (money_format(fen, 2, buf, sizeof buf) == GL_OK)
        cJSON_AddStringToObject(o, name, buf);
}

cJSON *bo_cuts_check_json(const episode_cut_check *chk, const bo_cuts_basis *b)
{
    char date[CIVDATE_FMT_MAX] = "";
    cJSON *o = cJSON_CreateObject(), *rules = cJSON_AddArrayToObject(o, "rules"), *basis;
    cJSON_AddBoolToObject(o, "lawful", chk->lawful);
    for (int i = 0; i < chk->nrules; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "rule", chk->rules[i].name);
        cJSON_AddBoolToObject(r, "ok", chk->rules[i].ok);
        cJSON_AddStringToObject(r, "why", chk->rules[i].why);
        cJSON_AddItemToArray(rules, r);
    }
    basis = cJSON_AddObjectToObject(o, "basis");
    cJSON_AddStringToObject(basis, "arrears_as_of", b->as_of);
    add_fen(basis, "principal", b->arrears_fen);
    add_fen(basis, "penalty", b->penalty_fen);
    add_fen(basis, "paid_since", b->paid_fen);
    if (b->oldest_due >= 0)
        civdate_format(b->oldest_due, date, sizeof date);
    cJSON_AddStringToObject(basis, "oldest_due", date);
    cJSON_AddStringToObject(basis, "episode", b->episode);
    cJSON_AddNumberToObject(basis, "record_rows", b->nrec);
    cJSON_AddStringToObject(basis, "class", b->residential ? "residential" : "non-residential");
    char at[CIVDATE_FMT_MAX + 8] = "";
    civdate_format_minute(b->at_min, at, sizeof at);
    cJSON_AddStringToObject(basis, "at", at);
    return o;
}

/* ---- the requests ---- */

gl_status bo_cuts_add(bo_db *db, const char *gateway, const char *customer, const char *command, const char *reason,
                      const char *who, long long now, const char *check, long long *id)
{
    char now_s[24], id_s[24] = "";
    snprintf(now_s, sizeof now_s, "%lld", now);
    const char *p[] = {gateway, customer, command, reason, who, now_s, check};
    gl_status st = bo_db_begin(db);
    if (st != GL_OK)
        return st;
    st = bo_db_exec(db,
                    "INSERT INTO console_commands (id, gateway, customer, command, reason, requested_by, requested_ts,"
                    " state, check_json) SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3, $4, $5, CAST($6 AS BIGINT),"
                    " 'requested', $7 FROM console_commands",
                    7, p, NULL);
    if (st == GL_OK)
        st = bo_db_scalar(db, "SELECT MAX(id) FROM console_commands", 0, NULL, id_s, sizeof id_s);
    if (st != GL_OK) {
        bo_db_rollback(db);
        return st;
    }
    *id = atoll(id_s);
    return bo_db_commit(db);
}

static int req_cb(void *arg, int ncols, const char *const *v)
{
    bo_cuts_req *r = arg;
    if (ncols != 5 || !v[0] || !v[1] || !v[2] || !v[3] || !v[4])
        return 1;
    r->id = atoll(v[0]);
    snprintf(r->gateway, sizeof r->gateway, "%s", v[1]);
    snprintf(r->customer, sizeof r->customer, "%s", v[2]);
    snprintf(r->command, sizeof r->command, "%s", v[3]);
    snprintf(r->state, sizeof r->state, "%s", v[4]);
    return 1;
}

gl_status bo_cuts_get(bo_db *db, long long id, bo_cuts_req *out)
{
    char id_s[24];
    snprintf(id_s, sizeof id_s, "%lld", id);
    const char *p[] = {id_s};
    memset(out, 0, sizeof *out);
    gl_status st = bo_db_query(db, "SELECT id, gateway, customer, command, state FROM console_commands"
                                   " WHERE id = CAST($1 AS BIGINT)",
                               1, p, req_cb, out);
    return st != GL_OK ? st : out->id == id ? GL_OK : GL_ENOTFOUND;
}

gl_status bo_cuts_decide(bo_db *db, long long id, const char *state, const char *who, long long now, long long seq,
                         const char *check)
{
    char id_s[24], now_s[24], seq_s[24];
    long long changed = 0;
    snprintf(id_s, sizeof id_s, "%lld", id);
    snprintf(now_s, sizeof now_s, "%lld", now);
    snprintf(seq_s, sizeof seq_s, "%lld", seq);
    const char *p[] = {id_s, state, who, now_s, seq_s, check};
    gl_status st = bo_db_exec(db,
                              "UPDATE console_commands SET state = $2, decided_by = $3, decided_ts = CAST($4 AS BIGINT),"
                              " down_seq = NULLIF(CAST($5 AS BIGINT), 0), check_json = $6"
                              " WHERE id = CAST($1 AS BIGINT) AND state = 'requested'",
                              6, p, &changed);
    return st != GL_OK ? st : changed == 1 ? GL_OK : GL_ESTATE;
}

const char bo_cuts_list_sql[] =
    "SELECT c.id, c.gateway, c.customer, c.command, c.reason, c.requested_by, c.requested_ts, c.state, c.decided_by,"
    " c.decided_ts, c.down_seq, CASE WHEN c.down_seq IS NULL THEN NULL ELSE COALESCE(k.result, 'pending') END,"
    " k.reason, c.check_json FROM console_commands c LEFT JOIN acks k ON k.gateway = c.gateway"
    " AND k.down_kind = 'commands' AND k.down_seq = c.down_seq AND NOT EXISTS (SELECT 1 FROM acks n"
    " WHERE n.gateway = k.gateway AND n.down_kind = k.down_kind AND n.down_seq = k.down_seq AND n.seq > k.seq)"
    " WHERE ($1 = '' OR c.requested_by = $1) ORDER BY c.id DESC LIMIT 500";
