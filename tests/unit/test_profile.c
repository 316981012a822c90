/* test_profile.c: built-in maps and custom profiles from config text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "profile.h"

static void test_builtin(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int fn;
        uint16_t import_addr;
        int nphases;
    } cases[] = {
        {"SDM120", 4, 0x0048, 1}, {"SDM630", 4, 0x0048, 3},  {"DDSU666", 3, 0x4000, 1},
        {"DTSU666", 3, 0x101E, 3}, {"generic", 3, 0x0000, 1},
    };
    assert_int_equal(profile_builtin_count(), 5);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const profile *p = profile_builtin(cases[i].name);
        assert_non_null(p);
        assert_int_equal(p->q[PROFILE_Q_IMPORT].fn, cases[i].fn);
        assert_int_equal(p->q[PROFILE_Q_IMPORT].addr, cases[i].import_addr);
        assert_int_equal(p->nphases, cases[i].nphases);
        assert_true(strlen(p->source) > 10); /* every map cites its source */
        for (int q = 0; q < PROFILE_Q_COUNT; q++) {
            int64_t m;
            if (p->q[q].present) {
                assert_int_equal(profile_unit_mult((profile_q)q, p->q[q].unit, &m), GL_OK);
                assert_int_equal(m, p->q[q].unit_mult);
            }
        }
    }
    assert_null(profile_builtin("SDM72"));
    assert_int_equal(profile_builtin("generic")->relay, PROFILE_RELAY_COIL);
}

struct custom_case {
    const char *json;
    int errors;
    const char *first_error; /* substring of the first diag line */
};

static void test_custom(void **state)
{
    (void)state;
    static const struct custom_case cases[] = {
        {"[{\"name\": \"X1\", \"quantities\": {\"import\": {\"address\": 100, \"unit\": \"kWh\"}}}]", 0, NULL},
        {"[{\"name\": \"X2\", \"base\": \"DTSU666\", \"quantities\": {\"import\": {\"address\": 16414, \"function\": 4, "
         "\"unit\": \"kWh\"}}}]",
         0, NULL},
        {"[{\"name\": \"X3\", \"function\": 4, \"type\": \"uint32\", \"word_order\": \"CDAB\", \"quantities\": "
         "{\"import\": {\"address\": 0, \"scale\": \"0.01\", \"unit\": \"kWh\"}}, \"relay\": {\"register\": 9, "
         "\"on\": 1, \"off\": 2}}]",
         0, NULL},
        {"[{\"name\": \"X4\", \"quantities\": {\"import\": {\"address\": 0, \"unit\": \"V\"}}}]", 1,
         "profiles[0].quantities.import.unit: not a unit of this quantity"},
        {"[{\"name\": \"X5\", \"quantities\": {\"power\": {\"address\": 0, \"unit\": \"W\"}}}]", 1,
         "needs an \"import\" quantity"},
        {"[{\"name\": \"SDM120\", \"quantities\": {\"import\": {\"address\": 0, \"unit\": \"kWh\"}}}]", 1,
         "is a built-in profile"},
        {"[{\"name\": \"X6\", \"base\": \"SDM72\"}]", 1, "profiles[0].base: not a built-in profile"},
        {"[{\"name\": \"X7\", \"quantities\": {\"import\": {\"address\": 0, \"function\": 5, \"unit\": \"kWh\"}}}]",
         1, "profiles[0].quantities.import.function"},
        {"[{\"name\": \"X8\", \"quantities\": {\"import\": {\"address\": 65535, \"type\": \"float32\", \"unit\": "
         "\"kWh\"}}}]",
         1, "runs past register 65535"},
        {"[{\"name\": \"X9\", \"quantities\": {\"import\": {\"address\": 0, \"unit\": \"kWh\", \"scale\": \"0\"}}}]",
         1, "scale: must not be 0"},
        {"[{\"name\": \"XA\", \"quantities\": {\"import\": {\"address\": 0, \"unit\": \"kWh\", \"order\": 1}}}]", 1,
         "order"},
        {"[{\"name\": \"XB\", \"quantities\": {\"import\": {\"address\": 0, \"unit\": \"kWh\"}}}, {\"name\": \"XB\", "
         "\"quantities\": {\"import\": {\"address\": 0, \"unit\": \"kWh\"}}}]",
         1, "defined twice"},
        {"[{\"name\": \"XC\", \"base\": \"generic\", \"relay\": {\"coil\": 1, \"register\": 2}}]", 1,
         "exactly one of"},
        {"{}", 1, "must be an array"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        diag d;
        jsonv_doc *doc = NULL;
        diag_init(&d);
        assert_int_equal(jsonv_parse("t.json", cases[i].json, strlen(cases[i].json), &d, &doc), GL_OK);
        int n = profile_config_check(doc, jsonv_root(doc), "profiles", NULL);
        diag *e = jsonv_diag(doc);
        if (n != cases[i].errors || (cases[i].first_error && (e->count == 0 || !strstr(e->lines[0], cases[i].first_error))))
            fail_msg("case %zu: %d errors, first: %s", i, n, e->count ? e->lines[0] : "-");
        jsonv_free(doc);
    }
}

static void test_custom_values(void **state)
{
    (void)state;
    const char *json = "{\"name\": \"X3\", \"base\": \"DTSU666\", \"function\": 4, \"quantities\": {\"import\": "
                       "{\"address\": 16414, \"unit\": \"kWh\"}, \"export\": null}}";
    diag d;
    jsonv_doc *doc = NULL;
    profile p;
    diag_init(&d);
    assert_int_equal(jsonv_parse("t.json", json, strlen(json), &d, &doc), GL_OK);
    assert_int_equal(profile_parse(doc, jsonv_root(doc), "p", &p), 0);
    assert_string_equal(p.name, "X3");
    assert_int_equal(p.q[PROFILE_Q_IMPORT].fn, 4);
    assert_int_equal(p.q[PROFILE_Q_IMPORT].addr, 0x401E);
    assert_int_equal(p.q[PROFILE_Q_IMPORT].unit_mult, 1000);
    assert_int_equal(p.q[PROFILE_Q_EXPORT].present, 0);          /* null removed it */
    assert_int_equal(p.q[PROFILE_Q_VOLTAGE_L1].addr, 0x2006);    /* kept from the base */
    assert_int_equal(p.nphases, 3);
    jsonv_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin),
        cmocka_unit_test(test_custom),
        cmocka_unit_test(test_custom_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
