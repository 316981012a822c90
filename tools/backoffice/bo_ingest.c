/* bo_ingest.c: validation of uplink messages and the tables derived from them.
 * See bo_ingest.h. Rule for derived rows: "last by up seq wins", so
 * messages arriving out of order (two ingest processes, redelivery) end in
 * the same tables as in order. */
#include "bo_ingest.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gridledger/civdate.h"
#include "gridledger/ident.h"
#include "gridledger/jsonv.h"
#include "gridledger/largecust.h"
#include "gridledger/money.h"
#include "gridledger/utf8.h"

#define WHY_MAX 200

typedef struct ictx {
    bo_db *db;
    const char *gateway;
    long long seq;
    long long ts;
    long long now;
    char seq_s[24];
    char why[WHY_MAX]; /* reason of a rejection */
} ictx;

/* The grade names a gateway may report (credit.grades names of
 * docs/credit.md: the default A/B/C and the usual AAA..E scales). */
static const char *const grade_names[] = {"AAA", "AA", "A", "B", "C", "D", "E", NULL};

static const char *const up_kinds[] = {"readings", "bills", "alerts", "grades", "worklist", "lineloss",
                                       "events", "status", "ack", "actions", "customers", NULL};

static gl_status reject(ictx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static gl_status reject(ictx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    return GL_ESYNTAX;
}

int bo_valid_id(const char *s)
{
    return ident_valid(s, BO_ID_MAX); /* the gateway's own check */
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int bo_valid_month(const char *s)
{
    if (!s || strlen(s) != 7 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2))
        return 0;
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    return m >= 1 && m <= 12;
}

int bo_month_index(const char *ym)
{
    if (!bo_valid_month(ym))
        return -1;
    return ((ym[0] - '0') * 1000 + (ym[1] - '0') * 100 + (ym[2] - '0') * 10 + (ym[3] - '0')) * 12 +
           (ym[5] - '0') * 10 + (ym[6] - '0') - 1;
}

gl_status bo_month_add(const char *ym, int delta, char *out, size_t cap)
{
    int i = bo_month_index(ym);
    if (i < 0 || i + delta < 0 || i + delta >= 10000 * 12 || cap < 8)
        return GL_EINVAL;
    i += delta;
    snprintf(out, cap, "%04d-%02d", i / 12, i % 12 + 1);
    return GL_OK;
}

int bo_valid_date(const char *s)
{
    int32_t d;
    return s != NULL && civdate_parse(s, strlen(s), &d) == GL_OK; /* the gateway's own date check */
}

int bo_valid_grade(const char *s)
{
    for (int i = 0; s != NULL && grade_names[i]; i++)
        if (strcmp(s, grade_names[i]) == 0)
            return 1;
    return 0;
}

int bo_valid_minute(const char *s)
{
    int64_t min;
    return s != NULL && civdate_parse_minute(s, strlen(s), &min) == GL_OK;
}

/* bo_valid_deadline: a date, or a date and minute "YYYY-MM-DDTHH:MM" (the
 * gateway gives the minute for actions with a time, as a 30-minute
 * confirmation before a disconnection). */
static int bo_valid_deadline(const char *s)
{
    return bo_valid_date(s) || bo_valid_minute(s);
}

/* ---- field readers: each reports into c->why and returns 0 when wrong ---- */

static const char *get_str(ictx *c, const cJSON *o, const char *where, const char *key, int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v)) {
        if (required)
            reject(c, "%s.%s: missing", where, key);
        return NULL;
    }
    if (!cJSON_IsString(v)) {
        reject(c, "%s.%s: must be a string", where, key);
        return NULL;
    }
    if (strlen(v->valuestring) > 4096) {
        reject(c, "%s.%s: too long", where, key);
        return NULL;
    }
    return v->valuestring;
}

static int get_int(ictx *c, const cJSON *o, const char *where, const char *key, long long lo, long long hi,
                   long long *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble) ||
        v->valuedouble < (double)lo || v->valuedouble > (double)hi) {
        reject(c, "%s.%s: must be an integer %lld..%lld", where, key, lo, hi);
        return 0;
    }
    *out = (long long)v->valuedouble;
    return 1;
}

/* get_dec: a decimal string at scale, written as text of the scaled integer. */
static int get_dec(ictx *c, const cJSON *o, const char *where, const char *key, int scale, char *out, size_t cap)
{
    const char *s = get_str(c, o, where, key, 1);
    int64_t v = 0;
    if (!s)
        return 0;
    if (money_parse(s, scale, &v) != GL_OK) {
        reject(c, "%s.%s: not a decimal with at most %d decimals: \"%.40s\"", where, key, scale, s);
        return 0;
    }
    snprintf(out, cap, "%lld", (long long)v);
    return 1;
}

/* get_checked: a string field that valid() accepts; want says what it must be. */
static int get_checked(ictx *c, const cJSON *o, const char *where, const char *key, int required,
                       int (*valid)(const char *), const char *want, const char **out)
{
    const char *s = get_str(c, o, where, key, required);
    *out = s;
    if (!s)
        return !required && !c->why[0];
    if (!valid(s)) {
        reject(c, "%s.%s: not %s", where, key, want);
        return 0;
    }
    return 1;
}

static int get_date(ictx *c, const cJSON *o, const char *where, const char *key, int required, const char **out)
{
    return get_checked(c, o, where, key, required, bo_valid_date, "a date YYYY-MM-DD", out);
}

static int get_deadline(ictx *c, const cJSON *o, const char *where, const char **out)
{
    return get_checked(c, o, where, "deadline", 0, bo_valid_deadline, "YYYY-MM-DD or YYYY-MM-DDTHH:MM", out);
}

static int get_grade(ictx *c, const cJSON *o, const char *where, const char **out)
{
    return get_checked(c, o, where, "grade", 1, bo_valid_grade, "a grade (AAA AA A B C D E)", out);
}

static int get_id(ictx *c, const cJSON *o, const char *where, const char *key, const char **out)
{
    *out = get_str(c, o, where, key, 1);
    if (*out && !bo_valid_id(*out)) {
        reject(c, "%s.%s: not an id (1..64 of A-Z a-z 0-9 . _ -)", where, key);
        return 0;
    }
    return *out != NULL;
}

/* get_array: a member array of at most BO_ITEMS_MAX items. */
static const cJSON *get_array(ictx *c, const cJSON *o, const char *key)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsArray(a)) {
        reject(c, "body.%s: must be an array", key);
        return NULL;
    }
    if (cJSON_GetArraySize(a) > BO_ITEMS_MAX) {
        reject(c, "body.%s: more than %d items", key, BO_ITEMS_MAX);
        return NULL;
    }
    return a;
}

static gl_status exec(ictx *c, const char *sql, int n, const char *const *p)
{
    return bo_db_exec(c->db, sql, n, p, NULL);
}

/* owned: a customer or area (what) belongs to the gateway that reported it
 * first, or that an operator assigned it to (table owners, `assign`); a
 * message from another gateway naming it is rejected. */
static gl_status owned(ictx *c, const char *what, const char *id)
{
    char owner[BO_ID_MAX + 1];
    const char *p[] = {what, id, c->gateway};
    gl_status st = exec(c, "INSERT INTO owners (kind, id, gateway) VALUES ($1,$2,$3) ON CONFLICT (kind, id) DO NOTHING",
                        3, p);
    if (st == GL_OK)
        st = bo_db_scalar(c->db, "SELECT gateway FROM owners WHERE kind = $1 AND id = $2", 2, p, owner, sizeof owner);
    if (st == GL_OK && strcmp(owner, c->gateway) != 0)
        return reject(c, "%s %s belongs to gateway %s, not %s", what, id, owner, c->gateway);
    return st;
}

/* ---- one function per kind ---- */

/* bill_energy: the active energy of a bill: its "energy_kwh" (the gateway's
 * bills carry it), else the sum of its lines whose code is "energy..." (one
 * per TOU period and tier, "@DATE" per tariff version) in kWh; surcharges
 * per kWh are not energy. As Wh text in out. */
static int bill_energy(ictx *c, const cJSON *b, const char *where, char *out, size_t cap)
{
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(b, "lines"), *l;
    int64_t sum = 0;
    int i = 0;
    if (cJSON_GetObjectItemCaseSensitive(b, "energy_kwh"))
        return get_dec(c, b, where, "energy_kwh", 3, out, cap);
    if (lines && !cJSON_IsArray(lines)) {
        reject(c, "%s.lines: must be an array", where);
        return 0;
    }
    cJSON_ArrayForEach(l, lines)
    {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(l, "code"), *unit = cJSON_GetObjectItemCaseSensitive(l, "unit");
        const cJSON *qty = cJSON_GetObjectItemCaseSensitive(l, "quantity");
        int64_t wh = 0;
        i++;
        if (!cJSON_IsString(code) || strncmp(code->valuestring, "energy", 6) != 0 || !cJSON_IsString(unit) ||
            strcmp(unit->valuestring, "kWh") != 0)
            continue;
        if (!cJSON_IsString(qty) || money_parse(qty->valuestring, 3, &wh) != GL_OK || money_add(sum, wh, &sum) != GL_OK) {
            reject(c, "%s.lines[%d].quantity: not a decimal kWh with at most 3 decimals", where, i - 1);
            return 0;
        }
    }
    snprintf(out, cap, "%lld", (long long)sum);
    return 1;
}

static gl_status derive_bills(ictx *c, const cJSON *body)
{
    const cJSON *a = get_array(c, body, "bills"), *b;
    int i = 0;
    if (!a)
        return GL_ESYNTAX;
    cJSON_ArrayForEach(b, a)
    {
        char where[32], total[24], est[2] = "0";
        const char *id, *customer, *area, *due, *currency, *period;
        snprintf(where, sizeof where, "bills[%d]", i++);
        if (!cJSON_IsObject(b))
            return reject(c, "%s: must be an object", where);
        id = get_str(c, b, where, "id", 1);
        if (!id || !get_id(c, b, where, "customer", &customer) || !get_id(c, b, where, "area", &area) ||
            !get_date(c, b, where, "due", 1, &due) || !get_dec(c, b, where, "total", 2, total, sizeof total))
            return GL_ESYNTAX;
        gl_status ost = owned(c, "customer", customer);
        if (ost == GL_OK)
            ost = owned(c, "area", area);
        if (ost != GL_OK)
            return ost;
        currency = get_str(c, b, where, "currency", 0);
        period = strrchr(id, '/');
        if (!period || (size_t)(period - id) != strlen(customer) || strncmp(id, customer, strlen(customer)) != 0 ||
            !bo_valid_month(period + 1))
            return reject(c, "%s.id: must be CUSTOMER/YYYY-MM", where);
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(b, "estimated");
        if (e && !cJSON_IsBool(e))
            return reject(c, "%s.estimated: must be true or false", where);
        if (cJSON_IsTrue(e))
            est[0] = '1';
        char energy[24];
        if (!bill_energy(c, b, where, energy, sizeof energy))
            return GL_ESYNTAX;
        const char *p[] = {c->gateway, id, customer, period + 1, area, due, est, total, currency ? currency : "CNY",
                           c->seq_s};
        gl_status st = exec(c,
                            "INSERT INTO bills (gateway, id, customer, period, area, due, estimated, total_fen,"
                            " currency, seq) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (gateway, id)"
                            " DO UPDATE SET customer = excluded.customer, period = excluded.period,"
                            " area = excluded.area, due = excluded.due, estimated = excluded.estimated,"
                            " total_fen = excluded.total_fen, currency = excluded.currency, seq = excluded.seq"
                            " WHERE excluded.seq > bills.seq",
                            10, p);
        const char *q[] = {c->gateway, id, customer, period + 1, area, energy, c->seq_s};
        if (st == GL_OK) /* PostgreSQL types every parameter: each statement gets only its own */
            st = exec(c,
                      "INSERT INTO bill_energy (gateway, id, customer, period, area, energy_wh, seq)"
                      " VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (gateway, id) DO UPDATE SET"
                      " customer = excluded.customer, period = excluded.period, area = excluded.area,"
                      " energy_wh = excluded.energy_wh, seq = excluded.seq WHERE excluded.seq > bill_energy.seq",
                      7, q);
        if (st != GL_OK)
            return st;
    }
    return GL_OK;
}

/* score: a number or a decimal string, kept as text. */
static int get_score(ictx *c, const cJSON *r, const char *where, char *out, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, "score");
    out[0] = '\0';
    if (!v || cJSON_IsNull(v))
        return 1;
    if (cJSON_IsString(v) && strlen(v->valuestring) < cap) {
        snprintf(out, cap, "%s", v->valuestring);
        return 1;
    }
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && fabs(v->valuedouble) < 1e9) {
        snprintf(out, cap, "%lld", (long long)llround(v->valuedouble));
        return 1;
    }
    reject(c, "%s.score: must be a number", where);
    return 0;
}

static gl_status derive_grades(ictx *c, const cJSON *body)
{
    const char *as_of;
    const cJSON *a, *r;
    int i = 0;
    if (!get_date(c, body, "body", "as_of", 1, &as_of) || !(a = get_array(c, body, "results")))
        return GL_ESYNTAX;
    cJSON_ArrayForEach(r, a)
    {
        char where[32], arrears[24], penalty[24], days_s[24], score[32];
        const char *customer, *oldest, *grade;
        long long days = 0;
        snprintf(where, sizeof where, "results[%d]", i++);
        if (!cJSON_IsObject(r))
            return reject(c, "%s: must be an object", where);
        if (!get_id(c, r, where, "customer", &customer) || !get_dec(c, r, where, "arrears", 2, arrears, sizeof arrears) ||
            !get_dec(c, r, where, "penalty", 2, penalty, sizeof penalty) ||
            !get_date(c, r, where, "oldest_due", 0, &oldest) ||
            !get_int(c, r, where, "days_overdue", 0, 100000, &days) || !get_grade(c, r, where, &grade) ||
            !get_score(c, r, where, score, sizeof score))
            return GL_ESYNTAX;
        gl_status ost = owned(c, "customer", customer);
        if (ost != GL_OK)
            return ost;
        snprintf(days_s, sizeof days_s, "%lld", days);
        const char *p[] = {c->gateway, customer, as_of, arrears, penalty, oldest, days_s, score[0] ? score : NULL,
                           grade, c->seq_s};
        gl_status st = exec(c,
                            "INSERT INTO grades (gateway, customer, as_of, arrears_fen, penalty_fen, oldest_due,"
                            " days_overdue, score, grade, seq) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)"
                            " ON CONFLICT (gateway, customer, as_of) DO UPDATE SET arrears_fen = excluded.arrears_fen,"
                            " penalty_fen = excluded.penalty_fen, oldest_due = excluded.oldest_due,"
                            " days_overdue = excluded.days_overdue, score = excluded.score, grade = excluded.grade,"
                            " seq = excluded.seq WHERE excluded.seq > grades.seq",
                            10, p);
        if (st != GL_OK)
            return st;
    }
    return GL_OK;
}

static gl_status worklist_row(ictx *c, const char *date, int n, const cJSON *r)
{
    char where[32], arrears[24], penalty[24], days_s[24], prio_s[24], n_s[16];
    const char *customer, *name, *grid, *grade, *oldest, *action, *channel, *deadline;
    long long days = 0, prio = 0;
    snprintf(where, sizeof where, "rows[%d]", n);
    if (!cJSON_IsObject(r))
        return reject(c, "%s: must be an object", where);
    if (!get_id(c, r, where, "customer", &customer) || !(name = get_str(c, r, where, "name", 1)) ||
        !(grid = get_str(c, r, where, "grid", 1)) || !get_grade(c, r, where, &grade) ||
        !get_dec(c, r, where, "arrears", 2, arrears, sizeof arrears) ||
        !get_dec(c, r, where, "penalty", 2, penalty, sizeof penalty) ||
        !get_date(c, r, where, "oldest_due", 0, &oldest) || !get_int(c, r, where, "days_overdue", 0, 100000, &days) ||
        !(action = get_str(c, r, where, "action", 1)) || !(channel = get_str(c, r, where, "channel", 1)) ||
        !get_int(c, r, where, "priority", 0, 1000, &prio) || !get_deadline(c, r, where, &deadline))
        return GL_ESYNTAX;
    gl_status ost = owned(c, "customer", customer);
    if (ost != GL_OK)
        return ost;
    snprintf(days_s, sizeof days_s, "%lld", days);
    snprintf(prio_s, sizeof prio_s, "%lld", prio);
    snprintf(n_s, sizeof n_s, "%d", n);
    const char *p[] = {c->gateway, date,    n_s,    customer, name,   grid,    grade,
                       arrears,    penalty, oldest, days_s,   action, channel, prio_s, deadline};
    return exec(c,
                "INSERT INTO worklist (gateway, date, n, customer, name, grid, grade, arrears_fen, penalty_fen,"
                " oldest_due, days_overdue, action, channel, priority, deadline)"
                " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)",
                15, p);
}

/* A worklist message replaces the gateway's worklist of that date, unless a
 * newer message (higher seq) already did. */
static gl_status derive_worklist(ictx *c, const cJSON *body)
{
    const char *date;
    const cJSON *a, *r;
    char cur[24];
    gl_status st;
    int i = 0;
    if (!get_date(c, body, "body", "date", 1, &date) || !(a = get_array(c, body, "rows")))
        return GL_ESYNTAX;
    const char *k[] = {c->gateway, date, c->seq_s};
    st = bo_db_scalar(c->db, "SELECT seq FROM worklists WHERE gateway = $1 AND date = $2", 2, k, cur, sizeof cur);
    if (st != GL_OK)
        return st;
    if (cur[0] && strtoll(cur, NULL, 10) > c->seq)
        return GL_OK; /* a newer worklist of that date is already in */
    st = exec(c, "DELETE FROM worklist WHERE gateway = $1 AND date = $2", 2, k);
    if (st == GL_OK)
        st = exec(c,
                  "INSERT INTO worklists (gateway, date, seq) VALUES ($1,$2,$3) ON CONFLICT (gateway, date)"
                  " DO UPDATE SET seq = excluded.seq",
                  3, k);
    cJSON_ArrayForEach(r, a)
    {
        if (st != GL_OK)
            break;
        st = worklist_row(c, date, i++, r);
    }
    return st;
}

static gl_status derive_lineloss(ictx *c, const cJSON *body)
{
    char sup[24], sold[24], loss[24];
    const char *period, *area, *pct;
    if (!(period = get_str(c, body, "body", "period", 1)))
        return GL_ESYNTAX;
    if (!bo_valid_month(period))
        return reject(c, "body.period: not YYYY-MM");
    if (!get_id(c, body, "body", "area", &area) || !get_dec(c, body, "body", "supplied_kwh", 3, sup, sizeof sup) ||
        !get_dec(c, body, "body", "sold_kwh", 3, sold, sizeof sold) ||
        !get_dec(c, body, "body", "loss_kwh", 3, loss, sizeof loss) || !(pct = get_str(c, body, "body", "loss_pct", 1)))
        return GL_ESYNTAX;
    int64_t pct_v;
    if (money_parse(pct, 4, &pct_v) != GL_OK)
        return reject(c, "body.loss_pct: not a decimal");
    gl_status ost = owned(c, "area", area);
    if (ost != GL_OK)
        return ost;
    const char *p[] = {c->gateway, area, period, sup, sold, loss, pct, c->seq_s};
    return exec(c,
                "INSERT INTO lineloss (gateway, area, period, supplied_wh, sold_wh, loss_wh, loss_pct, seq)"
                " VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (gateway, area, period) DO UPDATE SET"
                " supplied_wh = excluded.supplied_wh, sold_wh = excluded.sold_wh, loss_wh = excluded.loss_wh,"
                " loss_pct = excluded.loss_pct, seq = excluded.seq WHERE excluded.seq > lineloss.seq",
                8, p);
}

static gl_status derive_alert(ictx *c, const cJSON *body)
{
    const char *kind, *subject, *detail;
    long long ts = 0;
    char ts_s[24], flag[2] = "0";
    if (!(kind = get_str(c, body, "body", "kind", 1)) || !(subject = get_str(c, body, "body", "subject", 1)))
        return GL_ESYNTAX;
    detail = get_str(c, body, "body", "detail", 0);
    if (c->why[0])
        return GL_ESYNTAX;
    if (cJSON_GetObjectItemCaseSensitive(body, "ts")) {
        if (!get_int(c, body, "body", "ts", 0, BO_SEQ_MAX, &ts))
            return GL_ESYNTAX;
    } else {
        ts = c->ts;
    }
    const cJSON *al = cJSON_GetObjectItemCaseSensitive(body, "alert");
    if (al && !cJSON_IsBool(al))
        return reject(c, "body.alert: must be true or false");
    if (cJSON_IsTrue(al))
        flag[0] = '1';
    snprintf(ts_s, sizeof ts_s, "%lld", ts);
    const char *p[] = {c->gateway, c->seq_s, kind, subject, detail ? detail : "", ts_s, flag};
    return exec(c,
                "INSERT INTO alerts (gateway, seq, kind, subject, detail, ts, alert) VALUES ($1,$2,$3,$4,$5,$6,$7)",
                7, p);
}

static gl_status derive_status(ictx *c, const cJSON *body)
{
    static const char *const keys[] = {"uptime_s",     "polls",          "poll_errors", "meters_online",
                                       "meters_offline", "outbox_depth", "outbox_dropped", "db_bytes"};
    char vals[8][24], ts_s[24], *errs = NULL;
    const char *p[12];
    gl_status st;
    for (int i = 0; i < 8; i++) {
        long long v = 0;
        if (!get_int(c, body, "body", keys[i], 0, BO_SEQ_MAX, &v))
            return GL_ESYNTAX;
        snprintf(vals[i], sizeof vals[i], "%lld", v);
        p[3 + i] = vals[i];
    }
    const cJSON *le = cJSON_GetObjectItemCaseSensitive(body, "last_errors");
    if (le && (!cJSON_IsArray(le) || cJSON_GetArraySize(le) > 100))
        return reject(c, "body.last_errors: must be an array of at most 100 strings");
    errs = le ? cJSON_PrintUnformatted(le) : NULL;
    snprintf(ts_s, sizeof ts_s, "%lld", c->ts);
    p[0] = c->gateway;
    p[1] = c->seq_s;
    p[2] = ts_s;
    p[11] = errs;
    st = exec(c,
              "UPDATE status SET seq = $2, ts = $3, uptime_s = $4, polls = $5, poll_errors = $6,"
              " meters_online = $7, meters_offline = $8, outbox_depth = $9, outbox_dropped = $10, db_bytes = $11,"
              " last_errors = $12 WHERE gateway = $1 AND seq < CAST($2 AS BIGINT)",
              12, p);
    cJSON_free(errs);
    return st;
}

static gl_status derive_ack(ictx *c, const cJSON *body)
{
    static const char *const kinds[] = {"payments", "topups", "tariffs", "commands", "config", NULL};
    static const char *const results[] = {"applied", "duplicate", "refused", NULL};
    const char *dk, *res, *reason;
    long long dseq = 0;
    char dseq_s[24], ts_s[24];
    int ok_k = 0, ok_r = 0;
    if (!(dk = get_str(c, body, "body", "down_kind", 1)) || !get_int(c, body, "body", "down_seq", 0, BO_SEQ_MAX, &dseq) ||
        !(res = get_str(c, body, "body", "result", 1)))
        return GL_ESYNTAX;
    reason = get_str(c, body, "body", "reason", 0);
    if (c->why[0])
        return GL_ESYNTAX;
    for (int i = 0; kinds[i]; i++)
        ok_k |= strcmp(dk, kinds[i]) == 0;
    for (int i = 0; results[i]; i++)
        ok_r |= strcmp(res, results[i]) == 0;
    if (!ok_k)
        return reject(c, "body.down_kind: not a downlink kind");
    if (!ok_r)
        return reject(c, "body.result: must be applied|duplicate|refused");
    snprintf(dseq_s, sizeof dseq_s, "%lld", dseq);
    snprintf(ts_s, sizeof ts_s, "%lld", c->ts);
    const char *p[] = {c->gateway, c->seq_s, ts_s, dk, dseq_s, res, reason ? reason : ""};
    return exec(c,
                "INSERT INTO acks (gateway, seq, ts, down_kind, down_seq, result, reason)"
                " VALUES ($1,$2,$3,$4,$5,$6,$7)",
                7, p);
}

/* derive_actions: one row of a gateway's collection record (docs/credit.md);
 * a later message about the same record (served, cancelled) replaces it. */
static gl_status derive_actions(ictx *c, const cJSON *body)
{
    static const char *const str_keys[] = {"customer", "episode", "action", "channel", "planned", "status", "reason"};
    static const char *const opt_keys[] = {"taken", "served", "proof", "deadline"};
    static const char *const statuses[] = {"planned", "taken", "served", "failed", "cancelled", NULL};
    const char *p[16];
    char id_s[24], principal[24], penalty[24];
    long long id = 0;
    int ok = 0;
    if (!get_int(c, body, "body", "id", 1, BO_SEQ_MAX, &id))
        return GL_ESYNTAX;
    for (int i = 0; i < 7; i++)
        if (!(p[2 + i] = get_str(c, body, "body", str_keys[i], 1)))
            return GL_ESYNTAX;
    for (int i = 0; i < 4; i++)
        p[9 + i] = get_str(c, body, "body", opt_keys[i], 0);
    if (c->why[0] || !get_dec(c, body, "body", "principal", 2, principal, sizeof principal) ||
        !get_dec(c, body, "body", "penalty", 2, penalty, sizeof penalty))
        return GL_ESYNTAX;
    for (int i = 0; statuses[i]; i++)
        ok |= strcmp(p[7], statuses[i]) == 0;
    if (!ok)
        return reject(c, "body.status: must be planned|taken|served|failed|cancelled");
    snprintf(id_s, sizeof id_s, "%lld", id);
    p[0] = c->gateway;
    p[1] = id_s;
    p[13] = principal;
    p[14] = penalty;
    p[15] = c->seq_s;
    return exec(c,
                "INSERT INTO actions (gateway, id, customer, episode, action, channel, planned, status, reason,"
                " taken, served, proof, deadline, principal_fen, penalty_fen, seq)"
                " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)"
                " ON CONFLICT (gateway, id) DO UPDATE SET planned = excluded.planned, taken = excluded.taken,"
                " status = excluded.status, served = excluded.served,"
                " proof = excluded.proof, reason = excluded.reason, seq = excluded.seq"
                " WHERE excluded.seq > actions.seq",
                16, p);
}

/* capacity_change: one ledger-like event {"id","date","kind","kva"} of a
 * large customer; stored once per id (a correction is a new event). */
static gl_status capacity_change(ictx *c, const char *customer, const cJSON *e, const char *where)
{
    static const char *const kinds[] = {"new", "increase", "reduction", NULL};
    const char *id, *date, *kind;
    char va[24];
    int ok = 0;
    if (!cJSON_IsObject(e))
        return reject(c, "%s: must be an object", where);
    if (!get_id(c, e, where, "id", &id) || !get_date(c, e, where, "date", 1, &date) ||
        !(kind = get_str(c, e, where, "kind", 1)) || !get_dec(c, e, where, "kva", 3, va, sizeof va))
        return GL_ESYNTAX;
    for (int i = 0; kinds[i]; i++)
        ok |= strcmp(kind, kinds[i]) == 0;
    if (!ok)
        return reject(c, "%s.kind: must be new|increase|reduction", where);
    if (va[0] == '-' || strcmp(va, "0") == 0)
        return reject(c, "%s.kva: must be positive", where);
    const char *p[] = {c->gateway, customer, id, date, kind, va, c->seq_s};
    return exec(c,
                "INSERT INTO capacity_changes (gateway, customer, id, date, kind, kva_va, seq)"
                " VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (gateway, customer, id) DO NOTHING",
                7, p);
}

/* large_customer: {"customer","industry","capacity_kva","capacity_changes":[...]}. */
static gl_status large_customer(ictx *c, const cJSON *r, const char *where)
{
    const char *customer, *industry;
    char va[24], ewhere[64];
    const cJSON *ch, *e;
    int i = 0;
    if (!cJSON_IsObject(r))
        return reject(c, "%s: must be an object", where);
    if (!get_id(c, r, where, "customer", &customer) || !(industry = get_str(c, r, where, "industry", 1)) ||
        !get_dec(c, r, where, "capacity_kva", 3, va, sizeof va))
        return GL_ESYNTAX;
    if (!largecust_industry(industry))
        return reject(c, "%s.industry: not a GB/T 4754 section letter A..T", where);
    ch = cJSON_GetObjectItemCaseSensitive(r, "capacity_changes");
    if (ch && (!cJSON_IsArray(ch) || cJSON_GetArraySize(ch) > BO_ITEMS_MAX))
        return reject(c, "%s.capacity_changes: must be an array", where);
    gl_status st = owned(c, "customer", customer);
    const char *p[] = {c->gateway, customer, industry, va, c->seq_s};
    if (st == GL_OK)
        st = exec(c,
                  "INSERT INTO large_customers (gateway, customer, industry, capacity_va, seq) VALUES ($1,$2,$3,$4,$5)"
                  " ON CONFLICT (gateway, customer) DO UPDATE SET industry = excluded.industry,"
                  " capacity_va = excluded.capacity_va, seq = excluded.seq WHERE excluded.seq > large_customers.seq",
                  5, p);
    cJSON_ArrayForEach(e, ch)
    {
        if (st != GL_OK)
            break;
        snprintf(ewhere, sizeof ewhere, "%s.capacity_changes[%d]", where, i++);
        st = capacity_change(c, customer, e, ewhere);
    }
    return st;
}

/* derive_customers: the gateway's large customers (docs/backoffice.md). */
static gl_status derive_customers(ictx *c, const cJSON *body)
{
    const cJSON *a = get_array(c, body, "customers"), *r;
    gl_status st = a ? GL_OK : GL_ESYNTAX;
    int i = 0;
    cJSON_ArrayForEach(r, a)
    {
        char where[32];
        if (st != GL_OK)
            break;
        snprintf(where, sizeof where, "customers[%d]", i++);
        st = large_customer(c, r, where);
    }
    return st;
}

static gl_status derive(ictx *c, const char *kind, const cJSON *body)
{
    if (strcmp(kind, "customers") == 0)
        return derive_customers(c, body);
    if (strcmp(kind, "actions") == 0)
        return derive_actions(c, body);
    if (strcmp(kind, "bills") == 0)
        return derive_bills(c, body);
    if (strcmp(kind, "grades") == 0)
        return derive_grades(c, body);
    if (strcmp(kind, "worklist") == 0)
        return derive_worklist(c, body);
    if (strcmp(kind, "lineloss") == 0)
        return derive_lineloss(c, body);
    if (strcmp(kind, "alerts") == 0 || strcmp(kind, "events") == 0)
        return derive_alert(c, body);
    if (strcmp(kind, "status") == 0)
        return derive_status(c, body);
    if (strcmp(kind, "ack") == 0)
        return derive_ack(c, body);
    if (strcmp(kind, "readings") == 0)
        return get_array(c, body, "readings") ? GL_OK : GL_ESYNTAX;
    return GL_OK;
}

/* ---- envelope ---- */

/* split_topic: "gl/v1/{gateway}/{kind}" into gw and kind. */
static int split_topic(const char *topic, char *gw, size_t gwcap, char *kind, size_t kcap)
{
    const char *p = topic, *slash;
    if (strncmp(p, "gl/v1/", 6) != 0)
        return 0;
    p += 6;
    slash = strchr(p, '/');
    if (!slash || (size_t)(slash - p) >= gwcap || strchr(slash + 1, '/') || strlen(slash + 1) >= kcap)
        return 0;
    memcpy(gw, p, (size_t)(slash - p));
    gw[slash - p] = '\0';
    snprintf(kind, kcap, "%s", slash + 1);
    return 1;
}

static int known_kind(const char *k)
{
    for (int i = 0; up_kinds[i]; i++)
        if (strcmp(k, up_kinds[i]) == 0)
            return 1;
    return 0;
}

/* check_envelope: fills c from the envelope; returns the body or NULL. */
static const cJSON *check_envelope(ictx *c, const char *topic, const cJSON *root, const char **kind_out)
{
    char tgw[BO_ID_MAX + 2], tkind[32];
    const char *gw, *kind;
    long long v = 0;
    if (!split_topic(topic, tgw, sizeof tgw, tkind, sizeof tkind)) {
        reject(c, "topic: not gl/v1/GATEWAY/KIND");
        return NULL;
    }
    if (!cJSON_IsObject(root)) {
        reject(c, "envelope: must be a JSON object");
        return NULL;
    }
    if (!get_int(c, root, "envelope", "v", 1, 1, &v) || !get_id(c, root, "envelope", "gateway", &gw) ||
        !get_int(c, root, "envelope", "seq", 1, BO_SEQ_MAX, &c->seq) ||
        !get_int(c, root, "envelope", "ts", 0, BO_SEQ_MAX, &c->ts) || !(kind = get_str(c, root, "envelope", "kind", 1)))
        return NULL;
    if (strcmp(gw, tgw) != 0 || strcmp(kind, tkind) != 0) {
        reject(c, "envelope: gateway/kind differ from the topic %s", topic);
        return NULL;
    }
    if (!known_kind(kind)) {
        reject(c, "envelope.kind: unknown kind \"%.32s\"", kind);
        return NULL;
    }
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(root, "body");
    if (!cJSON_IsObject(body)) {
        reject(c, "envelope.body: must be an object");
        return NULL;
    }
    c->gateway = gw;
    snprintf(c->seq_s, sizeof c->seq_s, "%lld", c->seq);
    *kind_out = kind;
    return body;
}

/* store: inserts the message row; *fresh = 0 for a repeat. */
static gl_status store(ictx *c, const char *kind, const char *body_text, int *fresh)
{
    char ts_s[24], now_s[24];
    long long changes = 0;
    snprintf(ts_s, sizeof ts_s, "%lld", c->ts);
    snprintf(now_s, sizeof now_s, "%lld", c->now);
    const char *p[] = {c->gateway, c->seq_s, kind, ts_s, body_text, now_s};
    gl_status st = bo_db_exec(c->db,
                              "INSERT INTO messages (gateway, seq, kind, ts, body, received) VALUES ($1,$2,$3,$4,$5,$6)"
                              " ON CONFLICT (gateway, seq) DO NOTHING",
                              6, p, &changes);
    *fresh = changes > 0;
    if (st != GL_OK || !*fresh)
        return st;
    const char *q[] = {c->gateway, now_s, c->seq_s};
    return bo_db_exec(c->db,
                      "INSERT INTO status (gateway, seq, ts, last_seen, last_seq, messages) VALUES ($1, 0, 0, $2, $3, 1)"
                      " ON CONFLICT (gateway) DO UPDATE SET messages = status.messages + 1,"
                      " last_seen = CASE WHEN excluded.last_seen > status.last_seen THEN excluded.last_seen"
                      " ELSE status.last_seen END,"
                      " last_seq = CASE WHEN excluded.last_seq > status.last_seq THEN excluded.last_seq"
                      " ELSE status.last_seq END",
                      3, q, NULL);
}

/* attempt: one transaction for a valid envelope. */
static gl_status attempt(ictx *c, const char *kind, const cJSON *body, const char *body_text, bo_outcome *outcome)
{
    int fresh = 0;
    gl_status st = bo_db_begin(c->db);
    if (st != GL_OK)
        return st;
    st = store(c, kind, body_text, &fresh);
    if (st == GL_OK && fresh)
        st = derive(c, kind, body);
    if (st == GL_OK)
        st = bo_db_counter_add(c->db, fresh ? "stored" : "duplicates", 1);
    if (st == GL_OK)
        st = bo_db_commit(c->db);
    if (st != GL_OK) {
        bo_db_rollback(c->db);
        return st;
    }
    *outcome = fresh ? BO_STORED : BO_DUPLICATE;
    return GL_OK;
}

static gl_status count_reject(bo_db *db)
{
    gl_status st = GL_OK;
    for (int i = 0; i < BO_RETRIES; i++) {
        st = bo_db_begin(db);
        if (st == GL_OK)
            st = bo_db_counter_add(db, "rejected", 1);
        if (st == GL_OK)
            st = bo_db_commit(db);
        if (st == GL_OK)
            break;
        bo_db_rollback(db);
        if (st != BO_DB_RETRY)
            break;
    }
    return st;
}

gl_status bo_ingest_message(bo_db *db, const char *topic, const void *payload, size_t len, long long now,
                            bo_outcome *outcome, char *why, size_t whycap)
{
    ictx c;
    jsonv_doc *doc = NULL;
    diag *d = NULL;
    const cJSON *root = NULL;
    char *body_text = NULL;
    const char *kind = NULL;
    const cJSON *body = NULL;
    gl_status st = GL_EINVAL;
    memset(&c, 0, sizeof c);
    c.db = db;
    c.now = now;
    if (why && whycap)
        why[0] = '\0';
    if (!db || !topic || !outcome || (!payload && len))
        goto out;
    if (len > BO_MSG_MAX)
        reject(&c, "payload: larger than %u bytes", BO_MSG_MAX);
    else if (!utf8_valid(payload, len))
        reject(&c, "payload: not UTF-8 text");
    else if (!(d = malloc(sizeof *d)))
        st = GL_ENOMEM;
    else if (diag_init(d), jsonv_parse("payload", payload, len, d, &doc) != GL_OK || !(root = jsonv_root(doc)))
        reject(&c, "%s", d->count ? d->lines[0] : "payload: not JSON"); /* duplicate members, \u0000 too */
    else if ((body = check_envelope(&c, topic, root, &kind)) && !(body_text = cJSON_PrintUnformatted(body)))
        st = GL_ENOMEM;
    if (st == GL_ENOMEM)
        goto out;
    st = GL_ESYNTAX;
    for (int i = 0; body_text && i < BO_RETRIES; i++) {
        st = attempt(&c, kind, body, body_text, outcome);
        if (st != BO_DB_RETRY)
            break;
    }
    if (st == GL_ESYNTAX) { /* envelope or body malformed */
        if (!c.why[0])
            reject(&c, "malformed");
        st = count_reject(db);
        *outcome = BO_REJECTED;
    }
out:
    if (why && whycap && c.why[0])
        snprintf(why, whycap, "%s", c.why);
    cJSON_free(body_text);
    jsonv_free(doc);
    free(d);
    return st;
}
