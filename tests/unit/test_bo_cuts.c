/* test_bo_cuts.c: the console's lawfulness check of a cut, fed from a real
 * SQLite store (arrears rows, payments acknowledged, the collection-record
 * mirror), and the requests' life (requested, sent once). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tools/backoffice/bo_cuts.h"
#include "../../tools/backoffice/bo_db.h"

#define NOW 1764585000LL /* 2025-12-01 10:30 UTC, a Monday */

static char path[64];

static const char *const base[] = {
    "INSERT INTO worklist VALUES ('gw-a', '2025-11-01', 1, 'C-1', 'Zhang', 'G-01', 'B', 20000, 100, '2025-10-01', 31,"
    " 'sms', 'sms', 2, '2025-11-08')",
    /* newer than the worklist: the arrears the check takes */
    "INSERT INTO grades VALUES ('gw-a', 'C-1', '2025-11-15', 15000, 50, '2025-10-01', 45, '60', 'C', 3)",
    "INSERT INTO actions VALUES ('gw-a', 1, 'C-1', '2025-10-01', 'sms', 'sms', '2025-10-20', '2025-10-20T10:00:00+00:00',"
    " 'served', '2025-10-20T10:00:00+00:00', 'receipt', 15000, 50, 'ladder', NULL, 4)",
    "INSERT INTO actions VALUES ('gw-a', 2, 'C-1', '2025-10-01', 'disconnect_notice', 'visit', '2025-11-21',"
    " '2025-11-21T10:00:00+00:00', 'served', '2025-11-21T10:00:00+00:00', 'signed', 15000, 50, 'ladder', NULL, 5)",
    "INSERT INTO actions VALUES ('gw-a', 3, 'C-1', '2025-10-01', 'confirm_30min', 'phone', '2025-12-01T10:00',"
    " '2025-12-01T10:00', 'served', '2025-12-01T10:00', 'answered', 15000, 50, 'timed', NULL, 6)",
    /* an older episode: not looked at */
    "INSERT INTO actions VALUES ('gw-a', 0, 'C-1', '2025-01-01', 'legal', 'court', '2025-03-01', NULL, 'planned', NULL,"
    " NULL, 15000, 50, 'old', NULL, 2)",
};

static bo_db *open_store(void)
{
    bo_db *db = NULL;
    snprintf(path, sizeof path, "/tmp/test_bo_cuts.%d.db", (int)getpid());
    unlink(path);
    assert_int_equal(bo_db_open(&bo_db_sqlite_ops, path, &db, NULL, 0), GL_OK);
    assert_int_equal(bo_cuts_schema(db), GL_OK);
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
        assert_int_equal(bo_db_exec(db, base[i], 0, NULL, NULL), GL_OK);
    return db;
}

static void close_store(bo_db *db)
{
    bo_db_close(db);
    unlink(path);
}

static void checks_from_the_store(void **state)
{
    (void)state;
    static const struct {
        const char *what, *sql1, *sql2;
        int lawful, nrules;
        const char *failed; /* the broken rules, comma-separated */
        const char *principal;
    } cases[] = {
        {"the record and the newest arrears: lawful", NULL, NULL, 1, 7, "", "150.00"},
        {"a payment the gateway applied since: under the threshold",
         "INSERT INTO downlink VALUES ('gw-a', 1, 'payments', 1, 2, 'C-1', 6000, 'BANK-1', '2025-11-20', '{}')",
         "INSERT INTO acks VALUES ('gw-a', 7, 1, 'payments', 1, 'applied', '')", 0, 7, "threshold", "90.00"},
        {"a payment not yet acknowledged: not counted",
         "INSERT INTO downlink VALUES ('gw-a', 1, 'payments', 1, 2, 'C-1', 6000, 'BANK-1', '2025-11-20', '{}')", NULL,
         1, 7, "", "150.00"},
        {"a payment refused by the gateway: not counted",
         "INSERT INTO downlink VALUES ('gw-a', 1, 'payments', 1, 2, 'C-1', 6000, 'BANK-1', '2025-11-20', '{}')",
         "INSERT INTO acks VALUES ('gw-a', 7, 1, 'payments', 1, 'refused', 'unknown')", 1, 7, "", "150.00"},
        {"a one-hour notice in the record: non-residential (threshold 500.00), taken too early",
         "INSERT INTO actions VALUES ('gw-a', 4, 'C-1', '2025-10-01', 'notice_1h', 'phone', '2025-12-01T08:00',"
         " '2025-12-01T08:00', 'served', '2025-12-01T08:00', 'answered', 15000, 50, 'timed', NULL, 7)",
         NULL, 0, 8, "threshold,notice_1h", "150.00"},
        {"a garbled time of service: not served",
         "UPDATE actions SET served = '2025-13-45T99:99' WHERE id = 1", NULL, 0, 7, "reminder", "150.00"},
        {"a newer episode without notices",
         "INSERT INTO actions VALUES ('gw-a', 5, 'C-1', '2025-11-30', 'sms', 'sms', '2025-11-30', NULL, 'planned', NULL,"
         " NULL, 15000, 50, 'ladder', NULL, 8)",
         NULL, 0, 7, "reminder,notice,notice_days,confirm", "150.00"},
    };
    collect_cfg cfg;
    collect_cfg_default(&cfg, 5);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bo_db *db = open_store();
        if (cases[i].sql1)
            assert_int_equal(bo_db_exec(db, cases[i].sql1, 0, NULL, NULL), GL_OK);
        if (cases[i].sql2)
            assert_int_equal(bo_db_exec(db, cases[i].sql2, 0, NULL, NULL), GL_OK);
        episode_cut_check chk;
        bo_cuts_basis b;
        assert_int_equal(bo_cuts_check(db, &cfg, "gw-a", "C-1", NOW, &chk, &b), GL_OK);
        char failed[128] = "";
        for (int k = 0; k < chk.nrules; k++)
            if (!chk.rules[k].ok)
                snprintf(failed + strlen(failed), sizeof failed - strlen(failed), "%s%s", failed[0] ? "," : "",
                         chk.rules[k].name);
        cJSON *j = bo_cuts_check_json(&chk, &b);
        const char *principal = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "basis"), "principal")->valuestring;
        if (chk.lawful != cases[i].lawful || chk.nrules != cases[i].nrules || strcmp(failed, cases[i].failed) != 0 ||
            strcmp(principal, cases[i].principal) != 0)
            fail_msg("%s: lawful %d rules %d failed [%s] principal %s", cases[i].what, chk.lawful, chk.nrules, failed,
                     principal);
        assert_string_equal(b.as_of, "2025-11-15");
        cJSON_Delete(j);
        close_store(db);
    }
}

static void unknown_customer_refused(void **state)
{
    (void)state;
    bo_db *db = open_store();
    collect_cfg cfg;
    collect_cfg_default(&cfg, 5);
    episode_cut_check chk;
    bo_cuts_basis b;
    assert_int_equal(bo_cuts_check(db, &cfg, "gw-a", "C-404", NOW, &chk, &b), GL_OK);
    assert_int_equal(chk.lawful, 0);
    assert_string_equal(chk.rules[0].name, "threshold");
    assert_int_equal(chk.rules[0].ok, 0);
    assert_string_equal(b.as_of, "");
    close_store(db);
}

static void request_life(void **state)
{
    (void)state;
    bo_db *db = open_store();
    long long id = 0, id2 = 0;
    bo_cuts_req r;
    assert_int_equal(bo_cuts_add(db, "gw-a", "C-1", "disconnect", "arrears", "li", NOW, "{}", &id), GL_OK);
    assert_int_equal(bo_cuts_add(db, "gw-a", "C-1", "reconnect", "paid", "li", NOW, "{}", &id2), GL_OK);
    assert_true(id == 1 && id2 == 2);
    assert_int_equal(bo_cuts_get(db, 1, &r), GL_OK);
    assert_string_equal(r.state, "requested");
    assert_string_equal(r.command, "disconnect");
    assert_int_equal(bo_cuts_get(db, 9, &r), GL_ENOTFOUND);
    assert_int_equal(bo_cuts_decide(db, 1, "sent", "wang", NOW + 60, 7, "{\"lawful\":true}"), GL_OK);
    assert_int_equal(bo_cuts_decide(db, 1, "rejected", "wang", NOW + 61, 0, "{}"), GL_ESTATE); /* decided once */
    assert_int_equal(bo_cuts_decide(db, 2, "rejected", "wang", NOW + 62, 0, "{}"), GL_OK);
    char v[64] = "";
    const char *p[] = {""};
    assert_int_equal(bo_db_scalar(db, "SELECT state || ',' || down_seq FROM console_commands WHERE id = 1", 0, NULL, v,
                                  sizeof v), GL_OK);
    assert_string_equal(v, "sent,7");
    assert_int_equal(bo_db_scalar(db, "SELECT COUNT(*) FROM console_commands WHERE decided_ts IS NOT NULL", 0, p, v,
                                  sizeof v), GL_OK);
    assert_string_equal(v, "2");
    close_store(db);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(checks_from_the_store),
        cmocka_unit_test(unknown_customer_refused),
        cmocka_unit_test(request_life),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
