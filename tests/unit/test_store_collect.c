/* test_store_collect.c: the collection record on a real SQLite file: rows
 * in and out unchanged, an episode's newest rows oldest first, service
 * recorded once, pending steps cancelled (served ones kept), unserved
 * notices failed after their validity, a planned cut moved, not doubled. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store_collect.h"

static char path[64];

static store *open_fresh(void)
{
    snprintf(path, sizeof path, "/tmp/gl-coll-%d.db", (int)getpid());
    unlink(path);
    store *s = NULL;
    assert_int_equal(store_open(path, NULL, &s), GL_OK);
    return s;
}

static void close_rm(store *s)
{
    char p[80];
    store_close(s);
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static store_collect_row row(const char *customer, const char *action, const char *status, int64_t taken)
{
    store_collect_row r;
    memset(&r, 0, sizeof r);
    snprintf(r.customer, sizeof r.customer, "%s", customer);
    snprintf(r.episode, sizeof r.episode, "2026-03-02");
    snprintf(r.action, sizeof r.action, "%s", action);
    snprintf(r.channel, sizeof r.channel, "phone");
    snprintf(r.status, sizeof r.status, "%s", status);
    snprintf(r.reason, sizeof r.reason, "why %s", action);
    r.planned_ts = taken;
    r.taken_ts = strcmp(status, "planned") == 0 ? -1 : taken;
    r.served_ts = strcmp(status, "served") == 0 ? taken + 5 : -1;
    r.deadline_ts = -1;
    r.principal_fen = 20000;
    r.penalty_fen = 123;
    return r;
}

typedef struct seen {
    int n;
    store_collect_row last;
} seen;

static int count_row(void *ctx, const store_collect_row *r)
{
    seen *s = ctx;
    s->n++;
    s->last = *r;
    return 0;
}

static void test_round_trip_and_episode_order(void **state)
{
    (void)state;
    store *s = open_fresh();
    int64_t id = 0;
    for (int i = 0; i < 5; i++) {
        store_collect_row r = row("C1", i % 2 ? "sms" : "phone", "taken", 1000 + i);
        assert_int_equal(store_collect_add(s, &r, &id), GL_OK);
        assert_int_equal(id, i + 1);
    }
    store_collect_row r = row("C2", "sms", "served", 5000);
    snprintf(r.proof, sizeof r.proof, "dlr 42");
    assert_int_equal(store_collect_add(s, &r, &id), GL_OK);
    store_collect_row got[3];
    int n = 0;
    assert_int_equal(store_collect_episode(s, "C1", "2026-03-02", got, 3, &n), GL_OK);
    assert_int_equal(n, 3); /* the newest three, oldest first */
    assert_int_equal(got[0].id, 3);
    assert_int_equal(got[2].id, 5);
    assert_int_equal(got[2].principal_fen, 20000);
    assert_int_equal(got[2].served_ts, -1);
    seen sn = {0};
    assert_int_equal(store_collect_each(s, "C2", 0, INT64_MAX, count_row, &sn), GL_OK);
    assert_int_equal(sn.n, 1);
    assert_string_equal(sn.last.proof, "dlr 42");
    assert_int_equal(sn.last.served_ts, 5005);
    sn.n = 0;
    assert_int_equal(store_collect_each(s, NULL, 1001, 1003, count_row, &sn), GL_OK);
    assert_int_equal(sn.n, 2); /* [from, to) */
    close_rm(s);
}

static void test_serve_cancel_expire(void **state)
{
    (void)state;
    store *s = open_fresh();
    store_collect_row rs[] = {row("C1", "disconnect_notice", "taken", 100), row("C1", "confirm_30min", "taken", 200),
                              row("C1", "sms", "served", 50), row("C1", "disconnect", "planned", 300)};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(store_collect_add(s, &rs[i], NULL), GL_OK);
    int64_t id = 0;
    assert_int_equal(store_collect_serve(s, "C1", "disconnect_notice", 0, 150, "posted 2026-03-22", &id), GL_OK);
    assert_int_equal(id, 1);
    assert_int_equal(store_collect_serve(s, "C1", "disconnect_notice", 0, 160, "again", &id), GL_ENOTFOUND);
    assert_int_equal(store_collect_serve(s, "C9", "sms", 0, 160, "x", &id), GL_ENOTFOUND);
    /* the planned cut moves (the same row updated) rather than doubling */
    store_collect_row plan = row("C1", "disconnect", "planned", 400);
    plan.id = 4;
    assert_int_equal(store_collect_update(s, &plan), GL_OK);
    plan.id = 99;
    assert_int_equal(store_collect_update(s, &plan), GL_ENOTFOUND);
    store_collect_row got[8];
    int n = 0, cancelled = 0;
    assert_int_equal(store_collect_episode(s, "C1", "2026-03-02", got, 8, &n), GL_OK);
    assert_int_equal(n, 4);
    assert_int_equal(got[3].planned_ts, 400);
    assert_int_equal(store_collect_cancel_pending(s, "C1", "2026-03-02", 500, &cancelled), GL_OK);
    assert_int_equal(cancelled, 2); /* the unserved confirmation and the planned cut */
    assert_int_equal(store_collect_episode(s, "C1", "2026-03-02", got, 8, &n), GL_OK);
    assert_string_equal(got[0].status, "served"); /* the served notice stays served */
    assert_string_equal(got[1].status, "cancelled");
    assert_string_equal(got[3].status, "cancelled");
    store_collect_row late = row("C1", "written_notice", "taken", 600);
    assert_int_equal(store_collect_add(s, &late, NULL), GL_OK);
    assert_int_equal(store_collect_expire(s, "C1", "2026-03-02", 700), GL_OK);
    assert_int_equal(store_collect_episode(s, "C1", "2026-03-02", got, 8, &n), GL_OK);
    assert_string_equal(got[n - 1].status, "failed");
    close_rm(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_and_episode_order),
        cmocka_unit_test(test_serve_cancel_expire),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
