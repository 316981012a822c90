/* civdate.h: the one calendar: proleptic Gregorian civil dates as day
 * numbers, no clock, no time zone.
 *
 * A date is an int32_t counting days since 1970-01-01 (which is day 0,
 * negative before); a civil minute is an int64_t counting minutes since
 * 1970-01-01T00:00 local wall time (day * 1440 + minute of day). Tariffs,
 * usage and the ledger carry local civil times, so billing and credit need
 * only this arithmetic; differences of day numbers are exact day counts,
 * which is what the penalty rule (供电营业规则 art. 98) and the collection
 * ladders count in. Algorithms after H. Hinnant, "chrono-Compatible
 * Low-Level Date Algorithms". Pure: no I/O, no allocation.
 *
 * Conventions, the same for every function:
 * - weekdays count from Monday, ISO 8601's order: 0 Monday .. 4 Friday,
 *   5 Saturday, 6 Sunday (CIVDATE_SATURDAY, CIVDATE_SUNDAY);
 * - text is read for years CIVDATE_MIN_YEAR..CIVDATE_MAX_YEAR (1900..9999)
 *   and written for years 0..9999; the arithmetic itself has no range
 *   check (a day number holds any year of int32_t days). */
#ifndef GRIDLEDGER_CIVDATE_H
#define GRIDLEDGER_CIVDATE_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/status.h"

#define CIVDATE_MIN_YEAR 1900
#define CIVDATE_MAX_YEAR 9999
#define CIVDATE_FMT_MAX 11       /* "YYYY-MM-DD" and NUL */
#define CIVDATE_MINUTE_FMT_MAX 17 /* "YYYY-MM-DDTHH:MM" and NUL */
#define CIVDATE_MINUTES_PER_DAY 1440
#define CIVDATE_SATURDAY 5
#define CIVDATE_SUNDAY 6

/* civdate_from_ymd: the day number of year-month-day (month 1..12). No
 * range check: the caller has checked the parts (civdate_valid). */
int32_t civdate_from_ymd(int year, int month, int day);

/* civdate_to_ymd: splits a day number into year, month 1..12, day 1..31. */
void civdate_to_ymd(int32_t date, int *year, int *month, int *day);

/* civdate_valid: 1 if year (CIVDATE_MIN_YEAR..CIVDATE_MAX_YEAR), month and
 * day name a real date. */
int civdate_valid(int year, int month, int day);

/* civdate_days_in_month: 28..31; 0 for a month outside 1..12. */
int civdate_days_in_month(int year, int month);

/* civdate_parse: reads exactly len bytes "YYYY-MM-DD" into *out. GL_ESYNTAX
 * on anything else (other lengths, a year out of range, a day that does not
 * exist: 2026-02-31); *out is written only on success. */
gl_status civdate_parse(const char *s, size_t len, int32_t *out);

/* civdate_parse_time: exactly len bytes "HH:MM", HH 00..24 and MM 00..59;
 * "24:00" is allowed (the end of a day) -> minutes 0..1440. */
gl_status civdate_parse_time(const char *s, size_t len, int *out_min);

/* civdate_parse_minute: exactly len bytes "YYYY-MM-DDTHH:MM" (HH 00..23) ->
 * a civil minute. GL_ESYNTAX otherwise; *out is written only on success. */
gl_status civdate_parse_minute(const char *s, size_t len, int64_t *out);

/* civdate_format: writes "YYYY-MM-DD"; GL_EBOUND if cap < CIVDATE_FMT_MAX,
 * GL_ERANGE for a year outside 0..9999. */
gl_status civdate_format(int32_t date, char *buf, size_t cap);

/* civdate_format_minute: writes "YYYY-MM-DDTHH:MM" for a civil minute;
 * GL_EBOUND if cap < CIVDATE_MINUTE_FMT_MAX. */
gl_status civdate_format_minute(int64_t minute, char *buf, size_t cap);

/* civdate_weekday: 0 Monday .. 6 Sunday. */
int civdate_weekday(int32_t date);

/* civdate_year: the calendar year of a date. */
int civdate_year(int32_t date);

/* civdate_add_months: the same day of the month `months` later (or earlier
 * when negative), clamped to the month's last day (Jan 31 + 1 = Feb 28/29). */
int32_t civdate_add_months(int32_t date, int months);

#endif
