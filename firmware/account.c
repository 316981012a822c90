/* account.c: one customer's account at the counter (see account.h). */
#include "account.h"

#include <stdlib.h>
#include <string.h>

void account_view_free(account_view *v)
{
    if (v == NULL)
        return;
    free(v->lines);
    free(v->allocs);
    free(v->debt_entry);
    free(v->st);
    memset(v, 0, sizeof *v);
}

/* Open principal and paid penalty of every debt, before an entry. */
typedef struct snapshot {
    int64_t open_fen, penalty_paid_fen;
} snapshot;

static gl_status push_alloc(account_view *v, const account_alloc *a)
{
    if (v->nallocs == v->cap_allocs) {
        int ncap = v->cap_allocs ? v->cap_allocs * 2 : 64;
        account_alloc *na = realloc(v->allocs, sizeof *na * (size_t)ncap);
        if (na == NULL)
            return GL_ENOMEM;
        v->allocs = na;
        v->cap_allocs = ncap;
    }
    v->allocs[v->nallocs++] = *a;
    return GL_OK;
}

/* diff: what entry i changed of the debts that existed before it. */
static gl_status diff(account_view *v, int i, const snapshot *before, int ndebts)
{
    account_line *l = &v->lines[i];
    l->first = v->nallocs;
    for (int d = 0; d < ndebts; d++) {
        const ledger_debt *now = &v->st->debts[d];
        account_alloc a = {d, before[d].open_fen - now->open_fen, now->penalty_paid_fen - before[d].penalty_paid_fen};
        if (a.principal_fen == 0 && a.penalty_fen == 0)
            continue;
        gl_status s = push_alloc(v, &a);
        if (s != GL_OK)
            return s;
        l->nalloc++;
    }
    return GL_OK;
}

/* step: replays entry i and records what it did. */
static gl_status step(account_view *v, int i, snapshot *snap)
{
    ledger_state *st = v->st;
    int ndebts = st->ndebts;
    ledger_arrears a;
    for (int d = 0; d < ndebts; d++) {
        snap[d].open_fen = st->debts[d].open_fen;
        snap[d].penalty_paid_fen = st->debts[d].penalty_paid_fen;
    }
    gl_status s = ledger_step(st);
    if (s == GL_OK)
        s = diff(v, i, snap, ndebts);
    if (s == GL_OK)
        s = ledger_arrears_at(st, v->acct->entries[i].date, &a);
    if (s != GL_OK)
        return s;
    v->lines[i].debt = st->ndebts > ndebts ? st->ndebts - 1 : -1;
    if (st->ndebts > ndebts)
        v->debt_entry[st->ndebts - 1] = i;
    v->lines[i].credit_fen = st->credit_fen;
    v->lines[i].balance_fen = a.balance_fen;
    return GL_OK;
}

/* totals: the penalty still open on debts whose principal is paid. */
static gl_status totals(account_view *v)
{
    for (int d = 0; d < v->st->ndebts; d++) {
        int64_t charged = 0, open = 0;
        gl_status s = account_debt_penalty(v, d, &charged, &open);
        if (s != GL_OK)
            return s;
        if (v->st->debts[d].open_fen == 0 && open > 0) {
            v->penalty_on_paid_fen += open;
            v->paid_with_penalty++;
        }
    }
    return ledger_arrears_at(v->st, v->as_of, &v->owed);
}

gl_status account_view_build(const ledger_cfg *cfg, const ledger_account *acct, int32_t as_of, account_view *v)
{
    size_t n = (size_t)(acct->nentries > 0 ? acct->nentries : 1);
    memset(v, 0, sizeof *v);
    v->acct = acct;
    v->as_of = as_of;
    v->st = malloc(sizeof *v->st);
    v->lines = calloc(n, sizeof *v->lines);
    v->debt_entry = calloc(n, sizeof *v->debt_entry);
    snapshot *snap = calloc(n, sizeof *snap);
    gl_status s = v->st && v->lines && v->debt_entry && snap ? GL_OK : GL_ENOMEM;
    if (s == GL_OK)
        s = ledger_begin(v->st, acct, cfg);
    while (s == GL_OK && v->nlines < acct->nentries && acct->entries[v->nlines].date <= as_of) {
        s = step(v, v->nlines, snap);
        v->nlines += s == GL_OK;
    }
    if (s == GL_OK)
        s = ledger_run(v->st, as_of);
    if (s == GL_OK)
        s = totals(v);
    free(snap);
    if (s != GL_OK)
        account_view_free(v);
    return s;
}

gl_status account_debt_penalty(const account_view *v, int debt, int64_t *charged_fen, int64_t *open_fen)
{
    if (debt < 0 || debt >= v->st->ndebts)
        return GL_EINVAL;
    const ledger_debt *d = &v->st->debts[debt];
    gl_status s = ledger_debt_penalty(v->st, d, v->as_of, open_fen);
    if (s == GL_OK)
        *charged_fen = *open_fen + d->penalty_paid_fen;
    return s;
}

int64_t account_due_now(const account_view *v)
{
    int64_t due = v->owed.arrears_fen + v->owed.penalty_fen - v->owed.credit_fen;
    return due > 0 ? due : 0;
}
