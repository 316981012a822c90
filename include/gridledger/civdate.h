/* civdate.h: proleptic Gregorian civil dates as day numbers, no clock, no zone.
 *
 * A date is an int32_t counting days since 1970-01-01 (which is day 0); a
 * civil minute is an int64_t counting minutes since 1970-01-01T00:00 local
 * wall time (day * 1440 + minute of day). Differences of day numbers are
 * exact day counts, which is what the penalty rule (供电营业规则 art. 98)
 * and the collection ladders count in. Pure: no I/O, no allocation. */
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

/* civdate_from_ymd: the day number of year-month-day (month 1..12). The
 * caller has checked the parts (civdate_valid). */
int32_t civdate_from_ymd(int year, int month, int day);

/* civdate_to_ymd: splits a day number into year, month 1..12, day 1..31. */
void civdate_to_ymd(int32_t date, int *year, int *month, int *day);

/* civdate_valid: 1 if year (CIVDATE_MIN_YEAR..CIVDATE_MAX_YEAR), month and
 * day name a real date. */
int civdate_valid(int year, int month, int day);

/* civdate_days_in_month: 28..31. */
int civdate_days_in_month(int year, int month);

/* civdate_parse: reads exactly len bytes "YYYY-MM-DD" into *out. GL_ESYNTAX
 * on anything else (other lengths, a day that does not exist); *out is
 * written only on success. */
gl_status civdate_parse(const char *s, size_t len, int32_t *out);

/* civdate_format: writes "YYYY-MM-DD"; GL_EBOUND if cap < CIVDATE_FMT_MAX. */
gl_status civdate_format(int32_t date, char *buf, size_t cap);

/* civdate_format_minute: writes "YYYY-MM-DDTHH:MM" for a civil minute. */
gl_status civdate_format_minute(int64_t minute, char *buf, size_t cap);

/* civdate_weekday: 0 Monday .. 6 Sunday. */
int civdate_weekday(int32_t date);

/* civdate_year: the calendar year of a date. */
int civdate_year(int32_t date);

/* civdate_add_months: the same day of the month `months` later (or earlier
 * when negative), clamped to the month's last day (Jan 31 + 1 = Feb 28/29). */
int32_t civdate_add_months(int32_t date, int months);

#endif
