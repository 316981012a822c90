/* credit.h: one customer's credit result on a date: arrears, penalty, grade,
 * collection plan, deposit. The composition `credit-calc`, the daemon's
 * monthly run and the benchmark share. Pure. */
#ifndef GRIDLEDGER_CREDIT_H
#define GRIDLEDGER_CREDIT_H

#include "gridledger/collect.h"
#include "gridledger/creditcfg.h"
#include "gridledger/grade.h"
#include "gridledger/ledger.h"

typedef struct credit_result {
    ledger_arrears arrears;
    grade_result grade;
    collect_plan plan;
    int64_t deposit_required_fen; /* by class and grade, months of the average bill */
    int32_t deposit_since;        /* first deposit still held; -1 if none */
    int deposit_refundable;
    int64_t deposit_noncash_fen;  /* non-cash deposits in force (the caller's, from its store); 0 none */
    measures_result measures;     /* what the grade changes (creditrun fills the capacity in) */
} credit_result;

/* credit_eval: the result for acct on as_of with cfg; st is caller-owned
 * scratch (large: keep one per thread). important: the customer's notices
 * also go to the authority. */
gl_status credit_eval(const creditcfg *cfg, const ledger_account *acct, int important, int32_t as_of,
                      ledger_state *st, credit_result *out);

/* credit_measures: (re)sets out->measures for a customer of contracted
 * capacity capacity_kva_milli (0: unknown; credit_eval uses 0, so large
 * customers need the caller's capacity from the config). */
gl_status credit_measures(const creditcfg *cfg, const ledger_account *acct, int64_t capacity_kva_milli,
                          credit_result *out);

#endif
