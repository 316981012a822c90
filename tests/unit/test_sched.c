/* test_sched.c: due times in civil time (DST included) and the catch-up rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "sched.h"

static int64_t at(const char *local)
{
    int64_t t = 0;
    assert_int_equal(clock_parse_local(local, &t), GL_OK);
    return t;
}

struct due_case {
    const char *tz;
    sched_job job;
    const char *after, *want;
};

static void test_next_after_table(void **state)
{
    (void)state;
    const struct due_case cases[] = {
        {"Asia/Shanghai", {.kind = SCHED_EVERY, .interval_s = 900}, "2026-01-01T08:07:13", "2026-01-01T08:15"},
        {"Asia/Shanghai", {.kind = SCHED_EVERY, .interval_s = 900}, "2026-01-01T08:15", "2026-01-01T08:30"},
        {"Asia/Shanghai", {.kind = SCHED_DAILY, .hour = 0, .minute = 5}, "2026-01-01T00:04", "2026-01-01T00:05"},
        {"Asia/Shanghai", {.kind = SCHED_DAILY, .hour = 0, .minute = 5}, "2026-01-01T00:05", "2026-01-02T00:05"},
        {"Asia/Shanghai", {.kind = SCHED_DAILY, .hour = 1}, "2026-12-31T23:00", "2027-01-01T01:00"},
        {"Asia/Shanghai", {.kind = SCHED_MONTHLY, .day = 1, .hour = 1}, "2026-01-15", "2026-02-01T01:00"},
        {"Asia/Shanghai", {.kind = SCHED_MONTHLY, .day = 28}, "2026-02-28T00:00", "2026-03-28"},
        {"Asia/Shanghai", {.kind = SCHED_MONTHLY, .day = 1}, "2026-12-05", "2027-01-01"},
        {"Asia/Shanghai", {.kind = SCHED_YEARLY, .day = 1, .hour = 2, .months_mask = 1u | 1u << 6}, "2026-01-01T03:00",
         "2026-07-01T02:00"},
        {"Asia/Shanghai", {.kind = SCHED_YEARLY, .day = 1, .hour = 2, .months_mask = 1u | 1u << 6}, "2026-07-02",
         "2027-01-01T02:00"},
        /* New York, 2024-03-10 has 23 hours: a daily 03:00 job is still at 03:00 local */
        {"America/New_York", {.kind = SCHED_DAILY, .hour = 3}, "2024-03-09T12:00", "2024-03-10T03:00"},
        {"America/New_York", {.kind = SCHED_DAILY, .hour = 3}, "2024-03-10T03:00", "2024-03-11T03:00"},
        {"America/New_York", {.kind = SCHED_DAILY, .hour = 0}, "2024-11-03T00:00", "2024-11-04T00:00"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(clock_set_timezone(cases[i].tz), GL_OK);
        int64_t got = sched_next_after(&cases[i].job, at(cases[i].after));
        if (got != at(cases[i].want)) {
            char buf[40];
            clock_format_local(got, buf, sizeof buf);
            fail_msg("case %zu: after %s got %s want %s", i, cases[i].after, buf, cases[i].want);
        }
    }
    const sched_job ny = {.kind = SCHED_DAILY, .hour = 0};
    assert_int_equal(sched_next_after(&ny, at("2024-11-03T00:00")) - at("2024-11-03T00:00"), 25 * 3600);
}

typedef struct {
    int64_t dues[64];
    int n;
} recorder;

static gl_status record(void *ctx, int64_t due, int64_t now)
{
    recorder *r = ctx;
    (void)now;
    if (r->n < 64)
        r->dues[r->n++] = due;
    return GL_OK;
}

static void test_catch_up(void **state)
{
    (void)state;
    assert_int_equal(clock_set_timezone("Asia/Shanghai"), GL_OK);
    recorder rec = {0};
    sched_job jobs[] = {
        {.name = "poll", .kind = SCHED_EVERY, .interval_s = 900, .run = record},
        {.name = "daily", .kind = SCHED_DAILY, .hour = 0, .minute = 10, .run = record},
    };
    sched_start(jobs, 2, at("2026-03-01T00:00"));
    /* the clock jumps three days ahead: the daily job runs 3 times, polling once */
    int runs = sched_run_due(jobs, 2, at("2026-03-03T23:00"), &rec, NULL);
    assert_int_equal(runs, 4);
    assert_int_equal(jobs[0].runs, 1);
    assert_int_equal(jobs[1].runs, 3);
    assert_int_equal(rec.dues[0], at("2026-03-01T00:10"));
    assert_int_equal(rec.dues[1], at("2026-03-02T00:10"));
    assert_int_equal(rec.dues[2], at("2026-03-03T00:10"));
    assert_int_equal(rec.dues[3], at("2026-03-03T23:00"));
    assert_int_equal(jobs[0].next_due, at("2026-03-03T23:15"));
    assert_int_equal(sched_earliest(jobs, 2), at("2026-03-03T23:15"));
    volatile sig_atomic_t stop = 1;
    assert_int_equal(sched_run_due(jobs, 2, at("2026-03-10"), &rec, &stop), 0);
}

/* A calendar job marked once runs once for every occurrence it missed. */
static void test_once_catch_up(void **state)
{
    (void)state;
    assert_int_equal(clock_set_timezone("Asia/Shanghai"), GL_OK);
    recorder rec = {0};
    sched_job jobs[] = {
        {.name = "collect", .kind = SCHED_DAILY, .hour = 10, .once = 1, .run = record},
        {.name = "daily", .kind = SCHED_DAILY, .hour = 10, .run = record},
    };
    sched_start(jobs, 2, at("2026-03-01T00:00"));
    assert_int_equal(sched_run_due(jobs, 2, at("2026-03-05T12:00"), &rec, NULL), 1 + 5);
    assert_int_equal(jobs[0].runs, 1);
    assert_int_equal(jobs[1].runs, 5); /* 1st to 5th */
    assert_int_equal(jobs[0].next_due, at("2026-03-06T10:00"));
    assert_int_equal(jobs[1].next_due, at("2026-03-06T10:00"));
}

static gl_status interrupted(void *ctx, int64_t due, int64_t now)
{
    record(ctx, due, now);
    return GL_EINTERRUPTED;
}

/* A job a signal stopped part way keeps its due time; a later round runs it again. */
static void test_interrupted_keeps_due(void **state)
{
    (void)state;
    assert_int_equal(clock_set_timezone("Asia/Shanghai"), GL_OK);
    recorder rec = {0};
    sched_job jobs[] = {
        {.name = "bill", .kind = SCHED_MONTHLY, .day = 1, .hour = 0, .minute = 10, .run = interrupted},
        {.name = "daily", .kind = SCHED_DAILY, .hour = 2, .minute = 30, .run = record},
    };
    sched_start(jobs, 2, at("2026-02-28T12:00"));
    assert_int_equal(sched_run_due(jobs, 2, at("2026-03-01T03:00"), &rec, NULL), 1);
    assert_int_equal(jobs[0].next_due, at("2026-03-01T00:10"));
    assert_int_equal(jobs[0].failures, 0);
    assert_int_equal(jobs[1].runs, 0);
    jobs[0].run = record;
    assert_int_equal(sched_run_due(jobs, 2, at("2026-03-01T03:00"), &rec, NULL), 2);
    assert_int_equal(rec.n, 3);
    assert_int_equal(rec.dues[1], at("2026-03-01T00:10"));
    assert_int_equal(rec.dues[2], at("2026-03-01T02:30"));
    assert_int_equal(jobs[0].next_due, at("2026-04-01T00:10"));
}

/* A job that fails the first g_fail_left runs (its transaction rolled back). */
static int g_fail_left;

static gl_status flaky(void *ctx, int64_t due, int64_t now)
{
    record(ctx, due, now);
    if (g_fail_left == 0)
        return GL_OK;
    g_fail_left -= g_fail_left > 0;
    return GL_EFULL;
}

/* A calendar job that fails runs again with the same due time after 1, then
 * 2, 4 ... minutes (not the next day or month); one that keeps failing moves
 * on after SCHED_RETRIES retries or when its next occurrence comes first; a
 * catch-up over missed days does not retry (the next occurrence is due). */
static void test_failed_retried(void **state)
{
    (void)state;
    assert_int_equal(clock_set_timezone("Asia/Shanghai"), GL_OK);
    recorder rec = {0};
    sched_job j = {.name = "grades", .kind = SCHED_YEARLY, .day = 1, .hour = 3, .months_mask = 1u << 0 | 1u << 6,
                   .run = flaky};
    g_fail_left = 2;
    sched_start(&j, 1, at("2026-12-31T12:00"));
    assert_int_equal(sched_run_due(&j, 1, at("2027-01-01T03:00"), &rec, NULL), 1);
    assert_int_equal(sched_earliest(&j, 1), at("2027-01-01T03:01"));
    assert_int_equal(sched_run_due(&j, 1, at("2027-01-01T03:00:59"), &rec, NULL), 0);
    assert_int_equal(sched_run_due(&j, 1, at("2027-01-01T03:01"), &rec, NULL), 1);
    assert_int_equal(sched_earliest(&j, 1), at("2027-01-01T03:03"));
    assert_int_equal(sched_run_due(&j, 1, at("2027-01-01T03:03"), &rec, NULL), 1);
    assert_int_equal(rec.n, 3);
    for (int i = 0; i < 3; i++) /* every run is the 1 January occurrence */
        assert_int_equal(rec.dues[i], at("2027-01-01T03:00"));
    assert_int_equal(j.failures, 2);
    assert_int_equal(j.next_due, at("2027-07-01T03:00"));
    assert_int_equal(sched_earliest(&j, 1), at("2027-07-01T03:00"));

    /* failing for good: SCHED_RETRIES retries, then the next occurrence */
    g_fail_left = -1;
    rec.n = 0;
    int64_t t = at("2027-07-01T03:00");
    int runs = 0;
    while (j.next_due == at("2027-07-01T03:00") && runs < 100) {
        runs += sched_run_due(&j, 1, t, &rec, NULL);
        t = sched_earliest(&j, 1);
    }
    assert_int_equal(runs, 1 + SCHED_RETRIES);
    assert_int_equal(j.next_due, at("2028-01-01T03:00"));
    assert_true(t - at("2027-07-01T03:00") >= 2 * 86400); /* days of retries, not minutes */

    /* a daily job retries only until its next occurrence; missed days catch up without retries */
    sched_job d = {.name = "daily", .kind = SCHED_DAILY, .hour = 0, .minute = 20, .run = flaky};
    rec.n = 0;
    sched_start(&d, 1, at("2026-03-01T00:00"));
    assert_int_equal(sched_run_due(&d, 1, at("2026-03-04T00:19:30"), &rec, NULL), 3);
    assert_int_equal(d.next_due, at("2026-03-04T00:20"));
    runs = 0;
    for (t = at("2026-03-04T00:20"); d.next_due == at("2026-03-04T00:20") && runs < 100; t = sched_earliest(&d, 1))
        runs += sched_run_due(&d, 1, t, &rec, NULL);
    assert_int_equal(runs, 1 + 10); /* 1 + 2 + ... + 512 minutes fit in the day, 1024 not */
    assert_int_equal(d.next_due, at("2026-03-05T00:20"));
    g_fail_left = 0;
}

/* SCHED_AT: the job runs at the time its context asks for (the collection's
 * confirmation and cut), once, at start when asked for then, and follows
 * a time another job moves earlier; a time already run is spent. */
static int64_t g_wake;
static int g_at_runs;
static int64_t g_at_dues[8];

static gl_status at_job(void *ctx, int64_t due, int64_t now)
{
    (void)ctx;
    (void)now;
    if (g_at_runs < 8)
        g_at_dues[g_at_runs] = due;
    g_at_runs++;
    g_wake = due == 1000 ? 1800 : INT64_MAX; /* the first run asks for 1800 */
    return GL_OK;
}

static void test_at_job(void **state)
{
    (void)state;
    sched_job j = {.name = "timed", .kind = SCHED_AT, .at = &g_wake, .run = at_job};
    g_wake = 1000;
    g_at_runs = 0;
    sched_start(&j, 1, 1000);
    assert_int_equal(sched_earliest(&j, 1), 1000); /* asked for at start */
    assert_int_equal(sched_run_due(&j, 1, 1000, NULL, NULL), 1);
    assert_int_equal(sched_earliest(&j, 1), 1800);
    assert_int_equal(sched_run_due(&j, 1, 1799, NULL, NULL), 0);
    g_wake = 1500; /* another run moves it earlier */
    assert_int_equal(sched_earliest(&j, 1), 1500);
    assert_int_equal(sched_run_due(&j, 1, 1600, NULL, NULL), 1);
    assert_int_equal(g_at_dues[1], 1500); /* run with the time it was due */
    assert_int_equal(sched_earliest(&j, 1), INT64_MAX);
    assert_int_equal(sched_run_due(&j, 1, 5000, NULL, NULL), 0); /* spent: not again */
    g_wake = 4000; /* set after the last run and already past: runs once, late */
    assert_int_equal(sched_run_due(&j, 1, 5000, NULL, NULL), 1);
    assert_int_equal(sched_run_due(&j, 1, 5000, NULL, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_after_table),
        cmocka_unit_test(test_catch_up),
        cmocka_unit_test(test_interrupted_keeps_due),
        cmocka_unit_test(test_once_catch_up),
        cmocka_unit_test(test_at_job),
        cmocka_unit_test(test_failed_retried),
    };
    return cmocka_run_group_tests_name("sched", tests, NULL, NULL);
}
