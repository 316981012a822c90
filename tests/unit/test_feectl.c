/* test_feectl.c: prepaid balance charging, low-balance alerts, notice then
 * cut outside no-cut windows, reconnection after a top-up, emergency credit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gridledger/feectl.h"
#include "ledger_rows.h"

static int64_t M(const char *s)
{
    int32_t d = 0;
    if (s == NULL)
        return -1;
    if (civdate_parse(s, 10, &d) != GL_OK || s[10] != 'T')
        fail_msg("bad minute %s", s);
    return (int64_t)d * CIVDATE_MINUTES_PER_DAY + ((s[11] - '0') * 10 + (s[12] - '0')) * 60 +
           (s[14] - '0') * 10 + (s[15] - '0');
}

struct fc_case {
    const char *what;
    const char *balance, *emergency;
    int supply_on, warned;
    const char *now, *notice, *topup;
    feectl_action want;
    int want_level;
    const char *want_at;
};

static void test_decisions(void **state)
{
    (void)state;
    static const struct fc_case cases[] = {
        {"plenty: nothing", "80.00", "0", 1, 0, "2026-03-02T10:00", NULL, NULL, FEECTL_NONE, 0, "2026-03-02T10:00"},
        {"at 50.00: first alert", "50.00", "0", 1, 0, "2026-03-02T10:00", NULL, NULL, FEECTL_WARN, 1, "2026-03-02T10:00"},
        {"first alert already sent", "45.00", "0", 1, 1, "2026-03-02T10:00", NULL, NULL, FEECTL_NONE, 0,
         "2026-03-02T10:00"},
        {"falls past two thresholds: the deepest", "9.99", "0", 1, 1, "2026-03-02T10:00", NULL, NULL, FEECTL_WARN, 3,
         "2026-03-02T10:00"},
        {"zero: notice first", "0.00", "0", 1, 3, "2026-03-02T10:00", NULL, NULL, FEECTL_NOTICE, 0, "2026-03-02T10:00"},
        {"notice 10 min ago: cut 30 min after it", "-0.50", "0", 1, 3, "2026-03-02T10:00", "2026-03-02T09:50", NULL,
         FEECTL_DISCONNECT, 0, "2026-03-02T10:20"},
        {"late in the day: next morning", "-0.50", "0", 1, 3, "2026-03-02T16:50", "2026-03-02T16:45", NULL,
         FEECTL_DISCONNECT, 0, "2026-03-03T08:30"},
        {"Saturday: Monday morning", "-0.50", "0", 1, 3, "2026-03-07T10:00", "2026-03-07T09:00", NULL,
         FEECTL_DISCONNECT, 0, "2026-03-09T08:30"},
        {"emergency credit 10.00: -5.00 still on, alert", "-5.00", "10.00", 1, 0, "2026-03-02T10:00", NULL, NULL,
         FEECTL_WARN, 3, "2026-03-02T10:00"},
        {"emergency credit used up: notice", "-10.00", "10.00", 1, 3, "2026-03-02T10:00", NULL, NULL, FEECTL_NOTICE, 0,
         "2026-03-02T10:00"},
        {"off, topped up: reconnect within 10 min", "30.00", "0", 0, 3, "2026-03-07T22:00", NULL, "2026-03-07T21:58",
         FEECTL_RECONNECT, 0, "2026-03-07T22:08"},
        {"off, still at zero: stays off", "0.00", "0", 0, 3, "2026-03-07T22:00", NULL, NULL, FEECTL_NONE, 0,
         "2026-03-07T22:00"},
    };
    feectl_cfg cfg;
    feectl_cfg_default(&cfg);
    collect_cfg cc;
    collect_cfg_default(&cc, 3);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct fc_case *c = &cases[i];
        feectl_cfg k = cfg;
        k.emergency_fen = F(c->emergency);
        feectl_input in = {F(c->balance), c->supply_on, c->warned, M(c->now), M(c->notice), M(c->topup), 0};
        feectl_decision d;
        assert_int_equal(feectl_decide(&k, &cc.cal, &in, &d), GL_OK);
        if (d.action != c->want || d.level != c->want_level || d.at_minute != M(c->want_at))
            fail_msg("%s: %s level %d at %lld", c->what, feectl_action_name(d.action), d.level,
                     (long long)d.at_minute);
        if (d.action == FEECTL_DISCONNECT)
            assert_true(collect_cut_allowed(&cc.cal, d.at_minute));
    }
}

/* A top-up prevented a cut; the balance runs out again: a fresh notice,
 * never a cut on the old one; the warnings start again too. */
static void test_topup_then_exhaustion(void **state)
{
    (void)state;
    feectl_cfg cfg;
    feectl_cfg_default(&cfg);
    collect_cfg cc;
    collect_cfg_default(&cc, 3);
    feectl_decision d;
    /* notice at 09:50, topped up at 10:05 with 5.00, exhausted again by 11:00 */
    feectl_input in = {F("-0.20"), 1, 3, M("2026-03-02T11:00"), M("2026-03-02T09:50"), M("2026-03-02T10:05"), 0};
    assert_int_equal(feectl_decide(&cfg, &cc.cal, &in, &d), GL_OK);
    assert_int_equal(d.action, FEECTL_DISCONNECT); /* without knowing of the top-up: the old notice */
    in.topped_up = 1;
    assert_int_equal(feectl_decide(&cfg, &cc.cal, &in, &d), GL_OK);
    assert_int_equal(d.action, FEECTL_NOTICE);
    assert_int_equal(d.reset, 1);
    /* topped up to 45.00: the first warning level again, not silence */
    in = (feectl_input){F("45.00"), 1, 3, M("2026-03-02T11:00"), M("2026-03-02T09:50"), M("2026-03-02T10:05"), 1};
    assert_int_equal(feectl_decide(&cfg, &cc.cal, &in, &d), GL_OK);
    assert_int_equal(d.action, FEECTL_WARN);
    assert_int_equal(d.level, 1);
    /* supply off: the top-up reconnects (the state is reset by the reconnection) */
    in = (feectl_input){F("45.00"), 0, 3, M("2026-03-02T11:00"), M("2026-03-02T09:50"), M("2026-03-02T10:05"), 1};
    assert_int_equal(feectl_decide(&cfg, &cc.cal, &in, &d), GL_OK);
    assert_int_equal(d.action, FEECTL_RECONNECT);
    assert_int_equal(d.reset, 0);
}

static void test_charge(void **state)
{
    (void)state;
    feectl_cfg cfg;
    feectl_cfg_default(&cfg);
    int64_t bal = F("100.00");
    /* 240 kWh at 0.4883 = 117.192 -> 117.19 */
    assert_int_equal(feectl_charge(&cfg, 240000, 488300, &bal), GL_OK);
    assert_int_equal(bal, F("-17.19"));
    assert_int_equal(feectl_charge(&cfg, 1, 488300, &bal), GL_OK); /* 1 Wh: 0.0004883 -> 0.00 */
    assert_int_equal(bal, F("-17.19"));
    assert_int_equal(feectl_charge(&cfg, -1, 488300, &bal), GL_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decisions),
        cmocka_unit_test(test_topup_then_exhaustion),
        cmocka_unit_test(test_charge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
