/* paymode.h: switching a customer's payment mode (docs/credit.md "Moving to
 * prepayment").
 *
 * The grade's measure proposes prepayment (预购电) or load-controlled
 * purchase (负荷控制购电); the back office carries it out with a signed
 * `payment_mode` command. The switch is recorded in the store with its
 * evidence (store_paymode.h), the opening balance is credited as a top-up
 * (ref `opening/CUSTOMER/ID`), and prepaid charging (fee control) starts at
 * the beginning of the billing period in progress (or at the date of its
 * latest instalment part, which paid for the days before it), so the period's use is
 * neither lost nor billed twice. Arrears at the switch stay post-paid debt:
 * the bills keep their due dates and penalty clocks, the collection ladder
 * goes on chasing them, and a plain payment pays them (a top-up goes to the
 * prepaid balance). The stored mode overrides the config's `payment` at
 * every start and reload (paymode_apply). Moving back to post-paid is not
 * done by command. */
#ifndef GRIDLEDGER_PAYMODE_H
#define GRIDLEDGER_PAYMODE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "gridledger/ledger.h"
#include "store.h"

typedef struct paymode_req {
    const char *customer;
    const char *mode;      /* "prepaid" | "load_controlled" */
    int64_t opening_fen;   /* credited as a top-up at the switch; 0 none */
    const char *who;       /* "backoffice command seq 12" */
    const char *rule;      /* the measure behind it, e.g. "credit.measures.table.large.C" */
    const char *proof;     /* what authorised it */
} paymode_req;

/* paymode_switch: records the switch of r->customer at now (today its civil
 * day) in the caller's transaction; *id gets the record's row (may be NULL).
 * GL_ENOTFOUND unknown customer; GL_EINVAL a mode other than prepaid or
 * load_controlled; GL_EUNSUPPORTED load_controlled without the customer's
 * `load_control` price in the config; GL_EEXIST already in that mode;
 * store errors as they come. why gets one line on every failure. */
gl_status paymode_switch(store *s, const config *cfg, const paymode_req *r, int64_t now, char *why, size_t cap,
                         int64_t *id);

/* paymode_apply: the stored modes over cfg's customers (payment and
 * load_controlled); a stored row of a customer no longer configured is
 * ignored. Store errors returned. */
gl_status paymode_apply(store *s, config *cfg);

/* paymode_account_now: customer's account as of today from the store's
 * ledger (default ledger rules: principal and balances do not depend on
 * penalty rates or allocation); *run_dry (may be NULL) gets the times the
 * prepaid balance ran dry. GL_OK or the store's or the ledger's error. */
gl_status paymode_account_now(store *s, const char *customer, int32_t today, ledger_arrears *out, int *run_dry);

/* paymode_owes_postpaid: 1 if customer's ledger (as of today) still holds
 * post-paid principal (overdue or not yet due), 0 if not; -1 on a store or
 * ledger error. */
int paymode_owes_postpaid(store *s, const char *customer, int32_t today, int64_t *principal_fen);

#endif
