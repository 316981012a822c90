/* civdate.c: civil day numbers with the credit engine's range and forms
 * (see civdate.h); the conversions themselves are civil.c's (Howard
 * Hinnant's days_from_civil / civil_from_days). */
#include "gridledger/civdate.h"

#include "gridledger/civil.h"

#include <stdio.h>

int civdate_days_in_month(int year, int month)
{
    return month < 1 || month > 12 ? 0 : civil_days_in_month(year, month);
}

int civdate_valid(int year, int month, int day)
{
    return year >= CIVDATE_MIN_YEAR && year <= CIVDATE_MAX_YEAR && month >= 1 && month <= 12 && day >= 1 &&
           day <= civdate_days_in_month(year, month);
}

int32_t civdate_from_ymd(int year, int month, int day)
{
    return civil_days(year, month, day);
}

void civdate_to_ymd(int32_t date, int *year, int *month, int *day)
{
    civil_from_days(date, year, month, day);
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

gl_status civdate_parse(const char *s, size_t len, int32_t *out)
{
    int y, m, d;
    if (s == NULL || len != 10 || s[4] != '-' || s[7] != '-')
        return GL_ESYNTAX;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d) || !civdate_valid(y, m, d))
        return GL_ESYNTAX;
    *out = civdate_from_ymd(y, m, d);
    return GL_OK;
}

gl_status civdate_format(int32_t date, char *buf, size_t cap)
{
    int y, m, d;
    if (buf == NULL || cap < CIVDATE_FMT_MAX)
        return GL_EBOUND;
    civdate_to_ymd(date, &y, &m, &d);
    if (y < 0 || y > 9999)
        return GL_ERANGE;
    snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
    return GL_OK;
}

gl_status civdate_format_minute(int64_t minute, char *buf, size_t cap)
{
    int64_t day = minute >= 0 ? minute / CIVDATE_MINUTES_PER_DAY : -((-minute + 1439) / 1440);
    int mod = (int)(minute - day * CIVDATE_MINUTES_PER_DAY);
    if (buf == NULL || cap < CIVDATE_MINUTE_FMT_MAX)
        return GL_EBOUND;
    gl_status st = civdate_format((int32_t)day, buf, cap);
    if (st != GL_OK)
        return st;
    snprintf(buf + 10, cap - 10, "T%02d:%02d", mod / 60, mod % 60);
    return GL_OK;
}

int civdate_weekday(int32_t date)
{
    return (civil_weekday(date) + 6) % 7; /* civil counts from Sunday, this from Monday */
}

int civdate_year(int32_t date)
{
    int y, m, d;
    civdate_to_ymd(date, &y, &m, &d);
    return y;
}

int32_t civdate_add_months(int32_t date, int months)
{
    int y, m, d;
    civdate_to_ymd(date, &y, &m, &d);
    int total = y * 12 + (m - 1) + months;
    int ny = total >= 0 ? total / 12 : -((-total + 11) / 12);
    int nm = total - ny * 12 + 1;
    int dim = civdate_days_in_month(ny, nm);
    return civdate_from_ymd(ny, nm, d > dim ? dim : d);
}
