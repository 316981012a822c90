/* test_bo_outage.c: the planned-outage notice schedule as a table of cases
 * (offsets, quiet hours before and across midnight, a confirmation inside
 * the quiet hours, a month and a year wrapping, plans too late for some
 * notices), in Asia/Shanghai (no DST) and in a DST zone; local times parsed
 * strictly; the texts filled with the outage's fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../tools/backoffice/bo_outage.h"

static long long at(const char *s)
{
    long long t = 0;
    assert_int_equal(bo_outage_parse_time(s, &t), GL_OK);
    return t;
}

static void set_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

typedef struct sched_case {
    const char *name, *tz;
    int days[BO_OUTAGE_DAYS_MAX], ndays, confirm;
    const char *quiet_from, *quiet_to; /* NULL: none */
    const char *start, *now;
    const char *want; /* "kind days due state;..." (state: on_time, late, skipped) */
} sched_case;

static const sched_case cases[] = {
    {"default offsets, daytime", "Asia/Shanghai", {15, 7}, 2, 30, "21:00", "08:00", "2027-03-20T10:00",
     "2027-01-01T00:00",
     "notice 15 2027-03-05 10:00 on_time;notice 7 2027-03-13 10:00 on_time;confirm 0 2027-03-20 09:30 on_time"},
    {"month wraps (March to February, not a leap year)", "Asia/Shanghai", {15, 7}, 2, 30, NULL, NULL,
     "2027-03-05T14:00", "2027-01-01T00:00",
     "notice 15 2027-02-18 14:00 on_time;notice 7 2027-02-26 14:00 on_time;confirm 0 2027-03-05 13:30 on_time"},
    {"leap year February", "Asia/Shanghai", {15, 7}, 2, 30, NULL, NULL, "2028-03-05T14:00", "2028-01-01T00:00",
     "notice 15 2028-02-19 14:00 on_time;notice 7 2028-02-27 14:00 on_time;confirm 0 2028-03-05 13:30 on_time"},
    {"year wraps", "Asia/Shanghai", {15, 7}, 2, 30, NULL, NULL, "2027-01-03T09:00", "2026-12-01T00:00",
     "notice 15 2026-12-19 09:00 on_time;notice 7 2026-12-27 09:00 on_time;confirm 0 2027-01-03 08:30 on_time"},
    {"an early outage: day notices before the quiet hours of the evening before, confirmation in them",
     "Asia/Shanghai", {15, 7}, 2, 30, "21:00", "08:00", "2027-01-20T07:00", "2027-01-01T12:00",
     "notice 15 2027-01-04 20:59 on_time;notice 7 2027-01-12 20:59 on_time;confirm 0 2027-01-20 06:30 on_time"},
    {"a late evening outage: day notices moved back to 20:59 the same day", "Asia/Shanghai", {15, 7}, 2, 30,
     "21:00", "08:00", "2027-01-20T22:30", "2027-01-01T12:00",
     "notice 15 2027-01-05 20:59 on_time;notice 7 2027-01-13 20:59 on_time;confirm 0 2027-01-20 22:00 on_time"},
    {"quiet hours not across midnight (lunch)", "Asia/Shanghai", {15}, 1, 30, "12:00", "14:00",
     "2027-06-20T13:00", "2027-01-01T12:00", "notice 15 2027-06-05 11:59 on_time;confirm 0 2027-06-20 12:30 on_time"},
    {"quiet hours from midnight: moved to 23:59 the day before", "Asia/Shanghai", {7}, 1, 30, "00:00", "06:00",
     "2027-06-20T05:00", "2027-01-01T12:00", "notice 7 2027-06-12 23:59 on_time;confirm 0 2027-06-20 04:30 on_time"},
    {"configured offsets 30/10/3 days, confirmation 60 minutes", "Asia/Shanghai", {30, 10, 3}, 3, 60, NULL, NULL,
     "2027-05-31T09:00", "2027-01-01T00:00",
     "notice 30 2027-05-01 09:00 on_time;notice 10 2027-05-21 09:00 on_time;notice 3 2027-05-28 09:00 on_time;"
     "confirm 0 2027-05-31 08:00 on_time"},
    {"no confirmation (confirm_minutes 0)", "Asia/Shanghai", {15, 7}, 2, 0, NULL, NULL, "2027-05-31T09:00",
     "2027-01-01T00:00", "notice 15 2027-05-16 09:00 on_time;notice 7 2027-05-24 09:00 on_time"},
    {"planned 10 days ahead: the 15-day notice goes at once, the 7-day one on time", "Asia/Shanghai", {15, 7}, 2,
     30, NULL, NULL, "2027-03-11T10:00", "2027-03-01T10:00",
     "notice 15 2027-03-01 10:00 late;notice 7 2027-03-04 10:00 on_time;confirm 0 2027-03-11 09:30 on_time"},
    {"planned 3 days ahead: 15 skipped, 7 at once", "Asia/Shanghai", {15, 7}, 2, 30, NULL, NULL,
     "2027-03-04T10:00", "2027-03-01T10:00",
     "notice 15 2027-02-17 10:00 skipped;notice 7 2027-03-01 10:00 late;confirm 0 2027-03-04 09:30 on_time"},
    {"planned 20 minutes ahead: only the confirmation, at once", "Asia/Shanghai", {15, 7}, 2, 30, NULL, NULL,
     "2027-03-01T10:20", "2027-03-01T10:00",
     "notice 15 2027-02-14 10:20 skipped;notice 7 2027-02-22 10:20 skipped;confirm 0 2027-03-01 10:00 late"},
    {"exactly on time is late (due == now): sent at once", "Asia/Shanghai", {15, 7}, 2, 30, NULL, NULL,
     "2027-03-16T10:00", "2027-03-01T10:00",
     "notice 15 2027-03-01 10:00 late;notice 7 2027-03-09 10:00 on_time;confirm 0 2027-03-16 09:30 on_time"},
    {"DST zone: same wall time across the spring change", "Europe/Berlin", {15, 7}, 2, 30, NULL, NULL,
     "2027-04-05T10:00", "2027-01-01T00:00",
     "notice 15 2027-03-21 10:00 on_time;notice 7 2027-03-29 10:00 on_time;confirm 0 2027-04-05 09:30 on_time"},
};

static const char *state_name(bo_outage_slot_state s)
{
    return s == BO_SLOT_ON_TIME ? "on_time" : s == BO_SLOT_LATE ? "late" : "skipped";
}

static int minutes(const char *hhmm)
{
    return hhmm ? atoi(hhmm) * 60 + atoi(hhmm + 3) : 0;
}

static void test_schedule(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const sched_case *c = &cases[i];
        bo_outages_cfg cfg;
        bo_outage_slot slot[BO_OUTAGE_SLOTS_MAX];
        char got[512] = "", when[BO_OUTAGE_TIME_MAX];
        set_tz(c->tz);
        bo_outages_defaults(&cfg);
        cfg.ndays = c->ndays;
        memcpy(cfg.days, c->days, sizeof cfg.days);
        cfg.confirm_minutes = c->confirm;
        int n = bo_outage_schedule(&cfg, at(c->start), at(c->now), minutes(c->quiet_from), minutes(c->quiet_to), slot,
                                   BO_OUTAGE_SLOTS_MAX);
        for (int k = 0; k < n; k++) {
            bo_outage_format_time(slot[k].due, when);
            char item[64];
            snprintf(item, sizeof item, "%s%.7s %d %.16s %s", k ? ";" : "", slot[k].kind, slot[k].days, when,
                     state_name(slot[k].state));
            assert_true(strlen(got) + strlen(item) < sizeof got);
            strcat(got, item);
            if (slot[k].state != BO_SLOT_ON_TIME || slot[k].due != slot[k].planned)
                assert_true(slot[k].note[0] != '\0'); /* why it differs is said */
            if (slot[k].state == BO_SLOT_ON_TIME)
                assert_true(slot[k].due <= slot[k].planned); /* never later than planned */
        }
        if (strcmp(got, c->want) != 0)
            fail_msg("%s\n got:  %s\n want: %s", c->name, got, c->want);
    }
    set_tz("Asia/Shanghai");
}

static void test_parse_time(void **state)
{
    static const struct {
        const char *s;
        int ok;
    } cases_t[] = {
        {"2027-01-20T07:00", 1}, {"2027-01-20 07:00", 1}, {"2028-02-29T00:00", 1}, {"2027-02-29T00:00", 0},
        {"2027-02-30T08:00", 0}, {"2027-01-20T24:00", 0}, {"2027-01-20T07:60", 0}, {"2027-13-01T07:00", 0},
        {"2027-1-20T07:00", 0},  {"2027-01-20T07:00:00", 0}, {"2027-01-20", 0},   {"", 0},
        {"2027/01/20T07:00", 0}, {"2027-01-20T7:00 ", 0}, {"0227-03-05T14:00", 0}, {"1969-12-31T23:59", 0},
        {"2026-02-31 10:00", 0}, {"2026-02-31T10:00", 0},
    };
    (void)state;
    set_tz("Asia/Shanghai");
    for (size_t i = 0; i < sizeof cases_t / sizeof cases_t[0]; i++) {
        long long t = 0;
        char back[BO_OUTAGE_TIME_MAX];
        gl_status st = bo_outage_parse_time(cases_t[i].s, &t);
        if (!cases_t[i].ok) {
            if (st != GL_ESYNTAX)
                fail_msg("accepted %s", cases_t[i].s);
            continue;
        }
        assert_int_equal(st, GL_OK);
        bo_outage_format_time(t, back);
        assert_memory_equal(back, cases_t[i].s, 10);
        assert_string_equal(back + 11, cases_t[i].s + 11);
    }
    assert_true(at("2027-01-20T08:00") - at("2027-01-20T00:00") == 8 * 3600);
    assert_true(at("2027-01-01T00:00") == 1798732800LL); /* 2026-12-31T16:00Z */
}

static void test_render(void **state)
{
    char out[1024], why[160];
    bo_outages_cfg cfg;
    bo_outage_fields f = {"C-0001", "Li Si", "TQ-01", "2027-01-20 07:00", "2027-01-20 17:00", "line works",
                          "2027-01-19 07:00", "2027-01-19 17:00", 15};
    (void)state;
    bo_outages_defaults(&cfg);
    assert_int_equal(bo_outage_render(bo_outage_template(&cfg, "move", "en"), &f, out, sizeof out, why, sizeof why),
                     GL_OK);
    assert_string_equal(out, "Power company: Li Si (C-0001): the planned outage in TQ-01 moves from "
                             "2027-01-19 07:00-2027-01-19 17:00 to 2027-01-20 07:00-2027-01-20 17:00 (line works).");
    snprintf(cfg.templates[0].key, sizeof cfg.templates[0].key, "notice.en");
    snprintf(cfg.templates[0].text, sizeof cfg.templates[0].text, "{days} days: {area} {{off} {from}");
    cfg.ntemplates = 1;
    assert_int_equal(bo_outage_render(bo_outage_template(&cfg, "notice", "en"), &f, out, sizeof out, why, sizeof why),
                     GL_OK);
    assert_string_equal(out, "15 days: TQ-01 {off} 2027-01-20 07:00");
    assert_int_equal(bo_outage_check("{start}", why, sizeof why), GL_ESYNTAX);
    assert_string_equal(why, "unknown field {start}");
    assert_int_equal(bo_outage_template_key_ok("confirm.zh"), 1);
    assert_int_equal(bo_outage_template_key_ok("confirm.fr"), 0);
    assert_int_equal(bo_outage_template_key_ok("sms.en"), 0);
    assert_null(bo_outage_template(&cfg, "sms", "en"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule),
        cmocka_unit_test(test_parse_time),
        cmocka_unit_test(test_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
