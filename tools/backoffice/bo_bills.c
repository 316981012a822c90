/* bo_bills.c: `bills mail|list`: the monthly bills by e-mail.
 *
 * Each bill of the month (table bills, as the gateways sent them up) of a
 * customer who chose e-mail (contacts: channel email, consent_email yes, an
 * address) becomes one row of bill_mails, keyed by (gateway, bill id), so a
 * bill is mailed once however often the command runs. They are sent largest
 * first (large customers first), each with the bill as an XLSX sheet; the
 * relay's 250 is recorded as the proof of sending. A relay that fails for
 * now (unreachable, no STARTTLS, 4xx) ends the run with the rest queued for
 * the next; a refusal (5xx) fails that bill with the reply, counted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bo_cli.h"
#include "bo_ingest.h"
#include "bo_mailer.h"
#include "bo_notice.h"
#include "bo_report.h"
#include "cli.h"

typedef struct bill_run {
    bo_ctx *ctx;
    bo_db *db;
    bo_mail *sender;
    int sent, failed, stopped;
} bill_run;

static gl_status queue_bills(bo_db *db, const char *period)
{
    char now[24];
    snprintf(now, sizeof now, "%lld", (long long)time(NULL));
    const char *p[] = {period, now};
    return bo_db_exec(db,
                      "INSERT INTO bill_mails (gateway, bill_id, customer, period, total_fen, dest, status, reason,"
                      " queued) SELECT b.gateway, b.id, b.customer, b.period, b.total_fen, c.email, 'queued', '',"
                      " CAST($2 AS BIGINT) FROM bills b JOIN contacts c ON c.customer = b.customer"
                      " WHERE b.period = $1 AND c.channel = 'email' AND c.consent_email = 'yes' AND c.email <> ''"
                      " ON CONFLICT DO NOTHING",
                      2, p, NULL);
}

static void mark(bill_run *r, const char *const *v, const char *status, const char *reason, const char *reply)
{
    char now[24];
    snprintf(now, sizeof now, "%lld", (long long)time(NULL));
    const char *p[] = {v[0], v[1], status, reason, reply, now};
    (void)bo_db_exec(r->db,
                     "UPDATE bill_mails SET status = $3, reason = $4, reply = $5, sent = CASE WHEN $3 = 'sent'"
                     " THEN CAST($6 AS BIGINT) ELSE sent END WHERE gateway = $1 AND bill_id = $2",
                     6, p, NULL);
}

/* mail_bill: v = gateway, bill_id, customer, period, total_fen, dest, name, lang, due. */
static int mail_bill(void *arg, int ncols, const char *const *v)
{
    bill_run *r = arg;
    char text[BO_NOTICE_TEXT_MAX], why[160] = "", token[96], reason[320];
    bo_mail_result res;
    (void)ncols;
    bo_notice_vars vars = {v[2], v[6], "bill", v[8], v[3], strtoll(v[4], NULL, 10), 0};
    if (bo_notice_render(bo_notices_template(&r->ctx->cfg.notices, "bill", v[7]), &vars, text, sizeof text, why,
                         sizeof why) != GL_OK) {
        mark(r, v, "failed", why, "");
        r->failed++;
        return 0;
    }
    snprintf(token, sizeof token, "bill.%s.%lld", v[0], (long long)time(NULL));
    for (char *t = token; *t; t++)
        if (*t == '/' || *t == '@')
            *t = '.';
    bo_mailer_item it = {v[5], v[2], "bill", v[7], text, token, 1, v[1]};
    if (bo_mailer_send(r->sender, &r->ctx->cfg.mail, r->db, &it, &res) == GL_OK) {
        mark(r, v, "sent", "", res.reply);
        printf("bill %s: e-mailed to %s (%s)\n", v[1], v[5], res.reply);
        r->sent++;
        return 0;
    }
    (void)bo_db_counter_add(r->db, res.error, 1);
    snprintf(reason, sizeof reason, "%s: %s", res.error, res.reply);
    cli_error("bills", "%s: e-mail to %s: %s%s", v[1], v[5], reason, res.temporary ? " (stays queued)" : "");
    mark(r, v, res.temporary ? "queued" : "failed", reason, "");
    if (res.temporary) {
        r->stopped = 1;
        return 1; /* the relay, not this bill: the rest waits for the next run */
    }
    r->failed++;
    return 0;
}

static int mail(bo_ctx *ctx, const char *period)
{
    bill_run r = {ctx, NULL, NULL, 0, 0, 0};
    if (!ctx->cfg.mail.url[0]) {
        cli_error("bills", "no mail relay: set mail.url in the config");
        return CLI_USAGE;
    }
    if (bo_mail_open(&r.sender) != GL_OK || bo_open_db(ctx, &r.db) != GL_OK) {
        bo_mail_close(r.sender);
        return CLI_FAIL;
    }
    static const bo_col cols[] = {{"gateway", BO_COL_TEXT}, {"bill", BO_COL_TEXT},  {"customer", BO_COL_TEXT},
                                  {"period", BO_COL_TEXT},  {"total", BO_COL_TEXT}, {"dest", BO_COL_TEXT},
                                  {"name", BO_COL_TEXT},    {"lang", BO_COL_TEXT},  {"due", BO_COL_TEXT}};
    bo_table t; /* the queue is read first, then sent: one query at a time on the connection */
    const char *p[] = {period};
    memset(&t, 0, sizeof t);
    t.ncols = (int)(sizeof cols / sizeof cols[0]);
    t.cols = cols;
    gl_status st = queue_bills(r.db, period);
    if (st == GL_OK)
        st = bo_table_fill(r.db, &t,
                           "SELECT m.gateway, m.bill_id, m.customer, m.period, m.total_fen, m.dest, c.name, c.lang, b.due"
                           " FROM bill_mails m JOIN contacts c ON c.customer = m.customer JOIN bills b ON"
                           " b.gateway = m.gateway AND b.id = m.bill_id WHERE m.period = $1 AND m.status = 'queued'"
                           " ORDER BY m.total_fen DESC, m.gateway, m.bill_id",
                           1, p);
    for (size_t i = 0; st == GL_OK && !r.stopped && i < t.nrows; i++) {
        const char *v[9];
        for (int c = 0; c < 9; c++)
            v[c] = bo_cell(&t, i, c);
        (void)mail_bill(&r, 9, v);
    }
    bo_table_free(&t);
    if (st != GL_OK)
        cli_error("bills", "%s: %s", gl_strerror(st), bo_db_error(r.db));
    printf("bills %s: %d e-mailed, %d failed%s\n", period, r.sent, r.failed,
           r.stopped ? "; the relay failed: the rest stays queued" : "");
    bo_db_close(r.db);
    bo_mail_close(r.sender);
    return st == GL_OK && !r.stopped ? CLI_OK : CLI_FAIL;
}

static int list(bo_ctx *ctx, const char *period)
{
    static const bo_col cols[] = {
        {"gateway", BO_COL_TEXT}, {"bill", BO_COL_TEXT},   {"customer", BO_COL_TEXT}, {"period", BO_COL_TEXT},
        {"total", BO_COL_FEN},    {"dest", BO_COL_TEXT},   {"status", BO_COL_TEXT},   {"reason", BO_COL_TEXT},
        {"reply", BO_COL_TEXT},   {"sent", BO_COL_INT},
    };
    const char *p[] = {period ? period : ""};
    return bo_print_query(ctx, "bills",
                          "SELECT gateway, bill_id, customer, period, total_fen, dest, status, reason, reply, sent"
                          " FROM bill_mails WHERE $1 = '' OR period = $1 ORDER BY period, total_fen DESC,"
                          " gateway, bill_id",
                          cols, (int)(sizeof cols / sizeof cols[0]), 1, p);
}

int bo_cmd_bills(bo_ctx *ctx, int argc, char **argv)
{
    const char *period = NULL;
    int i = 2;
    for (; i < argc; i++)
        if (bo_take_opt(argc, argv, &i, "--period", &period) != 1)
            break;
    if (argc < 2 || i < argc || (strcmp(argv[1], "mail") != 0 && strcmp(argv[1], "list") != 0) ||
        (period && !bo_valid_month(period)) || (strcmp(argv[1], "mail") == 0 && !period)) {
        cli_error("bills", "usage: bills mail --period YYYY-MM | bills list [--period YYYY-MM]");
        return CLI_USAGE;
    }
    if (bo_config_load(ctx) != GL_OK)
        return CLI_USAGE;
    return strcmp(argv[1], "mail") == 0 ? mail(ctx, period) : list(ctx, period);
}
