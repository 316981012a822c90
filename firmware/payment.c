/* payment.c: the rules for money taken at the counter or sent down (see
 * payment.h). */
#include "payment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "paymode.h"
#include "gridledger/civdate.h"
#include "gridledger/money.h"
#include "store_ledger.h"

/* same_ref: the ref was used before; GL_EEXIST for the same money (the
 * repeat), GL_ESTATE for other money, GL_OK if unused. */
static gl_status same_ref(store *s, const payment_req *r, payment_result *out)
{
    store_payment p;
    char was[MONEY_FMT_MAX], now[MONEY_FMT_MAX];
    gl_status st = store_payment_find(s, r->ref, &p);
    if (st == GL_ENOTFOUND)
        return GL_OK;
    if (st != GL_OK)
        return st;
    money_format(p.amount_fen, MONEY_SCALE_FEN, was, sizeof was);
    money_format(r->amount_fen, MONEY_SCALE_FEN, now, sizeof now);
    if (strcmp(p.customer, r->customer) == 0 && p.amount_fen == r->amount_fen) {
        snprintf(out->why, sizeof out->why, "%s ref %s was already recorded: nothing changed (%s %s on %s)", p.kind,
                 r->ref, p.customer, was, p.date);
        out->kind = strcmp(p.kind, "topup") == 0 ? "topup" : "payment";
        return GL_EEXIST;
    }
    snprintf(out->why, sizeof out->why, "ref %s is already used by the %s of %s %s on %s: refused (%s %s is other money;"
             " give it its own ref)", r->ref, p.kind, p.customer, was, p.date, r->customer, now);
    return GL_ESTATE;
}

/* date_ok: not after today, not before the account's first entry. */
static gl_status date_ok(store *s, const payment_req *r, int32_t today, payment_result *out)
{
    int32_t d = 0;
    ledger_entry *e = NULL;
    int n = 0;
    char first[CIVDATE_FMT_MAX], td[CIVDATE_FMT_MAX];
    if (civdate_parse(r->date, strlen(r->date), &d) != GL_OK) {
        snprintf(out->why, sizeof out->why, "date %s: want YYYY-MM-DD", r->date);
        return GL_ESYNTAX;
    }
    civdate_format(today, td, sizeof td);
    if (d > today) {
        snprintf(out->why, sizeof out->why, "date %s is after today (%s): refused", r->date, td);
        return GL_ERANGE;
    }
    gl_status st = store_ledger_entries(s, r->customer, &e, &n);
    if (st == GL_OK && n > 0 && d < e[0].date) {
        civdate_format(e[0].date, first, sizeof first);
        snprintf(out->why, sizeof out->why, "date %s is before %s's first entry (%s on %s): refused", r->date,
                 r->customer, ledger_kind_name(e[0].kind), first);
        st = GL_ERANGE;
    }
    free(e);
    return st;
}

/* end_alerts: what a top-up ends for its customer (alerts.h), told up. */
static gl_status end_alerts(store *s, const config *cfg, const char *customer, int64_t now)
{
    gl_status st = GL_OK;
    for (const char *const *k = alerts_ended_by("topup"); st == GL_OK && *k != NULL; k++) {
        int64_t n = 0;
        st = store_alert_end(s, now, *k, customer, &n);
        if (st != GL_OK || n == 0 || !cfg->uplink.enabled)
            continue;
        char *body = alerts_body(*k, customer, "topup", now, 0);
        st = body ? store_outbox_put(s, "alerts", body, now, NULL) : GL_ENOMEM;
        free(body);
    }
    return st;
}

gl_status payment_take(store *s, const config *cfg, const payment_req *r, int32_t today, int64_t now,
                       payment_result *out)
{
    memset(out, 0, sizeof *out);
    out->kind = r->topup ? "topup" : "payment";
    int ci = config_find_customer(cfg, r->customer);
    if (ci < 0) {
        snprintf(out->why, sizeof out->why, "unknown customer %s", r->customer);
        return GL_ENOTFOUND;
    }
    int prepaid = cfg->customers[ci].payment == CONFIG_PAY_PREPAID;
    if (r->topup && !prepaid) {
        snprintf(out->why, sizeof out->why, "%s is a postpaid account: a top-up is for prepaid accounts (take it as a "
                 "payment, without --topup)", r->customer);
        return GL_ESTATE;
    }
    if (r->ref == NULL || r->ref[0] == '\0' || r->amount_fen <= 0) {
        snprintf(out->why, sizeof out->why, "a payment needs a ref and an amount above 0");
        return GL_EINVAL;
    }
    gl_status st = same_ref(s, r, out);
    if (st == GL_OK)
        st = date_ok(s, r, today, out);
    if (st != GL_OK)
        return st;
    int64_t owed = 0;
    if (prepaid && !r->topup && paymode_owes_postpaid(s, r->customer, today, &owed) > 0)
        prepaid = 0; /* switched with arrears: a plain payment pays the post-paid debt first (paymode.h) */
    out->as_prepaid = prepaid && !r->topup;
    out->kind = prepaid ? "topup" : "payment";
    st = store_ledger_put(s, r->customer, r->date, out->kind, r->amount_fen, r->ref, NULL);
    if (st == GL_OK && prepaid)
        st = end_alerts(s, cfg, r->customer, now);
    if (st != GL_OK)
        snprintf(out->why, sizeof out->why, "store: %s", gl_strerror(st));
    return st;
}
