/* test_collect.c: each ladder step on both sides of its day boundary, no
 * disconnection inside a no-cut window or without notice, payments and
 * credits clearing plans, re-planning when the earliest unpaid bill changes,
 * determinism, restoration deadlines, deposits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gridledger/collect.h"
#include "ledger_rows.h"

static int64_t M(const char *s) /* "YYYY-MM-DDTHH:MM" -> civil minute */
{
    int32_t d = 0;
    if (civdate_parse(s, 10, &d) != GL_OK || s[10] != 'T')
        fail_msg("bad minute %s", s);
    return (int64_t)d * CIVDATE_MINUTES_PER_DAY + ((s[11] - '0') * 10 + (s[12] - '0')) * 60 +
           (s[14] - '0') * 10 + (s[15] - '0');
}

static ledger_arrears overdue(int32_t oldest_due, int32_t as_of, int64_t fen)
{
    ledger_arrears a;
    memset(&a, 0, sizeof a);
    a.oldest_due = oldest_due;
    a.next_due = -1;
    a.penalty_since = -1;
    a.arrears_fen = fen;
    a.balance_fen = fen;
    a.days_overdue = as_of - oldest_due;
    return a;
}

/* owing: overdue(...) with a penalty; no principal: a penalty left since due. */
static ledger_arrears owing(int32_t due, int32_t as_of, int64_t principal, int64_t penalty)
{
    ledger_arrears a = overdue(due, as_of, principal);
    a.penalty_fen = penalty;
    a.balance_fen += penalty;
    if (principal == 0) {
        a.oldest_due = -1;
        a.penalty_since = due;
    }
    return a;
}

static const collect_item *find(const collect_plan *p, collect_action act, int next)
{
    for (int i = 0; i < p->nitems; i++)
        if (p->items[i].action == act && p->items[i].next == next)
            return &p->items[i];
    return NULL;
}

/* For every grade and every step: the day before it the previous step holds,
 * on its day it does. */
static void test_ladder_boundaries(void **state)
{
    (void)state;
    collect_cfg cfg;
    collect_cfg_default(&cfg, 3);
    int32_t due = D("2026-03-02"); /* a Monday */
    for (int g = 0; g < 3; g++) {
        const collect_ladder *l = &cfg.ladder[g];
        for (int s = 0; s < l->nsteps; s++) {
            for (int side = -1; side <= 0; side++) {
                int32_t as_of = due + l->steps[s].day + side;
                ledger_arrears a;
                if (as_of <= due) { /* before or on the due date: not yet overdue */
                    memset(&a, 0, sizeof a);
                    a.oldest_due = -1;
                    a.next_due = due;
                    a.penalty_since = -1;
                    a.not_due_fen = a.balance_fen = 1000000;
                } else {
                    a = overdue(due, as_of, 1000000); /* above every minimum */
                }
                collect_customer cust = {LEDGER_CLASS_RESIDENTIAL, 0, g};
                collect_plan p;
                assert_int_equal(collect_plan_for(&cfg, &cust, &a, as_of, &p), GL_OK);
                int want = side == 0 ? s : s - 1;
                if (p.step != want)
                    fail_msg("grade %d step %d (%s at day %d) side %d: step %d", g, s,
                             collect_action_name(l->steps[s].action), l->steps[s].day, side, p.step);
                if (side == -1 && !find(&p, l->steps[s].action, 1) && l->steps[s].action != COLLECT_DISCONNECT)
                    fail_msg("grade %d step %d: not announced as next the day before", g, s);
            }
        }
    }
}

struct slot_case {
    const char *what;
    ledger_class klass;
    int important;
    const char *due, *as_of;
    const char *holiday, *no_cut;
    const char *want_cut;     /* "" = no disconnection item */
    const char *want_confirm;
};

static void test_disconnection_is_lawful(void **state)
{
    (void)state;
    static const struct slot_case cases[] = {
        /* lowest grade: notice at day 20, cut at 31; 2026-03-02 + 31 = Thu 2026-04-02 */
        {"day 31 on a Thursday: 08:30", LEDGER_CLASS_RESIDENTIAL, 0, "2026-03-02", "2026-04-02", "", "",
         "2026-04-02T08:30", "2026-04-02T08:00"},
        {"on a Saturday: Monday", LEDGER_CLASS_RESIDENTIAL, 0, "2026-03-02", "2026-04-04", "", "", "2026-04-06T08:30",
         "2026-04-06T08:00"},
        {"Monday a holiday: Tuesday", LEDGER_CLASS_RESIDENTIAL, 0, "2026-03-02", "2026-04-04", "2026-04-06", "",
         "2026-04-07T08:30", "2026-04-07T08:00"},
        {"extreme weather declared: the day after", LEDGER_CLASS_RESIDENTIAL, 0, "2026-03-02", "2026-04-02", "",
         "2026-04-02", "2026-04-03T08:30", "2026-04-03T08:00"},
        {"non-residential: also the 1-hour notice", LEDGER_CLASS_COMMERCIAL, 0, "2026-03-02", "2026-04-02", "", "",
         "2026-04-02T08:30", "2026-04-02T08:00"},
    };
    collect_cfg cfg;
    collect_cfg_default(&cfg, 3);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct slot_case *c = &cases[i];
        collect_cfg k = cfg;
        if (c->holiday[0])
            k.cal.holidays[k.cal.nholidays++] = D(c->holiday);
        if (c->no_cut[0])
            k.cal.no_cut[k.cal.nno_cut++] = D(c->no_cut);
        ledger_arrears a = overdue(D(c->due), D(c->as_of), 100000);
        collect_customer cust = {c->klass, c->important, 2};
        collect_plan p;
        assert_int_equal(collect_plan_for(&k, &cust, &a, D(c->as_of), &p), GL_OK);
        const collect_item *cut = find(&p, COLLECT_DISCONNECT, 0), *conf = find(&p, COLLECT_CONFIRM_30MIN, 0);
        if (cut == NULL || conf == NULL)
            fail_msg("%s: no disconnect/confirm", c->what);
        if (cut->due_minute != M(c->want_cut) || conf->due_minute != M(c->want_confirm))
            fail_msg("%s: cut %lld", c->what, (long long)cut->due_minute);
        assert_true(collect_cut_allowed(&k.cal, cut->due_minute));
        assert_true(find(&p, COLLECT_NOTICE_1H, 0) != NULL || c->klass == LEDGER_CLASS_RESIDENTIAL);
    }
}

static void test_disconnection_needs_notice(void **state)
{
    (void)state;
    collect_cfg cfg;
    collect_cfg_default(&cfg, 3);
    collect_plan p;
    int32_t due = D("2026-03-02");
    /* a ladder without a written notice: the cut becomes a notice */
    collect_cfg k = cfg;
    collect_ladder *l = &k.ladder[2];
    memset(l, 0, sizeof *l);
    l->nsteps = 2;
    l->steps[0] = (collect_step){1, 1, COLLECT_SMS, "sms"};
    l->steps[1] = (collect_step){31, 1, COLLECT_DISCONNECT, "field"};
    collect_customer res = {LEDGER_CLASS_RESIDENTIAL, 0, 2};
    ledger_arrears a = overdue(due, due + 40, 100000);
    assert_int_equal(collect_plan_for(&k, &res, &a, due + 40, &p), GL_OK);
    assert_null(find(&p, COLLECT_DISCONNECT, 0));
    assert_non_null(find(&p, COLLECT_DISCONNECT_NOTICE, 0));
    /* notice at day 28, cut at day 31: residential waits 7 days (day 35), others 3 (day 31) */
    l->nsteps = 3;
    l->steps[1] = (collect_step){28, 1, COLLECT_DISCONNECT_NOTICE, "letter"};
    l->steps[2] = (collect_step){31, 1, COLLECT_DISCONNECT, "field"};
    a = overdue(due, due + 31, 100000);
    assert_int_equal(collect_plan_for(&k, &res, &a, due + 31, &p), GL_OK);
    assert_int_equal(find(&p, COLLECT_DISCONNECT, 0)->due_minute, M("2026-04-06T08:30")); /* day 35 */
    collect_customer com = {LEDGER_CLASS_INDUSTRIAL, 1, 2};
    assert_int_equal(collect_plan_for(&k, &com, &a, due + 31, &p), GL_OK);
    assert_int_equal(find(&p, COLLECT_DISCONNECT, 0)->due_minute, M("2026-04-02T08:30")); /* day 31 */
    assert_int_equal(find(&p, COLLECT_NOTICE_1H, 0)->due_minute, M("2026-04-02T07:30"));
    assert_non_null(find(&p, COLLECT_NOTIFY_AUTHORITY, 0)); /* important customer */
    /* a ladder cutting at day 20: never before day 31 */
    l->steps[0] = (collect_step){1, 1, COLLECT_SMS, "sms"};
    l->steps[1] = (collect_step){5, 1, COLLECT_DISCONNECT_NOTICE, "letter"};
    l->steps[2] = (collect_step){20, 1, COLLECT_DISCONNECT, "field"};
    a = overdue(due, due + 20, 100000);
    assert_int_equal(collect_plan_for(&k, &res, &a, due + 20, &p), GL_OK);
    assert_int_equal(find(&p, COLLECT_DISCONNECT, 0)->due_minute, M("2026-04-02T08:30"));
}

/* PRC make-up working days (调休): 2026-02-14 and 2026-02-28 are Saturdays
 * worked for the Spring Festival (2026-02-15..23, examples/holidays-cn.json). */
static void test_make_up_working_days(void **state)
{
    (void)state;
    collect_cfg cfg;
    collect_cfg_default(&cfg, 3);
    for (int32_t d = D("2026-02-15"); d <= D("2026-02-23"); d++)
        cfg.cal.holidays[cfg.cal.nholidays++] = d;
    int64_t fri = M("2026-02-13T10:00");
    /* without the make-up day: Saturday and the holiday skipped, Tuesday 24th */
    assert_int_equal(collect_restore_deadline(&cfg, LEDGER_CLASS_RESIDENTIAL, fri), M("2026-02-24T10:00"));
    assert_false(collect_cut_allowed(&cfg.cal, M("2026-02-28T10:00")));
    cfg.cal.workdays[cfg.cal.nworkdays++] = D("2026-02-14");
    cfg.cal.workdays[cfg.cal.nworkdays++] = D("2026-02-28");
    assert_int_equal(collect_restore_deadline(&cfg, LEDGER_CLASS_RESIDENTIAL, fri), M("2026-02-14T10:00"));
    assert_int_equal(collect_restore_deadline(&cfg, LEDGER_CLASS_COMMERCIAL, fri), M("2026-02-24T10:00"));
    assert_true(collect_cut_allowed(&cfg.cal, M("2026-02-28T10:00")));
    assert_false(collect_cut_allowed(&cfg.cal, M("2026-02-16T10:00"))); /* a holiday Monday */
    assert_int_equal(collect_next_slot(&cfg.cal, M("2026-02-13T17:00")), M("2026-02-14T08:30"));
}

/* credit-calc has no record: a penalty alone, or principal under the
 * thresholds, plans reminders only, never a cut, public notice or court. */
static void test_thresholds_in_plans(void **state)
{
    (void)state;
    collect_cfg cfg;
    collect_cfg_default(&cfg, 3);
    int32_t due = D("2026-03-02");
    collect_customer res = {LEDGER_CLASS_RESIDENTIAL, 0, 2};
    struct {
        int64_t principal, penalty;
        int cut, public_notice, legal;
    } rows[] = {
        {0, 1239, 0, 0, 0},           /* penalty only */
        {1, 50000, 0, 0, 0},          /* one fen of principal */
        {9999, 0, 0, 0, 0},           /* one fen under the cut threshold */
        {10000, 0, 1, 0, 0},          /* at it */
        {99999, 0, 1, 0, 0},          /* under the public-notice minimum */
        {100000, 0, 1, 1, 0},         /* at it */
        {499999, 0, 1, 1, 0},         /* under the legal minimum */
        {500000, 0, 1, 1, 1},         /* at it */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int seen_cut = 0, seen_public = 0, seen_legal = 0;
        for (int day = 1; day <= 200; day++) {
            ledger_arrears a = owing(due, due + day, rows[i].principal, rows[i].penalty);
            collect_plan p;
            assert_int_equal(collect_plan_for(&cfg, &res, &a, due + day, &p), GL_OK);
            seen_cut |= find(&p, COLLECT_DISCONNECT, 0) != NULL || find(&p, COLLECT_DISCONNECT_NOTICE, 0) != NULL;
            seen_public |= find(&p, COLLECT_PUBLIC_NOTICE, 0) != NULL;
            seen_legal |= find(&p, COLLECT_LEGAL, 0) != NULL;
        }
        if (seen_cut != rows[i].cut || seen_public != rows[i].public_notice || seen_legal != rows[i].legal)
            fail_msg("row %zu: cut %d public %d legal %d", i, seen_cut, seen_public, seen_legal);
    }
}

/* The notice of adverse reporting (征信业管理条例 art. 15) as a ladder step:
 * planned on its day like any notice (the day before it is the next step),
 * for overdue principal only (a penalty-only balance is never reported), its
 * name read and written back. */
static void test_credit_report_notice(void **state)
{
    (void)state;
    collect_cfg cfg;
    collect_cfg_default(&cfg, 3);
    collect_ladder *l = &cfg.ladder[1];
    /* B's ladder with the notice inserted at day 15, between phone (10) and written notice (20) */
    memmove(&l->steps[3], &l->steps[2], (size_t)(l->nsteps - 2) * sizeof l->steps[0]);
    l->steps[2] = (collect_step){15, 1, COLLECT_CREDIT_REPORT_NOTICE, "letter"};
    l->nsteps++;
    collect_customer c = {LEDGER_CLASS_COMMERCIAL, 0, 1};
    int32_t due = D("2026-03-02");
    static const struct {
        int day;
        int64_t principal, penalty;
        int current, next; /* credit_report_notice planned as the current step / as the next one */
    } rows[] = {
        {14, 50000, 0, 0, 1}, {15, 50000, 0, 1, 0}, {19, 50000, 0, 1, 0},
        {20, 50000, 0, 0, 0}, /* the written notice is current, the notice was the step before */
        {15, 1, 0, 1, 0},     /* one fen of principal is reported */
        {15, 0, 1239, 0, 0},  /* a penalty alone never is */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        ledger_arrears a = owing(due, due + rows[i].day, rows[i].principal, rows[i].penalty);
        collect_plan p;
        assert_int_equal(collect_plan_for(&cfg, &c, &a, due + rows[i].day, &p), GL_OK);
        const collect_item *cur = find(&p, COLLECT_CREDIT_REPORT_NOTICE, 0), *nx = find(&p, COLLECT_CREDIT_REPORT_NOTICE, 1);
        if ((cur != NULL) != rows[i].current || (nx != NULL) != rows[i].next)
            fail_msg("row %zu (day %d): current %d next %d", i, rows[i].day, cur != NULL, nx != NULL);
        if (cur != NULL) {
            assert_int_equal(cur->due_minute, (int64_t)(due + 15) * CIVDATE_MINUTES_PER_DAY);
            assert_string_equal(cur->channel, "letter");
        }
    }
    assert_string_equal(collect_action_name(COLLECT_CREDIT_REPORT_NOTICE), "credit_report_notice");
    assert_int_equal(collect_action_parse("credit_report_notice"), COLLECT_CREDIT_REPORT_NOTICE);
}

/* Plans from real ledgers: payment and credit clear, partial payment re-plans. */
struct plan_case {
    const char *what;
    const char *rows[6];
    const char *as_of;
    int want_step; /* -1 none */
};

static ledger_state g_st;

static void test_plans_from_ledgers(void **state)
{
    (void)state;
    static const struct plan_case cases[] = {
        {"unpaid 40 days, grade C: disconnection", {"2026-01-01 bill 100.00 B1 2026-01-16"}, "2026-02-25", 5},
        {"paid with the 3.90 penalty: nothing pending", {"2026-01-01 bill 100.00 B1 2026-01-16", "2026-02-24 payment 103.90 P"},
         "2026-02-25", -1},
        {"Kill Bill regression: a credit brings the balance to zero -> cleared",
         {"2026-01-01 bill 100.00 B1 2026-01-16", "2026-02-24 adjustment -103.90 A"}, "2026-02-25", -1},
        {"overpayment earlier leaves a credit: nothing",
         {"2025-12-01 payment 500.00 P0", "2026-01-01 bill 100.00 B1 2026-01-16"}, "2026-02-25", -1},
        {"partial payment of the oldest bill: re-planned from the next bill (day 10: written notice)",
         {"2026-01-01 bill 100.00 B1 2026-01-16", "2026-02-01 bill 100.00 B2 2026-02-15",
          "2026-02-24 payment 100.00 P"}, "2026-02-25", 3},
        {"the 3.90 penalty alone still owed: counted from the payment day (day 1: sms)",
         {"2026-01-01 bill 100.00 B1 2026-01-16", "2026-02-24 payment 100.00 P"}, "2026-02-25", 1},
    };
    ledger_cfg lcfg;
    ledger_cfg_default(&lcfg);
    collect_cfg cfg;
    collect_cfg_default(&cfg, 3);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ledger_entry e[6];
        int n = 0;
        for (; n < 6 && cases[i].rows[n]; n++)
            entry_of(cases[i].rows[n], &e[n]);
        ledger_account acct = {.customer = "C", .entries = e, .nentries = n};
        ledger_arrears a;
        collect_plan p1, p2;
        collect_customer cust = {LEDGER_CLASS_RESIDENTIAL, 0, 2};
        int32_t as_of = D(cases[i].as_of);
        assert_int_equal(ledger_begin(&g_st, &acct, &lcfg), GL_OK);
        assert_int_equal(ledger_run(&g_st, as_of), GL_OK);
        assert_int_equal(ledger_arrears_at(&g_st, as_of, &a), GL_OK);
        assert_int_equal(collect_plan_for(&cfg, &cust, &a, as_of, &p1), GL_OK);
        if (p1.step != cases[i].want_step)
            fail_msg("%s: step %d, want %d", cases[i].what, p1.step, cases[i].want_step);
        if (cases[i].want_step < 0 && a.balance_fen <= 0 && p1.nitems != 0)
            fail_msg("%s: %d items left", cases[i].what, p1.nitems);
        /* the same input gives the same plan, byte for byte */
        assert_int_equal(collect_plan_for(&cfg, &cust, &a, as_of, &p2), GL_OK);
        assert_memory_equal(&p1, &p2, sizeof p1);
    }
}

static void test_restore_and_deposit(void **state)
{
    (void)state;
    collect_cfg cfg;
    collect_cfg_default(&cfg, 3);
    static const struct {
        ledger_class klass;
        const char *paid, *holiday, *want;
    } rows[] = {
        {LEDGER_CLASS_RESIDENTIAL, "2026-03-04T10:00", "", "2026-03-05T10:00"}, /* Wed -> Thu */
        {LEDGER_CLASS_RESIDENTIAL, "2026-03-06T16:00", "", "2026-03-09T16:00"}, /* Fri -> Mon */
        {LEDGER_CLASS_COMMERCIAL, "2026-03-06T16:00", "", "2026-03-10T16:00"},  /* Fri -> Tue */
        {LEDGER_CLASS_RESIDENTIAL, "2026-03-06T16:00", "2026-03-09", "2026-03-10T16:00"},
        {LEDGER_CLASS_RESIDENTIAL, "2026-03-07T11:00", "", "2026-03-09T11:00"}, /* Sat -> Mon */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        collect_cfg k = cfg;
        if (rows[i].holiday[0])
            k.cal.holidays[k.cal.nholidays++] = D(rows[i].holiday);
        if (collect_restore_deadline(&k, rows[i].klass, M(rows[i].paid)) != M(rows[i].want))
            fail_msg("restore row %zu", i);
    }
    /* deposits: residential only in the lowest grade, others from B down; one month of the average bill */
    assert_int_equal(collect_deposit_required(&cfg, LEDGER_CLASS_RESIDENTIAL, 0, 15000), 0);
    assert_int_equal(collect_deposit_required(&cfg, LEDGER_CLASS_RESIDENTIAL, 1, 15000), 0);
    assert_int_equal(collect_deposit_required(&cfg, LEDGER_CLASS_RESIDENTIAL, 2, 15000), 15000);
    assert_int_equal(collect_deposit_required(&cfg, LEDGER_CLASS_COMMERCIAL, 0, 15000), 0);
    assert_int_equal(collect_deposit_required(&cfg, LEDGER_CLASS_COMMERCIAL, 1, 15000), 15000);
    assert_true(collect_deposit_refundable(&cfg, D("2023-03-01"), 3, D("2026-03-01")));
    assert_false(collect_deposit_refundable(&cfg, D("2023-03-01"), 4, D("2026-03-01")));
    assert_false(collect_deposit_refundable(&cfg, D("2023-03-02"), 0, D("2026-03-01")));
    /* the cut window itself */
    assert_true(collect_cut_allowed(&cfg.cal, M("2026-03-02T08:30")));
    assert_false(collect_cut_allowed(&cfg.cal, M("2026-03-02T08:29")));
    assert_false(collect_cut_allowed(&cfg.cal, M("2026-03-02T17:00")));
    assert_false(collect_cut_allowed(&cfg.cal, M("2026-03-07T10:00"))); /* Saturday */
    assert_int_equal(collect_next_slot(&cfg.cal, M("2026-03-06T17:00")), M("2026-03-09T08:30"));
    assert_int_equal(collect_action_parse("disconnect_notice"), COLLECT_DISCONNECT_NOTICE);
    assert_int_equal(collect_action_parse("nope"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ladder_boundaries),
        cmocka_unit_test(test_disconnection_is_lawful),
        cmocka_unit_test(test_disconnection_needs_notice),
        cmocka_unit_test(test_thresholds_in_plans),
        cmocka_unit_test(test_make_up_working_days),
        cmocka_unit_test(test_plans_from_ledgers),
        cmocka_unit_test(test_restore_and_deposit),
        cmocka_unit_test(test_credit_report_notice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
