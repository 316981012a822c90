/* bo_auth.c: operators, sessions, CSRF tokens, lock-out and the audit log
 * (bo_auth.h). Passwords: libsodium's crypto_pwhash_str_alg with
 * crypto_pwhash_ALG_ARGON2ID13 and the INTERACTIVE limits, checked with
 * crypto_pwhash_str_verify (libsodium documentation, "Password hashing").
 * Tokens: 32 bytes of randombytes_buf as hex; the store keeps only the
 * BLAKE2b hash (crypto_generichash) of a session token, so a copy of the
 * store does not log anyone in. */
#include "bo_auth.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_ingest.h"

static const char *const schema_sql[] = {
    "CREATE TABLE IF NOT EXISTS console_users (name TEXT NOT NULL PRIMARY KEY, hash TEXT NOT NULL,"
    " role TEXT NOT NULL, grid TEXT NOT NULL, failures INTEGER NOT NULL, locked_until BIGINT NOT NULL,"
    " created BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS console_sessions (token_hash TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL,"
    " csrf TEXT NOT NULL, created BIGINT NOT NULL, expires BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS console_audit (id BIGINT NOT NULL PRIMARY KEY, ts BIGINT NOT NULL,"
    " who TEXT NOT NULL, what TEXT NOT NULL, detail TEXT NOT NULL)",
};

gl_status bo_auth_init(void)
{
    return sodium_init() < 0 ? GL_EUNSUPPORTED : GL_OK;
}

gl_status bo_auth_schema(bo_db *db)
{
    for (size_t i = 0; i < sizeof schema_sql / sizeof schema_sql[0]; i++) {
        gl_status st = bo_db_exec(db, schema_sql[i], 0, NULL, NULL);
        if (st != GL_OK)
            return st;
    }
    return GL_OK;
}

int bo_auth_role_valid(const char *role)
{
    static const char *const roles[] = {"collector", "supervisor", "manager", "admin"};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (role && strcmp(role, roles[i]) == 0)
            return 1;
    return 0;
}

gl_status bo_auth_hash(const char *password, char *out, size_t cap)
{
    if (!password || cap < crypto_pwhash_STRBYTES)
        return GL_EINVAL;
    if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return GL_ENOMEM;
    return GL_OK;
}

int bo_auth_verify(const char *hash, const char *password)
{
    return hash && password && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* new_token: 32 random bytes as lowercase hex into out (BO_AUTH_TOKEN_HEX + 1). */
static void new_token(char *out)
{
    unsigned char b[BO_AUTH_TOKEN_HEX / 2];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, BO_AUTH_TOKEN_HEX + 1, b, sizeof b);
    sodium_memzero(b, sizeof b);
}

/* token_hash: the hex BLAKE2b-256 of token, what the store keeps. */
static void token_hash(const char *token, char *out)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static int hex_token_valid(const char *t)
{
    if (!t || strlen(t) != BO_AUTH_TOKEN_HEX)
        return 0;
    for (const char *p = t; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

gl_status bo_auth_user_add(bo_db *db, const char *name, const char *password, const char *role, const char *grid,
                           long long now)
{
    char hash[BO_AUTH_HASH_MAX], now_s[24], found[8];
    if (!bo_valid_id(name) || !bo_auth_role_valid(role) || (grid && *grid && !bo_valid_id(grid)))
        return GL_EINVAL;
    if (strcmp(role, "collector") == 0 && (!grid || !*grid))
        return GL_EINVAL;
    if (!password || strlen(password) < BO_AUTH_PASSWORD_MIN || strlen(password) > 256)
        return GL_ERANGE;
    const char *n[] = {name};
    gl_status st = bo_db_scalar(db, "SELECT 1 FROM console_users WHERE name = $1", 1, n, found, sizeof found);
    if (st != GL_OK)
        return st;
    if (found[0])
        return GL_EEXIST;
    st = bo_auth_hash(password, hash, sizeof hash);
    if (st != GL_OK)
        return st;
    snprintf(now_s, sizeof now_s, "%lld", now);
    const char *p[] = {name, hash, role, grid ? grid : "", now_s};
    st = bo_db_exec(db, "INSERT INTO console_users (name, hash, role, grid, failures, locked_until, created)"
                        " VALUES ($1, $2, $3, $4, 0, 0, $5)", 5, p, NULL);
    sodium_memzero(hash, sizeof hash);
    return st;
}

typedef struct user_row {
    int found;
    char hash[BO_AUTH_HASH_MAX];
    char role[16], grid[BO_AUTH_NAME_MAX + 1];
    long long failures, locked_until;
} user_row;

static int user_cb(void *arg, int ncols, const char *const *v)
{
    user_row *u = arg;
    if (ncols != 5 || !v[0] || !v[1] || !v[2] || !v[3] || !v[4])
        return 1;
    u->found = 1;
    snprintf(u->hash, sizeof u->hash, "%s", v[0]);
    snprintf(u->role, sizeof u->role, "%s", v[1]);
    snprintf(u->grid, sizeof u->grid, "%s", v[2]);
    u->failures = strtoll(v[3], NULL, 10);
    u->locked_until = strtoll(v[4], NULL, 10);
    return 0;
}

/* count_failure: one more failed login; the BO_AUTH_MAX_FAILURES-th locks. */
static gl_status count_failure(bo_db *db, const char *name, const user_row *u, long long now)
{
    char f_s[24], lock_s[24];
    long long failures = u->failures + 1, lock = 0;
    if (failures >= BO_AUTH_MAX_FAILURES) {
        lock = now + BO_AUTH_LOCK_S;
        failures = 0;
    }
    snprintf(f_s, sizeof f_s, "%lld", failures);
    snprintf(lock_s, sizeof lock_s, "%lld", lock);
    const char *p[] = {name, f_s, lock_s};
    return bo_db_exec(db, "UPDATE console_users SET failures = $2, locked_until = $3 WHERE name = $1", 3, p, NULL);
}

static gl_status session_create(bo_db *db, const char *name, long long now, char *token, bo_session *s)
{
    char th[65], created[24], expires[24];
    new_token(token);
    new_token(s->csrf);
    token_hash(token, th);
    s->expires = now + BO_AUTH_SESSION_S;
    snprintf(created, sizeof created, "%lld", now);
    snprintf(expires, sizeof expires, "%lld", s->expires);
    const char *p[] = {th, name, s->csrf, created, expires};
    return bo_db_exec(db, "INSERT INTO console_sessions (token_hash, name, csrf, created, expires)"
                          " VALUES ($1, $2, $3, $4, $5)", 5, p, NULL);
}

gl_status bo_auth_login(bo_db *db, const char *name, const char *password, long long now, char *token, size_t cap,
                        bo_session *s)
{
    user_row u;
    memset(&u, 0, sizeof u);
    memset(s, 0, sizeof *s);
    if (cap < BO_AUTH_TOKEN_HEX + 1 || !bo_valid_id(name) || !password)
        return GL_EAUTH;
    const char *n[] = {name};
    gl_status st = bo_db_query(db, "SELECT hash, role, grid, failures, locked_until FROM console_users WHERE name = $1",
                               1, n, user_cb, &u);
    if (st != GL_OK)
        return st;
    if (!u.found) {
        /* as long as a wrong password, so the time does not tell which names exist */
        static char dummy[BO_AUTH_HASH_MAX];
        if (dummy[0] || bo_auth_hash("not a password of anyone", dummy, sizeof dummy) == GL_OK)
            bo_auth_verify(dummy, password);
        return GL_EAUTH;
    }
    if (u.locked_until > now)
        return GL_ESTATE;
    if (!bo_auth_verify(u.hash, password)) {
        st = count_failure(db, name, &u, now);
        return st != GL_OK ? st : GL_EAUTH;
    }
    st = bo_db_exec(db, "UPDATE console_users SET failures = 0, locked_until = 0 WHERE name = $1", 1, n, NULL);
    if (st == GL_OK)
        st = session_create(db, name, now, token, s);
    if (st != GL_OK)
        return st;
    snprintf(s->name, sizeof s->name, "%s", name);
    snprintf(s->role, sizeof s->role, "%s", u.role);
    snprintf(s->grid, sizeof s->grid, "%s", u.grid);
    return GL_OK;
}

static int session_cb(void *arg, int ncols, const char *const *v)
{
    bo_session *s = arg;
    if (ncols != 5 || !v[0] || !v[1] || !v[2] || !v[3] || !v[4])
        return 1;
    snprintf(s->name, sizeof s->name, "%s", v[0]);
    snprintf(s->role, sizeof s->role, "%s", v[1]);
    snprintf(s->grid, sizeof s->grid, "%s", v[2]);
    snprintf(s->csrf, sizeof s->csrf, "%s", v[3]);
    s->expires = strtoll(v[4], NULL, 10);
    return 0;
}

gl_status bo_auth_session(bo_db *db, const char *token, long long now, bo_session *s)
{
    char th[65];
    memset(s, 0, sizeof *s);
    if (!hex_token_valid(token))
        return GL_EAUTH;
    token_hash(token, th);
    const char *p[] = {th};
    gl_status st = bo_db_query(db,
                               "SELECT u.name, u.role, u.grid, s.csrf, s.expires FROM console_sessions s"
                               " JOIN console_users u ON u.name = s.name WHERE s.token_hash = $1",
                               1, p, session_cb, s);
    if (st != GL_OK)
        return st;
    if (!s->name[0])
        return GL_EAUTH;
    if (s->expires <= now) {
        bo_db_exec(db, "DELETE FROM console_sessions WHERE token_hash = $1", 1, p, NULL);
        memset(s, 0, sizeof *s);
        return GL_EEXPIRED;
    }
    return GL_OK;
}

gl_status bo_auth_csrf_use(bo_db *db, const char *token, const char *csrf, bo_session *s)
{
    char th[65], next[BO_AUTH_TOKEN_HEX + 1];
    long long changes = 0;
    if (!hex_token_valid(token) || !hex_token_valid(csrf) ||
        sodium_memcmp(csrf, s->csrf, BO_AUTH_TOKEN_HEX) != 0)
        return GL_EAUTH;
    token_hash(token, th);
    new_token(next);
    const char *p[] = {th, csrf, next};
    /* the compare-and-set makes a token good for one change only */
    gl_status st = bo_db_exec(db, "UPDATE console_sessions SET csrf = $3 WHERE token_hash = $1 AND csrf = $2", 3, p,
                              &changes);
    if (st != GL_OK)
        return st;
    if (changes != 1)
        return GL_EAUTH;
    snprintf(s->csrf, sizeof s->csrf, "%s", next);
    return GL_OK;
}

gl_status bo_auth_logout(bo_db *db, const char *token)
{
    char th[65];
    if (!hex_token_valid(token))
        return GL_OK;
    token_hash(token, th);
    const char *p[] = {th};
    return bo_db_exec(db, "DELETE FROM console_sessions WHERE token_hash = $1", 1, p, NULL);
}

gl_status bo_auth_audit(bo_db *db, long long now, const char *who, const char *what, const char *detail)
{
    char now_s[24];
    snprintf(now_s, sizeof now_s, "%lld", now);
    const char *p[] = {now_s, who ? who : "", what, detail ? detail : ""};
    gl_status st = bo_db_begin(db);
    if (st != GL_OK)
        return st;
    st = bo_db_exec(db, "INSERT INTO console_audit (id, ts, who, what, detail)"
                        " SELECT COALESCE(MAX(id), 0) + 1, CAST($1 AS BIGINT), $2, $3, $4 FROM console_audit", 4, p, NULL);
    if (st == GL_OK)
        return bo_db_commit(db);
    bo_db_rollback(db);
    return st;
}
