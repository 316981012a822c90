/* test_tariff.c: tariff files (good and bad), the TOU calendar, the power
 * factor tables and every tariff worked example of DOMAIN.md as a bill. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gridledger/civdate.h"
#include "gridledger/tariff.h"

static tariff_set TS; /* large: keep off the stack */

#define BJ_RES                                                                                              \
    "{\"id\": \"bj-res\", \"currency\": \"CNY\", \"effective_from\": \"2012-07-01\",\n"                     \
    " \"rounding\": {\"unit\": \"0.01\", \"mode\": \"half_up\", \"per\": \"line\"},\n"                         \
    " \"energy\": {\"rate\": \"0.4883\",\n"                                                                 \
    "   \"tiers\": {\"basis\": \"month\", \"bounds_kwh\": [\"240\", \"400\"], \"adders\": [\"0\", \"0.05\", " \
    "\"0.30\"]}}}"

#define ZJ_TOU                                                                                              \
    "{\"id\": \"zj-res-tou\", \"effective_from\": \"2012-07-01\",\n"                                        \
    " \"energy\": {\"tou\": {\"periods\": {\"peak\": \"0.568\", \"valley\": \"0.288\"},\n"                  \
    "   \"calendar\": [{\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"days\": [\"weekday\",\"weekend\",\"holiday\"],\n" \
    "     \"hours\": [[\"08:00\",\"22:00\",\"peak\"], [\"22:00\",\"08:00\",\"valley\"]]}]},\n"              \
    "   \"tiers\": {\"basis\": \"year\", \"start_month\": 1, \"bounds_kwh\": [\"2760\", \"4800\"],\n"          \
    "     \"adders\": [\"0\", \"0.05\", \"0.30\"]}}}"

static void parse_ok(const char *text)
{
    diag d;
    diag_init(&d);
    gl_status st = tariff_parse("t.json", text, strlen(text), &d, &TS);
    if (st != GL_OK)
        fail_msg("parse: %s: %s", gl_status_name(st), d.count ? d.lines[0] : "(no diag)");
}

static void test_parse_beijing(void **state)
{
    (void)state;
    parse_ok(BJ_RES);
    const tariff_version *v = &TS.versions[0];
    assert_string_equal(TS.id, "bj-res");
    assert_int_equal(TS.nversions, 1);
    assert_string_equal(v->currency, "CNY");
    assert_int_equal(v->from_day, civdate_from_ymd(2012, 7, 1));
    assert_int_equal(v->to_day, TARIFF_NO_END);
    assert_int_equal(v->tou, 0);
    assert_int_equal(v->period_price_micro[0], 488300);
    assert_int_equal(v->tier_basis, TARIFF_TIER_MONTH);
    assert_int_equal(v->ntiers, 3);
    assert_int_equal(v->tier_bounds_wh[0], 240000);
    assert_int_equal(v->tier_bounds_wh[1], 400000);
    assert_int_equal(v->tier_micro[2], 300000);
    assert_int_equal(v->round_unit_fen, 1);
}

static void test_parse_tou_calendar(void **state)
{
    (void)state;
    parse_ok(ZJ_TOU);
    const tariff_version *v = &TS.versions[0];
    assert_int_equal(v->tou, 1);
    assert_int_equal(v->nperiods, 2);
    assert_string_equal(v->period_names[1], "valley");
    assert_int_equal(v->tier_basis, TARIFF_TIER_YEAR);
    /* slot -> period at the edges of the wrapping range */
    static const struct {
        int slot, period;
    } rows[] = {{0, 1}, {31, 1}, {32, 0}, {87, 0}, {88, 1}, {95, 1}};
    int32_t day = civdate_from_ymd(2024, 3, 5);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(tariff_period_at(v, day, rows[i].slot, 0), rows[i].period);
}

/* Weekday, weekend and holiday calendars by month; holidays from the list. */
static void test_parse_daytypes(void **state)
{
    (void)state;
    static const char text[] =
        "{\"id\": \"biz\", \"effective_from\": \"2024-01-01\", \"holidays\": [\"2024-10-01\", \"2024-05-01\"],\n"
        " \"energy\": {\"tou\": {\"periods\": {\"critical\": \"1.2\", \"peak\": \"1.0\", \"flat\": \"0.6\", "
        "\"valley\": \"0.3\", \"deep_valley\": \"0.2\"},\n"
        "  \"calendar\": [\n"
        "   {\"months\": [7,8], \"days\": [\"weekday\"], \"hours\": [[\"00:00\",\"06:00\",\"deep_valley\"], "
        "[\"06:00\",\"08:00\",\"valley\"], [\"08:00\",\"11:15\",\"peak\"], [\"11:15\",\"11:45\",\"critical\"], "
        "[\"11:45\",\"24:00\",\"flat\"]]},\n"
        "   {\"months\": [1,2,3,4,5,6,9,10,11,12], \"days\": [\"weekday\"], \"hours\": [[\"08:00\",\"20:00\",\"peak\"], "
        "[\"20:00\",\"08:00\",\"valley\"]]},\n"
        "   {\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"days\": [\"weekend\"], \"hours\": [[\"00:00\",\"24:00\",\"flat\"]]}\n"
        "  ]}}}";
    parse_ok(text);
    const tariff_version *v = &TS.versions[0];
    assert_int_equal(TS.nholidays, 2);
    assert_int_equal(TS.holidays[0], civdate_from_ymd(2024, 5, 1));
    assert_true(tariff_is_holiday(&TS, civdate_from_ymd(2024, 10, 1)));
    assert_false(tariff_is_holiday(&TS, civdate_from_ymd(2024, 10, 2)));
    static const struct {
        int y, m, d, slot, holiday;
        const char *period;
    } rows[] = {
        {2024, 7, 3, 0, 0, "deep_valley"}, {2024, 7, 3, 23, 0, "deep_valley"}, {2024, 7, 3, 24, 0, "valley"},
        {2024, 7, 3, 44, 0, "peak"},       {2024, 7, 3, 45, 0, "critical"},    {2024, 7, 3, 46, 0, "critical"},
        {2024, 7, 3, 47, 0, "flat"},       {2024, 7, 6, 45, 0, "flat"},        /* Saturday */
        {2024, 7, 7, 0, 0, "flat"},        {2024, 3, 4, 31, 0, "valley"},      {2024, 3, 4, 32, 0, "peak"},
        {2024, 3, 4, 79, 0, "peak"},       {2024, 3, 4, 80, 0, "valley"},      {2024, 10, 1, 40, 1, "flat"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int p = tariff_period_at(v, civdate_from_ymd(rows[i].y, rows[i].m, rows[i].d), rows[i].slot, rows[i].holiday);
        if (strcmp(v->period_names[p], rows[i].period) != 0)
            fail_msg("row %zu: %s, want %s", i, v->period_names[p], rows[i].period);
    }
}

static void test_parse_versions(void **state)
{
    (void)state;
    static const char text[] =
        "{\"versions\": [\n"
        " {\"id\": \"x\", \"effective_from\": \"2023-01-01\", \"energy\": {\"rate\": \"0.5\"}},\n"
        " {\"id\": \"x\", \"effective_from\": \"2024-07-01\", \"effective_to\": \"2024-12-31\", \"energy\": {\"rate\": \"0.6\"},\n"
        "  \"fixed\": \"10\", \"minimum\": \"5\", \"demand\": {\"per_kva\": \"26\"}, \"power_factor\": {\"standard\": \"0.85\"},\n"
        "  \"surcharges\": {\"renewable\": \"0.019\", \"reservoir\": \"0.0062\"}}]}";
    parse_ok(text);
    assert_int_equal(TS.nversions, 2);
    assert_int_equal(TS.versions[0].to_day, civdate_from_ymd(2024, 6, 30));
    assert_int_equal(TS.versions[1].to_day, civdate_from_ymd(2024, 12, 31));
    assert_int_equal(tariff_find_version(&TS, civdate_from_ymd(2022, 12, 31)), -1);
    assert_int_equal(tariff_find_version(&TS, civdate_from_ymd(2024, 6, 30)), 0);
    assert_int_equal(tariff_find_version(&TS, civdate_from_ymd(2024, 7, 1)), 1);
    assert_int_equal(tariff_find_version(&TS, civdate_from_ymd(2025, 1, 1)), -1);
    const tariff_version *v = &TS.versions[1];
    assert_int_equal(v->fixed_micro, 10000000);
    assert_int_equal(v->minimum_micro, 5000000);
    assert_int_equal(v->demand_basis, TARIFF_DEMAND_KVA);
    assert_int_equal(v->demand_micro, 26000000);
    assert_int_equal(v->pf_standard, 85);
    assert_int_equal(v->nsurcharges, 2);
    assert_string_equal(v->surcharge_names[1], "reservoir");
    assert_int_equal(v->surcharge_micro[1], 6200);
}

/* Bad tariffs: each gives exactly this first diagnostic line. */
static void test_parse_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } rows[] = {
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": 0.5}}",
         "t.json:1:64: energy.rate: must be a decimal string like \"12.5\" (not a JSON number)"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\",}}",
         "t.json:1:70: energy: trailing comma before '}'"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-02-30\", \"energy\": {\"rate\": \"0.5\"}}",
         "t.json:1:31: effective_from: must be a date \"YYYY-MM-DD\""},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {}}",
         "t.json:1:55: energy: needs exactly one of \"rate\" and \"tou\""},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"rouding\": {}}",
         "t.json:1:72: rouding: unknown key (did you mean \"rounding\"?)"},
        {"{\"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}}", "t.json:1:1: id: required key is missing"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\", \"tiers\": {\"basis\": "
         "\"month\", \"bounds_kwh\": [\"400\", \"240\"], \"adders\": [\"0\", \"0.05\", \"0.3\"]}}}",
         "t.json:1:121: energy.tiers.bounds_kwh[1]: must be above the bound before it"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\", \"tiers\": {\"basis\": "
         "\"month\", \"bounds_kwh\": [\"240\"], \"adders\": [\"0\"]}}}",
         "t.json:1:132: energy.tiers.adders: must be an array of 2 prices (one per tier)"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"tou\": {\"periods\": {\"p\": \"1\"}, "
         "\"calendar\": [{\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"hours\": [[\"08:00\", \"08:10\", \"p\"]]}]}}}",
         "t.json:1:161: energy.tou.calendar[0].hours[0][1]: must be on a quarter hour (:00, :15, :30, :45)"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"tou\": {\"periods\": {\"p\": \"1\"}, "
         "\"calendar\": [{\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"hours\": [[\"08:00\", \"20:00\", \"p\"]]}]}}}",
         "t.json:1:150: energy.tou.calendar[0].hours: the ranges leave 00:00..00:15 uncovered"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"tou\": {\"periods\": {\"p\": \"1\"}, "
         "\"calendar\": [{\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"hours\": [[\"00:00\", \"24:00\", \"q\"]]}]}}}",
         "t.json:1:170: energy.tou.calendar[0].hours[0][2]: must name a period of energy.tou.periods"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"tou\": {\"periods\": {\"p\": \"1\"}, "
         "\"calendar\": [{\"months\": [1,2,3,4,5,6,7,8,9,10,11], \"hours\": [[\"00:00\", \"24:00\", \"p\"]]}]}}}",
         "t.json:1:99: energy.tou.calendar: month 12 weekday is not covered"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"tou\": {\"periods\": {\"p\": \"1\"}, "
         "\"calendar\": [{\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"hours\": [[\"00:00\", \"24:00\", \"p\"]]}, "
         "{\"months\": [3], \"days\": [\"holiday\"], \"hours\": [[\"22:00\", \"23:00\", \"p\"], [\"22:30\", \"02:00\", \"p\"]]}]}}}",
         "t.json:1:250: energy.tou.calendar[1].hours[1]: overlaps an earlier range at 22:30"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"tou\": {\"periods\": {\"p\": \"1\"}, "
         "\"calendar\": [{\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"hours\": [[\"00:00\", \"24:00\", \"p\"]]}, "
         "{\"months\": [3], \"days\": [\"weekend\"], \"hours\": [[\"00:00\", \"24:00\", \"p\"]]}]}}}",
         "t.json:1:178: energy.tou.calendar[1]: month 3 weekend is already covered by calendar[0]"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"power_factor\": "
         "{\"standard\": \"0.95\"}}",
         "t.json:1:101: power_factor.standard: must be \"0.90\", \"0.85\" or \"0.80\""},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"demand\": {\"per_kw\": "
         "\"1\", \"per_kva\": \"2\"}}",
         "t.json:1:82: demand: needs at most one of \"per_kw\" and \"per_kva\""},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"demand\": {}}",
         "t.json:1:82: demand: needs \"per_kw\", \"per_kva\", \"per_kvar\" or \"tou\""},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"demand\": {\"tou\": "
         "{\"periods\": {\"on\": \"12\"}, \"calendar\": [{\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"hours\": "
         "[[\"00:00\", \"24:00\", \"energy\"]]}]}}}",
         "t.json:1:199: demand.tou.calendar[0].hours[0][2]: must name a period of demand.tou.periods"},
        {"{\"versions\": [{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"effective_to\": \"2024-06-30\", \"energy\": "
         "{\"rate\": \"0.5\"}}, {\"id\": \"a\", \"effective_from\": \"2024-06-01\", \"energy\": {\"rate\": \"0.6\"}}]}",
         "t.json:1:147: versions[1].effective_from: overlaps versions[0], in force until its effective_to"},
        {"{\"versions\": [{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}}, "
         "{\"id\": \"b\", \"effective_from\": \"2024-06-01\", \"energy\": {\"rate\": \"0.6\"}}]}",
         "t.json:1:94: versions[1].id: must equal versions[0].id \"a\""},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"rounding\": {\"unit\": "
         "\"0.05\"}}",
         "t.json:1:93: rounding.unit: must be \"0.01\", \"0.1\" or \"1\""},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"-0.5\"}}",
         "t.json:1:64: energy.rate: must be 0..100000"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"tou\": {\"periods\": {\"p\": \"1\"}, "
         "\"calendar\": [{\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"hours\": [[\"00:00\", \"24:00\", \"p\"]]}]}, \"tiers\": {\"basis\": \"year\", \"bounds_kwh\": [\"1\"], \"rates\": [\"1\", \"2\"]}}}",
         "t.json:1:189: energy.tiers: per-tier \"rates\" cannot go with \"tou\"; use \"adders\""},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"demand\": {\"tou\": "
         "{\"periods\": {\"on\": {\"bounds_kw\": [\"100\"], \"rates\": [\"10\"]}}, \"calendar\": [{\"months\": "
         "[1,2,3,4,5,6,7,8,9,10,11,12], \"hours\": [[\"00:00\", \"24:00\", \"on\"]]}]}}}",
         "t.json:1:141: demand.tou.periods.on.rates: must be an array of 2 prices (one per tier)"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"demand\": {\"tou\": "
         "{\"periods\": {\"on\": {\"bounds_kw\": [\"100\", \"100\"], \"rates\": [\"10\", \"9\", \"8\"]}}, "
         "\"calendar\": [{\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"hours\": [[\"00:00\", \"24:00\", \"on\"]]}]}}}",
         "t.json:1:131: demand.tou.periods.on.bounds_kw[1]: must be above the bound before it"},
        /* periods with their own tiers: only a seasonal rate (one period a month), without energy.tiers */
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"tou\": {\"periods\": {\"s\": "
         "{\"bounds_kwh\": [\"500\"], \"rates\": [\"0.2\", \"0.3\"]}, \"w\": \"0.1\"}, \"calendar\": [{\"months\": "
         "[1,2,3,4,5,6,7,8,9,10,11,12], \"hours\": [[\"00:00\", \"12:00\", \"s\"], [\"12:00\", \"24:00\", \"w\"]]}]}}}",
         "t.json:1:55: energy: periods with their own tiers: each month must use one period (a seasonal rate)"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"tou\": {\"periods\": {\"s\": "
         "{\"bounds_kwh\": [\"500\"], \"rates\": [\"0.2\", \"0.3\"]}}, \"calendar\": [{\"months\": "
         "[1,2,3,4,5,6,7,8,9,10,11,12], \"hours\": [[\"00:00\", \"24:00\", \"s\"]]}]}, \"tiers\": {\"basis\": "
         "\"month\", \"bounds_kwh\": [\"240\"], \"adders\": [\"0\", \"0.05\"]}}}",
         "t.json:1:55: energy: periods with their own tiers cannot go with \"tiers\""},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"fixed_unit\": \"week\", "
         "\"fixed\": \"1\"}",
         "t.json:1:86: fixed_unit: must be one of month|day|year"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"minimum_unit\": \"day\"}",
         "t.json:1:88: minimum_unit: needs \"minimum\""},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"demand\": {\"per_kw\": "
         "\"1\", \"window_min\": 45}}",
         "t.json:1:112: demand.window_min: must be 15, 30 or 60"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"demand\": {\"per_kw\": "
         "\"1\", \"window\": \"rolling\"}}",
         "t.json:1:108: demand.window: needs \"window_min\""},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"surcharges\": {\"fuel\": "
         "[\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\"]}}",
         "t.json:1:95: surcharges.fuel: must be a price or 12 prices (January..December)"},
        /* a negative adder (declining block) must not take a price below 0 */
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\", \"tiers\": {\"basis\": "
         "\"month\", \"bounds_kwh\": [\"240\"], \"adders\": [\"0\", \"-0.500001\"]}}}",
         "t.json:1:80: energy.tiers: tier 2: energy's price + adder must be 0..100000"},
        /* numbers far outside int's range: refused before any cast (UBSan float-cast-overflow before) */
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"tou\": {\"periods\": {\"p\": \"1\"}, "
         "\"calendar\": [{\"months\": [1e300], \"hours\": [[\"00:00\", \"24:00\", \"p\"]]}]}}}",
         "t.json:1:112: energy.tou.calendar[0].months[0]: must be an integer 1..12"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"tou\": {\"periods\": {\"p\": \"1\"}, "
         "\"calendar\": [{\"months\": [-3e9], \"hours\": [[\"00:00\", \"24:00\", \"p\"]]}]}}}",
         "t.json:1:112: energy.tou.calendar[0].months[0]: must be an integer 1..12"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\", \"tiers\": {\"basis\": "
         "\"year\", \"start_month\": 1e300, \"bounds_kwh\": [\"240\"], \"adders\": [\"0\", \"0.05\"]}}}",
         "t.json:1:113: energy.tiers.start_month: must be an integer"},
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\", \"tiers\": {\"basis\": "
         "\"year\", \"start_month\": -1e19, \"bounds_kwh\": [\"240\"], \"adders\": [\"0\", \"0.05\"]}}}",
         "t.json:1:113: energy.tiers.start_month: must be an integer"},
        /* ratchet without a flat demand charge */
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"demand\": {\"per_kva\": \"5\", \"ratchet\": {\"percent\": \"80\", \"months\": 11}}}",
         "t.json:1:82: demand: a \"ratchet\" needs \"per_kw\" or energy tiers per kW: it sets the billing demand"},
        /* ratchet over 13 months */
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"demand\": {\"per_kw\": \"5\", \"ratchet\": {\"percent\": \"80\", \"months\": 13}}}",
         "t.json:1:137: demand.ratchet.months: must be 1..12"},
        /* ratchet of 180 % */
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"demand\": {\"per_kw\": \"5\", \"ratchet\": {\"percent\": \"180\", \"months\": 3}}}",
         "t.json:1:121: demand.ratchet.percent: must be 0..100"},
        /* demand tier bounds not ascending */
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"demand\": {\"per_kw\": {\"bounds_kw\": [\"100\", \"50\"], \"rates\": [\"1\", \"2\", \"3\"]}}}",
         "t.json:1:115: demand.per_kw.bounds_kw[1]: must be above the bound before it"},
        /* per_kw neither a price, a ladder nor 12 */
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"demand\": {\"per_kw\": [\"1\", \"2\"]}}",
         "t.json:1:93: demand.per_kw: must be a price, a tier ladder or 12 of them (January..December)"},
        /* unknown tier basis */
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\", \"tiers\": {\"basis\": \"kw\", \"bounds_kwh\": [\"200\"], \"rates\": [\"0.1\", \"0.05\"]}}}",
         "t.json:1:90: energy.tiers.basis: must be one of month|year|day|per_kw"},
        /* annual minimum as a JSON number */
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"annual_minimum\": 100}",
         "t.json:1:90: annual_minimum: must be a decimal string like \"12.5\" (not a JSON number)"},
        /* ratchet month 13 */
        {"{\"id\": \"a\", \"effective_from\": \"2024-01-01\", \"energy\": {\"rate\": \"0.5\"}, \"demand\": {\"per_kw\": \"5\", \"ratchet\": {\"percent\": \"80\", \"months\": 3, \"only_months\": [13]}}}",
         "t.json:1:156: demand.ratchet.only_months[0]: must be an integer 1..12"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        diag d;
        diag_init(&d);
        gl_status st = tariff_parse("t.json", rows[i].text, strlen(rows[i].text), &d, &TS);
        if (st == GL_OK || d.count == 0)
            fail_msg("row %zu: accepted", i);
        if (strcmp(d.lines[0], rows[i].want) != 0)
            fail_msg("row %zu:\n got  %s\n want %s", i, d.lines[0], rows[i].want);
    }
}

/* The 1983 tables: (standard, pf) -> basis points. */
static void test_pf_tables(void **state)
{
    (void)state;
    static const int rows[][3] = {
        {90, 100, -75}, {90, 95, -75}, {90, 94, -60}, {90, 91, -15}, {90, 90, 0},    {90, 89, 50},
        {90, 80, 500},  {90, 70, 1000}, {90, 69, 1100}, {90, 65, 1500}, {90, 64, 1700}, {90, 60, 2500},
        {85, 100, -110}, {85, 94, -110}, {85, 93, -95}, {85, 91, -65}, {85, 90, -50}, {85, 86, -10},
        {85, 85, 0},    {85, 84, 50},   {85, 65, 1000}, {85, 60, 1500}, {85, 59, 1700}, {80, 100, -130},
        {80, 92, -130}, {80, 91, -115}, {80, 90, -100}, {80, 81, -10}, {80, 80, 0},   {80, 79, 50},
        {80, 60, 1000}, {80, 55, 1500}, {80, 54, 1700},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int bp = 0;
        assert_int_equal(tariff_pf_adjust_bp(rows[i][0], rows[i][1], &bp), GL_OK);
        if (bp != rows[i][2])
            fail_msg("standard %d pf %d: %d bp, want %d", rows[i][0], rows[i][1], bp, rows[i][2]);
    }
    int bp;
    assert_int_equal(tariff_pf_adjust_bp(95, 90, &bp), GL_EINVAL);
    assert_int_equal(tariff_pf_adjust_bp(90, 101, &bp), GL_EINVAL);
}

/* Power factor from kWh and kvarh, rounded half-up at two decimals. */
static void test_pf_value(void **state)
{
    (void)state;
    static const struct {
        int64_t p, q;
        int pf;
    } rows[] = {
        {0, 0, 100},       {1000, 0, 100},        {0, 1000, 0},       {3000, 4000, 60},     {4000, 3000, 80},
        {1000, 1000, 71},  /* 0.7071 */           {9000, 4359, 90},   /* 0.89998 -> 0.90 */
        {9000, 4400, 90},  /* 0.8984 -> 0.90 */   {9000, 4420, 90},   /* 0.89757 -> 0.90 */
        {9000, 4480, 90},  /* 0.89521 -> 0.90 */  {9000, 4500, 89},   /* 0.89443 -> 0.89 */
        {2000000000000LL, 968644209638LL, 90}, /* 0.9 exactly enough, large values */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int pf = tariff_pf_hundredths(rows[i].p, rows[i].q);
        if (pf != rows[i].pf)
            fail_msg("row %zu: pf %d, want %d", i, pf, rows[i].pf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_beijing),  cmocka_unit_test(test_parse_tou_calendar),
        cmocka_unit_test(test_parse_daytypes), cmocka_unit_test(test_parse_versions),
        cmocka_unit_test(test_parse_errors),   cmocka_unit_test(test_pf_tables),
        cmocka_unit_test(test_pf_value),
    };
    return cmocka_run_group_tests_name("tariff", tests, NULL, NULL);
}
