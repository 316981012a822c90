/* test_bo_ingest.c: the back office's ingest against a real SQLite file and,
 * when BO_TEST_PG holds a conninfo (tests/integration/backoffice_db.sh starts
 * a PostgreSQL for it), against PostgreSQL: the same table of messages, the
 * same expected tables on both. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tools/backoffice/bo_db.h"
#include "../../tools/backoffice/bo_ingest.h"

#define BILL(id, cust, total, area) \
    "{\"id\":\"" id "\",\"customer\":\"" cust "\",\"period\":{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\"}," \
    "\"tariff\":\"bj-res\",\"lines\":[],\"total\":\"" total "\",\"currency\":\"CNY\",\"area\":\"" area "\"," \
    "\"due\":\"2024-02-15\",\"estimated\":false}"

#define BILL_DUE(id, cust, due) \
    "{\"id\":\"" id "\",\"customer\":\"" cust "\",\"total\":\"1.00\",\"area\":\"TQ-1\",\"due\":\"" due "\"}"
#define GRADES(cust, grade) \
    "{\"as_of\":\"2024-04-01\",\"results\":[{\"customer\":\"" cust "\",\"arrears\":\"0.00\",\"days_overdue\":0," \
    "\"penalty\":\"0.00\",\"grade\":\"" grade "\"}]}"

#define CAP(id, date, kind, kva) \
    "{\"id\":\"" id "\",\"date\":\"" date "\",\"kind\":\"" kind "\",\"kva\":\"" kva "\"}"
#define LARGE(cust, industry, caps) \
    "{\"customer\":\"" cust "\",\"industry\":\"" industry "\",\"capacity_kva\":\"400\",\"capacity_changes\":[" caps "]}"
#define LINE(code, qty, unit) \
    "{\"code\":\"" code "\",\"description\":\"x\",\"quantity\":\"" qty "\",\"unit\":\"" unit "\",\"rate\":\"1\"," \
    "\"amount\":\"1.00\"}"
#define BILL_LINES(id, cust, lines) \
    "{\"id\":\"" id "\",\"customer\":\"" cust "\",\"lines\":[" lines "],\"total\":\"7000.00\",\"area\":\"TQ-4\"," \
    "\"due\":\"2024-07-15\"}"

struct msg_case {
    const char *topic;   /* NULL: gl/v1/GW/KIND from the envelope fields */
    const char *raw;     /* non-NULL: the payload as is */
    const char *gw;
    long long seq;
    const char *kind;
    const char *body;
    bo_outcome want;
};

static const struct msg_case msgs[] = {
    {NULL, NULL, "gw-1", 1, "bills", "{\"bills\":[" BILL("C-1/2024-01", "C-1", "149.49", "TQ-1") "," BILL("C-2/2024-01", "C-2", "20.00", "TQ-1") "]}", BO_STORED},
    {NULL, NULL, "gw-1", 1, "bills", "{\"bills\":[" BILL("C-1/2024-01", "C-1", "149.49", "TQ-1") "]}", BO_DUPLICATE},
    {NULL, NULL, "gw-2", 1, "bills", "{\"bills\":[" BILL("C-9/2024-01", "C-9", "0.10", "TQ-2") "]}", BO_STORED},
    /* a newer correction of C-1's bill, then an older message arriving late */
    {NULL, NULL, "gw-1", 5, "bills", "{\"bills\":[" BILL("C-1/2024-01", "C-1", "150.00", "TQ-1") "]}", BO_STORED},
    {NULL, NULL, "gw-1", 4, "bills", "{\"bills\":[" BILL("C-1/2024-01", "C-1", "1.00", "TQ-1") "]}", BO_STORED},
    {NULL, NULL, "gw-1", 6, "grades",
     "{\"as_of\":\"2024-03-01\",\"results\":[{\"customer\":\"C-1\",\"arrears\":\"150.00\",\"oldest_due\":\"2024-02-15\","
     "\"days_overdue\":15,\"penalty\":\"0.75\",\"score\":72,\"grade\":\"B\",\"actions\":[]},"
     "{\"customer\":\"C-2\",\"arrears\":\"0.00\",\"oldest_due\":null,\"days_overdue\":0,\"penalty\":\"0.00\","
     "\"score\":95,\"grade\":\"A\",\"actions\":[]}]}",
     BO_STORED},
    {NULL, NULL, "gw-1", 7, "worklist",
     "{\"date\":\"2024-03-01\",\"rows\":[{\"customer\":\"C-1\",\"name\":\"Zhang San\",\"grid\":\"G-01\",\"grade\":\"B\","
     "\"arrears\":\"150.00\",\"penalty\":\"0.75\",\"oldest_due\":\"2024-02-15\",\"days_overdue\":15,\"action\":\"sms\","
     "\"channel\":\"sms\",\"priority\":2,\"deadline\":\"2024-03-08\"}]}",
     BO_STORED},
    {NULL, NULL, "gw-1", 8, "lineloss",
     "{\"period\":\"2024-01\",\"area\":\"TQ-1\",\"supplied_kwh\":\"1000.000\",\"sold_kwh\":\"967.900\","
     "\"loss_kwh\":\"32.100\",\"loss_pct\":\"3.21\"}",
     BO_STORED},
    {NULL, NULL, "gw-1", 9, "alerts",
     "{\"kind\":\"meter_offline\",\"subject\":\"M-0001\",\"detail\":\"no answer\",\"ts\":1700000000,\"alert\":true}",
     BO_STORED},
    {NULL, NULL, "gw-1", 10, "status",
     "{\"uptime_s\":3600,\"polls\":4,\"poll_errors\":1,\"meters_online\":2,\"meters_offline\":1,\"outbox_depth\":7,"
     "\"outbox_dropped\":0,\"db_bytes\":40960,\"last_errors\":[\"M-0001: timeout\"]}",
     BO_STORED},
    {NULL, NULL, "gw-1", 11, "ack", "{\"down_kind\":\"payments\",\"down_seq\":3,\"result\":\"applied\",\"reason\":\"\"}",
     BO_STORED},
    /* an action with a time of day: the deadline carries the minute */
    {NULL, NULL, "gw-3", 1, "worklist",
     "{\"date\":\"2024-03-02\",\"rows\":[{\"customer\":\"C-30\",\"name\":\"Li Si\",\"grid\":\"G-02\",\"grade\":\"D\","
     "\"arrears\":\"99.00\",\"penalty\":\"1.00\",\"oldest_due\":\"2024-01-15\",\"days_overdue\":47,"
     "\"action\":\"confirm_30min\",\"channel\":\"phone\",\"priority\":9,\"deadline\":\"2024-03-02T10:30\"}]}",
     BO_STORED},
    {NULL, NULL, "gw-1", 12, "readings", "{\"readings\":[{\"meter\":\"M-0001\",\"ts\":1700000000,\"status\":\"ok\"}]}",
     BO_STORED},
    /* malformed: each refused, nothing stored, counted */
    {"gl/v1/gw-1/bills", "{\"v\":1,", NULL, 0, NULL, NULL, BO_REJECTED},
    {"gl/v1/gw-1/bills", "[1,2]", NULL, 0, NULL, NULL, BO_REJECTED},
    {"gl/v1/gw-1/bills", "{\"v\":1,\"gateway\":\"gw-1\",\"ts\":1,\"kind\":\"bills\",\"body\":{\"bills\":[]}}", NULL, 0,
     NULL, NULL, BO_REJECTED}, /* no seq */
    {"gl/v1/gw-1/bills", "{\"v\":2,\"gateway\":\"gw-1\",\"seq\":20,\"ts\":1,\"kind\":\"bills\",\"body\":{\"bills\":[]}}",
     NULL, 0, NULL, NULL, BO_REJECTED}, /* version */
    {"gl/v1/gw-1/bills", "{\"v\":1,\"gateway\":\"gw-1\",\"seq\":0,\"ts\":1,\"kind\":\"bills\",\"body\":{\"bills\":[]}}",
     NULL, 0, NULL, NULL, BO_REJECTED}, /* seq 0 */
    {"gl/v1/gw-1/bills", "{\"v\":1,\"gateway\":\"gw-1\",\"seq\":1.5,\"ts\":1,\"kind\":\"bills\",\"body\":{\"bills\":[]}}",
     NULL, 0, NULL, NULL, BO_REJECTED}, /* fractional seq */
    {"gl/v1/gw-X/bills", NULL, "gw-1", 21, "bills", "{\"bills\":[]}", BO_REJECTED}, /* topic vs envelope */
    {"gl/v1/gw-1/bills/x", NULL, "gw-1", 22, "bills", "{\"bills\":[]}", BO_REJECTED},
    {NULL, NULL, "gw-1", 23, "frobs", "{}", BO_REJECTED},
    {NULL, NULL, "gw 1", 24, "bills", "{\"bills\":[]}", BO_REJECTED}, /* id with a space */
    {NULL, NULL, "gw-1", 25, "bills", "[]", BO_REJECTED},              /* body not an object */
    /* second bill malformed: the first is not stored either */
    {NULL, NULL, "gw-1", 26, "bills", "{\"bills\":[" BILL("C-7/2024-01", "C-7", "1.00", "TQ-1") ",{\"id\":\"C-8/2024-01\",\"customer\":\"C-8\",\"total\":149.49}]}", BO_REJECTED},
    {NULL, NULL, "gw-1", 27, "bills", "{\"bills\":[" BILL("C-7/2024-13", "C-7", "1.00", "TQ-1") "]}", BO_REJECTED},
    {NULL, NULL, "gw-1", 28, "bills", "{\"bills\":[" BILL("C-7/2024-01", "C-7", "1.001", "TQ-1") "]}", BO_REJECTED},
    {NULL, NULL, "gw-1", 29, "ack", "{\"down_kind\":\"payments\",\"down_seq\":3,\"result\":\"maybe\"}", BO_REJECTED},
    {NULL, NULL, "gw-1", 30, "lineloss", "{\"period\":\"2024-1\",\"area\":\"TQ-1\",\"supplied_kwh\":\"1\",\"sold_kwh\":\"1\",\"loss_kwh\":\"0\",\"loss_pct\":\"0\"}", BO_REJECTED},
    {NULL, NULL, "gw-1", 31, "status", "{\"uptime_s\":-1}", BO_REJECTED},
    {NULL, NULL, "gw-3", 2, "worklist",
     "{\"date\":\"2024-03-03\",\"rows\":[{\"customer\":\"C-30\",\"name\":\"Li Si\",\"grid\":\"G-02\",\"grade\":\"D\","
     "\"arrears\":\"99.00\",\"penalty\":\"1.00\",\"oldest_due\":\"2024-01-15\",\"days_overdue\":47,"
     "\"action\":\"confirm_30min\",\"channel\":\"phone\",\"priority\":9,\"deadline\":\"2024-03-03T24:30\"}]}",
     BO_REJECTED},
    /* a GBK name where UTF-8 is required: PostgreSQL would refuse the row */
    {NULL, NULL, "gw-1", 32, "alerts",
     "{\"kind\":\"meter_offline\",\"subject\":\"\xcc\xa8\xc7\xf8\",\"detail\":\"x\",\"ts\":1700000000,\"alert\":true}",
     BO_REJECTED},
    /* issue 21.9: the gateway's strictness (one checker: civdate, jsonv, the grade set), both sides */
    {NULL, NULL, "gw-1", 33, "bills", "{\"bills\":[" BILL_DUE("C-3/2024-02", "C-3", "2024-02-30") "]}", BO_REJECTED},
    {NULL, NULL, "gw-1", 34, "bills", "{\"bills\":[" BILL_DUE("C-3/2024-02", "C-3", "2023-02-29") "]}", BO_REJECTED},
    {NULL, NULL, "gw-1", 35, "bills", "{\"bills\":[" BILL_DUE("C-3/2024-02", "C-3", "2024-02-29") "]}", BO_STORED},
    {NULL, NULL, "gw-1", 36, "grades", GRADES("C-1\\u0000X", "A"), BO_REJECTED},
    {NULL, NULL, "gw-1", 37, "grades", GRADES("C-1", "Z"), BO_REJECTED},
    {NULL, NULL, "gw-1", 38, "grades", GRADES("C-1", "AAA"), BO_STORED},
    {"gl/v1/gw-1/bills", "{\"v\":1,\"gateway\":\"gw-1\",\"seq\":39,\"seq\":40,\"ts\":1,\"kind\":\"bills\","
     "\"body\":{\"bills\":[]}}", NULL, 0, NULL, NULL, BO_REJECTED}, /* two "seq" members */
    {NULL, NULL, "gw-1", 41, "worklist",
     "{\"date\":\"2024-03-09\",\"rows\":[{\"customer\":\"C-1\",\"name\":\"Zhang San\",\"grid\":\"G-01\",\"grade\":\"Q\","
     "\"arrears\":\"1.00\",\"penalty\":\"0.00\",\"oldest_due\":null,\"days_overdue\":0,\"action\":\"sms\","
     "\"channel\":\"sms\",\"priority\":2}]}",
     BO_REJECTED},
    /* issue 21.9: gw-2 reporting gw-1's customer and area (the first to report them owns them) */
    {NULL, NULL, "gw-2", 2, "bills", "{\"bills\":[" BILL("C-1/2024-02", "C-1", "99999.99", "TQ-2") "]}", BO_REJECTED},
    {NULL, NULL, "gw-2", 3, "bills", "{\"bills\":[" BILL("C-50/2024-02", "C-50", "99999.99", "TQ-1") "]}", BO_REJECTED},
    {NULL, NULL, "gw-2", 4, "lineloss",
     "{\"period\":\"2024-02\",\"area\":\"TQ-1\",\"supplied_kwh\":\"1\",\"sold_kwh\":\"1\",\"loss_kwh\":\"0\",\"loss_pct\":\"0\"}",
     BO_REJECTED},
    {NULL, NULL, "gw-2", 5, "grades", GRADES("C-2", "A"), BO_REJECTED},
    {NULL, NULL, "gw-2", 6, "bills", "{\"bills\":[" BILL("C-9/2024-02", "C-9", "0.20", "TQ-2") "]}", BO_STORED},
    /* large customers (kind "customers") and the energy of a bill (its "energy" lines in kWh) */
    {NULL, NULL, "gw-4", 1, "customers", "{\"customers\":[" LARGE("L-1", "C", CAP("CAP-1", "2019-01-01", "new", "315") ","
     CAP("CAP-2", "2024-06-15", "increase", "85")) "]}", BO_STORED},
    {NULL, NULL, "gw-4", 2, "customers", "{\"customers\":[" LARGE("L-1", "C", CAP("CAP-2", "2024-06-16", "increase", "99")) "]}",
     BO_STORED}, /* CAP-2 again: stored once, never changed */
    {NULL, NULL, "gw-4", 3, "customers", "{\"customers\":[" LARGE("L-2", "U", "") "]}", BO_REJECTED},
    {NULL, NULL, "gw-4", 4, "customers", "{\"customers\":[" LARGE("L-2", "c", "") "]}", BO_REJECTED},
    {NULL, NULL, "gw-4", 5, "customers", "{\"customers\":[" LARGE("L-2", "F", CAP("CAP-9", "2024-06-01", "grow", "5")) "]}",
     BO_REJECTED},
    {NULL, NULL, "gw-4", 6, "customers", "{\"customers\":[" LARGE("L-2", "F", CAP("CAP-9", "2024-06-01", "new", "0")) "]}",
     BO_REJECTED},
    {NULL, NULL, "gw-4", 7, "customers", "{\"customers\":[" LARGE("L-2", "F", CAP("CAP-9", "2023-02-29", "new", "5")) "]}",
     BO_REJECTED},
    {NULL, NULL, "gw-4", 8, "customers", "{\"customers\":[" LARGE("C-1", "F", "") "]}", BO_REJECTED}, /* gw-1's */
    {NULL, NULL, "gw-4", 9, "bills", "{\"bills\":[" BILL_LINES("L-1/2024-06", "L-1", LINE("energy.peak", "6000.000", "kWh") ","
     LINE("energy.valley@2024-06-15", "4000.5", "kWh") "," LINE("surcharge", "10000", "kWh") "," LINE("demand", "400", "kW")) "]}",
     BO_STORED},
    {NULL, NULL, "gw-4", 10, "bills", "{\"bills\":[" BILL_LINES("L-1/2024-07", "L-1", LINE("energy", "1.0001", "kWh")) "]}",
     BO_REJECTED},
    /* the gateway's bills carry energy_kwh: it wins over the lines */
    {NULL, NULL, "gw-4", 11, "bills", "{\"bills\":[{\"id\":\"L-1/2024-08\",\"customer\":\"L-1\",\"lines\":["
     LINE("energy", "5", "kWh") "],\"total\":\"1.00\",\"area\":\"TQ-4\",\"due\":\"2024-09-15\","
     "\"energy_kwh\":\"1234.567\"}]}", BO_STORED},
    {NULL, NULL, "gw-4", 12, "bills", "{\"bills\":[{\"id\":\"L-1/2024-09\",\"customer\":\"L-1\",\"total\":\"1.00\","
     "\"area\":\"TQ-4\",\"due\":\"2024-10-15\",\"energy_kwh\":12}]}", BO_REJECTED}, /* a JSON number */
};

struct table_case {
    const char *sql;
    const char *want;
};

static const struct table_case tables[] = {
    {"SELECT COUNT(*) FROM messages", "19"},
    {"SELECT value FROM counters WHERE name = 'stored'", "19"},
    {"SELECT value FROM counters WHERE name = 'duplicates'", "1"},
    {"SELECT value FROM counters WHERE name = 'rejected'", "37"},
    {"SELECT energy_wh FROM bill_energy WHERE id = 'L-1/2024-08'", "1234567"},
    {"SELECT industry || ' ' || capacity_va FROM large_customers", "C 400000"},
    {"SELECT COUNT(*) FROM large_customers WHERE customer <> 'L-1'", "0"},
    {"SELECT id || ' ' || date || ' ' || kind || ' ' || kva_va FROM capacity_changes ORDER BY id",
     "CAP-1 2019-01-01 new 315000"},
    {"SELECT date || ' ' || kva_va FROM capacity_changes WHERE id = 'CAP-2'", "2024-06-15 85000"},
    {"SELECT customer || ' ' || period || ' ' || area || ' ' || energy_wh FROM bill_energy WHERE gateway = 'gw-4'",
     "L-1 2024-06 TQ-4 10000500"},
    {"SELECT energy_wh FROM bill_energy WHERE id = 'C-1/2024-01'", "0"},
    {"SELECT total_fen FROM bills WHERE gateway = 'gw-1' AND id = 'C-1/2024-01'", "15000"},
    {"SELECT seq FROM bills WHERE gateway = 'gw-1' AND id = 'C-1/2024-01'", "5"},
    {"SELECT SUM(total_fen) FROM bills WHERE area = 'TQ-1' AND period = '2024-01'", "17000"},
    {"SELECT COUNT(*) FROM bills WHERE customer IN ('C-7', 'C-8')", "0"},
    {"SELECT grade FROM grades WHERE customer = 'C-1' AND as_of = '2024-03-01'", "B"},
    {"SELECT arrears_fen || '/' || penalty_fen || '/' || score FROM grades WHERE customer = 'C-1'", "15000/75/72"},
    {"SELECT COALESCE(oldest_due, 'null') FROM grades WHERE customer = 'C-2'", "null"},
    {"SELECT customer || ' ' || grid || ' ' || arrears_fen || ' ' || deadline FROM worklist WHERE gateway = 'gw-1'",
     "C-1 G-01 15000 2024-03-08"},
    {"SELECT action || ' ' || deadline FROM worklist WHERE gateway = 'gw-3'", "confirm_30min 2024-03-02T10:30"},
    {"SELECT supplied_wh || ' ' || sold_wh || ' ' || loss_wh || ' ' || loss_pct FROM lineloss", "1000000 967900 32100 3.21"},
    {"SELECT kind || ' ' || subject || ' ' || alert FROM alerts", "meter_offline M-0001 1"},
    {"SELECT outbox_depth || ' ' || poll_errors || ' ' || messages || ' ' || last_seq FROM status WHERE gateway = 'gw-1'",
     "7 1 12 38"},
    {"SELECT last_errors FROM status WHERE gateway = 'gw-1'", "[\"M-0001: timeout\"]"},
    {"SELECT messages FROM status WHERE gateway = 'gw-2'", "2"}, /* the refused ones not counted */
    {"SELECT down_kind || ' ' || down_seq || ' ' || result FROM acks", "payments 3 applied"},
    {"SELECT due FROM bills WHERE customer = 'C-3'", "2024-02-29"},
    {"SELECT grade FROM grades WHERE as_of = '2024-04-01'", "AAA"},
    {"SELECT COUNT(*) FROM grades WHERE customer LIKE 'C-1_%'", "0"},
    {"SELECT COUNT(*) FROM bills WHERE gateway = 'gw-2' AND (customer IN ('C-1', 'C-50') OR area = 'TQ-1')", "0"},
    {"SELECT COUNT(*) FROM lineloss WHERE gateway = 'gw-2'", "0"},
    {"SELECT COUNT(*) FROM bills WHERE gateway = 'gw-2'", "2"},
    {"SELECT gateway FROM owners WHERE kind = 'customer' AND id = 'C-1'", "gw-1"},
    {"SELECT gateway FROM owners WHERE kind = 'area' AND id = 'TQ-2'", "gw-2"},
};

static void topic_of(const struct msg_case *m, char *out, size_t cap)
{
    if (m->topic)
        snprintf(out, cap, "%s", m->topic);
    else
        snprintf(out, cap, "gl/v1/%s/%s", m->gw, m->kind);
}

static void run_backend(const bo_db_ops *ops, const char *target)
{
    bo_db *db = NULL;
    char err[256] = "", topic[128], payload[4096], why[256], got[256];
    assert_int_equal(bo_db_open(ops, target, &db, err, sizeof err), GL_OK);
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        const struct msg_case *m = &msgs[i];
        bo_outcome out = BO_STORED;
        topic_of(m, topic, sizeof topic);
        if (m->raw)
            snprintf(payload, sizeof payload, "%s", m->raw);
        else
            snprintf(payload, sizeof payload, "{\"v\":1,\"gateway\":\"%s\",\"seq\":%lld,\"ts\":1700000000,\"kind\":\"%s\",\"body\":%s}",
                     m->gw, m->seq, m->kind, m->body);
        gl_status st = bo_ingest_message(db, topic, payload, strlen(payload), 1700000100, &out, why, sizeof why);
        if (st != GL_OK || out != m->want)
            fail_msg("%s: message %zu (%s): status %s outcome %d want %d: %s (%s)", ops->name, i, topic,
                     gl_status_name(st), (int)out, (int)m->want, why, bo_db_error(db));
        if (m->want == BO_REJECTED && !why[0])
            fail_msg("message %zu: rejected without a reason", i);
    }
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        gl_status st = bo_db_scalar(db, tables[i].sql, 0, NULL, got, sizeof got);
        if (st != GL_OK || strcmp(got, tables[i].want) != 0)
            fail_msg("%s: %s: got \"%s\" want \"%s\" (%s)", ops->name, tables[i].sql, got, tables[i].want,
                     st != GL_OK ? bo_db_error(db) : "");
    }
    bo_db_close(db);
}

static void test_ingest_sqlite(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_bo_ingest.XXXXXX", path[128], side[160];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/bo.db", dir);
    run_backend(&bo_db_sqlite_ops, path);
    /* opening again keeps the data (schema creation is idempotent) */
    bo_db *db = NULL;
    char got[32];
    assert_int_equal(bo_db_open(&bo_db_sqlite_ops, path, &db, NULL, 0), GL_OK);
    assert_int_equal(bo_db_scalar(db, "SELECT COUNT(*) FROM messages", 0, NULL, got, sizeof got), GL_OK);
    assert_string_equal(got, "19");
    bo_db_close(db);
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    rmdir(dir);
}

static void test_ingest_postgresql(void **state)
{
    (void)state;
    const char *conninfo = getenv("BO_TEST_PG");
    if (!conninfo || !*conninfo) {
        printf("# skipped: BO_TEST_PG not set (tests/integration/backoffice_db.sh sets it)\n");
        skip();
    }
    bo_db *db = NULL;
    char err[256] = "";
    assert_int_equal(bo_db_open(&bo_db_pg_ops, conninfo, &db, err, sizeof err), GL_OK);
    static const char *const drop =
        "DROP TABLE IF EXISTS messages, bills, grades, worklists, worklist, lineloss, alerts, status, acks,"
        " down_seq, downlink, counters, schema_version, bill_energy, large_customers, capacity_changes";
    assert_int_equal(bo_db_exec(db, drop, 0, NULL, NULL), GL_OK);
    bo_db_close(db);
    run_backend(&bo_db_pg_ops, conninfo);
}

static void test_open_errors(void **state)
{
    (void)state;
    bo_db *db = (bo_db *)1;
    char err[256] = "";
    assert_int_not_equal(bo_db_open(&bo_db_sqlite_ops, "/nonexistent-dir/x/bo.db", &db, err, sizeof err), GL_OK);
    assert_null(db);
    assert_true(err[0] != '\0');
    assert_int_equal(bo_db_open(&bo_db_pg_ops, "host=/nonexistent-dir port=1 connect_timeout=2", &db, err, sizeof err),
                     GL_ENET);
    assert_null(db);
    assert_non_null(strstr(err, "postgresql"));
}

struct valid_case {
    const char *s;
    int id, date, month;
};

static void test_validators(void **state)
{
    (void)state;
    static const struct valid_case cases[] = {
        {"gw-0001", 1, 0, 0}, {"C_1.x", 1, 0, 0},   {"", 0, 0, 0},          {"a b", 0, 0, 0},
        {"a/b", 0, 0, 0},     {"2024-01", 1, 0, 1}, {"2024-13", 1, 0, 0},   {"2024-02-30", 1, 0, 0},
        {"2024-02-29", 1, 1, 0}, {"2023-02-29", 1, 0, 0}, {"2024-04-31", 1, 0, 0}, {"2024-04-30", 1, 1, 0},
        {"2024-00-10", 1, 0, 0}, {"2024-1-10", 1, 0, 0}, {"2024-01-32", 1, 0, 0}, {"20240110", 1, 0, 0},
        {"2026-02-31", 1, 0, 0}, {"2026-02-28", 1, 1, 0},
        {"0123456789012345678901234567890123456789012345678901234567890123", 1, 0, 0}, /* 64: the most */
        {"01234567890123456789012345678901234567890123456789012345678901234", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (bo_valid_id(cases[i].s) != cases[i].id || bo_valid_date(cases[i].s) != cases[i].date ||
            bo_valid_month(cases[i].s) != cases[i].month)
            fail_msg("case %zu \"%s\"", i, cases[i].s);
    }
    static const char *const minutes_ok[] = {"2026-02-28T23:59", "2024-02-29T00:00"};
    static const char *const minutes_bad[] = {"2026-02-31T10:00", "2026-02-28T24:00", "2026-02-28T10:60",
                                              "2026-02-28 10:00", "2026-02-28T10:00:00", "2026-02-28"};
    for (size_t i = 0; i < sizeof minutes_ok / sizeof minutes_ok[0]; i++)
        assert_true(bo_valid_minute(minutes_ok[i]));
    for (size_t i = 0; i < sizeof minutes_bad / sizeof minutes_bad[0]; i++)
        if (bo_valid_minute(minutes_bad[i]))
            fail_msg("accepted %s", minutes_bad[i]);
    static const char *const grades_ok[] = {"AAA", "AA", "A", "B", "C", "D", "E"};
    static const char *const grades_bad[] = {"Z", "", "a", "AAAA", "A ", "F"};
    for (size_t i = 0; i < sizeof grades_ok / sizeof grades_ok[0]; i++)
        assert_true(bo_valid_grade(grades_ok[i]));
    for (size_t i = 0; i < sizeof grades_bad / sizeof grades_bad[0]; i++)
        assert_false(bo_valid_grade(grades_bad[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validators),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_ingest_sqlite),
        cmocka_unit_test(test_ingest_postgresql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
