/* test_jobs_publish.c: a row a job reports and its uplink message land
 * together (jobs_publish in the job's transaction), on a real store file.
 * An outbox that refuses every insert (a trigger raising ABORT, as a full
 * disk would) makes the job fail and keeps nothing of what it decided: no
 * collection-record row, no alert, no fee state, no grade without its
 * message. With the fault gone the next run commits both, once: one row,
 * one message; a run after that takes nothing twice. Jobs: fee control (prepaid
 * PP run dry: the exhaustion notice and its alert), collection (post-paid
 * P1 with an overdue bill), grades. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "clock.h"
#include "jobs.h"
#include "tmpdir.h"

static const char *const cfg_text =
    "{\"gateway\": {\"id\": \"gw-1\", \"area\": \"TQ-1\"}, \"store\": {\"path\": \"t.db\"},"
    " \"buses\": [{\"name\": \"lan\", \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 1502}],"
    " \"meters\": [], \"tariffs\": [\"%s/t.json\"], \"customers\": ["
    "{\"id\": \"PP\", \"name\": \"Prepaid\", \"tariff\": \"t1\", \"payment\": \"prepaid\"},"
    " {\"id\": \"P1\", \"name\": \"Postpaid\", \"tariff\": \"t1\"}]}";

static const volatile sig_atomic_t not_stopped;

typedef struct fixture {
    config *cfg;
    jobs_gw g;
    daemon_state d;
} fixture;

static int setup(void **state)
{
    (void)state;
    return tmpdir_make("jobspub") != 0 ? -1 : tmpdir_file("t.json", TMPDIR_FLAT_TARIFF);
}

/* open_jobs: the jobs' shared state over a fresh store with the ledger of
 * the two customers (as of 2026-03-10). */
static fixture *open_jobs(void)
{
    char text[2048];
    diag d;
    fixture *x = calloc(1, sizeof *x);
    assert_non_null(x);
    diag_init(&d);
    snprintf(text, sizeof text, cfg_text, dir);
    if (config_parse("t.json", text, strlen(text), &d, &x->cfg) != GL_OK)
        fail_msg("config: %s", d.count ? d.lines[0] : "?");
    x->cfg->uplink.enabled = 1; /* messages are queued for a back office */
    unlink(dbpath);
    assert_int_equal(store_open(dbpath, NULL, &x->g.store), GL_OK);
    x->g.cfg = x->cfg;
    x->g.stop = &not_stopped;
    assert_int_equal(jobs_credit_init(&x->g), GL_OK);
    assert_int_equal(jobs_bill_init(&x->g), GL_OK);
    x->d.cfg = x->cfg;
    x->d.modules = &x->g;
    store *s = x->g.store;
    assert_int_equal(store_ledger_put(s, "PP", "2026-02-01", "topup", 1000, "T-1", NULL), GL_OK);
    assert_int_equal(store_ledger_put(s, "PP", "2026-02-20", "usage", 5000, "usage/PP/2026-02-20", NULL), GL_OK);
    assert_int_equal(store_ledger_put(s, "P1", "2026-01-05", "bill", 12000, "bill/P1/2026-01", "2026-01-20"), GL_OK);
    return x;
}

static void close_jobs(fixture *x)
{
    jobs_credit_free(&x->g);
    jobs_bill_free(&x->g);
    store_close(x->g.store);
    config_free(x->cfg);
    free(x);
}

/* sql_run: SQL on a second connection to the store file (as an operator would). */
static void sql_run(const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err ? err : "?");
    sqlite3_close(db);
}

static int64_t sql_count(const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (n < 0)
        fail_msg("%s: no answer", sql);
    return n;
}

static void outbox_full(int on)
{
    sql_run(on ? "CREATE TRIGGER full BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'full'); END"
               : "DROP TRIGGER full");
}

static int64_t at(const char *local)
{
    int64_t t = 0;
    assert_int_equal(clock_parse_local(local, &t), GL_OK);
    return t;
}

/* What a job kept of one customer: rows in the collection record, its
 * actions messages, its alerts (events), their alerts messages, and kv. */
typedef struct kept {
    int64_t rows, actions, alerts, alert_msgs, fee_state;
} kept;

static kept kept_of(const char *customer)
{
    char q[5][256];
    snprintf(q[0], sizeof q[0], "SELECT count(*) FROM collection WHERE customer = '%s'", customer);
    snprintf(q[1], sizeof q[1],
             "SELECT count(*) FROM outbox WHERE kind = 'actions' AND json_extract(body, '$.customer') = '%s'", customer);
    snprintf(q[2], sizeof q[2], "SELECT count(*) FROM events WHERE subject = '%s'", customer);
    snprintf(q[3], sizeof q[3],
             "SELECT count(*) FROM outbox WHERE kind IN ('alerts', 'events') AND json_extract(body, '$.subject') = '%s'",
             customer);
    snprintf(q[4], sizeof q[4], "SELECT count(*) FROM kv WHERE key = 'fee.%s'", customer);
    return (kept){sql_count(q[0]), sql_count(q[1]), sql_count(q[2]), sql_count(q[3]), sql_count(q[4])};
}

static void test_feectl(void **state)
{
    (void)state;
    assert_int_equal(clock_set_timezone("Asia/Shanghai"), GL_OK);
    fixture *x = open_jobs();
    outbox_full(1);
    assert_int_not_equal(jobs_feectl(&x->d, 0, at("2026-03-10T12:00")), GL_OK);
    kept k = kept_of("PP");
    if (k.rows || k.actions || k.alerts || k.alert_msgs || k.fee_state)
        fail_msg("refused outbox: kept %lld rows, %lld actions, %lld alerts, %lld alert messages, fee state %lld",
                 (long long)k.rows, (long long)k.actions, (long long)k.alerts, (long long)k.alert_msgs,
                 (long long)k.fee_state);
    outbox_full(0);
    assert_int_equal(jobs_feectl(&x->d, 0, at("2026-03-10T13:00")), GL_OK);
    k = kept_of("PP");
    if (k.rows != 1 || k.actions != 1 || k.alerts != 1 || k.alert_msgs != 1 || k.fee_state != 1)
        fail_msg("after: %lld rows, %lld actions, %lld alerts, %lld alert messages, fee state %lld (want 1 each)",
                 (long long)k.rows, (long long)k.actions, (long long)k.alerts, (long long)k.alert_msgs,
                 (long long)k.fee_state);
    assert_int_equal(sql_count("SELECT count(*) FROM collection WHERE customer = 'PP'"
                               " AND action = 'exhaustion_notice'"), 1);
    /* the next run: nothing twice (the cut needs a relay PP has not) */
    assert_int_equal(jobs_feectl(&x->d, 0, at("2026-03-10T14:00")), GL_OK);
    k = kept_of("PP");
    assert_int_equal(k.rows, 1);
    assert_int_equal(k.actions, 1);
    assert_int_equal(k.alert_msgs, 1);
    close_jobs(x);
}

/* rows of the collection record without exactly one actions message */
static const char one_message_each[] =
    "SELECT count(*) FROM collection c WHERE (SELECT count(*) FROM outbox WHERE kind = 'actions'"
    " AND json_extract(body, '$.id') = c.id) <> 1";

static void test_collect(void **state)
{
    (void)state;
    assert_int_equal(clock_set_timezone("Asia/Shanghai"), GL_OK);
    fixture *x = open_jobs();
    int64_t t = at("2026-03-10T10:00");
    outbox_full(1);
    assert_int_not_equal(jobs_collect(&x->d, t, t), GL_OK);
    kept k = kept_of("P1");
    assert_int_equal(k.rows, 0);
    assert_int_equal(k.actions, 0);
    assert_int_equal(sql_count("SELECT count(*) FROM kv WHERE key = 'episode.P1' AND val <> ''"), 0);
    /* looked at again soon, not only tomorrow */
    assert_true(x->g.collect_wake > t && x->g.collect_wake <= t + 600);
    outbox_full(0);
    int64_t again = x->g.collect_wake;
    assert_int_equal(jobs_collect(&x->d, again, again), GL_OK);
    k = kept_of("P1");
    if (k.rows < 1 || k.actions != k.rows || sql_count(one_message_each) != 0)
        fail_msg("after: %lld rows, %lld actions messages (want one each, at least one)", (long long)k.rows,
                 (long long)k.actions);
    int64_t taken = k.rows;
    assert_int_equal(sql_count("SELECT count(*) FROM kv WHERE key = 'episode.P1' AND val <> ''"), 1);
    /* the same minute again: the notices just taken are not taken twice (the
     * cut they allow may be planned now: a new row, with its own message) */
    assert_int_equal(jobs_collect(&x->d, again, again), GL_OK);
    assert_int_equal(sql_count("SELECT count(*) FROM collection WHERE status <> 'planned'"), taken);
    assert_int_equal(sql_count(one_message_each), 0);
    close_jobs(x);
}

/* A notice taken and never served fails after notice_valid_days (30), and
 * goes up as failed: the back office's copy of the record does not keep it
 * "taken". Each failed row's newest actions message says failed. */
static void test_collect_expired(void **state)
{
    (void)state;
    assert_int_equal(clock_set_timezone("Asia/Shanghai"), GL_OK);
    fixture *x = open_jobs();
    int64_t t = at("2026-03-10T10:00");
    for (int day = 0; day < 75; day++) /* nobody serves the notices: they fail */
        assert_int_equal(jobs_collect(&x->d, t + day * 86400, t + day * 86400), GL_OK);
    int64_t failed = sql_count("SELECT count(*) FROM collection WHERE customer = 'P1' AND status = 'failed'");
    if (failed <= 0)
        fail_msg("no notice failed: %lld rows, %lld taken", (long long)sql_count("SELECT count(*) FROM collection"),
                 (long long)sql_count("SELECT count(*) FROM collection WHERE status = 'taken'"));
    /* every failed row's last actions message carries its failure */
    assert_int_equal(sql_count("SELECT count(*) FROM collection c WHERE c.status = 'failed' AND"
                               " (SELECT json_extract(body, '$.status') FROM outbox WHERE kind = 'actions'"
                               " AND json_extract(body, '$.id') = c.id ORDER BY seq DESC LIMIT 1) IS NOT 'failed'"),
                     0);
    close_jobs(x);
}

static void test_grades(void **state)
{
    (void)state;
    assert_int_equal(clock_set_timezone("Asia/Shanghai"), GL_OK);
    fixture *x = open_jobs();
    int64_t t = at("2026-07-01T03:00");
    outbox_full(1);
    assert_int_not_equal(jobs_grades(&x->d, t, t), GL_OK);
    assert_int_equal(sql_count("SELECT count(*) FROM grades"), 0);
    outbox_full(0);
    assert_int_equal(jobs_grades(&x->d, t, t + 60), GL_OK);
    assert_int_equal(sql_count("SELECT count(*) FROM grades WHERE as_of = '2026-07-01'"), 2);
    assert_int_equal(sql_count("SELECT count(*) FROM outbox WHERE kind = 'grades'"), 1);
    assert_int_equal(sql_count("SELECT json_array_length(body, '$.results') FROM outbox WHERE kind = 'grades'"), 2);
    close_jobs(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feectl),
        cmocka_unit_test(test_collect),
        cmocka_unit_test(test_collect_expired),
        cmocka_unit_test(test_grades),
    };
    return cmocka_run_group_tests_name("jobs_publish", tests, setup, tmpdir_teardown);
}
