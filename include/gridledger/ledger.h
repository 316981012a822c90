/* ledger.h: customer accounts from ledger entries: allocation, credit, arrears.
 *
 * An account is a customer's entries in date order. ledger_run replays them
 * up to a date into a ledger_state: bills, positive adjustments, charged
 * penalties, theft and illegal-use back-charges and unmatched bounced
 * payments become debts; payments, negative adjustments and credit pay the
 * oldest debt first (by bill date, then file order), principal first or
 * penalty first as configured; what is left over becomes credit, which pays
 * later debts the day they appear. A bounced payment cancels the payment
 * with the same ref (as if it had never been made, so the bill it paid is
 * overdue again and accrues its penalty from its own due date). Deposits and
 * refunds move the deposit held; prepaid top-ups and usage move the prepaid
 * balance. Penalties accrue per penalty.h on the open principal of bills.
 * Pure: the same entries and date always give the same state; no I/O,
 * no allocation (the state is a caller-owned, fixed-size struct). */
#ifndef GRIDLEDGER_LEDGER_H
#define GRIDLEDGER_LEDGER_H

#include <stdint.h>

#include "gridledger/penalty.h"
#include "gridledger/status.h"

#define LEDGER_ID_MAX 48
#define LEDGER_REF_MAX 48
#define LEDGER_MAX_ENTRIES 4096 /* per account */
#define LEDGER_MAX_DEBTS 1024   /* open or settled debts per account */
#define LEDGER_MAX_EVENTS 64    /* theft, illegal use, bounced, run-dry dates kept per kind */
#define LEDGER_MAX_AMOUNT_FEN PENALTY_MAX_AMOUNT_FEN
#define LEDGER_AGING_BUCKETS 4  /* 0-30, 31-60, 61-90, >90 days overdue */

typedef enum ledger_class {
    LEDGER_CLASS_RESIDENTIAL = 0,
    LEDGER_CLASS_COMMERCIAL,
    LEDGER_CLASS_INDUSTRIAL,
    LEDGER_CLASS_AGRICULTURAL,
    LEDGER_CLASS_OTHER,
    LEDGER_CLASS_COUNT
} ledger_class;

typedef enum ledger_kind {
    LEDGER_BILL = 0,    /* a bill: debt with a due date, accrues the late-payment penalty */
    LEDGER_PAYMENT,     /* money received (positive) */
    LEDGER_ADJUSTMENT,  /* positive: extra debt due at once; negative: a credit */
    LEDGER_DEPOSIT,     /* deposit (保证金) received: held, not used to pay bills */
    LEDGER_REFUND,      /* deposit returned (positive); beyond the deposit it takes credit, then owes */
    LEDGER_PENALTY,     /* positive: a penalty charged elsewhere; negative: a penalty waiver */
    LEDGER_THEFT,       /* confirmed electricity theft; amount = back-charge (may be 0) */
    LEDGER_ILLEGAL_USE, /* confirmed illegal use (违约用电); amount = charge (may be 0) */
    LEDGER_BOUNCED,     /* a payment returned unpaid; ref = the payment's ref */
    LEDGER_TOPUP,       /* prepaid purchase (预购电) */
    LEDGER_USAGE,       /* prepaid consumption priced at the tariff, taken from the prepaid balance */
    LEDGER_KIND_COUNT
} ledger_kind;

typedef enum ledger_alloc {
    LEDGER_ALLOC_PRINCIPAL_FIRST = 0, /* principals oldest first, then penalties oldest first */
    LEDGER_ALLOC_PENALTY_FIRST,       /* per debt oldest first: its penalty, then its principal */
} ledger_alloc;

/* A usage entry whose ref starts with this moves what was left of the
 * prepaid balance to the post-paid side at a switch back to post-paid
 * (firmware/paymode.c): not consumption, so never a run-dry. */
#define LEDGER_CARRY_PREFIX "carry/"

typedef struct ledger_entry {
    int32_t date;       /* civdate day number */
    int32_t due;        /* bills: the due date; 0 = date + cfg due_days */
    ledger_kind kind;
    int64_t amount_fen;
    char ref[LEDGER_REF_MAX];
} ledger_entry;

typedef struct ledger_account {
    char customer[LEDGER_ID_MAX];
    ledger_class klass;
    int prepaid;                 /* 1 if it has top-ups or usage */
    const ledger_entry *entries; /* date order (ledger_run checks) */
    int nentries;
} ledger_account;

typedef struct ledger_cfg {
    ledger_alloc alloc;
    int due_days; /* bill date -> due date when a bill has none */
    penalty_rule penalty[LEDGER_CLASS_COUNT];
} ledger_cfg;

typedef struct ledger_debt {
    int32_t date, due;
    ledger_kind kind;
    int64_t principal_fen;    /* as charged */
    int64_t open_fen;         /* principal still unpaid */
    int64_t accrued_micro;    /* exact penalty accrued so far */
    int32_t accrued_to;       /* accrual done up to this day, included */
    int64_t penalty_paid_fen; /* paid or waived */
    int32_t settled;          /* day the principal was paid in full; -1 while open */
} ledger_debt;

typedef struct ledger_state {
    const ledger_account *acct;
    const ledger_cfg *cfg;
    int next;           /* next entry to replay */
    int32_t date;       /* replayed up to this day, included */
    int ndebts, first_open;
    int64_t credit_fen;           /* unapplied money */
    int64_t deposit_fen;          /* deposit held */
    int64_t prepaid_balance_fen;  /* top-ups - usage */
    int npayments, ntopups;
    int ntheft, nillegal, nbounced, nrun_dry; /* events (dates of the latest LEDGER_MAX_EVENTS kept) */
    int32_t theft[LEDGER_MAX_EVENTS], illegal[LEDGER_MAX_EVENTS], bounced[LEDGER_MAX_EVENTS],
        run_dry[LEDGER_MAX_EVENTS];
    unsigned char cancelled[LEDGER_MAX_ENTRIES / 8]; /* payments cancelled by a bounce */
    ledger_debt debts[LEDGER_MAX_DEBTS];
} ledger_state;

typedef struct ledger_arrears {
    int64_t arrears_fen;     /* principal unpaid past its due date */
    int64_t not_due_fen;     /* principal not yet due */
    int64_t penalty_fen;     /* penalties unpaid, accrued up to the date */
    int64_t credit_fen;      /* unapplied money */
    int64_t balance_fen;     /* arrears + not due + penalty - credit (negative: in credit) */
    int64_t aging_fen[LEDGER_AGING_BUCKETS]; /* arrears by days overdue 1-30, 31-60, 61-90, >90 */
    int32_t oldest_due;      /* due date of the oldest overdue debt; -1 if none */
    int days_overdue;        /* date - oldest_due; 0 if none */
    int32_t next_due;        /* earliest due date of principal not yet due; -1 if none */
    int32_t penalty_since;   /* earliest day a bill whose penalty is still open was paid; -1 if none */
    int overdue_debts;       /* debts with principal unpaid past due */
    int64_t deposit_fen;
    int64_t prepaid_balance_fen;
} ledger_arrears;

/* ledger_begin: prepares st to replay acct from the start (cancels bounced
 * payments). GL_EBOUND past LEDGER_MAX_ENTRIES, GL_EINVAL if the entries are
 * not in date order. Both acct and cfg must outlive st. */
gl_status ledger_begin(ledger_state *st, const ledger_account *acct, const ledger_cfg *cfg);

/* ledger_run: replays the entries dated up to `date` (included) not yet
 * replayed; may be called again with a later date. GL_EBOUND past
 * LEDGER_MAX_DEBTS, GL_ERANGE for an amount beyond LEDGER_MAX_AMOUNT_FEN. */
gl_status ledger_run(ledger_state *st, int32_t date);

/* ledger_step: replays the next entry only (what ledger_run does for each
 * entry), so a display can show what each payment paid; GL_EINVAL when
 * every entry was replayed, else as ledger_run. */
gl_status ledger_step(ledger_state *st);

/* ledger_arrears_at: the arrears as of `date` (>= the replayed date): ages
 * and penalties counted to that day without changing st. */
gl_status ledger_arrears_at(const ledger_state *st, int32_t date, ledger_arrears *out);

/* ledger_debt_penalty: a debt's penalty (settled, in fen) accrued up to
 * `date`, minus what was paid; never negative. */
gl_status ledger_debt_penalty(const ledger_state *st, const ledger_debt *d, int32_t date, int64_t *open_fen);

/* ledger_cfg_default: principal first, due in 15 days, art. 98 rules. */
void ledger_cfg_default(ledger_cfg *cfg);

/* ledger_kind_parse / ledger_kind_name: "bill", "payment", "adjustment",
 * "deposit", "refund", "penalty", "theft", "illegal_use", "bounced",
 * "topup", "usage". parse returns -1 for an unknown name. */
int ledger_kind_parse(const char *s, size_t len);
const char *ledger_kind_name(ledger_kind k);

/* ledger_class_parse / ledger_class_name: "residential", "commercial",
 * "industrial", "agricultural", "other"; parse returns -1 if unknown. */
int ledger_class_parse(const char *s, size_t len);
const char *ledger_class_name(ledger_class c);

#endif
