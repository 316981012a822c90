/* test_grade.c: scorecard, every override, one step up per cycle (never from
 * the lowest grade to the top), new customers, five grades by config, the
 * explanation adding up to the score. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gridledger/grade.h"
#include "ledger_rows.h"

#define CAP 200

static ledger_state g_st;

struct grade_case {
    const char *what;
    const char *start;
    int months;
    int pay_after_due; /* days after the due date each bill is paid; INT32_MIN never */
    int late[64];      /* per-bill override of pay_after_due */
    const char *extra[6];
    const char *as_of;
    const char *want_grade;
    grade_reason want_reason;
};

static void run(const struct grade_case *c, const grade_cfg *gcfg, grade_result *r)
{
    static ledger_entry e[CAP];
    int n = gen_monthly(e, CAP, D(c->start), c->months, 10000, c->pay_after_due, c->late);
    for (int i = 0; i < 6 && c->extra[i]; i++)
        entry_of(c->extra[i], &e[n++]);
    sort_entries(e, n);
    ledger_account acct = {.customer = "C", .entries = e, .nentries = n};
    ledger_cfg lcfg;
    ledger_cfg_default(&lcfg);
    assert_int_equal(grade_account(&acct, &lcfg, gcfg, D(c->as_of), &g_st, r), GL_OK);
}

static void check(const struct grade_case *c, const grade_cfg *gcfg)
{
    grade_result r;
    run(c, gcfg, &r);
    if (strcmp(gcfg->names[r.grade], c->want_grade) != 0 || r.reason != c->want_reason)
        fail_msg("%s: grade %s (%s, score %lld), want %s (%s)", c->what, gcfg->names[r.grade],
                 grade_reason_name(r.reason), (long long)r.score_cp, c->want_grade, grade_reason_name(c->want_reason));
    /* every grade is explained: the components add up to the score (before clamping) */
    int64_t sum = GRADE_FULL_CP;
    for (int k = 0; k < GRADE_C_COUNT; k++)
        sum += r.comp[k].points_cp;
    sum = sum < 0 ? 0 : sum > GRADE_FULL_CP ? GRADE_FULL_CP : sum;
    assert_int_equal(sum, r.score_cp);
}

#define NEVER INT32_MIN

static void test_grades(void **state)
{
    (void)state;
    static const struct grade_case cases[] = {
        {"always on time: A", "2024-01-01", 24, -5, {0}, {NULL}, "2026-01-10", "A", GRADE_BY_SCORE},
        {"new customer paying on time stays at the start grade", "2025-11-01", 2, -5, {0}, {NULL}, "2026-01-10", "B",
         GRADE_NEW_CUSTOMER},
        {"often late (6 bills, 12 days each): C", "2024-01-01", 24, -5,
         {[12] = 12, [14] = 12, [16] = 12, [18] = 12, [20] = 12, [22] = 12}, {NULL}, "2026-01-10", "C",
         GRADE_OVERRIDE_COUNT},
        {"one bill 3 days late: still A", "2024-01-01", 24, -5, {[20] = 3}, {NULL}, "2026-01-01", "A", GRADE_BY_SCORE},
        {"two bills a few days late: B (89.50)", "2024-01-01", 24, -5, {[20] = 3, [22] = 2}, {NULL}, "2026-01-01", "B",
         GRADE_BY_SCORE},
        {"theft 2025-03 -> lowest for 24 months", "2024-01-01", 24, -5, {0}, {"2025-03-10 theft 0 T1"}, "2026-01-10", "C",
         GRADE_OVERRIDE_THEFT},
        {"theft 2023-12 -> over after 24 months, then one step per cycle (B)", "2023-06-01", 36, -5, {0},
         {"2023-12-10 theft 0 T1"}, "2026-01-01", "B", GRADE_STEP_LIMIT},
        {"illegal use 2025-06 -> lowest for 12 months", "2024-01-01", 24, -5, {0}, {"2025-06-10 illegal_use 500.00 I1",
         "2025-06-20 payment 500.00 IP"}, "2026-01-10", "C", GRADE_OVERRIDE_ILLEGAL},
        {"illegal use 2024-06 is over by 2026-01 (A again)", "2024-01-01", 24, -5, {0},
         {"2024-06-10 illegal_use 0 I1"}, "2026-01-10", "A", GRADE_BY_SCORE},
        {"three unpaid bills -> lowest", "2025-01-01", 12, -5, {[9] = NEVER, [10] = NEVER, [11] = NEVER}, {NULL},
         "2026-01-20", "C", GRADE_OVERRIDE_ARREARS},
        {"two unpaid bills: C by the score (56.00), not by the override", "2024-01-01", 24, -5,
         {[22] = NEVER, [23] = NEVER}, {NULL}, "2026-01-05", "C", GRADE_BY_SCORE},
        {"illegal use ended 2026-02-15: the grade rises only on a cycle date", "2023-01-01", 40, -5, {0},
         {"2025-02-15 illegal_use 0 I1"}, "2026-03-10", "C", GRADE_HELD_UNTIL_CYCLE},
        {"... then one step at the July cycle", "2023-01-01", 44, -5, {0}, {"2025-02-15 illegal_use 0 I1"},
         "2026-07-01", "B", GRADE_STEP_LIMIT},
        {"bounced payments count", "2024-01-01", 24, -5, {0},
         {"2025-10-20 bounced 100.00 P21", "2025-11-20 bounced 100.00 P22"}, "2026-01-10", "C",
         GRADE_BY_SCORE},
    };
    grade_cfg g;
    grade_cfg_default(&g);
    assert_int_equal(grade_cfg_check(&g), GL_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check(&cases[i], &g);
}

/* The yearly count rule: more than max_overdue_per_year overdue bills in
 * the window puts the customer in the lowest grade, whatever the score
 * (here an overdue bill costs 1 point, so the score alone says A). */
static void test_count_rule(void **state)
{
    (void)state;
    static const struct {
        int max, nlate;
        const char *grade;
        grade_reason reason;
    } rows[] = {
        {5, 5, "A", GRADE_BY_SCORE},       {5, 6, "C", GRADE_OVERRIDE_COUNT}, {5, 7, "C", GRADE_OVERRIDE_COUNT},
        {0, 8, "A", GRADE_BY_SCORE},       {3, 3, "A", GRADE_BY_SCORE},       {3, 4, "C", GRADE_OVERRIDE_COUNT},
        {5, 0, "A", GRADE_BY_SCORE},
    };
    grade_cfg g;
    grade_cfg_default(&g);
    g.weight_cp[GRADE_C_OVERDUE_BILLS] = 100;
    g.weight_cp[GRADE_C_DAYS_LATE] = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct grade_case c = {"count rule", "2024-01-01", 24, -5, {0}, {NULL}, "2026-01-10", rows[i].grade,
                               rows[i].reason};
        for (int k = 0; k < rows[i].nlate; k++)
            c.late[23 - k] = 2; /* the latest bills, each 2 days late, paid */
        g.max_overdue_per_year = rows[i].max;
        assert_int_equal(grade_cfg_check(&g), GL_OK);
        check(&c, &g);
    }
    g.max_overdue_per_year = 25;
    assert_int_equal(grade_cfg_check(&g), GL_ECONFIG);
}

/* From the lowest grade, never straight to the top: after theft ends the
 * grade climbs C -> B -> A on successive cycle dates. */
static void test_no_jump_from_lowest_to_top(void **state)
{
    (void)state;
    static const struct {
        const char *as_of, *grade;
    } steps[] = {
        {"2025-06-30", "C"}, {"2025-07-01", "C"}, /* theft 2023-07-05 + 24 months = 2025-07-05 */
        {"2025-12-31", "C"}, {"2026-01-01", "B"}, {"2026-06-30", "B"}, {"2026-07-01", "A"},
    };
    grade_cfg g;
    grade_cfg_default(&g);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        struct grade_case c = {"steps", "2023-01-01", 48, -5, {0}, {"2023-07-05 theft 0 T1"}, steps[i].as_of, "", 0};
        grade_result r;
        run(&c, &g, &r);
        if (strcmp(g.names[r.grade], steps[i].grade) != 0)
            fail_msg("%s: %s (%s, score %lld, comp %lld %lld %lld), want %s", steps[i].as_of, g.names[r.grade],
                     grade_reason_name(r.reason), (long long)r.score_cp, (long long)r.comp[0].value,
                     (long long)r.comp[1].value, (long long)r.comp[2].value, steps[i].grade);
    }
}

static void test_five_grades_by_config(void **state)
{
    (void)state;
    grade_cfg g;
    grade_cfg_default(&g);
    g.ngrades = 5;
    const char *names[] = {"AAA", "AA", "A", "B", "C"};
    const int64_t mins[] = {9000, 8000, 7000, 6000, 0};
    for (int i = 0; i < 5; i++) {
        snprintf(g.names[i], GRADE_NAME_MAX, "%s", names[i]);
        g.min_cp[i] = mins[i];
    }
    g.start_grade = 2;
    assert_int_equal(grade_cfg_check(&g), GL_OK);
    /* 4 bills 6 days late: 100 - 4*5 - 24*0.2 = 75.2 -> "A" (70..80) */
    struct grade_case c = {"five grades", "2024-01-01", 24, -5, {[14] = 6, [16] = 6, [18] = 6, [20] = 6}, {NULL},
                           "2026-01-01", "A", GRADE_BY_SCORE};
    check(&c, &g);
    struct grade_case t = {"five grades, theft", "2024-01-01", 24, -5, {0}, {"2025-05-01 theft 0 T"}, "2026-01-01",
                           "C", GRADE_OVERRIDE_THEFT};
    check(&t, &g);
    g.min_cp[4] = 100;
    assert_int_equal(grade_cfg_check(&g), GL_ECONFIG);
    g.min_cp[4] = 0;
    g.min_cp[3] = 7000;
    assert_int_equal(grade_cfg_check(&g), GL_ECONFIG);
}

static void test_score_components(void **state)
{
    (void)state;
    grade_cfg g;
    grade_cfg_default(&g);
    grade_metrics m = {.overdue_bills = 3, .days_late = 20, .overdue_ratio_pm = 1500, .bounced = 1, .run_dry = 2,
                       .streak = 4};
    grade_result r;
    grade_score(&g, &m, &r);
    /* 100 - 15 - 4 - 15 - 10 - 6 + 2 = 52 */
    assert_int_equal(r.comp[GRADE_C_OVERDUE_BILLS].points_cp, -1500);
    assert_int_equal(r.comp[GRADE_C_DAYS_LATE].points_cp, -400);
    assert_int_equal(r.comp[GRADE_C_OVERDUE_RATIO].points_cp, -1500);
    assert_int_equal(r.comp[GRADE_C_BOUNCED].points_cp, -1000);
    assert_int_equal(r.comp[GRADE_C_RUN_DRY].points_cp, -600);
    assert_int_equal(r.comp[GRADE_C_STREAK].points_cp, 200);
    assert_int_equal(r.score_cp, 5200);
    assert_int_equal(r.score_grade, 2);
    /* boundaries: 90.00 is A, 89.99 is B, 70.00 B, 69.99 C */
    static const struct {
        int days;
        int grade;
    } b[] = {{50, 0}, {51, 1}, {150, 1}, {151, 2}};
    for (size_t i = 0; i < 4; i++) {
        grade_cfg g2 = g;
        g2.weight_cp[GRADE_C_DAYS_LATE] = 20;
        g2.cap[GRADE_C_DAYS_LATE] = 1000;
        grade_metrics m2 = {.days_late = b[i].days};
        int64_t pts = 0;
        grade_score(&g2, &m2, &r);
        pts = r.score_cp;
        (void)pts;
        /* 50 days -> 90.00; 51 -> 89.80; 150 -> 70.00; 151 -> 69.80 */
        if (r.score_grade != b[i].grade)
            fail_msg("%d days: score %lld grade %d", b[i].days, (long long)r.score_cp, r.score_grade);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grades),
        cmocka_unit_test(test_no_jump_from_lowest_to_top),
        cmocka_unit_test(test_count_rule),
        cmocka_unit_test(test_five_grades_by_config),
        cmocka_unit_test(test_score_components),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
