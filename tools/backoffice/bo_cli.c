/* bo_cli.c: config loading and database choice shared by the commands. */
#include "bo_cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "bo_contact.h"
#include "bo_ingest.h"
#include "bo_notice.h"
#include "cli.h"
#include "fileio.h"
#include "gridledger/jsonv.h"

/* rel_path: dir/path unless path is absolute or empty. */
static void rel_path(char *out, size_t cap, const char *dir, const char *path)
{
    char tmp[BO_PATH_MAX];
    if (!path[0] || path[0] == '/' || !dir[0]) {
        snprintf(tmp, sizeof tmp, "%s", path);
    } else {
        snprintf(tmp, sizeof tmp, "%s/%s", dir, path);
    }
    snprintf(out, cap, "%s", tmp);
}

static void defaults(bo_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->host, sizeof c->host, "localhost");
    c->port = 8883;
    c->tls = 1;
    c->keepalive_s = 30;
    snprintf(c->keys_dir, sizeof c->keys_dir, "keys");
    c->down_ttl_s = 86400;
    creditcfg_default(&c->credit);
    snprintf(c->notices.sendsms_url, sizeof c->notices.sendsms_url, "http://127.0.0.1:13013/cgi-bin/sendsms");
    snprintf(c->notices.from, sizeof c->notices.from, "95598");
    snprintf(c->notices.dlr_listen, sizeof c->notices.dlr_listen, "127.0.0.1:13080");
    snprintf(c->notices.dlr_url, sizeof c->notices.dlr_url, "http://127.0.0.1:13080/dlr");
    c->notices.per_day = 3;
    c->notices.quiet_from = 21 * 60;
    c->notices.quiet_to = 8 * 60;
    c->notices.rate_per_s = 20;
    c->mail.require_tls = 1;
    c->mail.served_on_accept = 1;
    c->mail.timeout_ms = 30000;
    c->bureau.nnotices = 1;
    snprintf(c->bureau.notices[0], sizeof c->bureau.notices[0], "credit_report_notice");
    bo_outages_defaults(&c->outages);
}

static void load_broker(jsonv_doc *doc, const cJSON *b, bo_config *c)
{
    static const char *const keys[] = {"host", "port", "tls", "ca", "cert", "key", "client_id", "keepalive_s", NULL};
    long long port = c->port, ka = c->keepalive_s;
    if (!jsonv_check_object(doc, b, "broker"))
        return;
    jsonv_check_keys(doc, b, "broker", keys);
    jsonv_get_string(doc, b, "broker", "host", 1, NULL, c->host, sizeof c->host);
    if (jsonv_get_int(doc, b, "broker", "port", 0, 8883, 1, 65535, &port))
        c->port = (int)port;
    jsonv_get_bool(doc, b, "broker", "tls", 0, 1, &c->tls);
    jsonv_get_string(doc, b, "broker", "ca", 0, "", c->ca, sizeof c->ca);
    jsonv_get_string(doc, b, "broker", "cert", 0, "", c->cert, sizeof c->cert);
    jsonv_get_string(doc, b, "broker", "key", 0, "", c->key, sizeof c->key);
    jsonv_get_string(doc, b, "broker", "client_id", 0, "", c->client_id, sizeof c->client_id);
    if (jsonv_get_int(doc, b, "broker", "keepalive_s", 0, 30, 5, 3600, &ka))
        c->keepalive_s = (int)ka;
}

/* load_templates: each "ACTION.LANG" of a known notice action and zh|en,
 * checked by rendering it (an unknown field is an error at its position). */
static void load_templates(jsonv_doc *doc, const cJSON *t, bo_notices_cfg *n)
{
    char path[128], why[160], action[40];
    if (!jsonv_check_object(doc, t, "notices.templates"))
        return;
    for (const cJSON *e = t->child; e; e = e->next) {
        const char *dot = strrchr(e->string, '.');
        jsonv_path_key(path, sizeof path, "notices.templates", e->string);
        snprintf(action, sizeof action, "%.*s", dot ? (int)(dot - e->string) : 0, e->string);
        if (!dot || (strcmp(dot, ".zh") != 0 && strcmp(dot, ".en") != 0) || !bo_notice_is_notice(action)) {
            jsonv_error(doc, e, path, "key must be ACTION.zh or ACTION.en of a notice action");
        } else if (!cJSON_IsString(e) || strlen(e->valuestring) >= sizeof n->templates[0].text) {
            jsonv_error(doc, e, path, "must be a string of at most 1023 bytes");
        } else if (bo_notice_check(e->valuestring, why, sizeof why) != GL_OK) {
            jsonv_error(doc, e, path, "%s", why);
        } else if (n->ntemplates == BO_TEMPLATES_MAX) {
            jsonv_error(doc, e, path, "at most %d templates", BO_TEMPLATES_MAX);
        } else {
            snprintf(n->templates[n->ntemplates].key, sizeof n->templates[0].key, "%s", e->string);
            snprintf(n->templates[n->ntemplates++].text, sizeof n->templates[0].text, "%s", e->valuestring);
        }
    }
}

static void load_mail(jsonv_doc *doc, const cJSON *o, bo_mail_cfg *m)
{
    static const char *const keys[] = {"url", "user", "password", "from", "ca_file", "authority", "require_tls",
                                       "served_on_accept", "timeout_s", NULL};
    long long timeout_s = 30;
    if (!jsonv_check_object(doc, o, "mail"))
        return;
    jsonv_check_keys(doc, o, "mail", keys);
    if (jsonv_get_string(doc, o, "mail", "url", 1, NULL, m->url, sizeof m->url) && strncmp(m->url, "smtp://", 7) != 0 &&
        strncmp(m->url, "smtps://", 8) != 0)
        jsonv_error(doc, jsonv_get(doc, o, "mail", "url", 0), "mail.url", "must be smtp://HOST:PORT or smtps://HOST:PORT");
    jsonv_get_string(doc, o, "mail", "user", 0, "", m->user, sizeof m->user);
    jsonv_get_string(doc, o, "mail", "password", 0, "", m->password, sizeof m->password);
    if (jsonv_get_string(doc, o, "mail", "from", 1, NULL, m->from, sizeof m->from) && !bo_contact_email_valid(m->from))
        jsonv_error(doc, jsonv_get(doc, o, "mail", "from", 0), "mail.from", "not an RFC 5321 address");
    jsonv_get_string(doc, o, "mail", "ca_file", 0, "", m->ca_file, sizeof m->ca_file);
    if (jsonv_get_string(doc, o, "mail", "authority", 0, "", m->authority, sizeof m->authority) && m->authority[0] &&
        !bo_contact_email_valid(m->authority))
        jsonv_error(doc, jsonv_get(doc, o, "mail", "authority", 0), "mail.authority", "not an RFC 5321 address");
    jsonv_get_bool(doc, o, "mail", "require_tls", 0, 1, &m->require_tls);
    jsonv_get_bool(doc, o, "mail", "served_on_accept", 0, 1, &m->served_on_accept);
    if (jsonv_get_int(doc, o, "mail", "timeout_s", 0, 30, 1, 600, &timeout_s))
        m->timeout_ms = timeout_s * 1000;
}

static void load_notices(jsonv_doc *doc, const cJSON *o, bo_notices_cfg *n)
{
    static const char *const keys[] = {"sendsms_url", "user", "password", "from", "smsc", "dlr_listen",
                                       "dlr_url", "per_day", "quiet", "rate_per_s", "templates", NULL};
    char quiet[32] = "";
    if (!jsonv_check_object(doc, o, "notices"))
        return;
    jsonv_check_keys(doc, o, "notices", keys);
    jsonv_get_string(doc, o, "notices", "sendsms_url", 0, "http://127.0.0.1:13013/cgi-bin/sendsms", n->sendsms_url,
                     sizeof n->sendsms_url);
    jsonv_get_string(doc, o, "notices", "user", 0, "", n->user, sizeof n->user);
    jsonv_get_string(doc, o, "notices", "password", 0, "", n->password, sizeof n->password);
    jsonv_get_string(doc, o, "notices", "from", 0, "95598", n->from, sizeof n->from);
    jsonv_get_string(doc, o, "notices", "smsc", 0, "", n->smsc, sizeof n->smsc);
    jsonv_get_string(doc, o, "notices", "dlr_listen", 0, "127.0.0.1:13080", n->dlr_listen, sizeof n->dlr_listen);
    jsonv_get_string(doc, o, "notices", "dlr_url", 0, "http://127.0.0.1:13080/dlr", n->dlr_url, sizeof n->dlr_url);
    jsonv_get_int(doc, o, "notices", "per_day", 0, 3, 1, 100, &n->per_day);
    jsonv_get_int(doc, o, "notices", "rate_per_s", 0, 20, 1, 1000, &n->rate_per_s);
    if (jsonv_get_string(doc, o, "notices", "quiet", 0, "21:00-08:00", quiet, sizeof quiet) &&
        bo_notice_quiet_parse(quiet, &n->quiet_from, &n->quiet_to) != GL_OK)
        jsonv_error(doc, jsonv_get(doc, o, "notices", "quiet", 0), "notices.quiet",
                    "must be HH:MM-HH:MM (local time, two different times) or \"none\"");
    const cJSON *t = jsonv_get(doc, o, "notices", "templates", 0);
    if (t)
        load_templates(doc, t, n);
}

/* load_bureau: {"institution": 14 of 0-9 A-Z, "notice_actions": [action names]}. */
static void load_bureau(jsonv_doc *doc, const cJSON *o, bo_bureau_cfg *b)
{
    static const char *const keys[] = {"institution", "notice_actions", NULL};
    const cJSON *a, *e;
    if (!jsonv_check_object(doc, o, "bureau"))
        return;
    jsonv_check_keys(doc, o, "bureau", keys);
    if (jsonv_get_string(doc, o, "bureau", "institution", 0, "", b->institution, sizeof b->institution) &&
        (strlen(b->institution) != 14 || strspn(b->institution, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 14))
        jsonv_error(doc, jsonv_get(doc, o, "bureau", "institution", 0), "bureau.institution",
                    "must be the 14-character institution code (0-9 A-Z)");
    a = jsonv_get(doc, o, "bureau", "notice_actions", 0);
    if (!a || !jsonv_check_array(doc, a, "bureau.notice_actions", BO_BUREAU_NOTICES_MAX))
        return;
    b->nnotices = 0;
    cJSON_ArrayForEach(e, a)
    {
        char path[48];
        snprintf(path, sizeof path, "bureau.notice_actions[%d]", b->nnotices);
        if (!cJSON_IsString(e) || !bo_valid_id(e->valuestring) || strlen(e->valuestring) >= sizeof b->notices[0])
            jsonv_error(doc, e, path, "must be an action name (1..31 of A-Z a-z 0-9 . _ -)");
        else
            snprintf(b->notices[b->nnotices], sizeof b->notices[0], "%s", e->valuestring);
        b->nnotices++;
    }
}

/* load_outage_days: notice_days, 1..4 distinct whole days (1..366), kept
 * in descending order. */
static void load_outage_days(jsonv_doc *doc, const cJSON *a, bo_outages_cfg *o)
{
    char path[64];
    if (!jsonv_check_array(doc, a, "outages.notice_days", BO_OUTAGE_DAYS_MAX))
        return;
    o->ndays = 0;
    int at = 0;
    for (const cJSON *e = a->child; e; e = e->next, at++) {
        jsonv_path_index(path, sizeof path, "outages.notice_days", at);
        int d = cJSON_IsNumber(e) && e->valuedouble == (double)(int)e->valuedouble ? (int)e->valuedouble : 0;
        int k = o->ndays;
        if (d < 1 || d > 366) {
            jsonv_error(doc, e, path, "must be a whole number of days, 1..366");
            continue;
        }
        while (k > 0 && o->days[k - 1] < d) {
            o->days[k] = o->days[k - 1];
            k--;
        }
        if (k > 0 && o->days[k - 1] == d) {
            jsonv_error(doc, e, path, "%d days given twice", d);
            continue;
        }
        o->days[k] = d;
        o->ndays++;
    }
}

static void load_outage_templates(jsonv_doc *doc, const cJSON *t, bo_outages_cfg *o)
{
    char path[128], why[160];
    if (!jsonv_check_object(doc, t, "outages.templates"))
        return;
    for (const cJSON *e = t->child; e; e = e->next) {
        jsonv_path_key(path, sizeof path, "outages.templates", e->string);
        if (!bo_outage_template_key_ok(e->string))
            jsonv_error(doc, e, path, "key must be notice|confirm|cancel|move followed by .zh or .en");
        else if (!cJSON_IsString(e) || strlen(e->valuestring) >= sizeof o->templates[0].text)
            jsonv_error(doc, e, path, "must be a string of at most 1023 bytes");
        else if (bo_outage_check(e->valuestring, why, sizeof why) != GL_OK)
            jsonv_error(doc, e, path, "%s", why);
        else if (o->ntemplates == BO_OUTAGE_TEMPLATES_MAX)
            jsonv_error(doc, e, path, "at most %d templates", BO_OUTAGE_TEMPLATES_MAX);
        else {
            snprintf(o->templates[o->ntemplates].key, sizeof o->templates[0].key, "%s", e->string);
            snprintf(o->templates[o->ntemplates++].text, sizeof o->templates[0].text, "%s", e->valuestring);
        }
    }
}

static void load_outages(jsonv_doc *doc, const cJSON *o, bo_outages_cfg *c)
{
    static const char *const keys[] = {"notice_days", "confirm_minutes", "templates", NULL};
    long long confirm = c->confirm_minutes;
    if (!jsonv_check_object(doc, o, "outages"))
        return;
    jsonv_check_keys(doc, o, "outages", keys);
    const cJSON *days = jsonv_get(doc, o, "outages", "notice_days", 0);
    if (days)
        load_outage_days(doc, days, c);
    if (jsonv_get_int(doc, o, "outages", "confirm_minutes", 0, 30, 0, 24 * 60, &confirm))
        c->confirm_minutes = (int)confirm;
    const cJSON *t = jsonv_get(doc, o, "outages", "templates", 0);
    if (t)
        load_outage_templates(doc, t, c);
}

gl_status bo_config_load(bo_ctx *ctx)
{
    static const char *const keys[] = {"broker",  "keys_dir", "db",     "pg",         "down_ttl_s", "notices",
                                       "outages", "credit",   "collection", "mail", "bureau", NULL};
    bo_config *c = &ctx->cfg;
    jsonv_doc *doc = NULL;
    diag d;
    char dir[BO_PATH_MAX] = "";
    gl_status st = GL_OK;
    if (ctx->cfg_loaded)
        return GL_OK;
    defaults(c);
    diag_init(&d);
    if (!ctx->config_path)
        goto done;
    st = fileio_load_json(ctx->config_path, &d, &doc);
    if (st != GL_OK)
        goto out;
    const cJSON *root = jsonv_root(doc);
    if (jsonv_check_object(doc, root, "")) {
        jsonv_check_keys(doc, root, "", keys);
        const cJSON *b = jsonv_get(doc, root, "", "broker", 0);
        if (b)
            load_broker(doc, b, c);
        jsonv_get_string(doc, root, "", "keys_dir", 0, "keys", c->keys_dir, sizeof c->keys_dir);
        jsonv_get_string(doc, root, "", "db", 0, "", c->db, sizeof c->db);
        jsonv_get_string(doc, root, "", "pg", 0, "", c->pg, sizeof c->pg);
        jsonv_get_int(doc, root, "", "down_ttl_s", 0, 86400, 60, 366LL * 86400, &c->down_ttl_s);
        const cJSON *n = jsonv_get(doc, root, "", "notices", 0);
        if (n)
            load_notices(doc, n, &c->notices);
        const cJSON *m = jsonv_get(doc, root, "", "mail", 0);
        if (m)
            load_mail(doc, m, &c->mail);
        const cJSON *o = jsonv_get(doc, root, "", "outages", 0);
        if (o)
            load_outages(doc, o, &c->outages);
        creditcfg_parse_credit(doc, cJSON_GetObjectItemCaseSensitive(root, "credit"), "credit", &c->credit);
        creditcfg_parse_collection(doc, cJSON_GetObjectItemCaseSensitive(root, "collection"), "collection",
                                   &c->credit);
        const cJSON *bu = jsonv_get(doc, root, "", "bureau", 0);
        if (bu)
            load_bureau(doc, bu, &c->bureau);
    }
    if (jsonv_errors(doc) > 0) {
        st = GL_ECONFIG;
        goto out;
    }
    const char *slash = strrchr(ctx->config_path, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - ctx->config_path), ctx->config_path);
    rel_path(c->ca, sizeof c->ca, dir, c->ca);
    rel_path(c->cert, sizeof c->cert, dir, c->cert);
    rel_path(c->key, sizeof c->key, dir, c->key);
    rel_path(c->keys_dir, sizeof c->keys_dir, dir, c->keys_dir);
    rel_path(c->db, sizeof c->db, dir, c->db);
    rel_path(c->mail.ca_file, sizeof c->mail.ca_file, dir, c->mail.ca_file);
done:
    ctx->cfg_loaded = 1;
out:
    if (st != GL_OK) {
        cli_print_diag(&d);
        if (doc && jsonv_diag(doc) != &d) /* the doc reports into d: printed once */
            cli_print_diag(jsonv_diag(doc));
    }
    jsonv_free(doc);
    return st;
}

gl_status bo_open_db(bo_ctx *ctx, bo_db **out)
{
    char err[BO_DB_ERR_MAX] = "";
    const bo_db_ops *ops = &bo_db_sqlite_ops;
    const char *target = "backoffice.db";
    gl_status st = bo_config_load(ctx);
    if (st != GL_OK)
        return st;
    if (ctx->pg_conninfo) {
        ops = &bo_db_pg_ops;
        target = ctx->pg_conninfo;
    } else if (ctx->db_path) {
        target = ctx->db_path;
    } else if (ctx->cfg.pg[0]) {
        ops = &bo_db_pg_ops;
        target = ctx->cfg.pg;
    } else if (ctx->cfg.db[0]) {
        target = ctx->cfg.db;
    }
    st = bo_db_open(ops, target, out, err, sizeof err);
    if (st != GL_OK)
        cli_error("db", "%s", err[0] ? err : gl_strerror(st));
    return st;
}

int bo_take_opt(int argc, char **argv, int *i, const char *name, const char **val)
{
    if (strcmp(argv[*i], name) != 0)
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *val = argv[++*i];
    return 1;
}

struct print_arg {
    int rows;
};

static int print_row(void *arg, int ncols, const char *const *vals)
{
    struct print_arg *a = arg;
    for (int i = 0; i < ncols; i++)
        printf("%s%s", i ? " " : "", vals[i] ? vals[i] : "");
    printf("\n");
    a->rows++;
    return 0;
}

/* stats: the ingest counters (stored, duplicates, rejected) and message count. */
int bo_cmd_stats(bo_ctx *ctx, int argc, char **argv)
{
    bo_db *db = NULL;
    struct print_arg a = {0};
    (void)argc;
    (void)argv;
    if (bo_open_db(ctx, &db) != GL_OK)
        return CLI_FAIL;
    gl_status st = bo_db_query(db,
                               "SELECT name, value FROM counters UNION ALL"
                               " SELECT 'messages', COUNT(*) FROM messages ORDER BY 1",
                               0, NULL, print_row, &a);
    if (st != GL_OK)
        cli_error("stats", "%s", bo_db_error(db));
    bo_db_close(db);
    return st == GL_OK ? CLI_OK : CLI_FAIL;
}

/* assign GATEWAY customer|area ID: who may report a customer or an area
 * (otherwise the first gateway that reports it); moves it when it changes
 * hands. */
int bo_cmd_assign(bo_ctx *ctx, int argc, char **argv)
{
    bo_db *db = NULL;
    if (argc != 4 || !bo_valid_id(argv[1]) || (strcmp(argv[2], "customer") != 0 && strcmp(argv[2], "area") != 0) ||
        !bo_valid_id(argv[3])) {
        cli_error("assign", "usage: assign GATEWAY customer|area ID (ids: 1..64 of A-Z a-z 0-9 . _ -)");
        return CLI_USAGE;
    }
    if (bo_open_db(ctx, &db) != GL_OK)
        return CLI_FAIL;
    const char *p[] = {argv[2], argv[3], argv[1]};
    gl_status st = bo_db_exec(db,
                              "INSERT INTO owners (kind, id, gateway) VALUES ($1,$2,$3)"
                              " ON CONFLICT (kind, id) DO UPDATE SET gateway = excluded.gateway",
                              3, p, NULL);
    if (st != GL_OK)
        cli_error("assign", "%s", bo_db_error(db));
    bo_db_close(db);
    return st == GL_OK ? CLI_OK : CLI_FAIL;
}

/* import FILE|-: ingests envelope lines (one JSON message a line) as if they
 * came from the broker on gl/v1/{gateway}/{kind}: replays, tests, benches. */
int bo_cmd_import(bo_ctx *ctx, int argc, char **argv)
{
    bo_db *db = NULL;
    FILE *f = NULL;
    char *line = NULL;
    size_t cap = 0;
    long long counts[3] = {0, 0, 0}, lineno = 0;
    int ret = CLI_FAIL;
    if (argc != 2) {
        cli_error("import", "usage: import FILE|-");
        return CLI_USAGE;
    }
    f = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "r");
    if (!f) {
        cli_error(argv[1], "cannot open the file");
        return CLI_USAGE;
    }
    if (bo_open_db(ctx, &db) != GL_OK)
        goto out;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        char topic[BO_TOPIC_MAX], why[256];
        bo_outcome oc = BO_REJECTED;
        lineno++;
        cJSON *root = cJSON_ParseWithLength(line, (size_t)n);
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(root, "gateway");
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(root, "kind");
        snprintf(topic, sizeof topic, "gl/v1/%s/%s", cJSON_IsString(g) ? g->valuestring : "?",
                 cJSON_IsString(k) ? k->valuestring : "?");
        cJSON_Delete(root);
        gl_status st = bo_ingest_message(db, topic, line, (size_t)n, (long long)time(NULL), &oc, why, sizeof why);
        if (st != GL_OK) {
            cli_error("import", "line %lld: %s: %s", lineno, gl_strerror(st), bo_db_error(db));
            goto out;
        }
        if (oc == BO_REJECTED)
            cli_error("import", "line %lld: rejected: %s", lineno, why);
        counts[oc]++;
    }
    printf("stored %lld, duplicates %lld, rejected %lld\n", counts[BO_STORED], counts[BO_DUPLICATE],
           counts[BO_REJECTED]);
    ret = CLI_OK;
out:
    free(line);
    if (f && f != stdin)
        fclose(f);
    bo_db_close(db);
    return ret;
}

int bo_print_query(bo_ctx *ctx, const char *what, const char *sql, const bo_col *cols, int ncols, int np,
                   const char *const *p)
{
    bo_db *db = NULL;
    bo_table t;
    int ret = CLI_FAIL;
    if (bo_open_db(ctx, &db) != GL_OK)
        return CLI_FAIL;
    memset(&t, 0, sizeof t);
    t.ncols = ncols;
    t.cols = cols;
    gl_status st = bo_table_fill(db, &t, sql, np, p);
    if (st != GL_OK)
        cli_error(what, "%s: %s", gl_strerror(st), bo_db_error(db));
    else if (bo_csv_write(&t, stdout) == GL_OK)
        ret = CLI_OK;
    bo_table_free(&t);
    bo_db_close(db);
    return ret;
}
