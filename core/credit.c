/* credit.c: grade, arrears, plan and deposit of one customer (see credit.h). */
#include "gridledger/credit.h"

#include <string.h>

/* The date of the first deposit row when a deposit is still held. */
static int32_t deposit_since(const ledger_account *acct, const ledger_state *st, int32_t as_of)
{
    if (st->deposit_fen <= 0)
        return -1;
    for (int i = 0; i < acct->nentries && acct->entries[i].date <= as_of; i++)
        if (acct->entries[i].kind == LEDGER_DEPOSIT)
            return acct->entries[i].date;
    return -1;
}

gl_status credit_eval(const creditcfg *cfg, const ledger_account *acct, int important, int32_t as_of,
                      ledger_state *st, credit_result *out)
{
    if (cfg == NULL || acct == NULL || st == NULL || out == NULL)
        return GL_EINVAL;
    memset(out, 0, sizeof *out);
    gl_status s = grade_account(acct, &cfg->ledger, &cfg->grade, as_of, st, &out->grade);
    if (s == GL_OK)
        s = ledger_arrears_at(st, as_of, &out->arrears);
    if (s != GL_OK)
        return s;
    collect_customer cust = {acct->klass, important, out->grade.grade};
    s = collect_plan_for(&cfg->collect, &cust, &out->arrears, as_of, &out->plan);
    if (s != GL_OK)
        return s;
    out->deposit_required_fen =
        collect_deposit_required(&cfg->collect, acct->klass, out->grade.grade, out->grade.m.avg_bill_fen);
    out->deposit_since = deposit_since(acct, st, as_of);
    out->deposit_refundable =
        collect_deposit_refundable(&cfg->collect, out->deposit_since, out->grade.m.late_36m, as_of);
    return credit_measures(cfg, acct, 0, out);
}

gl_status credit_measures(const creditcfg *cfg, const ledger_account *acct, int64_t capacity_kva_milli,
                          credit_result *out)
{
    measures_input in = {acct->klass,
                         acct->prepaid,
                         capacity_kva_milli,
                         out->grade.grade,
                         out->grade.m.overdue_bills,
                         out->deposit_required_fen,
                         out->arrears.deposit_fen,
                         out->deposit_refundable,
                         out->deposit_noncash_fen};
    return measures_eval(&cfg->measures, &in, &out->measures);
}
