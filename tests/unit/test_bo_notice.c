/* test_bo_notice.c: contacts validation and CSV splitting, notice templates
 * (fields filled exactly, unknown fields refused) and SMS segment counting
 * on both sides of each boundary (GSM 7-bit 160/153, UCS-2 70/67). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../tools/backoffice/bo_contact.h"
#include "../../tools/backoffice/bo_notice.h"

static void test_mobiles(void **state)
{
    static const struct {
        const char *in, *want; /* want NULL: refused */
    } cases[] = {
        {"13800138000", "+8613800138000"}, {"19912345678", "+8619912345678"}, {"12800138000", NULL},
        {"1380013800", NULL},              {"138001380000", NULL},            {"+8613800138000", "+8613800138000"},
        {"+12025550123", "+12025550123"},  {"+1234567", NULL},                {"+12345678", "+12345678"},
        {"+123456789012345", "+123456789012345"}, {"+1234567890123456", NULL}, {"+0123456789", NULL},
        {"+86 138", NULL},                 {"", NULL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64] = "", why[160] = "";
        gl_status st = bo_contact_mobile_norm(cases[i].in, out, sizeof out, why, sizeof why);
        if (cases[i].want) {
            assert_int_equal(st, GL_OK);
            assert_string_equal(out, cases[i].want);
        } else {
            assert_int_equal(st, GL_ESYNTAX);
            assert_true(why[0] != '\0');
        }
    }
}

static void test_emails(void **state)
{
    static const struct {
        const char *s;
        int ok;
    } cases[] = {
        {"a@example.com", 1}, {"first.last+tag@mail.example.cn", 1}, {"a@b", 0}, {"@example.com", 0},
        {"a.@example.com", 0}, {"a..b@example.com", 0}, {".a@example.com", 0}, {"a@-x.com", 0},
        {"a@x-.com", 0}, {"a@x..com", 0}, {"a b@example.com", 0}, {"a@exa_mple.com", 0},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.cn", 1}, /* local part 64 */
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.cn", 0}, /* 65 */
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(bo_contact_email_valid(cases[i].s), cases[i].ok);
}

static void test_fields(void **state)
{
    char v[BO_CONTACT_FIELD_MAX], why[160];
    (void)state;
    snprintf(v, sizeof v, "13800138000;+12025550123");
    assert_int_equal(bo_contact_check_field(2, v, sizeof v, why, sizeof why), GL_OK);
    assert_string_equal(v, "+8613800138000;+12025550123");
    snprintf(v, sizeof v, "13800138000;;");
    assert_int_equal(bo_contact_check_field(2, v, sizeof v, why, sizeof why), GL_ESYNTAX);
    snprintf(v, sizeof v, "fax");
    assert_int_equal(bo_contact_check_field(5, v, sizeof v, why, sizeof why), GL_ESYNTAX);
    snprintf(v, sizeof v, "email");
    assert_int_equal(bo_contact_check_field(5, v, sizeof v, why, sizeof why), GL_OK);
    snprintf(v, sizeof v, "maybe");
    assert_int_equal(bo_contact_check_field(6, v, sizeof v, why, sizeof why), GL_ESYNTAX);
    snprintf(v, sizeof v, "fr");
    assert_int_equal(bo_contact_check_field(8, v, sizeof v, why, sizeof why), GL_ESYNTAX);
    snprintf(v, sizeof v, "bad id!");
    assert_int_equal(bo_contact_check_field(0, v, sizeof v, why, sizeof why), GL_ESYNTAX);
    assert_int_equal(bo_contact_field_index("lang"), 8);
    assert_int_equal(bo_contact_field_index("langs"), -1);
}

static void test_csv_split(void **state)
{
    char f[4][BO_CONTACT_FIELD_MAX];
    int col[4], bad = 0;
    (void)state;
    assert_int_equal(bo_csv_split("a,\"b, \"\"c\"\"\",d\r", f, col, 4, &bad), 3);
    assert_string_equal(f[1], "b, \"c\"");
    assert_int_equal(col[1], 3);
    assert_int_equal(col[2], 14);
    assert_string_equal(f[2], "d");
    assert_int_equal(bo_csv_split(",,", f, col, 4, &bad), 3);
    assert_string_equal(f[0], "");
    assert_int_equal(bo_csv_split("a,\"open", f, col, 4, &bad), -1);
    assert_int_equal(bad, 3);
    assert_int_equal(bo_csv_split("a,\"x\"y", f, col, 4, &bad), -1);
    assert_int_equal(bad, 6);
    assert_int_equal(bo_csv_split("1,2,3,4,5", f, col, 4, &bad), -1);
}

static void test_render(void **state)
{
    char out[BO_NOTICE_TEXT_MAX], why[160];
    bo_notice_vars v = {"C-0007", "王五", "disconnect_notice", "2025-03-02T10:30", "2025-01-15", 12345, 1};
    (void)state;
    assert_int_equal(bo_notice_render("{customer} {principal}+{penalty}={total} by {deadline} {{x}", &v, out,
                                      sizeof out, why, sizeof why),
                     GL_OK);
    assert_string_equal(out, "C-0007 123.45+0.01=123.46 by 2025-03-02T10:30 {x}");
    v.principal_fen = 10000000000000LL; /* 100,000,000,000.00: exact, no float */
    v.penalty_fen = 99;
    assert_int_equal(bo_notice_render("{total}", &v, out, sizeof out, why, sizeof why), GL_OK);
    assert_string_equal(out, "100000000000.99");
    assert_int_equal(bo_notice_render("{amount}", &v, out, sizeof out, why, sizeof why), GL_ESYNTAX);
    assert_string_equal(why, "unknown field {amount}");
    assert_int_equal(bo_notice_render("{name", &v, out, sizeof out, why, sizeof why), GL_ESYNTAX);
    assert_int_equal(bo_notice_render("{customer}{customer}", &v, out, 12, why, sizeof why), GL_EBOUND);
    assert_int_equal(bo_notice_render("{customer}", &v, out, 7, why, sizeof why), GL_OK);
    const char *acts[] = {"reminder", "sms", "written_notice", "disconnect_notice", "notice_1h", "confirm_30min",
                          "exhaustion_notice", "restore"};
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
        assert_int_equal(bo_notice_check(bo_notice_default(acts[i], "zh"), why, sizeof why), GL_OK);
        assert_int_equal(bo_notice_check(bo_notice_default(acts[i], "en"), why, sizeof why), GL_OK);
        assert_int_equal(bo_notice_is_notice(acts[i]), 1);
    }
    assert_int_equal(bo_notice_is_notice("disconnect"), 0);
    assert_null(bo_notice_default("legal", "zh"));
}

static void seg(const char *unit, int count, int want_ucs2, int want_units, int want_segments)
{
    char text[2048] = "";
    bo_notice_seg s;
    for (int i = 0; i < count; i++)
        strncat(text, unit, sizeof text - strlen(text) - 1);
    assert_int_equal(bo_notice_segments(text, &s), GL_OK);
    assert_int_equal(s.ucs2, want_ucs2);
    assert_int_equal(s.units, want_units);
    assert_int_equal(s.segments, want_segments);
}

static void test_segments(void **state)
{
    bo_notice_seg s;
    (void)state;
    seg("a", 160, 0, 160, 1);
    seg("a", 161, 0, 161, 2);
    seg("a", 306, 0, 306, 2);
    seg("a", 307, 0, 307, 3);
    seg("{", 80, 0, 160, 1); /* extension characters count two */
    seg("{", 81, 0, 162, 2);
    seg("电", 70, 1, 70, 1);
    seg("电", 71, 1, 71, 2);
    seg("电", 134, 1, 134, 2);
    seg("电", 135, 1, 135, 3);
    seg("\xF0\x9F\x94\x8C", 35, 1, 70, 1); /* beyond the BMP: two units each */
    seg("\xF0\x9F\x94\x8C", 36, 1, 72, 2);
    seg("é", 1, 1, 1, 1); /* not basic ASCII: UCS-2 here */
    assert_int_equal(bo_notice_segments("\xC3(", &s), GL_ESYNTAX);
}

static void test_quiet(void **state)
{
    int from = -1, to = -1;
    (void)state;
    assert_int_equal(bo_notice_quiet_parse("21:00-08:00", &from, &to), GL_OK);
    assert_int_equal(from, 1260);
    assert_int_equal(to, 480);
    assert_int_equal(bo_notice_quiet(from, to, 1259), 0); /* 20:59 */
    assert_int_equal(bo_notice_quiet(from, to, 1260), 1); /* 21:00 */
    assert_int_equal(bo_notice_quiet(from, to, 0), 1);
    assert_int_equal(bo_notice_quiet(from, to, 479), 1);  /* 07:59 */
    assert_int_equal(bo_notice_quiet(from, to, 480), 0);  /* 08:00 */
    assert_int_equal(bo_notice_quiet_parse("12:00-13:30", &from, &to), GL_OK);
    assert_int_equal(bo_notice_quiet(from, to, 719), 0);
    assert_int_equal(bo_notice_quiet(from, to, 720), 1);
    assert_int_equal(bo_notice_quiet(from, to, 809), 1);
    assert_int_equal(bo_notice_quiet(from, to, 810), 0);
    assert_int_equal(bo_notice_quiet_parse("none", &from, &to), GL_OK);
    assert_int_equal(bo_notice_quiet(from, to, 100), 0);
    const char *bad[] = {"24:00-08:00", "21:60-08:00", "21:00-21:00", "21:00", "9:00-10:00", "21:00_08:00", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(bo_notice_quiet_parse(bad[i], &from, &to), GL_ESYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mobiles), cmocka_unit_test(test_emails), cmocka_unit_test(test_fields),
        cmocka_unit_test(test_csv_split), cmocka_unit_test(test_render), cmocka_unit_test(test_segments),
        cmocka_unit_test(test_quiet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
