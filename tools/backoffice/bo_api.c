/* bo_api.c: the console's JSON API (bo_api.h).
 *
 *  POST /api/login    {"user","password"}          -> session cookie, csrf
 *  POST /api/logout                                  (csrf)
 *  GET  /api/me                                      who, role, grid, csrf
 *  GET  /api/today                                   the worklist (a collector: their grid),
 *                                                    and the notices awaiting proof of service
 *  GET  /api/record?gateway=G&customer=C             a customer's collection record, grade, worklist row
 *  GET  /api/customer?gateway=G&customer=C           bills with their lines, statement, grades, contacts,
 *                                                    alerts, the grade's service standard
 *  POST /api/served   {"gateway","customer","id","proof"[,"at"]}  (csrf) the proof of a notice,
 *                                                    sent down as the signed command "served"
 *  POST /api/pay      {"gateway","customer","amount","ref"[,"date"]}  (csrf) a payment, sent down
 *                                                    signed like `pay`; the record shows its ack
 *  GET  /api/report/NAME                            the back office's reports (supervisor, admin):
 *                                                    area|aging|grades|alerts|health|worklist|actions|outages
 *  GET  /api/audit                                   the audit log (supervisor, admin)
 *  POST /api/users    {"user","password","role"[,"grid"]}  (csrf, admin)
 *  GET  /api/cutcheck?gateway=G&customer=C          the lawfulness check of a cut now, every rule
 *  GET  /api/commands                                disconnect/reconnect requests, state and ack
 *  POST /api/commands {"gateway","customer","command","reason"}  (csrf) a request (bo_cuts.h)
 *  POST /api/commands/approve|reject {"id"}         (csrf, supervisor) approve: the check again, then
 *                                                    the signed command down
 *  POST /api/tariff   {"gateway","tariff"}           (csrf, supervisor, admin) a tariff push
 *  GET  /api/managed                                 account managers' customers (a manager: their own)
 *  POST /api/managed[/remove] {"manager","gateway","customer"}  (csrf, admin) assign / unassign
 * Amounts are decimal strings (yuan, 2 decimals), energy kWh with 3. */
#include "bo_api.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bo_auth.h"
#include "bo_cuts.h"
#include "bo_down.h"
#include "bo_ingest.h"
#include "bo_report.h"
#include "gridledger/money.h"
#include "gridledger/utf8.h"

#define ROLE_COLLECTOR 1
#define ROLE_SUPERVISOR 2
#define ROLE_MANAGER 4
#define ROLE_ADMIN 8
#define ROLE_ANY 15
#define PROOF_MAX 200

typedef struct call {
    bo_api *api;
    const bo_api_req *req;
    bo_api_resp *resp;
    bo_session s;
    int csrf_out; /* 1 once the answer may carry the session's next CSRF token */
    cJSON *in;    /* the parsed body of a POST, or NULL */
} call;

/* ---- responses ---- */

static void reply(call *c, int status, cJSON *obj)
{
    c->resp->status = status;
    if (obj && c->csrf_out && c->s.name[0])
        cJSON_AddStringToObject(obj, "csrf", c->s.csrf); /* the next change's token */
    c->resp->body = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    if (!c->resp->body) {
        c->resp->status = 500;
        c->resp->body = strdup("{\"error\":\"out of memory\"}");
    }
}

static void fail(call *c, int status, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", msg);
    snprintf(c->resp->log, sizeof c->resp->log, "%d %.6s %.60s %.64s: %.100s", status, c->req->method, c->req->path,
             c->s.name[0] ? c->s.name : "-", msg);
    reply(c, status, o);
}

/* ---- rows as JSON ---- */

typedef enum { C_TEXT, C_INT, C_FEN, C_WH } col_kind;
typedef struct col {
    const char *name;
    col_kind kind;
} col;

typedef struct rows {
    cJSON *arr;
    const col *cols;
    int ncols, count;
} rows;

/* add_value: v (text from the store, may be NULL) as the JSON of kind. */
static void add_value(cJSON *o, const char *name, col_kind kind, const char *v)
{
    int64_t n = 0;
    char buf[MONEY_FMT_MAX];
    if (!v || (kind != C_TEXT && money_parse(v, 0, &n) != GL_OK)) {
        cJSON_AddItemToObject(o, name, v && kind == C_TEXT ? cJSON_CreateString(v) : cJSON_CreateNull());
        return;
    }
    if (kind == C_INT)
        cJSON_AddNumberToObject(o, name, (double)n);
    else if (kind == C_TEXT)
        cJSON_AddStringToObject(o, name, v);
    else if (money_format(n, kind == C_FEN ? 2 : 3, buf, sizeof buf) == GL_OK)
        cJSON_AddStringToObject(o, name, buf);
    else
        cJSON_AddNullToObject(o, name);
}

static int row_cb(void *arg, int ncols, const char *const *v)
{
    rows *r = arg;
    if (ncols != r->ncols || r->count >= BO_API_ROWS_MAX)
        return 1;
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < ncols; i++)
        add_value(o, r->cols[i].name, r->cols[i].kind, v[i]);
    cJSON_AddItemToArray(r->arr, o);
    r->count++;
    return 0;
}

/* query_rows: the rows of sql as an array named name in out. */
static gl_status query_rows(call *c, cJSON *out, const char *name, const col *cols, int ncols, const char *sql,
                            int nparams, const char *const *params)
{
    rows r = {cJSON_AddArrayToObject(out, name), cols, ncols, 0};
    return bo_db_query(c->api->db, sql, nparams, params, row_cb, &r);
}

/* ---- request bodies ---- */

/* parse_in: the body as a JSON object whose members are all in allowed
 * (NULL-terminated) and strings, except those named in numbers. */
static int parse_in(call *c, const char *const *allowed, const char *numbers)
{
    const bo_api_req *q = c->req;
    if (!q->body || q->body_len == 0 || q->body_len > BO_API_BODY_MAX) {
        fail(c, 400, "the body must be a JSON object of at most %d bytes", BO_API_BODY_MAX);
        return 0;
    }
    c->in = cJSON_ParseWithLength(q->body, q->body_len);
    if (!cJSON_IsObject(c->in)) {
        fail(c, 400, "malformed JSON: the body must be one JSON object");
        return 0;
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, c->in)
    {
        size_t k = 0;
        while (allowed[k] && strcmp(allowed[k], m->string) != 0)
            k++;
        if (!allowed[k]) {
            fail(c, 400, "unknown field \"%.40s\"", m->string);
            return 0;
        }
        int want_number = numbers && strstr(numbers, m->string) != NULL;
        if (want_number ? !cJSON_IsNumber(m) : !cJSON_IsString(m)) {
            fail(c, 400, "field \"%s\" must be a %s", m->string, want_number ? "number" : "string");
            return 0;
        }
    }
    return 1;
}

static const char *in_str(call *c, const char *name)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(c->in, name);
    return cJSON_IsString(m) ? m->valuestring : NULL;
}

/* in_id: the body's member `name` as a record id (a positive integer, at
 * most 1e15); 0 if it is missing or not one. */
static int in_id(call *c, const char *name, long long *out)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(c->in, name);
    if (!cJSON_IsNumber(j) || j->valuedouble < 1 || j->valuedouble > 1e15 ||
        j->valuedouble != (double)(long long)j->valuedouble)
        return 0;
    *out = (long long)j->valuedouble;
    return 1;
}

/* text_ok: 1..max bytes of valid UTF-8 without control characters. */
static int text_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max || !utf8_valid((const uint8_t *)s, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

static void audit(call *c, const char *what, cJSON *detail)
{
    char *text = cJSON_PrintUnformatted(detail);
    if (bo_auth_audit(c->api->db, c->req->now, c->s.name, what, text ? text : "") != GL_OK)
        snprintf(c->resp->log, sizeof c->resp->log, "audit log write failed: %s", bo_db_error(c->api->db));
    free(text);
}

/* ---- login, logout, me ---- */

static cJSON *session_json(const bo_session *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "user", s->name);
    cJSON_AddStringToObject(o, "role", s->role);
    cJSON_AddStringToObject(o, "grid", s->grid);
    cJSON_AddNumberToObject(o, "expires", (double)s->expires);
    return o;
}

static void api_login(call *c)
{
    static const char *const keys[] = {"user", "password", NULL};
    char token[BO_AUTH_TOKEN_HEX + 1];
    if (!parse_in(c, keys, NULL))
        return;
    const char *user = in_str(c, "user"), *pw = in_str(c, "password");
    if (!user || !pw) {
        fail(c, 400, "user and password are required");
        return;
    }
    gl_status st = bo_auth_login(c->api->db, user, pw, c->req->now, token, sizeof token, &c->s);
    if (st == GL_ESTATE) {
        fail(c, 423, "account locked for %d minutes after %d failed logins", BO_AUTH_LOCK_S / 60,
             BO_AUTH_MAX_FAILURES);
        return;
    }
    if (st != GL_OK) {
        memset(&c->s, 0, sizeof c->s);
        fail(c, st == GL_EAUTH ? 401 : 500, st == GL_EAUTH ? "wrong user name or password" : "store: %s",
             bo_db_error(c->api->db));
        return;
    }
    snprintf(c->resp->set_cookie, sizeof c->resp->set_cookie,
             "%s=%s; Path=/; Max-Age=%d; Secure; HttpOnly; SameSite=Strict", BO_API_COOKIE, token,
             BO_AUTH_SESSION_S);
    c->csrf_out = 1;
    audit(c, "login", NULL);
    reply(c, 200, session_json(&c->s));
}

static void api_logout(call *c)
{
    bo_auth_logout(c->api->db, c->req->token);
    snprintf(c->resp->set_cookie, sizeof c->resp->set_cookie,
             "%s=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict", BO_API_COOKIE);
    audit(c, "logout", NULL);
    memset(&c->s, 0, sizeof c->s);
    reply(c, 200, cJSON_CreateObject());
}

static void api_me(call *c)
{
    cJSON *o = session_json(&c->s);
    cJSON_AddStringToObject(o, "csrf", c->s.csrf);
    reply(c, 200, o);
}

/* ---- today and the collection record ---- */

static const col worklist_cols[] = {
    {"gateway", C_TEXT},  {"customer", C_TEXT}, {"name", C_TEXT},         {"grid", C_TEXT},
    {"grade", C_TEXT},    {"arrears", C_FEN},   {"penalty", C_FEN},       {"days_overdue", C_INT},
    {"action", C_TEXT},   {"channel", C_TEXT},  {"deadline", C_TEXT},     {"date", C_TEXT},
};
static const char worklist_sql[] =
    "SELECT w.gateway, w.customer, w.name, w.grid, w.grade, w.arrears_fen, w.penalty_fen, w.days_overdue,"
    " w.action, w.channel, w.deadline, w.date FROM worklist w"
    " WHERE ($1 = '' OR w.grid = $1) AND ($2 = '' OR w.gateway = $2) AND ($3 = '' OR w.customer = $3)"
    " AND w.date = (SELECT MAX(x.date) FROM worklist x WHERE x.gateway = w.gateway)" /* the newest, by the key */
    " AND ($4 = '' OR EXISTS (SELECT 1 FROM console_managed m WHERE m.manager = $4 AND m.gateway = w.gateway"
    " AND m.customer = w.customer))" /* an account manager: their customers */
    " ORDER BY w.deadline, w.priority, w.gateway, w.customer";

static const col action_cols[] = {
    {"gateway", C_TEXT}, {"id", C_INT},          {"customer", C_TEXT},  {"episode", C_TEXT}, {"action", C_TEXT},
    {"channel", C_TEXT}, {"planned", C_TEXT},    {"taken", C_TEXT},     {"status", C_TEXT},  {"served", C_TEXT},
    {"proof", C_TEXT},   {"principal", C_FEN},   {"penalty", C_FEN},    {"reason", C_TEXT},  {"deadline", C_TEXT},
};
#define ACTION_SELECT                                                                                            \
    "SELECT a.gateway, a.id, a.customer, a.episode, a.action, a.channel, a.planned, a.taken, a.status, a.served," \
    " a.proof, a.principal_fen, a.penalty_fen, a.reason, a.deadline FROM actions a"
#define PENDING " WHERE a.status = 'taken' AND a.served IS NULL ORDER BY a.planned, a.gateway, a.customer, a.id"
/* every notice awaiting proof; a collector's: of the customers a worklist of the gateway has in their grid
 * (a join, so the planner goes from the grid's few customers to their rows) */
static const char pending_all_sql[] = ACTION_SELECT PENDING;
static const char pending_grid_sql[] = ACTION_SELECT " JOIN (SELECT DISTINCT gateway, customer FROM worklist"
                                       " WHERE grid = $1) g ON g.gateway = a.gateway AND g.customer = a.customer"
                                       PENDING;
static const char pending_managed_sql[] = ACTION_SELECT " JOIN console_managed m ON m.gateway = a.gateway"
                                          " AND m.customer = a.customer AND m.manager = $4" PENDING;
static const char record_sql[] = ACTION_SELECT " WHERE a.gateway = $2 AND a.customer = $3 ORDER BY a.id";

static const col grade_cols[] = {
    {"as_of", C_TEXT},  {"grade", C_TEXT},        {"score", C_TEXT},
    {"arrears", C_FEN}, {"penalty", C_FEN},       {"days_overdue", C_INT}, {"oldest_due", C_TEXT},
};
static const col payment_cols[] = {
    {"seq", C_INT}, {"kind", C_TEXT}, {"amount", C_FEN}, {"ref", C_TEXT}, {"date", C_TEXT}, {"sent_ts", C_INT},
    {"result", C_TEXT}, {"reason", C_TEXT},
};
/* payments and top-ups sent down, each with the gateway's newest acknowledgement or "pending" */
static const char payments_sql[] =
    "SELECT d.seq, d.kind, d.amount_fen, d.ref, d.date, d.ts, COALESCE(k.result, 'pending'), k.reason"
    " FROM downlink d LEFT JOIN acks k ON k.gateway = d.gateway AND k.down_kind = d.kind AND k.down_seq = d.seq"
    " AND NOT EXISTS (SELECT 1 FROM acks n WHERE n.gateway = k.gateway AND n.down_kind = k.down_kind"
    " AND n.down_seq = k.down_seq AND n.seq > k.seq)"
    " WHERE d.gateway = $1 AND d.customer = $2 AND d.kind IN ('payments', 'topups') ORDER BY d.seq";

static const char grades_sql[] = "SELECT as_of, grade, score, arrears_fen, penalty_fen, days_overdue, oldest_due"
                                 " FROM grades WHERE gateway = $1 AND customer = $2 ORDER BY as_of";

static const char *grid_of(const call *c)
{
    return strcmp(c->s.role, "collector") == 0 ? c->s.grid : "";
}

/* manager_of: an account manager's name (their customers only), else "". */
static const char *manager_of(const call *c)
{
    return strcmp(c->s.role, "manager") == 0 ? c->s.name : "";
}

#define NCOLS(a) (int)(sizeof a / sizeof a[0])

static void api_today(call *c)
{
    cJSON *o = cJSON_CreateObject();
    const char *p[] = {grid_of(c), "", "", manager_of(c)};
    gl_status st = query_rows(c, o, "worklist", worklist_cols, NCOLS(worklist_cols), worklist_sql, 4, p);
    if (st == GL_OK && *manager_of(c))
        st = query_rows(c, o, "awaiting_proof", action_cols, NCOLS(action_cols), pending_managed_sql, 4, p);
    else if (st == GL_OK)
        st = query_rows(c, o, "awaiting_proof", action_cols, NCOLS(action_cols),
                        *grid_of(c) ? pending_grid_sql : pending_all_sql, *grid_of(c) ? 1 : 0, p);
    if (st != GL_OK) {
        cJSON_Delete(o);
        fail(c, 500, "store: %s", bo_db_error(c->api->db));
        return;
    }
    cJSON_AddStringToObject(o, "grid", grid_of(c));
    reply(c, 200, o);
}

/* may_see: a collector sees only customers of their grid, an account
 * manager only their customers (console_managed); others all. */
static int may_see(call *c, const char *gateway, const char *customer)
{
    char found[8];
    if (*manager_of(c)) {
        const char *m[] = {c->s.name, gateway, customer};
        return bo_db_scalar(c->api->db, "SELECT 1 FROM console_managed WHERE manager = $1 AND gateway = $2"
                                        " AND customer = $3", 3, m, found, sizeof found) == GL_OK && found[0];
    }
    if (strcmp(c->s.role, "collector") != 0)
        return 1;
    const char *p[] = {c->s.grid, gateway, customer};
    return bo_db_scalar(c->api->db,
                        "SELECT 1 FROM worklist WHERE grid = $1 AND gateway = $2 AND customer = $3 LIMIT 1", 3, p,
                        found, sizeof found) == GL_OK &&
           found[0];
}

static const char *query_arg(call *c, const char *name)
{
    const char *v = c->req->arg ? c->req->arg(c->req->arg_cls, name) : NULL;
    return v && bo_valid_id(v) ? v : NULL;
}

static void api_record(call *c)
{
    const char *gw = query_arg(c, "gateway"), *cust = query_arg(c, "customer");
    if (!gw || !cust) {
        fail(c, 400, "gateway and customer are required (1..64 of A-Z a-z 0-9 . _ -)");
        return;
    }
    if (!may_see(c, gw, cust)) {
        fail(c, 403, "customer %s of %s is not in %s %s", cust, gw, *manager_of(c) ? "the customers of" : "grid",
             *manager_of(c) ? c->s.name : c->s.grid);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "gateway", gw);
    cJSON_AddStringToObject(o, "customer", cust);
    const char *p[] = {"", gw, cust, ""};
    const char *g[] = {gw, cust};
    gl_status st = query_rows(c, o, "actions", action_cols, NCOLS(action_cols), record_sql, 3, p);
    if (st == GL_OK)
        st = query_rows(c, o, "grades", grade_cols, NCOLS(grade_cols), grades_sql, 2, g);
    if (st == GL_OK)
        st = query_rows(c, o, "worklist", worklist_cols, NCOLS(worklist_cols), worklist_sql, 4, p);
    if (st == GL_OK)
        st = query_rows(c, o, "payments", payment_cols, NCOLS(payment_cols), payments_sql, 2, g);
    if (st != GL_OK) {
        cJSON_Delete(o);
        fail(c, 500, "store: %s", bo_db_error(c->api->db));
        return;
    }
    reply(c, 200, o);
}

/* ---- customer: bills with their lines, statement, contacts, alerts, service standard ---- */

static const col bill_cols[] = {
    {"id", C_TEXT}, {"period", C_TEXT}, {"due", C_TEXT}, {"total", C_FEN}, {"estimated", C_INT}, {"seq", C_INT},
};
static const char bills_sql[] = "SELECT id, period, due, total_fen, estimated, seq FROM bills"
                                " WHERE gateway = $1 AND customer = $2 ORDER BY due, id";
static const col contact_cols[] = {
    {"name", C_TEXT}, {"mobile", C_TEXT}, {"email", C_TEXT}, {"address", C_TEXT}, {"channel", C_TEXT},
    {"lang", C_TEXT},
};
static const col alert_cols[] = {
    {"seq", C_INT}, {"kind", C_TEXT}, {"detail", C_TEXT}, {"ts", C_INT}, {"open", C_INT},
};
static const char alerts_sql[] = "SELECT seq, kind, detail, ts, alert FROM alerts WHERE gateway = $1 AND subject = $2"
                                 " ORDER BY seq DESC LIMIT 100";

/* lines_cb: the lines of the bills in one "bills" message body, attached to
 * the bill of the same id in the array arg. */
static int lines_cb(void *arg, int ncols, const char *const *v)
{
    cJSON *bills = arg, *b, *body = ncols == 1 && v[0] ? cJSON_Parse(v[0]) : NULL, *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(body, "bills"))
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
        cJSON_ArrayForEach(b, bills)
        {
            const cJSON *bid = cJSON_GetObjectItemCaseSensitive(b, "id");
            cJSON *lines = cJSON_GetObjectItemCaseSensitive(m, "lines");
            if (cJSON_IsString(id) && cJSON_IsString(bid) && strcmp(id->valuestring, bid->valuestring) == 0 &&
                cJSON_IsArray(lines) && !cJSON_HasObjectItem(b, "lines"))
                cJSON_AddItemToObject(b, "lines", cJSON_Duplicate(lines, 1));
        }
    }
    cJSON_Delete(body);
    return 0;
}

/* entry: one statement row; balance_fen is carried from row to row. */
static void entry(cJSON *arr, const char *date, const char *what, const char *ref, int64_t fen, int64_t *balance_fen)
{
    char amt[MONEY_FMT_MAX], bal[MONEY_FMT_MAX];
    *balance_fen += fen;
    money_format(fen, 2, amt, sizeof amt);
    money_format(*balance_fen, 2, bal, sizeof bal);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "date", date);
    cJSON_AddStringToObject(o, "what", what);
    cJSON_AddStringToObject(o, "ref", ref);
    cJSON_AddStringToObject(o, "amount", amt);
    cJSON_AddStringToObject(o, "balance", bal);
    cJSON_AddItemToArray(arr, o);
}

static int64_t fen_item(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    int64_t n = 0;
    return cJSON_IsString(v) && money_parse(v->valuestring, 2, &n) == GL_OK ? n : 0;
}

static const char *str_item(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* statement: bills (due dates) and the payments the gateway applied, merged
 * by date with the running balance, then the penalty of the newest grade:
 * the ledger as the back office knows it (the gateway's is the book). */
static void statement(cJSON *o)
{
    const cJSON *bills = cJSON_GetObjectItemCaseSensitive(o, "bills"), *pays = cJSON_GetObjectItemCaseSensitive(o, "payments");
    const cJSON *grades = cJSON_GetObjectItemCaseSensitive(o, "grades");
    cJSON *arr = cJSON_AddArrayToObject(o, "statement");
    int64_t bal = 0;
    const cJSON *b = bills ? bills->child : NULL, *p = pays ? pays->child : NULL;
    while (b || p) {
        if (p && strcmp(str_item(p, "result"), "applied") != 0) {
            p = p->next;
            continue;
        }
        if (b && (!p || strcmp(str_item(b, "due"), str_item(p, "date")) <= 0)) {
            entry(arr, str_item(b, "due"), "bill", str_item(b, "id"), fen_item(b, "total"), &bal);
            b = b->next;
        } else {
            entry(arr, str_item(p, "date"), "payment", str_item(p, "ref"), -fen_item(p, "amount"), &bal);
            p = p->next;
        }
    }
    const cJSON *g = grades ? cJSON_GetArrayItem(grades, cJSON_GetArraySize(grades) - 1) : NULL;
    if (g && fen_item(g, "penalty") > 0)
        entry(arr, str_item(g, "as_of"), "penalty", "", fen_item(g, "penalty"), &bal);
}

/* service: the service standard owed at the customer's newest grade (the
 * config's credit.measures, residential segment: the back office does not
 * know the class), prompted on the page. */
static void service(call *c, cJSON *o)
{
    const cJSON *grades = cJSON_GetObjectItemCaseSensitive(o, "grades");
    const cJSON *g = grades ? cJSON_GetArrayItem(grades, cJSON_GetArraySize(grades) - 1) : NULL;
    const creditcfg *cc = &c->api->ctx->cfg.credit;
    int gi = g ? grade_find(&cc->grade, str_item(g, "grade")) : -1;
    if (gi < 0) {
        cJSON_AddNullToObject(o, "service");
        return;
    }
    const measures_entry *e = &cc->measures.table[LEDGER_CLASS_RESIDENTIAL][gi];
    cJSON *s = cJSON_AddObjectToObject(o, "service");
    cJSON_AddStringToObject(s, "grade", str_item(g, "grade"));
    cJSON_AddStringToObject(s, "standard", e->service);
    cJSON_AddNumberToObject(s, "reconnect_hours", e->reconnect_hours);
    cJSON_AddBoolToObject(s, "priority", e->priority);
    cJSON_AddBoolToObject(s, "account_manager", e->account_manager);
    cJSON *m = cJSON_AddArrayToObject(s, "payment_methods");
    for (int i = 0; i < e->nmethods; i++)
        cJSON_AddItemToArray(m, cJSON_CreateString(e->methods[i]));
}

static void api_customer(call *c)
{
    const char *gw = query_arg(c, "gateway"), *cust = query_arg(c, "customer");
    if (!gw || !cust) {
        fail(c, 400, "gateway and customer are required (1..64 of A-Z a-z 0-9 . _ -)");
        return;
    }
    if (!may_see(c, gw, cust)) {
        fail(c, 403, "customer %s of %s is not in %s %s", cust, gw, *manager_of(c) ? "the customers of" : "grid",
             *manager_of(c) ? c->s.name : c->s.grid);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "gateway", gw);
    cJSON_AddStringToObject(o, "customer", cust);
    const char *g[] = {gw, cust};
    const char *one[] = {cust};
    gl_status st = query_rows(c, o, "bills", bill_cols, NCOLS(bill_cols), bills_sql, 2, g);
    if (st == GL_OK)
        st = bo_db_query(c->api->db, "SELECT m.body FROM messages m WHERE m.gateway = $1 AND m.seq IN"
                                     " (SELECT seq FROM bills WHERE gateway = $1 AND customer = $2)",
                         2, g, lines_cb, cJSON_GetObjectItemCaseSensitive(o, "bills"));
    if (st == GL_OK)
        st = query_rows(c, o, "payments", payment_cols, NCOLS(payment_cols), payments_sql, 2, g);
    if (st == GL_OK)
        st = query_rows(c, o, "grades", grade_cols, NCOLS(grade_cols), grades_sql, 2, g);
    if (st == GL_OK)
        st = query_rows(c, o, "contacts", contact_cols, NCOLS(contact_cols),
                        "SELECT name, mobile, email, address, channel, lang FROM contacts WHERE customer = $1", 1, one);
    if (st == GL_OK)
        st = query_rows(c, o, "alerts", alert_cols, NCOLS(alert_cols), alerts_sql, 2, g);
    if (st != GL_OK) {
        cJSON_Delete(o);
        fail(c, 500, "store: %s", bo_db_error(c->api->db));
        return;
    }
    statement(o);
    service(c, o);
    reply(c, 200, o);
}

/* ---- served: the proof of a notice, down to the gateway ---- */

typedef struct action_state {
    char status[16], action[40];
} action_state;

static int state_cb(void *arg, int ncols, const char *const *v)
{
    action_state *a = arg;
    if (ncols != 2 || !v[0] || !v[1])
        return 1;
    snprintf(a->status, sizeof a->status, "%s", v[0]);
    snprintf(a->action, sizeof a->action, "%s", v[1]);
    return 0;
}

/* served_input: validates the body; 1 with gw, cust, id, proof and at set. */
static int served_input(call *c, const char **gw, const char **cust, long long *id, const char **proof,
                        char *at, size_t atcap)
{
    static const char *const keys[] = {"gateway", "customer", "id", "proof", "at", NULL};
    if (!parse_in(c, keys, "id"))
        return 0;
    *gw = in_str(c, "gateway");
    *cust = in_str(c, "customer");
    *proof = in_str(c, "proof");
    const char *at_in = in_str(c, "at");
    if (!bo_valid_id(*gw) || !bo_valid_id(*cust) || !in_id(c, "id", id)) {
        fail(c, 400, "gateway, customer and id (a record id, a positive integer) are required");
        return 0;
    }
    if (!text_ok(*proof, PROOF_MAX)) {
        fail(c, 400, "proof: 1..%d bytes of text without control characters", PROOF_MAX);
        return 0;
    }
    if (at_in && !bo_valid_minute(at_in)) { /* the gateway's `served --at` form */
        fail(c, 400, "at: YYYY-MM-DDTHH:MM");
        return 0;
    }
    if (at_in) {
        snprintf(at, atcap, "%s", at_in);
    } else {
        time_t now = (time_t)c->req->now;
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(at, atcap, "%Y-%m-%dT%H:%M", &tm);
    }
    return 1;
}

/* served_body: the gateway's "served" command (firmware/downlink.c, the
 * same body the notices dispatcher sends): record_id and served (Unix
 * time) as integers; at is the local "YYYY-MM-DDTHH:MM" of the service. */
static cJSON *served_body(const char *cust, long long id, const char *action, const char *proof, const char *at)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_isdst = -1;
    if (sscanf(at, "%4d-%2d-%2dT%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min) != 5)
        return NULL;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "command", "served");
    cJSON_AddStringToObject(b, "customer", cust);
    cJSON_AddStringToObject(b, "action", action);
    cJSON_AddNumberToObject(b, "record_id", (double)id);
    cJSON_AddNumberToObject(b, "served", (double)mktime(&tm));
    cJSON_AddStringToObject(b, "proof", proof);
    return b;
}

/* sent_reply: audits what was sent (detail, consumed) and answers: 200 with
 * the seq, 502 when the broker did not take it, 500 without a usable key. */
static void sent_reply(call *c, const char *what, gl_status st, const char *gw, long long seq, cJSON *detail)
{
    cJSON_AddStringToObject(detail, "gateway", gw);
    cJSON_AddNumberToObject(detail, "seq", (double)seq);
    cJSON_AddStringToObject(detail, "sent", st == GL_OK ? "yes" : gl_strerror(st));
    audit(c, what, detail);
    if (st == GL_ENET) {
        cJSON_Delete(detail);
        fail(c, 502, "recorded as downlink %lld to %s, but the broker did not take it", seq, gw);
    } else if (st != GL_OK) {
        cJSON_Delete(detail);
        fail(c, 500, "cannot sign for %s: %s (the gateway's key)", gw, gl_strerror(st));
    } else {
        cJSON_DeleteItemFromObjectCaseSensitive(detail, "sent");
        reply(c, 200, detail);
    }
}

static void api_served(call *c)
{
    const char *gw, *cust, *proof;
    long long id = 0, seq = 0;
    char at[20], id_s[24];
    action_state a;
    memset(&a, 0, sizeof a);
    if (!served_input(c, &gw, &cust, &id, &proof, at, sizeof at))
        return;
    if (!may_see(c, gw, cust)) {
        fail(c, 403, "customer %s of %s is not in %s %s", cust, gw, *manager_of(c) ? "the customers of" : "grid",
             *manager_of(c) ? c->s.name : c->s.grid);
        return;
    }
    snprintf(id_s, sizeof id_s, "%lld", id);
    const char *p[] = {gw, cust, id_s};
    if (bo_db_query(c->api->db, "SELECT status, action FROM actions WHERE gateway = $1 AND customer = $2 AND id = $3",
                    3, p, state_cb, &a) != GL_OK || !a.status[0]) {
        fail(c, 404, "no record %lld of customer %s at %s", id, cust, gw);
        return;
    }
    if (strcmp(a.status, "taken") != 0) {
        fail(c, 409, "record %lld (%s) is %s, not a notice taken and awaiting its proof", id, a.action, a.status);
        return;
    }
    cJSON *body = served_body(cust, id, a.action, proof, at);
    if (body == NULL) {
        fail(c, 400, "at: YYYY-MM-DDTHH:MM");
        return;
    }
    gl_status st = bo_down_send(c->api->ctx, c->api->db, gw, "commands", body, cust, &seq);
    sent_reply(c, "served", st, gw, seq, body);
}

/* ---- pay: a payment taken at the back office, down to the gateway ---- */

/* today_local: YYYY-MM-DD of now in the server's zone. */
static void today_local(long long now, char *out, size_t cap)
{
    time_t t = (time_t)now;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%d", &tm);
}

static void api_pay(call *c)
{
    static const char *const keys[] = {"gateway", "customer", "amount", "ref", "date", NULL};
    int64_t fen = 0;
    long long seq = 0;
    char date[11], amount[MONEY_FMT_MAX];
    if (!parse_in(c, keys, NULL))
        return;
    const char *gw = in_str(c, "gateway"), *cust = in_str(c, "customer"), *ref = in_str(c, "ref");
    const char *amt = in_str(c, "amount"), *date_in = in_str(c, "date");
    if (!bo_valid_id(gw) || !bo_valid_id(cust) || !text_ok(ref, 64)) {
        fail(c, 400, "gateway, customer and ref (1..64 bytes of text) are required");
        return;
    }
    if (!amt || money_parse(amt, 2, &fen) != GL_OK || fen <= 0 || money_format(fen, 2, amount, sizeof amount) != GL_OK) {
        fail(c, 400, "amount: a positive decimal string with at most 2 decimals (yuan)");
        return;
    }
    if (date_in && !bo_valid_date(date_in)) {
        fail(c, 400, "date: YYYY-MM-DD");
        return;
    }
    if (!may_see(c, gw, cust)) {
        fail(c, 403, "customer %s of %s is not in %s %s", cust, gw, *manager_of(c) ? "the customers of" : "grid",
             *manager_of(c) ? c->s.name : c->s.grid);
        return;
    }
    if (date_in)
        snprintf(date, sizeof date, "%s", date_in);
    else
        today_local(c->req->now, date, sizeof date);
    gl_status st = bo_down_send_payment(c->api->ctx, c->api->db, gw, cust, fen, ref, date, &seq);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "customer", cust);
    cJSON_AddStringToObject(d, "amount", amount);
    cJSON_AddStringToObject(d, "ref", ref);
    cJSON_AddStringToObject(d, "date", date);
    sent_reply(c, "pay", st, gw, seq, d);
}

/* ---- commands: disconnect / reconnect with approval, tariff push ---- */

/* check_of: the lawfulness check of a cut of cust at gw now, as JSON (NULL
 * after failing the call). */
static cJSON *check_of(call *c, const char *gw, const char *cust)
{
    episode_cut_check chk;
    bo_cuts_basis b;
    if (bo_cuts_check(c->api->db, &c->api->ctx->cfg.credit.collect, gw, cust, c->req->now, &chk, &b) != GL_OK) {
        fail(c, 500, "store: %s", bo_db_error(c->api->db));
        return NULL;
    }
    return bo_cuts_check_json(&chk, &b);
}

static int check_lawful(const cJSON *chk)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(chk, "lawful"));
}

static void api_cutcheck(call *c)
{
    const char *gw = query_arg(c, "gateway"), *cust = query_arg(c, "customer");
    if (!gw || !cust) {
        fail(c, 400, "gateway and customer are required (1..64 of A-Z a-z 0-9 . _ -)");
        return;
    }
    if (!may_see(c, gw, cust)) {
        fail(c, 403, "customer %s of %s is not in %s %s", cust, gw, *manager_of(c) ? "the customers of" : "grid",
             *manager_of(c) ? c->s.name : c->s.grid);
        return;
    }
    cJSON *o = check_of(c, gw, cust);
    if (o)
        reply(c, 200, o);
}

static const col command_cols[] = {
    {"id", C_INT},          {"gateway", C_TEXT},    {"customer", C_TEXT},   {"command", C_TEXT},
    {"reason", C_TEXT},     {"requested_by", C_TEXT}, {"requested_ts", C_INT}, {"state", C_TEXT},
    {"decided_by", C_TEXT}, {"decided_ts", C_INT},  {"down_seq", C_INT},    {"ack", C_TEXT},
    {"ack_reason", C_TEXT}, {"check", C_TEXT},
};

/* api_commands: the requests (a collector: their own), newest first, each
 * with its state and the gateway's acknowledgement. */
static void api_commands(call *c)
{
    cJSON *o = cJSON_CreateObject();
    const char *p[] = {strcmp(c->s.role, "collector") == 0 ? c->s.name : ""};
    if (query_rows(c, o, "rows", command_cols, NCOLS(command_cols), bo_cuts_list_sql, 1, p) != GL_OK) {
        cJSON_Delete(o);
        fail(c, 500, "store: %s", bo_db_error(c->api->db));
        return;
    }
    reply(c, 200, o);
}

/* api_command_new: {"gateway","customer","command":"disconnect"|"reconnect","reason"}:
 * recorded as requested with the check of now; a supervisor approves it. */
static void api_command_new(call *c)
{
    static const char *const keys[] = {"gateway", "customer", "command", "reason", NULL};
    long long id = 0;
    if (!parse_in(c, keys, NULL))
        return;
    const char *gw = in_str(c, "gateway"), *cust = in_str(c, "customer"), *cmd = in_str(c, "command");
    const char *why = in_str(c, "reason");
    if (!bo_valid_id(gw) || !bo_valid_id(cust) || !cmd || !text_ok(why, PROOF_MAX)) {
        fail(c, 400, "gateway, customer, command and reason (1..%d bytes of text) are required", PROOF_MAX);
        return;
    }
    int cut = strcmp(cmd, "disconnect") == 0;
    if (!cut && strcmp(cmd, "reconnect") != 0) {
        fail(c, 400, "command: disconnect|reconnect");
        return;
    }
    if (!may_see(c, gw, cust)) {
        fail(c, 403, "customer %s of %s is not in %s %s", cust, gw, *manager_of(c) ? "the customers of" : "grid",
             *manager_of(c) ? c->s.name : c->s.grid);
        return;
    }
    cJSON *chk = cut ? check_of(c, gw, cust) : cJSON_CreateObject();
    if (!chk)
        return;
    char *text = cJSON_PrintUnformatted(chk);
    gl_status st = text ? bo_cuts_add(c->api->db, gw, cust, cmd, why, c->s.name, c->req->now, text, &id) : GL_ENOMEM;
    free(text);
    if (st != GL_OK) {
        cJSON_Delete(chk);
        fail(c, 500, "store: %s", bo_db_error(c->api->db));
        return;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "id", (double)id);
    cJSON_AddStringToObject(d, "gateway", gw);
    cJSON_AddStringToObject(d, "customer", cust);
    cJSON_AddStringToObject(d, "command", cmd);
    cJSON_AddStringToObject(d, "reason", why);
    cJSON_AddStringToObject(d, "state", "requested");
    audit(c, "command_request", d);
    cJSON_AddItemToObject(d, "check", chk);
    reply(c, 201, d);
}

/* decide_input: {"id"} of a request still "requested"; 1 with *r set. */
static int decide_input(call *c, bo_cuts_req *r)
{
    static const char *const keys[] = {"id", NULL};
    if (!parse_in(c, keys, "id"))
        return 0;
    long long id = 0;
    if (!in_id(c, "id", &id)) { /* missing, or not a positive integer */
        fail(c, 400, "id: a request id, a positive integer");
        return 0;
    }
    gl_status st = bo_cuts_get(c->api->db, id, r);
    if (st != GL_OK) {
        fail(c, st == GL_ENOTFOUND ? 404 : 500, "%s", st == GL_ENOTFOUND ? "no such request" : "store error");
        return 0;
    }
    if (strcmp(r->state, "requested") != 0) {
        fail(c, 409, "request %lld is %s, not awaiting approval", r->id, r->state);
        return 0;
    }
    return 1;
}

static void decided(call *c, const bo_cuts_req *r, const char *state, long long seq, cJSON *chk, gl_status sent)
{
    char *text = cJSON_PrintUnformatted(chk);
    gl_status st = bo_cuts_decide(c->api->db, r->id, state, c->s.name, c->req->now, seq, text ? text : "{}");
    free(text);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "id", (double)r->id);
    cJSON_AddStringToObject(d, "customer", r->customer);
    cJSON_AddStringToObject(d, "command", r->command);
    cJSON_AddStringToObject(d, "state", state);
    cJSON_AddItemToObject(d, "check", chk);
    if (st != GL_OK) {
        cJSON_Delete(d);
        fail(c, st == GL_ESTATE ? 409 : 500, "request %lld: %s", r->id,
             st == GL_ESTATE ? "decided meanwhile by someone else" : bo_db_error(c->api->db));
        return;
    }
    if (seq > 0)
        sent_reply(c, "command_approve", sent, r->gateway, seq, d);
    else {
        audit(c, "command_reject", d);
        reply(c, 200, d);
    }
}

/* api_command_approve: a supervisor's approval: a cut's check is run again
 * and must be green (a refusal answers 409 with every rule); then the
 * signed command goes down. */
static void api_command_approve(call *c)
{
    bo_cuts_req r;
    long long seq = 0;
    if (!decide_input(c, &r))
        return;
    int cut = strcmp(r.command, "disconnect") == 0;
    cJSON *chk = cut ? check_of(c, r.gateway, r.customer) : cJSON_CreateObject();
    if (!chk)
        return;
    if (cut && !check_lawful(chk)) {
        cJSON *o = cJSON_CreateObject();
        char msg[160];
        snprintf(msg, sizeof msg, "the lawfulness check refuses the cut of %s: it cannot be approved", r.customer);
        cJSON_AddStringToObject(o, "error", msg);
        cJSON_AddItemToObject(o, "check", chk);
        snprintf(c->resp->log, sizeof c->resp->log, "409 POST /api/commands/approve %.64s: %.120s", c->s.name, msg);
        reply(c, 409, o);
        return;
    }
    cJSON *body = cJSON_CreateObject();
    char why[120];
    snprintf(why, sizeof why, "console request %lld approved by %s", r.id, c->s.name);
    cJSON_AddStringToObject(body, "command", r.command);
    cJSON_AddStringToObject(body, "customer", r.customer);
    cJSON_AddStringToObject(body, "reason", why);
    gl_status st = bo_down_send(c->api->ctx, c->api->db, r.gateway, "commands", body, r.customer, &seq);
    cJSON_Delete(body);
    if (seq <= 0) {
        cJSON_Delete(chk);
        fail(c, 500, "cannot sign for %s: %s (the gateway's key)", r.gateway, gl_strerror(st));
        return;
    }
    decided(c, &r, "sent", seq, chk, st);
}

static void api_command_reject(call *c)
{
    bo_cuts_req r;
    if (decide_input(c, &r))
        decided(c, &r, "rejected", 0, cJSON_CreateObject(), GL_OK);
}

/* api_tariff: {"gateway","tariff": the tariff file's JSON text}: checked
 * with the gateway's parser, then pushed like `down tariff push`. */
static void api_tariff(call *c)
{
    static const char *const keys[] = {"gateway", "tariff", NULL};
    char why[400];
    cJSON *body = NULL;
    long long seq = 0;
    if (!parse_in(c, keys, NULL))
        return;
    const char *gw = in_str(c, "gateway"), *text = in_str(c, "tariff");
    if (!bo_valid_id(gw) || !text) {
        fail(c, 400, "gateway and tariff (the tariff file's JSON as a string) are required");
        return;
    }
    if (bo_down_tariff_body("tariff", text, strlen(text), &body, why, sizeof why) != GL_OK) {
        fail(c, 400, "%s", why[0] ? why : "tariff refused");
        return;
    }
    gl_status st = bo_down_send(c->api->ctx, c->api->db, gw, "tariffs", body, NULL, &seq);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(body, "tariff"), "id");
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "tariff", cJSON_IsString(id) ? id->valuestring : "");
    cJSON_Delete(body);
    sent_reply(c, "tariff_push", st, gw, seq, d);
}

/* ---- reports, audit, users ---- */

static col_kind kind_of(bo_col_type t)
{
    return t == BO_COL_INT ? C_INT : t == BO_COL_FEN ? C_FEN : t == BO_COL_WH ? C_WH : C_TEXT;
}

/* add_rate: collected / billed as a percentage with 2 decimals (area rows). */
static void add_rate(cJSON *row, const bo_table *t, size_t r)
{
    int64_t billed = 0, collected = 0, pct = 0;
    char buf[MONEY_FMT_MAX];
    if (money_parse(bo_cell(t, r, 6), 0, &billed) == GL_OK && billed > 0 &&
        money_parse(bo_cell(t, r, 7)[0] ? bo_cell(t, r, 7) : "0", 0, &collected) == GL_OK &&
        money_muldiv_round(collected, 10000, billed, MONEY_HALF_UP, &pct) == GL_OK &&
        money_format(pct, 2, buf, sizeof buf) == GL_OK)
        cJSON_AddStringToObject(row, "collection_rate_pct", buf);
    else
        cJSON_AddNullToObject(row, "collection_rate_pct");
}

static void api_report(call *c)
{
    const char *name = c->req->path + strlen("/api/report/");
    bo_table t;
    gl_status st = bo_report_fill(c->api->db, name, "", &t);
    if (st == GL_ENOTFOUND) {
        fail(c, 404, "no report %.40s (area|aging|grades|alerts|health|worklist|actions|outages)", name);
        return;
    }
    if (st != GL_OK) {
        bo_table_free(&t);
        fail(c, 500, "store: %s", bo_db_error(c->api->db));
        return;
    }
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "rows");
    for (size_t r = 0; r < t.nrows && r < BO_API_ROWS_MAX; r++) {
        cJSON *row = cJSON_CreateObject();
        for (int k = 0; k < t.ncols; k++)
            add_value(row, t.cols[k].name, kind_of(t.cols[k].type), t.cells[r * (size_t)t.ncols + (size_t)k]);
        if (strcmp(name, "area") == 0)
            add_rate(row, &t, r);
        cJSON_AddItemToArray(arr, row);
    }
    cJSON_AddStringToObject(o, "report", name);
    bo_table_free(&t);
    reply(c, 200, o);
}

static const col audit_cols[] = {
    {"id", C_INT}, {"ts", C_INT}, {"who", C_TEXT}, {"what", C_TEXT}, {"detail", C_TEXT},
};

static void api_audit(call *c)
{
    cJSON *o = cJSON_CreateObject();
    if (query_rows(c, o, "rows", audit_cols, NCOLS(audit_cols),
                   "SELECT id, ts, who, what, detail FROM console_audit ORDER BY id DESC LIMIT 1000", 0,
                   NULL) != GL_OK) {
        cJSON_Delete(o);
        fail(c, 500, "store: %s", bo_db_error(c->api->db));
        return;
    }
    reply(c, 200, o);
}

static void api_users(call *c)
{
    static const char *const keys[] = {"user", "password", "role", "grid", NULL};
    if (!parse_in(c, keys, NULL))
        return;
    const char *user = in_str(c, "user"), *role = in_str(c, "role"), *grid = in_str(c, "grid");
    gl_status st = bo_auth_user_add(c->api->db, user, in_str(c, "password"), role, grid ? grid : "", c->req->now);
    if (st == GL_EINVAL || st == GL_ERANGE || st == GL_EEXIST) {
        fail(c, st == GL_EEXIST ? 409 : 400, "%s",
             st == GL_EEXIST  ? "that user name is taken"
             : st == GL_ERANGE ? "password: 10..256 characters"
                               : "user (1..64 of A-Z a-z 0-9 . _ -), role collector|supervisor|manager|admin,"
                                 " and a grid for a collector");
        return;
    }
    if (st != GL_OK) {
        fail(c, 500, "store: %s", bo_db_error(c->api->db));
        return;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "user", user);
    cJSON_AddStringToObject(d, "role", role);
    cJSON_AddStringToObject(d, "grid", grid ? grid : "");
    audit(c, "user_add", d);
    reply(c, 201, d);
}

/* ---- account managers: their large customers (admin manages the mapping) ---- */

static const col managed_cols[] = {{"manager", C_TEXT}, {"gateway", C_TEXT}, {"customer", C_TEXT}};

static void api_managed(call *c)
{
    cJSON *o = cJSON_CreateObject();
    const char *p[] = {manager_of(c)};
    if (query_rows(c, o, "rows", managed_cols, NCOLS(managed_cols),
                   "SELECT manager, gateway, customer FROM console_managed WHERE ($1 = '' OR manager = $1)"
                   " ORDER BY manager, gateway, customer",
                   1, p) != GL_OK) {
        cJSON_Delete(o);
        fail(c, 500, "store: %s", bo_db_error(c->api->db));
        return;
    }
    reply(c, 200, o);
}

/* managed_change: {"manager","gateway","customer"} added (add 1) or removed. */
static void managed_change(call *c, int add)
{
    static const char *const keys[] = {"manager", "gateway", "customer", NULL};
    char role[16] = "";
    long long changed = 0;
    if (!parse_in(c, keys, NULL))
        return;
    const char *mgr = in_str(c, "manager"), *gw = in_str(c, "gateway"), *cust = in_str(c, "customer");
    if (!bo_valid_id(mgr) || !bo_valid_id(gw) || !bo_valid_id(cust)) {
        fail(c, 400, "manager, gateway and customer are required (1..64 of A-Z a-z 0-9 . _ -)");
        return;
    }
    const char *p[] = {mgr, gw, cust};
    if (bo_db_scalar(c->api->db, "SELECT role FROM console_users WHERE name = $1", 1, p, role, sizeof role) != GL_OK ||
        strcmp(role, "manager") != 0) {
        fail(c, 400, "%s is not an operator with the role manager", mgr);
        return;
    }
    gl_status st = bo_db_exec(c->api->db,
                              add ? "INSERT INTO console_managed (manager, gateway, customer) SELECT $1, $2, $3"
                                    " WHERE NOT EXISTS (SELECT 1 FROM console_managed WHERE manager = $1"
                                    " AND gateway = $2 AND customer = $3)"
                                  : "DELETE FROM console_managed WHERE manager = $1 AND gateway = $2 AND customer = $3",
                              3, p, &changed);
    if (st != GL_OK) {
        fail(c, 500, "store: %s", bo_db_error(c->api->db));
        return;
    }
    if (changed == 0) {
        fail(c, add ? 409 : 404, "%s %s %s %s", cust, gw, add ? "is already assigned to" : "is not assigned to", mgr);
        return;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "manager", mgr);
    cJSON_AddStringToObject(d, "gateway", gw);
    cJSON_AddStringToObject(d, "customer", cust);
    audit(c, add ? "managed_add" : "managed_remove", d);
    reply(c, add ? 201 : 200, d);
}

static void api_managed_add(call *c)
{
    managed_change(c, 1);
}

static void api_managed_remove(call *c)
{
    managed_change(c, 0);
}

/* ---- routing ---- */

typedef struct route {
    const char *method, *path; /* a path ending in '/' matches its prefix */
    void (*fn)(call *c);
    int roles;   /* 0: no session needed */
    int change;  /* 1: needs the CSRF token */
} route;

static const route routes[] = {
    {"POST", "/api/login", api_login, 0, 0},
    {"POST", "/api/logout", api_logout, ROLE_ANY, 1},
    {"GET", "/api/me", api_me, ROLE_ANY, 0},
    {"GET", "/api/today", api_today, ROLE_ANY, 0},
    {"GET", "/api/record", api_record, ROLE_ANY, 0},
    {"GET", "/api/customer", api_customer, ROLE_ANY, 0},
    {"POST", "/api/served", api_served, ROLE_COLLECTOR | ROLE_SUPERVISOR, 1},
    {"POST", "/api/pay", api_pay, ROLE_ANY, 1},
    {"GET", "/api/report/", api_report, ROLE_SUPERVISOR | ROLE_ADMIN, 0},
    {"GET", "/api/audit", api_audit, ROLE_SUPERVISOR | ROLE_ADMIN, 0},
    {"POST", "/api/users", api_users, ROLE_ADMIN, 1},
    {"GET", "/api/cutcheck", api_cutcheck, ROLE_COLLECTOR | ROLE_SUPERVISOR, 0},
    {"GET", "/api/commands", api_commands, ROLE_COLLECTOR | ROLE_SUPERVISOR | ROLE_ADMIN, 0},
    {"POST", "/api/commands", api_command_new, ROLE_COLLECTOR | ROLE_SUPERVISOR, 1},
    {"POST", "/api/commands/approve", api_command_approve, ROLE_SUPERVISOR, 1},
    {"POST", "/api/commands/reject", api_command_reject, ROLE_SUPERVISOR, 1},
    {"POST", "/api/tariff", api_tariff, ROLE_SUPERVISOR | ROLE_ADMIN, 1},
    {"GET", "/api/managed", api_managed, ROLE_MANAGER | ROLE_ADMIN, 0},
    {"POST", "/api/managed", api_managed_add, ROLE_ADMIN, 1},
    {"POST", "/api/managed/remove", api_managed_remove, ROLE_ADMIN, 1},
};

static int role_bit(const char *role)
{
    return strcmp(role, "collector") == 0    ? ROLE_COLLECTOR
           : strcmp(role, "supervisor") == 0 ? ROLE_SUPERVISOR
           : strcmp(role, "manager") == 0    ? ROLE_MANAGER
           : strcmp(role, "admin") == 0      ? ROLE_ADMIN
                                             : 0;
}

static const route *find_route(const char *method, const char *path, int *path_known)
{
    *path_known = 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        size_t n = strlen(routes[i].path);
        int match = routes[i].path[n - 1] == '/' ? strncmp(path, routes[i].path, n) == 0 && path[n]
                                                 : strcmp(path, routes[i].path) == 0;
        if (!match)
            continue;
        *path_known = 1;
        if (strcmp(method, routes[i].method) == 0)
            return &routes[i];
    }
    return NULL;
}

/* admit: the session, its role and, for a change, its CSRF token. */
static int admit(call *c, const route *r)
{
    gl_status st = bo_auth_session(c->api->db, c->req->token, c->req->now, &c->s);
    if (st != GL_OK) {
        memset(&c->s, 0, sizeof c->s);
        fail(c, 401, "%s", st == GL_EEXPIRED ? "session expired: log in again" : "not logged in");
        return 0;
    }
    if (!(role_bit(c->s.role) & r->roles)) {
        fail(c, 403, "role %s may not %s %s", c->s.role, r->method, r->path);
        return 0;
    }
    if (r->change && bo_auth_csrf_use(c->api->db, c->req->token, c->req->csrf, &c->s) != GL_OK) {
        fail(c, 403, "CSRF token missing, wrong or already used: reload the page");
        return 0;
    }
    c->csrf_out = r->change; /* a change consumed its token: the answer carries the next */
    return 1;
}

gl_status bo_api_schema(bo_db *db)
{
    static const char *const sql[] = {
        /* a collector's grid, and "is this customer in that grid" */
        "CREATE INDEX IF NOT EXISTS console_worklist_grid ON worklist (grid, gateway, customer)",
        /* one customer's collection record */
        "CREATE INDEX IF NOT EXISTS console_actions_customer ON actions (gateway, customer)",
        /* the notices awaiting proof */
        "CREATE INDEX IF NOT EXISTS console_actions_awaiting ON actions (gateway, customer) WHERE status = 'taken'"
        " AND served IS NULL",
        /* one customer's payments sent down */
        "CREATE INDEX IF NOT EXISTS console_downlink_customer ON downlink (gateway, customer)",
        /* account managers and their large customers (admin) */
        "CREATE TABLE IF NOT EXISTS console_managed (manager TEXT NOT NULL, gateway TEXT NOT NULL,"
        " customer TEXT NOT NULL, PRIMARY KEY (manager, gateway, customer))",
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        gl_status st = bo_db_exec(db, sql[i], 0, NULL, NULL);
        if (st != GL_OK)
            return st;
    }
    return bo_cuts_schema(db);
}

void bo_api_handle(bo_api *api, const bo_api_req *req, bo_api_resp *resp)
{
    call c;
    int known = 0;
    memset(&c, 0, sizeof c);
    memset(resp, 0, sizeof *resp);
    c.api = api;
    c.req = req;
    c.resp = resp;
    const route *r = find_route(req->method, req->path, &known);
    if (!r)
        fail(&c, known ? 405 : 404, "%s %.60s: %s", req->method, req->path,
             known ? "method not allowed here" : "no such endpoint");
    else if (!r->roles || admit(&c, r))
        r->fn(&c);
    cJSON_Delete(c.in);
}
