/* test_bo_mime.c: e-mail messages as bo_mime builds them (headers, RFC 2047
 * subjects split on character boundaries, base64 parts, the attachment) and
 * SMTP replies read back from a server's lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../tools/backoffice/bo_mime.h"

static void test_replies(void **state)
{
    static const struct {
        const char *in;
        int found, code;
        const char *text;
    } cases[] = {
        {"250 OK queued as gl-1\r\n", 1, 250, "250 OK queued as gl-1"},
        {"250-localhost\r\n250-STARTTLS\r\n250 8BITMIME\r\n", 1, 250, "250 8BITMIME"},
        {"354 go ahead\r\n550 5.1.1 <x@y>: no\r\n", 1, 550, "550 5.1.1 <x@y>: no"},
        {"451 later\n", 1, 451, "451 later"},
        {"250\r\n", 1, 250, "250"},
        {"250-more to come\r\n", 0, 0, ""},     /* no final line */
        {"250 no newline yet", 0, 0, ""},       /* incomplete */
        {"hello\r\n600 x\r\n25 x\r\n", 0, 0, ""}, /* not replies */
        {"250 a\x01" "b\r\n", 1, 250, "250 a?b"}, /* control bytes made printable */
        {"", 0, 0, ""},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[64] = "";
        int code = 0;
        assert_int_equal(bo_mime_reply(cases[i].in, strlen(cases[i].in), &code, text, sizeof text), cases[i].found);
        assert_int_equal(code, cases[i].code);
        assert_string_equal(text, cases[i].text);
    }
}

static char *build(const char *subject, const char *body, const char *att_name, gl_status want)
{
    static const unsigned char att[] = "PK\x03\x04 sheet";
    bo_mime_msg m = {"billing@power.example.cn", "li.si@example.com", subject, body, att_name,
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", att, sizeof att - 1,
                     "abc.1", 1796101079};
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(bo_mime_build(&m, &out, &len), want);
    if (want == GL_OK)
        assert_int_equal(strlen(out), len);
    return out;
}

static void test_plain_message(void **state)
{
    (void)state;
    char *m = build("Arrears reminder C-0002", "Dear Li Si: 50.25 yuan", NULL, GL_OK);
    assert_non_null(strstr(m, "From: <billing@power.example.cn>\r\nTo: <li.si@example.com>\r\n"
                              "Subject: Arrears reminder C-0002\r\nDate: Tue, 01 Dec 2026 04:57:59 +0000\r\n"
                              "Message-ID: <abc.1@gridledger>\r\nMIME-Version: 1.0\r\n"
                              "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                              "RGVhciBMaSBTaTogNTAuMjUgeXVhbg==\r\n"));
    free(m);
}

static void test_encoded_subject(void **state)
{
    (void)state;
    /* 30 Chinese characters (90 octets): words of at most 45 octets = 15 characters each */
    char *m = build("停电通知书停电通知书停电通知书停电通知书停电通知书停电通知书", "x", NULL, GL_OK);
    const char *s = strstr(m, "Subject: ");
    assert_non_null(s);
    assert_non_null(strstr(s, "Subject: =?UTF-8?B?5YGc55S16YCa55+l5Lmm5YGc55S16YCa55+l5Lmm5YGc55S16YCa55+l5Lmm?=\r\n"
                              " =?UTF-8?B?5YGc55S16YCa55+l5Lmm5YGc55S16YCa55+l5Lmm5YGc55S16YCa55+l5Lmm?=\r\nDate"));
    free(m);
}

static void test_attachment(void **state)
{
    (void)state;
    char *m = build("Notice", "text", "bill-C-0002.xlsx", GL_OK);
    assert_non_null(strstr(m, "Content-Type: multipart/mixed; boundary=\"=_gl_abc.1\"\r\n\r\n--=_gl_abc.1\r\n"
                              "Content-Type: text/plain; charset=UTF-8\r\n"));
    assert_non_null(strstr(m, "--=_gl_abc.1\r\nContent-Type: application/vnd.openxmlformats-officedocument."
                              "spreadsheetml.sheet; name=\"bill-C-0002.xlsx\"\r\nContent-Disposition: attachment; "
                              "filename=\"bill-C-0002.xlsx\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                              "UEsDBCBzaGVldA==\r\n--=_gl_abc.1--\r\n"));
    free(m);
}

static void test_refused(void **state)
{
    (void)state;
    assert_null(build("bad \xff subject", "x", NULL, GL_ESYNTAX));
    assert_null(build("s", "bad \xe5\x81 body", NULL, GL_ESYNTAX));
    bo_mime_msg m = {"a@b.cn", "x@y.cn\r\nBcc: all@y.cn", "s", "b", NULL, NULL, NULL, 0, "t", 0};
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(bo_mime_build(&m, &out, &len), GL_EINVAL); /* header injection */
    assert_null(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replies),        cmocka_unit_test(test_plain_message),
        cmocka_unit_test(test_encoded_subject), cmocka_unit_test(test_attachment),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
