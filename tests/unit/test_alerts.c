/* test_alerts.c: an alert's life on a real store file (open once while the
 * condition stays, a deeper level replacing the shallower, acknowledged by
 * the back office and still listed, closed when the condition ends) and
 * which kinds are events, not alerts (firmware/alerts.c). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmpdir.h"

#include "alerts.h"
#include "store.h"
#include "store_peek.h"

static int setup(void **state)
{
    (void)state;
    return tmpdir_make("alerts");
}

static int64_t count(store *s, const char *sql)
{
    return store_peek(s, sql, NULL, 0);
}

#define OPEN_SQL(kind) "SELECT count(*) FROM events WHERE alert = 1 AND closed_ts IS NULL AND kind = '" kind "'"

static void test_kinds(void **state)
{
    (void)state;
    static const struct {
        const char *kind;
        int event;
    } rows[] = {{"supply_cut", 1},       {"supply_restored", 1}, {"payment", 1},          {"topup", 1},
                {"supply_cuts", 0},      {"suspected_bypass", 0}, {"prepaid_low", 0},     {"meter_offline", 0},
                {"prepaid_exhausted", 0}, {"", 0},               {NULL, 0}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (alerts_is_event(rows[i].kind) != rows[i].event)
            fail_msg("%s: event %d", rows[i].kind ? rows[i].kind : "NULL", !rows[i].event);
    const char *const *ends = alerts_ended_by("supply_restored");
    int n = 0, exhausted = 0;
    for (; ends[n] != NULL; n++)
        exhausted |= strcmp(ends[n], "prepaid_exhausted") == 0;
    assert_true(n >= 2 && exhausted);
    assert_null(alerts_ended_by("suspected_bypass")[0]);
    assert_null(alerts_ended_by(NULL)[0]);
}

static void test_alert_life(void **state)
{
    (void)state;
    store *s = NULL;
    int64_t closed = -1;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    /* open once while the condition stays */
    assert_int_equal(store_alert_open(s, 100, "suspected_bypass", "M-0118", "stuck"), GL_OK);
    assert_int_equal(store_alert_open(s, 200, "suspected_bypass", "M-0118", "stuck"), GL_EEXIST);
    assert_int_equal(count(s, "SELECT count(*) FROM events WHERE kind = 'suspected_bypass'"), 1);
    /* another subject is another alert */
    assert_int_equal(store_alert_open(s, 200, "suspected_bypass", "M-0200", "stuck"), GL_OK);
    assert_int_equal(count(s, OPEN_SQL("suspected_bypass")), 2);
    /* a deeper level replaces the shallower: one open, the earlier closed */
    assert_int_equal(store_alert_open(s, 300, "prepaid_low", "C-1", "50.00"), GL_OK);
    assert_int_equal(store_alert_open(s, 400, "prepaid_low", "C-1", "20.00"), GL_OK);
    assert_int_equal(count(s, OPEN_SQL("prepaid_low")), 1);
    assert_int_equal(count(s, "SELECT closed_ts FROM events WHERE kind = 'prepaid_low' AND detail = '50.00'"), 400);
    /* acknowledged: still open (listed), with when and by whom; once */
    assert_int_equal(store_alert_ack(s, 500, "suspected_bypass", "M-0118", "backoffice"), GL_OK);
    assert_int_equal(count(s, OPEN_SQL("suspected_bypass")), 2);
    assert_int_equal(count(s, "SELECT acked_ts FROM events WHERE subject = 'M-0118'"), 500);
    assert_int_equal(store_alert_ack(s, 600, "suspected_bypass", "M-0118", "backoffice"), GL_ENOTFOUND);
    assert_int_equal(store_alert_ack(s, 600, "suspected_bypass", "M-9999", "backoffice"), GL_ENOTFOUND);
    /* an acknowledged alert seen again is still the same one */
    assert_int_equal(store_alert_open(s, 650, "suspected_bypass", "M-0118", "stuck"), GL_EEXIST);
    /* closed when the condition ends; then nothing left to close */
    assert_int_equal(store_alert_end(s, 700, "suspected_bypass", "M-0118", &closed), GL_OK);
    assert_int_equal(closed, 1);
    assert_int_equal(store_alert_end(s, 800, "suspected_bypass", "M-0118", &closed), GL_OK);
    assert_int_equal(closed, 0);
    assert_int_equal(count(s, OPEN_SQL("suspected_bypass")), 1);
    assert_int_equal(store_alert_ack(s, 900, "suspected_bypass", "M-0118", "backoffice"), GL_ENOTFOUND);
    /* the condition back: a new alert */
    assert_int_equal(store_alert_open(s, 1000, "suspected_bypass", "M-0118", "stuck"), GL_OK);
    assert_int_equal(count(s, "SELECT count(*) FROM events WHERE kind = 'suspected_bypass' AND subject = 'M-0118'"), 2);
    /* an event is recorded closed: never an open alert */
    assert_int_equal(store_event(s, 1100, "supply_cut", "C-1", "arrears", 0), GL_OK);
    assert_int_equal(count(s, "SELECT count(*) FROM events WHERE kind = 'supply_cut' AND alert = 0"), 1);
    assert_int_equal(count(s, OPEN_SQL("supply_cut")), 0);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test_setup_teardown(test_alert_life, setup, tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
