/* test_jsonv.c: strict JSON positions, paths and validated readers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gridledger/jsonv.h"

struct syntax_case {
    const char *text;
    const char *line; /* expected diag line */
};

static void test_syntax_errors(void **state)
{
    (void)state;
    static const struct syntax_case cases[] = {
        {"{\"a\": 1,}", "t.json:1:9: (top): trailing comma before '}'"},
        {"[1, 2,]", "t.json:1:7: (top): trailing comma before ']'"},
        {"{\"a\": [1, 2 3]}", "t.json:1:13: a[1]: expected ',' or ']' after this element"},
        {"{\"a\":\n  {\"b\": tru}}", "t.json:2:9: a.b: expected a value"},
        {"{\"a\": 01}", "t.json:1:8: a: number with a leading zero"},
        {"{\"a\": \"x\ty\"}", "t.json:1:9: a: control character in string (escape it)"},
        {"{\"a\": 1} {}", "t.json:1:10: (top): unexpected text after the JSON value"},
        {"{\"a\": 1, \"a\": 2}", "t.json:1:10: a: duplicate key"},
        {"", "t.json:1:1: (top): unexpected end of input"},
        {"{\"名\": 1, x}", "t.json:1:10: (top): expected a key in double quotes"},
        {"{'a': 1}", "t.json:1:2: (top): expected a key in double quotes"},
        {"{\"a\": 1.}", "t.json:1:9: a: expected digits after '.'"},
        /* issue 21.3/21.9: U+0000 and bytes that are not UTF-8 */
        {"{\"a\": \"R\\u0000X\"}", "t.json:1:10: a: NUL (\\u0000) in string"},
        {"{\"a\\u0000\": 1}", "t.json:1:5: (top): NUL (\\u0000) in string"},
        {"{\"a\": \"R\xffX\"}", "t.json:1:1: : not UTF-8 text (RFC 8259 8.1)"},
        {"{\"a\": \"\xed\xa0\x80\"}", "t.json:1:1: : not UTF-8 text (RFC 8259 8.1)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        diag d;
        jsonv_doc *doc = NULL;
        diag_init(&d);
        gl_status st = jsonv_parse("t.json", cases[i].text, strlen(cases[i].text), &d, &doc);
        assert_int_equal(st, GL_ESYNTAX);
        assert_null(doc);
        assert_int_equal(d.count, 1);
        if (strcmp(d.lines[0], cases[i].line) != 0)
            fail_msg("case %zu: got \"%s\" want \"%s\"", i, d.lines[0], cases[i].line);
    }
}

/* The other side of the NUL and UTF-8 rows: what stays accepted. */
static void test_text_accepted(void **state)
{
    (void)state;
    static const char *const ok[] = {"{\"a\": \"R\\\\u0000X\"}", "{\"a\": \"\\u0001\\u00e9\"}",
                                     "{\"a\": \"\xe5\x90\x8d\xf0\x9f\x98\x80\"}"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        diag d;
        jsonv_doc *doc = NULL;
        diag_init(&d);
        if (jsonv_parse("t.json", ok[i], strlen(ok[i]), &d, &doc) != GL_OK)
            fail_msg("case %zu: %s", i, d.count ? d.lines[0] : "?");
        jsonv_free(doc);
    }
}

static void test_positions_and_readers(void **state)
{
    (void)state;
    const char *text = "{\n  \"id\": \"gw-1\",\n  \"n\": 300,\n  \"price\": \"0.48835\",\n  \"amt\": 1.5,\n"
                       "  \"mode\": \"fast\",\n  \"list\": [1, {\"x\": true}],\n  \"typo\": 1\n}";
    diag d;
    jsonv_doc *doc = NULL;
    diag_init(&d);
    assert_int_equal(jsonv_parse("c.json", text, strlen(text), &d, &doc), GL_OK);
    const cJSON *root = jsonv_root(doc);
    int line, col;
    jsonv_pos(doc, cJSON_GetObjectItem(root, "n"), 0, &line, &col);
    assert_int_equal(line, 3);
    assert_int_equal(col, 8);
    jsonv_pos(doc, cJSON_GetObjectItem(root, "n"), 1, &line, &col);
    assert_int_equal(col, 3);
    char id[8];
    long long n;
    int64_t price;
    int mode = -1;
    static const char *const modes[] = {"slow", "normal", NULL};
    static const char *const keys[] = {"id", "n", "price", "amt", "mode", "list", "type", NULL};
    assert_int_equal(jsonv_get_string(doc, root, "", "id", 1, NULL, id, sizeof id), 1);
    assert_string_equal(id, "gw-1");
    assert_int_equal(jsonv_get_int(doc, root, "", "n", 1, 0, 1, 247, &n), 0);
    assert_int_equal(jsonv_get_decimal(doc, root, "", "price", 1, 0, 6, 0, 10000000, &price), 1);
    assert_int_equal(price, 488350);
    assert_int_equal(jsonv_get_decimal(doc, root, "", "amt", 1, 0, 2, 0, 100, &price), 0);
    assert_int_equal(jsonv_get_enum(doc, root, "", "mode", 1, modes, 0, &mode), 0);
    assert_int_equal(jsonv_get_int(doc, root, "", "absent", 0, 42, 0, 100, &n), 1);
    assert_int_equal(n, 42);
    assert_int_equal(jsonv_get_string(doc, root, "", "missing", 1, NULL, id, sizeof id), 0);
    assert_int_equal(jsonv_check_keys(doc, root, "", keys), 1);
    assert_int_equal(jsonv_errors(doc), 5);
    assert_string_equal(d.lines[0], "c.json:3:8: n: must be 1..247");
    assert_string_equal(d.lines[1], "c.json:5:10: amt: must be a decimal string like \"12.5\" (not a JSON number)");
    assert_string_equal(d.lines[2], "c.json:6:11: mode: must be one of slow|normal");
    assert_string_equal(d.lines[3], "c.json:1:1: missing: required key is missing");
    assert_string_equal(d.lines[4], "c.json:8:3: typo: unknown key (did you mean \"type\"?)");
    jsonv_free(doc);
    jsonv_free(NULL);
}

static void test_depth_bound(void **state)
{
    (void)state;
    char text[2 * (JSONV_MAX_DEPTH + 2) + 1];
    size_t n = 0;
    for (int i = 0; i < JSONV_MAX_DEPTH + 1; i++)
        text[n++] = '[';
    for (int i = 0; i < JSONV_MAX_DEPTH + 1; i++)
        text[n++] = ']';
    diag d;
    jsonv_doc *doc = NULL;
    diag_init(&d);
    assert_int_equal(jsonv_parse("d.json", text, n, &d, &doc), GL_EBOUND);
    diag_init(&d);
    assert_int_equal(jsonv_parse("d.json", text + 1, n - 2, &d, &doc), GL_OK);
    jsonv_free(doc);
}

/* jsonv_drop: a converted section leaves the tree; what remains keeps its
 * positions, its exact numbers, and a second drop or an unknown key is a no-op. */
static void test_drop_keeps_the_rest(void **state)
{
    (void)state;
    const char *text = "{\n  \"meters\": [{\"id\": \"M1\", \"x\": [1, 2, {\"y\": null}]}, {\"id\": \"M2\"}],\n"
                       "  \"price\": \"0.48835\",\n  \"list\": [1, {\"z\": 7}],\n  \"amt\": 1.50\n}";
    struct {
        const char *key;
        int line, col;
    } kept[] = {{"price", 3, 12}, {"list", 4, 11}, {"amt", 5, 10}};
    diag d;
    jsonv_doc *doc = NULL;
    diag_init(&d);
    assert_int_equal(jsonv_parse("c.json", text, strlen(text), &d, &doc), GL_OK);
    jsonv_drop(doc, "meters");
    jsonv_drop(doc, "meters");
    jsonv_drop(doc, "absent");
    const cJSON *root = jsonv_root(doc);
    assert_null(cJSON_GetObjectItem(root, "meters"));
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        int line = 0, col = 0;
        jsonv_pos(doc, cJSON_GetObjectItem(root, kept[i].key), 0, &line, &col);
        assert_int_equal(line, kept[i].line);
        assert_int_equal(col, kept[i].col);
    }
    int line = 0, col = 0;
    jsonv_pos(doc, cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "list"), 1), "z"), 0, &line, &col);
    assert_int_equal(line, 4);
    assert_int_equal(col, 21);
    char num[16];
    assert_int_equal(jsonv_number_text(doc, cJSON_GetObjectItem(root, "amt"), num, sizeof num), 1);
    assert_string_equal(num, "1.50");
    jsonv_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_text_accepted),
        cmocka_unit_test(test_positions_and_readers),
        cmocka_unit_test(test_depth_bound),
        cmocka_unit_test(test_drop_keeps_the_rest),
    };
    return cmocka_run_group_tests_name("jsonv", tests, NULL, NULL);
}
