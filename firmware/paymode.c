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

gl_status paymode_account_now(store *s, const char *customer, int32_t today, ledger_arrears *out, int *run_dry)
{
    ledger_entry *e = NULL;
    ledger_account acct;
    account_view v;
    ledger_cfg lc;
    int n = 0;
    memset(&acct, 0, sizeof acct);
    memset(&v, 0, sizeof v);
    memset(out, 0, sizeof *out);
    gl_status st = store_ledger_entries(s, customer, &e, &n);
    if (st != GL_OK)
        return st;
    snprintf(acct.customer, sizeof acct.customer, "%s", customer);
    acct.entries = e;
    acct.nentries = n;
    ledger_cfg_default(&lc); /* principal and balances do not depend on penalty rates or allocation */
    st = account_view_build(&lc, &acct, today, &v);
    if (st == GL_OK)
        *out = v.owed;
    if (st == GL_OK && run_dry != NULL)
        *run_dry = v.st->nrun_dry;
    account_view_free(&v);
    free(e);
    return st;
}

int paymode_owes_postpaid(store *s, const char *customer, int32_t today, int64_t *principal_fen)
{
    ledger_arrears a;
    *principal_fen = 0;
    if (paymode_account_now(s, customer, today, &a, NULL) != GL_OK)
        return -1;
    *principal_fen = a.arrears_fen + a.not_due_fen;
    return *principal_fen > 0;
}

/* charge_from: the first second prepaid charging covers at the switch of
 * customer at now: the start of the billing period in progress, or, when
 * instalment parts of that period were issued (ref CUST/PERIOD#DD, each the
 * use before its date), the start of the latest part's date, so that no
 * day is billed twice. */
static gl_status charge_from(store *s, const config *cfg, const char *customer, int64_t now, int64_t *from)
{
    int y = 0, m = 0, d = 0;
    int64_t part_day = -1;
    char prefix[CONFIG_ID_MAX + 16];
    clock_civil_date(now, &y, &m, &d);
    if (d < cfg->billing.cycle_day && --m == 0) {
        m = 12;
        y--;
    }
    *from = clock_make_local(y, m - 1, cfg->billing.cycle_day, 0, 0, 0);
    snprintf(prefix, sizeof prefix, "%s/%04d-%02d#", customer, y, m);
    gl_status st = store_ledger_last_part(s, customer, prefix, &part_day);
    if (st == GL_OK && part_day >= 0) {
        civdate_to_ymd((int32_t)part_day, &y, &m, &d);
        int64_t t = clock_make_local(y, m - 1, d, 0, 0, 0);
        *from = t > *from ? t : *from;
    }
    return st;
}

/* check_postpaid: back to post-paid: from a prepaid mode, without an
 * opening balance (what is left of the prepaid balance is carried). */
static gl_status check_postpaid(const config_customer *c, const paymode_req *r, char *why, size_t cap)
{
    if (c->payment == CONFIG_PAY_POSTPAID) {
        snprintf(why, cap, "%s is already postpaid", c->id);
        return GL_EEXIST;
    }
    if (r->opening_fen != 0) {
        snprintf(why, cap, "no opening balance back to postpaid: the prepaid balance is carried to the ledger");
        return GL_EINVAL;
    }
    return GL_OK;
}

/* carry: what is left of the prepaid balance at a switch back to post-paid,
 * moved exactly to the post-paid side under ref carry/CUSTOMER/ID: a
 * balance above zero becomes a credit (usage of the balance, a negative
 * adjustment of it), an overdrawn one a debt due at once (a top-up of what
 * was overdrawn, an adjustment of it). */
static gl_status carry(store *s, const char *customer, const char *date, int64_t balance, int64_t rowid)
{
    char ref[LEDGER_REF_MAX + 32];
    snprintf(ref, sizeof ref, "%s%s/%lld", LEDGER_CARRY_PREFIX, customer, (long long)rowid);
    if (balance == 0)
        return GL_OK;
    gl_status st = balance > 0 ? store_ledger_put(s, customer, date, "usage", balance, ref, NULL)
                               : store_ledger_put(s, customer, date, "topup", -balance, ref, NULL);
    if (st == GL_OK)
        st = store_ledger_put(s, customer, date, "adjustment", -balance, ref, NULL);
    return st;
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
    if (r->mode != NULL && strcmp(r->mode, "postpaid") == 0)
        return check_postpaid(c, r, why, cap);
    if (!lc && (r->mode == NULL || strcmp(r->mode, "prepaid") != 0)) {
        snprintf(why, cap, "mode must be prepaid, load_controlled or postpaid");
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

/* record: the switch's row with its evidence; opening_fen the opening
 * balance (prepaid modes) or the balance carried (back to post-paid). */
static gl_status record(store *s, const paymode_req *r, int64_t now, int64_t opening_fen, int64_t principal_fen,
                        int64_t *rowid)
{
    store_paymode_row row;
    memset(&row, 0, sizeof row);
    snprintf(row.customer, sizeof row.customer, "%s", r->customer);
    snprintf(row.mode, sizeof row.mode, "%s", r->mode);
    row.ts = now;
    row.opening_fen = opening_fen;
    row.arrears_fen = principal_fen;
    snprintf(row.who, sizeof row.who, "%s", r->who ? r->who : "");
    snprintf(row.rule, sizeof row.rule, "%s", r->rule && r->rule[0] ? r->rule : "credit.measures: billing.change");
    snprintf(row.proof, sizeof row.proof, "%s", r->proof ? r->proof : "");
    return store_paymode_add(s, &row, rowid);
}

/* start_prepaid: the opening balance as a top-up, and fee control's
 * charging from charge_from on (the day before it is "charged"). */
static gl_status start_prepaid(store *s, const config *cfg, const paymode_req *r, int64_t now, const char *date,
                               int64_t rowid)
{
    char key[96], val[32], ref[160];
    int64_t from = 0;
    gl_status st = GL_OK;
    snprintf(ref, sizeof ref, "opening/%s/%lld", r->customer, (long long)rowid);
    if (r->opening_fen > 0)
        st = store_ledger_put(s, r->customer, date, "topup", r->opening_fen, ref, NULL);
    if (st == GL_OK)
        st = charge_from(s, cfg, r->customer, now, &from);
    snprintf(key, sizeof key, "fee.charged.%s", r->customer);
    snprintf(val, sizeof val, "%lld", (long long)(from - 86400));
    return st == GL_OK ? store_kv_set(s, key, val) : st;
}

gl_status paymode_switch(store *s, const config *cfg, const paymode_req *r, int64_t now, char *why, size_t cap,
                         int64_t *id)
{
    int ci = -1;
    int64_t rowid = 0;
    char date[CIVDATE_FMT_MAX];
    ledger_arrears a;
    gl_status st = check(cfg, r, &ci, why, cap);
    if (st != GL_OK)
        return st;
    int32_t today = clock_civil_day(now);
    if (paymode_account_now(s, r->customer, today, &a, NULL) != GL_OK) {
        snprintf(why, cap, "store: cannot read %s's ledger", r->customer);
        return GL_EDB;
    }
    int post = strcmp(r->mode, "postpaid") == 0;
    civdate_format(today, date, sizeof date);
    st = record(s, r, now, post ? a.prepaid_balance_fen : r->opening_fen, a.arrears_fen + a.not_due_fen, &rowid);
    if (st == GL_OK)
        st = post ? carry(s, r->customer, date, a.prepaid_balance_fen, rowid)
                  : start_prepaid(s, cfg, r, now, date, rowid);
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
