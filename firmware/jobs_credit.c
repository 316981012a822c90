/* jobs_credit.c: the daemon's credit jobs over the store's ledger (the same
 * run as credit-calc, see creditrun.h):
 *  - collect (daily, 10:00, and soon after a payment arrives): each collection
 *    action that fell due is recorded once and reported; a disconnection due
 *    and allowed now (no-cut windows) opens the customer's relay; supply is
 *    restored once nothing is overdue;
 *  - worklist (monthly, the 2nd): the collection worklist goes up;
 *  - grades (1 January and 1 July): grades with their explanations are
 *    stored and go up;
 *  - fee control is in jobs_feectl.c (hourly: each whole day charged once,
 *    then warned, noticed, cut or reconnected by balance). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "creditrun.h"
#include "glog.h"
#include "gridledger/civdate.h"
#include "gridledger/clock.h"
#include "jobs.h"

#define GRADES_PER_MESSAGE 100

gl_status jobs_credit_init(jobs_gw *g)
{
    g->cc = malloc(sizeof *g->cc);
    if (g->cc == NULL)
        return GL_ENOMEM;
    return creditcfg_from_config(g->cfg, g->cc) == 0 ? GL_OK : GL_ECONFIG;
}

void jobs_credit_free(jobs_gw *g)
{
    free(g->cc);
    g->cc = NULL;
}

int32_t jobs_civil_day(int64_t t)
{
    int y = 0, m = 0, d = 0;
    clock_civil_date(t, &y, &m, &d);
    return civdate_from_ymd(y, m, d);
}

int64_t jobs_civil_minute(int64_t t)
{
    int64_t midnight = clock_next_local_midnight(t) - 86400;
    return (int64_t)jobs_civil_day(t) * CIVDATE_MINUTES_PER_DAY + (t - midnight) / 60;
}

/* evaluate_kept: the credit run over the store's ledger as of day; the
 * ledger is handed to *kept (the caller frees it: worklist rows point into
 * it) or freed here if kept is NULL. */
static gl_status evaluate_kept(jobs_gw *g, int32_t day, int prepaid_only, creditrun_fn fn, void *ctx,
                               ledgercsv **kept)
{
    diag d;
    ledgercsv *l = NULL;
    char err[160];
    diag_init(&d);
    gl_status st = creditrun_store_ledger(g->store, g->cfg, prepaid_only, &l, &d);
    if (st != GL_OK) {
        jobs_error(g, "credit: ledger: %s %s", gl_strerror(st), d.count ? d.lines[0] : "");
        return st;
    }
    st = creditrun_all(g->cc, g->cfg, l, day, fn, ctx, err, sizeof err);
    if (st != GL_OK)
        jobs_error(g, "credit: %s", err);
    if (kept != NULL)
        *kept = l;
    else
        ledgercsv_free(l);
    return st;
}

/* jobs_evaluate: the credit run over the store's ledger as of day. */
gl_status jobs_evaluate(jobs_gw *g, int32_t day, int prepaid_only, creditrun_fn fn, void *ctx)
{
    return evaluate_kept(g, day, prepaid_only, fn, ctx, NULL);
}

typedef struct collect_ctx {
    jobs_gw *g;
    int64_t now, now_min;
} collect_ctx;

static int cut_state(jobs_gw *g, const char *customer, const char *set)
{
    char key[96], val[32];
    snprintf(key, sizeof key, "cut.%s", customer);
    if (set != NULL)
        return store_kv_set(g->store, key, set) == GL_OK;
    return store_kv_get(g->store, key, val, sizeof val) == GL_OK && val[0] != '\0';
}

static int has_relay(const jobs_gw *g, const char *customer)
{
    for (int i = 0; i < g->cfg->nmeters; i++)
        if (g->cfg->meters[i].relay && strcmp(g->cfg->meters[i].customer, customer) == 0)
            return 1;
    return 0;
}

/* cut: the disconnection itself, when due and allowed now: through the
 * meter's relay, or, without one, as a work order for a field crew (then
 * recorded like any action). Returns 1 when the action is to be recorded. */
static int cut(collect_ctx *c, const char *customer, const collect_item *it)
{
    char reason[160], why[COLLECT_REASON_MAX + 32], key[96], val[8];
    if (it->due_minute > c->now_min || !collect_cut_allowed(&c->g->cc->collect.cal, c->now_min) ||
        cut_state(c->g, customer, NULL))
        return 0;
    if (!has_relay(c->g, customer)) { /* no relay: a work order for the field crew */
        cut_state(c->g, customer, "field");
        jobs_alert(c->g, c->now, "supply_cut", customer, "work order: field crew");
        return 1;
    }
    snprintf(why, sizeof why, "arrears: %s", it->reason);
    if (jobs_relay(c->g, customer, 0, why, reason, sizeof reason) != GL_OK) {
        snprintf(key, sizeof key, "cutfail.%s", customer);
        if (store_kv_get(c->g->store, key, val, sizeof val) != GL_OK) { /* alert once, retry daily */
            store_kv_set(c->g->store, key, "1");
            jobs_alert(c->g, c->now, "cut_failed", customer, "relay");
        }
        return 0;
    }
    cut_state(c->g, customer, "1");
    jobs_alert(c->g, c->now, "supply_cut", customer, "arrears");
    return 1;
}

/* take: a due action, once per arrears episode (keyed by the oldest due
 * date, or the action's own date before anything is overdue), reported up. */
static void take(collect_ctx *c, const char *customer, const ledger_arrears *a, const collect_item *it)
{
    char episode[CIVDATE_FMT_MAX], due[CIVDATE_FMT_MAX], body[512];
    civdate_format(a->oldest_due >= 0 ? a->oldest_due : (int32_t)(it->due_minute / CIVDATE_MINUTES_PER_DAY), episode,
                   sizeof episode);
    civdate_format((int32_t)(it->due_minute / CIVDATE_MINUTES_PER_DAY), due, sizeof due);
    const char *name = collect_action_name(it->action);
    if (it->action == COLLECT_DISCONNECT && !cut(c, customer, it))
        return;
    if ((it->action == COLLECT_CONFIRM_30MIN || it->action == COLLECT_NOTICE_1H) && cut_state(c->g, customer, NULL))
        return; /* already cut: nothing to announce */
    if (store_action_put(c->g->store, customer, episode, name, it->channel, due, it->reason) != GL_OK)
        return; /* taken before in this episode */
    snprintf(body, sizeof body, "{\"kind\":\"collection\",\"subject\":\"%s\",\"detail\":\"%s via %s\",\"ts\":%lld,"
             "\"alert\":false}", customer, name, it->channel, (long long)c->now);
    jobs_publish(c->g, "events", body, c->now);
}

static int collect_one(void *ctx, const ledger_account *acct, const config_customer *cust, const credit_result *r)
{
    collect_ctx *c = ctx;
    (void)cust;
    for (int i = 0; i < r->plan.nitems; i++)
        if (!r->plan.items[i].next && r->plan.items[i].due_minute <= c->now_min)
            take(c, acct->customer, &r->arrears, &r->plan.items[i]);
    if (r->arrears.arrears_fen == 0 && !acct->prepaid && cut_state(c->g, acct->customer, NULL)) {
        char reason[128];
        if (!has_relay(c->g, acct->customer) ||
            jobs_relay(c->g, acct->customer, 1, "arrears paid", reason, sizeof reason) == GL_OK) {
            cut_state(c->g, acct->customer, "");
            jobs_alert(c->g, c->now, "supply_restored", acct->customer, "arrears paid");
        }
    }
    return 0;
}

gl_status jobs_collect(void *ctx, int64_t due, int64_t now)
{
    (void)due;
    jobs_gw *g = jobs_of(ctx);
    collect_ctx c = {g, now, jobs_civil_minute(now)};
    atomic_store(&g->money_changed, 0);
    g->last_collect = now;
    return jobs_evaluate(g, jobs_civil_day(now), 0, collect_one, &c);
}

static int add_row(void *ctx, const ledger_account *acct, const config_customer *cust, const credit_result *r)
{
    jobs_gw *g = ((collect_ctx *)ctx)->g;
    return !creditrun_worklist_add(&g->worklist, g->cc, acct, cust, r);
}

gl_status jobs_worklist(void *ctx, int64_t due, int64_t now)
{
    jobs_gw *g = jobs_of(ctx);
    collect_ctx c = {g, now, jobs_civil_minute(now)};
    char date[CIVDATE_FMT_MAX];
    ledgercsv *l = NULL;
    creditrun_worklist_free(&g->worklist);
    gl_status st = evaluate_kept(g, jobs_civil_day(due), 0, add_row, &c, &l);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = st == GL_OK ? open_memstream(&buf, &len) : NULL;
    if (f != NULL) {
        fprintf(f, "{\"date\":\"%s\",\"rows\":", creditrun_date(jobs_civil_day(due), date));
        creditrun_print_worklist_json(f, &g->worklist);
        fputc('}', f);
        fclose(f);
        st = jobs_publish(g, "worklist", buf, now);
        glog_info("worklist %s: %zu actions", date, g->worklist.n);
    }
    free(buf);
    creditrun_worklist_free(&g->worklist);
    ledgercsv_free(l);
    return st;
}

typedef struct grades_ctx {
    jobs_gw *g;
    int64_t now;
    char as_of[CIVDATE_FMT_MAX];
    FILE *msg;
    char *buf;
    size_t len;
    int inmsg;
} grades_ctx;

static void grades_flush(grades_ctx *c)
{
    if (c->msg == NULL)
        return;
    fputs("]}", c->msg);
    fclose(c->msg);
    jobs_publish(c->g, "grades", c->buf, c->now);
    free(c->buf);
    c->msg = NULL;
    c->buf = NULL;
    c->inmsg = 0;
}

static int grade_one(void *ctx, const ledger_account *acct, const config_customer *cust, const credit_result *r)
{
    grades_ctx *c = ctx;
    char *one = NULL;
    size_t n = 0;
    (void)cust;
    FILE *f = open_memstream(&one, &n);
    if (f == NULL)
        return 1;
    creditrun_print_json(f, c->g->cc, acct, r, 1);
    fclose(f);
    const char *obj = one + strspn(one, " \n");
    store_grade_put(c->g->store, acct->customer, c->as_of, (int)(r->grade.score_cp / 100),
                    c->g->cc->grade.names[r->grade.grade], obj);
    if (c->msg == NULL && (c->msg = open_memstream(&c->buf, &c->len)) != NULL)
        fprintf(c->msg, "{\"as_of\":\"%s\",\"results\":[", c->as_of);
    if (c->msg != NULL)
        fprintf(c->msg, "%s%s", c->inmsg++ ? "," : "", obj);
    free(one);
    if (c->inmsg == GRADES_PER_MESSAGE)
        grades_flush(c);
    return 0;
}

gl_status jobs_grades(void *ctx, int64_t due, int64_t now)
{
    jobs_gw *g = jobs_of(ctx);
    grades_ctx c = {.g = g, .now = now};
    creditrun_date(jobs_civil_day(due), c.as_of);
    gl_status st = store_txn_begin(g->store);
    if (st == GL_OK)
        st = store_txn_end(g->store, jobs_evaluate(g, jobs_civil_day(due), 0, grade_one, &c));
    grades_flush(&c);
    glog_info("grades as of %s: %s", c.as_of, gl_strerror(st));
    return st;
}
