/* civil.h: proleptic Gregorian calendar arithmetic without a time zone.
 *
 * A day is an int32_t count of days since 1970-01-01 (negative before); a
 * wall-clock minute is an int64_t count of minutes since 1970-01-01T00:00 of
 * the same calendar. No TZ database, no clock, no I/O: tariffs and usage
 * carry local civil times, so billing needs only this arithmetic
 * (algorithms after H. Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms"). Pure. */
#ifndef GRIDLEDGER_CIVIL_H
#define GRIDLEDGER_CIVIL_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/status.h"

#define CIVIL_MIN_PER_DAY 1440
#define CIVIL_DATE_MAX 11 /* "YYYY-MM-DD" + NUL */

/* civil_days: the day number of year-month-day (month 1..12). No range check. */
int32_t civil_days(int year, int month, int day);

/* civil_from_days: the year, month (1..12) and day of day number d. */
void civil_from_days(int32_t d, int *year, int *month, int *day);

/* civil_weekday: 0 = Sunday .. 6 = Saturday. */
int civil_weekday(int32_t d);

/* civil_days_in_month: 28..31. */
int civil_days_in_month(int year, int month);

/* civil_parse_date: exactly "YYYY-MM-DD" (len bytes, year 1900..2199) ->
 * day number. GL_ESYNTAX on bad text or a day that does not exist. */
gl_status civil_parse_date(const char *s, size_t len, int32_t *out);

/* civil_parse_time: exactly "HH:MM" with HH 00..24 and MM 00..59; "24:00"
 * is allowed (the end of a day) -> minutes 0..1440. */
gl_status civil_parse_time(const char *s, size_t len, int *out_min);

/* civil_format_date: day d as "YYYY-MM-DD"; cap >= CIVIL_DATE_MAX. */
gl_status civil_format_date(int32_t d, char *buf, size_t cap);

#endif
