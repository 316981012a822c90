/* bo_report.c: `gridledger-backoffice report KIND`: the operators' reports.
 *
 *  worklist  the collection worklist: the newest worklist of each gateway
 *            (of --month if given), XLSX sheet per grid
 *  aging     arrears per customer from the newest grades, in aging buckets
 *            by days overdue (current, 1-30, 31-60, 61-90, 91-180, 181+)
 *  grades    grade distribution per cycle (as_of) and migration from each
 *            customer's previous cycle
 *  area      per area and month: energy supplied, sold, lost, loss %, billed,
 *            collected (payments and top-ups the gateway acknowledged as
 *            applied) and average price (billed / sold, yuan per kWh)
 *  alerts    open alerts: the newest record of each (gateway, kind, subject)
 *            when it is an alert (a later record with alert false closes it)
 *  health    per gateway: last seen, last seq, seqs missing, outbox, polls
 *  actions   the gateways' collection records: every action with its times,
 *            status, proof and the principal and penalty owed (of --month:
 *            taken or planned in it), XLSX sheet per gateway
 *  outages   planned outages, each notice of their schedule (due, sent,
 *            skipped or replaced) and its delivery (docs/notices.md)
 * Output: CSV on stdout unless --csv FILE and/or --xlsx FILE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bo_cli.h"
#include "bo_ingest.h"
#include "bo_large.h"
#include "bo_report.h"
#include "cli.h"
#include "gridledger/money.h"

typedef struct report_def {
    const char *name;
    const char *sheet; /* sheet name when not split */
    const bo_col *cols;
    int ncols;
    int split_col; /* XLSX: a sheet per value of this column, or -1 */
    const char *sql; /* $1 = --month or '' */
    void (*post)(bo_table *t);
} report_def;

static const bo_col worklist_cols[] = {
    {"customer", BO_COL_TEXT}, {"name", BO_COL_TEXT},     {"grid", BO_COL_TEXT},     {"grade", BO_COL_TEXT},
    {"arrears", BO_COL_FEN},   {"penalty", BO_COL_FEN},   {"oldest_due", BO_COL_TEXT}, {"days_overdue", BO_COL_INT},
    {"action", BO_COL_TEXT},   {"channel", BO_COL_TEXT},  {"priority", BO_COL_INT},  {"deadline", BO_COL_TEXT},
};
static const char worklist_sql[] =
    "SELECT w.customer, w.name, w.grid, w.grade, w.arrears_fen, w.penalty_fen, w.oldest_due, w.days_overdue,"
    " w.action, w.channel, w.priority, w.deadline FROM worklist w"
    " JOIN (SELECT gateway, MAX(date) AS d FROM worklists WHERE ($1 = '' OR substr(date, 1, 7) = $1)"
    " GROUP BY gateway) l ON l.gateway = w.gateway AND l.d = w.date"
    " ORDER BY w.grid, w.priority, w.days_overdue DESC, w.customer, w.n";

static const bo_col aging_cols[] = {
    {"gateway", BO_COL_TEXT}, {"customer", BO_COL_TEXT},   {"as_of", BO_COL_TEXT},  {"grade", BO_COL_TEXT},
    {"oldest_due", BO_COL_TEXT}, {"days_overdue", BO_COL_INT}, {"bucket", BO_COL_TEXT}, {"arrears", BO_COL_FEN},
    {"penalty", BO_COL_FEN},
};
static const char aging_sql[] =
    "SELECT g.gateway, g.customer, g.as_of, g.grade, g.oldest_due, g.days_overdue,"
    " CASE WHEN g.days_overdue = 0 THEN 'current' WHEN g.days_overdue <= 30 THEN '1-30'"
    " WHEN g.days_overdue <= 60 THEN '31-60' WHEN g.days_overdue <= 90 THEN '61-90'"
    " WHEN g.days_overdue <= 180 THEN '91-180' ELSE '181+' END, g.arrears_fen, g.penalty_fen FROM grades g"
    " JOIN (SELECT gateway, customer, MAX(as_of) AS a FROM grades WHERE ($1 = '' OR substr(as_of, 1, 7) <= $1)"
    " GROUP BY gateway, customer) l ON l.gateway = g.gateway AND l.customer = g.customer AND l.a = g.as_of"
    " WHERE g.arrears_fen > 0 ORDER BY g.days_overdue DESC, g.arrears_fen DESC, g.gateway, g.customer";

static const bo_col grades_cols[] = {
    {"kind", BO_COL_TEXT}, {"as_of", BO_COL_TEXT}, {"from_grade", BO_COL_TEXT}, {"grade", BO_COL_TEXT},
    {"customers", BO_COL_INT},
};
static const char grades_sql[] =
    "SELECT 'distribution', as_of, '', grade, COUNT(*) FROM grades WHERE ($1 = '' OR substr(as_of, 1, 7) = $1)"
    " GROUP BY as_of, grade"
    " UNION ALL SELECT 'migration', g.as_of, p.grade, g.grade, COUNT(*) FROM grades g"
    " JOIN grades p ON p.gateway = g.gateway AND p.customer = g.customer AND p.as_of = (SELECT MAX(q.as_of)"
    " FROM grades q WHERE q.gateway = g.gateway AND q.customer = g.customer AND q.as_of < g.as_of)"
    " WHERE ($1 = '' OR substr(g.as_of, 1, 7) = $1) GROUP BY g.as_of, p.grade, g.grade ORDER BY 1, 2, 3, 4";

static const bo_col area_cols[] = {
    {"area", BO_COL_TEXT},   {"period", BO_COL_TEXT},   {"supplied_kwh", BO_COL_WH}, {"sold_kwh", BO_COL_WH},
    {"loss_kwh", BO_COL_WH}, {"loss_pct", BO_COL_TEXT}, {"billed", BO_COL_FEN},      {"collected", BO_COL_FEN},
    {"avg_price", BO_COL_TEXT},
};
static const char area_sql[] =
    "SELECT k.area, k.period, l.supplied, l.sold, l.loss, NULL, b.billed, c.collected, NULL"
    " FROM (SELECT area, period FROM lineloss UNION SELECT area, period FROM bills) k"
    " LEFT JOIN (SELECT area, period, SUM(supplied_wh) AS supplied, SUM(sold_wh) AS sold, SUM(loss_wh) AS loss"
    " FROM lineloss GROUP BY area, period) l ON l.area = k.area AND l.period = k.period"
    " LEFT JOIN (SELECT area, period, SUM(total_fen) AS billed FROM bills GROUP BY area, period) b"
    " ON b.area = k.area AND b.period = k.period"
    " LEFT JOIN (SELECT ca.area, substr(d.date, 1, 7) AS period, SUM(d.amount_fen) AS collected FROM downlink d"
    " JOIN acks a ON a.gateway = d.gateway AND a.down_seq = d.seq AND a.down_kind = d.kind AND a.result = 'applied'"
    " JOIN (SELECT DISTINCT gateway, customer, area FROM bills) ca ON ca.gateway = d.gateway AND ca.customer = d.customer"
    " WHERE d.kind IN ('payments', 'topups') GROUP BY ca.area, substr(d.date, 1, 7)) c"
    " ON c.area = k.area AND c.period = k.period"
    " WHERE ($1 = '' OR k.period = $1) ORDER BY k.area, k.period";

static const bo_col alerts_cols[] = {
    {"gateway", BO_COL_TEXT}, {"kind", BO_COL_TEXT}, {"subject", BO_COL_TEXT}, {"detail", BO_COL_TEXT},
    {"since", BO_COL_TEXT},   {"ts", BO_COL_INT},
};
static const char alerts_sql[] =
    "SELECT a.gateway, a.kind, a.subject, a.detail, NULL, a.ts FROM alerts a WHERE a.alert = 1"
    " AND a.seq = (SELECT MAX(b.seq) FROM alerts b WHERE b.gateway = a.gateway AND b.kind = a.kind"
    " AND b.subject = a.subject) ORDER BY a.ts, a.gateway, a.seq";

static const bo_col health_cols[] = {
    {"gateway", BO_COL_TEXT},      {"last_seen", BO_COL_TEXT},    {"last_seq", BO_COL_INT},
    {"messages", BO_COL_INT},      {"missing", BO_COL_INT},       {"outbox_depth", BO_COL_INT},
    {"outbox_dropped", BO_COL_INT}, {"polls", BO_COL_INT},        {"poll_errors", BO_COL_INT},
    {"meters_online", BO_COL_INT}, {"meters_offline", BO_COL_INT}, {"uptime_s", BO_COL_INT},
    {"last_errors", BO_COL_TEXT},  {"last_seen_ts", BO_COL_INT},
};
static const char health_sql[] =
    "SELECT gateway, NULL, last_seq, messages, last_seq - messages, outbox_depth, outbox_dropped, polls,"
    " poll_errors, meters_online, meters_offline, uptime_s, last_errors, last_seen FROM status"
    " ORDER BY gateway";

static const bo_col actions_cols[] = {
    {"gateway", BO_COL_TEXT},  {"id", BO_COL_INT},       {"customer", BO_COL_TEXT}, {"episode", BO_COL_TEXT},
    {"action", BO_COL_TEXT},   {"channel", BO_COL_TEXT}, {"planned", BO_COL_TEXT},  {"taken", BO_COL_TEXT},
    {"status", BO_COL_TEXT},   {"served", BO_COL_TEXT},  {"proof", BO_COL_TEXT},    {"principal", BO_COL_FEN},
    {"penalty", BO_COL_FEN},   {"reason", BO_COL_TEXT},  {"deadline", BO_COL_TEXT},
};
static const char actions_sql[] =
    "SELECT gateway, id, customer, episode, action, channel, planned, taken, status, served, proof, principal_fen,"
    " penalty_fen, reason, deadline FROM actions"
    " WHERE ($1 = '' OR substr(coalesce(taken, planned), 1, 7) = $1) ORDER BY gateway, id";

/* outages: every planned outage, each notice of its schedule, and what
 * became of it (the SMS's status, Kannel's id, the delivery report). */
static const bo_col outages_cols[] = {
    {"outage", BO_COL_INT},     {"gateway", BO_COL_TEXT},  {"area", BO_COL_TEXT},     {"from", BO_COL_TEXT},
    {"to", BO_COL_TEXT},        {"reason", BO_COL_TEXT},   {"outage_status", BO_COL_TEXT}, {"customer", BO_COL_TEXT},
    {"notice", BO_COL_TEXT},    {"due", BO_COL_TEXT},      {"schedule", BO_COL_TEXT}, {"note", BO_COL_TEXT},
    {"dest", BO_COL_TEXT},      {"delivery", BO_COL_TEXT}, {"kannel_id", BO_COL_TEXT}, {"dlr_ts", BO_COL_TEXT},
};
static const char outages_sql[] =
    "SELECT g.id, g.gateway, g.area, g.starts, g.ends, g.reason, g.status, o.customer,"
    " CASE WHEN o.kind = 'notice' THEN 'notice_' || CAST(o.days AS TEXT) || 'd' ELSE o.kind END, o.due, o.status,"
    " o.note, n.dest, CASE WHEN n.status IS NULL THEN NULL WHEN n.reason = '' THEN n.status"
    " ELSE n.status || ': ' || n.reason END, n.kannel_id, n.dlr_ts"
    " FROM outages g LEFT JOIN outage_notices o ON o.outage = g.id"
    " LEFT JOIN notices n ON n.gateway = '~outage' AND n.action_id = o.notice_id"
    " ORDER BY g.id, o.n";

/* set_cell: replaces cell (r, c) with a copy of v. */
static void set_cell(bo_table *t, size_t r, int c, const char *v)
{
    char **cell = &t->cells[r * (size_t)t->ncols + (size_t)c];
    free(*cell);
    *cell = strdup(v);
}

static void iso_utc(const char *epoch, char *out, size_t cap)
{
    long long s = strtoll(epoch, NULL, 10);
    time_t tt = (time_t)s;
    struct tm tm;
    if (!*epoch || !gmtime_r(&tt, &tm) || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, cap, "%s", "");
}

/* area: loss % = loss / supplied, 2 decimals; price = billed / sold in yuan per kWh, 4 decimals. */
static void post_area(bo_table *t)
{
    for (size_t r = 0; r < t->nrows; r++) {
        int64_t sup = 0, sold = 0, loss = 0, billed = 0, v;
        char buf[MONEY_FMT_MAX];
        int have_l = money_parse(bo_cell(t, r, 2), 0, &sup) == GL_OK && money_parse(bo_cell(t, r, 4), 0, &loss) == GL_OK;
        int have_s = money_parse(bo_cell(t, r, 3), 0, &sold) == GL_OK;
        int have_b = money_parse(bo_cell(t, r, 6), 0, &billed) == GL_OK;
        if (have_l && sup > 0 && money_muldiv_round(loss, 10000, sup, MONEY_HALF_UP, &v) == GL_OK &&
            money_format(v, 2, buf, sizeof buf) == GL_OK)
            set_cell(t, r, 5, buf);
        /* fen / Wh * 10 = yuan / kWh; at 4 decimals: fen * 100000 / Wh */
        if (have_s && have_b && sold > 0 && money_muldiv_round(billed, 100000, sold, MONEY_HALF_UP, &v) == GL_OK &&
            money_format(v, 4, buf, sizeof buf) == GL_OK)
            set_cell(t, r, 8, buf);
    }
}

static void post_alerts(bo_table *t)
{
    char buf[32];
    for (size_t r = 0; r < t->nrows; r++) {
        iso_utc(bo_cell(t, r, 5), buf, sizeof buf);
        set_cell(t, r, 4, buf);
    }
}

static void post_health(bo_table *t)
{
    char buf[32];
    for (size_t r = 0; r < t->nrows; r++) {
        iso_utc(bo_cell(t, r, 13), buf, sizeof buf);
        set_cell(t, r, 1, buf);
    }
}

/* the outage's times, each notice's due time and its report's time as local minutes */
static void post_outages(bo_table *t)
{
    static const int cols[] = {3, 4, 9, 15};
    char buf[BO_OUTAGE_TIME_MAX];
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
            if (*bo_cell(t, r, cols[k])) {
                bo_outage_format_time(strtoll(bo_cell(t, r, cols[k]), NULL, 10), buf);
                set_cell(t, r, cols[k], buf);
            }
}

#define COLS(a) a, (int)(sizeof a / sizeof a[0])
static const report_def reports[] = {
    {"worklist", "worklist", COLS(worklist_cols), 2, worklist_sql, NULL},
    {"aging", "aging", COLS(aging_cols), -1, aging_sql, NULL},
    {"grades", "grades", COLS(grades_cols), -1, grades_sql, NULL},
    {"area", "area", COLS(area_cols), -1, area_sql, post_area},
    {"alerts", "alerts", COLS(alerts_cols), -1, alerts_sql, post_alerts},
    {"health", "health", COLS(health_cols), -1, health_sql, post_health},
    {"actions", "actions", COLS(actions_cols), 0, actions_sql, NULL},
    {"outages", "outages", COLS(outages_cols), -1, outages_sql, post_outages},
};

gl_status bo_report_fill(bo_db *db, const char *name, const char *month, bo_table *t)
{
    const report_def *def = NULL;
    memset(t, 0, sizeof *t);
    for (size_t k = 0; !def && k < sizeof reports / sizeof reports[0]; k++)
        if (strcmp(name, reports[k].name) == 0)
            def = &reports[k];
    if (!def)
        return GL_ENOTFOUND;
    t->ncols = def->ncols;
    t->cols = def->cols;
    const char *p[] = {month ? month : ""};
    gl_status st = bo_table_fill(db, t, def->sql, strstr(def->sql, "$1") ? 1 : 0, p);
    if (st == GL_OK && def->post)
        def->post(t);
    return st;
}

static int write_outputs(const report_def *def, const bo_table *t, const char *csv, const char *xlsx)
{
    gl_status st = GL_OK;
    if (csv) {
        FILE *f = fopen(csv, "w");
        st = f ? bo_csv_write(t, f) : GL_EIO;
        if (f && fclose(f) != 0)
            st = GL_EIO;
        if (st != GL_OK) {
            cli_error(csv, "cannot write the CSV");
            return CLI_FAIL;
        }
    }
    if (xlsx && bo_xlsx_write(t, xlsx, def->sheet, def->split_col) != GL_OK) {
        cli_error(xlsx, "cannot write the XLSX");
        return CLI_FAIL;
    }
    if (!csv && !xlsx && bo_csv_write(t, stdout) != GL_OK)
        return CLI_FAIL;
    return CLI_OK;
}

int bo_cmd_report(bo_ctx *ctx, int argc, char **argv)
{
    const char *csv = NULL, *xlsx = NULL, *month = "";
    const report_def *def = NULL;
    bo_db *db = NULL;
    bo_table t;
    int ret = CLI_USAGE;
    if (argc > 1 && strcmp(argv[1], "large-customers") == 0)
        return bo_large_cmd(ctx, argc, argv);
    for (int i = 1; i < argc; i++) {
        int r = 0;
        if ((r = bo_take_opt(argc, argv, &i, "--csv", &csv)) || (r = bo_take_opt(argc, argv, &i, "--xlsx", &xlsx)) ||
            (r = bo_take_opt(argc, argv, &i, "--month", &month))) {
            if (r < 0) {
                cli_error("report", "%s needs a value", argv[i]);
                return CLI_USAGE;
            }
            continue;
        }
        for (size_t k = 0; !def && k < sizeof reports / sizeof reports[0]; k++)
            if (strcmp(argv[i], reports[k].name) == 0)
                def = &reports[k];
        if (!def) {
            cli_error("report", "unknown report %s (worklist|aging|grades|area|alerts|health|actions|outages|large-customers)", argv[i]);
            return CLI_USAGE;
        }
    }
    if (!def) {
        cli_error("report", "which report? worklist|aging|grades|area|alerts|health|actions|outages|large-customers");
        return CLI_USAGE;
    }
    if (*month && !bo_valid_month(month)) {
        cli_error("report", "--month %s: not YYYY-MM", month);
        return CLI_USAGE;
    }
    if (bo_open_db(ctx, &db) != GL_OK)
        return CLI_FAIL;
    gl_status st = bo_report_fill(db, def->name, month, &t);
    if (st != GL_OK) {
        cli_error("report", "%s: %s: %s", def->name, gl_strerror(st), bo_db_error(db));
        ret = CLI_FAIL;
        goto out;
    }
    ret = write_outputs(def, &t, csv, xlsx);
out:
    bo_table_free(&t);
    bo_db_close(db);
    return ret;
}
