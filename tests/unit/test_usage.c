/* test_usage.c: the usage CSV: columns, interval length, gaps widened back
 * and estimated, UTC offsets across DST, and refusals with LINE:COL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gridledger/civdate.h"
#include "gridledger/usage.h"

static usage_interval R[64];

static int64_t at(int y, int mo, int d, int h, int mi)
{
    return (int64_t)civdate_from_ymd(y, mo, d) * CIVDATE_MINUTES_PER_DAY + h * 60 + mi;
}

static int parse(const char *text, usage_info *info, diag *d, gl_status want)
{
    int n = -1;
    diag_init(d);
    gl_status st = usage_parse_csv("u.csv", text, strlen(text), R, 64, &n, info, d);
    if (st != want)
        fail_msg("%s: %s", gl_status_name(st), d->count ? d->lines[0] : "");
    return n;
}

static void test_columns(void **state)
{
    (void)state;
    usage_info info;
    diag d;
    int n = parse("\xEF\xBB\xBFkw,start,\"kwh\",kvarh\r\n1.5,2024-01-10T12:00,0.25,0.1\r\n,2024-01-10T12:15,0.5,\r\n\r\n",
                  &info, &d, GL_OK);
    assert_int_equal(n, 2);
    assert_int_equal(info.interval_min, 15);
    assert_true(info.has_kw && info.has_kvarh);
    assert_int_equal(R[0].start_min, at(2024, 1, 10, 12, 0));
    assert_int_equal(R[0].len_min, 15);
    assert_int_equal(R[0].energy_wh, 250);
    assert_int_equal(R[0].reactive_varh, 100);
    assert_int_equal(R[0].demand_w, 1500);
    assert_int_equal(R[1].demand_w, -1);
    assert_int_equal(R[1].reactive_varh, -1);
    n = parse("start,kwh\n2024-01-10T12:00:00,7\n", &info, &d, GL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(info.interval_min, 60);
    assert_false(info.has_kw || info.has_kvarh);
}

/* Rows after missing ones carry the energy since the row before: widened back. */
static void test_gaps(void **state)
{
    (void)state;
    usage_info info;
    diag d;
    int n = parse("start,kwh\n2024-01-10T12:00,1\n2024-01-10T12:30,1\n2024-01-10T14:00,3\n2024-01-10T14:30,1\n",
                  &info, &d, GL_OK);
    assert_int_equal(n, 4);
    assert_int_equal(info.interval_min, 30);
    assert_int_equal(info.gaps, 1);
    assert_int_equal(R[2].start_min, at(2024, 1, 10, 13, 0));
    assert_int_equal(R[2].len_min, 90);
    assert_int_equal(R[2].flags, USAGE_ESTIMATED);
    assert_int_equal(R[3].start_min, at(2024, 1, 10, 14, 30));
    assert_int_equal(R[3].len_min, 30);
    assert_int_equal(R[3].flags, 0);
}

/* With offsets, the hour that DST skips is no gap and the repeated hour no overlap. */
static void test_dst_offsets(void **state)
{
    (void)state;
    usage_info info;
    diag d;
    int n = parse("start,kwh\n2024-03-10T01:45-05:00,1\n2024-03-10T03:00-04:00,1\n", &info, &d, GL_OK);
    assert_int_equal(n, 2);
    assert_int_equal(info.gaps, 0);
    assert_int_equal(R[1].start_min, at(2024, 3, 10, 3, 0));
    assert_int_equal(R[1].len_min, 15);
    n = parse("start,kwh\n2024-11-03T01:45-04:00,1\n2024-11-03T01:00-05:00,1\n2024-11-03T01:15-05:00,1\n", &info, &d,
              GL_OK);
    assert_int_equal(n, 3);
    assert_int_equal(info.gaps, 0);
    assert_int_equal(R[1].utc_offset_min, -300);
    n = parse("start,kwh\n2024-01-10T12:00Z,1\n2024-01-10T12:15Z,1\n", &info, &d, GL_OK);
    assert_int_equal(n, 2);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } rows[] = {
        {"", "u.csv:1:1: header: empty file: needs a header \"start,kwh\""},
        {"start\n", "u.csv:1:1: header: needs the columns start and kwh"},
        {"start,kwh,kwh\n", "u.csv:1:11: header: column named twice"},
        {"start,kwh\n2024-01-10T12:00,1\n2024-01-10T12:15\n", "u.csv:3:1: row: fewer fields than the header"},
        {"start,kwh\n2024-02-30T12:00,1\n", "u.csv:2:1: start: must be a local time \"YYYY-MM-DDTHH:MM\""},
        {"start,kwh\n2024-01-10T12:00:30,1\n", "u.csv:2:1: start: seconds must be :00"},
        {"start,kwh\n2024-01-10T12:00+8,1\n",
         "u.csv:2:1: start: must be a local time \"YYYY-MM-DDTHH:MM\", then an optional UTC offset"},
        {"start,kwh\n2024-01-10T12:00+08:00,1\n2024-01-10T12:15,1\n",
         "u.csv:3:1: start: give a UTC offset on every row or on none"},
        {"start,kwh\n2024-01-10T12:00,1\n2024-01-10T12:00,1\n",
         "u.csv:3:1: start: not after the row before it (rows must ascend)"},
        {"start,kwh\n2024-01-10T12:00,1\n2024-01-10T14:00,1\n",
         "u.csv:3:1: start: intervals must be 15, 30 or 60 minutes long"},
        {"kwh,start\n1,2024-01-10T12:00\n1e3,2024-01-10T12:15\n", "u.csv:3:1: kwh: must be a decimal number like \"1.25\""},
        {"start,kwh,kvarh\n2024-01-10T12:00,1,-0.5\n", "u.csv:2:20: kvarh: must be 0..1000000000"},
        {"start,kwh\n2024-01-10T12:00,\n", "u.csv:2:18: kwh: must be a decimal number like \"1.25\""},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        usage_info info;
        diag d;
        int n = 0;
        diag_init(&d);
        gl_status st = usage_parse_csv("u.csv", rows[i].text, strlen(rows[i].text), R, 64, &n, &info, &d);
        if (st == GL_OK || d.count != 1 || strcmp(d.lines[0], rows[i].want) != 0)
            fail_msg("row %zu: %s\n got  %s\n want %s", i, gl_status_name(st), d.count ? d.lines[0] : "", rows[i].want);
    }
    usage_info info;
    diag d;
    int n;
    diag_init(&d);
    static const char two[] = "start,kwh\n2024-01-10T12:00,1\n2024-01-10T12:15,1\n";
    assert_int_equal(usage_parse_csv("u.csv", two, strlen(two), R, 1, &n, &info, &d), GL_EBOUND);
    assert_string_equal(d.lines[0], "u.csv:3:1: row: too many rows");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_gaps),
        cmocka_unit_test(test_dst_offsets),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests_name("usage", tests, NULL, NULL);
}
