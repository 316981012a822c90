/* bo_outages.c: `outage plan|move|cancel|class`: planned outages and the
 * notices their large and important customers get.
 *
 * Who is affected: the customers whose newest bill (what the gateways send
 * up in "bills" messages) names the outage's gateway and area, and whom the
 * back office marks large or important (`outage class`: that is the
 * utility's account management, kept in the back office like contacts).
 * Each customer gets the schedule of bo_outage.h as rows of
 * outage_notices; the notices dispatcher (`notices run`) turns each row
 * into an SMS when it is due, through the same Kannel path and delivery
 * reports as the collection notices (table notices, gateway "~outage").
 * Moving or cancelling an outage replaces the notices not yet sent and
 * tells again every customer already told. */
#include "bo_outages.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "bo_contacts.h"
#include "bo_ingest.h"
#include "bo_notice.h"
#include "bo_report.h"
#include "cli.h"

#define REASON_MAX 200
#define NOTICE_ID_BASE 1000000LL /* notices.action_id = outage * base + n */

/* an outage as the commands see it */
typedef struct outage {
    long long id, starts, ends;
    char gateway[72], area[72], reason[REASON_MAX + 1], status[16];
} outage;

typedef struct plan_args {
    const char *gateway, *area, *from, *to, *reason, *now, *by, *id;
} plan_args;

/* ---- small helpers ---- */

static void lld(char out[24], long long v)
{
    snprintf(out, 24, "%lld", v);
}

/* exec_id: sql with $1 the outage id and $2 text. */
static gl_status exec_id(bo_db *db, const char *sql, long long id, const char *text)
{
    char id_s[24];
    lld(id_s, id);
    const char *p[] = {id_s, text};
    return bo_db_exec(db, sql, 2, p, NULL);
}

/* refuse: a clear error, counted (outage_refused); returns CLI_USAGE. */
__attribute__((format(printf, 2, 3))) static int refuse(bo_db *db, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cli_error("outage", "%s", msg);
    if (db)
        (void)bo_db_counter_add(db, "outage_refused", 1);
    return CLI_USAGE;
}

/* rollback: ends the transaction that failed with rc; a refusal (CLI_USAGE)
 * is counted after the rollback, so the count stays. */
static int rollback(bo_db *db, int rc)
{
    bo_db_rollback(db);
    if (rc == CLI_USAGE)
        (void)bo_db_counter_add(db, "outage_refused", 1);
    return rc;
}

static const char *who_of(const char *by)
{
    const char *u = getenv("USER");
    return by ? by : u && *u ? u : "unknown";
}

static long long now_of(const char *now)
{
    return now ? strtoll(now, NULL, 10) : (long long)time(NULL);
}

static int load_row(void *arg, int ncols, const char *const *v)
{
    outage *o = arg;
    (void)ncols;
    o->id = strtoll(v[0], NULL, 10);
    snprintf(o->gateway, sizeof o->gateway, "%s", v[1]);
    snprintf(o->area, sizeof o->area, "%s", v[2]);
    o->starts = strtoll(v[3], NULL, 10);
    o->ends = strtoll(v[4], NULL, 10);
    snprintf(o->reason, sizeof o->reason, "%s", v[5]);
    snprintf(o->status, sizeof o->status, "%s", v[6]);
    return 1;
}

/* load_outage: the outage id (text); o->id 0 when there is none. */
static gl_status load_outage(bo_db *db, const char *id, outage *o)
{
    const char *p[] = {id};
    memset(o, 0, sizeof *o);
    return bo_db_query(db, "SELECT id, gateway, area, starts, ends, reason, status FROM outages WHERE id = CAST($1 AS BIGINT)",
                       1, p, load_row, o);
}

/* ---- the schedule of one customer ---- */

typedef struct sched_ctx {
    bo_db *db;
    const bo_config *cfg;
    const outage *o;
    long long now, next_n;
} sched_ctx;

static gl_status add_notice(sched_ctx *s, const char *customer, const char *kind, int days, long long planned,
                            long long due, const char *status, const char *note, const long long *old)
{
    char o_s[24], n_s[24], d_s[12], pl_s[24], du_s[24], of_s[24] = "", ot_s[24] = "";
    lld(o_s, s->o->id);
    lld(n_s, ++s->next_n);
    snprintf(d_s, sizeof d_s, "%d", days);
    lld(pl_s, planned);
    lld(du_s, due);
    if (old) {
        lld(of_s, old[0]);
        lld(ot_s, old[1]);
    }
    const char *p[] = {o_s, n_s, customer, kind, d_s, pl_s, du_s, status, note, of_s, ot_s};
    return bo_db_exec(s->db,
                      "INSERT INTO outage_notices (outage, n, customer, kind, days, planned, due, status, note,"
                      " old_from, old_to) VALUES (CAST($1 AS BIGINT), CAST($2 AS INTEGER), $3, $4,"
                      " CAST($5 AS INTEGER), CAST($6 AS BIGINT), CAST($7 AS BIGINT), $8, $9,"
                      " CAST(NULLIF($10, '') AS BIGINT), CAST(NULLIF($11, '') AS BIGINT))",
                      11, p, NULL);
}

/* schedule_customer: the outage's notices for one customer; told: already
 * told of this outage (moved), so a late notice is skipped, not sent. */
static gl_status schedule_customer(sched_ctx *s, const char *customer, int told)
{
    bo_outage_slot slot[BO_OUTAGE_SLOTS_MAX];
    int n = bo_outage_schedule(&s->cfg->outages, s->o->starts, s->now, s->cfg->notices.quiet_from,
                               s->cfg->notices.quiet_to, slot, BO_OUTAGE_SLOTS_MAX);
    gl_status st = GL_OK;
    for (int i = 0; st == GL_OK && i < n; i++) {
        int skip = slot[i].state == BO_SLOT_SKIPPED || (told && slot[i].state == BO_SLOT_LATE);
        const char *note = told && slot[i].state == BO_SLOT_LATE ? "too late: the move notice tells them" : slot[i].note;
        st = add_notice(s, customer, slot[i].kind, slot[i].days, slot[i].planned, slot[i].due,
                        skip ? "skipped" : "scheduled", note, NULL);
    }
    return st;
}

static gl_status max_n(sched_ctx *s)
{
    char id_s[24], v[24];
    lld(id_s, s->o->id);
    const char *p[] = {id_s};
    gl_status st = bo_db_scalar(s->db, "SELECT COALESCE(MAX(n), 0) FROM outage_notices WHERE outage = CAST($1 AS BIGINT)",
                                1, p, v, sizeof v);
    s->next_n = strtoll(v, NULL, 10);
    return st;
}

/* ---- affected customers ---- */

static const char affected_sql[] =
    "SELECT DISTINCT b.customer FROM bills b JOIN outage_class k ON k.customer = b.customer"
    " WHERE b.gateway = $1 AND b.area = $2 AND (k.large = 1 OR k.important = 1)"
    " AND b.period = (SELECT MAX(b2.period) FROM bills b2 WHERE b2.gateway = b.gateway AND b2.customer = b.customer)"
    " ORDER BY b.customer";

static const bo_col one_col[] = {{"customer", BO_COL_TEXT}};

/* customers: sql's one column (params p) into t. */
static gl_status customers(bo_db *db, bo_table *t, const char *sql, int np, const char *const *p)
{
    memset(t, 0, sizeof *t);
    t->ncols = 1;
    t->cols = one_col;
    return bo_table_fill(db, t, sql, np, p);
}

/* schedule_area: every affected customer's notices; told (may be NULL): the
 * customers already told, whose late notices are skipped. */
static gl_status schedule_area(sched_ctx *s, const bo_table *told, size_t *count)
{
    bo_table t;
    const char *p[] = {s->o->gateway, s->o->area};
    gl_status st = customers(s->db, &t, affected_sql, 2, p);
    for (size_t r = 0; st == GL_OK && r < t.nrows; r++) {
        int was_told = 0;
        for (size_t k = 0; told && k < told->nrows; k++)
            was_told |= strcmp(bo_cell(told, k, 0), bo_cell(&t, r, 0)) == 0;
        st = schedule_customer(s, bo_cell(&t, r, 0), was_told);
    }
    *count = t.nrows;
    bo_table_free(&t);
    return st;
}

/* print_schedule: what was scheduled, and what could not be (late, skipped). */
static void print_schedule(bo_db *db, long long id, size_t ncust)
{
    static const bo_col cols[] = {{"kind", BO_COL_TEXT}, {"days", BO_COL_INT}, {"due", BO_COL_INT},
                                  {"status", BO_COL_TEXT}, {"note", BO_COL_TEXT}, {"n", BO_COL_INT}};
    char id_s[24], when[BO_OUTAGE_TIME_MAX];
    bo_table t;
    lld(id_s, id);
    const char *p[] = {id_s};
    memset(&t, 0, sizeof t);
    t.ncols = 6;
    t.cols = cols;
    printf("outage %lld: %zu large or important customer(s) to tell\n", id, ncust);
    if (ncust == 0)
        cli_error("outage", "warning: outage %lld: no large or important customer in that area (outage class)", id);
    if (bo_table_fill(db, &t,
                      "SELECT kind, days, MIN(due), status, note, COUNT(*) FROM outage_notices"
                      " WHERE outage = CAST($1 AS BIGINT) AND status IN ('scheduled', 'skipped')"
                      " GROUP BY kind, days, status, note ORDER BY MIN(due)",
                      1, p) == GL_OK)
        for (size_t r = 0; r < t.nrows; r++) {
            bo_outage_format_time(strtoll(bo_cell(&t, r, 2), NULL, 10), when);
            printf("  %s%s%s %s %s x%s%s%s\n", bo_cell(&t, r, 0), strcmp(bo_cell(&t, r, 0), "notice") ? "" : " ",
                   strcmp(bo_cell(&t, r, 0), "notice") ? "" : bo_cell(&t, r, 1), bo_cell(&t, r, 3), when,
                   bo_cell(&t, r, 5), *bo_cell(&t, r, 4) ? ": " : "", bo_cell(&t, r, 4));
            if (strcmp(bo_cell(&t, r, 3), "skipped") == 0 || strncmp(bo_cell(&t, r, 4), "late", 4) == 0)
                cli_error("outage", "warning: outage %lld: %s%s%s %s", id, bo_cell(&t, r, 0),
                          strcmp(bo_cell(&t, r, 0), "notice") ? "" : " ", strcmp(bo_cell(&t, r, 0), "notice") ? "" : bo_cell(&t, r, 1),
                          bo_cell(&t, r, 4));
        }
    bo_table_free(&t);
}

/* ---- checks shared by plan and move ---- */

/* check_times: from/to parsed, to after from, from in the future. */
static int check_times(bo_db *db, const plan_args *a, long long now, long long *from, long long *to)
{
    if (!a->from || !a->to)
        return refuse(db, "--from and --to are needed (YYYY-MM-DDTHH:MM, local time)");
    if (bo_outage_parse_time(a->from, from) != GL_OK)
        return refuse(db, "--from %s: not a local time YYYY-MM-DDTHH:MM", a->from);
    if (bo_outage_parse_time(a->to, to) != GL_OK)
        return refuse(db, "--to %s: not a local time YYYY-MM-DDTHH:MM", a->to);
    if (*to <= *from)
        return refuse(db, "--to %s is not after --from %s", a->to, a->from);
    if (*from <= now)
        return refuse(db, "--from %s: the outage would begin in the past", a->from);
    return CLI_OK;
}

/* check_overlap: no other planned outage of the area overlaps [from, to). */
static int check_overlap(bo_db *db, const outage *o, long long self)
{
    char f[24], t[24], s[24], other[24] = "";
    lld(f, o->starts);
    lld(t, o->ends);
    lld(s, self);
    const char *p[] = {o->gateway, o->area, f, t, s};
    if (bo_db_scalar(db,
                     "SELECT MIN(id) FROM outages WHERE gateway = $1 AND area = $2 AND status = 'planned'"
                     " AND starts < CAST($4 AS BIGINT) AND ends > CAST($3 AS BIGINT) AND id <> CAST($5 AS BIGINT)",
                     5, p, other, sizeof other) != GL_OK)
        return CLI_FAIL;
    /* inside the caller's transaction: counted after its rollback */
    return other[0] ? refuse(NULL, "area %s overlaps planned outage %s (a duplicate?)", o->area, other) : CLI_OK;
}

/* area_gateway: without --gateway, the one gateway whose bills name the area. */
static int area_gateway(bo_db *db, plan_args *a, char *gw, size_t cap)
{
    char n[24] = "";
    const char *p[] = {a->area};
    if (bo_db_scalar(db, "SELECT COUNT(DISTINCT gateway) FROM bills WHERE area = $1", 1, p, n, sizeof n) != GL_OK ||
        bo_db_scalar(db, "SELECT MIN(gateway) FROM bills WHERE area = $1", 1, p, gw, cap) != GL_OK)
        return CLI_FAIL;
    if (strcmp(n, "1") != 0)
        return strcmp(n, "0") == 0 ? refuse(db, "unknown area %s (no bill names it)", a->area)
                                   : refuse(db, "area %s is billed by %s gateways: give --gateway", a->area, n);
    a->gateway = gw;
    return CLI_OK;
}

/* check_place: the gateway has sent something up, and billed the area. */
static int check_place(bo_db *db, plan_args *a, char *gw, size_t cap)
{
    char v[8] = "";
    if (!a->area || !bo_valid_id(a->area) || (a->gateway && !bo_valid_id(a->gateway)))
        return refuse(db, "--area is needed, --gateway may be (ids: 1..64 of A-Z a-z 0-9 . _ -)");
    int rc = a->gateway ? CLI_OK : area_gateway(db, a, gw, cap);
    if (rc != CLI_OK)
        return rc;
    const char *p[] = {a->gateway, a->area};
    if (bo_db_scalar(db, "SELECT 1 FROM messages WHERE gateway = $1 LIMIT 1", 1, p, v, sizeof v) != GL_OK)
        return CLI_FAIL;
    if (!v[0])
        return refuse(db, "unknown gateway %s (nothing came up from it)", a->gateway);
    if (bo_db_scalar(db, "SELECT 1 FROM bills WHERE gateway = $1 AND area = $2 LIMIT 1", 2, p, v, sizeof v) != GL_OK)
        return CLI_FAIL;
    if (!v[0])
        return refuse(db, "unknown area %s of gateway %s (no bill names it)", a->area, a->gateway);
    return CLI_OK;
}

/* ---- plan ---- */

static int plan(bo_ctx *ctx, bo_db *db, plan_args *a)
{
    outage o;
    char gw[72] = "";
    long long now = now_of(a->now);
    int rc = check_place(db, a, gw, sizeof gw);
    memset(&o, 0, sizeof o);
    if (rc == CLI_OK)
        rc = check_times(db, a, now, &o.starts, &o.ends);
    if (rc == CLI_OK && (!a->reason || !*a->reason || strlen(a->reason) > REASON_MAX))
        rc = refuse(db, "--reason is needed (1..200 bytes)");
    if (rc != CLI_OK)
        return rc;
    snprintf(o.gateway, sizeof o.gateway, "%s", a->gateway);
    snprintf(o.area, sizeof o.area, "%s", a->area);
    if (bo_db_begin(db) != GL_OK)
        return CLI_FAIL;
    char id_s[24] = "", f[24], t[24], n[24];
    rc = check_overlap(db, &o, 0);
    if (rc == CLI_OK && bo_db_scalar(db, "SELECT COALESCE(MAX(id), 0) + 1 FROM outages", 0, NULL, id_s, sizeof id_s) != GL_OK)
        rc = CLI_FAIL;
    o.id = strtoll(id_s, NULL, 10);
    lld(f, o.starts);
    lld(t, o.ends);
    lld(n, now);
    const char *p[] = {id_s, a->gateway, a->area, f, t, a->reason, n, who_of(a->by)};
    sched_ctx s = {db, &ctx->cfg, &o, now, 0};
    size_t ncust = 0;
    if (rc == CLI_OK && (bo_db_exec(db,
                                    "INSERT INTO outages (id, gateway, area, starts, ends, reason, status, created, who)"
                                    " VALUES (CAST($1 AS BIGINT), $2, $3, CAST($4 AS BIGINT), CAST($5 AS BIGINT), $6,"
                                    " 'planned', CAST($7 AS BIGINT), $8)",
                                    8, p, NULL) != GL_OK ||
                         schedule_area(&s, NULL, &ncust) != GL_OK || bo_db_commit(db) != GL_OK)) {
        cli_error("outage", "%s", bo_db_error(db));
        rc = CLI_FAIL;
    }
    if (rc != CLI_OK)
        return rollback(db, rc);
    print_schedule(db, o.id, ncust);
    return CLI_OK;
}

/* ---- move and cancel ---- */

/* tell_again: the customers already told of o (a notice queued) get a
 * notice of kind (cancel or move) now; the notices not yet sent are
 * replaced. told gets those customers (free with bo_table_free). */
static gl_status tell_again(sched_ctx *s, const char *kind, const char *why, const long long *old, bo_table *told)
{
    char id_s[24];
    lld(id_s, s->o->id);
    const char *p[] = {id_s};
    gl_status st = customers(s->db, told,
                             "SELECT DISTINCT customer FROM outage_notices WHERE outage = CAST($1 AS BIGINT)"
                             " AND status = 'queued' ORDER BY customer",
                             1, p);
    if (st == GL_OK)
        st = exec_id(s->db,
                     "UPDATE outage_notices SET status = 'replaced', note = $2 WHERE outage = CAST($1 AS BIGINT)"
                     " AND status = 'scheduled'",
                     s->o->id, why);
    if (st == GL_OK)
        st = max_n(s);
    for (size_t r = 0; st == GL_OK && r < told->nrows; r++)
        st = add_notice(s, bo_cell(told, r, 0), kind, 0, s->now, s->now, "scheduled", why, old);
    return st;
}

/* change: the common part of move and cancel: the outage, still planned. */
static int change_start(bo_db *db, const plan_args *a, outage *o)
{
    if (!a->id || strspn(a->id, "0123456789") != strlen(a->id) || strlen(a->id) > 15)
        return refuse(db, "usage: outage cancel|move ID (a number, from `report outages`)");
    if (load_outage(db, a->id, o) != GL_OK)
        return CLI_FAIL;
    if (o->id == 0)
        return refuse(db, "no outage %s", a->id);
    if (strcmp(o->status, "planned") != 0)
        return refuse(db, "outage %s is %s: nothing to change", a->id, o->status);
    return CLI_OK;
}

static int change_end(bo_db *db, gl_status st, const outage *o, size_t ntold, size_t ncust)
{
    if (st != GL_OK || bo_db_commit(db) != GL_OK) {
        cli_error("outage", "%s", bo_db_error(db));
        bo_db_rollback(db);
        return CLI_FAIL;
    }
    printf("outage %lld %s: %zu customer(s) already told are told again\n", o->id, o->status, ntold);
    if (strcmp(o->status, "cancelled") != 0)
        print_schedule(db, o->id, ncust);
    return CLI_OK;
}

static int cancel(bo_ctx *ctx, bo_db *db, const plan_args *a)
{
    outage o;
    bo_table told;
    char hist[160];
    long long now = now_of(a->now);
    int rc = change_start(db, a, &o);
    if (rc != CLI_OK)
        return rc;
    if (bo_db_begin(db) != GL_OK)
        return CLI_FAIL;
    sched_ctx s = {db, &ctx->cfg, &o, now, 0};
    snprintf(hist, sizeof hist, "cancelled at %lld by %s; ", now, who_of(a->by));
    gl_status st = exec_id(db, "UPDATE outages SET status = 'cancelled', history = history || $2"
                               " WHERE id = CAST($1 AS BIGINT)", o.id, hist);
    memset(&told, 0, sizeof told);
    if (st == GL_OK)
        st = tell_again(&s, "cancel", "outage cancelled", NULL, &told);
    snprintf(o.status, sizeof o.status, "cancelled");
    rc = change_end(db, st, &o, told.nrows, 0);
    bo_table_free(&told);
    return rc;
}

static int move(bo_ctx *ctx, bo_db *db, const plan_args *a)
{
    outage o;
    bo_table told;
    char hist[200], f0[BO_OUTAGE_TIME_MAX], t0[BO_OUTAGE_TIME_MAX];
    long long now = now_of(a->now), from, to;
    int rc = change_start(db, a, &o);
    if (rc == CLI_OK)
        rc = check_times(db, a, now, &from, &to);
    if (rc != CLI_OK)
        return rc;
    long long old[2] = {o.starts, o.ends};
    o.starts = from;
    o.ends = to;
    if (bo_db_begin(db) != GL_OK)
        return CLI_FAIL;
    if ((rc = check_overlap(db, &o, o.id)) != CLI_OK)
        return rollback(db, rc);
    bo_outage_format_time(old[0], f0);
    bo_outage_format_time(old[1], t0);
    snprintf(hist, sizeof hist, "moved from %s-%s at %lld by %s; ", f0, t0, now, who_of(a->by));
    sched_ctx s = {db, &ctx->cfg, &o, now, 0};
    size_t ncust = 0;
    char id_s[24], f_s[24], t_s[24];
    lld(id_s, o.id);
    lld(f_s, from);
    lld(t_s, to);
    const char *p[] = {id_s, f_s, t_s, hist};
    gl_status st = bo_db_exec(db,
                              "UPDATE outages SET starts = CAST($2 AS BIGINT), ends = CAST($3 AS BIGINT),"
                              " history = history || $4 WHERE id = CAST($1 AS BIGINT)",
                              4, p, NULL);
    memset(&told, 0, sizeof told);
    if (st == GL_OK)
        st = tell_again(&s, "move", "outage moved", old, &told);
    if (st == GL_OK)
        st = schedule_area(&s, &told, &ncust);
    rc = change_end(db, st, &o, told.nrows, ncust);
    bo_table_free(&told);
    return rc;
}

/* ---- class: who is large or important ---- */

static int yes_no(const char *s)
{
    return strcmp(s, "yes") == 0 ? 1 : strcmp(s, "no") == 0 ? 0 : -1;
}

/* outage class CUSTOMER --large yes|no --important yes|no [--by WHO] */
static int set_class(bo_db *db, int argc, char **argv)
{
    const char *large = "no", *important = "no", *by = NULL;
    int i = 3;
    for (int r = 1; i < argc && r == 1; i += r == 1)
        if (!(r = bo_take_opt(argc, argv, &i, "--large", &large)) &&
            !(r = bo_take_opt(argc, argv, &i, "--important", &important)))
            r = bo_take_opt(argc, argv, &i, "--by", &by);
    if (argc < 3 || i < argc || !bo_valid_id(argv[2]) || yes_no(large) < 0 || yes_no(important) < 0)
        return refuse(db, "usage: outage class CUSTOMER --large yes|no --important yes|no [--by WHO]");
    char l[2] = {(char)('0' + yes_no(large)), 0}, im[2] = {(char)('0' + yes_no(important)), 0}, ts[24];
    lld(ts, (long long)time(NULL));
    const char *p[] = {argv[2], l, im, ts, who_of(by)};
    if (bo_db_exec(db,
                   "INSERT INTO outage_class (customer, large, important, ts, who) VALUES ($1, CAST($2 AS INTEGER),"
                   " CAST($3 AS INTEGER), CAST($4 AS BIGINT), $5) ON CONFLICT (customer) DO UPDATE SET"
                   " large = excluded.large, important = excluded.important, ts = excluded.ts, who = excluded.who",
                   5, p, NULL) != GL_OK) {
        cli_error("outage", "%s", bo_db_error(db));
        return CLI_FAIL;
    }
    printf("outage class %s: large %s, important %s\n", argv[2], large, important);
    return CLI_OK;
}

/* ---- the dispatcher's hook ---- */

typedef struct due_row {
    const char *outage, *n, *customer, *kind, *days, *old_from, *old_to, *area, *starts, *ends, *reason;
} due_row;

/* outage_text: the notice's destination, language and text, or why not. */
static int outage_text(bo_db *db, const bo_config *cfg, const due_row *r, char *dest, char *lang, char *text,
                       char *why)
{
    bo_contact c;
    int found = 0;
    char f[BO_OUTAGE_TIME_MAX], t[BO_OUTAGE_TIME_MAX], of[BO_OUTAGE_TIME_MAX] = "", ot[BO_OUTAGE_TIME_MAX] = "";
    snprintf(lang, 4, "zh");
    if (bo_contacts_find(db, r->customer, &c, &found) != GL_OK || !found)
        return snprintf(why, 160, "no contact for %s", r->customer), 0;
    snprintf(lang, 4, "%.2s", c.v[8]);
    snprintf(dest, 64, "%.*s", (int)strcspn(c.v[2], ";"), c.v[2]);
    if (!dest[0] || strcmp(c.v[6], "yes") != 0)
        return snprintf(why, 160, "%s", dest[0] ? "no consent to SMS" : "no mobile number"), 0;
    bo_outage_format_time(strtoll(r->starts, NULL, 10), f);
    bo_outage_format_time(strtoll(r->ends, NULL, 10), t);
    if (r->old_from && *r->old_from)
        bo_outage_format_time(strtoll(r->old_from, NULL, 10), of);
    if (r->old_to && *r->old_to)
        bo_outage_format_time(strtoll(r->old_to, NULL, 10), ot);
    bo_outage_fields fl = {r->customer, c.v[1], r->area, f, t, r->reason, of, ot, atoi(r->days)};
    return bo_outage_render(bo_outage_template(&cfg->outages, r->kind, lang), &fl, text, BO_NOTICE_TEXT_MAX, why,
                            160) == GL_OK;
}

static int token(char out[33])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        return 0;
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    return 1;
}

/* queue_one: one due row into notices (queued, or failed with why). */
static gl_status queue_one(bo_db *db, const bo_config *cfg, const due_row *r, long long now)
{
    char dest[64] = "", lang[4], text[BO_NOTICE_TEXT_MAX] = "", why[160] = "", tok[33], id[24], segs[8] = "0",
         now_s[24], action[24];
    bo_notice_seg seg;
    int ok = outage_text(db, cfg, r, dest, lang, text, why);
    if (ok && bo_notice_segments(text, &seg) == GL_OK)
        snprintf(segs, sizeof segs, "%d", seg.segments);
    if (!token(tok))
        return GL_EIO;
    lld(id, strtoll(r->outage, NULL, 10) * NOTICE_ID_BASE + strtoll(r->n, NULL, 10));
    lld(now_s, now);
    snprintf(action, sizeof action, "outage_%s", r->kind);
    const char *p[] = {BO_OUTAGE_GATEWAY, id, r->customer, action, dest, lang, text, segs, tok,
                       ok ? "queued" : "failed", why, now_s};
    gl_status st = bo_db_exec(db,
                              "INSERT INTO notices (gateway, action_id, customer, action, channel, dest, lang, text,"
                              " segments, token, status, reason, queued, proof_seq) VALUES ($1, CAST($2 AS BIGINT),"
                              " $3, $4, 'sms', $5, $6, $7, CAST($8 AS INTEGER), $9, $10, $11, CAST($12 AS BIGINT), 0)"
                              " ON CONFLICT DO NOTHING",
                              12, p, NULL);
    const char *u[] = {r->outage, r->n, id};
    if (st == GL_OK)
        st = bo_db_exec(db,
                        "UPDATE outage_notices SET status = 'queued', notice_id = CAST($3 AS BIGINT)"
                        " WHERE outage = CAST($1 AS BIGINT) AND n = CAST($2 AS INTEGER)",
                        3, u, NULL);
    if (st == GL_OK && !ok)
        (void)bo_db_counter_add(db, "notices_unsendable", 1);
    printf("outage %s: %s notice to %s %s%s\n", r->outage, r->kind, r->customer, ok ? "queued for " : "not sent: ",
           ok ? dest : why);
    return st;
}

int bo_outages_queue_due(bo_db *db, const bo_config *cfg, long long now)
{
    static const bo_col cols[] = {
        {"outage", BO_COL_INT}, {"n", BO_COL_INT},      {"customer", BO_COL_TEXT}, {"kind", BO_COL_TEXT},
        {"days", BO_COL_INT},   {"old_from", BO_COL_INT}, {"old_to", BO_COL_INT}, {"area", BO_COL_TEXT},
        {"starts", BO_COL_INT}, {"ends", BO_COL_INT},   {"reason", BO_COL_TEXT},
    };
    char now_s[24];
    bo_table t;
    int queued = 0;
    lld(now_s, now);
    const char *p[] = {now_s};
    memset(&t, 0, sizeof t);
    t.ncols = (int)(sizeof cols / sizeof cols[0]);
    t.cols = cols;
    gl_status st = bo_table_fill(db, &t,
                                 "SELECT o.outage, o.n, o.customer, o.kind, o.days, o.old_from, o.old_to, g.area,"
                                 " g.starts, g.ends, g.reason FROM outage_notices o JOIN outages g ON g.id = o.outage"
                                 " WHERE o.status = 'scheduled' AND o.due <= CAST($1 AS BIGINT)"
                                 " ORDER BY o.due, o.outage, o.n",
                                 1, p);
    for (size_t i = 0; st == GL_OK && i < t.nrows; i++) {
        const char *const *c = (const char *const *)&t.cells[i * (size_t)t.ncols];
        due_row r = {c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10]};
        st = queue_one(db, cfg, &r, now);
        queued += st == GL_OK;
    }
    bo_table_free(&t);
    return queued;
}

/* ---- the command ---- */

static int parse(int argc, char **argv, int first, plan_args *a)
{
    int i = first;
    for (int r = 1; i < argc && r == 1; i += r == 1)
        if (!(r = bo_take_opt(argc, argv, &i, "--gateway", &a->gateway)) &&
            !(r = bo_take_opt(argc, argv, &i, "--area", &a->area)) &&
            !(r = bo_take_opt(argc, argv, &i, "--from", &a->from)) &&
            !(r = bo_take_opt(argc, argv, &i, "--to", &a->to)) &&
            !(r = bo_take_opt(argc, argv, &i, "--reason", &a->reason)) &&
            !(r = bo_take_opt(argc, argv, &i, "--by", &a->by)))
            r = bo_take_opt(argc, argv, &i, "--now", &a->now);
    return i == argc && (!a->now || (strspn(a->now, "0123456789") == strlen(a->now) && *a->now));
}

static const char usage[] = "usage: outage plan [--gateway G] --area A --from T --to T --reason TEXT"
                            " | move ID --from T --to T | cancel ID | class CUSTOMER --large yes|no --important"
                            " yes|no  (T: YYYY-MM-DDTHH:MM local; [--by WHO] [--now UNIX])";

int bo_cmd_outage(bo_ctx *ctx, int argc, char **argv)
{
    plan_args a;
    bo_db *db = NULL;
    const char *sub = argc >= 2 ? argv[1] : "";
    int is_plan = strcmp(sub, "plan") == 0, by_id = strcmp(sub, "move") == 0 || strcmp(sub, "cancel") == 0;
    int rc = CLI_USAGE;
    memset(&a, 0, sizeof a);
    if (!is_plan && !by_id && strcmp(sub, "class") != 0) {
        cli_error("outage", "%s", usage);
        return CLI_USAGE;
    }
    if (bo_config_load(ctx) != GL_OK)
        return CLI_USAGE;
    if (bo_open_db(ctx, &db) != GL_OK)
        return CLI_FAIL;
    if (strcmp(sub, "class") == 0) {
        rc = set_class(db, argc, argv);
    } else if (!parse(argc, argv, is_plan ? 2 : 3, &a) || (by_id && argc < 3)) {
        rc = refuse(db, "%s", usage);
    } else {
        a.id = by_id ? argv[2] : NULL;
        rc = is_plan ? plan(ctx, db, &a) : strcmp(sub, "move") == 0 ? move(ctx, db, &a) : cancel(ctx, db, &a);
    }
    bo_db_close(db);
    return rc;
}
