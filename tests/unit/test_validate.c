/* test_validate.c: plausibility checks of readings, as sequences of polls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "validate.h"

/* One poll: what the meter answered, and what validation must make of it. */
struct poll {
    int64_t ts;
    reading_status st_in;
    int64_t import_wh;
    int64_t power_w;
    reading_status st_out;
    uint32_t flags;
    validate_event ev;
};

struct seq_case {
    const char *what;
    int64_t max_power_w;
    int offline_after;
    int npolls;
    struct poll polls[6];
};

#define OK READING_OK
#define OFF READING_OFFLINE
#define NONE VALIDATE_EVENT_NONE

static void test_sequences(void **state)
{
    (void)state;
    static const struct seq_case cases[] = {
        {"steady use, no flags", 10000, 3, 3,
         {{0, OK, 1000000, 1000, OK, 0, NONE}, {900, OK, 1000250, 1000, OK, 0, NONE},
          {1800, OK, 1000500, 1000, OK, 0, NONE}}},
        {"decrease flagged once, new baseline after (meter replaced)", 10000, 3, 3,
         {{0, OK, 1000000, 0, OK, 0, NONE}, {900, OK, 10, 0, OK, READING_FLAG_DECREASE, NONE},
          {1800, OK, 20, 0, OK, 0, NONE}}},
        {"float32 rounding is not a decrease", 10000, 3, 2,
         {{0, OK, 12345678, 0, OK, 0, NONE}, {900, OK, 12345677, 0, OK, 0, NONE}}},
        {"jump above max power x time flagged and held", 10000, 3, 2,
         {{0, OK, 1000000, 0, OK, 0, NONE},
          {900, OK, 1002600, 0, OK, READING_FLAG_JUMP | READING_FLAG_HELD, NONE}}},
        {"exactly max power x time is fine", 10000, 3, 2,
         {{0, OK, 1000000, 0, OK, 0, NONE}, {900, OK, 1002500, 0, OK, 0, NONE}}},
        {"stuck counter while power flows", 10000, 3, 2,
         {{0, OK, 1000000, 2000, OK, 0, NONE}, {900, OK, 1000000, 2000, OK, READING_FLAG_STUCK, NONE}}},
        {"unchanged counter at no load is not stuck", 10000, 3, 2,
         {{0, OK, 1000000, 0, OK, 0, NONE}, {900, OK, 1000000, 0, OK, 0, NONE}}},
        {"offline after 3 silent polls, one event, back online", 10000, 3, 6,
         {{0, OK, 1000000, 0, OK, 0, NONE}, {900, OFF, 0, 0, OFF, 0, NONE}, {1800, OFF, 0, 0, OFF, 0, NONE},
          {2700, OFF, 0, 0, OFF, 0, VALIDATE_EVENT_OFFLINE}, {3600, OFF, 0, 0, OFF, 0, NONE},
          {4500, OK, 1000000, 0, OK, 0, VALIDATE_EVENT_ONLINE}}},
        {"an answer resets the silent count", 10000, 2, 4,
         {{0, OFF, 0, 0, OFF, 0, NONE}, {900, OK, 5000, 0, OK, 0, NONE}, {1800, OFF, 0, 0, OFF, 0, NONE},
          {2700, OFF, 0, 0, OFF, 0, VALIDATE_EVENT_OFFLINE}}},
        {"negative import energy rejected: error", 10000, 3, 1, {{0, OK, -5, 0, READING_ERROR, READING_FLAG_RANGE, NONE}}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct seq_case *c = &cases[i];
        validate_state st;
        memset(&st, 0, sizeof st);
        for (int k = 0; k < c->npolls; k++) {
            const struct poll *p = &c->polls[k];
            reading r;
            memset(&r, 0, sizeof r);
            r.ts = p->ts;
            r.status = p->st_in;
            r.nphases = 1;
            if (p->st_in == OK) {
                r.present = READING_HAS_IMPORT | READING_HAS_POWER;
                r.import_wh = p->import_wh;
                r.power_w = p->power_w;
            }
            validate_event ev = validate_reading(&st, c->max_power_w, c->offline_after, &r);
            if (ev != p->ev || r.status != p->st_out || r.flags != p->flags)
                fail_msg("%s, poll %d: event %s status %d flags 0x%x", c->what, k, validate_event_name(ev),
                         (int)r.status, r.flags);
        }
    }
}

struct range_case {
    const char *what;
    uint32_t has;
    int32_t voltage_dv, current_ma, pf_milli, freq_chz;
    int64_t power_w;
    uint32_t has_after;
};

static void test_ranges(void **state)
{
    (void)state;
    static const struct range_case cases[] = {
        {"all plausible", READING_HAS_VOLTAGE | READING_HAS_CURRENT | READING_HAS_PF | READING_HAS_FREQ, 2301, 5000,
         980, 5000, 0, READING_HAS_VOLTAGE | READING_HAS_CURRENT | READING_HAS_PF | READING_HAS_FREQ},
        {"voltage 700 V rejected", READING_HAS_VOLTAGE, 7000, 0, 0, 0, 0, 0},
        {"negative current rejected", READING_HAS_CURRENT, 0, -1, 0, 0, 0, 0},
        {"pf 1.2 rejected", READING_HAS_PF, 0, 0, 1200, 0, 0, 0},
        {"frequency 0 Hz rejected", READING_HAS_FREQ, 0, 0, 0, 0, 0, 0},
        {"power beyond twice max rejected", READING_HAS_POWER, 0, 0, 0, 0, 25000, 0},
        {"export power (negative) within max kept", READING_HAS_POWER, 0, 0, 0, 0, -5000, READING_HAS_POWER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct range_case *c = &cases[i];
        validate_state st;
        reading r;
        memset(&st, 0, sizeof st);
        memset(&r, 0, sizeof r);
        r.nphases = 1;
        r.present = c->has | READING_HAS_IMPORT;
        r.import_wh = 1000;
        r.voltage_dv[0] = c->voltage_dv;
        r.current_ma[0] = c->current_ma;
        r.pf_milli = c->pf_milli;
        r.freq_chz = c->freq_chz;
        r.power_w = c->power_w;
        validate_reading(&st, 10000, 3, &r);
        reading_status want = c->has == c->has_after ? READING_OK : READING_ERROR;
        if ((r.present & ~(uint32_t)READING_HAS_IMPORT) != c->has_after || r.status != want ||
            ((c->has != c->has_after) != ((r.flags & READING_FLAG_RANGE) != 0)))
            fail_msg("%s: present 0x%x flags 0x%x", c->what, r.present, r.flags);
    }
}

/* Garbage answers in a row (error_after = 3): one event at the third, none
 * while it goes on, silent polls neither count nor clear, the first good
 * reading clears it; an offline/online event goes first and the garbage
 * event waits a poll. Rows: a string of polls, e = error answer, o = good,
 * s = silent; the events expected at each poll. */
static void test_garbage(void **state)
{
    (void)state;
    static const struct {
        const char *polls, *events; /* events: . none, G garbage, S sane, F offline, N online */
    } cases[] = {
        {"ee", ".."},
        {"eee", "..G"},
        {"eeeeeo", "..G..S"},
        {"eeoeeo", "......"},
        {"eesse", "....G"},
        {"eeeso", "..G.S"},
        {"eeesssee", "..G..F N."},
        {"eesssoeee", "....F N..G"},
        {"sssee", "..F N."},
        {"ssseee", "..F N.G"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        validate_state st;
        char got[32] = "";
        size_t n = 0;
        memset(&st, 0, sizeof st);
        for (const char *p = cases[i].polls; *p; p++) {
            reading r;
            memset(&r, 0, sizeof r);
            r.nphases = 1;
            r.status = *p == 'e' ? READING_ERROR : *p == 's' ? READING_OFFLINE : READING_OK;
            r.present = READING_HAS_IMPORT;
            r.import_wh = 1000;
            r.ts = 900 * (int64_t)(p - cases[i].polls);
            validate_event ev = validate_reading(&st, 10000, 3, &r);
            ev = validate_garbage(&st, 3, ev, &r);
            static const char marks[] = ".FNGS";
            got[n++] = ev == VALIDATE_EVENT_ONLINE ? ' ' : marks[ev]; /* "F N": offline, then online */
            if (ev == VALIDATE_EVENT_ONLINE)
                got[n++] = 'N';
        }
        got[n] = '\0';
        if (strcmp(got, cases[i].events) != 0)
            fail_msg("%s: events \"%s\", want \"%s\"", cases[i].polls, got, cases[i].events);
    }
}

/* A jump holds the meter: that reading and every later one carry HELD
 * (also when they rise normally from the new value) until validate_confirm;
 * a rise just within max power x time is neither (the boundary). */
static void test_jump_held(void **state)
{
    (void)state;
    static const struct {
        int64_t import_wh;
        int confirm_before;
        uint32_t flags;
    } rows[] = {
        {1000000, 0, 0},                                           /* baseline */
        {1000000 + 10000 * 900 / 3600 + 2, 0, 0},                  /* 10 kW x 15 min + slack: ok */
        {1000000 + 10000 * 900 / 3600 + 2 + 1000000000, 0, READING_FLAG_JUMP | READING_FLAG_HELD},
        {1000000 + 10000 * 900 / 3600 + 2 + 1000000000 + 100, 0, READING_FLAG_HELD}, /* normal rise, still held */
        {1000000 + 10000 * 900 / 3600 + 2 + 1000000000 + 200, 0, READING_FLAG_HELD},
        {1000000 + 10000 * 900 / 3600 + 2 + 1000000000 + 300, 1, 0}, /* confirmed: normal again */
        {1000000 + 10000 * 900 / 3600 + 2 + 1000000000 + 300 + 2700, 0, READING_FLAG_JUMP | READING_FLAG_HELD},
    };
    validate_state st;
    memset(&st, 0, sizeof st);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        reading r;
        memset(&r, 0, sizeof r);
        r.nphases = 1;
        r.status = READING_OK;
        r.present = READING_HAS_IMPORT;
        r.import_wh = rows[i].import_wh;
        r.ts = 900 * (int64_t)i;
        if (rows[i].confirm_before)
            validate_confirm(&st);
        validate_reading(&st, 10000, 3, &r);
        if (r.flags != rows[i].flags)
            fail_msg("row %zu: flags 0x%x, want 0x%x", i, r.flags, rows[i].flags);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequences),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_jump_held),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
