/* test_store.c: the SQLite store on real files: readings, idempotent money,
 * the outbox sequence, compaction, migrations from every earlier version,
 * corruption, a full disk and the quota. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmpdir.h"
#include <sqlite3.h>

#include "store.h"
#include "store_bills.h"
#include "store_internal.h"
#include "store_ledger.h"
#include "store_schema.h"
#include "store_slots.h"
#include "store_peek.h"

static int setup(void **state)
{
    (void)state;
    return tmpdir_make("store");
}

static int64_t count(store *s, const char *sql)
{
    return store_peek(s, sql, NULL, 0);
}

/* Slot days: encode/decode round trips, decreasing counters, malformed blobs. */
static void test_slots_codec(void **state)
{
    (void)state;
    static const struct {
        int slots[6];
        int64_t wh[6];
        int n;
    } cases[] = {
        {{0, 1, 2}, {1000, 1250, 1500}, 3},
        {{95}, {INT64_MAX}, 1},
        {{3, 50, 95}, {5000, 4000, 9000000000LL}, 3}, /* a counter that went down */
        {{0, 95}, {INT64_MIN + 1, INT64_MAX}, 2},
        {{0}, {0}, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        store_day d, back;
        uint8_t blob[STORE_SLOTS_BLOB_MAX];
        int64_t first = 0, last = 0;
        memset(&d, 0, sizeof d);
        for (int i = 0; i < cases[c].n; i++)
            store_slots_set(&d, cases[c].slots[i], cases[c].wh[i]);
        size_t len = store_slots_encode(&d, blob, &first, &last);
        if (cases[c].n == 0) {
            assert_int_equal(len, 0);
            continue;
        }
        assert_true(len >= STORE_SLOTS_BITMAP && len <= STORE_SLOTS_BLOB_MAX);
        assert_int_equal(first, cases[c].wh[0]);
        assert_int_equal(last, cases[c].wh[cases[c].n - 1]);
        assert_int_equal(store_slots_decode(blob, len, first, &back), GL_OK);
        for (int i = 0; i < STORE_SLOTS; i++)
            assert_int_equal(store_slots_has(&back, i), store_slots_has(&d, i));
        for (int i = 0; i < cases[c].n; i++)
            assert_int_equal(back.wh[cases[c].slots[i]], cases[c].wh[i]);
        if (len > STORE_SLOTS_BITMAP)
            assert_int_equal(store_slots_decode(blob, len - 1, first, &back), GL_ECORRUPT);
        blob[len] = 0x01;
        assert_int_equal(store_slots_decode(blob, len + 1, first, &back), GL_ECORRUPT);
    }
    /* a household day: 96 slots of 250 Wh take about two bytes each */
    store_day d;
    uint8_t blob[STORE_SLOTS_BLOB_MAX];
    int64_t first, last;
    memset(&d, 0, sizeof d);
    for (int i = 0; i < STORE_SLOTS; i++)
        store_slots_set(&d, i, 123456789 + i * 250);
    assert_int_equal(store_slots_encode(&d, blob, &first, &last), STORE_SLOTS_BITMAP + 95 * 2);
}

/* npoints: meter's stored points (compacted, rows and packed) in [from, to). */
static size_t npoints(store *s, const char *meter, int64_t from, int64_t to)
{
    static store_point pts[4096];
    size_t n = 0;
    assert_int_equal(store_series(s, meter, from, to, pts, 4096, &n), GL_OK);
    for (size_t i = 1; i < n; i++)
        assert_true(pts[i].ts > pts[i - 1].ts); /* none twice */
    return n;
}

static reading mk(const char *meter, int64_t ts, int64_t wh)
{
    reading r;
    memset(&r, 0, sizeof r);
    snprintf(r.meter, sizeof r.meter, "%s", meter);
    r.ts = ts;
    r.status = READING_OK;
    r.present = READING_HAS_IMPORT | READING_HAS_POWER | READING_HAS_VOLTAGE;
    r.import_wh = wh;
    r.power_w = 1000;
    r.nphases = 1;
    r.voltage_dv[0] = 2301;
    r.nraw = 2;
    r.raw[0] = 0x4148;
    r.raw[1] = 0x0001;
    return r;
}

static void test_readings_roundtrip(void **state)
{
    (void)state;
    store *s = NULL;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    reading rs[3] = {mk("M1", 1000, 5000), mk("M1", 1900, 5250), mk("M2", 1900, 10)};
    assert_int_equal(store_put_readings(s, rs, 3), GL_OK);
    reading got;
    assert_int_equal(store_last_reading(s, "M1", 0, &got), GL_OK);
    assert_int_equal(got.ts, 1900);
    assert_int_equal(got.import_wh, 5250);
    assert_int_equal(got.voltage_dv[0], 2301);
    assert_int_equal(got.nphases, 1);
    assert_int_equal(got.power_w, 1000);
    assert_int_equal(got.nraw, 0); /* routine: packed, without its register words */
    assert_int_equal(store_last_reading(s, "M1", 1500, &got), GL_OK);
    assert_int_equal(got.import_wh, 5000);
    assert_int_equal(store_last_reading(s, "M9", 0, &got), GL_ENOTFOUND);
    assert_int_equal(count(s, "SELECT count(*) FROM meters"), 2);
    assert_int_equal(count(s, "SELECT count(*) FROM readings"), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM reading_blocks_0"), 2); /* slot 1, slot 2 of day 0 */
    assert_int_equal(store_reading_at(s, "M2", 1900, &got), GL_OK);
    assert_int_equal(got.import_wh, 10);
    assert_int_equal(store_reading_at(s, "M2", 1901, &got), GL_ENOTFOUND);
    /* kept as rows, with their register words: a flagged reading, a failed
     * one, and the first of a local day (a bill's edge) */
    reading ev[3] = {mk("M1", 2800, 5300), mk("M2", 2800, 0), mk("M2", 86400 + 5, 20)};
    ev[0].flags = READING_FLAG_STUCK;
    ev[1].status = READING_OFFLINE;
    snprintf(ev[1].error, sizeof ev[1].error, "timeout");
    assert_int_equal(store_put_readings(s, ev, 3), GL_OK);
    assert_int_equal(count(s, "SELECT count(*) FROM readings WHERE raw IS NOT NULL"), 3);
    assert_int_equal(store_last_reading(s, "M1", 0, &got), GL_OK);
    assert_int_equal(got.flags, READING_FLAG_STUCK);
    assert_int_equal(got.nraw, 2);
    assert_int_equal(got.raw[0], 0x4148);
    assert_int_equal(store_last_reading(s, "M2", 86400, &got), GL_OK); /* the offline one is not OK */
    assert_int_equal(got.ts, 1900);
    assert_int_equal(store_last_reading(s, "M2", 0, &got), GL_OK);
    assert_int_equal(got.ts, 86400 + 5);
    store_close(s);
}

/* Meters read twice in one slot, in two blocks: the second write's rows come
 * after the first's (time first in the key: appended, not slotted between),
 * and each reading is found by its time. */
static void test_packed_rows_append(void **state)
{
    (void)state;
    store *s = NULL;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    static reading rs[70];
    for (int pass = 0; pass < 2; pass++) {
        for (int m = 0; m < 70; m++) {
            char id[8];
            snprintf(id, sizeof id, "M%02d", m);
            rs[m] = mk(id, 2000 + pass * 60, 1000 * m + pass);
        }
        assert_int_equal(store_put_readings(s, rs, 70), GL_OK);
    }
    assert_int_equal(count(s, "SELECT count(*) FROM reading_blocks_0"), 4); /* 2 blocks x 2 writes */
    assert_int_equal(count(s, "SELECT count(*) FROM reading_blocks_0 WHERE (k >> 8) & 4095 = 0"), 2);
    assert_int_equal(count(s, "SELECT min(k) FROM reading_blocks_0 WHERE (k >> 8) & 4095 = 1") >
                         count(s, "SELECT max(k) FROM reading_blocks_0 WHERE (k >> 8) & 4095 = 0"),
                     1);
    reading got;
    assert_int_equal(store_last_reading(s, "M69", 0, &got), GL_OK);
    assert_int_equal(got.import_wh, 69001);
    assert_int_equal(store_reading_at(s, "M69", 2000, &got), GL_OK);
    assert_int_equal(got.import_wh, 69000);
    assert_int_equal(store_last_reading(s, "M00", 2030, &got), GL_OK);
    assert_int_equal(got.import_wh, 0);
    assert_int_equal(npoints(s, "M65", 0, 86400), 2);
    store_close(s);
}

/* a_bill: customer's bill of two lines (energy 300 kWh at 0.4883, tier2
 * 32.30), total the lines' sum in fen. */
static bill a_bill(const char *customer)
{
    bill b;
    memset(&b, 0, sizeof b);
    snprintf(b.customer, sizeof b.customer, "%s", customer);
    b.nlines = 2;
    b.lines[0] = (bill_line){"energy", "energy", 300000, 3, "kWh", 488300, 6, 0, 11719, 0};
    b.lines[1] = (bill_line){"tier2", "tier 2", 0, 0, "", 0, 0, 0, 3230, 0};
    b.total_fen = 14949;
    return b;
}

static void test_money_idempotent(void **state)
{
    (void)state;
    store *s = NULL;
    const char *json = "{\"customer\":\"C1\",\"total\":\"149.49\"}";
    bill b = a_bill("C1"), nocode = a_bill("C2");
    nocode.lines[1].code[0] = '\0';
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    assert_int_equal(store_payment_put(s, "C1", 10000, "BANK-1", "2026-01-05"), GL_OK);
    assert_int_equal(store_payment_put(s, "C1", 10000, "BANK-1", "2026-01-05"), GL_EEXIST);
    assert_int_equal(store_payment_put(s, "C1", 10000, "", "2026-01-05"), GL_EINVAL);
    assert_int_equal(store_bill_put(s, "2026-01", &b, json, strlen(json)), GL_OK);
    assert_int_equal(store_bill_put(s, "2026-01", &b, json, strlen(json)), GL_EEXIST);
    assert_int_equal(store_bill_put(s, "2026-01", &nocode, json, strlen(json)), GL_EINVAL);
    store_close(s);
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    assert_int_equal(count(s, "SELECT count(*) FROM ledger WHERE kind='payment'"), 1);
    assert_int_equal(count(s, "SELECT count(*) FROM bills"), 1);
    assert_int_equal(count(s, "SELECT count(*) FROM bill_lines"), 2);
    char text[64];
    store_peek(s,
               "SELECT group_concat(code || ' ' || quantity || ' ' || rate || ' ' || amount_fen || ' '"
               " || typeof(amount_fen), '; ') FROM bill_lines",
               text, sizeof text);
    assert_string_equal(text, "energy 300.000 0.4883 11719 integer; tier2 0 0 3230 integer");
    store_close(s);
}

/* Bills read back as stored: exists, get, a period's total; a missing one
 * is GL_ENOTFOUND, and a database error is returned, never "no bill". */
static void test_bills_read(void **state)
{
    (void)state;
    store *s = NULL;
    bill b1 = a_bill("C1"), b2 = a_bill("C2");
    store_bill got;
    int exists = -1;
    int64_t total = -1;
    b2.total_fen = 51;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    assert_int_equal(store_bill_put(s, "2026-01", &b1, "{\"a\":1}", 7), GL_OK);
    assert_int_equal(store_bill_put(s, "2026-01", &b2, "{\"a\":2}", 7), GL_OK);
    assert_int_equal(store_bill_put(s, "2026-02", &b2, "{\"bills\":[{\"a\":3}]}" + 10, 7) /* a document inside its message */, GL_OK);
    assert_int_equal(store_bill_exists(s, "C1", "2026-01", &exists), GL_OK);
    assert_int_equal(exists, 1);
    assert_int_equal(store_bill_exists(s, "C1", "2026-02", &exists), GL_OK);
    assert_int_equal(exists, 0);
    assert_int_equal(store_bill_get(s, "C2", "2026-02", &got), GL_OK);
    assert_int_equal(got.total_fen, 51);
    assert_string_equal(got.json, "{\"a\":3}");
    store_bill_free(&got);
    assert_int_equal(store_bill_get(s, "C1", "2026-02", &got), GL_ENOTFOUND);
    assert_int_equal(store_bills_total(s, "2026-01", &total), GL_OK);
    assert_int_equal(total, 14949 + 51);
    assert_int_equal(store_bills_total(s, "2025-12", &total), GL_OK);
    assert_int_equal(total, 0);
    /* another connection drops the table: an error, not "not billed" */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DROP TABLE bill_lines; DROP TABLE bills", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_bill_exists(s, "C1", "2026-01", &exists), GL_EDB);
    assert_int_equal(exists, 0);
    assert_int_equal(store_bills_total(s, "2026-01", &total), GL_EDB);
    assert_int_equal(store_bill_get(s, "C1", "2026-01", &got), GL_EDB);
    store_close(s);
}

/* Constraint violations are told apart by SQLite's extended code: a
 * duplicate (UNIQUE) is GL_EEXIST, a value the schema refuses (NOT NULL)
 * GL_EINVAL. */
static void test_constraints_told_apart(void **state)
{
    (void)state;
    store *s = NULL;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    assert_int_equal(store_ledger_put(s, "C1", "2026-01-01", "payment", 100, "R1", NULL), GL_OK);
    assert_int_equal(store_ledger_put(s, "C1", "2026-01-01", "payment", 100, "R1", NULL), GL_EEXIST);
    assert_int_equal(store_event(s, 1, NULL, "M1", "x", 0), GL_EINVAL); /* kind NOT NULL */
    assert_int_equal(store_constraint_status(SQLITE_CONSTRAINT_UNIQUE), GL_EEXIST);
    assert_int_equal(store_constraint_status(SQLITE_CONSTRAINT_PRIMARYKEY), GL_EEXIST);
    assert_int_equal(store_constraint_status(SQLITE_CONSTRAINT_NOTNULL), GL_EINVAL);
    assert_int_equal(store_constraint_status(SQLITE_CONSTRAINT_CHECK), GL_EINVAL);
    assert_int_equal(store_constraint_status(SQLITE_CONSTRAINT_FOREIGNKEY), GL_EINVAL);
    store_close(s);
}

static gl_status collect_entry(void *ctx, const char *customer, const ledger_entry *e)
{
    char *out = ctx;
    size_t len = strlen(out);
    snprintf(out + len, 256 - len, "%s%s/%s/%lld", len ? " " : "", customer, ledger_kind_name(e->kind),
             (long long)e->amount_fen);
    return GL_OK;
}

/* The ledger read back: every entry by customer, date, recorded order;
 * instalment parts by ref prefix; money collected in a date range. */
static void test_ledger_read(void **state)
{
    (void)state;
    store *s = NULL;
    char seen[256] = "";
    int64_t sum = -1;
    int has = -1;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    assert_int_equal(store_ledger_put(s, "C2", "2026-01-09", "payment", 500, "P1", NULL), GL_OK);
    assert_int_equal(store_ledger_put(s, "C1", "2026-01-05", "bill", 300, "C1/2026-01#05", "2026-01-20"), GL_OK);
    assert_int_equal(store_ledger_put(s, "C1", "2026-01-02", "bill", 200, "C1/2026-01#02", "2026-01-17"), GL_OK);
    assert_int_equal(store_ledger_put(s, "C1", "2026-01-05", "topup", 700, "T1", NULL), GL_OK);
    assert_int_equal(store_ledger_put(s, "C1", "2026-02-01", "payment", 900, "P2", NULL), GL_OK);
    assert_int_equal(store_ledger_each(s, collect_entry, seen), GL_OK);
    assert_string_equal(seen, "C1/bill/200 C1/bill/300 C1/topup/700 C1/payment/900 C2/payment/500");
    assert_int_equal(store_ledger_parts(s, "C1", "C1/2026-01#", "C1/2026-01#05", &sum, &has), GL_OK);
    assert_int_equal(sum, 500);
    assert_int_equal(has, 1);
    assert_int_equal(store_ledger_parts(s, "C1", "C1/2026-02#", "C1/2026-02#05", &sum, &has), GL_OK);
    assert_int_equal(sum, 0);
    assert_int_equal(has, 0);
    assert_int_equal(store_ledger_collected(s, "2026-01-01", "2026-02-01", &sum), GL_OK);
    assert_int_equal(sum, 1200);
    store_close(s);
}

/* A bill, its ledger entry and its outbox message commit together or not at all. */
static void test_txn_groups(void **state)
{
    (void)state;
    store *s = NULL;
    const char *json = "{}";
    bill b = a_bill("C1");
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    assert_int_equal(store_ledger_put(s, "C1", "2026-01-01", "bill", 100, "C1/2026-01", "2026-01-16"), GL_OK);
    assert_int_equal(store_txn_begin(s), GL_OK);
    gl_status st = store_bill_put(s, "2026-01", &b, json, strlen(json));
    int64_t seq = 0;
    if (st == GL_OK)
        st = store_outbox_put(s, "bills", "{}", 1, &seq);
    if (st == GL_OK)
        st = store_ledger_put(s, "C1", "2026-01-01", "bill", 100, "C1/2026-01", "2026-01-16");
    assert_int_equal(st, GL_EEXIST);
    assert_int_equal(store_txn_end(s, st), GL_EEXIST);
    assert_int_equal(count(s, "SELECT count(*) FROM bills"), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM outbox"), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM bill_lines"), 0);
    assert_int_equal(store_txn_begin(s), GL_OK);
    st = store_bill_put(s, "2026-02", &b, json, strlen(json));
    if (st == GL_OK)
        st = store_outbox_put(s, "bills", "{}", 1, &seq);
    assert_int_equal(store_txn_end(s, st), GL_OK);
    assert_int_equal(count(s, "SELECT count(*) FROM bills"), 1);
    assert_int_equal(seq, 1); /* the rolled-back message gave its seq back */
    store_close(s);
}

static void test_outbox_sequence(void **state)
{
    (void)state;
    store *s = NULL;
    int64_t seq = 0;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(store_outbox_put(s, "bills", "{}", 100 + i, &seq), GL_OK);
        assert_int_equal(seq, i);
    }
    assert_int_equal(store_outbox_ack(s, 1), GL_OK);
    assert_int_equal(store_outbox_ack(s, 1), GL_OK);
    store_close(s);
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    store_outbox_msg m;
    assert_int_equal(store_outbox_next(s, 0, &m), GL_OK);
    assert_int_equal(m.seq, 2);
    assert_int_equal(m.ts, 102);
    assert_string_equal(m.kind, "bills");
    store_outbox_msg_free(&m);
    assert_int_equal(store_outbox_ack(s, 3), GL_OK);
    assert_int_equal(store_outbox_ack(s, 2), GL_OK);
    assert_int_equal(store_outbox_next(s, 0, &m), GL_ENOTFOUND);
    assert_int_equal(store_outbox_put(s, "alerts", "{}", 200, &seq), GL_OK);
    assert_int_equal(seq, 4); /* never reused after the table emptied */
    store_outbox_stats o;
    assert_int_equal(store_outbox_stats_get(s, &o), GL_OK);
    assert_int_equal(o.depth, 1);
    assert_int_equal(o.last_seq, 4);
    assert_int_equal(o.last_acked, 3);
    assert_int_equal(o.oldest_ts, 200);
    store_close(s);
}

/* store_outbox_ack_many: a table of steps over ten messages, each with the
 * outbox left behind (depth, oldest seq, last_acked). */
static void test_outbox_ack_many(void **state)
{
    (void)state;
    static const struct {
        int64_t seqs[6];
        size_t n;
        gl_status want;
        int64_t depth, oldest, last_acked;
    } steps[] = {
        {{0}, 0, GL_OK, 10, 1, 0},                         /* nothing to do */
        {{3, 1, 2}, 3, GL_OK, 7, 4, 3},                    /* out of order */
        {{2, 2, 3}, 3, GL_OK, 7, 4, 3},                    /* repeats change nothing */
        {{9, 42}, 2, GL_OK, 6, 4, 42},                     /* unknown seq: GL_OK, highest kept */
        {{5}, STORE_OUTBOX_ACK_MAX + 1, GL_EINVAL, 6, 4, 42}, /* over the bound: nothing deleted */
        {{4, 5, 6, 7, 8, 10}, 6, GL_OK, 0, 0, 42},
    };
    store *s = NULL;
    int64_t seq = 0;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    for (int i = 1; i <= 10; i++)
        assert_int_equal(store_outbox_put(s, "readings", "{}", i, &seq), GL_OK);
    assert_int_equal(store_outbox_ack_many(NULL, steps[1].seqs, 1), GL_EINVAL);
    assert_int_equal(store_outbox_ack_many(s, NULL, 1), GL_EINVAL);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        store_outbox_stats o;
        assert_int_equal(store_outbox_ack_many(s, steps[i].seqs, steps[i].n), steps[i].want);
        assert_int_equal(store_outbox_stats_get(s, &o), GL_OK);
        assert_int_equal(o.depth, steps[i].depth);
        assert_int_equal(o.oldest_seq, steps[i].oldest);
        assert_int_equal(o.last_acked, steps[i].last_acked);
    }
    store_close(s);
}

/* store_outbox_next_many: up to max rows after a seq, in seq order, with
 * acknowledged ones skipped; 0 rows past the end; bad arguments refused. */
static void test_outbox_next_many(void **state)
{
    (void)state;
    static const struct {
        int64_t after;
        size_t max, want_n;
        int64_t first, last;
    } rows[] = {
        {0, 4, 4, 1, 5},   /* 3 acked: 1, 2, 4, 5 */
        {0, 1, 1, 1, 1},
        {2, 3, 3, 4, 6},
        {7, 10, 1, 8, 8},  /* the last one */
        {8, 10, 0, 0, 0},  /* none after the end */
        {100, 1, 0, 0, 0},
    };
    store *s = NULL;
    store_outbox_msg m[10];
    size_t n = 99;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    for (int i = 1; i <= 8; i++)
        assert_int_equal(store_outbox_put(s, i % 2 ? "readings" : "bills", "{\"x\":1}", 100 + i, NULL), GL_OK);
    assert_int_equal(store_outbox_ack(s, 3), GL_OK);
    assert_int_equal(store_outbox_next_many(s, 0, m, 0, &n), GL_EINVAL);
    assert_int_equal(store_outbox_next_many(s, 0, NULL, 1, &n), GL_EINVAL);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_int_equal(store_outbox_next_many(s, rows[i].after, m, rows[i].max, &n), GL_OK);
        if (n != rows[i].want_n)
            fail_msg("row %zu: %zu messages, want %zu", i, n, rows[i].want_n);
        for (size_t k = 0; k < n; k++) {
            assert_true(k == 0 || m[k].seq > m[k - 1].seq);
            assert_int_equal(m[k].ts, 100 + m[k].seq);
            assert_string_equal(m[k].kind, m[k].seq % 2 ? "readings" : "bills");
            assert_string_equal(m[k].body, "{\"x\":1}");
        }
        if (n > 0) {
            assert_int_equal(m[0].seq, rows[i].first);
            assert_int_equal(m[n - 1].seq, rows[i].last);
        }
        for (size_t k = 0; k < n; k++)
            store_outbox_msg_free(&m[k]);
    }
    store_close(s);
}

/* Two days of 5-minute readings; compaction keeps the last value of every
 * 15 minutes in one row per meter and local day and removes the raw rows. */
static void test_compaction(void **state)
{
    (void)state;
    store *s = NULL;
    store_options o = {.compact_after_days = 1, .utc_offset_s = 8 * 3600};
    assert_int_equal(store_open(dbpath, &o, &s), GL_OK);
    const int64_t t0 = 1767196800; /* 2026-01-01T00:00+08:00 */
    for (int i = 0; i < 2 * 288; i++) {
        reading r = mk("M1", t0 + i * 300, 1000 + i * 25);
        assert_int_equal(store_put_readings(s, &r, 1), GL_OK);
    }
    int64_t n = 0;
    assert_int_equal(store_compact(s, t0 + 2 * 86400, &n), GL_OK);
    assert_int_equal(n, 288); /* the first local day */
    assert_int_equal(count(s, "SELECT count(*) FROM intervals"), 1);
    assert_int_equal(count(s, "SELECT end_wh FROM intervals"), 1000 + 287 * 25);
    assert_int_equal(count(s, "SELECT day FROM intervals"), (t0 + 8 * 3600) / 86400);
    assert_int_equal(npoints(s, "M1", t0 + 86400, t0 + 2 * 86400), 288);
    assert_int_equal(count(s, "SELECT count(*) FROM readings"), 3); /* the second day's first slot: rows */
    assert_int_equal(store_compact(s, t0 + 2 * 86400, &n), GL_OK);
    assert_int_equal(n, 0);
    store_point pts[600];
    size_t np = 0;
    assert_int_equal(store_series(s, "M1", t0, t0 + 2 * 86400, pts, 600, &np), GL_OK);
    assert_int_equal(np, 96 + 288);
    assert_int_equal(pts[0].import_wh, 1000 + 2 * 25);
    for (size_t i = 1; i < np; i++)
        assert_true(pts[i].ts > pts[i - 1].ts && pts[i].import_wh > pts[i - 1].import_wh);
    assert_int_equal(store_series(s, "M1", t0, t0 + 2 * 86400, pts, 10, &np), GL_EBOUND);
    store_close(s);
}

/* The newest good reading of each meter in one walk: a meter met only far
 * back (past 64 x n rows) is looked up by itself, an error reading is
 * skipped, a meter never read is not found. */
static void test_last_readings(void **state)
{
    (void)state;
    store *s = NULL;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    const int64_t t0 = 1767196800;
    reading old = mk("M3", t0, 3000);
    assert_int_equal(store_put_readings(s, &old, 1), GL_OK);
    for (int i = 1; i <= 300; i++) {
        reading rs[2] = {mk("M1", t0 + i * 900, 1000 + i), mk("M2", t0 + i * 900, 2000 + i)};
        assert_int_equal(store_put_readings(s, rs, 2), GL_OK);
    }
    reading bad = mk("M2", t0 + 301 * 900, 0);
    bad.status = READING_ERROR;
    assert_int_equal(store_put_readings(s, &bad, 1), GL_OK);
    const char *ids[] = {"M1", "M2", "M3", "M4"};
    reading out[4];
    int found[4];
    assert_int_equal(store_last_readings(s, ids, 4, out, found), GL_OK);
    assert_true(found[0] && found[1] && found[2] && !found[3]);
    assert_int_equal(out[0].import_wh, 1300);
    assert_int_equal(out[1].import_wh, 2300);
    assert_int_equal(out[1].ts, t0 + 300 * 900);
    assert_int_equal(out[2].import_wh, 3000);
    store_close(s);
}

/* A meter back online closes its open meter_offline alert, and only that one. */
static void test_alert_close(void **state)
{
    (void)state;
    store *s = NULL;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    assert_int_equal(store_event(s, 100, "meter_offline", "M1", "timeout", 1), GL_OK);
    assert_int_equal(store_event(s, 100, "meter_offline", "M2", "timeout", 1), GL_OK);
    assert_int_equal(store_event(s, 110, "theft_suspect", "M1", "2026-01", 1), GL_OK);
    assert_int_equal(store_alert_close(s, 200, "meter_offline", "M1"), GL_OK);
    assert_int_equal(count(s, "SELECT count(*) FROM events WHERE closed_ts IS NULL AND alert = 1"), 2);
    assert_int_equal(count(s, "SELECT closed_ts FROM events WHERE kind = 'meter_offline' AND subject = 'M1'"), 200);
    assert_int_equal(store_alert_close(s, 300, "meter_offline", "M1"), GL_OK); /* none open: nothing */
    assert_int_equal(count(s, "SELECT closed_ts FROM events WHERE kind = 'meter_offline' AND subject = 'M1'"), 200);
    store_close(s);
}

/* Days far apart (a gateway that booted with its clock at 1970 before time
 * sync) are compacted as they are, and the days between are skipped; an
 * empty readings table is nothing to do. */
static void test_compaction_sparse_days(void **state)
{
    (void)state;
    store *s = NULL;
    store_options o = {.compact_after_days = 1, .utc_offset_s = 8 * 3600};
    assert_int_equal(store_open(dbpath, &o, &s), GL_OK);
    int64_t n = -1;
    const int64_t t0 = 1767196800; /* 2026-01-01T00:00+08:00 */
    assert_int_equal(store_compact(s, t0, &n), GL_OK);
    assert_int_equal(n, 0);
    reading rs[4] = {mk("M1", 3600, 10), mk("M1", 7200, 20), mk("M1", t0 - 86400 + 900, 30), mk("M1", t0 + 900, 40)};
    assert_int_equal(store_put_readings(s, rs, 4), GL_OK);
    assert_int_equal(store_compact(s, t0 + 86400, &n), GL_OK);
    assert_int_equal(n, 3);
    assert_int_equal(count(s, "SELECT count(*) FROM intervals"), 2);
    assert_int_equal(count(s, "SELECT min(day) FROM intervals"), 0);
    assert_int_equal(count(s, "SELECT max(day) FROM intervals"), (t0 - 86400 + 8 * 3600) / 86400);
    assert_int_equal(count(s, "SELECT count(*) FROM readings"), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM sqlite_schema WHERE name GLOB 'reading_blocks_*'"), 1);
    assert_int_equal(npoints(s, "M1", t0, t0 + 86400), 1);
    store_close(s);
}

/* Sample rows valid at each schema version, to survive later migrations. */
static const char *const sample_at[STORE_SCHEMA_VERSION + 1] = {
    "",
    "INSERT INTO readings(meter, ts, status, present, flags, import_wh) VALUES('M1', 10, 0, 1, 0, 777);"
    "INSERT INTO outbox(seq, ts, kind, body) VALUES(1, 10, 'readings', '{}');",
    "INSERT INTO ledger(customer, date, kind, amount_fen, ref) VALUES('C1', '2026-01-01', 'payment', 500, 'R1');"
    "INSERT INTO bills(id, customer, period, total_fen, json, created_ts) VALUES(7, 'C1', '2025-12', 14919,"
    " '{\"energy_kwh\": \"300.000\"}', 1);"
    "INSERT INTO bill_lines(bill_id, n, code, quantity, unit, rate, amount) VALUES(7, 1, 'energy', '300.000', 'kWh',"
    " '0.4883', '117.19'), (7, 2, 'tier2', '0', 'kWh', '0', '32.3'), (7, 3, 'pf', NULL, NULL, NULL, '-0.30'),"
    " (7, 4, 'round', NULL, NULL, NULL, '+0.000');",
    "INSERT INTO grades(customer, as_of, score, grade, explanation) VALUES('C1', '2026-01-01', 95, 'A', '{}');"
    "INSERT INTO intervals(meter, day, start_wh, end_wh, slots, flags) VALUES('M3', 20454, 100, 100,"
    " x'010000000000000000000000', 0);",
    "INSERT INTO collection(customer, episode, action, channel, planned_ts, taken_ts, status, served_ts, proof,"
    " principal_fen, penalty_fen, reason) VALUES('C1', '2026-01-16', 'sms', 'sms', 10, 10, 'served', 11, 'dlr 1',"
    " 20000, 100, 'day 1');",
    "UPDATE events SET acked_ts = 20, acked_by = 'backoffice' WHERE alert = 1;",
    "INSERT INTO readings(meter, ts, status, present, flags, import_wh, source, read_ts, t1_wh, t2_wh, t3_wh, t4_wh)"
    " VALUES('M2', 20, 0, 1025, 32, 900, 1, 25, 100, 200, 300, 300);",
    "INSERT INTO payment_modes(customer, mode, ts, opening_fen, arrears_fen, who, rule, proof)"
    " VALUES('C1', 'prepaid', 30, 0, 0, 'backoffice', 'r', 'p');",
    "INSERT INTO bills(id, customer, period, total_fen, json, created_ts) VALUES(8, 'C2', '2025-12', 5, '{}', 1);"
    "INSERT INTO bill_lines(bill_id, n, code, amount_fen) VALUES(8, 1, 'fixed', 5);",
    "INSERT INTO intervals(day, meter, start_wh, end_wh, slots, flags) VALUES(20454, 'M3', 100, 100,"
    " x'010000000000000000000000', 0);"
    "CREATE TABLE reading_blocks_0(k INTEGER PRIMARY KEY, body BLOB NOT NULL);"
    "INSERT INTO reading_blocks_0(k, body) VALUES(1, x'01');",
};

/* Processes opening a fresh store at the same moment each take it through
 * every migration or find it done: none fails (the version is read again
 * inside each step's transaction). */
static void test_concurrent_first_open(void **state)
{
    (void)state;
    for (int round = 0; round < 8; round++) {
        unlink(dbpath);
        pid_t kids[4];
        for (int k = 0; k < 4; k++) {
            kids[k] = fork();
            assert_true(kids[k] >= 0);
            if (kids[k] == 0) {
                store *s = NULL;
                gl_status st = store_open(dbpath, NULL, &s);
                if (st != GL_OK) {
                    char why[STORE_PATH_WHY_MAX];
                    store_describe_error(dbpath, st, why, sizeof why);
                    fprintf(stderr, "open: %s: %s\n", gl_status_name(st), why);
                }
                store_close(s);
                _exit(st == GL_OK ? 0 : 1);
            }
        }
        for (int k = 0; k < 4; k++) {
            int ws = 0;
            assert_int_equal(waitpid(kids[k], &ws, 0), kids[k]);
            assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
        }
    }
}

static void test_migrations_from_every_version(void **state)
{
    (void)state;
    for (int from = 0; from < STORE_SCHEMA_VERSION; from++) {
        unlink(dbpath);
        sqlite3 *db = NULL;
        assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
        for (int v = 1; v <= from; v++) { /* each version's rows written at that version */
            assert_int_equal(store_schema_migrate(db, v, NULL, 0), GL_OK);
            if (sqlite3_exec(db, sample_at[v], NULL, NULL, NULL) != SQLITE_OK)
                fail_msg("version %d sample: %s", v, sqlite3_errmsg(db));
        }
        assert_int_equal(store_schema_version(db), from);
        sqlite3_close(db);
        store *s = NULL;
        assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
        assert_int_equal(count(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
        if (from >= 1)
            assert_int_equal(count(s, "SELECT import_wh FROM readings WHERE meter='M1'"), 777);
        if (from >= 1) /* a row of an earlier version is read like any */
            assert_int_equal(npoints(s, "M1", 0, 86400), 1);
        if (from >= 3) /* version 9 rebuilt intervals (day, then meter): the day is still there */
            assert_int_equal(npoints(s, "M3", 20454LL * 86400, 20455LL * 86400), 1);
        if (from >= 1) /* readings of earlier versions are live, without tariffs */
            assert_int_equal(count(s, "SELECT source + (t1_wh IS NULL) FROM readings WHERE meter='M1'"), 1);
        if (from >= 2)
            assert_int_equal(count(s, "SELECT amount_fen FROM ledger WHERE ref='R1'"), 500);
        if (from >= 2) { /* version 8: the lines' decimal amounts in exact fen */
            char text[96];
            store_peek(s, "SELECT group_concat(n || '=' || amount_fen || ' ' || typeof(amount_fen), ', ')"
                          " FROM bill_lines WHERE bill_id = 7", text, sizeof text);
            assert_string_equal(text, "1=11719 integer, 2=3230 integer, 3=-30 integer, 4=0 integer");
            assert_int_equal(count(s, "SELECT energy_wh FROM bills WHERE id = 7"), 300000);
            int64_t wh = 0, fen = 0;
            int nb = 0;
            assert_int_equal(store_bills_month(s, "C1", "2025-12", &wh, &fen, &nb), GL_OK);
            assert_true(wh == 300000 && fen == 14919 && nb == 1);
        }
        if (from >= 4)
            assert_int_equal(count(s, "SELECT principal_fen FROM collection WHERE proof='dlr 1'"), 20000);
        assert_int_equal(store_payment_put(s, "C1", 500, "R1", "2026-01-02"), from >= 2 ? GL_EEXIST : GL_OK);
        store_close(s);
    }
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    store *s = NULL;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_EUNSUPPORTED);
}

static int corrupt_copies(void);

/* Version 8 refuses a bill line whose amount is not an exact decimal in fen:
 * the open fails naming the row, the file stays at version 7 as it was (not
 * moved aside as corrupt), and opens once the row is put right. */
static void test_migration_refuses_inexact_amounts(void **state)
{
    (void)state;
    static const struct {
        const char *amount;
        gl_status st;
    } cases[] = {{"1.234", GL_ERANGE}, {"12,30", GL_ESYNTAX}, {"", GL_ESYNTAX},
                 {"1e2", GL_ESYNTAX}, {".5", GL_ESYNTAX}, {"99999999999999999999", GL_EOVERFLOW}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        unlink(dbpath);
        sqlite3 *db = NULL;
        char sql[512], why[STORE_PATH_WHY_MAX], want[128];
        assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
        assert_int_equal(store_schema_migrate(db, 7, NULL, 0), GL_OK);
        snprintf(sql, sizeof sql,
                 "INSERT INTO bills(id, customer, period, total_fen, json, created_ts) VALUES(3, 'C1', '2026-01', 1,"
                 " '{}', 1); INSERT INTO bill_lines(bill_id, n, code, amount) VALUES(3, 1, 'energy', '1.00'),"
                 " (3, 2, 'fixed', '%s');", cases[c].amount);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
        store *s = NULL;
        assert_int_equal(store_open(dbpath, NULL, &s), cases[c].st);
        store_describe_error(dbpath, cases[c].st, why, sizeof why);
        snprintf(want, sizeof want, "bill_lines bill 3 line 2: amount \"%s\" is not an exact decimal in fen",
                 cases[c].amount);
        assert_non_null(strstr(why, want));
        assert_int_equal(corrupt_copies(), 0);
        assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
        assert_int_equal(store_schema_version(db), 7);
        assert_int_equal(sqlite3_exec(db, "UPDATE bill_lines SET amount = '2.5' WHERE n = 2", NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);
        assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
        assert_int_equal(count(s, "SELECT sum(amount_fen) FROM bill_lines"), 100 + 250);
        store_close(s);
    }
    /* a bill whose energy_kwh is not an exact decimal in Wh */
    unlink(dbpath);
    sqlite3 *db = NULL;
    char why[STORE_PATH_WHY_MAX];
    store *s = NULL;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(store_schema_migrate(db, 7, NULL, 0), GL_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO bills(id, customer, period, total_fen, json, created_ts) VALUES(4, 'C1',"
                                  " '2026-01', 1, '{\"energy_kwh\": \"1.2345\"}', 1)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_open(dbpath, NULL, &s), GL_ERANGE);
    store_describe_error(dbpath, GL_ERANGE, why, sizeof why);
    assert_non_null(strstr(why, "bills id 4: energy_kwh \"1.2345\" is not an exact decimal in Wh"));
}

static int corrupt_copies(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d != NULL && (e = readdir(d)) != NULL)
        n += strstr(e->d_name, "t.db.corrupt-") != NULL && strchr(e->d_name + 13, '-') == NULL;
    if (d != NULL)
        closedir(d);
    return n;
}

static void test_corrupt_moved_aside(void **state)
{
    (void)state;
    FILE *f = fopen(dbpath, "w");
    assert_non_null(f);
    for (int i = 0; i < 512; i++)
        fputs("not a database, garbage bytes ", f);
    fclose(f);
    store *s = NULL;
    int moved = 0;
    assert_int_equal(store_open_ex(dbpath, NULL, &s, &moved), GL_OK);
    assert_int_equal(moved, 1);
    assert_int_equal(corrupt_copies(), 1);
    assert_int_equal(count(s, "SELECT count(*) FROM events WHERE kind='store_corrupt' AND alert=1"), 1);
    store_close(s);
}

/* kv_i64_of: a kv value as a number (-1 if absent). */
static int64_t kv_num(store *s, const char *key)
{
    char v[64];
    return store_kv_get(s, key, v, sizeof v) == GL_OK ? strtoll(v, NULL, 10) : -1;
}

static void garble_header(void)
{
    FILE *f = fopen(dbpath, "r+b");
    assert_non_null(f);
    fwrite("garbage garbage garbage garbage!", 1, 32, f);
    fclose(f);
}

/* A store that used uplink seqs 1..3 and accepted downlink seq 42 is lost
 * (header corrupted; file moved away by hand; an old copy put back): the
 * fresh or stale database continues the uplink above anything it may have
 * sent and keeps refusing downlink seq 42; a lost one says so (alert event,
 * kv store.recovered, store_recovered()). Failed before PATH.seq: the fresh
 * store restarted at seq 1 and forgot the downlink seq. */
static void test_sequences_survive_the_database(void **state)
{
    (void)state;
    static const struct {
        const char *how;
        int lost;
    } cases[] = {{"header corrupted", 1}, {"file moved away", 1}, {"old copy put back", 0}, {"healthy reopen", 0},
                 {"killed between a reservation and its commit", 0}};
    char cmd[1024];
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        store *s = NULL;
        int64_t seq = 0;
        int moved = 0;
        tmpdir_teardown(NULL);
        assert_int_equal(setup(NULL), 0);
        assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
        store_close(s);
        snprintf(cmd, sizeof cmd, "cp %s %s.old", dbpath, dbpath); /* before any message */
        assert_int_equal(system(cmd), 0);
        assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
        for (int i = 0; i < 3; i++)
            assert_int_equal(store_outbox_put(s, "bills", "{}", 1, &seq), GL_OK);
        assert_int_equal(store_txn_begin(s), GL_OK);
        assert_int_equal(store_txn_end(s, store_kv_set(s, STORE_KV_DOWN_SEQ, "42")), GL_OK);
        store_close(s);
        if (c == 0)
            garble_header();
        else if (c == 1)
            snprintf(cmd, sizeof cmd, "mv %s %s.aside", dbpath, dbpath);
        else if (c == 2)
            snprintf(cmd, sizeof cmd, "mv %s.old %s && rm -f %s-wal %s-shm", dbpath, dbpath, dbpath, dbpath);
        else if (c == 4) /* as if seq 4 had reserved the next block and died before its commit */
            snprintf(cmd, sizeof cmd, "sqlite3 %s \"UPDATE kv SET val = '3' WHERE key = 'outbox.reserved'\" && "
                     "printf 'uplink 1027\\ndownlink 42\\n' > %s.seq", dbpath, dbpath);
        if (c == 1 || c == 2 || c == 4)
            assert_int_equal(system(cmd), 0);
        assert_int_equal(store_open_ex(dbpath, NULL, &s, &moved), GL_OK);
        if (moved != cases[c].lost || (store_recovered(s)[0] != '\0') != cases[c].lost)
            fail_msg("%s: moved %d, recovered \"%s\"", cases[c].how, moved, store_recovered(s));
        assert_int_equal(kv_num(s, STORE_KV_DOWN_SEQ), 42);
        assert_int_equal(store_outbox_put(s, "alerts", "{}", 2, &seq), GL_OK);
        if (c >= 3)
            assert_int_equal(seq, 4); /* healthy, or a crash: no gap */
        else if (seq <= 3)
            fail_msg("%s: uplink seq %lld reused", cases[c].how, (long long)seq);
        assert_int_equal(count(s, "SELECT count(*) FROM events WHERE kind='store_corrupt' AND alert=1"),
                         cases[c].lost);
        char text[STORE_RECOVERED_MAX];
        assert_int_equal(store_kv_get(s, STORE_KV_RECOVERED, text, sizeof text) == GL_OK, cases[c].lost);
        if (cases[c].lost && strstr(text, "uplink seq continues after 1024 and downlink seq up to 42") == NULL)
            fail_msg("%s: %s", cases[c].how, text);
        store_close(s);
    }
}

/* A full disk (max_page_count): readings wait in memory, in order, and are
 * all written once space returns; bills keep their place. */
static void test_disk_full_recovers(void **state)
{
    (void)state;
    store *s = NULL;
    store_options o = {.pending_max = 100000};
    assert_int_equal(store_open(dbpath, &o, &s), GL_OK);
    int64_t pages = count(s, "PRAGMA page_count");
    assert_int_equal(store_set_max_pages(s, pages + 8), GL_OK);
    int failed = 0, total = 0;
    for (int cycle = 0; cycle < 400; cycle++) {
        reading rs[10];
        for (int m = 0; m < 10; m++) {
            char id[8];
            snprintf(id, sizeof id, "M%d", m);
            rs[m] = mk(id, 1000 + cycle * 900, cycle * 100 + m);
        }
        gl_status st = store_put_readings(s, rs, 10);
        total += 10;
        if (st != GL_OK) {
            assert_int_equal(st, GL_EFULL);
            failed++;
        }
    }
    int64_t dropped = -1;
    assert_true(failed > 0);
    assert_true(store_pending(s, &dropped) > 0);
    assert_int_equal(dropped, 0);
    assert_int_equal(store_set_max_pages(s, 0), GL_OK);
    assert_int_equal(store_flush(s), GL_OK);
    assert_int_equal(store_pending(s, NULL), 0);
    for (int m = 0; m < 10; m++) { /* every reading once */
        char id[8];
        snprintf(id, sizeof id, "M%d", m);
        assert_int_equal(npoints(s, id, 0, 1000 + 400 * 900), total / 10);
    }
    int ok = 0;
    char msg[128];
    assert_int_equal(store_check(s, &ok, msg, sizeof msg), GL_OK);
    assert_true(ok);
    store_close(s);
}

/* quota_store: a store with a 1 MB quota and body a 4 KiB message text. */
static store *quota_store(char *body, size_t cap)
{
    store *s = NULL;
    store_options o = {.quota_mb = 1};
    memset(body, 'x', cap - 1);
    body[cap - 1] = '\0';
    assert_int_equal(store_open(dbpath, &o, &s), GL_OK);
    return s;
}

/* The quota drops the oldest readings messages, never bills. */
static void test_quota_drops_readings_first(void **state)
{
    (void)state;
    char body[4096];
    store *s = quota_store(body, sizeof body);
    for (int i = 0; i < 600; i++) {
        int64_t seq;
        gl_status st = store_outbox_put(s, i % 10 == 0 ? "bills" : "readings", body, i, &seq);
        assert_true(st == GL_OK || st == GL_EFULL);
    }
    store_outbox_stats os;
    assert_int_equal(store_outbox_stats_get(s, &os), GL_OK);
    assert_true(os.dropped > 0);
    assert_int_equal(count(s, "SELECT count(*) FROM outbox WHERE kind='bills'"), 60);
    assert_int_equal(os.dropped + os.depth, 600);
    store_close(s);
}

/* Over the quota with no readings message left to drop, a bill's message
 * queued inside a transaction still commits with it (nothing dropped is no
 * failure of the transaction). */
static void test_quota_full_of_bills_commits(void **state)
{
    (void)state;
    char body[4096];
    store *s = quota_store(body, sizeof body);
    for (int i = 0; i < 400; i++) /* bills only: above the quota, never dropped */
        assert_int_equal(store_outbox_put(s, "bills", body, i, NULL), GL_OK);
    int64_t before = count(s, "SELECT count(*) FROM outbox");
    assert_int_equal(store_txn_begin(s), GL_OK);
    assert_int_equal(store_event(s, 500, "note", "C1", "bill C1 2026-01", 0), GL_OK);
    assert_int_equal(store_outbox_put(s, "bills", body, 500, NULL), GL_OK);
    assert_int_equal(store_txn_end(s, GL_OK), GL_OK);
    assert_int_equal(count(s, "SELECT count(*) FROM outbox"), before + 1);
    assert_int_equal(count(s, "SELECT count(*) FROM events WHERE ts = 500"), 1);
    store_close(s);
}

static void test_export_csv(void **state)
{
    (void)state;
    store *s = NULL;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    assert_int_equal(store_event(s, 5, "note", "M1", "a \"quoted\", text", 0), GL_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(store_export_csv(s, "events", f), GL_OK);
    fclose(f);
    assert_string_equal(buf, "id,ts,kind,subject,detail,alert,closed_ts,acked_ts,acked_by\r\n"
                             "1,5,note,M1,\"a \"\"quoted\"\", text\",0,,,\r\n");
    free(buf);
    f = fopen("/dev/null", "w");
    assert_int_equal(store_export_csv(s, "nosuch", f), GL_ENOTFOUND);
    assert_int_equal(store_export_csv(s, "events\"; DROP TABLE kv; --", f), GL_ENOTFOUND);
    fclose(f);
    store_stats st;
    assert_int_equal(store_stats_get(s, &st), GL_OK);
    assert_int_equal(st.schema_version, STORE_SCHEMA_VERSION);
    assert_true(st.ntables >= 12);
    assert_true(st.bytes_written > 0);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slots_codec),
        cmocka_unit_test_setup_teardown(test_readings_roundtrip, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_money_idempotent, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_bills_read, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_constraints_told_apart, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_ledger_read, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_txn_groups, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_outbox_sequence, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_outbox_ack_many, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_outbox_next_many, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_packed_rows_append, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_compaction, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_compaction_sparse_days, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_alert_close, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_last_readings, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_migrations_from_every_version, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_first_open, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_migration_refuses_inexact_amounts, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_moved_aside, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_sequences_survive_the_database, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_disk_full_recovers, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_quota_drops_readings_first, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_quota_full_of_bills_commits, setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_export_csv, setup, tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
