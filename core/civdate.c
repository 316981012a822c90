/* civdate.c: the one calendar (see civdate.h): Howard Hinnant's
 * days_from_civil / civdate_to_ymd and the text forms. */
#include "gridledger/civdate.h"

#include <stdio.h>

int32_t civdate_from_ymd(int year, int month, int day)
{
    int y = year - (month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int mp = (month + 9) % 12;
    int doy = (153 * mp + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void civdate_to_ymd(int32_t date, int *year, int *month, int *day)
{
    int32_t z = date + 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    int32_t doe = z - era * 146097;
    int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int32_t mp = (5 * doy + 2) / 153;
    int32_t m = mp < 10 ? mp + 3 : mp - 9;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)m;
    *year = (int)(yoe + era * 400 + (m <= 2));
}

int civdate_days_in_month(int year, int month)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return dim[month - 1];
}

int civdate_valid(int year, int month, int day)
{
    return year >= CIVDATE_MIN_YEAR && year <= CIVDATE_MAX_YEAR && month >= 1 && month <= 12 && day >= 1 &&
           day <= civdate_days_in_month(year, month);
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

gl_status civdate_parse_time(const char *s, size_t len, int *out_min)
{
    int h, m;
    if (s == NULL || len != 5 || s[2] != ':' || !digits(s, 2, &h) || !digits(s + 3, 2, &m))
        return GL_ESYNTAX;
    if (h > 24 || m > 59 || (h == 24 && m != 0))
        return GL_ESYNTAX;
    *out_min = h * 60 + m;
    return GL_OK;
}

gl_status civdate_parse_minute(const char *s, size_t len, int64_t *out)
{
    int32_t day;
    int hm;
    if (s == NULL || len != 16 || s[10] != 'T' || civdate_parse(s, 10, &day) != GL_OK ||
        civdate_parse_time(s + 11, 5, &hm) != GL_OK || hm >= CIVDATE_MINUTES_PER_DAY)
        return GL_ESYNTAX;
    *out = (int64_t)day * CIVDATE_MINUTES_PER_DAY + hm;
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
    int w = (int)((date + 3) % 7); /* 1970-01-01 was a Thursday: 3 counting from Monday */
    return w < 0 ? w + 7 : w;
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
