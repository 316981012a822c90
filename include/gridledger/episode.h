/* episode.h: one arrears episode of a customer, decided from the
 * collection record (what was actually taken and served) and the ledger.
 *
 * collect.h's plan assumes each step is carried out on its day; this module
 * is what the daemon acts on, because a cut must be timed from notices
 * served, not from notices a plan assumes (DOMAIN.md, "Served, not
 * assumed"). An episode runs from the earliest unpaid due date until
 * nothing is owed overdue. Each call looks at the record and answers what
 * to take now and when to look again:
 *  - reminders (sms, phone, written notice) follow the grade's ladder, each
 *    once per episode, and are the only steps a penalty-only balance gets;
 *  - a disconnection needs principal arrears (penalty excluded) of at least
 *    min_cut_fen of the class, more than cut_after_days past due, a reminder
 *    served, and a disconnection notice served at least notice_days before
 *    and at most notice_valid_days ago (a stale or missing one is taken
 *    again: a grade change never shortens the time from the served notice);
 *  - then, as timed steps: the one-hour notice (non-residential) and the
 *    confirmation confirm_minutes before, each served; the cut follows at
 *    the first allowed minute, within cut_window_minutes of the first timed
 *    notice (else the timed notices are taken again);
 *  - public notice and legal action only from their own minimums;
 *  - principal brought under the threshold cancels pending steps, and a cut
 *    in effect is restored at once (deadline: collect_restore_deadline).
 * Pure and deterministic: the same record, arrears and minute give the same
 * decision. */
#ifndef GRIDLEDGER_EPISODE_H
#define GRIDLEDGER_EPISODE_H

#include <stdint.h>

#include "gridledger/collect.h"
#include "gridledger/ledger.h"
#include "gridledger/status.h"

#define EPISODE_MAX_RECORD 64  /* rows of one episode the decision looks at (newest kept) */
#define EPISODE_MAX_TAKE 6     /* actions taken in one decision */
#define EPISODE_REASON_MAX 192

typedef enum episode_status {
    EPISODE_PLANNED = 0,
    EPISODE_TAKEN,     /* sent or carried out; not yet confirmed served */
    EPISODE_SERVED,    /* proof of service recorded */
    EPISODE_FAILED,    /* could not be carried out, or never served in time */
    EPISODE_CANCELLED, /* no longer due: paid, or under the threshold */
    EPISODE_STATUS_COUNT
} episode_status;

/* One row of the collection record, as the decision needs it. Minutes are
 * civil minutes (civdate.h); -1 when not (yet) known. */
typedef struct episode_rec {
    collect_action action;
    episode_status status;
    int64_t planned_min, taken_min, served_min;
} episode_rec;

typedef struct episode_take {
    collect_action action;
    char channel[COLLECT_CHANNEL_MAX];
    int64_t planned_min;        /* when the plan had it; <= now */
    int64_t deadline_min;       /* restore: when supply must be back; -1 else */
    char reason[EPISODE_REASON_MAX];
} episode_take;

typedef struct episode_input {
    const ledger_arrears *arrears; /* as of now's day */
    int64_t now_min;
    int cut_in_effect;             /* supply is cut for arrears now */
    const episode_rec *rec;        /* the episode's rows, oldest first */
    int nrec;
} episode_input;

typedef struct episode_decision {
    int ntake;
    episode_take take[EPISODE_MAX_TAKE]; /* in order: notices, then the cut or restoration */
    int cancel_pending;          /* 1: planned rows and unserved timed notices are cancelled */
    int over;                    /* 1: nothing owed overdue and no cut: the episode ends */
    int64_t cut_at_min;          /* the cut's planned minute; -1 none */
    int64_t wake_min;            /* look again at this minute; -1: the daily run is enough */
    char why_no_cut[EPISODE_REASON_MAX]; /* when a cut step is due but cannot be taken */
} episode_decision;

/* episode_decide: what to take now for customer cust in the episode. */
gl_status episode_decide(const collect_cfg *cfg, const collect_customer *cust, const episode_input *in,
                         episode_decision *out);

/* episode_cut_lawful: checks a cut at minute `at` against the record (the
 * audit the daemon, the demo and the tests run on every cut taken): the
 * same rules as episode_decide. 1 lawful; 0 with the first broken rule in
 * why. */
int episode_cut_lawful(const collect_cfg *cfg, const collect_customer *cust, const ledger_arrears *a,
                       const episode_rec *rec, int nrec, int64_t at, char *why, size_t cap);

/* episode_cut_rules: every rule of a cut at `at`, each with its verdict and
 * why (the console shows them all; episode_cut_lawful is its first broken
 * rule): "threshold", "overdue", "window", "reminder", "notice",
 * "notice_days", "notice_1h" (non-residential only), "confirm". */
#define EPISODE_CUT_RULES 8
typedef struct episode_cut_rule {
    char name[16];
    int ok;
    char why[EPISODE_REASON_MAX];
} episode_cut_rule;

typedef struct episode_cut_check {
    int lawful, failed, nrules;
    episode_cut_rule rules[EPISODE_CUT_RULES];
} episode_cut_check;

void episode_cut_rules(const collect_cfg *cfg, const collect_customer *cust, const ledger_arrears *a,
                       const episode_rec *rec, int nrec, int64_t at, episode_cut_check *out);

/* episode_status_name / episode_status_parse: "planned", "taken", "served",
 * "failed", "cancelled". */
const char *episode_status_name(episode_status s);
int episode_status_parse(const char *s);

#endif
