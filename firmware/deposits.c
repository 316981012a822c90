/* deposits.c: cash deposits by the back office's command (deposits.h). */
#include "deposits.h"

#include <stdio.h>
#include <string.h>

#include "gridledger/civdate.h"
#include "clock.h"
#include "gridledger/money.h"
#include "paymode.h"
#include "store_grades.h"
#include "store_ledger.h"

/* request: the deposit asked, in the collection record (a posted letter). */
static gl_status request(store *s, const deposits_req *r, int64_t now, const char *date, store_collect_row *out,
                         char *why, size_t cap)
{
    store_collect_row row;
    char amount[MONEY_FMT_MAX];
    money_format(r->amount_fen, 2, amount, sizeof amount);
    memset(&row, 0, sizeof row);
    snprintf(row.customer, sizeof row.customer, "%s", r->customer);
    snprintf(row.episode, sizeof row.episode, "deposit");
    snprintf(row.action, sizeof row.action, "deposit_request");
    snprintf(row.channel, sizeof row.channel, "letter");
    snprintf(row.status, sizeof row.status, "served");
    snprintf(row.proof, sizeof row.proof, "posted %s; %s; %s", date, r->who ? r->who : "", r->proof ? r->proof : "");
    snprintf(row.reason, sizeof row.reason, "deposit of %s requested (%s)", amount, r->rule && r->rule[0] ? r->rule
                                                                                                 : "credit.measures");
    row.planned_ts = row.taken_ts = row.served_ts = now;
    row.deadline_ts = -1;
    row.principal_fen = r->amount_fen;
    gl_status st = store_collect_add(s, &row, &row.id);
    if (st == GL_OK && out != NULL)
        *out = row;
    snprintf(why, cap, "%s: deposit of %s requested", r->customer, amount);
    return st;
}

/* release: all the cash deposit held returned, when the refund rule holds. */
static gl_status release(store *s, const deposits_req *r, int32_t today, const char *date, char *why, size_t cap)
{
    ledger_arrears a;
    char change[16], amount[MONEY_FMT_MAX];
    gl_status st = paymode_account_now(s, r->customer, today, &a, NULL);
    if (st == GL_OK)
        st = store_grade_deposit_change(s, r->customer, change, sizeof change);
    if (st != GL_OK)
        return st;
    if (a.deposit_fen <= 0) {
        snprintf(why, cap, "%s holds no cash deposit: nothing to release", r->customer);
        return GL_ESTATE;
    }
    if (strcmp(change, "release") != 0) {
        snprintf(why, cap, "%s: the refund rule does not hold (latest grade's deposit measure: %s)", r->customer,
                 change[0] ? change : "none");
        return GL_ESTATE;
    }
    money_format(a.deposit_fen, 2, amount, sizeof amount);
    snprintf(why, cap, "%s: deposit of %s released", r->customer, amount);
    return store_ledger_put(s, r->customer, date, "refund", a.deposit_fen, r->ref, NULL);
}

/* check: the request's customer, op, amount and ref. */
static gl_status check(const config *cfg, const deposits_req *r, char *why, size_t cap)
{
    int req = r->op && strcmp(r->op, "request") == 0, rec = r->op && strcmp(r->op, "record") == 0,
        rel = r->op && strcmp(r->op, "release") == 0;
    if (config_find_customer(cfg, r->customer) < 0) {
        snprintf(why, cap, "unknown customer %s", r->customer);
        return GL_ENOTFOUND;
    }
    if (!req && !rec && !rel) {
        snprintf(why, cap, "op must be request, record or release");
        return GL_EINVAL;
    }
    if ((req || rec) != (r->amount_fen > 0)) {
        snprintf(why, cap, "%s", rel ? "release returns all that is held: no amount" : "amount must be above 0");
        return GL_EINVAL;
    }
    if (!req && (r->ref == NULL || r->ref[0] == '\0')) {
        snprintf(why, cap, "%s needs the ref of its receipt or transfer", r->op);
        return GL_EINVAL;
    }
    return GL_OK;
}

gl_status deposits_apply(store *s, const config *cfg, const deposits_req *r, int64_t now, store_collect_row *row,
                         char *why, size_t cap)
{
    char date[CIVDATE_FMT_MAX], amount[MONEY_FMT_MAX];
    gl_status st = check(cfg, r, why, cap);
    if (st != GL_OK)
        return st;
    int32_t today = clock_civil_day(now);
    civdate_format(today, date, sizeof date);
    if (strcmp(r->op, "request") == 0)
        return request(s, r, now, date, row, why, cap);
    if (strcmp(r->op, "release") == 0)
        st = release(s, r, today, date, why, cap);
    else {
        money_format(r->amount_fen, 2, amount, sizeof amount);
        snprintf(why, cap, "%s: deposit of %s recorded", r->customer, amount);
        st = store_ledger_put(s, r->customer, date, "deposit", r->amount_fen, r->ref, NULL);
    }
    if (st == GL_EEXIST)
        snprintf(why, cap, "ref %s is recorded already: nothing changed", r->ref);
    return st;
}
