/* test_episode.c: the lawful cut from the collection record, each rule on
 * both sides of its boundary (29/30/31 days, notice served 6/7 days before,
 * confirmation 29/30 minutes before and past the window, principal one fen
 * under/at the threshold, penalty only, stale notice, no-cut window), and
 * whole episodes run minute by minute the way the daemon runs them (a grade
 * drop and a theft mid-episode, a payment between confirmation and cut,
 * confirmations never served, restoration). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gridledger/episode.h"
#include "gridledger/money.h"
#include "ledger_rows.h"

#define DAYM CIVDATE_MINUTES_PER_DAY

static int64_t M(int32_t day, int hh, int mm)
{
    return (int64_t)day * DAYM + hh * 60 + mm;
}

static ledger_arrears owing(int32_t oldest_due, int32_t as_of, int64_t principal, int64_t penalty)
{
    ledger_arrears a;
    memset(&a, 0, sizeof a);
    a.oldest_due = principal > 0 ? oldest_due : -1;
    a.penalty_since = principal > 0 || penalty == 0 ? -1 : oldest_due;
    a.next_due = -1;
    a.arrears_fen = principal;
    a.penalty_fen = penalty;
    a.balance_fen = principal + penalty;
    a.days_overdue = principal > 0 ? as_of - oldest_due : 0;
    return a;
}

static episode_rec R(collect_action a, int64_t taken, int64_t served)
{
    return (episode_rec){a, served >= 0 ? EPISODE_SERVED : EPISODE_TAKEN, taken, taken, served};
}

/* The record of a lawful cut at `at`, residential: an SMS served on day 1,
 * a notice served notice_before days before, a confirmation confirm_before
 * minutes before. */
static int lawful(const collect_cfg *cfg, ledger_class klass, int32_t due, int64_t principal, int64_t at,
                  int notice_before_days, int confirm_before_min, char *why)
{
    episode_rec rec[4];
    int n = 0;
    rec[n++] = R(COLLECT_SMS, M(due + 1, 10, 0), M(due + 1, 10, 5));
    rec[n++] = R(COLLECT_DISCONNECT_NOTICE, at - (int64_t)notice_before_days * DAYM,
                 at - (int64_t)notice_before_days * DAYM);
    rec[n++] = R(COLLECT_CONFIRM_30MIN, at - confirm_before_min, at - confirm_before_min + 1);
    if (klass != LEDGER_CLASS_RESIDENTIAL)
        rec[n++] = R(COLLECT_NOTICE_1H, at - 60, at - 59);
    ledger_arrears a = owing(due, (int32_t)(at / DAYM), principal, 1234);
    collect_customer cust = {klass, 0, 2};
    return episode_cut_lawful(cfg, &cust, &a, rec, n, at, why, EPISODE_REASON_MAX);
}

static void test_cut_boundaries(void **state)
{
    (void)state;
    collect_cfg cfg;
    collect_cfg_default(&cfg, 3);
    char why[EPISODE_REASON_MAX];
    int32_t due = D("2026-03-02");
    struct {
        int32_t day_after_due;
        int hh, mm;
        int64_t principal;
        int notice_days, confirm_min, lawful;
        const char *what;
    } rows[] = {
        {29, 10, 30, 20000, 8, 30, 0, "29 days past due"},
        {30, 10, 30, 20000, 8, 30, 0, "30 days past due"},
        {31, 10, 30, 20000, 8, 30, 1, "31 days past due"},
        {31, 10, 30, 20000, 6, 30, 0, "notice served 6 days before"},
        {31, 10, 30, 20000, 7, 30, 1, "notice served 7 days before"},
        {31, 10, 30, 20000, 30, 30, 1, "notice served 30 days before (still valid)"},
        {31, 10, 30, 20000, 31, 30, 0, "notice served 31 days before (stale)"},
        {31, 10, 30, 20000, 8, 29, 0, "confirmation 29 minutes before"},
        {31, 10, 30, 20000, 8, 120, 1, "confirmation 120 minutes before (end of the window)"},
        {31, 11, 0, 20000, 8, 121, 0, "confirmation past the window"},
        {31, 10, 30, 9999, 8, 30, 0, "principal one fen under the threshold"},
        {31, 10, 30, 10000, 8, 30, 1, "principal at the threshold"},
        {31, 10, 30, 0, 8, 30, 0, "penalty only"},
        {31, 8, 29, 20000, 8, 30, 0, "before the cut hours"},
        {33, 10, 30, 20000, 8, 30, 0, "a Saturday"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int64_t at = M(due + rows[i].day_after_due, rows[i].hh, rows[i].mm);
        int got = lawful(&cfg, LEDGER_CLASS_RESIDENTIAL, due, rows[i].principal, at, rows[i].notice_days,
                         rows[i].confirm_min, why);
        if (got != rows[i].lawful)
            fail_msg("%s: lawful %d, want %d (%s)", rows[i].what, got, rows[i].lawful, why);
    }
    /* non-residential: 3 days of notice suffice, and the one-hour notice */
    assert_int_equal(lawful(&cfg, LEDGER_CLASS_COMMERCIAL, due, 60000, M(due + 31, 10, 30), 3, 30, why), 1);
    assert_int_equal(lawful(&cfg, LEDGER_CLASS_COMMERCIAL, due, 60000, M(due + 31, 10, 30), 2, 30, why), 0);
    assert_int_equal(lawful(&cfg, LEDGER_CLASS_COMMERCIAL, due, 49999, M(due + 31, 10, 30), 3, 30, why), 0);
}

/* every rule listed with its verdict: an empty record on a Saturday under
 * the threshold breaks all of them; episode_cut_lawful names the first. */
static void test_cut_rules_all_listed(void **state)
{
    (void)state;
    collect_cfg cfg;
    collect_cfg_default(&cfg, 3);
    int32_t due = D("2026-03-02");
    int64_t sat = M(due + 5, 10, 30); /* 2026-03-07, a Saturday, 5 days past due */
    ledger_arrears a = owing(due, due + 5, 500, 99999);
    struct {
        ledger_class klass;
        int nrules;
    } rows[] = {{LEDGER_CLASS_RESIDENTIAL, 7}, {LEDGER_CLASS_COMMERCIAL, 8}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        collect_customer cust = {rows[i].klass, 0, 2};
        episode_cut_check chk;
        char why[EPISODE_REASON_MAX];
        episode_cut_rules(&cfg, &cust, &a, NULL, 0, sat, &chk);
        assert_int_equal(chk.nrules, rows[i].nrules);
        assert_int_equal(chk.failed, rows[i].nrules);
        assert_int_equal(chk.lawful, 0);
        assert_int_equal(episode_cut_lawful(&cfg, &cust, &a, NULL, 0, sat, why, sizeof why), 0);
        assert_string_equal(why, chk.rules[0].why);
        assert_string_equal(chk.rules[0].name, "threshold");
        assert_non_null(strstr(chk.rules[2].why, "inside a no-cut window"));
    }
    /* a lawful record passes every rule, each said in words */
    episode_rec rec[3] = {R(COLLECT_SMS, M(due + 1, 10, 0), M(due + 1, 10, 5)),
                          R(COLLECT_DISCONNECT_NOTICE, M(due + 23, 10, 30), M(due + 23, 10, 30)),
                          R(COLLECT_CONFIRM_30MIN, M(due + 31, 10, 0), M(due + 31, 10, 1))};
    ledger_arrears ok = owing(due, due + 31, 20000, 0);
    collect_customer res = {LEDGER_CLASS_RESIDENTIAL, 0, 2};
    episode_cut_check chk;
    episode_cut_rules(&cfg, &res, &ok, rec, 3, M(due + 31, 10, 30), &chk);
    assert_int_equal(chk.lawful, 1);
    assert_int_equal(chk.failed, 0);
    for (int i = 0; i < chk.nrules; i++)
        assert_true(chk.rules[i].ok && chk.rules[i].why[0] && strncmp(chk.rules[i].why, "no ", 3) != 0);
}

/* ---- whole episodes, run as the daemon runs them ------------------------- */

typedef struct sim {
    collect_cfg cfg;
    collect_customer cust;
    episode_rec rec[EPISODE_MAX_RECORD];
    int n;
    int cut_in_effect;
    int64_t cut_min, restore_min, restore_deadline;
    int serve_timed;  /* 1: phone confirmations come back served */
    int ntaken[COLLECT_ACTION_COUNT];
    int64_t first_taken[COLLECT_ACTION_COUNT];
} sim;

typedef void (*sim_world)(sim *s, int32_t day, int64_t now, ledger_arrears *a);

static void apply(sim *s, const episode_decision *d, int64_t now)
{
    if (d->cancel_pending)
        for (int i = 0; i < s->n; i++)
            if (s->rec[i].status == EPISODE_PLANNED ||
                (s->rec[i].status == EPISODE_TAKEN &&
                 (s->rec[i].action == COLLECT_CONFIRM_30MIN || s->rec[i].action == COLLECT_NOTICE_1H)))
                s->rec[i].status = EPISODE_CANCELLED;
    for (int i = 0; i < d->ntake; i++) {
        const episode_take *t = &d->take[i];
        int timed = t->action == COLLECT_CONFIRM_30MIN || t->action == COLLECT_NOTICE_1H;
        int served = timed ? s->serve_timed : 1; /* reminders' receipts come back at once here */
        if (s->n < EPISODE_MAX_RECORD)
            s->rec[s->n++] = (episode_rec){t->action, served ? EPISODE_SERVED : EPISODE_TAKEN, t->planned_min, now,
                                           served ? now : -1};
        if (s->ntaken[t->action]++ == 0)
            s->first_taken[t->action] = now;
        if (t->action == COLLECT_DISCONNECT) {
            s->cut_in_effect = 1;
            s->cut_min = now;
        }
        if (t->action == COLLECT_RESTORE) {
            s->cut_in_effect = 0;
            s->restore_min = now;
            s->restore_deadline = t->deadline_min;
        }
    }
}

/* run: the daily 10:00 run from `from` to `to` (days), and each timed wake in
 * between; stops after the first cut when stop_at_cut. */
static void run(sim *s, int32_t from, int32_t to, sim_world world, int stop_at_cut)
{
    for (int32_t day = from; day <= to; day++) {
        int64_t now = M(day, 10, 0);
        while (now >= 0 && now < M(day + 1, 10, 0)) {
            ledger_arrears a;
            world(s, (int32_t)(now / DAYM), now, &a);
            episode_input in = {&a, now, s->cut_in_effect, s->rec, s->n};
            episode_decision d;
            assert_int_equal(episode_decide(&s->cfg, &s->cust, &in, &d), GL_OK);
            apply(s, &d, now);
            if (stop_at_cut && s->cut_min >= 0)
                return;
            now = d.wake_min > now ? d.wake_min : -1;
        }
    }
}

static void sim_init(sim *s, ledger_class klass, int grade)
{
    memset(s, 0, sizeof *s);
    collect_cfg_default(&s->cfg, 3);
    s->cust = (collect_customer){klass, 0, grade};
    s->cut_min = s->restore_min = -1;
    s->serve_timed = 1;
}

static const int32_t DUE = 20514; /* 2026-03-02, a Monday; checked in the test */

static void unpaid_200(sim *s, int32_t day, int64_t now, ledger_arrears *a)
{
    (void)s;
    (void)now;
    *a = day > DUE ? owing(DUE, day, 20000, 0) : owing(DUE, day, 0, 0);
    if (day <= DUE) {
        a->next_due = DUE;
        a->not_due_fen = a->balance_fen = 20000;
    }
}

/* check_cut: the cut found lawful by the audit, on the record as it stood. */
static void check_cut(const sim *s, int64_t principal)
{
    char why[EPISODE_REASON_MAX];
    ledger_arrears a = owing(DUE, (int32_t)(s->cut_min / DAYM), principal, 0);
    if (s->cut_min < 0)
        fail_msg("no cut");
    if (!episode_cut_lawful(&s->cfg, &s->cust, &a, s->rec, s->n, s->cut_min, why, sizeof why))
        fail_msg("cut at %lld not lawful: %s", (long long)s->cut_min, why);
}

static void test_episode_lowest_grade(void **state)
{
    (void)state;
    assert_int_equal(DUE, D("2026-03-02"));
    sim s;
    sim_init(&s, LEDGER_CLASS_RESIDENTIAL, 2);
    run(&s, DUE - 5, DUE + 60, unpaid_200, 1);
    check_cut(&s, 20000);
    /* C ladder: notice on day 20, cut after day 30 => day 31 (a Thursday) at 10:30 */
    assert_int_equal(s.first_taken[COLLECT_DISCONNECT_NOTICE], M(DUE + 20, 10, 0));
    assert_int_equal(s.first_taken[COLLECT_CONFIRM_30MIN], M(DUE + 31, 10, 0));
    assert_int_equal(s.cut_min, M(DUE + 31, 10, 30));
    assert_int_equal(s.ntaken[COLLECT_REMINDER], 1);
    assert_int_equal(s.ntaken[COLLECT_SMS], 1);
}

static void test_confirmation_never_served(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, LEDGER_CLASS_RESIDENTIAL, 2);
    s.serve_timed = 0; /* the collector never reaches the customer */
    run(&s, DUE + 1, DUE + 45, unpaid_200, 1);
    assert_int_equal(s.cut_min, -1);
    assert_true(s.ntaken[COLLECT_CONFIRM_30MIN] >= 5); /* tried again each allowed day */
}

static void test_non_residential_timed_notices(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, LEDGER_CLASS_COMMERCIAL, 2);
    run(&s, DUE + 1, DUE + 60, unpaid_200, 1);
    assert_int_equal(s.cut_min, -1); /* 200.00 is under the 500.00 non-residential threshold */
    assert_int_equal(s.ntaken[COLLECT_DISCONNECT_NOTICE], 0);
    assert_int_equal(s.ntaken[COLLECT_PUBLIC_NOTICE], 0);
    s.cfg.min_cut_fen[LEDGER_CLASS_COMMERCIAL] = 20000;
    memset(s.ntaken, 0, sizeof s.ntaken);
    s.n = 0;
    run(&s, DUE + 1, DUE + 60, unpaid_200, 1);
    check_cut(&s, 20000);
    assert_int_equal(s.first_taken[COLLECT_NOTICE_1H], M(DUE + 31, 10, 0));
    assert_int_equal(s.first_taken[COLLECT_CONFIRM_30MIN], M(DUE + 31, 10, 30));
    assert_int_equal(s.cut_min, M(DUE + 31, 11, 0));
}

static void penalty_only(sim *s, int32_t day, int64_t now, ledger_arrears *a)
{
    (void)s;
    (void)now;
    *a = owing(DUE, day, 0, 1239);
}

static void test_penalty_only_reminded_never_cut(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, LEDGER_CLASS_RESIDENTIAL, 2);
    run(&s, DUE + 1, DUE + 200, penalty_only, 0);
    assert_int_equal(s.cut_min, -1);
    assert_true(s.ntaken[COLLECT_SMS] + s.ntaken[COLLECT_PHONE] + s.ntaken[COLLECT_WRITTEN_NOTICE] >= 1);
    assert_int_equal(s.ntaken[COLLECT_DISCONNECT_NOTICE], 0);
    assert_int_equal(s.ntaken[COLLECT_PUBLIC_NOTICE], 0);
    assert_int_equal(s.ntaken[COLLECT_LEGAL], 0);
}

/* The notice of adverse reporting as a ladder step (C's ladder with it at
 * day 15): taken once in the episode, on its day, and not for a penalty
 * alone (only overdue principal is reported). */
static void with_credit_report_notice(sim *s)
{
    collect_ladder *l = &s->cfg.ladder[2];
    int at = 0;
    while (at < l->nsteps && l->steps[at].day < 15)
        at++;
    memmove(&l->steps[at + 1], &l->steps[at], (size_t)(l->nsteps - at) * sizeof l->steps[0]);
    l->steps[at] = (collect_step){15, 1, COLLECT_CREDIT_REPORT_NOTICE, "letter"};
    l->nsteps++;
}

static void test_credit_report_notice_once(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, LEDGER_CLASS_RESIDENTIAL, 2);
    with_credit_report_notice(&s);
    run(&s, DUE - 5, DUE + 60, unpaid_200, 1);
    assert_int_equal(s.ntaken[COLLECT_CREDIT_REPORT_NOTICE], 1);
    assert_int_equal(s.first_taken[COLLECT_CREDIT_REPORT_NOTICE], M(DUE + 15, 10, 0));
    check_cut(&s, 20000); /* the cut's rules are as before */
    assert_int_equal(s.cut_min, M(DUE + 31, 10, 30));
    sim_init(&s, LEDGER_CLASS_RESIDENTIAL, 2);
    with_credit_report_notice(&s);
    run(&s, DUE + 1, DUE + 60, penalty_only, 0);
    assert_int_equal(s.ntaken[COLLECT_CREDIT_REPORT_NOTICE], 0);
}

static void one_fen_short(sim *s, int32_t day, int64_t now, ledger_arrears *a)
{
    (void)s;
    (void)now;
    *a = owing(DUE, day, 1, 500);
}

static void test_token_remainder_never_to_court(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, LEDGER_CLASS_RESIDENTIAL, 2);
    run(&s, DUE + 1, DUE + 200, one_fen_short, 0);
    assert_int_equal(s.cut_min, -1);
    assert_int_equal(s.ntaken[COLLECT_PUBLIC_NOTICE], 0);
    assert_int_equal(s.ntaken[COLLECT_LEGAL], 0);
}

/* Grade A until day 28, then C (a theft confirmed, or the score falls): the
 * C ladder's notice day (20) is past, but no notice was served: the notice
 * goes on day 28 and the cut waits 7 days from it (day 35), not day 31. */
static void grade_drop(sim *s, int32_t day, int64_t now, ledger_arrears *a)
{
    s->cust.grade = day >= DUE + 28 ? 2 : 0;
    unpaid_200(s, day, now, a);
}

static void test_grade_drop_never_shortens_notice(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, LEDGER_CLASS_RESIDENTIAL, 0);
    run(&s, DUE + 1, DUE + 60, grade_drop, 1);
    check_cut(&s, 20000);
    assert_int_equal(s.first_taken[COLLECT_DISCONNECT_NOTICE], M(DUE + 28, 10, 0));
    assert_true(s.cut_min >= s.first_taken[COLLECT_DISCONNECT_NOTICE] + 7 * DAYM);
    /* exactly 7 days after the notice: Monday 10:00, confirmed at 09:30 (a
     * timed wake the evening before's run set) */
    assert_int_equal(s.cut_min, M(DUE + 35, 10, 0));
    assert_int_equal(s.first_taken[COLLECT_CONFIRM_30MIN], M(DUE + 35, 9, 30));
}

/* A payment lands between the confirmation (10:00) and the cut (10:30). */
static void paid_at_1015(sim *s, int32_t day, int64_t now, ledger_arrears *a)
{
    if (day == DUE + 31 && now >= M(DUE + 31, 10, 15)) {
        *a = owing(DUE, day, 0, 0);
        return;
    }
    unpaid_200(s, day, now, a);
    if (day > DUE + 31)
        *a = owing(DUE, day, 0, 0);
}

static void test_payment_between_confirmation_and_cut(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, LEDGER_CLASS_RESIDENTIAL, 2);
    run(&s, DUE + 1, DUE + 40, paid_at_1015, 0);
    assert_int_equal(s.ntaken[COLLECT_CONFIRM_30MIN], 1);
    assert_int_equal(s.cut_min, -1);
    int cancelled = 0;
    for (int i = 0; i < s.n; i++)
        cancelled += s.rec[i].action == COLLECT_CONFIRM_30MIN && s.rec[i].status == EPISODE_CANCELLED;
    assert_int_equal(cancelled, 0); /* it was served: it stays served, the cut is what is called off */
}

/* Paid down under the threshold after the cut: restoration at once, with the
 * next working day as its deadline. */
static void paid_after_cut(sim *s, int32_t day, int64_t now, ledger_arrears *a)
{
    (void)now;
    if (s->cut_min >= 0 && day >= DUE + 33)
        *a = owing(DUE, day, 9999, 300); /* 99.99 left, under 100.00 */
    else
        unpaid_200(s, day, now, a);
}

static void test_restoration(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, LEDGER_CLASS_RESIDENTIAL, 2);
    run(&s, DUE + 1, DUE + 40, paid_after_cut, 0);
    assert_int_equal(s.cut_min, M(DUE + 31, 10, 30));
    assert_int_equal(s.restore_min, M(DUE + 33, 10, 0)); /* Saturday 10:00: ordered at once */
    assert_int_equal(s.restore_deadline, M(DUE + 35, 10, 0)); /* next working day: Monday */
    assert_int_equal(s.ntaken[COLLECT_DISCONNECT], 1);
}

/* A notice served, then the arrears paid under the threshold, then owed again
 * 40 days later: the old notice is stale, a new one is served before a cut. */
static void comes_back(sim *s, int32_t day, int64_t now, ledger_arrears *a)
{
    (void)s;
    (void)now;
    if (day >= DUE + 25 && day < DUE + 60)
        *a = owing(DUE, day, 5000, 100);
    else
        unpaid_200(s, day, now, a);
}

static void test_stale_notice_served_again(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, LEDGER_CLASS_RESIDENTIAL, 2);
    run(&s, DUE + 1, DUE + 90, comes_back, 1);
    assert_int_equal(s.ntaken[COLLECT_DISCONNECT_NOTICE], 2);
    assert_true(s.cut_min >= M(DUE + 60 + 7, 0, 0));
    check_cut(&s, 20000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cut_boundaries),
        cmocka_unit_test(test_cut_rules_all_listed),
        cmocka_unit_test(test_episode_lowest_grade),
        cmocka_unit_test(test_confirmation_never_served),
        cmocka_unit_test(test_non_residential_timed_notices),
        cmocka_unit_test(test_penalty_only_reminded_never_cut),
        cmocka_unit_test(test_token_remainder_never_to_court),
        cmocka_unit_test(test_grade_drop_never_shortens_notice),
        cmocka_unit_test(test_payment_between_confirmation_and_cut),
        cmocka_unit_test(test_restoration),
        cmocka_unit_test(test_stale_notice_served_again),
        cmocka_unit_test(test_credit_report_notice_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
