/* store_schema.c: schema versions of the store and their migrations.
 *
 * A migration is applied in one transaction that also sets user_version, so
 * a power cut leaves the file at a whole version. Migrations are only ever
 * appended: a released step is never edited. */
#include "store_schema.h"

#include <stdio.h>

/* Version 1: readings, events, outbox, key-value state. */
static const char v1[] =
    "CREATE TABLE kv(key TEXT PRIMARY KEY, val TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE meters(id TEXT PRIMARY KEY, first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL,"
    " last_status INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE readings(id INTEGER PRIMARY KEY, meter TEXT NOT NULL, ts INTEGER NOT NULL,"
    " status INTEGER NOT NULL, present INTEGER NOT NULL, flags INTEGER NOT NULL,"
    " import_wh INTEGER, export_wh INTEGER, reactive_varh INTEGER, demand_w INTEGER,"
    " power_w INTEGER, pf_milli INTEGER, freq_chz INTEGER,"
    " v1_dv INTEGER, v2_dv INTEGER, v3_dv INTEGER, i1_ma INTEGER, i2_ma INTEGER, i3_ma INTEGER,"
    " relay_closed INTEGER, raw BLOB, error TEXT);"
    "CREATE INDEX readings_ts ON readings(ts);"
    "CREATE TABLE events(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, kind TEXT NOT NULL,"
    " subject TEXT NOT NULL, detail TEXT NOT NULL, alert INTEGER NOT NULL, closed_ts INTEGER);"
    "CREATE INDEX events_open ON events(alert, closed_ts);"
    "CREATE TABLE outbox(seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, kind TEXT NOT NULL,"
    " body TEXT NOT NULL);";

/* Version 2: bills and their lines, the ledger (payments with unique refs). */
static const char v2[] =
    "CREATE TABLE bills(id INTEGER PRIMARY KEY, customer TEXT NOT NULL, period TEXT NOT NULL,"
    " total_fen INTEGER NOT NULL, json TEXT NOT NULL, created_ts INTEGER NOT NULL,"
    " UNIQUE(customer, period));"
    "CREATE TABLE bill_lines(bill_id INTEGER NOT NULL REFERENCES bills(id), n INTEGER NOT NULL,"
    " code TEXT NOT NULL, quantity TEXT, unit TEXT, rate TEXT, amount TEXT NOT NULL,"
    " PRIMARY KEY(bill_id, n)) WITHOUT ROWID;"
    "CREATE TABLE ledger(id INTEGER PRIMARY KEY, customer TEXT NOT NULL, date TEXT NOT NULL,"
    " kind TEXT NOT NULL, amount_fen INTEGER NOT NULL, ref TEXT, due TEXT);"
    "CREATE UNIQUE INDEX ledger_ref ON ledger(kind, ref) WHERE ref IS NOT NULL;"
    "CREATE INDEX ledger_customer ON ledger(customer, date);";

/* Version 3: compacted intervals (one row per meter and local day: 96
 * fifteen-minute slots in a varint blob, see store_slots.h; end_wh is the
 * day's closing total), grades and their explanations, collection actions,
 * the config in force. */
static const char v3[] =
    "CREATE TABLE intervals(meter TEXT NOT NULL, day INTEGER NOT NULL, start_wh INTEGER NOT NULL,"
    " end_wh INTEGER NOT NULL, slots BLOB NOT NULL, rstart INTEGER, rslots BLOB, flags INTEGER NOT NULL,"
    " PRIMARY KEY(meter, day)) WITHOUT ROWID;"
    "CREATE TABLE grades(customer TEXT NOT NULL, as_of TEXT NOT NULL, score INTEGER NOT NULL,"
    " grade TEXT NOT NULL, explanation TEXT NOT NULL, PRIMARY KEY(customer, as_of)) WITHOUT ROWID;"
    "CREATE TABLE actions(customer TEXT NOT NULL, date TEXT NOT NULL, action TEXT NOT NULL,"
    " channel TEXT NOT NULL, due TEXT, reason TEXT, PRIMARY KEY(customer, date, action)) WITHOUT ROWID;"
    "CREATE TABLE config(id INTEGER PRIMARY KEY CHECK(id = 1), loaded_ts INTEGER NOT NULL,"
    " text TEXT NOT NULL);";

/* Version 4: the collection record (docs/credit.md "The collection
 * record"): every collection action with its planned, taken and served
 * times, status, proof and the principal and penalty owed when taken. */
static const char v4[] =
    "CREATE TABLE collection(id INTEGER PRIMARY KEY, customer TEXT NOT NULL, episode TEXT NOT NULL,"
    " action TEXT NOT NULL, channel TEXT NOT NULL, planned_ts INTEGER NOT NULL, taken_ts INTEGER,"
    " status TEXT NOT NULL CHECK(status IN ('planned','taken','served','failed','cancelled')),"
    " served_ts INTEGER, proof TEXT, principal_fen INTEGER NOT NULL, penalty_fen INTEGER NOT NULL,"
    " reason TEXT NOT NULL, deadline_ts INTEGER);"
    "CREATE INDEX collection_episode ON collection(customer, episode);"
    "CREATE INDEX collection_taken ON collection(taken_ts);";

/* Version 5: an alert's life: acknowledged (by the back office: when, by
 * whom) beside closed (the condition ended); open = neither closed nor
 * acknowledged is still open, acknowledged ones stay until closed. */
static const char v5[] =
    "ALTER TABLE events ADD COLUMN acked_ts INTEGER;"
    "ALTER TABLE events ADD COLUMN acked_by TEXT;"
    "CREATE INDEX events_subject ON events(kind, subject) WHERE alert = 1 AND closed_ts IS NULL;";

/* Version 6: where a reading comes from (docs/meters.md "Frozen data"):
 * source 0 live, 1 the meter's daily freeze, 2 its settlement-day freeze
 * (ts the freeze time, read_ts when the gateway read it); the meter's own
 * energy per tariff (DL/T 645 tariffs 1..4: sharp, peak, flat, valley);
 * frozen readings indexed per meter (billing looks them up at boundaries). */
static const char v6[] =
    "ALTER TABLE readings ADD COLUMN source INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE readings ADD COLUMN read_ts INTEGER;"
    "ALTER TABLE readings ADD COLUMN t1_wh INTEGER;"
    "ALTER TABLE readings ADD COLUMN t2_wh INTEGER;"
    "ALTER TABLE readings ADD COLUMN t3_wh INTEGER;"
    "ALTER TABLE readings ADD COLUMN t4_wh INTEGER;"
    "CREATE INDEX readings_frozen ON readings(meter, ts) WHERE source != 0;";
/* Version 7: what a grade changes (docs/credit.md): each switch of a
 * customer's payment mode with its evidence (when, who, which rule, the
 * proof, the opening balance and the post-paid arrears left at the switch);
 * the current mode is a customer's newest row and overrides the config's
 * `payment`. Non-cash deposits (bank guarantees, insurance bonds) with
 * issuer, amount and expiry. */
static const char v7[] =
    "CREATE TABLE payment_modes(id INTEGER PRIMARY KEY, customer TEXT NOT NULL,"
    " mode TEXT NOT NULL CHECK(mode IN ('postpaid','prepaid','load_controlled')), ts INTEGER NOT NULL,"
    " opening_fen INTEGER NOT NULL, arrears_fen INTEGER NOT NULL, who TEXT NOT NULL, rule TEXT NOT NULL,"
    " proof TEXT NOT NULL);"
    "CREATE INDEX payment_modes_customer ON payment_modes(customer, id);"
    "CREATE TABLE deposits(id INTEGER PRIMARY KEY, customer TEXT NOT NULL,"
    " kind TEXT NOT NULL CHECK(kind IN ('guarantee','bond')), issuer TEXT NOT NULL,"
    " amount_fen INTEGER NOT NULL CHECK(amount_fen > 0), expires TEXT NOT NULL, ref TEXT NOT NULL UNIQUE,"
    " recorded_ts INTEGER NOT NULL);"
    "CREATE INDEX deposits_customer ON deposits(customer, expires);";

static const char *const steps[STORE_SCHEMA_VERSION] = {v1, v2, v3, v4, v5, v6, v7};

int store_schema_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* apply_step: runs migration `to` (1-based) and sets user_version, in one transaction. */
static gl_status apply_step(sqlite3 *db, int to, char *msg, size_t cap)
{
    char setv[48];
    char *err = NULL;
    snprintf(setv, sizeof setv, "PRAGMA user_version=%d;", to);
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &err);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, steps[to - 1], NULL, NULL, &err);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, setv, NULL, NULL, &err);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        if (msg != NULL)
            snprintf(msg, cap, "migration to version %d: %s", to, err ? err : sqlite3_errstr(rc));
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_free(err);
    return rc == SQLITE_OK ? GL_OK : GL_EDB;
}

gl_status store_schema_migrate(sqlite3 *db, int target, char *msg, size_t cap)
{
    int v = store_schema_version(db);
    if (v < 0 || target < 1 || target > STORE_SCHEMA_VERSION)
        return GL_EDB;
    if (v > STORE_SCHEMA_VERSION) {
        if (msg != NULL)
            snprintf(msg, cap, "database schema version %d is newer than this build's %d", v,
                     STORE_SCHEMA_VERSION);
        return GL_EUNSUPPORTED;
    }
    for (int to = v + 1; to <= target; to++) {
        gl_status st = apply_step(db, to, msg, cap);
        if (st != GL_OK)
            return st;
    }
    return GL_OK;
}
