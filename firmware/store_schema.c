/* store_schema.c: schema versions of the store and their migrations.
 *
 * A migration is applied in one transaction that also sets user_version, so
 * a power cut leaves the file at a whole version. Migrations are only ever
 * appended: a released step is never edited. */
#include "store_schema.h"

#include <stdint.h>
#include <stdio.h>

#include "gridledger/money.h"

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

/* Version 8: a bill line's amount in integer fen (amount_fen), like
 * bills.total_fen, instead of the decimal text of the bill's JSON, and a
 * bill's energy in Wh (bills.energy_wh) instead of reading it back from the
 * JSON. bill_lines is rebuilt: every stored amount (and energy) is converted
 * exactly by v8_amounts; a value that is not an exact decimal stops the
 * migration (the file stays at version 7, nothing changed) and is named by
 * bill and line. */
static const char v8_create[] =
    "ALTER TABLE bills ADD COLUMN energy_wh INTEGER;"
    "CREATE TABLE bill_lines_v8(bill_id INTEGER NOT NULL REFERENCES bills(id), n INTEGER NOT NULL,"
    " code TEXT NOT NULL, quantity TEXT, unit TEXT, rate TEXT, amount_fen INTEGER NOT NULL,"
    " PRIMARY KEY(bill_id, n)) WITHOUT ROWID;";
static const char v8_swap[] = "DROP TABLE bill_lines; ALTER TABLE bill_lines_v8 RENAME TO bill_lines;";

/* Version 9: flash wear (docs/store.md "Readings on flash"). Meters get a
 * number (meters.n) at first sight; routine readings are packed 64 meters
 * to a row, keyed by slot, block and part (store_blocks.h), in a table per
 * local day created when its first reading comes (reading_blocks_DAY);
 * rows of readings keep the rest and are looked up per meter by an index
 * that replaces the frozen-only one (few rows a day are written now);
 * intervals are keyed by day, then meter, so a day's compaction appends
 * instead of touching one page per meter (rebuilt, every row copied). */
static const char v9[] =
    "ALTER TABLE meters ADD COLUMN n INTEGER;"
    "CREATE UNIQUE INDEX meters_n ON meters(n) WHERE n IS NOT NULL;"
    "DROP INDEX readings_frozen;"
    "CREATE INDEX readings_meter ON readings(meter, ts);"
    "CREATE TABLE intervals_v9(day INTEGER NOT NULL, meter TEXT NOT NULL, start_wh INTEGER NOT NULL,"
    " end_wh INTEGER NOT NULL, slots BLOB NOT NULL, rstart INTEGER, rslots BLOB, flags INTEGER NOT NULL,"
    " PRIMARY KEY(day, meter)) WITHOUT ROWID;"
    "INSERT INTO intervals_v9(day, meter, start_wh, end_wh, slots, rstart, rslots, flags)"
    " SELECT day, meter, start_wh, end_wh, slots, rstart, rslots, flags FROM intervals ORDER BY day, meter;"
    "DROP TABLE intervals;"
    "ALTER TABLE intervals_v9 RENAME TO intervals;";

/* v8_decimal: text (a stored decimal) in units of 10^-scale into *out; if
 * it is not an exact one, msg says so naming the row (where, field, unit). */
static gl_status v8_decimal(const char *text, int scale, int64_t *out, const char *where, const char *field,
                            const char *unit, char *msg, size_t cap)
{
    gl_status st = text != NULL ? money_parse(text, scale, out) : GL_ESYNTAX;
    if (st != GL_OK && msg != NULL)
        snprintf(msg, cap, "migration to version 8: %s: %s \"%.40s\" is not an exact decimal in %s (%s)", where,
                 field, text ? text : "", unit, gl_status_name(st));
    return st;
}

/* v8_step: steps out (bound) once and resets it. */
static gl_status v8_step(sqlite3_stmt *out)
{
    int rc = sqlite3_step(out);
    sqlite3_reset(out);
    return rc == SQLITE_DONE ? GL_OK : GL_EDB;
}

/* v8_line: copies the current row of sel (bill_id, n, code, quantity, unit,
 * rate, amount) into ins with its amount in fen; GL_ESYNTAX/GL_ERANGE/
 * GL_EOVERFLOW (msg names the row) if the amount is not an exact decimal in fen. */
static gl_status v8_line(sqlite3_stmt *sel, sqlite3_stmt *ins, char *msg, size_t cap)
{
    char where[80];
    int64_t fen = 0;
    snprintf(where, sizeof where, "bill_lines bill %lld line %lld", (long long)sqlite3_column_int64(sel, 0),
             (long long)sqlite3_column_int64(sel, 1));
    gl_status st = v8_decimal((const char *)sqlite3_column_text(sel, 6), MONEY_SCALE_FEN, &fen, where, "amount",
                              "fen", msg, cap);
    if (st != GL_OK)
        return st;
    for (int c = 0; c < 6; c++)
        sqlite3_bind_value(ins, c + 1, sqlite3_column_value(sel, c));
    sqlite3_bind_int64(ins, 7, fen);
    return v8_step(ins);
}

/* v8_energy: the current row of sel (id, energy_kwh text or NULL) into
 * bills.energy_wh by upd; refused as v8_line refuses. */
static gl_status v8_energy(sqlite3_stmt *sel, sqlite3_stmt *upd, char *msg, size_t cap)
{
    char where[48];
    int64_t wh = 0;
    if (sqlite3_column_type(sel, 1) == SQLITE_NULL)
        return GL_OK; /* no energy_kwh: energy_wh stays NULL (counted as 0) */
    snprintf(where, sizeof where, "bills id %lld", (long long)sqlite3_column_int64(sel, 0));
    gl_status st = v8_decimal((const char *)sqlite3_column_text(sel, 1), MONEY_SCALE_WH, &wh, where, "energy_kwh",
                              "Wh", msg, cap);
    if (st != GL_OK)
        return st;
    sqlite3_bind_int64(upd, 1, wh);
    sqlite3_bind_int64(upd, 2, sqlite3_column_int64(sel, 0));
    return v8_step(upd);
}

/* A row converter: reads sel's current row, writes through out; msg names a refused row. */
typedef gl_status (*row_fn)(sqlite3_stmt *sel, sqlite3_stmt *out, char *msg, size_t cap);

/* each_row: runs fn on every row of sel_sql with out_sql prepared for it;
 * the first error stops (GL_EDB with SQLite's message in msg). */
static gl_status each_row(sqlite3 *db, const char *sel_sql, const char *out_sql, row_fn fn, char *msg, size_t cap)
{
    sqlite3_stmt *sel = NULL, *out = NULL;
    gl_status st = GL_EDB;
    int rc = SQLITE_DONE;
    if (sqlite3_prepare_v2(db, sel_sql, -1, &sel, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, out_sql, -1, &out, NULL) == SQLITE_OK)
        st = GL_OK;
    while (st == GL_OK && (rc = sqlite3_step(sel)) == SQLITE_ROW)
        st = fn(sel, out, msg, cap);
    if (st == GL_OK && rc != SQLITE_DONE)
        st = GL_EDB;
    if (st == GL_EDB && msg != NULL)
        snprintf(msg, cap, "migration to version 8: %s", sqlite3_errmsg(db));
    sqlite3_finalize(sel);
    sqlite3_finalize(out);
    return st;
}

/* v8_amounts: every bill_lines row into bill_lines_v8 (see v8_create), then
 * each bill's energy_kwh (JSON text) into energy_wh. */
static gl_status v8_amounts(sqlite3 *db, char *msg, size_t cap)
{
    gl_status st = each_row(db,
                            "SELECT bill_id, n, code, quantity, unit, rate, amount FROM bill_lines ORDER BY bill_id, n",
                            "INSERT INTO bill_lines_v8(bill_id, n, code, quantity, unit, rate, amount_fen)"
                            " VALUES(?1,?2,?3,?4,?5,?6,?7)",
                            v8_line, msg, cap);
    if (st == GL_OK)
        st = each_row(db,
                      "SELECT id, CASE WHEN json_valid(json) THEN json_extract(json, '$.energy_kwh') END FROM bills"
                      " ORDER BY id",
                      "UPDATE bills SET energy_wh = ?1 WHERE id = ?2", v8_energy, msg, cap);
    return st;
}

/* A step: SQL, then (if any) a function for what SQL cannot check, then more SQL. */
typedef struct schema_step {
    const char *sql;
    gl_status (*convert)(sqlite3 *db, char *msg, size_t cap);
    const char *after;
} schema_step;

static const schema_step steps[STORE_SCHEMA_VERSION] = {
    {v1, NULL, NULL}, {v2, NULL, NULL}, {v3, NULL, NULL}, {v4, NULL, NULL},
    {v5, NULL, NULL}, {v6, NULL, NULL}, {v7, NULL, NULL}, {v8_create, v8_amounts, v8_swap},
    {v9, NULL, NULL},
};

int store_schema_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* apply_step: runs migration `to` (1-based) and sets user_version, in one
 * transaction; a step's convert function's error is returned as it is. The
 * version is read again inside the transaction: two processes opening a
 * fresh store at once take each step once. */
static gl_status apply_step(sqlite3 *db, int to, char *msg, size_t cap)
{
    const schema_step *step = &steps[to - 1];
    char setv[48];
    char *err = NULL;
    gl_status conv = GL_OK;
    snprintf(setv, sizeof setv, "PRAGMA user_version=%d;", to);
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &err);
    if (rc == SQLITE_OK && store_schema_version(db) >= to) /* another process took this step meanwhile */
        return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? GL_OK : GL_EDB;
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, step->sql, NULL, NULL, &err);
    if (rc == SQLITE_OK && step->convert != NULL && (conv = step->convert(db, msg, cap)) != GL_OK) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return conv;
    }
    if (rc == SQLITE_OK && step->after != NULL)
        rc = sqlite3_exec(db, step->after, NULL, NULL, &err);
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
