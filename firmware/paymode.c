/* paymode.c: switching a customer's payment mode (see paymode.h). */
#include "paymode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "gridledger/civdate.h"
#include "clock.h"
#include "store_ledger.h"
#include "store_paymode.h"

int paymode_owes_postpaid(store *s, const char *customer, int32_t today, int64_t *principal_fen)
{
    ledger_entry *e = NULL;
    ledger_account acct;
    account_view v;
    ledger_cfg lc;
    int n = 0, owes = -1;
    memset(&acct, 0, sizeof acct);
    memset(&v, 0, sizeof v);
    *principal_fen = 0;
    if (store_ledger_entries(s, customer, &e, &n) != GL_OK)
        return -1;
    snprintf(acct.customer, sizeof acct.customer, "%s", customer);
    acct.entries = e;
    acct.nentries = n;
    ledger_cfg_default(&lc); /* principal does not depend on penalty rates or allocation */
    if (account_view_build(&lc, &acct, today, &v) == GL_OK) {
        *principal_fen = v.owed.arrears_fen + v.owed.not_due_fen;
        owes = *principal_fen > 0;
    }
    account_view_free(&v);
    free(e);
    return owes;
}

/* The first second of the billing period in progress at now. */
static int64_t period_start(const config *cfg, int64_t now)
{
    int y = 0, m = 0, d = 0;
    clock_civil_date(now, &y, &m, &d);
    if (d < cfg->billing.cycle_day && --m == 0) {
        m = 12;
        y--;
    }
    return clock_make_local(y, m - 1, cfg->billing.cycle_day, 0, 0, 0);
}

/* check: the request can be carried out for customer ci. */
static gl_status check(const config *cfg, const paymode_req *r, int *ci, char *why, size_t cap)
{
    int lc = r->mode != NULL && strcmp(r->mode, "load_controlled") == 0;
    *ci = config_find_customer(cfg, r->customer);
    if (*ci < 0) {
        snprintf(why, cap, "unknown customer %s", r->customer);
        return GL_ENOTFOUND;
    }
    const config_customer *c = &cfg->customers[*ci];
    if (!lc && (r->mode == NULL || strcmp(r->mode, "prepaid") != 0)) {
        snprintf(why, cap, "mode must be prepaid or load_controlled (back to postpaid: in the config at a cycle close)");
        return GL_EINVAL;
    }
    if (lc && c->load_price_micro <= 0) {
        snprintf(why, cap, "%s has no load_control price in the config: load-controlled purchase needs one", c->id);
        return GL_EUNSUPPORTED;
    }
    if (r->opening_fen < 0) {
        snprintf(why, cap, "opening balance below 0");
        return GL_EINVAL;
    }
    if (c->payment == CONFIG_PAY_PREPAID && c->load_controlled == lc) {
        snprintf(why, cap, "%s is already %s", c->id, r->mode);
        return GL_EEXIST;
    }
    return GL_OK;
}

gl_status paymode_switch(store *s, const config *cfg, const paymode_req *r, int64_t now, char *why, size_t cap,
                         int64_t *id)
{
    int ci = -1;
    int64_t rowid = 0, principal = 0;
    char key[96], val[32], date[CIVDATE_FMT_MAX], ref[160];
    int32_t today = civdate_from_ymd(1970, 1, 1);
    int y = 0, m = 0, d = 0;
    gl_status st = check(cfg, r, &ci, why, cap);
    if (st != GL_OK)
        return st;
    clock_civil_date(now, &y, &m, &d);
    today = civdate_from_ymd(y, m, d);
    if (paymode_owes_postpaid(s, r->customer, today, &principal) < 0) {
        snprintf(why, cap, "store: cannot read %s's ledger", r->customer);
        return GL_EDB;
    }
    store_paymode_row row;
    memset(&row, 0, sizeof row);
    snprintf(row.customer, sizeof row.customer, "%s", r->customer);
    snprintf(row.mode, sizeof row.mode, "%s", r->mode);
    row.ts = now;
    row.opening_fen = r->opening_fen;
    row.arrears_fen = principal;
    snprintf(row.who, sizeof row.who, "%s", r->who ? r->who : "");
    snprintf(row.rule, sizeof row.rule, "%s", r->rule && r->rule[0] ? r->rule : "credit.measures: billing.change");
    snprintf(row.proof, sizeof row.proof, "%s", r->proof ? r->proof : "");
    st = store_paymode_add(s, &row, &rowid);
    civdate_format(today, date, sizeof date);
    snprintf(ref, sizeof ref, "opening/%s/%lld", r->customer, (long long)rowid);
    if (st == GL_OK && r->opening_fen > 0)
        st = store_ledger_put(s, r->customer, date, "topup", r->opening_fen, ref, NULL);
    /* fee control charges from the period in progress on: the day before it is "charged" */
    snprintf(key, sizeof key, "fee.charged.%s", r->customer);
    snprintf(val, sizeof val, "%lld", (long long)(period_start(cfg, now) - 86400));
    if (st == GL_OK)
        st = store_kv_set(s, key, val);
    if (st != GL_OK)
        snprintf(why, cap, "store: %s", gl_strerror(st));
    else if (id != NULL)
        *id = rowid;
    return st;
}

static int apply_one(void *ctx, const store_paymode_row *r)
{
    config *cfg = ctx;
    int ci = config_find_customer(cfg, r->customer);
    if (ci >= 0) {
        cfg->customers[ci].payment = strcmp(r->mode, "postpaid") == 0 ? CONFIG_PAY_POSTPAID : CONFIG_PAY_PREPAID;
        cfg->customers[ci].load_controlled =
            strcmp(r->mode, "load_controlled") == 0 && cfg->customers[ci].load_price_micro > 0;
    }
    return 0;
}

gl_status paymode_apply(store *s, config *cfg)
{
    return store_paymode_each(s, apply_one, cfg);
}
