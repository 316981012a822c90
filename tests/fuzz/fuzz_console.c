/* fuzz_console.c: the console's API (bo_api.c) on arbitrary requests from a
 * logged-in supervisor: the first line is "[GET ]PATH[?QUERY]", the rest the
 * body; a fresh CSRF token is presented each time. Never crashes or leaks;
 * every answer is a JSON object with a status of 200..599, a refusal names
 * its reason in "error", and nothing is sent down (there is no key), so the
 * store's downlink table stays empty. Store: in-memory SQLite with one
 * worklist row and one collection-record row. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../tools/backoffice/bo_api.h"
#include "../../tools/backoffice/bo_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bo_db *db;

/* die: says which property broke, then stops with a trap. */
static void die(const char *why, const bo_api_resp *r)
{
    fprintf(stderr, "fuzz_console: %s (status %d, body %.300s)\n", why, r ? r->status : 0,
            r && r->body ? r->body : "-");
    __builtin_trap();
}
static bo_ctx ctx;
static char token[BO_AUTH_TOKEN_HEX + 1];

static const char *const fixture[] = {
    "INSERT INTO worklist (gateway, date, n, customer, name, grid, grade, arrears_fen, penalty_fen, oldest_due,"
    " days_overdue, action, channel, priority, deadline) VALUES ('gw-a', '2024-02-01', 1, 'C-1', 'Zhang San',"
    " 'G-01', 'B', 14949, 75, '2024-01-27', 5, 'sms', 'sms', 2, '2024-02-08')",
    "INSERT INTO actions (gateway, id, customer, episode, action, channel, planned, taken, status, served, proof,"
    " principal_fen, penalty_fen, reason, deadline, seq) VALUES ('gw-a', 1, 'C-1', '2024-01-27', 'written_notice',"
    " 'visit', '2024-02-02', '2024-02-02T10:00', 'taken', NULL, NULL, 14949, 75, 'ladder', NULL, 1)",
};

static void setup(void)
{
    bo_session s;
    if (bo_auth_init() != GL_OK || bo_db_open(&bo_db_sqlite_ops, ":memory:", &db, NULL, 0) != GL_OK ||
        bo_auth_schema(db) != GL_OK || bo_api_schema(db) != GL_OK)
        die("setup: store", NULL);
    for (size_t i = 0; i < sizeof fixture / sizeof fixture[0]; i++)
        if (bo_db_exec(db, fixture[i], 0, NULL, NULL) != GL_OK)
            die("setup: fixture", NULL);
    if (bo_auth_user_add(db, "fz", "fuzz password", "supervisor", "", 1) != GL_OK ||
        bo_auth_login(db, "fz", "fuzz password", 1, token, sizeof token, &s) != GL_OK)
        die("setup: login", NULL);
    snprintf(ctx.cfg.keys_dir, sizeof ctx.cfg.keys_dir, "/nonexistent");
    creditcfg_default(&ctx.cfg.credit); /* the cut check's thresholds */
}

typedef struct query {
    char text[256];
} query;

/* arg: NAME=VALUE from the query text ("a=1&b=2"), NULL if absent. */
static const char *arg(void *cls, const char *name)
{
    static char val[256];
    query *q = cls;
    size_t n = strlen(name);
    for (const char *p = q->text; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        if (strncmp(p, name, n) == 0 && p[n] == '=') {
            size_t len = strcspn(p + n + 1, "&");
            snprintf(val, sizeof val, "%.*s", (int)len, p + n + 1);
            return val;
        }
    }
    return NULL;
}

static void check(const bo_api_resp *r)
{
    char count[16];
    cJSON *j = r->body ? cJSON_Parse(r->body) : NULL;
    if (r->status < 200 || r->status > 599 || !cJSON_IsObject(j))
        die("not a JSON object with a status of 200..599", r);
    if (r->status >= 400 && !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "error")))
        die("a refusal without its error", r);
    cJSON_Delete(j);
    if (bo_db_scalar(db, "SELECT COUNT(*) FROM downlink", 0, NULL, count, sizeof count) != GL_OK ||
        strcmp(count, "0") != 0)
        die("something was recorded as sent down", r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char line[512];
    query q;
    bo_api_req req;
    bo_api_resp resp;
    bo_session s;
    if (!db)
        setup();
    const uint8_t *nl = memchr(data, '\n', size);
    size_t llen = nl ? (size_t)(nl - data) : size;
    if (llen >= sizeof line)
        return 0;
    memcpy(line, data, llen);
    line[llen] = '\0';
    int get = strncmp(line, "GET ", 4) == 0;
    char *path = line + (get ? 4 : 0), *qm = strchr(path, '?');
    memset(&q, 0, sizeof q);
    if (qm) {
        *qm = '\0';
        snprintf(q.text, sizeof q.text, "%s", qm + 1);
    }
    /* logging out or in would end the session or spend seconds hashing */
    if (strcmp(path, "/api/logout") == 0 || strcmp(path, "/api/login") == 0)
        return 0;
    if (bo_auth_session(db, token, 2, &s) != GL_OK)
        die("the session was lost", NULL);
    memset(&req, 0, sizeof req);
    req.method = get ? "GET" : "POST";
    req.path = path;
    req.body = nl ? (const char *)nl + 1 : NULL;
    req.body_len = nl ? size - llen - 1 : 0;
    req.token = token;
    req.csrf = s.csrf;
    req.arg = arg;
    req.arg_cls = &q;
    req.now = 2;
    bo_api_handle(&(bo_api){&ctx, db}, &req, &resp);
    check(&resp);
    free(resp.body);
    return 0;
}
