/* episode.c: what an arrears episode's record and the ledger say to do now
 * (see episode.h). */
#include "gridledger/episode.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gridledger/civdate.h"
#include "gridledger/money.h"

static const char *const status_names[EPISODE_STATUS_COUNT] = {"planned", "taken", "served", "failed", "cancelled"};

const char *episode_status_name(episode_status s)
{
    return (unsigned)s < EPISODE_STATUS_COUNT ? status_names[s] : "?";
}

int episode_status_parse(const char *s)
{
    for (int i = 0; s && i < EPISODE_STATUS_COUNT; i++)
        if (strcmp(status_names[i], s) == 0)
            return i;
    return -1;
}

static int32_t day_of(int64_t minute)
{
    return (int32_t)(minute >= 0 ? minute / CIVDATE_MINUTES_PER_DAY
                                 : -((-minute + CIVDATE_MINUTES_PER_DAY - 1) / CIVDATE_MINUTES_PER_DAY));
}

static int live(const episode_rec *r)
{
    return r->status == EPISODE_TAKEN || r->status == EPISODE_SERVED;
}

static int served_by(const episode_rec *r, int64_t at)
{
    return r->status == EPISODE_SERVED && r->served_min >= 0 && r->served_min <= at && r->taken_min <= at;
}

/* latest: the newest live row of action taken at or after `since` and at or
 * before `at`; NULL if none. */
static const episode_rec *latest(const episode_rec *rec, int n, collect_action action, int64_t since, int64_t at)
{
    const episode_rec *best = NULL;
    for (int i = 0; i < n; i++)
        if (rec[i].action == action && live(&rec[i]) && rec[i].taken_min >= since && rec[i].taken_min <= at &&
            (best == NULL || rec[i].taken_min >= best->taken_min))
            best = &rec[i];
    return best;
}

static int ever_taken(const episode_rec *rec, int n, collect_action action)
{
    for (int i = 0; i < n; i++)
        if (rec[i].action == action && live(&rec[i]))
            return 1;
    return 0;
}

static int reminder_served(const episode_rec *rec, int n, int64_t at)
{
    for (int i = 0; i < n; i++)
        if (collect_is_reminder(rec[i].action) && served_by(&rec[i], at))
            return 1;
    return 0;
}

static int notice_days(const collect_cfg *cfg, const collect_customer *cust)
{
    return cust->klass == LEDGER_CLASS_RESIDENTIAL ? cfg->notice_days_residential : cfg->notice_days_other;
}

/* served_notice: the newest disconnection notice served by `at` and not
 * older than the validity; NULL if none. */
static const episode_rec *served_notice(const collect_cfg *cfg, const episode_rec *rec, int n, int64_t at)
{
    const episode_rec *best = NULL;
    for (int i = 0; i < n; i++)
        if (rec[i].action == COLLECT_DISCONNECT_NOTICE && served_by(&rec[i], at) &&
            at - rec[i].served_min <= (int64_t)cfg->notice_valid_days * CIVDATE_MINUTES_PER_DAY &&
            (best == NULL || rec[i].served_min > best->served_min))
            best = &rec[i];
    return best;
}

/* pending_notice: a notice sent within the validity and awaiting its proof. */
/* recent_notice: a notice taken within the validity, served or awaiting its
 * proof: no new one is sent while it stands. */
static int recent_notice(const collect_cfg *cfg, const episode_rec *rec, int n, int64_t at)
{
    for (int i = 0; i < n; i++)
        if (rec[i].action == COLLECT_DISCONNECT_NOTICE && live(&rec[i]) &&
            at - rec[i].taken_min < (int64_t)cfg->notice_valid_days * CIVDATE_MINUTES_PER_DAY)
            return 1;
    return 0;
}

static void fmt_fen(int64_t fen, char *buf)
{
    money_format(fen, 2, buf, MONEY_FMT_MAX);
}

/* timed_ok: the timed notice `action` served, taken at least lead minutes
 * before `at` and not more than the window before it. */
static int timed_ok(const collect_cfg *cfg, const episode_rec *rec, int n, collect_action action, int lead,
                    int64_t at)
{
    const episode_rec *r = latest(rec, n, action, at - cfg->cut_window_minutes, at - lead);
    return r != NULL && served_by(r, at);
}

/* rule: one rule's verdict into the check (why only when broken). */
static void rule(episode_cut_check *chk, const char *name, int ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void rule(episode_cut_check *chk, const char *name, int ok, const char *fmt, ...)
{
    if (chk->nrules >= EPISODE_CUT_RULES)
        return;
    episode_cut_rule *r = &chk->rules[chk->nrules++];
    va_list ap;
    snprintf(r->name, sizeof r->name, "%s", name);
    r->ok = ok;
    va_start(ap, fmt);
    vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
    if (!ok)
        chk->failed++;
}

void episode_cut_rules(const collect_cfg *cfg, const collect_customer *cust, const ledger_arrears *a,
                       const episode_rec *rec, int nrec, int64_t at, episode_cut_check *out)
{
    char p[MONEY_FMT_MAX], m[MONEY_FMT_MAX];
    int residential = cust->klass == LEDGER_CLASS_RESIDENTIAL, nd = notice_days(cfg, cust);
    const episode_rec *notice = served_notice(cfg, rec, nrec, at);
    int64_t min_cut = (unsigned)cust->klass < LEDGER_CLASS_COUNT ? cfg->min_cut_fen[cust->klass] : INT64_MAX;
    memset(out, 0, sizeof *out);
    fmt_fen(a->arrears_fen, p);
    fmt_fen(min_cut, m);
    rule(out, "threshold", a->arrears_fen > 0 && a->arrears_fen >= min_cut,
         "principal arrears %s %s the cut threshold %s (penalty is no ground)", p,
         a->arrears_fen > 0 && a->arrears_fen >= min_cut ? "at or over" : "under", m);
    rule(out, "overdue", a->oldest_due >= 0 && day_of(at) - a->oldest_due > cfg->cut_after_days,
         "%s than %d days past due", a->oldest_due >= 0 && day_of(at) - a->oldest_due > cfg->cut_after_days ? "more"
                                                                                                            : "not more",
         cfg->cut_after_days);
    rule(out, "window", collect_cut_allowed(&cfg->cal, at), "%s a no-cut window",
         collect_cut_allowed(&cfg->cal, at) ? "outside" : "inside");
    rule(out, "reminder", reminder_served(rec, nrec, at), "%s", reminder_served(rec, nrec, at) ? "a reminder served"
                                                                                               : "no reminder served");
    rule(out, "notice", notice != NULL, "%s disconnection notice served in the last %d days", notice ? "a" : "no",
         cfg->notice_valid_days);
    rule(out, "notice_days", notice != NULL && at - notice->served_min >= (int64_t)nd * CIVDATE_MINUTES_PER_DAY,
         "disconnection notice served %s %d days before",
         notice != NULL && at - notice->served_min >= (int64_t)nd * CIVDATE_MINUTES_PER_DAY ? "at least" : "less than",
         nd);
    if (!residential) {
        int ok = timed_ok(cfg, rec, nrec, COLLECT_NOTICE_1H, cfg->notice_minutes_other, at);
        rule(out, "notice_1h", ok, "%s %d-minute notice served %d to %d minutes before", ok ? "a" : "no",
             cfg->notice_minutes_other, cfg->notice_minutes_other, cfg->cut_window_minutes);
    }
    int ok = timed_ok(cfg, rec, nrec, COLLECT_CONFIRM_30MIN, cfg->confirm_minutes, at);
    rule(out, "confirm", ok, "%s confirmation served %d to %d minutes before", ok ? "a" : "no", cfg->confirm_minutes,
         cfg->cut_window_minutes);
    out->lawful = out->failed == 0;
}

int episode_cut_lawful(const collect_cfg *cfg, const collect_customer *cust, const ledger_arrears *a,
                       const episode_rec *rec, int nrec, int64_t at, char *why, size_t cap)
{
    episode_cut_check chk;
    episode_cut_rules(cfg, cust, a, rec, nrec, at, &chk);
    for (int i = 0; i < chk.nrules; i++)
        if (!chk.rules[i].ok) {
            snprintf(why, cap, "%s", chk.rules[i].why);
            return 0;
        }
    return 1;
}

static episode_take *take(episode_decision *d, collect_action action, const char *channel, int64_t planned)
{
    if (d->ntake >= EPISODE_MAX_TAKE)
        return NULL;
    episode_take *t = &d->take[d->ntake++];
    memset(t, 0, sizeof *t);
    t->action = action;
    snprintf(t->channel, sizeof t->channel, "%s", channel);
    t->planned_min = planned;
    t->deadline_min = -1;
    return t;
}

/* The ladder's position: ref day, and the steps due that apply. */
typedef struct ladder_pos {
    int32_t ref;
    int days;
    int info;          /* newest due reminder-type step; -1 */
    int notice, cut;   /* due disconnection notice / disconnection steps; -1 */
} ladder_pos;

static void position(const collect_cfg *cfg, const collect_customer *cust, const ledger_arrears *a, int32_t day,
                     ladder_pos *lp)
{
    const collect_ladder *l = &cfg->ladder[cust->grade];
    lp->ref = a->oldest_due >= 0 ? a->oldest_due : a->penalty_since >= 0 ? a->penalty_since : a->next_due;
    lp->info = lp->notice = lp->cut = -1;
    lp->days = day - lp->ref;
    if (lp->ref < 0)
        return;
    for (int i = 0; i < l->nsteps; i++) {
        const collect_step *s = &l->steps[i];
        if (s->day > lp->days || !collect_step_applies(cfg, cust->klass, a, s))
            continue;
        if (collect_is_reminder(s->action))
            lp->info = i;
        else if (s->action == COLLECT_DISCONNECT_NOTICE)
            lp->notice = i;
        else if (s->action == COLLECT_DISCONNECT)
            lp->cut = i;
    }
}

/* steps_once: the newest reminder, public notice, legal action and notice
 * of adverse reporting due, each once per episode. */
static void steps_once(const collect_cfg *cfg, const collect_customer *cust, const episode_input *in,
                       const ladder_pos *lp, episode_decision *d)
{
    const collect_ladder *l = &cfg->ladder[cust->grade];
    char owed[MONEY_FMT_MAX];
    fmt_fen(in->arrears->arrears_fen + in->arrears->penalty_fen, owed);
    for (int i = 0; i < l->nsteps; i++) {
        const collect_step *s = &l->steps[i];
        int once = i == lp->info || s->action == COLLECT_PUBLIC_NOTICE || s->action == COLLECT_LEGAL ||
                   s->action == COLLECT_CREDIT_REPORT_NOTICE;
        if (!once || s->day > lp->days || !collect_step_applies(cfg, cust->klass, in->arrears, s) ||
            ever_taken(in->rec, in->nrec, s->action))
            continue;
        episode_take *t = take(d, s->action, s->channel, (int64_t)(lp->ref + s->day) * CIVDATE_MINUTES_PER_DAY);
        if (t != NULL)
            snprintf(t->reason, sizeof t->reason, "day %d of the episode (step at %d), owed %s%s", lp->days, s->day,
                     owed, in->arrears->arrears_fen > 0 ? "" : " (penalty only: reminded, never cut)");
    }
}

static void notice_if_needed(const collect_cfg *cfg, const collect_customer *cust, const episode_input *in,
                             const ladder_pos *lp, episode_decision *d)
{
    const collect_ladder *l = &cfg->ladder[cust->grade];
    int step = lp->notice >= 0 ? lp->notice : lp->cut;
    if (step < 0 || recent_notice(cfg, in->rec, in->nrec, in->now_min))
        return;
    const char *channel = lp->notice >= 0 ? l->steps[lp->notice].channel : "letter";
    episode_take *t = take(d, COLLECT_DISCONNECT_NOTICE, channel, in->now_min);
    if (t != NULL)
        snprintf(t->reason, sizeof t->reason, "%s: the cut needs a notice served %d days before",
                 ever_taken(in->rec, in->nrec, COLLECT_DISCONNECT_NOTICE) ? "earlier notice stale or not served"
                                                                          : "disconnection notice",
                 notice_days(cfg, cust));
    if (cust->important && (t = take(d, COLLECT_NOTIFY_AUTHORITY, "letter", in->now_min)) != NULL)
        snprintf(t->reason, sizeof t->reason, "important customer: copy of the disconnection notice");
}

static gl_status timed(const collect_cfg *cfg, const collect_customer *cust, const episode_input *in,
                       int64_t earliest, episode_decision *d);

/* cut_chain: the cut's preconditions, then its timed notices and the cut. */
static gl_status cut_chain(const collect_cfg *cfg, const collect_customer *cust, const episode_input *in,
                           const ladder_pos *lp, episode_decision *d)
{
    const collect_ladder *l = &cfg->ladder[cust->grade];
    const ledger_arrears *a = in->arrears;
    int32_t first = lp->ref + l->steps[lp->cut].day;
    if (first < a->oldest_due + cfg->cut_after_days + 1)
        first = a->oldest_due + cfg->cut_after_days + 1;
    int64_t earliest = (int64_t)first * CIVDATE_MINUTES_PER_DAY;
    const episode_rec *notice = served_notice(cfg, in->rec, in->nrec, in->now_min);
    if (!reminder_served(in->rec, in->nrec, in->now_min)) {
        snprintf(d->why_no_cut, sizeof d->why_no_cut, "no reminder served yet");
        return GL_OK;
    }
    if (notice == NULL) {
        snprintf(d->why_no_cut, sizeof d->why_no_cut, "disconnection notice not served yet");
        return GL_OK;
    }
    int64_t after_notice = notice->served_min + (int64_t)notice_days(cfg, cust) * CIVDATE_MINUTES_PER_DAY;
    if (earliest < after_notice)
        earliest = after_notice;
    if (earliest > notice->served_min + (int64_t)cfg->notice_valid_days * CIVDATE_MINUTES_PER_DAY) {
        snprintf(d->why_no_cut, sizeof d->why_no_cut, "the notice expires before the earliest cut");
        return GL_OK;
    }
    return timed(cfg, cust, in, earliest, d);
}

static episode_take *take_timed(episode_decision *d, collect_action action, int64_t planned, int lead)
{
    episode_take *t = take(d, action, "phone", planned);
    if (t != NULL)
        snprintf(t->reason, sizeof t->reason, "%d minutes before the cut", lead);
    return t;
}

/* timed: the one-hour notice (non-residential), the confirmation, the cut. */
static gl_status timed(const collect_cfg *cfg, const collect_customer *cust, const episode_input *in,
                       int64_t earliest, episode_decision *d)
{
    int64_t now = in->now_min;
    int residential = cust->klass == LEDGER_CLASS_RESIDENTIAL;
    collect_action first_action = residential ? COLLECT_CONFIRM_30MIN : COLLECT_NOTICE_1H;
    int lead = residential ? cfg->confirm_minutes : cfg->notice_minutes_other;
    const episode_rec *f = latest(in->rec, in->nrec, first_action, now - cfg->cut_window_minutes, now);
    if (f == NULL) {
        int64_t from = earliest > now + lead ? earliest : now + lead;
        int64_t slot = collect_next_slot(&cfg->cal, from);
        if (slot < 0)
            return GL_ESTATE;
        d->cut_at_min = slot;
        if (slot - lead <= now) {
            take_timed(d, first_action, slot - lead, lead);
            d->wake_min = residential ? slot : slot - cfg->confirm_minutes;
        } else {
            d->wake_min = slot - lead;
        }
        return GL_OK;
    }
    int64_t cut_at = f->taken_min + lead;
    if (!residential) {
        const episode_rec *c = latest(in->rec, in->nrec, COLLECT_CONFIRM_30MIN, f->taken_min, now);
        if (c == NULL) {
            d->cut_at_min = cut_at;
            if (now >= cut_at - cfg->confirm_minutes) {
                take_timed(d, COLLECT_CONFIRM_30MIN, cut_at - cfg->confirm_minutes, cfg->confirm_minutes);
                d->wake_min = now + cfg->confirm_minutes > cut_at ? now + cfg->confirm_minutes : cut_at;
                d->cut_at_min = d->wake_min;
            } else {
                d->wake_min = cut_at - cfg->confirm_minutes;
            }
            return GL_OK;
        }
        if (c->taken_min + cfg->confirm_minutes > cut_at)
            cut_at = c->taken_min + cfg->confirm_minutes;
    }
    d->cut_at_min = cut_at;
    if (now < cut_at) {
        d->wake_min = cut_at;
        return GL_OK;
    }
    char why[EPISODE_REASON_MAX];
    if (!episode_cut_lawful(cfg, cust, in->arrears, in->rec, in->nrec, now, why, sizeof why)) {
        snprintf(d->why_no_cut, sizeof d->why_no_cut, "%s", why);
        d->wake_min = f->taken_min + cfg->cut_window_minutes + 1; /* then the timed notices go again */
        return GL_OK;
    }
    episode_take *t = take(d, COLLECT_DISCONNECT, "relay", cut_at);
    if (t != NULL) {
        char p[MONEY_FMT_MAX], pen[MONEY_FMT_MAX];
        fmt_fen(in->arrears->arrears_fen, p);
        fmt_fen(in->arrears->penalty_fen, pen);
        snprintf(t->reason, sizeof t->reason,
                 "principal %s (penalty %s apart) %d days past due > %d; reminder and notice served; "
                 "confirmed %d minutes before",
                 p, pen, in->arrears->days_overdue, cfg->cut_after_days,
                 (int)(now - latest(in->rec, in->nrec, COLLECT_CONFIRM_30MIN, now - cfg->cut_window_minutes, now)
                                 ->taken_min));
    }
    d->wake_min = -1;
    return GL_OK;
}

static void restore(const collect_cfg *cfg, const collect_customer *cust, const episode_input *in,
                    episode_decision *d)
{
    char p[MONEY_FMT_MAX], m[MONEY_FMT_MAX], when[CIVDATE_FMT_MAX + 8];
    fmt_fen(in->arrears->arrears_fen, p);
    fmt_fen(cfg->min_cut_fen[cust->klass], m);
    int64_t deadline = collect_restore_deadline(cfg, cust->klass, in->now_min);
    civdate_format_minute(deadline, when, sizeof when);
    episode_take *t = take(d, COLLECT_RESTORE, "relay", in->now_min);
    if (t != NULL) {
        t->deadline_min = deadline;
        snprintf(t->reason, sizeof t->reason, "principal arrears %s under the cut threshold %s: restore by %s", p, m,
                 when);
    }
    d->cancel_pending = 1;
}

gl_status episode_decide(const collect_cfg *cfg, const collect_customer *cust, const episode_input *in,
                         episode_decision *out)
{
    if (cfg == NULL || cust == NULL || in == NULL || in->arrears == NULL || out == NULL || cust->grade < 0 ||
        cust->grade >= GRADE_MAX || (unsigned)cust->klass >= LEDGER_CLASS_COUNT || in->nrec < 0 ||
        (in->nrec > 0 && in->rec == NULL))
        return GL_EINVAL;
    memset(out, 0, sizeof *out);
    out->cut_at_min = out->wake_min = -1;
    const ledger_arrears *a = in->arrears;
    int cut_amount = a->arrears_fen > 0 && a->arrears_fen >= cfg->min_cut_fen[cust->klass];
    if (!cut_amount)
        out->cancel_pending = 1;
    if (in->cut_in_effect && !cut_amount)
        restore(cfg, cust, in, out);
    ladder_pos lp;
    position(cfg, cust, a, day_of(in->now_min), &lp);
    if (lp.info < 0 && lp.notice < 0 && lp.cut < 0 && !in->cut_in_effect &&
        (a->arrears_fen <= 0 && a->penalty_fen <= 0)) {
        int any = 0; /* a reminder before the due date keeps the episode open */
        for (int i = 0; lp.ref >= 0 && i < cfg->ladder[cust->grade].nsteps; i++)
            any |= cfg->ladder[cust->grade].steps[i].day <= lp.days &&
                   collect_step_applies(cfg, cust->klass, a, &cfg->ladder[cust->grade].steps[i]);
        out->over = !any;
        out->cancel_pending = 1;
        if (out->over)
            return GL_OK;
    }
    steps_once(cfg, cust, in, &lp, out);
    if (in->cut_in_effect || !cut_amount)
        return GL_OK;
    notice_if_needed(cfg, cust, in, &lp, out);
    if (lp.cut < 0)
        return GL_OK;
    return cut_chain(cfg, cust, in, &lp, out);
}
