/* civil.c: calendar arithmetic without a time zone (see civil.h). */
#include "gridledger/civil.h"

#include <stdio.h>

int32_t civil_days(int year, int month, int day)
{
    int y = year - (month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int mp = (month + 9) % 12;
    int doy = (153 * mp + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void civil_from_days(int32_t d, int *year, int *month, int *day)
{
    int32_t z = d + 719468;
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

int civil_weekday(int32_t d)
{
    int w = (int)((d + 4) % 7); /* 1970-01-01 was a Thursday */
    return w < 0 ? w + 7 : w;
}

int civil_days_in_month(int year, int month)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return dim[(month - 1) % 12];
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

gl_status civil_parse_date(const char *s, size_t len, int32_t *out)
{
    int y, m, d;
    if (s == NULL || len != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
        !digits(s + 8, 2, &d))
        return GL_ESYNTAX;
    if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > civil_days_in_month(y, m))
        return GL_ESYNTAX;
    *out = civil_days(y, m, d);
    return GL_OK;
}

gl_status civil_parse_time(const char *s, size_t len, int *out_min)
{
    int h, m;
    if (s == NULL || len != 5 || s[2] != ':' || !digits(s, 2, &h) || !digits(s + 3, 2, &m))
        return GL_ESYNTAX;
    if (h > 24 || m > 59 || (h == 24 && m != 0))
        return GL_ESYNTAX;
    *out_min = h * 60 + m;
    return GL_OK;
}

gl_status civil_format_date(int32_t d, char *buf, size_t cap)
{
    int y, m, day;
    civil_from_days(d, &y, &m, &day);
    if (y < 0 || y > 9999)
        return GL_ERANGE;
    int n = snprintf(buf, cap, "%04d-%02d-%02d", y, m, day);
    return n < 0 || (size_t)n >= cap ? GL_EBOUND : GL_OK;
}
