/* ledger.c: replay of a customer's ledger into debts, credit and arrears
 * (see ledger.h for the rules). */
#include "gridledger/ledger.h"

#include <stddef.h>
#include <string.h>

static const char *const kind_names[LEDGER_KIND_COUNT] = {
    "bill", "payment", "adjustment", "deposit", "refund", "penalty",
    "theft", "illegal_use", "bounced", "topup", "usage",
};

static const char *const class_names[LEDGER_CLASS_COUNT] = {
    "residential", "commercial", "industrial", "agricultural", "other",
};

static int name_index(const char *const *names, int n, const char *s, size_t len)
{
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
            return i;
    return -1;
}

int ledger_kind_parse(const char *s, size_t len)
{
    return s ? name_index(kind_names, LEDGER_KIND_COUNT, s, len) : -1;
}

const char *ledger_kind_name(ledger_kind k)
{
    return (unsigned)k < LEDGER_KIND_COUNT ? kind_names[k] : "?";
}

int ledger_class_parse(const char *s, size_t len)
{
    return s ? name_index(class_names, LEDGER_CLASS_COUNT, s, len) : -1;
}

const char *ledger_class_name(ledger_class c)
{
    return (unsigned)c < LEDGER_CLASS_COUNT ? class_names[c] : "?";
}

void ledger_cfg_default(ledger_cfg *cfg)
{
    cfg->alloc = LEDGER_ALLOC_PRINCIPAL_FIRST;
    cfg->due_days = 15;
    for (int c = 0; c < LEDGER_CLASS_COUNT; c++)
        penalty_rule_default(c == LEDGER_CLASS_RESIDENTIAL, &cfg->penalty[c]);
}

static int bit_get(const unsigned char *bits, int i)
{
    return (bits[i >> 3] >> (i & 7)) & 1;
}

static void bit_set(unsigned char *bits, int i)
{
    bits[i >> 3] = (unsigned char)(bits[i >> 3] | (1u << (i & 7)));
}

static const penalty_rule *rule_of(const ledger_state *st)
{
    ledger_class c = st->acct->klass;
    return &st->cfg->penalty[(unsigned)c < LEDGER_CLASS_COUNT ? c : LEDGER_CLASS_OTHER];
}

/* A bounced entry cancels the latest payment with its ref made on or before it. */
static void match_bounces(ledger_state *st)
{
    const ledger_entry *e = st->acct->entries;
    for (int i = 0; i < st->acct->nentries; i++) {
        if (e[i].kind != LEDGER_BOUNCED)
            continue;
        for (int j = i - 1; j >= 0; j--) {
            if (e[j].kind == LEDGER_PAYMENT && !bit_get(st->cancelled, j) && strcmp(e[j].ref, e[i].ref) == 0) {
                bit_set(st->cancelled, j);
                bit_set(st->cancelled, i); /* on a bounced entry: matched */
                break;
            }
        }
    }
}

gl_status ledger_begin(ledger_state *st, const ledger_account *acct, const ledger_cfg *cfg)
{
    if (st == NULL || acct == NULL || cfg == NULL || acct->nentries < 0 || (acct->nentries && !acct->entries))
        return GL_EINVAL;
    if (acct->nentries > LEDGER_MAX_ENTRIES)
        return GL_EBOUND;
    for (int i = 1; i < acct->nentries; i++)
        if (acct->entries[i].date < acct->entries[i - 1].date)
            return GL_EINVAL;
    /* Only the header is reset: debts[] past ndebts is never read. */
    memset(st, 0, offsetof(ledger_state, cancelled));
    memset(st->cancelled, 0, (size_t)(acct->nentries + 7) / 8);
    st->acct = acct;
    st->cfg = cfg;
    st->date = acct->nentries ? acct->entries[0].date - 1 : 0;
    match_bounces(st);
    return GL_OK;
}

static void push_event(int32_t *dates, int *n, int32_t date)
{
    if (*n < LEDGER_MAX_EVENTS) {
        dates[(*n)++] = date;
    } else {
        memmove(dates, dates + 1, sizeof *dates * (LEDGER_MAX_EVENTS - 1));
        dates[LEDGER_MAX_EVENTS - 1] = date;
        (*n)++;
    }
}

/* Pays the new debt d from credit at once. */
static void use_credit(ledger_state *st, ledger_debt *d, int32_t date)
{
    int64_t take = st->credit_fen < d->open_fen ? st->credit_fen : d->open_fen;
    if (take > 0) {
        st->credit_fen -= take;
        d->open_fen -= take;
    }
    if (d->open_fen == 0 && d->settled < 0)
        d->settled = date;
}

static gl_status add_debt(ledger_state *st, ledger_kind kind, int32_t date, int32_t due, int64_t amount_fen)
{
    if (st->ndebts >= LEDGER_MAX_DEBTS)
        return GL_EBOUND;
    ledger_debt *d = &st->debts[st->ndebts++];
    d->date = date;
    d->due = due;
    d->kind = kind;
    d->principal_fen = amount_fen;
    d->open_fen = amount_fen;
    d->accrued_micro = 0;
    d->accrued_to = due;
    d->penalty_paid_fen = 0;
    d->settled = -1;
    use_credit(st, d, date);
    return GL_OK;
}

/* Accrues every open bill's penalty up to date. */
static gl_status accrue_all(ledger_state *st, int32_t date)
{
    const penalty_rule *r = rule_of(st);
    for (int i = st->first_open; i < st->ndebts; i++) {
        ledger_debt *d = &st->debts[i];
        if (d->kind != LEDGER_BILL || d->open_fen <= 0 || d->accrued_to >= date)
            continue;
        gl_status s = penalty_accrue(r, d->open_fen, d->date, d->due, d->accrued_to, date, &d->accrued_micro);
        if (s != GL_OK)
            return s;
        d->accrued_to = date;
    }
    return GL_OK;
}

gl_status ledger_debt_penalty(const ledger_state *st, const ledger_debt *d, int32_t date, int64_t *open_fen)
{
    int64_t micro = d->accrued_micro, fen = 0;
    const penalty_rule *r = rule_of(st);
    gl_status s = GL_OK;
    if (d->kind == LEDGER_BILL && d->open_fen > 0 && date > d->accrued_to)
        s = penalty_accrue(r, d->open_fen, d->date, d->due, d->accrued_to, date, &micro);
    if (s == GL_OK)
        s = penalty_settle(r, micro, &fen);
    if (s == GL_OK)
        *open_fen = fen > d->penalty_paid_fen ? fen - d->penalty_paid_fen : 0;
    return s;
}

static int64_t pay_principal(ledger_debt *d, int64_t money, int32_t date)
{
    int64_t take = money < d->open_fen ? money : d->open_fen;
    if (take <= 0)
        return 0;
    d->open_fen -= take;
    if (d->open_fen == 0)
        d->settled = date;
    return take;
}

static gl_status pay_penalty(const ledger_state *st, ledger_debt *d, int64_t money, int32_t date, int64_t *took)
{
    int64_t open = 0;
    *took = 0;
    gl_status s = ledger_debt_penalty(st, d, date, &open);
    if (s != GL_OK)
        return s;
    *took = money < open ? money : open;
    d->penalty_paid_fen += *took;
    return GL_OK;
}

static void advance_first_open(ledger_state *st, int32_t date)
{
    while (st->first_open < st->ndebts) {
        ledger_debt *d = &st->debts[st->first_open];
        int64_t pen = 0;
        if (d->open_fen > 0 || ledger_debt_penalty(st, d, date, &pen) != GL_OK || pen > 0)
            break;
        st->first_open++;
    }
}

/* Applies money (a payment or a credit) to the oldest debts; the rest becomes credit. */
static gl_status pay(ledger_state *st, int32_t date, int64_t money)
{
    gl_status s = accrue_all(st, date);
    int64_t took;
    for (int i = st->first_open; s == GL_OK && i < st->ndebts && money > 0; i++) {
        ledger_debt *d = &st->debts[i];
        if (st->cfg->alloc == LEDGER_ALLOC_PENALTY_FIRST) {
            s = pay_penalty(st, d, money, date, &took);
            money -= took;
        }
        money -= pay_principal(d, money, date);
    }
    if (st->cfg->alloc == LEDGER_ALLOC_PRINCIPAL_FIRST) {
        for (int i = st->first_open; s == GL_OK && i < st->ndebts && money > 0; i++) {
            s = pay_penalty(st, &st->debts[i], money, date, &took);
            money -= took;
        }
    }
    if (s != GL_OK)
        return s;
    st->credit_fen += money;
    advance_first_open(st, date);
    return GL_OK;
}

/* A waiver: cancels penalties oldest first (charged penalty debts and accrued ones); never becomes credit. */
static gl_status waive(ledger_state *st, int32_t date, int64_t amount)
{
    gl_status s = accrue_all(st, date);
    int64_t took;
    for (int i = st->first_open; s == GL_OK && i < st->ndebts && amount > 0; i++) {
        ledger_debt *d = &st->debts[i];
        if (d->kind == LEDGER_PENALTY) {
            amount -= pay_principal(d, amount, date);
        } else {
            s = pay_penalty(st, d, amount, date, &took);
            amount -= took;
        }
    }
    if (s == GL_OK)
        advance_first_open(st, date);
    return s;
}

static gl_status refund(ledger_state *st, int32_t date, int64_t amount)
{
    int64_t take = amount < st->deposit_fen ? amount : st->deposit_fen;
    st->deposit_fen -= take;
    amount -= take;
    take = amount < st->credit_fen ? amount : st->credit_fen;
    st->credit_fen -= take;
    amount -= take;
    return amount > 0 ? add_debt(st, LEDGER_REFUND, date, date, amount) : GL_OK;
}

static gl_status apply(ledger_state *st, int idx)
{
    const ledger_entry *e = &st->acct->entries[idx];
    int64_t a = e->amount_fen;
    if (a > LEDGER_MAX_AMOUNT_FEN || a < -LEDGER_MAX_AMOUNT_FEN)
        return GL_ERANGE;
    switch (e->kind) {
    case LEDGER_BILL:
        if (a < 0)
            return pay(st, e->date, -a);
        return add_debt(st, LEDGER_BILL, e->date, e->due ? e->due : e->date + st->cfg->due_days, a);
    case LEDGER_PAYMENT:
        if (bit_get(st->cancelled, idx))
            return GL_OK;
        st->npayments++;
        return a > 0 ? pay(st, e->date, a) : (a < 0 ? add_debt(st, LEDGER_ADJUSTMENT, e->date, e->date, -a) : GL_OK);
    case LEDGER_ADJUSTMENT:
        return a > 0 ? add_debt(st, LEDGER_ADJUSTMENT, e->date, e->date, a) : (a < 0 ? pay(st, e->date, -a) : GL_OK);
    case LEDGER_DEPOSIT:
        st->deposit_fen += a;
        return GL_OK;
    case LEDGER_REFUND:
        return a > 0 ? refund(st, e->date, a) : GL_OK;
    case LEDGER_PENALTY:
        return a > 0 ? add_debt(st, LEDGER_PENALTY, e->date, e->date, a) : (a < 0 ? waive(st, e->date, -a) : GL_OK);
    case LEDGER_THEFT:
        push_event(st->theft, &st->ntheft, e->date);
        return a > 0 ? add_debt(st, LEDGER_THEFT, e->date, e->date, a) : GL_OK;
    case LEDGER_ILLEGAL_USE:
        push_event(st->illegal, &st->nillegal, e->date);
        return a > 0 ? add_debt(st, LEDGER_ILLEGAL_USE, e->date, e->date, a) : GL_OK;
    case LEDGER_BOUNCED:
        push_event(st->bounced, &st->nbounced, e->date);
        return !bit_get(st->cancelled, idx) && a > 0 ? add_debt(st, LEDGER_BOUNCED, e->date, e->date, a) : GL_OK;
    case LEDGER_TOPUP:
        st->ntopups++;
        st->prepaid_balance_fen += a;
        return GL_OK;
    case LEDGER_USAGE: {
        int64_t before = st->prepaid_balance_fen;
        st->prepaid_balance_fen -= a;
        if (before > 0 && st->prepaid_balance_fen <= 0 &&
            strncmp(e->ref, LEDGER_CARRY_PREFIX, sizeof LEDGER_CARRY_PREFIX - 1) != 0)
            push_event(st->run_dry, &st->nrun_dry, e->date);
        return GL_OK;
    }
    default:
        return GL_EINVAL;
    }
}

gl_status ledger_run(ledger_state *st, int32_t date)
{
    if (st == NULL || st->acct == NULL)
        return GL_EINVAL;
    while (st->next < st->acct->nentries && st->acct->entries[st->next].date <= date) {
        gl_status s = apply(st, st->next);
        if (s != GL_OK)
            return s;
        st->next++;
    }
    if (date > st->date)
        st->date = date;
    return GL_OK;
}

gl_status ledger_step(ledger_state *st)
{
    if (st == NULL || st->acct == NULL || st->next >= st->acct->nentries)
        return GL_EINVAL;
    int32_t date = st->acct->entries[st->next].date;
    gl_status s = apply(st, st->next);
    if (s != GL_OK)
        return s;
    st->next++;
    if (date > st->date)
        st->date = date;
    return GL_OK;
}

static int aging_bucket(int days)
{
    return days <= 30 ? 0 : days <= 60 ? 1 : days <= 90 ? 2 : 3;
}

gl_status ledger_arrears_at(const ledger_state *st, int32_t date, ledger_arrears *out)
{
    if (st == NULL || out == NULL || st->acct == NULL)
        return GL_EINVAL;
    memset(out, 0, sizeof *out);
    out->oldest_due = -1;
    out->next_due = -1;
    out->penalty_since = -1;
    for (int i = st->first_open; i < st->ndebts; i++) {
        const ledger_debt *d = &st->debts[i];
        int64_t pen = 0;
        gl_status s = ledger_debt_penalty(st, d, date, &pen);
        if (s != GL_OK)
            return s;
        out->penalty_fen += pen;
        if (d->open_fen <= 0) {
            if (pen > 0 && d->settled >= 0 && (out->penalty_since < 0 || d->settled < out->penalty_since))
                out->penalty_since = d->settled;
            continue;
        }
        if (date > d->due) {
            out->arrears_fen += d->open_fen;
            out->aging_fen[aging_bucket(date - d->due)] += d->open_fen;
            out->overdue_debts++;
            if (out->oldest_due < 0 || d->due < out->oldest_due)
                out->oldest_due = d->due;
        } else {
            out->not_due_fen += d->open_fen;
            if (out->next_due < 0 || d->due < out->next_due)
                out->next_due = d->due;
        }
    }
    out->credit_fen = st->credit_fen;
    out->balance_fen = out->arrears_fen + out->not_due_fen + out->penalty_fen - out->credit_fen;
    out->days_overdue = out->oldest_due >= 0 ? date - out->oldest_due : 0;
    out->deposit_fen = st->deposit_fen;
    out->prepaid_balance_fen = st->prepaid_balance_fen;
    return GL_OK;
}
