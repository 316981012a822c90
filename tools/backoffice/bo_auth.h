/* bo_auth.h: the console's operators: Argon2id password hashes (libsodium
 * crypto_pwhash_str_alg, ALG_ARGON2ID13, interactive limits), sessions with an
 * absolute expiry, single-use CSRF tokens, lock-out after repeated failures,
 * and the audit log. Everything lives in the back office's store (tables
 * console_users, console_sessions, console_audit, created by bo_auth_schema);
 * the clock comes in as `now` (Unix seconds) so tests can move it. */
#ifndef BO_AUTH_H
#define BO_AUTH_H

#include <stddef.h>

#include "bo_db.h"
#include "gridledger/status.h"

#define BO_AUTH_HASH_MAX 128         /* crypto_pwhash_STRBYTES */
#define BO_AUTH_TOKEN_HEX 64         /* 32 random bytes as hex: session tokens and CSRF tokens */
#define BO_AUTH_MAX_FAILURES 5       /* failed logins in a row that lock the account */
#define BO_AUTH_LOCK_S 900           /* how long a locked account stays locked */
#define BO_AUTH_SESSION_S 28800      /* a session's life: one working day (8 h) */
#define BO_AUTH_PASSWORD_MIN 10      /* characters; at most 256 */
#define BO_AUTH_NAME_MAX 64

typedef struct bo_session {
    char name[BO_AUTH_NAME_MAX + 1];
    char role[16];                        /* collector|supervisor|manager|admin */
    char grid[BO_AUTH_NAME_MAX + 1];      /* the collector's grid ("" for others) */
    char csrf[BO_AUTH_TOKEN_HEX + 1];     /* the token the next change must present */
    long long expires;
} bo_session;

/* bo_auth_init: initialises libsodium once; GL_EUNSUPPORTED if it cannot. */
gl_status bo_auth_init(void);

/* bo_auth_schema: creates the console's tables if missing. */
gl_status bo_auth_schema(bo_db *db);

/* bo_auth_role_valid: 1 for collector, supervisor, manager, admin. */
int bo_auth_role_valid(const char *role);

/* bo_auth_hash: the Argon2id string of password into out (BO_AUTH_HASH_MAX). */
gl_status bo_auth_hash(const char *password, char *out, size_t cap);

/* bo_auth_verify: 1 if password matches the Argon2id string hash. */
int bo_auth_verify(const char *hash, const char *password);

/* bo_auth_user_add: a new operator. GL_EINVAL for a bad name or role, a
 * collector without a grid; GL_ERANGE for a password shorter than
 * BO_AUTH_PASSWORD_MIN or longer than 256; GL_EEXIST if the name is taken. */
gl_status bo_auth_user_add(bo_db *db, const char *name, const char *password, const char *role, const char *grid,
                           long long now);

/* bo_auth_login: checks name and password; on success a new session: its
 * token (hex, BO_AUTH_TOKEN_HEX + 1) in token and its data in *s. GL_EAUTH
 * for an unknown name or a wrong password (a failure counted; the
 * BO_AUTH_MAX_FAILURES-th locks the account for BO_AUTH_LOCK_S), GL_ESTATE
 * while locked (the password is not even checked). */
gl_status bo_auth_login(bo_db *db, const char *name, const char *password, long long now, char *token, size_t cap,
                        bo_session *s);

/* bo_auth_session: the session of token. GL_EAUTH if unknown, GL_EEXPIRED
 * past its expiry (then deleted). */
gl_status bo_auth_session(bo_db *db, const char *token, long long now, bo_session *s);

/* bo_auth_csrf_use: a change presents csrf; if it is the session's current
 * token it is consumed and a new one goes to s->csrf. GL_EAUTH if absent,
 * wrong or already used (a replay). */
gl_status bo_auth_csrf_use(bo_db *db, const char *token, const char *csrf, bo_session *s);

/* bo_auth_logout: ends the session of token (no error if unknown). */
gl_status bo_auth_logout(bo_db *db, const char *token);

/* bo_auth_audit: appends who did what (detail: JSON or text) at now. */
gl_status bo_auth_audit(bo_db *db, long long now, const char *who, const char *what, const char *detail);

#endif
