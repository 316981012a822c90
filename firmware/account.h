/* account.h: one customer's account as a clerk at the counter explains it.
 *
 * The entries are replayed one at a time with the core ledger
 * (core/ledger.c, ledger_step), so the view holds, besides the ledger's own
 * state, what each entry changed: the debt a bill created, what a payment
 * paid of each debt (principal and penalty), the credit and the balance
 * after it. Nothing is computed twice: penalties, allocation and arrears are
 * the ledger's. The view allocates (once, for the CLI); account_view_free
 * releases it. */
#ifndef GRIDLEDGER_ACCOUNT_H
#define GRIDLEDGER_ACCOUNT_H

#include <stdint.h>

#include "gridledger/ledger.h"

/* What one entry paid of one debt. */
typedef struct account_alloc {
    int debt;              /* index into the ledger state's debts */
    int64_t principal_fen; /* principal paid */
    int64_t penalty_fen;   /* penalty paid (or waived, for a waiver) */
} account_alloc;

/* One entry replayed. */
typedef struct account_line {
    int debt;            /* the debt this entry created; -1 if none */
    int first, nalloc;   /* its allocations: v->allocs[first .. first + nalloc) */
    int64_t credit_fen;  /* credit left after it */
    int64_t balance_fen; /* balance after it, penalties counted to its day */
} account_line;

typedef struct account_view {
    const ledger_account *acct;
    int32_t as_of;
    int nlines;               /* entries dated up to as_of (the first nlines of acct) */
    account_line *lines;
    account_alloc *allocs;
    int nallocs, cap_allocs;
    int *debt_entry;          /* per debt: the entry that created it */
    ledger_state *st;         /* replayed up to as_of */
    ledger_arrears owed;      /* as of as_of */
    int64_t penalty_on_paid_fen; /* open penalty of debts whose principal is paid */
    int paid_with_penalty;       /* how many such debts */
} account_view;

/* account_view_build: replays acct (date order) up to as_of into v.
 * GL_ENOMEM, or the ledger's status (GL_EBOUND, GL_ERANGE, GL_EINVAL). */
gl_status account_view_build(const ledger_cfg *cfg, const ledger_account *acct, int32_t as_of, account_view *v);

/* account_view_free: releases v's memory; a zeroed view is a no-op. */
void account_view_free(account_view *v);

/* account_debt_penalty: debt's penalty as of the view's date: charged
 * (paid, waived and open together) and still open. */
gl_status account_debt_penalty(const account_view *v, int debt, int64_t *charged_fen, int64_t *open_fen);

/* account_due_now: what is due today: overdue principal and open penalty
 * less credit, never below 0 (principal not yet due is owed, not due). */
int64_t account_due_now(const account_view *v);

#endif
