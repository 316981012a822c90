/* bo_db.c: the backend-independent part of the storage: schema and helpers. */
#include "bo_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BO_SCHEMA_VERSION "7"

/* The schema, identical on SQLite and PostgreSQL. Amounts are BIGINT fen,
 * energies BIGINT Wh, dates 'YYYY-MM-DD' text, timestamps epoch seconds.
 * Derived tables keep the up seq of the message they came from so a late
 * older message never overwrites a newer one ("last by seq wins"). */
static const char *const schema[] = {
    "CREATE TABLE IF NOT EXISTS messages (gateway TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL,"
    " ts BIGINT NOT NULL, body TEXT NOT NULL, received BIGINT NOT NULL, PRIMARY KEY (gateway, seq))",
    "CREATE TABLE IF NOT EXISTS bills (gateway TEXT NOT NULL, id TEXT NOT NULL, customer TEXT NOT NULL,"
    " period TEXT NOT NULL, area TEXT NOT NULL, due TEXT NOT NULL, estimated INTEGER NOT NULL,"
    " total_fen BIGINT NOT NULL, currency TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (gateway, id))",
    "CREATE TABLE IF NOT EXISTS grades (gateway TEXT NOT NULL, customer TEXT NOT NULL, as_of TEXT NOT NULL,"
    " arrears_fen BIGINT NOT NULL, penalty_fen BIGINT NOT NULL, oldest_due TEXT, days_overdue INTEGER NOT NULL,"
    " score TEXT, grade TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (gateway, customer, as_of))",
    "CREATE TABLE IF NOT EXISTS worklists (gateway TEXT NOT NULL, date TEXT NOT NULL, seq BIGINT NOT NULL,"
    " PRIMARY KEY (gateway, date))",
    "CREATE TABLE IF NOT EXISTS worklist (gateway TEXT NOT NULL, date TEXT NOT NULL, n INTEGER NOT NULL,"
    " customer TEXT NOT NULL, name TEXT NOT NULL, grid TEXT NOT NULL, grade TEXT NOT NULL,"
    " arrears_fen BIGINT NOT NULL, penalty_fen BIGINT NOT NULL, oldest_due TEXT, days_overdue INTEGER NOT NULL,"
    " action TEXT NOT NULL, channel TEXT NOT NULL, priority INTEGER NOT NULL, deadline TEXT,"
    " PRIMARY KEY (gateway, date, n))",
    "CREATE TABLE IF NOT EXISTS lineloss (gateway TEXT NOT NULL, area TEXT NOT NULL, period TEXT NOT NULL,"
    " supplied_wh BIGINT NOT NULL, sold_wh BIGINT NOT NULL, loss_wh BIGINT NOT NULL, loss_pct TEXT NOT NULL,"
    " seq BIGINT NOT NULL, PRIMARY KEY (gateway, area, period))",
    "CREATE TABLE IF NOT EXISTS alerts (gateway TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL,"
    " subject TEXT NOT NULL, detail TEXT NOT NULL, ts BIGINT NOT NULL, alert INTEGER NOT NULL,"
    " PRIMARY KEY (gateway, seq))",
    "CREATE TABLE IF NOT EXISTS status (gateway TEXT NOT NULL PRIMARY KEY, seq BIGINT NOT NULL,"
    " ts BIGINT NOT NULL, uptime_s BIGINT, polls BIGINT, poll_errors BIGINT, meters_online BIGINT,"
    " meters_offline BIGINT, outbox_depth BIGINT, outbox_dropped BIGINT, db_bytes BIGINT, last_errors TEXT,"
    " last_seen BIGINT NOT NULL, last_seq BIGINT NOT NULL, messages BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS acks (gateway TEXT NOT NULL, seq BIGINT NOT NULL, ts BIGINT NOT NULL,"
    " down_kind TEXT NOT NULL, down_seq BIGINT NOT NULL, result TEXT NOT NULL, reason TEXT NOT NULL,"
    " PRIMARY KEY (gateway, seq))",
    "CREATE TABLE IF NOT EXISTS down_seq (gateway TEXT NOT NULL PRIMARY KEY, last_seq BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS downlink (gateway TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL,"
    " ts BIGINT NOT NULL, expires BIGINT NOT NULL, customer TEXT, amount_fen BIGINT, ref TEXT, date TEXT,"
    " message TEXT NOT NULL, PRIMARY KEY (gateway, seq))",
    "CREATE TABLE IF NOT EXISTS counters (name TEXT NOT NULL PRIMARY KEY, value BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS bills_area_period ON bills (area, period)",
    "CREATE TABLE IF NOT EXISTS schema_version (v INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS owners (kind TEXT NOT NULL, id TEXT NOT NULL, gateway TEXT NOT NULL,"
    " PRIMARY KEY (kind, id))",
    "INSERT INTO schema_version (v) SELECT " BO_SCHEMA_VERSION
    " WHERE NOT EXISTS (SELECT 1 FROM schema_version WHERE v >= " BO_SCHEMA_VERSION ")",
    "CREATE INDEX IF NOT EXISTS grades_as_of ON grades (as_of)",
    /* version 3: the gateways' collection records ("actions" messages), one
     * row per gateway record id, the newest message's state */
    "CREATE TABLE IF NOT EXISTS actions (gateway TEXT NOT NULL, id BIGINT NOT NULL, customer TEXT NOT NULL,"
    " episode TEXT NOT NULL, action TEXT NOT NULL, channel TEXT NOT NULL, planned TEXT NOT NULL, taken TEXT,"
    " status TEXT NOT NULL, served TEXT, proof TEXT, principal_fen BIGINT NOT NULL, penalty_fen BIGINT NOT NULL,"
    " reason TEXT NOT NULL, deadline TEXT, seq BIGINT NOT NULL, PRIMARY KEY (gateway, id))",
    /* version 4: contacts (personal data stays in the back office), who
     * changed them, and the notices sent for the collection record */
    "CREATE TABLE IF NOT EXISTS contacts (customer TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL,"
    " mobile TEXT NOT NULL, email TEXT NOT NULL, address TEXT NOT NULL, channel TEXT NOT NULL,"
    " consent_sms TEXT NOT NULL, consent_email TEXT NOT NULL, lang TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS contacts_audit (ts BIGINT NOT NULL, who TEXT NOT NULL, customer TEXT NOT NULL,"
    " field TEXT NOT NULL, old TEXT, new TEXT)",
    "CREATE TABLE IF NOT EXISTS notices (gateway TEXT NOT NULL, action_id BIGINT NOT NULL, customer TEXT NOT NULL,"
    " action TEXT NOT NULL, channel TEXT NOT NULL, dest TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL,"
    " segments INTEGER NOT NULL, token TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL,"
    " queued BIGINT NOT NULL, submitted BIGINT, reply TEXT, kannel_id TEXT, dlr_type INTEGER, dlr_ts BIGINT,"
    " proof_seq BIGINT, attempt INTEGER NOT NULL DEFAULT 1, history TEXT NOT NULL DEFAULT '',"
    " PRIMARY KEY (gateway, action_id))",
    /* version 5: planned outages, which customers are large or important,
     * and each outage's notice schedule (the notices themselves go into
     * notices under gateway '~outage') */
    "CREATE TABLE IF NOT EXISTS outages (id BIGINT NOT NULL PRIMARY KEY, gateway TEXT NOT NULL, area TEXT NOT NULL,"
    " starts BIGINT NOT NULL, ends BIGINT NOT NULL, reason TEXT NOT NULL, status TEXT NOT NULL,"
    " created BIGINT NOT NULL, who TEXT NOT NULL, history TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE IF NOT EXISTS outage_class (customer TEXT NOT NULL PRIMARY KEY, large INTEGER NOT NULL,"
    " important INTEGER NOT NULL, ts BIGINT NOT NULL, who TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS outage_notices (outage BIGINT NOT NULL, n INTEGER NOT NULL, customer TEXT NOT NULL,"
    " kind TEXT NOT NULL, days INTEGER NOT NULL, planned BIGINT NOT NULL, due BIGINT NOT NULL,"
    " status TEXT NOT NULL, note TEXT NOT NULL, old_from BIGINT, old_to BIGINT, notice_id BIGINT,"
    " PRIMARY KEY (outage, n))",
    /* version 6: the monthly bills sent by e-mail, each once */
    "CREATE TABLE IF NOT EXISTS bill_mails (gateway TEXT NOT NULL, bill_id TEXT NOT NULL, customer TEXT NOT NULL,"
    " period TEXT NOT NULL, total_fen BIGINT NOT NULL, dest TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL,"
    " reply TEXT, queued BIGINT NOT NULL, sent BIGINT, PRIMARY KEY (gateway, bill_id))",
    /* version 7: energy of each bill (its "energy" lines in kWh), the large
     * customers' industry and contracted capacity, and their capacity changes
     * (ledger-like: an event id is stored once, never changed) */
    "CREATE TABLE IF NOT EXISTS bill_energy (gateway TEXT NOT NULL, id TEXT NOT NULL, customer TEXT NOT NULL,"
    " period TEXT NOT NULL, area TEXT NOT NULL, energy_wh BIGINT NOT NULL, seq BIGINT NOT NULL,"
    " PRIMARY KEY (gateway, id))",
    "CREATE TABLE IF NOT EXISTS large_customers (gateway TEXT NOT NULL, customer TEXT NOT NULL,"
    " industry TEXT NOT NULL, capacity_va BIGINT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (gateway, customer))",
    "CREATE TABLE IF NOT EXISTS capacity_changes (gateway TEXT NOT NULL, customer TEXT NOT NULL, id TEXT NOT NULL,"
    " date TEXT NOT NULL, kind TEXT NOT NULL, kva_va BIGINT NOT NULL, seq BIGINT NOT NULL,"
    " PRIMARY KEY (gateway, customer, id))",
    "UPDATE schema_version SET v = " BO_SCHEMA_VERSION,
};

/* schema_current: 1 if the schema is already there, so opening for a report
 * or a poll takes no write lock. */
static int schema_current(bo_db *db)
{
    char v[16];
    return bo_db_scalar(db, "SELECT MAX(v) FROM schema_version", 0, NULL, v, sizeof v) == GL_OK &&
           strcmp(v, BO_SCHEMA_VERSION) == 0;
}

static void set_err(char *err, size_t cap, const char *what, const char *detail)
{
    if (err && cap)
        snprintf(err, cap, "%s: %s", what, detail ? detail : "");
}

gl_status bo_db_open(const bo_db_ops *ops, const char *target, bo_db **out, char *err, size_t errcap)
{
    gl_status st = GL_EINVAL;
    bo_db *db = NULL;
    *out = NULL;
    if (!ops || !target || !*target)
        goto out;
    st = GL_ENOMEM;
    db = calloc(1, sizeof *db);
    if (!db)
        goto out;
    db->ops = ops;
    st = ops->open(target, &db->conn, err, errcap);
    if (st != GL_OK)
        goto out;
    if (schema_current(db))
        goto done;
    st = bo_db_begin(db);
    if (st == GL_OK && ops->schema_lock)
        st = ops->schema_lock(db->conn);
    for (size_t i = 0; st == GL_OK && i < sizeof schema / sizeof schema[0]; i++)
        st = bo_db_exec(db, schema[i], 0, NULL, NULL);
    if (st == GL_OK)
        st = bo_db_commit(db);
    if (st != GL_OK) {
        set_err(err, errcap, "schema", bo_db_error(db));
        bo_db_rollback(db);
        goto out;
    }
done:
    *out = db;
    db = NULL;
out:
    bo_db_close(db);
    return st;
}

void bo_db_close(bo_db *db)
{
    if (!db)
        return;
    if (db->ops && db->conn)
        db->ops->close(db->conn);
    free(db);
}

gl_status bo_db_exec(bo_db *db, const char *sql, int nparams, const char *const *params, long long *changes)
{
    if (!db || !sql || nparams < 0 || nparams > BO_DB_MAX_PARAMS)
        return GL_EINVAL;
    return db->ops->exec(db->conn, sql, nparams, params, changes);
}

gl_status bo_db_query(bo_db *db, const char *sql, int nparams, const char *const *params, bo_row_fn fn,
                      void *arg)
{
    if (!db || !sql || !fn || nparams < 0 || nparams > BO_DB_MAX_PARAMS)
        return GL_EINVAL;
    return db->ops->query(db->conn, sql, nparams, params, fn, arg);
}

gl_status bo_db_begin(bo_db *db)
{
    return db->ops->begin(db->conn);
}

gl_status bo_db_commit(bo_db *db)
{
    return bo_db_exec(db, "COMMIT", 0, NULL, NULL);
}

void bo_db_rollback(bo_db *db)
{
    if (db)
        (void)bo_db_exec(db, "ROLLBACK", 0, NULL, NULL);
}

const char *bo_db_error(const bo_db *db)
{
    return db && db->conn ? db->ops->errmsg(db->conn) : "no database";
}

struct scalar_arg {
    char *out;
    size_t cap;
};

static int scalar_row(void *arg, int ncols, const char *const *vals)
{
    struct scalar_arg *a = arg;
    if (ncols > 0 && vals[0])
        snprintf(a->out, a->cap, "%s", vals[0]);
    return 1;
}

gl_status bo_db_scalar(bo_db *db, const char *sql, int nparams, const char *const *params, char *out,
                       size_t cap)
{
    struct scalar_arg a = {out, cap};
    if (!out || cap == 0)
        return GL_EINVAL;
    out[0] = '\0';
    return bo_db_query(db, sql, nparams, params, scalar_row, &a);
}

gl_status bo_db_counter_add(bo_db *db, const char *name, long long delta)
{
    char d[24];
    snprintf(d, sizeof d, "%lld", delta);
    const char *p[] = {name, d};
    return bo_db_exec(db,
                      "INSERT INTO counters (name, value) VALUES ($1, CAST($2 AS BIGINT))"
                      " ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value",
                      2, p, NULL);
}
