/* store.c: the gateway's SQLite store (see store.h).
 *
 * Durability: WAL with synchronous=FULL. In WAL mode synchronous=NORMAL is
 * consistent after a power cut but may lose the last transactions; a bill, a
 * payment or an outbox acknowledgement must not be lost once reported done,
 * so every commit is synced. The cost is one fsync per transaction, which is
 * why readings go in one transaction per poll cycle.
 * Wear: auto_vacuum=INCREMENTAL (free pages returned under quota pressure),
 * secure_delete off (Debian builds SQLite with it on: it rewrites every freed
 * page with zeros), a bounded WAL (journal_size_limit). */
#include "store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "gridledger/money.h"
#include "outfmt.h"
#include "readq.h"
#include "store_internal.h"
#include "store_schema.h"
#include "store_blocks.h"
#include "store_seq.h"
#include "store_slots.h"
#include "store_vfs.h"

/* READING_FLAG_HELD as SQL text, for the queries that leave held readings out */
#define HELD_SQL "64"
_Static_assert(READING_FLAG_HELD == 64, "HELD_SQL must equal READING_FLAG_HELD");

#define PATH_MAX_STORE 512
#define STORE_PATH_MAX_MSG (PATH_MAX_STORE + 96)
/* SQLite's page cache per connection, KiB (its default is 2,000): the
 * daemon's peak RSS at 1,000 meters fell by 1.6 MiB with 512, the cycle's
 * time stayed within the runs' spread (README, benchmarks). */
#ifndef STORE_CACHE_KIB_TEXT
#define STORE_CACHE_KIB_TEXT "512"
#endif
/* Flash wear (docs/store.md "Bytes written"): each choice below was measured
 * with the counting VFS (tools/bench/store_choices.sh builds the store with
 * the others and prints bytes written a day for each). */
#ifndef STORE_PAGE_SIZE
#define STORE_PAGE_SIZE 4096 /* a fresh store's page size */
#endif
#ifndef STORE_CHECKPOINT_PAGES
#define STORE_CHECKPOINT_PAGES 4000 /* wal_autocheckpoint: hot pages (the header, interior pages) reach the file a quarter as often as with SQLite's 1,000 */
#endif
#ifndef STORE_VACUUM_AT_COMPACT
#define STORE_VACUUM_AT_COMPACT 0 /* incremental_vacuum after each compaction: 15.5 MB a day more; the freed
                                   * pages take the next day's readings, the quota still vacuums */
#endif
#ifndef STORE_AUTO_VACUUM
#define STORE_AUTO_VACUUM "INCREMENTAL" /* a fresh store's: the quota can give free pages back */
#endif
#define STORE_STR_(x) #x
#define STORE_STR(x) STORE_STR_(x)
#define PENDING_DEFAULT 8192 /* readings waiting in memory at most, when opts say 0 */
#define KEEP_RAW_UNDER_QUOTA_S 86400   /* quota pressure: raw readings kept at least a day */
#define KEEP_INTERVALS_S (400 * 86400) /* quota pressure: intervals older than this go */
#define KEEP_FROZEN_S (100 * 86400)    /* frozen readings stay raw this long after their day is compacted */

struct store {
    sqlite3 *db;
    char path[PATH_MAX_STORE];
    store_options o;
    int ready;       /* opened through: close records the bytes written */
    store_meters *meters; /* meter numbers (store_readings.c) */
    readq pending;   /* readings waiting while the disk refuses writes (at most o.pending_max) */
    long long bytes_at_open;
    int64_t bytes_total_at_open;
    int txn_depth;   /* nested store_txn_begin / internal transactions */
    int txn_failed;  /* an inner step failed: the outer end rolls back */
    store_seq seq;   /* what PATH.seq holds (see store_seq.h) */
    int64_t down_pending; /* a downlink seq set in the open transaction, written to PATH.seq at commit */
    int down_dirty;
    char recovered[STORE_RECOVERED_MAX]; /* what this open recovered from, or "" */
};

static void seq_flush_down(store *s);
static gl_status exec_bind(store *s, const char *sql, const char *fmt, ...);

gl_status store_status_of(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return GL_OK;
    case SQLITE_FULL:
        return GL_EFULL;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
        return GL_EIO;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return GL_ECORRUPT;
    case SQLITE_NOMEM:
        return GL_ENOMEM;
    case SQLITE_CONSTRAINT:
        return store_constraint_status(rc);
    default:
        return GL_EDB;
    }
}

gl_status store_constraint_status(int rc)
{
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
        return GL_EEXIST; /* the same identity again: a duplicate */
    case SQLITE_CONSTRAINT: /* a primary code only: extended codes were not enabled */
        return GL_EDB;
    default:
        return GL_EINVAL; /* NOT NULL, CHECK, FOREIGN KEY...: a value the schema refuses */
    }
}

static gl_status status_of(int rc)
{
    return store_status_of(rc);
}

static gl_status exec(store *s, const char *sql)
{
    return status_of(sqlite3_exec(s->db, sql, NULL, NULL, NULL));
}

/* query_i64_at: the first column of the first row of sql (with ?1 bound to
 * a if sql has it) into *out, or def if there is no row or the value is NULL
 * (min() over an empty table). Every database error is returned (*out is
 * def then), never read as "no row". */
static gl_status query_i64_at(sqlite3 *db, const char *sql, int64_t a, int64_t def, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    *out = def;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        if (sqlite3_bind_parameter_count(st) > 0)
            sqlite3_bind_int64(st, 1, a);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
            *out = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? GL_OK : status_of(rc);
}

/* query_text_i64: the first column of the first row of sql with text
 * parameters ?1..?3 (c may be NULL: two) into *out (0 without a row);
 * every database error returned. */
static gl_status query_text_i64(store *s, const char *sql, const char *a, const char *b, const char *c, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    *out = 0;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
        if (c != NULL)
            sqlite3_bind_text(st, 3, c, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *out = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? GL_OK : status_of(rc);
}

/* query_i64: query_i64_at without a parameter; the first error is kept in
 * *err (left alone on success), so a series of reads reports the first. */
static int64_t query_i64(sqlite3 *db, const char *sql, int64_t def, gl_status *err)
{
    int64_t v = def;
    gl_status st = query_i64_at(db, sql, 0, def, &v);
    if (st != GL_OK && *err == GL_OK)
        *err = st;
    return v;
}

/* begin: opens a transaction, or joins the one a caller opened with
 * store_txn_begin (then only the outermost end commits). */
static gl_status begin(store *s)
{
    if (s->txn_depth++ > 0)
        return GL_OK;
    s->txn_failed = 0;
    gl_status st = exec(s, "BEGIN IMMEDIATE");
    if (st != GL_OK)
        s->txn_depth = 0;
    return st;
}

/* finish: ends what begin opened: the outermost commits if st is GL_OK and
 * no inner step failed, else rolls back; returns the final status. */
static gl_status finish(store *s, gl_status st)
{
    if (s->txn_depth == 0)
        return st; /* begin failed */
    if (--s->txn_depth > 0) {
        if (st != GL_OK)
            s->txn_failed = 1;
        return st;
    }
    if (st == GL_OK && s->txn_failed)
        st = GL_EDB;
    if (st == GL_OK) {
        st = exec(s, "COMMIT");
        if (st == GL_OK) {
            seq_flush_down(s);
            return GL_OK;
        }
    }
    s->down_dirty = 0;
    store_readings_forget(s); /* numbers given in the rolled back transaction */
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

gl_status store_txn_begin(store *s)
{
    return begin(s);
}

gl_status store_txn_end(store *s, gl_status st)
{
    return finish(s, st);
}

/* ---- opening, corruption ------------------------------------------------ */

static gl_status setup_pragmas(sqlite3 *db, int fresh)
{
    const char *sql = fresh ? "PRAGMA page_size=" STORE_STR(STORE_PAGE_SIZE) "; PRAGMA auto_vacuum=" STORE_AUTO_VACUUM ";" : "";
    int rc = sqlite3_busy_timeout(db, 5000); /* first: another process may be creating the same file */
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db,
                          "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=OFF;"
                          " PRAGMA journal_size_limit=4194304; PRAGMA foreign_keys=ON;"
                          " PRAGMA cache_size=-" STORE_CACHE_KIB_TEXT ";"
                          " PRAGMA wal_autocheckpoint=" STORE_STR(STORE_CHECKPOINT_PAGES) ";",
                          NULL, NULL, NULL);
    return status_of(rc);
}

/* quick_ok: PRAGMA quick_check says ok. */
static int quick_ok(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int ok = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        ok = t != NULL && strcmp((const char *)t, "ok") == 0;
    }
    sqlite3_finalize(st);
    return ok;
}

/* Why this thread's last open failed in a migration (store_describe_error). */
static _Thread_local char open_why[STORE_PATH_WHY_MAX / 2];

/* open_db: opens path and makes it a current, checked store database. */
static gl_status open_db(const char *path, sqlite3 **out)
{
    sqlite3 *db = NULL;
    struct stat sb;
    int fresh = stat(path, &sb) != 0 || sb.st_size == 0;
    const char *vfs = store_vfs_register();
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
    gl_status st = status_of(rc);
    if (st == GL_OK) /* SQLITE_CONSTRAINT_UNIQUE apart from other constraints */
        st = status_of(sqlite3_extended_result_codes(db, 1));
    if (st == GL_OK)
        st = setup_pragmas(db, fresh);
    if (st == GL_OK && !quick_ok(db))
        st = GL_ECORRUPT;
    open_why[0] = '\0';
    if (st == GL_OK)
        st = store_schema_migrate(db, STORE_SCHEMA_VERSION, open_why, sizeof open_why);
    if (st != GL_OK) {
        sqlite3_close(db);
        return st;
    }
    *out = db;
    return GL_OK;
}

/* move_aside: renames path (and its -wal, -shm) to PATH.corrupt-EPOCH. */
static gl_status move_aside(const char *path, char *moved, size_t cap)
{
    static const char *const sfx[] = {"", "-wal", "-shm"};
    long long now = (long long)time(NULL);
    for (size_t i = 0; i < 3; i++) {
        char from[PATH_MAX_STORE + 8], to[PATH_MAX_STORE + 48];
        snprintf(from, sizeof from, "%s%s", path, sfx[i]);
        snprintf(to, sizeof to, "%s.corrupt-%lld%s", path, now, sfx[i]);
        if (rename(from, to) != 0 && errno != ENOENT)
            return GL_EIO;
        if (i == 0)
            snprintf(moved, cap, "%s", to);
    }
    return GL_OK;
}

static gl_status prepare_all(store *s)
{
    s->ready = 1;
    return GL_OK;
}

static int64_t kv_i64(store *s, const char *key)
{
    char v[32];
    return store_kv_get(s, key, v, sizeof v) == GL_OK ? strtoll(v, NULL, 10) : 0;
}

static gl_status kv_set_i64(store *s, const char *key, int64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", (long long)v);
    return store_kv_set(s, key, b);
}

static store *store_new(const char *path, const store_options *opts)
{
    store *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    snprintf(s->path, sizeof s->path, "%s", path);
    if (opts != NULL)
        s->o = *opts;
    if (s->o.pending_max == 0)
        s->o.pending_max = PENDING_DEFAULT;
    readq_init(&s->pending, s->o.pending_max); /* allocates only when a reading waits */
    return s;
}

/* seq_flush_down: the downlink seq committed meanwhile goes to PATH.seq (a
 * failed write is retried at the next commit; the database has the value). */
static void seq_flush_down(store *s)
{
    if (!s->down_dirty)
        return;
    store_seq v = s->seq;
    v.downlink = s->down_pending;
    if (store_seq_write(s->path, &v) == GL_OK) {
        s->seq = v;
        s->down_dirty = 0;
    }
}

/* seq_reserve: PATH.seq covers uplink seq `next` before any message with it
 * is committed (a block of STORE_SEQ_RESERVE at a time: one file write per
 * 1,024 messages); kv outbox.reserved records the block in the message's
 * transaction, so the database knows which reservations it has seen. */
static gl_status seq_reserve(store *s, int64_t next)
{
    if (next <= s->seq.uplink)
        return GL_OK;
    store_seq v = s->seq;
    v.uplink = next + STORE_SEQ_RESERVE - 1;
    gl_status st = store_seq_write(s->path, &v);
    if (st == GL_OK)
        s->seq = v;
    return st == GL_OK ? kv_set_i64(s, "outbox.reserved", v.uplink) : st;
}

/* seq_raise_up: whether the database's uplink seq `up` must be raised to
 * PATH.seq's mark. A fresh database: yes. A database that saw the mark's
 * reservation (kv outbox.reserved): no. One killed between writing the
 * reservation and committing the message that made it (its last seq is its
 * last reservation, the mark exactly one block above, and it has sent
 * before): no, that is a crash, not a lost store, and raising would leave a
 * gap. Else (an older copy put back, or an empty one): yes. An older copy
 * taken within the current block (it saw the reservation) cannot be told
 * from the live database and is not raised. */
static int seq_raise_up(int64_t mark, int fresh, int64_t up, int64_t reserved)
{
    if (mark <= up)
        return 0;
    if (fresh)
        return 1;
    int crashed = up > 0 && up == reserved && mark == up + STORE_SEQ_RESERVE;
    return reserved != mark && !crashed;
}

/* seq_restore: the database's sequences raised to PATH.seq's marks where
 * seq_raise_up says so (downlink: always up to the mark), and kv
 * outbox.reserved brought to the mark. */
static gl_status seq_restore(store *s, const store_seq *file, int fresh, int64_t up, int64_t down)
{
    int64_t reserved = kv_i64(s, "outbox.reserved");
    int raise_up = seq_raise_up(file->uplink, fresh, up, reserved);
    int64_t mark = file->uplink > up ? file->uplink : up;
    if (!raise_up && file->downlink <= down && reserved == mark)
        return GL_OK;
    gl_status st = begin(s);
    if (st == GL_OK && raise_up)
        st = kv_set_i64(s, "outbox.last_seq", file->uplink);
    if (st == GL_OK && file->downlink > down)
        st = kv_set_i64(s, STORE_KV_DOWN_SEQ, file->downlink);
    if (st == GL_OK && reserved != mark)
        st = kv_set_i64(s, "outbox.reserved", mark);
    return finish(s, st);
}

/* seq_recover: after open, PATH.seq and the database agree on the highest
 * marks; a database moved aside (moved) or missing while PATH.seq says one
 * was used is recorded as a store_corrupt alert saying what was lost. */
static gl_status seq_recover(store *s, int existed, const char *moved)
{
    store_seq file;
    gl_status fst = store_seq_read(s->path, &file);
    if (fst != GL_OK)
        memset(&file, 0, sizeof file); /* none yet, or not ours: the database's values stand */
    int64_t up = kv_i64(s, "outbox.last_seq"), down = kv_i64(s, STORE_KV_DOWN_SEQ);
    gl_status st = seq_restore(s, &file, !existed || moved[0] != '\0', up, down);
    s->seq.uplink = up > file.uplink ? up : file.uplink;
    s->seq.downlink = down > file.downlink ? down : file.downlink;
    if (st == GL_OK && (fst != GL_OK || s->seq.uplink > file.uplink || s->seq.downlink > file.downlink))
        st = store_seq_write(s->path, &s->seq);
    int lost = moved[0] != '\0' || (!existed && (file.uplink > 0 || file.downlink > 0));
    if (st != GL_OK || !lost)
        return st;
    char what[STORE_PATH_MAX_MSG];
    if (moved[0] != '\0')
        snprintf(what, sizeof what, "database corrupt, moved aside to %s", moved);
    else
        snprintf(what, sizeof what, "database file missing (moved or deleted)");
    snprintf(s->recovered, sizeof s->recovered,
             "%s; a fresh store was started without the old file's readings, bills, ledger, alerts and queued "
             "uplink messages; uplink seq continues after %lld and downlink seq up to %lld stays refused (from %s.seq)",
             what, (long long)s->seq.uplink, (long long)s->seq.downlink, s->path);
    st = store_event(s, (int64_t)time(NULL), "store_corrupt", s->path, s->recovered, 1);
    if (st == GL_OK)
        st = store_kv_set(s, STORE_KV_RECOVERED, s->recovered);
    return st;
}

gl_status store_open_ex(const char *path, const store_options *opts, store **out, int *moved_aside)
{
    char moved[PATH_MAX_STORE + 48] = "";
    struct stat sb;
    if (moved_aside != NULL)
        *moved_aside = 0;
    if (path == NULL || out == NULL || strlen(path) >= PATH_MAX_STORE)
        return GL_EINVAL;
    int existed = stat(path, &sb) == 0 && sb.st_size > 0;
    store *s = store_new(path, opts);
    if (s == NULL)
        return GL_ENOMEM;
    store_vfs_counters(&s->bytes_at_open, NULL);
    gl_status st = open_db(path, &s->db);
    if (st == GL_ECORRUPT) {
        st = move_aside(path, moved, sizeof moved);
        if (st == GL_OK)
            st = open_db(path, &s->db);
    }
    if (st == GL_OK)
        st = prepare_all(s);
    if (st == GL_OK)
        st = seq_recover(s, existed, moved);
    if (st != GL_OK) {
        store_close(s);
        return st;
    }
    s->bytes_total_at_open = kv_i64(s, "store.bytes_written");
    if (moved_aside != NULL)
        *moved_aside = s->recovered[0] != '\0';
    *out = s;
    return GL_OK;
}

/* dir_of: the folder of path into out ("." without a slash). */
static void dir_of(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(out, cap, ".");
    else
        snprintf(out, cap, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

const char *store_path(const store *s)
{
    return s->path;
}

void store_describe_error(const char *path, gl_status st, char *out, size_t cap)
{
    char dir[PATH_MAX_STORE];
    struct statvfs vfs;
    dir_of(path, dir, sizeof dir);
    int have_vfs = statvfs(dir, &vfs) == 0;
    if (st == GL_ECORRUPT)
        snprintf(out, cap, "corrupt: not a database or it fails its integrity check");
    else if ((st == GL_ESYNTAX || st == GL_ERANGE || st == GL_EOVERFLOW || st == GL_EDB) && open_why[0] != '\0')
        snprintf(out, cap, "%s", open_why);
    else if (have_vfs && (vfs.f_flag & ST_RDONLY))
        snprintf(out, cap, "read-only: the file system of %s is mounted read-only", dir);
    else if (access(dir, W_OK) != 0 || (access(path, F_OK) == 0 && access(path, W_OK) != 0))
        snprintf(out, cap, "read-only: no write permission on %s or its folder", path);
    else if (st == GL_EFULL || (have_vfs && vfs.f_bavail == 0))
        snprintf(out, cap, "full: no space left on the file system of %s (or the store's quota)", dir);
    else
        snprintf(out, cap, "%s", gl_strerror(st));
}

const char *store_recovered(const store *s)
{
    return s->recovered;
}

gl_status store_open(const char *path, const store_options *opts, store **out)
{
    return store_open_ex(path, opts, out, NULL);
}

static int64_t bytes_written_now(const store *s)
{
    long long b = 0;
    store_vfs_counters(&b, NULL);
    return (int64_t)(b - s->bytes_at_open);
}

void store_close(store *s)
{
    if (s == NULL)
        return;
    if (s->db != NULL && s->ready)
        kv_set_i64(s, "store.bytes_written", s->bytes_total_at_open + bytes_written_now(s));
    store_readings_forget(s);
    sqlite3_close(s->db);
    readq_clear(&s->pending);
    free(s);
}

sqlite3 *store_db(store *s)
{
    return s->db;
}

store_meters **store_meters_ref(store *s)
{
    return &s->meters;
}

int32_t store_utc_offset(const store *s)
{
    return s->o.utc_offset_s;
}

gl_status store_set_max_pages(store *s, int64_t n)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count=%lld", (long long)(n > 0 ? n : 1073741823));
    return exec(s, sql);
}

/* ---- readings ------------------------------------------------------------ */

/* used_bytes: pages in use times the page size; a database that cannot
 * say counts as over any quota (*err set). */
static int64_t used_bytes(store *s, gl_status *err)
{
    int64_t ps = query_i64(s->db, "PRAGMA page_size", 4096, err);
    int64_t used = query_i64(s->db, "PRAGMA page_count", 0, err) - query_i64(s->db, "PRAGMA freelist_count", 0, err);
    return *err == GL_OK ? used * ps : INT64_MAX;
}

static int over_quota(store *s)
{
    gl_status err = GL_OK;
    return s->o.quota_mb > 0 && used_bytes(s, &err) > s->o.quota_mb * 1024 * 1024;
}

static gl_status compact_before(store *s, int64_t cutoff, int64_t *compacted);
static gl_status drop_oldest_readings_msgs(store *s, int64_t count);

/* enforce_quota: the quota policy (docs/store.md), cheapest loss first. */
static gl_status enforce_quota(store *s, int64_t now)
{
    if (!over_quota(s))
        return GL_OK;
    compact_before(s, now - KEEP_RAW_UNDER_QUOTA_S, NULL);
    if (!over_quota(s))
        return GL_OK;
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM intervals WHERE day < %lld",
             (long long)((now - KEEP_INTERVALS_S) / 86400));
    exec(s, sql);
    exec(s, "PRAGMA incremental_vacuum");
    for (int i = 0; i < 64 && over_quota(s); i++)
        if (drop_oldest_readings_msgs(s, 64) != GL_OK)
            break;
    return over_quota(s) ? GL_EFULL : GL_OK;
}

/* write_batch: pending readings then the selected of r[0..n), one
 * transaction (pending ones a chunk at a time: each is a whole reading). */
#define PENDING_CHUNK 64
static gl_status write_batch(store *s, const reading *r, size_t n, const unsigned char *sel)
{
    size_t cap = n > PENDING_CHUNK ? n : PENDING_CHUNK;
    const reading **list = malloc(cap * sizeof *list);
    reading *chunk = s->pending.n > 0 ? malloc(PENDING_CHUNK * sizeof *chunk) : NULL;
    if (list == NULL || (s->pending.n > 0 && chunk == NULL)) {
        free(list);
        free(chunk);
        return GL_ENOMEM;
    }
    gl_status st = begin(s);
    for (size_t i = 0; st == GL_OK && i < s->pending.n; i += PENDING_CHUNK) {
        size_t k = 0;
        for (; k < PENDING_CHUNK && i + k < s->pending.n; k++) {
            readq_get(&s->pending, i + k, &chunk[k]);
            list[k] = &chunk[k];
        }
        st = store_readings_insert(s, list, k);
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (sel == NULL || sel[i])
            list[k++] = &r[i];
    if (st == GL_OK)
        st = store_readings_insert(s, list, k);
    free(list);
    free(chunk);
    return finish(s, st);
}

/* newest_ts: the time of the newest reading to write (0: none). */
static int64_t newest_ts(const store *s, const reading *r, size_t n, const unsigned char *sel)
{
    reading last;
    for (size_t i = n; i-- > 0;)
        if (sel == NULL || sel[i])
            return r[i].ts;
    if (s->pending.n == 0)
        return 0;
    readq_get(&s->pending, s->pending.n - 1, &last);
    return last.ts;
}

gl_status store_put_readings(store *s, const reading *r, size_t n)
{
    return store_put_readings_sel(s, r, n, NULL);
}

gl_status store_put_readings_sel(store *s, const reading *r, size_t n, const unsigned char *sel)
{
    if (s == NULL || (r == NULL && n > 0))
        return GL_EINVAL;
    gl_status st = enforce_quota(s, newest_ts(s, r, n, sel));
    if (st == GL_OK)
        st = write_batch(s, r, n, sel);
    if (st == GL_OK) {
        readq_clear(&s->pending);
        return GL_OK;
    }
    for (size_t i = 0; i < n; i++)
        if (sel == NULL || sel[i])
            readq_push(&s->pending, &r[i]);
    return st;
}

gl_status store_flush(store *s)
{
    return s->pending.n == 0 ? GL_OK : store_put_readings(s, NULL, 0);
}

size_t store_pending(const store *s, int64_t *dropped)
{
    if (dropped != NULL)
        *dropped = s->pending.dropped;
    return s->pending.n;
}

gl_status store_frozen_last(store *s, const char *meter, reading_source source, int64_t *ts)
{
    sqlite3_stmt *st = NULL;
    *ts = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT max(ts) FROM readings WHERE meter = ?1 AND source = ?2", -1, &st, NULL) !=
        SQLITE_OK)
        return GL_EDB;
    sqlite3_bind_text(st, 1, meter, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)source);
    int rc = sqlite3_step(st);
    gl_status ret = rc == SQLITE_ROW ? GL_OK : status_of(rc);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *ts = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return ret;
}

/* ---- compaction ---------------------------------------------------------- */

/* A meter-day being compacted: the last good counter in each slot and when
 * it was read (rows and packed readings arrive in two passes). */
typedef struct day_acc {
    store_day imp, rea;
    int64_t at[STORE_SLOTS];
    int has, has_rea;
    uint32_t flags;
} day_acc;

/* merge_existing: slots already compacted for this meter-day (late raw
 * readings arriving after a compaction) are kept where the new ones are absent. */
static void merge_existing(store *s, int64_t day, const char *meter, day_acc *a)
{
    sqlite3_stmt *st = NULL;
    if (store_prepare(s, &st, "SELECT start_wh, slots, rstart, rslots, flags FROM intervals WHERE day = ?2 AND meter = ?1",
                      "ti", meter, day) != GL_OK)
        return;
    store_day old;
    if (sqlite3_step(st) == SQLITE_ROW &&
        store_slots_decode(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), sqlite3_column_int64(st, 0),
                           &old) == GL_OK) {
        for (int i = 0; i < STORE_SLOTS; i++)
            if (store_slots_has(&old, i) && !store_slots_has(&a->imp, i))
                store_slots_set(&a->imp, i, old.wh[i]);
        a->flags |= (uint32_t)sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
}

static gl_status put_day(store *s, int64_t day, const char *meter, day_acc *a)
{
    uint8_t blob[STORE_SLOTS_BLOB_MAX], rblob[STORE_SLOTS_BLOB_MAX];
    int64_t first = 0, last = 0, rfirst = 0, rlast = 0;
    merge_existing(s, day, meter, a);
    size_t n = store_slots_encode(&a->imp, blob, &first, &last);
    size_t rn = a->has_rea ? store_slots_encode(&a->rea, rblob, &rfirst, &rlast) : 0;
    sqlite3_stmt *st = NULL;
    gl_status ret = store_prepare(s, &st,
                                  "INSERT OR REPLACE INTO intervals(meter, day, start_wh, end_wh, slots, rstart, rslots,"
                                  " flags) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
                                  "tiii", meter, day, first, last);
    if (ret != GL_OK)
        return ret;
    sqlite3_bind_blob(st, 5, blob, (int)n, SQLITE_STATIC);
    if (rn > 0) {
        sqlite3_bind_int64(st, 6, rfirst);
        sqlite3_bind_blob(st, 7, rblob, (int)rn, SQLITE_STATIC);
    }
    sqlite3_bind_int64(st, 8, a->flags);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? GL_OK : status_of(rc);
}

/* One block's meters of one local day. */
typedef struct day_feed {
    int64_t day_start;
    day_acc *a; /* STORE_BLOCK_METERS of them */
} day_feed;

static void day_take(void *ctx, int idx, const reading *r)
{
    day_feed *f = ctx;
    day_acc *a = &f->a[idx];
    int64_t slot = (r->ts - f->day_start) / STORE_INTERVAL_S;
    if (slot < 0 || slot >= STORE_SLOTS || (store_slots_has(&a->imp, (int)slot) && a->at[slot] > r->ts))
        return; /* a later reading holds the slot */
    a->at[slot] = r->ts;
    store_slots_set(&a->imp, (int)slot, r->import_wh);
    if (r->present & READING_HAS_REACTIVE) {
        store_slots_set(&a->rea, (int)slot, r->reactive_varh);
        a->has_rea = 1;
    }
    a->flags |= r->flags;
    a->has = 1;
}

/* compact_day: the raw readings of the local day starting at day_start
 * into one intervals row per meter, a block of meters at a time (acc holds
 * STORE_BLOCK_METERS); *packed_n counts the packed readings met. */
static gl_status compact_day(store *s, int64_t day_start, day_acc *acc, int64_t *packed_n)
{
    int64_t day = (day_start + s->o.utc_offset_s) / 86400;
    gl_status st = store_readings_number_rows(s, day_start, day_start + 86400);
    int nblk = st == GL_OK ? store_readings_blocks(s) : 0;
    for (int b = 0; st == GL_OK && b < nblk; b++) {
        memset(acc, 0, STORE_BLOCK_METERS * sizeof *acc);
        day_feed f = {day_start, acc};
        st = store_readings_feed(s, day_start, day_start + 86400, b, day_take, &f, packed_n);
        for (int i = 0; st == GL_OK && i < STORE_BLOCK_METERS; i++) {
            const char *m = acc[i].has ? store_readings_meter(s, b * STORE_BLOCK_METERS + i) : "";
            if (m == NULL)
                st = GL_ECORRUPT;
            else if (acc[i].has)
                st = put_day(s, day, m, &acc[i]);
        }
    }
    return st;
}

static gl_status compact_before(store *s, int64_t cutoff, int64_t *compacted)
{
    int64_t off = s->o.utc_offset_s;
    cutoff -= ((cutoff + off) % 86400 + 86400) % 86400; /* whole local days only */
    /* frozen readings stay raw a while after their day is compacted (billing
     * takes period edges from them): those of days compacted already are not
     * a reason to compact again */
    gl_status err = GL_OK;
    int64_t done = query_i64(s->db, "SELECT val FROM kv WHERE key = 'store.compacted_to'", 0, &err);
    int64_t lo = INT64_MAX;
    if (err == GL_OK)
        err = store_readings_first(s, done, &lo);
    if (compacted != NULL)
        *compacted = 0;
    if (err != GL_OK || lo >= cutoff)
        return err;
    day_acc *a = malloc(STORE_BLOCK_METERS * sizeof *a);
    if (a == NULL)
        return GL_ENOMEM;
    int64_t packed_n = 0, rows = 0;
    gl_status st = begin(s);
    /* day by day, skipping days without readings (a gateway that booted with
     * its clock at 1970 before time sync must not cost 20,000 empty days) */
    for (int64_t d = lo; st == GL_OK && d < cutoff;) {
        d -= ((d + off) % 86400 + 86400) % 86400;
        st = compact_day(s, d, a, &packed_n);
        if (st == GL_OK)
            st = store_readings_next(s, d + 86400, cutoff, &d);
    }
    free(a);
    if (st == GL_OK) /* held: kept; frozen: kept KEEP_FROZEN_S more */
        st = store_readings_drop(s, cutoff, cutoff - KEEP_FROZEN_S, &rows);
    if (st == GL_OK && cutoff > done)
        st = kv_set_i64(s, "store.compacted_to", cutoff);
    st = finish(s, st);
    if (st == GL_OK && STORE_VACUUM_AT_COMPACT)
        st = exec(s, "PRAGMA incremental_vacuum");
    if (st == GL_OK)
        kv_set_i64(s, "store.bytes_written", s->bytes_total_at_open + bytes_written_now(s));
    if (compacted != NULL)
        *compacted = st == GL_OK ? rows + packed_n : 0;
    return st;
}

gl_status store_compact(store *s, int64_t now, int64_t *compacted)
{
    if (compacted != NULL)
        *compacted = 0;
    if (s->o.compact_after_days <= 0)
        return GL_OK;
    return compact_before(s, now - (int64_t)s->o.compact_after_days * 86400, compacted);
}

gl_status store_readings_release(store *s, const char *meter, uint32_t flag, int64_t *n)
{
    gl_status st = begin(s);
    if (st == GL_OK)
        st = exec_bind(s, "UPDATE readings SET flags = flags & ~?2 WHERE meter = ?1 AND (flags & ?2) != 0", "ti", meter,
                       (int64_t)flag);
    *n = st == GL_OK ? sqlite3_changes(s->db) : 0;
    return finish(s, st);
}

/* day_points: the points of one compacted day's row st in [from, to). */
static gl_status day_points(store *s, sqlite3_stmt *st, int64_t day, int64_t from, int64_t to, store_point *pts,
                            size_t cap, size_t *n)
{
    int64_t day_start = day * 86400 - s->o.utc_offset_s;
    int has_r = sqlite3_column_type(st, 3) != SQLITE_NULL;
    store_day d, r;
    gl_status ret = store_slots_decode(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
                                       sqlite3_column_int64(st, 0), &d);
    if (ret == GL_OK && has_r)
        ret = store_slots_decode(sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3),
                                 sqlite3_column_int64(st, 2), &r);
    for (int i = 0; ret == GL_OK && i < STORE_SLOTS; i++) {
        int64_t ts = day_start + (int64_t)i * STORE_INTERVAL_S + STORE_INTERVAL_S - 1;
        if (!store_slots_has(&d, i) || ts < from || ts >= to)
            continue;
        if (*n == cap)
            return GL_EBOUND;
        pts[*n] = (store_point){ts, d.wh[i], has_r && store_slots_has(&r, i) ? r.wh[i] : -1,
                               (uint32_t)sqlite3_column_int64(st, 4), READING_LIVE};
        (*n)++;
    }
    return ret;
}

/* series_days: points from the compacted days overlapping [from, to), a day
 * at a time (intervals are keyed by day, then meter: a day's compaction
 * appends its rows instead of touching one page per meter). */
static gl_status series_days(store *s, const char *meter, int64_t from, int64_t to, store_point *pts, size_t cap,
                             size_t *n)
{
    int64_t off = s->o.utc_offset_s, lo = 0, hi = -1;
    gl_status ret = store_query_i64(s, &lo, 0, "SELECT min(day) FROM intervals", "");
    if (ret == GL_OK)
        ret = store_query_i64(s, &hi, -1, "SELECT max(day) FROM intervals", "");
    if (lo < (from + off) / 86400 - 1)
        lo = (from + off) / 86400 - 1;
    if (hi > (to + off) / 86400 + 1)
        hi = (to + off) / 86400 + 1;
    sqlite3_stmt *st = NULL;
    if (ret == GL_OK && lo <= hi)
        ret = store_prepare(s, &st, "SELECT start_wh, slots, rstart, rslots, flags FROM intervals WHERE day = ?2"
                                    " AND meter = ?1", "t", meter);
    for (int64_t day = lo; ret == GL_OK && st != NULL && day <= hi; day++) {
        sqlite3_bind_int64(st, 2, day);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            ret = day_points(s, st, day, from, to, pts, cap, n);
        else if (rc != SQLITE_DONE)
            ret = status_of(rc);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return ret;
}

/* points_sort: pts[0..n) in time order, points of equal time left in the
 * order they were found (a frozen reading after the live one of the same
 * second, as they were stored). A merge sort: qsort is not stable. */
static gl_status points_sort(store_point *pts, size_t n)
{
    store_point *tmp = malloc(n * sizeof *tmp);
    if (tmp == NULL)
        return GL_ENOMEM;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid || b < hi)
                tmp[k++] = b >= hi || (a < mid && pts[a].ts <= pts[b].ts) ? pts[a++] : pts[b++];
        }
        memcpy(pts, tmp, n * sizeof *pts);
    }
    free(tmp);
    return GL_OK;
}

gl_status store_series(store *s, const char *meter, int64_t from_ts, int64_t to_ts, store_point *pts, size_t cap,
                       size_t *n)
{
    *n = 0;
    gl_status st = series_days(s, meter, from_ts, to_ts, pts, cap, n);
    if (st == GL_OK)
        st = store_readings_series(s, meter, from_ts, to_ts, pts, cap, n);
    if (st == GL_OK && *n > 1) /* days, rows and packed readings: each in time order */
        st = points_sort(pts, *n);
    return st;
}

#define USE_POINTS_MAX 65536
#define USE_LOOKBACK_S (35 * 86400)

gl_status store_meter_use(store *s, const char *meter, int64_t from_ts, int64_t to_ts, int64_t *wh, uint32_t *flags)
{
    size_t n = 0;
    store_point *pts = malloc(USE_POINTS_MAX * sizeof *pts);
    if (pts == NULL)
        return GL_ENOMEM;
    gl_status st = store_series(s, meter, from_ts - USE_LOOKBACK_S, to_ts, pts, USE_POINTS_MAX, &n);
    size_t first = 0;
    while (first + 1 < n && pts[first + 1].ts < from_ts)
        first++; /* the last point before the range is the base */
    uint32_t fl = 0;
    int64_t sum = 0;
    if (st == GL_OK && (n == 0 || pts[n - 1].ts < from_ts))
        st = GL_ENOTFOUND;
    for (size_t i = first + 1; st == GL_OK && i < n; i++) {
        int64_t d = pts[i].import_wh - pts[i - 1].import_wh;
        if (d < 0)
            fl |= READING_FLAG_DECREASE;
        else
            sum += d;
        fl |= pts[i].flags;
    }
    free(pts);
    *wh = st == GL_OK ? sum : 0;
    if (flags != NULL)
        *flags = fl;
    return st;
}

/* ---- events, key-value --------------------------------------------------- */

/* bindv: binds parameters ?1.. of st as fmt describes ('t' text or NULL,
 * 'i' int64). */
static void bindv(sqlite3_stmt *st, const char *fmt, va_list ap)
{
    for (int i = 0; fmt[i] != '\0'; i++) {
        if (fmt[i] == 'i') {
            sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
        } else {
            const char *t = va_arg(ap, const char *);
            if (t == NULL)
                sqlite3_bind_null(st, i + 1);
            else
                sqlite3_bind_text(st, i + 1, t, -1, SQLITE_TRANSIENT);
        }
    }
}

gl_status store_prepare(store *s, sqlite3_stmt **out, const char *sql, const char *fmt, ...)
{
    *out = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, out, NULL);
    if (rc != SQLITE_OK)
        return status_of(rc);
    va_list ap;
    va_start(ap, fmt);
    bindv(*out, fmt, ap);
    va_end(ap);
    return GL_OK;
}

static gl_status exec_bindv(store *s, const char *sql, const char *fmt, va_list ap)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return status_of(rc);
    bindv(st, fmt, ap);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? GL_OK : status_of(rc);
}

gl_status store_exec(store *s, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gl_status st = exec_bindv(s, sql, fmt, ap);
    va_end(ap);
    return st;
}

gl_status store_query_i64(store *s, int64_t *out, int64_t def, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st = NULL;
    *out = def;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        va_list ap;
        va_start(ap, fmt);
        bindv(st, fmt, ap);
        va_end(ap);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
            *out = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? GL_OK : status_of(rc);
}

/* exec_bind: runs sql with parameters described by fmt ('t' text or NULL,
 * 'i' int64); in its own implicit transaction unless one is open. */
static gl_status exec_bind(store *s, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gl_status st = exec_bindv(s, sql, fmt, ap);
    va_end(ap);
    return st;
}

gl_status store_event(store *s, int64_t ts, const char *kind, const char *subject, const char *detail,
                      int is_alert)
{
    return exec_bind(s, "INSERT INTO events(ts, kind, subject, detail, alert) VALUES(?1,?2,?3,?4,?5)", "ittti", ts,
                     kind, subject ? subject : "", detail ? detail : "", (int64_t)(is_alert != 0));
}

gl_status store_alert_close(store *s, int64_t ts, const char *kind, const char *subject)
{
    return exec_bind(s, "UPDATE events SET closed_ts = ?1 WHERE alert = 1 AND closed_ts IS NULL AND kind = ?2"
                        " AND subject = ?3", "itt", ts, kind, subject);
}

gl_status store_alert_open(store *s, int64_t ts, const char *kind, const char *subject, const char *detail)
{
    if (s == NULL || kind == NULL || subject == NULL)
        return GL_EINVAL;
    detail = detail ? detail : "";
    int64_t open_n = 0;
    gl_status st = query_text_i64(s, "SELECT count(*) FROM events WHERE alert = 1 AND closed_ts IS NULL AND kind = ?1"
                                     " AND subject = ?2 AND detail = ?3", kind, subject, detail, &open_n);
    if (st != GL_OK)
        return st;
    if (open_n > 0)
        return GL_EEXIST;
    st = begin(s);
    if (st == GL_OK)
        st = store_alert_close(s, ts, kind, subject);
    if (st == GL_OK)
        st = store_event(s, ts, kind, subject, detail, 1);
    return finish(s, st);
}

gl_status store_alert_end(store *s, int64_t ts, const char *kind, const char *subject, int64_t *closed)
{
    gl_status st = store_alert_close(s, ts, kind, subject);
    *closed = st == GL_OK ? sqlite3_changes(s->db) : 0;
    return st;
}

gl_status store_alert_ack(store *s, int64_t ts, const char *kind, const char *subject, const char *by)
{
    if (s == NULL || kind == NULL || subject == NULL)
        return GL_EINVAL;
    gl_status st = exec_bind(s, "UPDATE events SET acked_ts = ?1, acked_by = ?2 WHERE alert = 1 AND closed_ts IS NULL"
                                " AND acked_ts IS NULL AND kind = ?3 AND subject = ?4", "ittt", ts,
                             by ? by : "", kind, subject);
    if (st == GL_OK && sqlite3_changes(s->db) == 0)
        st = GL_ENOTFOUND;
    return st;
}

gl_status store_kv_get(store *s, const char *key, char *val, size_t cap)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT val FROM kv WHERE key = ?1", -1, &st, NULL) != SQLITE_OK)
        return GL_EDB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    gl_status ret = rc == SQLITE_ROW ? GL_OK : rc == SQLITE_DONE ? GL_ENOTFOUND : status_of(rc);
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (strlen(t) >= cap)
            ret = GL_EBOUND;
        else
            snprintf(val, cap, "%s", t);
    }
    sqlite3_finalize(st);
    return ret;
}

gl_status store_kv_set(store *s, const char *key, const char *val)
{
    gl_status st = exec_bind(s, "INSERT INTO kv(key, val) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET val = excluded.val",
                             "tt", key, val);
    if (st == GL_OK && strcmp(key, STORE_KV_DOWN_SEQ) == 0) { /* kept beside the store too (store_seq.h) */
        int64_t v = strtoll(val, NULL, 10);
        if (v > s->seq.downlink && (!s->down_dirty || v > s->down_pending)) {
            s->down_pending = v;
            s->down_dirty = 1;
        }
        if (s->txn_depth == 0)
            seq_flush_down(s);
    }
    return st;
}

/* ---- outbox -------------------------------------------------------------- */

static gl_status drop_oldest_readings_msgs(store *s, int64_t count)
{
    gl_status st = begin(s);
    if (st == GL_OK)
        st = exec_bind(s,
                       "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE kind = 'readings'"
                       " ORDER BY seq LIMIT ?1)",
                       "i", count);
    int64_t n = st == GL_OK ? sqlite3_changes(s->db) : 0;
    if (st == GL_OK && n > 0)
        st = kv_set_i64(s, "outbox.dropped", kv_i64(s, "outbox.dropped") + n);
    /* nothing left to drop is no failure of the caller's transaction (a bill
     * or an action queued above the quota must still commit) */
    st = finish(s, st);
    return st == GL_OK && n == 0 ? GL_ENOTFOUND : st;
}

gl_status store_outbox_put(store *s, const char *kind, const char *body_json, int64_t ts, int64_t *seq)
{
    if (s == NULL || kind == NULL || body_json == NULL || strlen(kind) >= sizeof((store_outbox_msg *)0)->kind)
        return GL_EINVAL;
    while (over_quota(s))
        if (drop_oldest_readings_msgs(s, 16) != GL_OK)
            break;
    if (over_quota(s) && strcmp(kind, "readings") == 0)
        return GL_EFULL;
    gl_status st = begin(s);
    int64_t next = kv_i64(s, "outbox.last_seq") + 1;
    if (st == GL_OK)
        st = seq_reserve(s, next);
    if (st == GL_OK)
        st = exec_bind(s, "INSERT INTO outbox(seq, ts, kind, body) VALUES(?1, ?2, ?3, ?4)", "iitt", next, ts, kind,
                       body_json);
    if (st == GL_OK)
        st = kv_set_i64(s, "outbox.last_seq", next);
    st = finish(s, st);
    if (st == GL_OK && seq != NULL)
        *seq = next;
    return st;
}

/* One outbox row into m (body copied). */
static gl_status outbox_row(sqlite3_stmt *st, store_outbox_msg *m)
{
    memset(m, 0, sizeof *m);
    m->seq = sqlite3_column_int64(st, 0);
    m->ts = sqlite3_column_int64(st, 1);
    snprintf(m->kind, sizeof m->kind, "%s", (const char *)sqlite3_column_text(st, 2));
    m->body = strdup((const char *)sqlite3_column_text(st, 3));
    return m->body != NULL ? GL_OK : GL_ENOMEM;
}

gl_status store_outbox_next_many(store *s, int64_t after_seq, store_outbox_msg *out, size_t max, size_t *n)
{
    sqlite3_stmt *st = NULL;
    if (s == NULL || out == NULL || n == NULL || max == 0)
        return GL_EINVAL;
    *n = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT seq, ts, kind, body FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2", -1,
                           &st, NULL) != SQLITE_OK)
        return GL_EDB;
    sqlite3_bind_int64(st, 1, after_seq);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    gl_status ret = GL_OK;
    int rc = SQLITE_DONE;
    while (ret == GL_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        ret = outbox_row(st, &out[*n]);
        (*n)++;
    }
    if (ret == GL_OK && rc != SQLITE_DONE)
        ret = status_of(rc);
    sqlite3_finalize(st);
    if (ret != GL_OK) {
        for (size_t i = 0; i < *n; i++)
            store_outbox_msg_free(&out[i]);
        *n = 0;
    }
    return ret;
}

gl_status store_outbox_next(store *s, int64_t after_seq, store_outbox_msg *out)
{
    size_t n = 0;
    memset(out, 0, sizeof *out);
    gl_status st = store_outbox_next_many(s, after_seq, out, 1, &n);
    return st == GL_OK && n == 0 ? GL_ENOTFOUND : st;
}

void store_outbox_msg_free(store_outbox_msg *m)
{
    if (m == NULL)
        return;
    free(m->body);
    m->body = NULL;
}

gl_status store_outbox_ack(store *s, int64_t seq)
{
    gl_status st = begin(s);
    if (st == GL_OK)
        st = exec_bind(s, "DELETE FROM outbox WHERE seq = ?1", "i", seq);
    if (st == GL_OK && seq > kv_i64(s, "outbox.last_acked"))
        st = kv_set_i64(s, "outbox.last_acked", seq);
    return finish(s, st);
}

/* One transaction for n acknowledgements: a single commit (fsync) instead
 * of n, which is what bounds the uplink's rate. */
gl_status store_outbox_ack_many(store *s, const int64_t *seqs, size_t n)
{
    if (s == NULL || (seqs == NULL && n > 0) || n > STORE_OUTBOX_ACK_MAX)
        return GL_EINVAL;
    if (n == 0)
        return GL_OK;
    sqlite3_stmt *del = NULL;
    int64_t max_seq = 0;
    gl_status st = begin(s);
    if (st == GL_OK)
        st = status_of(sqlite3_prepare_v2(s->db, "DELETE FROM outbox WHERE seq = ?1", -1, &del, NULL));
    for (size_t i = 0; st == GL_OK && i < n; i++) {
        sqlite3_bind_int64(del, 1, seqs[i]);
        int rc = sqlite3_step(del);
        st = rc == SQLITE_DONE ? GL_OK : status_of(rc);
        sqlite3_reset(del);
        if (seqs[i] > max_seq)
            max_seq = seqs[i];
    }
    sqlite3_finalize(del);
    if (st == GL_OK && max_seq > kv_i64(s, "outbox.last_acked"))
        st = kv_set_i64(s, "outbox.last_acked", max_seq);
    return finish(s, st);
}

gl_status store_outbox_stats_get(store *s, store_outbox_stats *o)
{
    gl_status err = GL_OK;
    memset(o, 0, sizeof *o);
    o->depth = query_i64(s->db, "SELECT count(*) FROM outbox", 0, &err);
    o->oldest_ts = query_i64(s->db, "SELECT ts FROM outbox ORDER BY seq LIMIT 1", 0, &err);
    o->oldest_seq = query_i64(s->db, "SELECT min(seq) FROM outbox", 0, &err);
    o->last_seq = kv_i64(s, "outbox.last_seq");
    o->last_acked = kv_i64(s, "outbox.last_acked");
    o->dropped = kv_i64(s, "outbox.dropped");
    return err;
}

/* ---- money: payments, bills, ledger --------------------------------------- */

gl_status store_topups(store *s, const char *customer, char *last_date, size_t cap, int64_t *count)
{
    sqlite3_stmt *st = NULL;
    *count = 0;
    last_date[0] = '\0';
    int rc = sqlite3_prepare_v2(s->db, "SELECT max(date), count(*) FROM ledger WHERE customer = ?1 AND kind = 'topup'",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return status_of(rc);
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(last_date, cap, "%s", t ? (const char *)t : "");
        *count = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? GL_OK : status_of(rc);
}

gl_status store_ledger_put(store *s, const char *customer, const char *date, const char *kind, int64_t amount_fen,
                           const char *ref, const char *due)
{
    if (s == NULL || customer == NULL || date == NULL || kind == NULL)
        return GL_EINVAL;
    return exec_bind(s, "INSERT INTO ledger(customer, date, kind, amount_fen, ref, due) VALUES(?1,?2,?3,?4,?5,?6)",
                     "tttitt", customer, date, kind, amount_fen, ref, due);
}

gl_status store_payment_put(store *s, const char *customer, int64_t amount_fen, const char *ref, const char *date)
{
    if (ref == NULL || ref[0] == '\0' || amount_fen <= 0)
        return GL_EINVAL;
    return store_ledger_put(s, customer, date, "payment", amount_fen, ref, NULL);
}

void store_copy_col(sqlite3_stmt *st, int col, char *buf, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(buf, cap, "%s", t ? (const char *)t : "");
}

gl_status store_payment_find(store *s, const char *ref, store_payment *out)
{
    sqlite3_stmt *st = NULL;
    if (s == NULL || ref == NULL || out == NULL)
        return GL_EINVAL;
    gl_status ret = status_of(sqlite3_prepare_v2(s->db, "SELECT customer, kind, date, amount_fen FROM ledger"
                                                        " WHERE ref = ?1 AND kind IN ('payment', 'topup')"
                                                        " ORDER BY id LIMIT 1", -1, &st, NULL));
    if (ret == GL_OK) {
        sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        ret = rc == SQLITE_ROW ? GL_OK : rc == SQLITE_DONE ? GL_ENOTFOUND : status_of(rc);
    }
    if (ret == GL_OK) {
        store_copy_col(st, 0, out->customer, sizeof out->customer);
        store_copy_col(st, 1, out->kind, sizeof out->kind);
        store_copy_col(st, 2, out->date, sizeof out->date);
        out->amount_fen = sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    return ret;
}

gl_status store_grade_put(store *s, const char *customer, const char *as_of, int score, const char *grade,
                          const char *explanation_json)
{
    return exec_bind(s, "INSERT OR REPLACE INTO grades(customer, as_of, score, grade, explanation) VALUES(?1,?2,?3,?4,?5)",
                     "ttitt", customer, as_of, (int64_t)score, grade, explanation_json ? explanation_json : "{}");
}

gl_status store_grade_each_int(store *s, const char *json_path, store_grade_int_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT customer, json_extract(explanation, ?1) FROM grades g WHERE as_of ="
                                " (SELECT max(as_of) FROM grades h WHERE h.customer = g.customer)",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_status_of(rc);
    sqlite3_bind_text(st, 1, json_path, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (sqlite3_column_type(st, 1) == SQLITE_INTEGER &&
            fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1)) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? GL_OK : store_status_of(rc);
}

gl_status store_action_put(store *s, const char *customer, const char *date, const char *action, const char *channel,
                           const char *due, const char *reason)
{
    return exec_bind(s,
                     "INSERT INTO actions(customer, date, action, channel, due, reason)"
                     " VALUES(?1,?2,?3,?4,?5,?6)",
                     "tttttt", customer, date, action, channel, due, reason);
}

gl_status store_config_put(store *s, int64_t ts, const char *text)
{
    return exec_bind(s, "INSERT OR REPLACE INTO config(id, loaded_ts, text) VALUES(1, ?1, ?2)", "it", ts, text);
}

/* ---- checks, stats, export ------------------------------------------------ */

gl_status store_check(store *s, int *ok, char *msg, size_t cap)
{
    sqlite3_stmt *st = NULL;
    *ok = 0;
    if (msg != NULL && cap > 0)
        msg[0] = '\0';
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA integrity_check(20)", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return status_of(rc);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        *ok = t != NULL && strcmp(t, "ok") == 0;
        if (msg != NULL)
            snprintf(msg, cap, "%s", t ? t : "");
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? GL_OK : status_of(rc);
}

static int64_t table_bytes(store *s, const char *table)
{
    sqlite3_stmt *st = NULL;
    int64_t b = -1;
    const char *sql = "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN"
                      " (SELECT name FROM sqlite_schema WHERE tbl_name = ?1)";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            b = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return b;
}

static void table_rows(store *s, store_table_stats *t, gl_status *err)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", t->name);
    t->rows = query_i64(s->db, sql, -1, err);
    t->bytes = table_bytes(s, t->name);
}

gl_status store_stats_get(store *s, store_stats *o)
{
    gl_status err = GL_OK;
    memset(o, 0, sizeof *o);
    int64_t ps = query_i64(s->db, "PRAGMA page_size", 4096, &err);
    o->schema_version = store_schema_version(s->db);
    o->file_bytes = query_i64(s->db, "PRAGMA page_count", 0, &err) * ps;
    o->free_bytes = query_i64(s->db, "PRAGMA freelist_count", 0, &err) * ps;
    char wal[PATH_MAX_STORE + 8];
    struct stat sb;
    snprintf(wal, sizeof wal, "%s-wal", s->path);
    o->wal_bytes = stat(wal, &sb) == 0 ? (int64_t)sb.st_size : 0;
    long long sy = 0;
    store_vfs_counters(NULL, &sy);
    o->bytes_written = bytes_written_now(s);
    o->bytes_written_total = s->bytes_total_at_open + o->bytes_written;
    o->syncs = sy;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name", -1, &st,
                           NULL) != SQLITE_OK)
        return GL_EDB;
    while (sqlite3_step(st) == SQLITE_ROW && o->ntables < STORE_TABLES_MAX) {
        store_table_stats *t = &o->tables[o->ntables++];
        snprintf(t->name, sizeof t->name, "%s", (const char *)sqlite3_column_text(st, 0));
        table_rows(s, t, &err);
    }
    sqlite3_finalize(st);
    return err;
}

static int known_table(store *s, const char *table)
{
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found && strlen(table) < 32 && strchr(table, '"') == NULL;
}

/* csv_field: one RFC 4180 field (quoted when it holds , " CR or LF). */
static void csv_field(FILE *out, sqlite3_stmt *st, int col)
{
    int type = sqlite3_column_type(st, col);
    if (type == SQLITE_NULL)
        return;
    if (type == SQLITE_BLOB) {
        const unsigned char *b = sqlite3_column_blob(st, col);
        for (int i = 0; i < sqlite3_column_bytes(st, col); i++)
            fprintf(out, "%02x", b[i]);
        return;
    }
    outfmt_csv_string(out, (const char *)sqlite3_column_text(st, col));
}

/* fen_text(x): an integer amount in fen as its decimal string ("-0.05"). */
static void fen_text_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    char t[MONEY_FMT_MAX];
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    if (money_format(sqlite3_value_int64(argv[0]), MONEY_SCALE_FEN, t, sizeof t) != GL_OK)
        sqlite3_result_error(ctx, "fen_text: amount out of range", -1);
    else
        sqlite3_result_text(ctx, t, -1, SQLITE_TRANSIENT);
}

/* Tables exported in another shape than SELECT *: bill_lines keeps its
 * amount column as the decimal string it was before version 8. */
static const struct {
    const char *table, *sql;
} export_as[] = {
    {"bill_lines", "SELECT bill_id, n, code, quantity, unit, rate, fen_text(amount_fen) AS amount FROM bill_lines"},
};

static gl_status export_prepare(store *s, const char *table, sqlite3_stmt **st)
{
    char sql[64];
    const char *q = sql;
    snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", table);
    for (size_t i = 0; i < sizeof export_as / sizeof export_as[0]; i++)
        if (strcmp(table, export_as[i].table) == 0)
            q = export_as[i].sql;
    int rc = sqlite3_create_function(s->db, "fen_text", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fen_text_fn,
                                     NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db, q, -1, st, NULL);
    return rc == SQLITE_OK ? GL_OK : GL_EDB;
}

/* export_packed: the packed readings under the columns of st (a SELECT *
 * FROM readings). */
static gl_status export_packed(store *s, sqlite3_stmt *st, FILE *out)
{
    int nc = sqlite3_column_count(st);
    const char *cols[64];
    for (int c = 0; c < nc && c < 64; c++)
        cols[c] = sqlite3_column_name(st, c);
    return store_readings_export_packed(s, cols, nc < 64 ? nc : 64, out);
}

gl_status store_export_csv(store *s, const char *table, FILE *out)
{
    if (!known_table(s, table))
        return GL_ENOTFOUND;
    sqlite3_stmt *st = NULL;
    if (export_prepare(s, table, &st) != GL_OK)
        return GL_EDB;
    int nc = sqlite3_column_count(st);
    for (int c = 0; c < nc; c++)
        fprintf(out, "%s%s", c ? "," : "", sqlite3_column_name(st, c));
    fputs("\r\n", out);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < nc; c++) {
            if (c)
                fputc(',', out);
            csv_field(out, st, c);
        }
        fputs("\r\n", out);
    }
    gl_status ret = rc == SQLITE_DONE ? GL_OK : status_of(rc);
    if (ret == GL_OK && strcmp(table, "readings") == 0) /* then the packed ones, with the same columns */
        ret = export_packed(s, st, out);
    sqlite3_finalize(st);
    return ret;
}
