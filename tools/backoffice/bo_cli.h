/* bo_cli.h: the back office's command context, config and commands. */
#ifndef BO_CLI_H
#define BO_CLI_H

#include <stddef.h>

#include "bo_db.h"
#include "bo_mail.h"
#include "bo_outage.h"
#include "bo_report.h"
#include "gridledger/creditcfg.h"
#include "gridledger/status.h"

#define BO_PATH_MAX 512

/* The back-office config (-c FILE), a small JSON:
 * {"broker": {"host", "port", "tls", "ca", "cert", "key", "client_id", "keepalive_s"},
 *  "keys_dir": "keys", "db": "backoffice.db" | "pg": "CONNINFO", "down_ttl_s": 86400,
 *  "credit": {...}, "collection": {...}  (the gateway's sections, docs/credit.md: the console's
 *   lawfulness check of a cut uses the same thresholds as the gateways),
 *  "notices": {"sendsms_url", "user", "password", "from", "smsc", "dlr_listen", "dlr_url", "per_day",
 *              "templates": {"ACTION.LANG": "text with {fields}"}},
 *  "outages": {"notice_days": [15, 7], "confirm_minutes": 30, "templates": {"KIND.LANG": "..."}},
 *  "mail": {"url", "user", "password", "from", "ca_file", "authority", "require_tls", "served_on_accept",
 *           "timeout_s"},
 *  "bureau": {"institution": "B1234567890123", "notice_actions": ["credit_report_notice"]}}
 * Relative paths are taken from the config file's folder. */
#define BO_TEMPLATES_MAX 32

/* notices: the dispatcher's settings (docs/notices.md) */
typedef struct bo_notices_cfg {
    char sendsms_url[BO_PATH_MAX]; /* Kannel smsbox: http://HOST:PORT/cgi-bin/sendsms */
    char user[64], password[64], from[32], smsc[64];
    char dlr_listen[128];          /* HOST:PORT the dispatcher takes delivery reports on */
    char dlr_url[BO_PATH_MAX];     /* what Kannel calls: http://HOST:PORT/dlr */
    long long per_day;             /* at most this many SMS per customer per day */
    int quiet_from, quiet_to;      /* no SMS in [from, to) minutes of the local day; equal: none */
    long long rate_per_s;          /* submissions per second to Kannel at most */
    int ntemplates;
    struct {
        char key[48];              /* ACTION.LANG, e.g. disconnect_notice.zh */
        char text[1024];
    } templates[BO_TEMPLATES_MAX];
} bo_notices_cfg;

/* bureau: the credit-bureau export (docs/bureau.md) */
#define BO_BUREAU_NOTICES_MAX 4
typedef struct bo_bureau_cfg {
    char institution[32];          /* the data provider's institution code (14 of 0-9 A-Z) */
    int nnotices;                  /* served actions that count as the notice of adverse reporting */
    char notices[BO_BUREAU_NOTICES_MAX][32]; /* default: credit_report_notice */
} bo_bureau_cfg;

typedef struct bo_config {
    char host[256];
    int port;
    int tls;                    /* 1 unless "tls": false (tests only) */
    char ca[BO_PATH_MAX];
    char cert[BO_PATH_MAX];
    char key[BO_PATH_MAX];
    char client_id[64];         /* "" = generated from host name and pid */
    int keepalive_s;
    char keys_dir[BO_PATH_MAX]; /* per-gateway HMAC keys: KEYS_DIR/GATEWAY.key */
    char db[BO_PATH_MAX];
    char pg[1024];
    long long down_ttl_s;       /* expires = ts + down_ttl_s for downlink messages */
    bo_notices_cfg notices;
    bo_bureau_cfg bureau;
    bo_outages_cfg outages;     /* planned-outage notices: offsets and templates */
    creditcfg credit;          /* "credit" and "collection": defaults of docs/credit.md */
    bo_mail_cfg mail;           /* e-mail through an SMTP relay; url "" = none */
} bo_config;

typedef struct bo_ctx {
    const char *config_path; /* -c */
    const char *db_path;     /* --db */
    const char *pg_conninfo; /* --pg */
    bo_config cfg;
    int cfg_loaded;
} bo_ctx;

/* bo_config_load: defaults, then ctx->config_path if given. Prints errors;
 * returns GL_ECONFIG on a bad file. */
gl_status bo_config_load(bo_ctx *ctx);

/* bo_open_db: opens --pg, --db, the config's pg or db, or ./backoffice.db,
 * in that order. Prints the error. */
gl_status bo_open_db(bo_ctx *ctx, bo_db **out);

/* bo_print_query: the rows of sql (parameters p[0..np-1]) as CSV on stdout
 * under cols' header; a database error named after the command what. */
int bo_print_query(bo_ctx *ctx, const char *what, const char *sql, const bo_col *cols, int ncols, int np,
                   const char *const *p);

/* bo_take_opt: if argv[*i] is name, stores the next argument in *val and
 * advances *i; returns 1 if taken, -1 if the value is missing, 0 otherwise. */
int bo_take_opt(int argc, char **argv, int *i, const char *name, const char **val);

int bo_cmd_ingest(bo_ctx *ctx, int argc, char **argv);
int bo_cmd_report(bo_ctx *ctx, int argc, char **argv);
int bo_cmd_down(bo_ctx *ctx, int argc, char **argv);
int bo_cmd_acks(bo_ctx *ctx, int argc, char **argv);
int bo_cmd_prepay(bo_ctx *ctx, int argc, char **argv);
int bo_cmd_deposit(bo_ctx *ctx, int argc, char **argv);
int bo_cmd_import(bo_ctx *ctx, int argc, char **argv);
int bo_cmd_stats(bo_ctx *ctx, int argc, char **argv);
int bo_cmd_assign(bo_ctx *ctx, int argc, char **argv);
int bo_cmd_contacts(bo_ctx *ctx, int argc, char **argv);
int bo_cmd_notices(bo_ctx *ctx, int argc, char **argv);
int bo_cmd_bills(bo_ctx *ctx, int argc, char **argv);

/* bo_notices_template: the text of action in lang: the config's
 * notices.templates, else the built-in one (NULL if none). */
const char *bo_notices_template(const bo_notices_cfg *cfg, const char *action, const char *lang);

#endif
