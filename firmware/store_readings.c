/* store_readings.c: where the store keeps readings, and how it reads them
 * back (docs/store.md "Readings on flash").
 *
 * Routine readings (store_blocks_routine) are packed 64 meters to a row of
 * their day's table `reading_blocks_DAY` (store_blocks.h): about 20 bytes a reading where a row of
 * `readings` with its time index took 87, and flash wear follows the bytes.
 * Everything else stays a row of `readings` with its register words, as
 * evidence: failed and offline readings, flagged and held ones, frozen ones,
 * and each meter's first reading of a local day (a bill's edge). Every
 * reader below reads both, so callers never know where a reading was kept.
 *
 * Meters are numbered in `meters.n` at first sight (the block is n / 64);
 * each store handle keeps the numbers in memory (sorted by id), reloaded
 * when a transaction that numbered a meter rolls back or another process
 * numbered one this handle has not seen. */
#include <stdlib.h>
#include <string.h>

#include "store_blocks.h"
#include "store_internal.h"

/* READING_FLAG_HELD as SQL text, for the queries that leave held readings out */
#define HELD_SQL "64"
_Static_assert(READING_FLAG_HELD == 64, "HELD_SQL must equal READING_FLAG_HELD");

/* A row's body at most: one row fills one 4 KiB page (SQLite keeps up to
 * 4,061 bytes of a row on a table page), so compaction frees whole pages
 * instead of rewriting half-emptied ones (docs/store.md "Bytes written"). */
#ifndef BODY_MAX
#define BODY_MAX 4000
#endif

typedef struct meter_num {
    char id[READING_ID_MAX];
    int n;
    int status; /* meters.last_status as this handle last wrote or read it */
} meter_num;

struct store_meters {
    meter_num *by_id; /* sorted by id (strcmp, SQLite's BINARY) */
    size_t len, cap;
    int *by_n;        /* index into by_id of number n, -1 none */
    int nmax;         /* by_n's length */
};

/* ---- meter numbers ------------------------------------------------------- */

void store_readings_forget(store *s)
{
    store_meters **m = store_meters_ref(s);
    if (*m != NULL) {
        free((*m)->by_id);
        free((*m)->by_n);
        free(*m);
        *m = NULL;
    }
}

static int num_cmp(const void *a, const void *b)
{
    return strcmp(((const meter_num *)a)->id, ((const meter_num *)b)->id);
}

static gl_status index_numbers(store_meters *m)
{
    int top = 0;
    for (size_t i = 0; i < m->len; i++)
        top = m->by_id[i].n + 1 > top ? m->by_id[i].n + 1 : top;
    int *by_n = malloc((size_t)(top > 0 ? top : 1) * sizeof *by_n);
    if (by_n == NULL)
        return GL_ENOMEM;
    for (int i = 0; i < top; i++)
        by_n[i] = -1;
    for (size_t i = 0; i < m->len; i++)
        by_n[m->by_id[i].n] = (int)i;
    free(m->by_n);
    m->by_n = by_n;
    m->nmax = top;
    return GL_OK;
}

static gl_status add_number(store_meters *m, const char *id, int n, int status)
{
    if (m->len == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        meter_num *p = realloc(m->by_id, cap * sizeof *p);
        if (p == NULL)
            return GL_ENOMEM;
        m->by_id = p;
        m->cap = cap;
    }
    size_t at = m->len;
    while (at > 0 && strcmp(m->by_id[at - 1].id, id) > 0)
        at--;
    memmove(&m->by_id[at + 1], &m->by_id[at], (m->len - at) * sizeof *m->by_id);
    meter_num *e = &m->by_id[at];
    snprintf(e->id, sizeof e->id, "%s", id);
    e->n = n;
    e->status = status;
    m->len++;
    return index_numbers(m);
}

/* meters: this handle's numbers, loaded from the store the first time. */
static gl_status meters(store *s, store_meters **out)
{
    store_meters **m = store_meters_ref(s);
    if (*m != NULL) {
        *out = *m;
        return GL_OK;
    }
    store_meters *nm = calloc(1, sizeof *nm);
    sqlite3_stmt *st = NULL;
    gl_status ret = nm == NULL ? GL_ENOMEM
                               : store_prepare(s, &st, "SELECT id, n, last_status FROM meters WHERE n IS NOT NULL"
                                                       " AND n >= 0 ORDER BY id", "");
    int rc = SQLITE_DONE;
    while (ret == GL_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (nm->len == nm->cap) {
            size_t cap = nm->cap ? nm->cap * 2 : 64;
            meter_num *p = realloc(nm->by_id, cap * sizeof *p);
            if (p == NULL) {
                ret = GL_ENOMEM;
                break;
            }
            nm->by_id = p;
            nm->cap = cap;
        }
        meter_num *e = &nm->by_id[nm->len++];
        store_copy_col(st, 0, e->id, sizeof e->id);
        e->n = sqlite3_column_int(st, 1);
        e->status = sqlite3_column_int(st, 2);
    }
    if (ret == GL_OK && rc != SQLITE_DONE)
        ret = store_status_of(rc);
    sqlite3_finalize(st);
    if (ret == GL_OK)
        ret = index_numbers(nm);
    *m = nm;
    if (ret != GL_OK)
        store_readings_forget(s);
    *out = ret == GL_OK ? *m : NULL;
    return ret;
}

static meter_num *find_meter(store_meters *m, const char *id)
{
    meter_num key;
    snprintf(key.id, sizeof key.id, "%s", id);
    return m->len ? bsearch(&key, m->by_id, m->len, sizeof *m->by_id, num_cmp) : NULL;
}

/* number_of: meter id's number, -1 if it has none (read-only). */
static int number_of(store *s, const char *id)
{
    store_meters *m = NULL;
    if (meters(s, &m) != GL_OK)
        return -1;
    meter_num *e = find_meter(m, id);
    return e != NULL ? e->n : -1;
}

/* meter_of: the id of number n; NULL if unknown even after a reload (a
 * number another process gave since this handle loaded them). */
static const char *meter_of(store *s, int n)
{
    store_meters *m = NULL;
    for (int pass = 0; pass < 2; pass++) {
        if (meters(s, &m) != GL_OK)
            return NULL;
        if (n >= 0 && n < m->nmax && m->by_n[n] >= 0)
            return m->by_id[m->by_n[n]].id;
        store_readings_forget(s);
    }
    return NULL;
}

/* number_meter: r's meter numbered (inside the caller's transaction) and
 * its meters row written at first sight and when its status changes (not
 * at every reading: that rewrote the table's pages every cycle). */
static gl_status number_meter(store *s, const reading *r, meter_num **out)
{
    store_meters *m = NULL;
    gl_status st = meters(s, &m);
    meter_num *e = st == GL_OK ? find_meter(m, r->meter) : NULL;
    if (st == GL_OK && e == NULL) {
        int64_t n = -1;
        st = store_query_i64(s, &n, -1, "SELECT n FROM meters WHERE id = ?1", "t", r->meter);
        if (st == GL_OK && n < 0)
            st = store_query_i64(s, &n, 0, "SELECT coalesce(max(n), -1) + 1 FROM meters", "");
        if (st == GL_OK)
            st = store_exec(s,
                            "INSERT INTO meters(id, first_ts, last_ts, last_status, n) VALUES(?1, ?2, ?2, ?3, ?4)"
                            " ON CONFLICT(id) DO UPDATE SET n = ?4, last_ts = max(last_ts, ?2), last_status = ?3",
                            "tiii", r->meter, r->ts, (int64_t)r->status, n);
        if (st == GL_OK)
            st = add_number(m, r->meter, (int)n, (int)r->status);
        e = st == GL_OK ? find_meter(m, r->meter) : NULL;
    } else if (st == GL_OK && e->status != (int)r->status) {
        st = store_exec(s, "UPDATE meters SET last_ts = max(last_ts, ?2), last_status = ?3 WHERE id = ?1", "tii",
                        r->meter, r->ts, (int64_t)r->status);
        e->status = (int)r->status;
    }
    *out = e;
    return st == GL_OK && e == NULL ? GL_EDB : st;
}

/* ---- day tables ---------------------------------------------------------- */

/* The packed readings of a local day are a table of their own,
 * "reading_blocks_DAY" (DAY: days since the epoch, local time): compaction
 * drops a day's table whole, which writes a few pages, where deleting its
 * rows rewrote most of them (docs/store.md "Bytes written"). Readers take
 * the tables of the days around what they look for (a changed utc offset
 * moves a day's edges by hours) and select by key. */
#define DAY_TABLE "reading_blocks_%lld"

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* day_of: the local day of a slot's start. */
static int64_t day_of(store *s, int64_t slot)
{
    return floor_div(slot * STORE_BLOCK_SLOT_S + store_utc_offset(s), 86400);
}

static int day_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* block_days: the days that have a table, ascending, into *out (malloc'd,
 * freed by the caller), *n of them. */
static gl_status block_days(store *s, int64_t **out, size_t *n)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 16;
    *n = 0;
    *out = malloc(cap * sizeof **out);
    gl_status ret = *out == NULL ? GL_ENOMEM
                                 : store_prepare(s, &st, "SELECT substr(name, 16) FROM sqlite_schema WHERE type = 'table'"
                                                         " AND name GLOB 'reading_blocks_*'", "");
    int rc = SQLITE_DONE;
    while (ret == GL_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            int64_t *p = realloc(*out, cap * 2 * sizeof *p);
            if (p == NULL) {
                ret = GL_ENOMEM;
                break;
            }
            *out = p;
            cap *= 2;
        }
        (*out)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    if (ret == GL_OK && rc != SQLITE_DONE)
        ret = store_status_of(rc);
    sqlite3_finalize(st);
    if (ret == GL_OK)
        qsort(*out, *n, sizeof **out, day_cmp);
    return ret;
}

/* ---- writing ------------------------------------------------------------- */

static void bind_opt(sqlite3_stmt *st, int col, int present, int64_t v)
{
    if (present)
        sqlite3_bind_int64(st, col, v);
    else
        sqlite3_bind_null(st, col);
}

static void bind_reading(sqlite3_stmt *st, const reading *r)
{
    uint32_t p = r->present;
    sqlite3_bind_text(st, 1, r->meter, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, r->ts);
    sqlite3_bind_int(st, 3, (int)r->status);
    sqlite3_bind_int64(st, 4, p);
    sqlite3_bind_int64(st, 5, r->flags);
    bind_opt(st, 6, p & READING_HAS_IMPORT, r->import_wh);
    bind_opt(st, 7, p & READING_HAS_EXPORT, r->export_wh);
    bind_opt(st, 8, p & READING_HAS_REACTIVE, r->reactive_varh);
    bind_opt(st, 9, p & READING_HAS_DEMAND, r->demand_w);
    bind_opt(st, 10, p & READING_HAS_POWER, r->power_w);
    bind_opt(st, 11, p & READING_HAS_PF, r->pf_milli);
    bind_opt(st, 12, p & READING_HAS_FREQ, r->freq_chz);
    for (int i = 0; i < 3; i++) {
        bind_opt(st, 13 + i, (p & READING_HAS_VOLTAGE) && i < r->nphases, r->voltage_dv[i]);
        bind_opt(st, 16 + i, (p & READING_HAS_CURRENT) && i < r->nphases, r->current_ma[i]);
    }
    bind_opt(st, 19, p & READING_HAS_RELAY, r->relay_closed);
    if (r->nraw > 0)
        sqlite3_bind_blob(st, 20, r->raw, (int)(r->nraw * sizeof r->raw[0]), SQLITE_STATIC);
    if (r->error[0] != '\0')
        sqlite3_bind_text(st, 21, r->error, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 22, (int)r->source);
    bind_opt(st, 23, r->source != READING_LIVE && r->read_ts > 0, r->read_ts);
    for (int k = 0; k < READING_TARIFFS; k++)
        bind_opt(st, 24 + k, p & READING_HAS_TARIFFS, r->tariff_wh[k]);
}

static gl_status insert_row(store *s, const reading *r)
{
    sqlite3_stmt *st = NULL;
    gl_status ret = store_prepare(s, &st,
                                  "INSERT INTO readings(meter, ts, status, present, flags, import_wh, export_wh,"
                                  " reactive_varh, demand_w, power_w, pf_milli, freq_chz, v1_dv, v2_dv, v3_dv, i1_ma,"
                                  " i2_ma, i3_ma, relay_closed, raw, error, source, read_ts, t1_wh, t2_wh, t3_wh, t4_wh)"
                                  " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,"
                                  "?21,?22,?23,?24,?25,?26,?27)",
                                  "");
    if (ret != GL_OK)
        return ret;
    bind_reading(st, r);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? GL_OK : store_status_of(rc);
}

/* A routine reading waiting for its row: its key's slot and block, its
 * index in the block, and itself. */
typedef struct packed {
    int64_t slot;
    int blk, idx;
    size_t order;
    const reading *r;
} packed;

static int packed_cmp(const void *a, const void *b)
{
    const packed *x = a, *y = b;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    if (x->blk != y->blk)
        return x->blk - y->blk;
    return (x->order > y->order) - (x->order < y->order);
}

/* keep_as_row: 1 if r is kept as a row of `readings`: not routine, a
 * meter numbered beyond the blocks, or its meter's first slot of a local
 * day (the reading a bill's edge is taken from keeps its register words). */
static int keep_as_row(store *s, const reading *r, int n)
{
    int64_t local = r->ts + store_utc_offset(s);
    return !store_blocks_routine(r) || n / STORE_BLOCK_METERS >= STORE_BLOCK_MAX ||
           ((local % 86400) + 86400) % 86400 < STORE_BLOCK_SLOT_S;
}

/* next_part: the first part of slot not used yet in its day's table (made
 * here if it is the day's first), -1 when the slot has every part taken. */
static gl_status next_part(store *s, int64_t slot, int64_t *part)
{
    char sql[160];
    int64_t day = day_of(s, slot), k = -1;
    snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS \"" DAY_TABLE "\"(k INTEGER PRIMARY KEY, body BLOB NOT NULL)",
             (long long)day);
    gl_status st = store_exec(s, sql, "");
    snprintf(sql, sizeof sql, "SELECT max(k) FROM \"" DAY_TABLE "\" WHERE k BETWEEN ?1 AND ?2", (long long)day);
    if (st == GL_OK)
        st = store_query_i64(s, &k, -1, sql, "ii", STORE_BLOCK_SLOT_FIRST(slot), STORE_BLOCK_SLOT_LAST(slot));
    *part = k < 0 ? 0 : STORE_BLOCK_KEY_PART(k) + 1;
    if (*part >= STORE_BLOCK_PARTS)
        *part = -1;
    return st;
}

static gl_status put_body(store *s, int64_t key, const uint8_t *body, size_t len)
{
    char sql[96];
    sqlite3_stmt *ins = NULL;
    snprintf(sql, sizeof sql, "INSERT INTO \"" DAY_TABLE "\"(k, body) VALUES(?1, ?2)",
             (long long)day_of(s, STORE_BLOCK_KEY_SLOT(key)));
    gl_status st = store_prepare(s, &ins, sql, "i", key);
    if (st != GL_OK)
        return st;
    sqlite3_bind_blob(ins, 2, body, (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(ins);
    sqlite3_finalize(ins);
    return rc == SQLITE_DONE ? GL_OK : store_status_of(rc);
}

/* put_block: one block's readings p[0..n) of a slot as rows from part on
 * (a row holds BODY_MAX bytes at most; a long backlog takes the next parts);
 * past the last part they are kept as rows. */
static gl_status put_block(store *s, const packed *p, size_t n, int64_t part, uint8_t *body)
{
    gl_status st = GL_OK;
    int64_t slot_start = p[0].slot * STORE_BLOCK_SLOT_S;
    for (size_t i = 0; st == GL_OK && i < n; part++) {
        size_t len = store_blocks_start(body), j = i;
        for (; j < n && len + STORE_BLOCK_ENTRY_MAX <= BODY_MAX; j++)
            store_blocks_put(body, &len, p[j].idx, slot_start, p[j].r);
        if (part < 0 || part >= STORE_BLOCK_PARTS)
            for (size_t k = i; st == GL_OK && k < j; k++)
                st = insert_row(s, p[k].r); /* a slot written to 4,096 times: rows */
        else
            st = put_body(s, STORE_BLOCK_KEY(p[0].slot, part, p[0].blk), body, len);
        i = j;
    }
    return st;
}

/* put_packed: p[0..n) (sorted by slot, block, order) as rows of the days'
 * tables: each slot's blocks under the slot's next part, so a write's rows
 * follow everything stored before them in the slot. */
static gl_status put_packed(store *s, const packed *p, size_t n, uint8_t *body)
{
    gl_status st = GL_OK;
    for (size_t i = 0; st == GL_OK && i < n;) {
        int64_t part = -1;
        st = next_part(s, p[i].slot, &part);
        size_t j = i;
        while (st == GL_OK && j < n && p[j].slot == p[i].slot) {
            size_t b = j;
            while (b < n && p[b].slot == p[j].slot && p[b].blk == p[j].blk)
                b++;
            st = put_block(s, &p[j], b - j, part, body);
            j = b;
        }
        i = j;
    }
    return st;
}

gl_status store_readings_insert(store *s, const reading *const *rs, size_t n)
{
    packed *p = malloc((n ? n : 1) * sizeof *p);
    uint8_t *body = malloc(BODY_MAX);
    gl_status st = p != NULL && body != NULL ? GL_OK : GL_ENOMEM;
    size_t np = 0;
    for (size_t i = 0; st == GL_OK && i < n; i++) {
        meter_num *e = NULL;
        st = number_meter(s, rs[i], &e);
        if (st == GL_OK && keep_as_row(s, rs[i], e->n))
            st = insert_row(s, rs[i]);
        else if (st == GL_OK)
            p[np++] = (packed){rs[i]->ts / STORE_BLOCK_SLOT_S, e->n / STORE_BLOCK_METERS,
                               e->n % STORE_BLOCK_METERS, i, rs[i]};
    }
    if (st == GL_OK && np > 0) {
        qsort(p, np, sizeof *p, packed_cmp);
        st = put_packed(s, p, np, body);
    }
    free(p);
    free(body);
    return st;
}

/* ---- reading rows -------------------------------------------------------- */

/* The columns column_reading reads, in its order. */
#define READING_SELECT                                                                                         \
    "SELECT meter, ts, status, present, flags, import_wh, export_wh, reactive_varh, demand_w, power_w, pf_milli," \
    " freq_chz, v1_dv, v2_dv, v3_dv, i1_ma, i2_ma, i3_ma, relay_closed, raw, source, read_ts, t1_wh, t2_wh, t3_wh," \
    " t4_wh"

static void column_reading(sqlite3_stmt *st, reading *out)
{
    memset(out, 0, sizeof *out);
    store_copy_col(st, 0, out->meter, sizeof out->meter);
    out->ts = sqlite3_column_int64(st, 1);
    out->status = (reading_status)sqlite3_column_int(st, 2);
    out->present = (uint32_t)sqlite3_column_int64(st, 3);
    out->flags = (uint32_t)sqlite3_column_int64(st, 4);
    out->import_wh = sqlite3_column_int64(st, 5);
    out->export_wh = sqlite3_column_int64(st, 6);
    out->reactive_varh = sqlite3_column_int64(st, 7);
    out->demand_w = sqlite3_column_int64(st, 8);
    out->power_w = sqlite3_column_int64(st, 9);
    out->pf_milli = sqlite3_column_int(st, 10);
    out->freq_chz = sqlite3_column_int(st, 11);
    for (int i = 0; i < 3; i++) {
        out->voltage_dv[i] = sqlite3_column_int(st, 12 + i);
        out->current_ma[i] = sqlite3_column_int(st, 15 + i);
    }
    out->relay_closed = sqlite3_column_int(st, 18);
    int nb = sqlite3_column_bytes(st, 19);
    const void *raw = sqlite3_column_blob(st, 19);
    size_t nw = (size_t)nb / sizeof out->raw[0];
    if (nw > READING_RAW_MAX)
        nw = READING_RAW_MAX;
    if (raw != NULL)
        memcpy(out->raw, raw, nw * sizeof out->raw[0]);
    out->nraw = (uint16_t)nw;
    out->nphases = sqlite3_column_type(st, 13) == SQLITE_NULL || sqlite3_column_type(st, 14) != SQLITE_NULL ? 3 : 1;
    out->source = (reading_source)sqlite3_column_int(st, 20);
    out->read_ts = sqlite3_column_int64(st, 21);
    for (int k = 0; k < READING_TARIFFS; k++)
        out->tariff_wh[k] = sqlite3_column_int64(st, 22 + k);
}

/* one_row: the first row of sql (?1 the meter, ?2 a time) into *out;
 * GL_ENOTFOUND without a row, every database error returned. */
static gl_status one_row(store *s, const char *sql, const char *meter, int64_t ts, reading *out)
{
    sqlite3_stmt *st = NULL;
    gl_status ret = store_prepare(s, &st, sql, "ti", meter, ts);
    if (ret != GL_OK)
        return ret;
    int rc = sqlite3_step(st);
    ret = rc == SQLITE_ROW ? GL_OK : rc == SQLITE_DONE ? GL_ENOTFOUND : store_status_of(rc);
    if (rc == SQLITE_ROW)
        column_reading(st, out);
    sqlite3_finalize(st);
    return ret;
}

/* ---- reading blocks ------------------------------------------------------ */

/* A walk over the rows of reading_blocks of one block with keys in [lo, hi],
 * in key order (or the reverse), each reading of the wanted meter (idx; -1
 * every meter) passed to fn, which returns 1 to stop. */
typedef int (*block_fn)(void *ctx, int idx, const reading *r);

static gl_status walk_table(store *s, int64_t day, int blk, int64_t lo, int64_t hi, int desc, int idx, block_fn fn,
                            void *ctx, int *stop)
{
    char sql[128];
    sqlite3_stmt *st = NULL;
    snprintf(sql, sizeof sql, "SELECT k, body FROM \"" DAY_TABLE "\" WHERE k BETWEEN ?1 AND ?2 ORDER BY k%s",
             (long long)day, desc ? " DESC" : "");
    gl_status ret = store_prepare(s, &st, sql, "ii", lo, hi);
    int rc = SQLITE_DONE;
    while (ret == GL_OK && !*stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t k = sqlite3_column_int64(st, 0);
        if (blk >= 0 && STORE_BLOCK_KEY_BLK(k) != blk)
            continue;
        const uint8_t *body = sqlite3_column_blob(st, 1);
        size_t len = (size_t)sqlite3_column_bytes(st, 1), pos = 0;
        int64_t slot_start = STORE_BLOCK_KEY_SLOT(k) * STORE_BLOCK_SLOT_S;
        ret = store_blocks_open(body, len, &pos);
        reading r;
        int at = -1;
        while (ret == GL_OK && !*stop && pos < len &&
               (ret = store_blocks_get(body, len, &pos, slot_start, &at, &r)) == GL_OK)
            if (idx < 0 || at == idx) {
                const char *m = meter_of(s, STORE_BLOCK_KEY_BLK(k) * STORE_BLOCK_METERS + at);
                if (m == NULL) {
                    ret = GL_ECORRUPT; /* a number no meter has */
                    break;
                }
                snprintf(r.meter, sizeof r.meter, "%s", m);
                *stop = fn(ctx, at, &r);
            }
    }
    if (ret == GL_OK && !*stop && rc != SQLITE_DONE)
        ret = store_status_of(rc);
    sqlite3_finalize(st);
    return ret;
}

static gl_status walk_rows(store *s, int blk, int64_t lo, int64_t hi, int desc, int idx, block_fn fn, void *ctx)
{
    int64_t *days = NULL;
    size_t nd = 0;
    gl_status ret = block_days(s, &days, &nd);
    int64_t dlo = day_of(s, STORE_BLOCK_KEY_SLOT(lo)) - 1, dhi = day_of(s, STORE_BLOCK_KEY_SLOT(hi)) + 1;
    int stop = 0;
    for (size_t i = 0; ret == GL_OK && !stop && i < nd; i++) {
        int64_t d = days[desc ? nd - 1 - i : i];
        if (d >= dlo && d <= dhi)
            ret = walk_table(s, d, blk, lo, hi, desc, idx, fn, ctx, &stop);
    }
    free(days);
    return ret;
}

/* slot_of: the slot holding ts, within what a key can hold (before the
 * epoch: slot 0; the far future: the last slot). */
#define SLOT_KEYED_MAX ((INT64_MAX >> 20) - 2)
static int64_t slot_of(int64_t ts)
{
    int64_t slot = (ts < 0 ? 0 : ts) / STORE_BLOCK_SLOT_S;
    return slot > SLOT_KEYED_MAX ? SLOT_KEYED_MAX : slot;
}

/* The newest packed reading at or before `until`, newer than `after`. */
typedef struct newest {
    int64_t until, after;
    reading *out;
    int found;
} newest;

static int take_newest(void *ctx, int idx, const reading *r)
{
    newest *w = ctx;
    (void)idx;
    if (r->ts > w->until || r->ts <= w->after || (w->found && r->ts < w->out->ts))
        return 0;
    *w->out = *r;
    w->found = 1;
    return 0; /* the rest of this row may hold a later one */
}

/* newest_in_day: meter n's newest packed reading in day's table with
 * slots in [lo, hi], a slot at a time from the newest. */
static gl_status newest_in_day(store *s, int64_t day, int n, int64_t lo, int64_t hi, newest *w)
{
    char sql[160];
    int blk = n / STORE_BLOCK_METERS;
    gl_status st = GL_OK;
    snprintf(sql, sizeof sql, "SELECT max(k) FROM \"" DAY_TABLE "\" WHERE k < ?1 AND k >= ?2 AND (k & 255) = ?3",
             (long long)day);
    for (int64_t k = STORE_BLOCK_SLOT_FIRST(hi + 1); st == GL_OK && !w->found && k > STORE_BLOCK_SLOT_FIRST(lo);) {
        int64_t prev = -1;
        st = store_query_i64(s, &prev, -1, sql, "iii", k, STORE_BLOCK_SLOT_FIRST(lo), (int64_t)blk);
        if (st != GL_OK || prev < 0)
            break;
        int64_t slot = STORE_BLOCK_KEY_SLOT(prev);
        int stop = 0;
        st = walk_table(s, day, blk, STORE_BLOCK_SLOT_FIRST(slot), STORE_BLOCK_SLOT_LAST(slot), 0,
                        n % STORE_BLOCK_METERS, take_newest, w, &stop);
        k = STORE_BLOCK_SLOT_FIRST(slot);
    }
    return st;
}

/* newest_packed: meter n's newest packed reading with after < ts <= until,
 * the days' tables from the newest. */
static gl_status newest_packed(store *s, int n, int64_t after, int64_t until, reading *out, int *found)
{
    newest w = {until, after, out, 0};
    int64_t lo = slot_of(after), hi = slot_of(until), *days = NULL;
    size_t nd = 0;
    gl_status st = block_days(s, &days, &nd);
    for (size_t i = nd; st == GL_OK && !w.found && i-- > 0;)
        if (days[i] >= day_of(s, lo) - 1 && days[i] <= day_of(s, hi) + 1)
            st = newest_in_day(s, days[i], n, lo, hi, &w);
    free(days);
    *found = w.found;
    return st;
}

/* ---- readers ------------------------------------------------------------- */

gl_status store_last_reading(store *s, const char *meter, int64_t ts, reading *out)
{
    int64_t until = ts > 0 ? ts : INT64_MAX;
    gl_status st = one_row(s,
                           READING_SELECT " FROM readings WHERE meter = ?1 AND status = 0 AND ts <= ?2"
                                          " ORDER BY ts DESC, id DESC LIMIT 1",
                           meter, until, out);
    if (st != GL_OK && st != GL_ENOTFOUND)
        return st;
    int n = number_of(s, meter), found = 0;
    if (n < 0)
        return st;
    reading r;
    gl_status pst = newest_packed(s, n, st == GL_OK ? out->ts : -1, until, &r, &found);
    if (pst != GL_OK)
        return pst;
    if (found)
        *out = r;
    return found ? GL_OK : st;
}

gl_status store_reading_at(store *s, const char *meter, int64_t ts, reading *out)
{
    /* frozen first (settlement, then daily), then the newest live one */
    gl_status st = one_row(s,
                           READING_SELECT " FROM readings WHERE meter = ?1 AND ts = ?2 AND status = 0"
                                          " AND (flags & " HELD_SQL ") = 0 ORDER BY source DESC, id DESC LIMIT 1",
                           meter, ts, out);
    int n = st == GL_ENOTFOUND && ts >= 0 ? number_of(s, meter) : -1;
    if (n < 0)
        return st;
    newest w = {ts, ts - 1, out, 0}; /* the last one written at ts */
    int64_t slot = slot_of(ts), blk = n / STORE_BLOCK_METERS;
    st = walk_rows(s, (int)blk, STORE_BLOCK_SLOT_FIRST(slot), STORE_BLOCK_SLOT_LAST(slot), 0,
                   n % STORE_BLOCK_METERS, take_newest, &w);
    return st == GL_OK && !w.found ? GL_ENOTFOUND : st;
}

gl_status store_last_readings(store *s, const char *const *meters_, size_t n, reading *out, int *found)
{
    for (size_t i = 0; i < n; i++) {
        gl_status st = store_last_reading(s, meters_[i], 0, &out[i]);
        if (st != GL_OK && st != GL_ENOTFOUND)
            return st;
        found[i] = st == GL_OK;
    }
    return GL_OK;
}

/* Points of one meter in [from, to). */
typedef struct series {
    int64_t from, to;
    store_point *pts;
    size_t cap, *n;
    int full;
} series;

static int take_point(void *ctx, int idx, const reading *r)
{
    series *w = ctx;
    (void)idx;
    if (r->ts < w->from || r->ts >= w->to)
        return 0;
    if (*w->n == w->cap) {
        w->full = 1;
        return 1;
    }
    w->pts[(*w->n)++] = (store_point){r->ts, r->import_wh, (r->present & READING_HAS_REACTIVE) ? r->reactive_varh : -1,
                                      r->flags, READING_LIVE};
    return 0;
}

/* series_rows: points from the rows of readings in [from, to). */
static gl_status series_rows(store *s, const char *meter, series *w)
{
    sqlite3_stmt *st = NULL;
    gl_status ret = store_prepare(s, &st, /* READING_FLAG_HELD (an unconfirmed jump) left out */
                                  "SELECT ts, import_wh, reactive_varh, flags, source FROM readings WHERE meter = ?1"
                                  " AND ts >= ?2 AND ts < ?3 AND status = 0 AND (present & 1)"
                                  " AND (flags & " HELD_SQL ") = 0 ORDER BY ts, id",
                                  "tii", meter, w->from, w->to);
    int rc = SQLITE_DONE;
    while (ret == GL_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*w->n == w->cap) {
            w->full = 1;
            break;
        }
        w->pts[(*w->n)++] = (store_point){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                                          sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 2),
                                          (uint32_t)sqlite3_column_int64(st, 3), sqlite3_column_int(st, 4)};
    }
    if (ret == GL_OK && !w->full && rc != SQLITE_DONE)
        ret = store_status_of(rc);
    sqlite3_finalize(st);
    return ret;
}

gl_status store_readings_series(store *s, const char *meter, int64_t from, int64_t to, store_point *pts, size_t cap,
                                size_t *n)
{
    series w = {from, to, pts, cap, n, 0};
    gl_status st = series_rows(s, meter, &w);
    int num = st == GL_OK && !w.full && to > 0 ? number_of(s, meter) : -1;
    if (num >= 0) {
        int64_t blk = num / STORE_BLOCK_METERS;
        st = walk_rows(s, (int)blk, STORE_BLOCK_SLOT_FIRST(slot_of(from)),
                       STORE_BLOCK_SLOT_LAST(slot_of(to - 1)), 0, num % STORE_BLOCK_METERS,
                       take_point, &w);
    }
    return st == GL_OK && w.full ? GL_EBOUND : st;
}

/* ---- compaction's side --------------------------------------------------- */

gl_status store_readings_number_rows(store *s, int64_t from, int64_t to)
{
    sqlite3_stmt *st = NULL;
    gl_status ret = store_prepare(s, &st,
                                  "SELECT DISTINCT meter FROM readings WHERE ts >= ?1 AND ts < ?2 AND meter NOT IN"
                                  " (SELECT id FROM meters WHERE n IS NOT NULL)",
                                  "ii", from, to);
    int rc = SQLITE_DONE;
    reading r;
    memset(&r, 0, sizeof r);
    r.ts = from;
    while (ret == GL_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        meter_num *e = NULL;
        store_copy_col(st, 0, r.meter, sizeof r.meter);
        ret = number_meter(s, &r, &e);
    }
    if (ret == GL_OK && rc != SQLITE_DONE)
        ret = store_status_of(rc);
    sqlite3_finalize(st);
    return ret;
}

int store_readings_blocks(store *s)
{
    store_meters *m = NULL;
    if (meters(s, &m) != GL_OK)
        return 0;
    return (m->nmax + STORE_BLOCK_METERS - 1) / STORE_BLOCK_METERS;
}

const char *store_readings_meter(store *s, int n)
{
    return meter_of(s, n);
}

/* Feeding one block's meters to the compaction. */
typedef struct feed {
    store_feed_fn fn;
    void *ctx;
    int64_t count;
} feed;

static int feed_one(void *ctx, int idx, const reading *r)
{
    feed *f = ctx;
    f->fn(f->ctx, idx, r);
    f->count++;
    return 0;
}

static gl_status feed_rows(store *s, int64_t from, int64_t to, int blk, feed *f)
{
    sqlite3_stmt *st = NULL;
    gl_status ret = store_prepare(s, &st, /* READING_FLAG_HELD: never billed nor compacted */
                                  READING_SELECT " FROM readings WHERE ts >= ?1 AND ts < ?2 AND status = 0"
                                                 " AND (present & 1) AND (flags & " HELD_SQL ") = 0 ORDER BY ts, id",
                                  "ii", from, to);
    int rc = SQLITE_DONE;
    reading r;
    while (ret == GL_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        column_reading(st, &r);
        int n = number_of(s, r.meter);
        if (n >= 0 && n / STORE_BLOCK_METERS == blk)
            f->fn(f->ctx, n % STORE_BLOCK_METERS, &r);
    }
    if (ret == GL_OK && rc != SQLITE_DONE)
        ret = store_status_of(rc);
    sqlite3_finalize(st);
    return ret;
}

gl_status store_readings_feed(store *s, int64_t from, int64_t to, int blk, store_feed_fn fn, void *ctx, int64_t *packed_n)
{
    feed f = {fn, ctx, 0};
    gl_status st = feed_rows(s, from, to, blk, &f);
    if (st == GL_OK && to > 0 && blk < STORE_BLOCK_MAX)
        st = walk_rows(s, blk, STORE_BLOCK_SLOT_FIRST(slot_of(from)),
                       STORE_BLOCK_SLOT_LAST(slot_of(to - 1)), 0, -1, feed_one, &f);
    if (packed_n != NULL)
        *packed_n += f.count;
    return st;
}

/* packed_from: the start of the first slot at or after key `from` that
 * holds packed readings (def: none). */
static gl_status packed_from(store *s, int64_t from, int64_t def, int64_t *ts)
{
    int64_t *days = NULL, k = -1;
    size_t nd = 0;
    char sql[96];
    gl_status st = block_days(s, &days, &nd);
    for (size_t i = 0; st == GL_OK && k < 0 && i < nd; i++) {
        if (days[i] < day_of(s, STORE_BLOCK_KEY_SLOT(from)) - 1)
            continue;
        snprintf(sql, sizeof sql, "SELECT min(k) FROM \"" DAY_TABLE "\" WHERE k >= ?1", (long long)days[i]);
        st = store_query_i64(s, &k, -1, sql, "i", from);
    }
    free(days);
    *ts = k < 0 ? def : STORE_BLOCK_KEY_SLOT(k) * STORE_BLOCK_SLOT_S;
    return st;
}

gl_status store_readings_first(store *s, int64_t frozen_from, int64_t *ts)
{
    int64_t row = INT64_MAX, pk = INT64_MAX;
    gl_status st = store_query_i64(s, &row, INT64_MAX,
                                   "SELECT min(ts) FROM readings WHERE (flags & " HELD_SQL ") = 0"
                                   " AND (source = 0 OR ts >= ?1)",
                                   "i", frozen_from);
    if (st == GL_OK)
        st = packed_from(s, 0, INT64_MAX, &pk);
    *ts = row < pk ? row : pk;
    return st;
}

gl_status store_readings_next(store *s, int64_t from, int64_t def, int64_t *ts)
{
    int64_t row = def, pk = def;
    gl_status st = store_query_i64(s, &row, def, "SELECT min(ts) FROM readings WHERE ts >= ?1", "i", from);
    if (st == GL_OK)
        st = packed_from(s, STORE_BLOCK_SLOT_FIRST(slot_of(from)), def, &pk);
    if (pk < from)
        pk = from;
    *ts = row < pk ? row : pk;
    return st;
}

/* drop_day: day's table without what is older than key cut: dropped whole
 * when nothing newer is in it (the usual case), else those rows deleted. */
static gl_status drop_day(store *s, int64_t day, int64_t cut)
{
    char sql[96];
    int64_t top = -1;
    snprintf(sql, sizeof sql, "SELECT max(k) FROM \"" DAY_TABLE "\"", (long long)day);
    gl_status st = store_query_i64(s, &top, -1, sql, "");
    if (st == GL_OK && top < cut)
        snprintf(sql, sizeof sql, "DROP TABLE \"" DAY_TABLE "\"", (long long)day);
    else
        snprintf(sql, sizeof sql, "DELETE FROM \"" DAY_TABLE "\" WHERE k < ?1", (long long)day);
    return st == GL_OK ? store_exec(s, sql, "i", cut) : st;
}

gl_status store_readings_drop(store *s, int64_t cutoff, int64_t frozen_cutoff, int64_t *rows)
{
    gl_status st = store_exec(s,
                              "DELETE FROM readings WHERE ts < ?1 AND (flags & " HELD_SQL ") = 0"
                              " AND (source = 0 OR ts < ?2)",
                              "ii", cutoff, frozen_cutoff);
    *rows = st == GL_OK ? sqlite3_changes(store_db(s)) : 0;
    int64_t *days = NULL, cut = STORE_BLOCK_SLOT_FIRST(slot_of(cutoff));
    size_t nd = 0;
    if (st == GL_OK)
        st = block_days(s, &days, &nd);
    for (size_t i = 0; st == GL_OK && i < nd && days[i] <= day_of(s, slot_of(cutoff)); i++)
        st = drop_day(s, days[i], cut);
    free(days);
    return st;
}

/* ---- export -------------------------------------------------------------- */

/* The columns of `readings` and how a packed reading fills each. */
static void csv_opt(FILE *out, int present, int64_t v)
{
    if (present)
        fprintf(out, "%lld", (long long)v);
}

static void csv_packed_col(FILE *out, const char *col, const reading *r)
{
    static const char *const fixed[] = {"id", "raw", "error", "read_ts"};
    uint32_t p = r->present;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(col, fixed[i]) == 0)
            return; /* empty: a packed reading has none */
    struct {
        const char *name;
        int present;
        int64_t v;
    } cols[] = {
        {"meter", 0, 0},
        {"ts", 1, r->ts},
        {"status", 1, r->status},
        {"present", 1, p},
        {"flags", 1, r->flags},
        {"import_wh", p & READING_HAS_IMPORT, r->import_wh},
        {"export_wh", p & READING_HAS_EXPORT, r->export_wh},
        {"reactive_varh", p & READING_HAS_REACTIVE, r->reactive_varh},
        {"demand_w", p & READING_HAS_DEMAND, r->demand_w},
        {"power_w", p & READING_HAS_POWER, r->power_w},
        {"pf_milli", p & READING_HAS_PF, r->pf_milli},
        {"freq_chz", p & READING_HAS_FREQ, r->freq_chz},
        {"v1_dv", (p & READING_HAS_VOLTAGE) && r->nphases > 0, r->voltage_dv[0]},
        {"v2_dv", (p & READING_HAS_VOLTAGE) && r->nphases > 1, r->voltage_dv[1]},
        {"v3_dv", (p & READING_HAS_VOLTAGE) && r->nphases > 2, r->voltage_dv[2]},
        {"i1_ma", (p & READING_HAS_CURRENT) && r->nphases > 0, r->current_ma[0]},
        {"i2_ma", (p & READING_HAS_CURRENT) && r->nphases > 1, r->current_ma[1]},
        {"i3_ma", (p & READING_HAS_CURRENT) && r->nphases > 2, r->current_ma[2]},
        {"relay_closed", p & READING_HAS_RELAY, r->relay_closed},
        {"source", 1, r->source},
        {"t1_wh", p & READING_HAS_TARIFFS, r->tariff_wh[0]},
        {"t2_wh", p & READING_HAS_TARIFFS, r->tariff_wh[1]},
        {"t3_wh", p & READING_HAS_TARIFFS, r->tariff_wh[2]},
        {"t4_wh", p & READING_HAS_TARIFFS, r->tariff_wh[3]},
    };
    if (strcmp(col, "meter") == 0) {
        fputs(r->meter, out); /* ids are identifiers (ident.h): no comma, quote or line break */
        return;
    }
    for (size_t i = 1; i < sizeof cols / sizeof cols[0]; i++)
        if (strcmp(col, cols[i].name) == 0)
            csv_opt(out, cols[i].present, cols[i].v);
}

/* The packed readings printed as CSV rows with the table's columns. */
typedef struct csv_out {
    FILE *out;
    const char *const *cols;
    int nc;
} csv_out;

static int print_packed(void *ctx, int idx, const reading *r)
{
    csv_out *c = ctx;
    (void)idx;
    for (int i = 0; i < c->nc; i++) {
        if (i)
            fputc(',', c->out);
        csv_packed_col(c->out, c->cols[i], r);
    }
    fputs("\r\n", c->out);
    return 0;
}

gl_status store_readings_export_packed(store *s, const char *const *cols, int nc, FILE *out)
{
    csv_out c = {out, cols, nc};
    return walk_rows(s, -1, 0, INT64_MAX, 0, -1, print_packed, &c);
}
