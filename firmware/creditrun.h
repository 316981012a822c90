/* creditrun.h: the credit run over a ledger: every account evaluated
 * (core/credit.h) as of a date, printed as the CONTRACT.md credit result
 * (JSON), a CSV summary, or gathered into the collection worklist. Shared by
 * `credit-calc` (a ledger file), `grades` / `worklist` and the daemon (the
 * store's ledger entries read straight into the same core structs, checked
 * by the same rules, so the gateway and credit-calc give the same answer for
 * the same ledger). */
#ifndef GRIDLEDGER_CREDITRUN_H
#define GRIDLEDGER_CREDITRUN_H

#include <stdio.h>

#include "config.h"
#include "gridledger/credit.h"
#include "gridledger/diag.h"
#include "gridledger/ledgercsv.h"
#include "store.h"

/* One worklist row: an action due now for one account. */
typedef struct creditrun_row {
    const ledger_account *acct;
    const config_customer *cust; /* from the config, or NULL */
    char grade[GRADE_NAME_MAX];
    ledger_arrears a;
    collect_item item;
} creditrun_row;

typedef struct creditrun_worklist {
    creditrun_row *rows;
    size_t n, cap;
} creditrun_worklist;

/* Called for every account evaluated; return nonzero to stop. */
typedef int (*creditrun_fn)(void *ctx, const ledger_account *acct, const config_customer *cust,
                            const credit_result *r);

/* creditrun_all: evaluates every account of l as of the civil day as_of
 * (cfg may be NULL: no names, grids or important flags; s may be NULL: no
 * non-cash deposits, else those in force on as_of count, store_deposit.h).
 * err gets the customer and problem on failure. */
gl_status creditrun_all(const creditcfg *cc, const config *cfg, store *s, const ledgercsv *l, int32_t as_of,
                        creditrun_fn fn, void *ctx, char *err, size_t cap);

/* The forms: JSON object per account (first: no leading comma), the CSV
 * summary (header by creditrun_print_csv_header), the worklist (CONTRACT.md
 * worklist CSV, sorted by priority, deadline, customer, action). */
void creditrun_print_json(FILE *f, const creditcfg *cc, const ledger_account *acct, const credit_result *r,
                          int first);
void creditrun_print_csv_header(FILE *f);
void creditrun_print_csv(FILE *f, const creditcfg *cc, const ledger_account *acct, const credit_result *r);
int creditrun_worklist_add(creditrun_worklist *w, const creditcfg *cc, const ledger_account *acct,
                           const config_customer *cust, const credit_result *r);
void creditrun_print_worklist(FILE *f, creditrun_worklist *w);
void creditrun_worklist_free(creditrun_worklist *w);

/* creditrun_print_worklist_json: the same rows as a JSON array (uplink). */
void creditrun_print_worklist_json(FILE *f, creditrun_worklist *w);

/* creditrun_store_ledger: the store's ledger as core ledger accounts
 * (customer class from the config; prepaid_only: only prepaid customers'),
 * in the order ledgercsv_parse gives (customer, date, recorded order);
 * freed with ledgercsv_free. An entry ledgercsv_entry_problem refuses is
 * GL_ECORRUPT with a line in d; GL_EBOUND past LEDGER_MAX_ENTRIES for one
 * customer; every database error returned. */
gl_status creditrun_store_ledger(store *s, const config *cfg, int prepaid_only, ledgercsv **out, diag *d);

/* Helpers for other listings: fen and civil day as text. */
const char *creditrun_fen(int64_t v, char *buf);
const char *creditrun_date(int32_t d, char *buf);

#endif
