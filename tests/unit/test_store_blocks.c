/* test_store_blocks.c: the packed form of routine readings (store_blocks.h)
 * and the varints under it: a table of readings round trips exactly (one
 * and three phases, negative and extreme values, every quantity absent or
 * present); which readings are routine; and damaged bodies (cut at every
 * byte, an unknown bit, an index or phase count out of range, another
 * format) are GL_ECORRUPT, never a reading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store_blocks.h"
#include "varint.h"

#define SLOT0 (1767196800LL) /* 2026-01-01T00:00+08:00, a slot's start */

static reading base(int64_t dts, uint32_t present)
{
    reading r;
    memset(&r, 0, sizeof r);
    r.ts = SLOT0 + dts;
    r.present = present;
    r.import_wh = 123456789;
    r.power_w = 1000;
    r.nphases = 1;
    r.voltage_dv[0] = 2300;
    r.current_ma[0] = 4300;
    return r;
}

static void test_varint(void **state)
{
    (void)state;
    static const int64_t v[] = {0, 1, -1, 63, -64, 64, 300, -300, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN};
    static const size_t len[] = {1, 1, 1, 1, 1, 2, 2, 2, 5, 5, 10, 10};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t b[VARINT_MAX];
        int64_t back = 7;
        size_t n = varint_put(b, v[i]);
        assert_int_equal(n, len[i]);
        assert_int_equal(varint_get(b, b + n, &back), n);
        assert_true(back == v[i]);
        assert_int_equal(varint_get(b, b + n - 1, &back), 0); /* cut short */
    }
    uint8_t eleven[11];
    memset(eleven, 0x80, sizeof eleven);
    int64_t x;
    assert_int_equal(varint_get(eleven, eleven + sizeof eleven, &x), 0); /* too long */
}

static void test_round_trip(void **state)
{
    (void)state;
    reading cases[6];
    cases[0] = base(0, READING_HAS_IMPORT);
    cases[1] = base(12, READING_HAS_IMPORT | READING_HAS_POWER | READING_HAS_VOLTAGE | READING_HAS_CURRENT);
    cases[2] = base(899, READING_HAS_IMPORT | READING_HAS_EXPORT | READING_HAS_REACTIVE | READING_HAS_DEMAND |
                             READING_HAS_VOLTAGE | READING_HAS_CURRENT | READING_HAS_POWER | READING_HAS_PF |
                             READING_HAS_FREQ | READING_HAS_RELAY | READING_HAS_TARIFFS);
    cases[2].nphases = 3;
    for (int i = 0; i < 3; i++) {
        cases[2].voltage_dv[i] = 2290 + i;
        cases[2].current_ma[i] = -5 - i; /* export through a CT: negative */
    }
    cases[2].export_wh = 5;
    cases[2].reactive_varh = -42;
    cases[2].demand_w = 7000;
    cases[2].power_w = -1500;
    cases[2].pf_milli = -980;
    cases[2].freq_chz = 4999;
    cases[2].relay_closed = 1;
    for (int k = 0; k < READING_TARIFFS; k++)
        cases[2].tariff_wh[k] = 1000000 * (k + 1);
    cases[3] = base(1, READING_HAS_IMPORT | READING_HAS_PF | READING_HAS_FREQ);
    cases[3].import_wh = INT64_MAX;
    cases[3].pf_milli = INT32_MIN;
    cases[3].freq_chz = INT32_MAX;
    cases[4] = base(2, READING_HAS_IMPORT | READING_HAS_CURRENT); /* current without voltage */
    cases[4].nphases = 2;
    cases[4].current_ma[1] = 9;
    cases[5] = base(3, READING_HAS_IMPORT | READING_HAS_RELAY);
    cases[5].import_wh = INT64_MIN;
    uint8_t body[1 + 6 * STORE_BLOCK_ENTRY_MAX];
    size_t len = store_blocks_start(body);
    for (int i = 0; i < 6; i++) {
        size_t before = len;
        store_blocks_put(body, &len, i * 12, SLOT0, &cases[i]);
        assert_true(len - before <= STORE_BLOCK_ENTRY_MAX);
    }
    /* the format byte; case 0: index, seconds, bits (1 each), import 4
     * bytes; then 15, 45 (everything, three phases), 24 (extremes), 11, 15 */
    assert_int_equal(len, 1 + 7 + 15 + 45 + 24 + 11 + 15);
    size_t pos = 0;
    assert_int_equal(store_blocks_open(body, len, &pos), GL_OK);
    for (int i = 0; i < 6; i++) {
        reading r;
        int idx = -1;
        assert_int_equal(store_blocks_get(body, len, &pos, SLOT0, &idx, &r), GL_OK);
        assert_int_equal(idx, i * 12);
        if (!(cases[i].present & (READING_HAS_VOLTAGE | READING_HAS_CURRENT)))
            cases[i].nphases = 0; /* phases are kept with voltage or current only */
        if (!(cases[i].present & READING_HAS_POWER))
            cases[i].power_w = 0;
        if (!(cases[i].present & READING_HAS_VOLTAGE))
            memset(cases[i].voltage_dv, 0, sizeof cases[i].voltage_dv);
        if (!(cases[i].present & READING_HAS_CURRENT))
            memset(cases[i].current_ma, 0, sizeof cases[i].current_ma);
        assert_memory_equal(&r, &cases[i], sizeof r);
    }
    assert_int_equal(pos, len);
}

/* Routine: valid, live, unflagged, without an error, timed after the epoch,
 * with its import energy; else the reading is kept as a row. */
static void test_routine(void **state)
{
    (void)state;
    reading r = base(0, READING_HAS_IMPORT);
    assert_true(store_blocks_routine(&r));
    reading x = r;
    x.status = READING_OFFLINE;
    assert_false(store_blocks_routine(&x));
    x = r;
    x.flags = READING_FLAG_STUCK;
    assert_false(store_blocks_routine(&x));
    x = r;
    x.source = READING_FROZEN_DAILY;
    assert_false(store_blocks_routine(&x));
    x = r;
    snprintf(x.error, sizeof x.error, "crc");
    assert_false(store_blocks_routine(&x));
    x = r;
    x.ts = -1;
    assert_false(store_blocks_routine(&x));
    x = r;
    x.present = READING_HAS_POWER;
    assert_false(store_blocks_routine(&x));
    x = r;
    x.present |= READING_HAS_VOLTAGE;
    x.nphases = 4;
    assert_false(store_blocks_routine(&x));
}

static void test_damaged(void **state)
{
    (void)state;
    reading r = base(7, READING_HAS_IMPORT | READING_HAS_POWER | READING_HAS_VOLTAGE | READING_HAS_RELAY);
    uint8_t body[1 + STORE_BLOCK_ENTRY_MAX];
    size_t len = store_blocks_start(body), pos = 0;
    store_blocks_put(body, &len, 3, SLOT0, &r);
    reading out;
    int idx;
    for (size_t cut = 2; cut < len; cut++) { /* cut at every byte */
        pos = 1;
        assert_int_equal(store_blocks_get(body, cut, &pos, SLOT0, &idx, &out), GL_ECORRUPT);
        assert_int_equal(pos, 1);
    }
    assert_int_equal(store_blocks_open(body, 0, &pos), GL_ECORRUPT);
    uint8_t bad[1 + STORE_BLOCK_ENTRY_MAX];
    const struct {
        size_t at;
        uint8_t byte;
    } edits[] = {
        {0, 2},    /* another format */
        {1, 64},   /* an index past the block */
        {2, 0x7f}, /* not a varint's last byte: the next is taken, present then breaks */
        {3, 0x7f}, /* unknown READING_HAS_ bits */
        {len - 1, 2}, /* relay neither 0 nor 1 */
    };
    for (size_t e = 0; e < sizeof edits / sizeof edits[0]; e++) {
        memcpy(bad, body, len);
        bad[edits[e].at] = edits[e].byte;
        pos = 0;
        gl_status st = store_blocks_open(bad, len, &pos);
        if (st == GL_OK)
            st = store_blocks_get(bad, len, &pos, SLOT0, &idx, &out);
        assert_int_equal(st, GL_ECORRUPT);
    }
    /* seconds past the slot's end */
    uint8_t late[8] = {STORE_BLOCK_FORMAT, 0};
    size_t n = 2 + varint_put(late + 2, STORE_BLOCK_SLOT_S);
    n += varint_put(late + n, READING_HAS_IMPORT);
    n += varint_put(late + n, 5);
    pos = 1;
    assert_int_equal(store_blocks_get(late, n, &pos, SLOT0, &idx, &out), GL_ECORRUPT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_varint),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_routine),
        cmocka_unit_test(test_damaged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
