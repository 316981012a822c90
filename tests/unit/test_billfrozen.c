/* test_billfrozen.c: billing from frozen registers: the frozen reading at a
 * period's edge wins over live readings that disagree with it (cases as
 * rows), and TOU energies come from the meter's tariff registers only when
 * the tariff's periods fall on the meter's day table (register_tou). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "billfrozen.h"
#include "gridledger/civdate.h"
#include "regtou.h"

#define L READING_LIVE
#define D READING_FROZEN_DAILY
#define S READING_FROZEN_SETTLEMENT
#define MAXP 8

struct prefer_case {
    const char *what;
    int n;
    store_point in[MAXP];  /* ts, import_wh, reactive, flags, source */
    int nout;
    int64_t out_wh[MAXP];  /* the import of each point kept, in order */
    int out_src[MAXP];
};

/* edges at 1000 (from) and 2000 (to) */
static const struct prefer_case prefer_cases[] = {
    {"no frozen point: unchanged", 3, {{900, 10, -1, 0, L}, {1500, 20, -1, 0, L}, {2000, 30, -1, 0, L}}, 3, {10, 20, 30},
     {L, L, L}},
    {"meter clock behind: live before the end reads more than the freeze, dropped", 4,
     {{1000, 10, -1, 0, D}, {1990, 31, -1, 0, L}, {2000, 30, -1, 0, D}, {2010, 32, -1, 0, L}}, 3, {10, 30, 32},
     {D, D, L}},
    {"meter clock ahead: live after the end reads less than the freeze, dropped", 4,
     {{1000, 10, -1, 0, D}, {1990, 28, -1, 0, L}, {2000, 30, -1, 0, D}, {2010, 29, -1, 0, L}}, 3, {10, 28, 30},
     {D, L, D}},
    {"a live reading at the edge yields to the freeze", 3, {{1000, 10, -1, 0, L}, {1000, 11, -1, 0, D}, {1500, 20, -1, 0, L}},
     2, {11, 20}, {D, L}},
    {"daily and settlement freezes at one edge: one point, the settlement's", 3,
     {{1000, 10, -1, 0, D}, {1000, 10, -1, 0, S}, {1500, 20, -1, 0, L}}, 2, {10, 20}, {S, L}},
    {"start edge: live before it reading more dropped, consistent ones kept", 4,
     {{900, 9, -1, 0, L}, {950, 12, -1, 0, L}, {1000, 10, -1, 0, S}, {1200, 15, -1, 0, L}}, 3, {9, 10, 15}, {L, S, L}},
    {"freezes between the edges are not edges", 3, {{900, 10, -1, 0, L}, {1500, 25, -1, 0, D}, {1600, 20, -1, 0, L}}, 3,
     {10, 25, 20}, {L, D, L}},
};

static void test_prefer_frozen_edges(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof prefer_cases / sizeof prefer_cases[0]; c++) {
        const struct prefer_case *k = &prefer_cases[c];
        store_point pts[MAXP];
        memcpy(pts, k->in, sizeof pts);
        size_t n = billfrozen_prefer(pts, (size_t)k->n, 1000, 2000);
        int same = (int)n == k->nout;
        for (size_t i = 0; same && i < n; i++)
            same = pts[i].import_wh == k->out_wh[i] && pts[i].source == k->out_src[i];
        if (!same)
            fail_msg("%s: %zu points kept, want %d", k->what, n, k->nout);
    }
}

/* ---- register_tou --------------------------------------------------------- */

static char dir[64];

/* metersim's day: sharp 19-21, peak 8-11 18-19 21-23, flat 7-8 11-18, valley 23-7 */
static const char tou_json[] =
    "{\"id\": \"%s\", \"currency\": \"CNY\", \"effective_from\": \"2020-01-01\", \"energy\": {\"tou\": {"
    "\"periods\": {\"sharp\": \"1.0\", \"peak\": \"0.8\", \"flat\": \"0.5\", \"valley\": \"0.3\"},"
    "\"calendar\": [{\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"days\": [\"weekday\"%s], \"hours\": ["
    "[\"00:00\",\"07:00\",\"valley\"], [\"07:00\",\"08:00\",\"flat\"], [\"08:00\",\"11:00\",\"peak\"],"
    "[\"11:00\",\"18:00\",\"flat\"], [\"18:00\",\"19:00\",\"peak\"], [\"19:00\",\"21:00\",\"sharp\"],"
    "[\"21:00\",\"23:00\",\"peak\"], [\"23:00\",\"24:00\",\"valley\"]]}%s]}}%s}";

static void write_file(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A tariff "same" matching the day table every day, and "weekend" whose
 * weekends are valley all day; a demand charge on "demand". */
static void write_tariffs(void)
{
    char t[2048];
    snprintf(t, sizeof t, tou_json, "same", ", \"weekend\", \"holiday\"", "", "");
    write_file("same.json", t);
    snprintf(t, sizeof t, tou_json, "weekend", "",
             ", {\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"days\": [\"weekend\", \"holiday\"],"
             " \"hours\": [[\"00:00\",\"24:00\",\"valley\"]]}",
             "");
    write_file("weekend.json", t);
    snprintf(t, sizeof t, tou_json, "demand", ", \"weekend\", \"holiday\"", "",
             ", \"demand\": {\"per_kw\": \"30\"}");
    write_file("demand.json", t);
}

static const char cfg_json[] =
    "{\"gateway\": {\"id\": \"gw\", \"area\": \"A\"}, \"store\": {\"path\": \"x.db\"},"
    " \"buses\": [{\"name\": \"b\", \"type\": \"tcp\", \"protocol\": \"dlt645\", \"host\": \"127.0.0.1\", \"port\": 9}],"
    " \"meters\": [{\"id\": \"M1\", \"bus\": \"b\", \"address\": \"000000000001\", \"profile\": \"DLT645-1P\","
    " \"customer\": \"C1\"}],"
    " \"customers\": [{\"id\": \"C1\", \"name\": \"x\", \"class\": \"residential\", \"tariff\": \"same\"}],"
    " \"tariffs\": [\"same.json\", \"weekend.json\", \"demand.json\"],"
    " \"register_tou\": [%s]}";

static const char map_of[] =
    "{\"tariff\": \"%s\", \"registers\": {\"sharp\": 1, \"peak\": 2, \"flat\": 3, \"valley\": 4},"
    " \"meter_day\": [[\"00:00\", 4], [\"07:00\", 3], [\"08:00\", 2], [\"11:00\", 3], [\"18:00\", 2], [\"19:00\", 1],"
    " [\"21:00\", 2], [\"23:00\", 4]]}";

static config *load(const char *entries, diag *d)
{
    char text[4096], path[128];
    config *cfg = NULL;
    snprintf(text, sizeof text, cfg_json, entries);
    write_file("gl.json", text);
    snprintf(path, sizeof path, "%s/gl.json", dir);
    diag_init(d);
    if (config_load(path, d, &cfg) != GL_OK)
        return NULL;
    return cfg;
}

static void tariff_of(const char *name, tariff_set *ts)
{
    char path[128], text[4096];
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    diag d;
    diag_init(&d);
    assert_int_equal(tariff_parse(path, text, n, &d, ts), GL_OK);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_billfrozen.XXXXXX");
    assert_non_null(mkdtemp(dir));
    write_tariffs();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_config_errors(void **state)
{
    (void)state;
    static const struct {
        const char *entry, *want;
    } cases[] = {
        {"{\"tariff\": \"nosuch\", \"registers\": {\"peak\": 1}, \"meter_day\": [[\"00:00\", 1]]}",
         "register_tou[0].tariff: must name a tariff"},
        {"{\"tariff\": \"same\", \"registers\": {\"peak\": 5}, \"meter_day\": [[\"00:00\", 1]]}",
         "register_tou[0].registers.peak: must be a register 1..4"},
        {"{\"tariff\": \"same\", \"registers\": {\"peak\": 1, \"flat\": 1}, \"meter_day\": [[\"00:00\", 1]]}",
         "register_tou[0].registers.flat: register 1 already mapped"},
        {"{\"tariff\": \"same\", \"registers\": {\"peak\": 1}, \"meter_day\": [[\"00:00\", 1], [\"07:10\", 1]]}",
         "register_tou[0].meter_day[1]: must be [\"HH:MM\" on a quarter hour"},
        {"{\"tariff\": \"same\", \"registers\": {\"peak\": 1}, \"meter_day\": [[\"08:00\", 1], [\"07:00\", 1]]}",
         "register_tou[0].meter_day[1]: slots must start in ascending order"},
        {"{\"tariff\": \"same\", \"registers\": {\"peak\": 1}, \"meter_day\": []}", "register_tou[0].meter_day: must be a list"},
        {"{\"tariff\": \"same\", \"registers\": {\"peak\": 1}, \"meter_day\": [[\"00:00\", 1]], \"x\": 1}",
         "register_tou[0].x: unknown key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        diag d;
        config *cfg = load(cases[i].entry, &d);
        int found = 0;
        for (int k = 0; k < d.count; k++)
            found |= strstr(d.lines[k], cases[i].want) != NULL;
        if (cfg != NULL || !found)
            fail_msg("case %zu: want \"%s\", got %d lines: %s", i, cases[i].want, d.count, d.count ? d.lines[0] : "");
        config_free(cfg);
    }
}

/* A config with the register maps of two tariffs. */
static config *load_two_maps(const char *first, const char *second)
{
    char entries[2048], a[700], b[700];
    snprintf(a, sizeof a, map_of, first);
    snprintf(b, sizeof b, map_of, second);
    snprintf(entries, sizeof entries, "%s, %s", a, b);
    diag d;
    config *cfg = load(entries, &d);
    assert_non_null(cfg);
    return cfg;
}

static void test_day_table_checked_against_tariff(void **state)
{
    (void)state;
    config *cfg = load_two_maps("same", "weekend");
    regtou m;
    tariff_set ts;
    char why[256];
    int32_t mon = civdate_from_ymd(2026, 1, 5), sat = civdate_from_ymd(2026, 1, 10); /* a Monday, a Saturday */
    assert_int_equal(regtou_find(cfg, "same", &m), GL_OK);
    assert_int_equal(m.slot_reg[0], 4);
    assert_int_equal(m.slot_reg[19 * 4], 1);
    assert_int_equal(m.slot_reg[95], 4);
    tariff_of("same", &ts);
    assert_int_equal(regtou_check(&m, &ts, mon, sat + 1, why, sizeof why), GL_OK);
    assert_int_equal(regtou_find(cfg, "weekend", &m), GL_OK);
    tariff_of("weekend", &ts);
    assert_int_equal(regtou_check(&m, &ts, mon, mon + 4, why, sizeof why), GL_OK); /* weekdays only: matches */
    assert_int_equal(regtou_check(&m, &ts, mon, sat, why, sizeof why), GL_ESTATE);
    assert_non_null(strstr(why, "2026-01-10 at 07:00"));
    assert_non_null(strstr(why, "the meter counts register 3"));
    assert_int_equal(regtou_find(cfg, "demand", &m), GL_ENOTFOUND);
    config_free(cfg);
}

static void test_usage_from_registers(void **state)
{
    (void)state;
    config *cfg = load_two_maps("same", "demand");
    regtou m;
    tariff_set ts;
    reading base = {.present = READING_HAS_IMPORT | READING_HAS_TARIFFS, .tariff_wh = {100, 200, 300, 400}};
    reading end = {.present = READING_HAS_IMPORT | READING_HAS_TARIFFS, .tariff_wh = {150, 200, 1300, 2400}};
    usage_interval u[8];
    int nu = 0;
    char why[256];
    int32_t day = civdate_from_ymd(2026, 1, 5);
    assert_int_equal(regtou_find(cfg, "same", &m), GL_OK);
    tariff_of("same", &ts);
    assert_int_equal(regtou_usage(&m, &ts, day, day + 30, &base, &end, u, 8, &nu, why, sizeof why), GL_OK);
    /* peak did not move: three intervals, in time order, each in its period's first quarter hour */
    static const struct {
        int64_t minute, wh;
    } want[] = {{0, 2000}, {7 * 60, 1000}, {19 * 60, 50}};
    assert_int_equal(nu, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(u[i].start_min, (int64_t)day * 1440 + want[i].minute);
        assert_int_equal(u[i].len_min, 15);
        assert_int_equal(u[i].energy_wh, want[i].wh);
        assert_int_equal(u[i].flags, 0);
    }
    end.tariff_wh[1] = 150; /* a register that went down */
    assert_int_equal(regtou_usage(&m, &ts, day, day + 30, &base, &end, u, 8, &nu, why, sizeof why), GL_ESTATE);
    assert_non_null(strstr(why, "register 2 went down"));
    end.present = READING_HAS_IMPORT;
    assert_int_equal(regtou_usage(&m, &ts, day, day + 30, &base, &end, u, 8, &nu, why, sizeof why), GL_ESTATE);
    assert_non_null(strstr(why, "no tariff registers"));
    end.present |= READING_HAS_TARIFFS;
    end.tariff_wh[1] = 200;
    assert_int_equal(regtou_find(cfg, "demand", &m), GL_OK);
    tariff_of("demand", &ts);
    assert_int_equal(regtou_usage(&m, &ts, day, day + 30, &base, &end, u, 8, &nu, why, sizeof why), GL_ESTATE);
    assert_non_null(strstr(why, "demand charges"));
    config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefer_frozen_edges),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_day_table_checked_against_tariff),
        cmocka_unit_test(test_usage_from_registers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
