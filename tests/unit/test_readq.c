/* test_readq.c: the store's memory queue of waiting readings: what goes in
 * comes out whole and in order, the bound drops the oldest (counted), and
 * nothing is held before a reading waits or after clearing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "readq.h"

/* sample: reading k with nraw words and an error text when k is odd. */
static void sample(int k, uint16_t nraw, reading *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->meter, sizeof r->meter, "M-%d", k);
    r->ts = 1768417200 + k;
    r->status = k % 2 ? READING_ERROR : READING_OK;
    r->present = READING_HAS_IMPORT | READING_HAS_TARIFFS;
    r->import_wh = 1000000 + k;
    r->tariff_wh[3] = k;
    r->read_ts = 7;
    r->nraw = nraw;
    for (uint16_t i = 0; i < nraw; i++)
        r->raw[i] = (uint16_t)(k * 131 + i);
    if (k % 2)
        snprintf(r->error, sizeof r->error, "timeout after 2 retries (%d)", k);
}

static void assert_same(const reading *a, const reading *b)
{
    assert_memory_equal(a, b, sizeof *a); /* padding included: both start zeroed */
}

struct round_case {
    uint16_t nraw;
    int k;
};

static void test_round_trip_table(void **state)
{
    (void)state;
    const struct round_case cases[] = {{0, 0}, {0, 1}, {1, 2}, {88, 3}, {88, 4}, {READING_RAW_MAX, 5}};
    readq q;
    readq_init(&q, 16);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        reading in, out;
        sample(cases[c].k, cases[c].nraw, &in);
        readq_push(&q, &in);
        readq_get(&q, q.n - 1, &out);
        assert_same(&in, &out);
    }
    assert_int_equal(q.n, 6);
    assert_int_equal(q.dropped, 0);
    readq_clear(&q);
}

static void test_long_error_kept_to_its_bound(void **state)
{
    (void)state;
    readq q;
    reading in, out;
    readq_init(&q, 4);
    sample(1, 3, &in);
    memset(in.error, 'x', sizeof in.error); /* no NUL: the text is cut at its bound */
    readq_push(&q, &in);
    readq_get(&q, 0, &out);
    assert_int_equal(strlen(out.error), sizeof out.error - 1);
    assert_int_equal(out.raw[2], in.raw[2]);
    readq_clear(&q);
}

static void test_full_drops_oldest_in_order(void **state)
{
    (void)state;
    const size_t max = 100; /* past the first allocation (64): the ring grows, then wraps */
    readq q;
    readq_init(&q, max);
    for (int k = 0; k < 250; k++) {
        reading r;
        sample(k, (uint16_t)(k % 20), &r);
        readq_push(&q, &r);
    }
    assert_int_equal(q.n, max);
    assert_int_equal(q.dropped, 150);
    for (size_t i = 0; i < q.n; i++) {
        reading want, got;
        sample(150 + (int)i, (uint16_t)((150 + i) % 20), &want);
        readq_get(&q, i, &got);
        assert_same(&want, &got);
    }
    readq_clear(&q);
    assert_int_equal(q.n, 0);
    assert_int_equal(q.dropped, 150); /* the count stays */
}

static void test_nothing_held_unless_waiting(void **state)
{
    (void)state;
    readq q;
    reading r;
    readq_init(&q, 8192);
    assert_null(q.rec);
    assert_int_equal(q.cap, 0);
    sample(0, 88, &r);
    readq_push(&q, &r);
    assert_non_null(q.rec);
    assert_true(q.cap < 8192);
    readq_clear(&q);
    assert_null(q.rec);
    assert_int_equal(q.cap, 0);
    readq_push(&q, &r); /* usable again after clearing */
    assert_int_equal(q.n, 1);
    readq_clear(&q);
}

static void test_bound_of_one(void **state)
{
    (void)state;
    readq q;
    reading a, b, got;
    readq_init(&q, 0); /* 0 means 1: a queue always holds the newest */
    sample(1, 2, &a);
    sample(2, 2, &b);
    readq_push(&q, &a);
    readq_push(&q, &b);
    assert_int_equal(q.n, 1);
    assert_int_equal(q.dropped, 1);
    readq_get(&q, 0, &got);
    assert_same(&b, &got);
    readq_clear(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_table),
        cmocka_unit_test(test_long_error_kept_to_its_bound),
        cmocka_unit_test(test_full_drops_oldest_in_order),
        cmocka_unit_test(test_nothing_held_unless_waiting),
        cmocka_unit_test(test_bound_of_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
