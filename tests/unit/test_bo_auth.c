/* test_bo_auth.c: the console's operators against a real SQLite file:
 * Argon2id hashes, accounts refused, sessions and their expiry, single-use
 * CSRF tokens, lock-out on both sides of its boundary, the audit log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tools/backoffice/bo_auth.h"
#include "../../tools/backoffice/bo_db.h"

#define T0 1764547200LL /* 2025-12-01 00:00 UTC */
#define PW "correct horse battery"

static char path[64];

static int setup(void **state)
{
    bo_db *db = NULL;
    char err[256];
    snprintf(path, sizeof path, "/tmp/test_bo_auth.%d.db", (int)getpid());
    unlink(path);
    assert_int_equal(bo_auth_init(), GL_OK);
    assert_int_equal(bo_db_open(&bo_db_sqlite_ops, path, &db, err, sizeof err), GL_OK);
    assert_int_equal(bo_auth_schema(db), GL_OK);
    assert_int_equal(bo_auth_user_add(db, "li", PW, "collector", "G-01", T0), GL_OK);
    assert_int_equal(bo_auth_user_add(db, "wang", PW, "supervisor", "", T0), GL_OK);
    *state = db;
    return 0;
}

static int teardown(void **state)
{
    bo_db_close(*state);
    unlink(path);
    return 0;
}

static void hash_is_argon2id_and_verifies(void **state)
{
    (void)state;
    char h1[BO_AUTH_HASH_MAX], h2[BO_AUTH_HASH_MAX];
    assert_int_equal(bo_auth_hash(PW, h1, sizeof h1), GL_OK);
    assert_int_equal(bo_auth_hash(PW, h2, sizeof h2), GL_OK);
    assert_int_equal(strncmp(h1, "$argon2id$v=19$", 15), 0);
    assert_string_not_equal(h1, h2); /* salted */
    assert_true(bo_auth_verify(h1, PW));
    assert_false(bo_auth_verify(h1, "correct horse batterY"));
    assert_false(bo_auth_verify(h1, ""));
    assert_int_equal(bo_auth_hash(PW, h1, 16), GL_EINVAL);
}

static void accounts_refused(void **state)
{
    bo_db *db = *state;
    static const struct {
        const char *name, *pw, *role, *grid;
        gl_status want;
    } rows[] = {
        {"zhao", PW, "collector", "", GL_EINVAL},        /* a collector needs a grid */
        {"zhao", PW, "janitor", "", GL_EINVAL},          /* no such role */
        {"zh ao", PW, "admin", "", GL_EINVAL},           /* bad name */
        {"zhao", "123456789", "admin", "", GL_ERANGE},   /* 9 characters: one short */
        {"li", PW, "admin", "", GL_EEXIST},              /* taken */
        {"zhao", "1234567890", "admin", "", GL_OK},      /* 10: just enough */
        {"qian", PW, "manager", "", GL_OK},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(bo_auth_user_add(db, rows[i].name, rows[i].pw, rows[i].role, rows[i].grid, T0), rows[i].want);
}

static void session_lives_until_expiry(void **state)
{
    bo_db *db = *state;
    char tok[BO_AUTH_TOKEN_HEX + 1];
    bo_session s, s2;
    assert_int_equal(bo_auth_login(db, "li", PW, T0, tok, sizeof tok, &s), GL_OK);
    assert_string_equal(s.role, "collector");
    assert_string_equal(s.grid, "G-01");
    assert_int_equal(strlen(tok), BO_AUTH_TOKEN_HEX);
    assert_int_equal(s.expires, T0 + BO_AUTH_SESSION_S);
    assert_int_equal(bo_auth_session(db, tok, T0 + BO_AUTH_SESSION_S - 1, &s2), GL_OK);
    assert_string_equal(s2.name, "li");
    assert_string_equal(s2.csrf, s.csrf);
    assert_int_equal(bo_auth_session(db, tok, T0 + BO_AUTH_SESSION_S, &s2), GL_EEXPIRED);
    /* expired sessions are gone */
    assert_int_equal(bo_auth_session(db, tok, T0, &s2), GL_EAUTH);
    tok[0] = tok[0] == 'a' ? 'b' : 'a';
    assert_int_equal(bo_auth_session(db, tok, T0, &s2), GL_EAUTH);
    assert_int_equal(bo_auth_session(db, "not-hex", T0, &s2), GL_EAUTH);
    assert_int_equal(bo_auth_session(db, "", T0, &s2), GL_EAUTH);
}

static void logout_ends_session(void **state)
{
    bo_db *db = *state;
    char tok[BO_AUTH_TOKEN_HEX + 1];
    bo_session s;
    assert_int_equal(bo_auth_login(db, "wang", PW, T0, tok, sizeof tok, &s), GL_OK);
    assert_int_equal(bo_auth_logout(db, tok), GL_OK);
    assert_int_equal(bo_auth_session(db, tok, T0 + 1, &s), GL_EAUTH);
}

static void csrf_single_use(void **state)
{
    bo_db *db = *state;
    char tok[BO_AUTH_TOKEN_HEX + 1], first[BO_AUTH_TOKEN_HEX + 1];
    bo_session s, stale;
    assert_int_equal(bo_auth_login(db, "wang", PW, T0, tok, sizeof tok, &s), GL_OK);
    snprintf(first, sizeof first, "%s", s.csrf);
    stale = s;
    assert_int_equal(bo_auth_csrf_use(db, tok, "", &s), GL_EAUTH);
    assert_int_equal(bo_auth_csrf_use(db, tok, NULL, &s), GL_EAUTH);
    char wrong[BO_AUTH_TOKEN_HEX + 1];
    snprintf(wrong, sizeof wrong, "%s", first);
    wrong[5] = wrong[5] == '0' ? '1' : '0';
    assert_int_equal(bo_auth_csrf_use(db, tok, wrong, &s), GL_EAUTH);
    assert_int_equal(bo_auth_csrf_use(db, tok, first, &s), GL_OK);
    assert_string_not_equal(s.csrf, first);
    /* a replay: the same token again, even with the session as it was */
    assert_int_equal(bo_auth_csrf_use(db, tok, first, &stale), GL_EAUTH);
    assert_int_equal(bo_auth_csrf_use(db, tok, first, &s), GL_EAUTH);
    /* the new one works once, and the stored session holds it */
    bo_session now;
    assert_int_equal(bo_auth_session(db, tok, T0 + 1, &now), GL_OK);
    assert_string_equal(now.csrf, s.csrf);
    assert_int_equal(bo_auth_csrf_use(db, tok, now.csrf, &now), GL_OK);
}

static void lockout_after_failures(void **state)
{
    bo_db *db = *state;
    char tok[BO_AUTH_TOKEN_HEX + 1];
    bo_session s;
    /* four failures, then the right password: not locked, count reset */
    for (int i = 0; i < BO_AUTH_MAX_FAILURES - 1; i++)
        assert_int_equal(bo_auth_login(db, "li", "wrong password", T0 + i, tok, sizeof tok, &s), GL_EAUTH);
    assert_int_equal(bo_auth_login(db, "li", PW, T0 + 10, tok, sizeof tok, &s), GL_OK);
    /* five in a row lock it, and then even the right password is refused */
    for (int i = 0; i < BO_AUTH_MAX_FAILURES; i++)
        assert_int_equal(bo_auth_login(db, "li", "wrong password", T0 + 20, tok, sizeof tok, &s), GL_EAUTH);
    assert_int_equal(bo_auth_login(db, "li", PW, T0 + 20, tok, sizeof tok, &s), GL_ESTATE);
    assert_int_equal(bo_auth_login(db, "li", PW, T0 + 20 + BO_AUTH_LOCK_S - 1, tok, sizeof tok, &s), GL_ESTATE);
    assert_int_equal(bo_auth_login(db, "li", PW, T0 + 20 + BO_AUTH_LOCK_S, tok, sizeof tok, &s), GL_OK);
    /* unknown names fail the same way and lock nothing */
    assert_int_equal(bo_auth_login(db, "nobody", PW, T0, tok, sizeof tok, &s), GL_EAUTH);
    assert_int_equal(bo_auth_login(db, "li", PW, T0, tok, 10, &s), GL_EAUTH);
}

static void audit_appends(void **state)
{
    bo_db *db = *state;
    char n[32];
    assert_int_equal(bo_auth_audit(db, T0, "li", "served", "{\"id\":1}"), GL_OK);
    assert_int_equal(bo_auth_audit(db, T0 + 1, "wang", "login", ""), GL_OK);
    assert_int_equal(bo_db_scalar(db, "SELECT COUNT(*) || ':' || MAX(id) FROM console_audit", 0, NULL, n, sizeof n),
                     GL_OK);
    assert_string_equal(n, "2:2");
    assert_int_equal(bo_db_scalar(db, "SELECT who || ' ' || what || ' ' || ts FROM console_audit WHERE id = 1", 0,
                                  NULL, n, sizeof n),
                     GL_OK);
    assert_string_equal(n, "li served 1764547200");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hash_is_argon2id_and_verifies),
        cmocka_unit_test_setup_teardown(accounts_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(session_lives_until_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(logout_ends_session, setup, teardown),
        cmocka_unit_test_setup_teardown(csrf_single_use, setup, teardown),
        cmocka_unit_test_setup_teardown(lockout_after_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(audit_appends, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
