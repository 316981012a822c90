/* clock.c: real and simulated clocks, civil time in the gateway's zone (see clock.h). */
#include "clock.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gridledger/civdate.h"
#include "monotime.h"

#define CLOCK_WAIT_FDS 8 /* bound on the fds of one wait */

static void sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL); /* a signal ends the sleep early: the caller re-checks */
}

static int64_t real_now(void *ctx, int *ms)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ms != NULL)
        *ms = (int)(ts.tv_nsec / 1000000);
    return (int64_t)ts.tv_sec;
}

static void real_sleep_until(void *ctx, int64_t t)
{
    int ms;
    int64_t now = real_now(ctx, &ms);
    sleep_ms((t - now) * 1000 - ms);
}

static int64_t sim_now_ms(const gl_clock *c)
{
    return c->sim_start * 1000 + (monotime_ms() - c->real_start_ms) * c->speed;
}

static int64_t sim_now(void *ctx, int *ms)
{
    int64_t t = sim_now_ms(ctx);
    if (ms != NULL)
        *ms = (int)(t % 1000);
    return t / 1000;
}

static void sim_sleep_until(void *ctx, int64_t t)
{
    const gl_clock *c = ctx;
    int64_t sim_ms_left = t * 1000 - sim_now_ms(c);
    sleep_ms((sim_ms_left + c->speed - 1) / c->speed);
}

static int64_t real_mono_ms(void *ctx)
{
    (void)ctx;
    return monotime_ms();
}

/* poll on the fds: a signal ends the wait early (0), the caller re-checks */
static int real_wait_ms(void *ctx, const int *fds, int n, int64_t ms)
{
    (void)ctx;
    struct pollfd p[CLOCK_WAIT_FDS];
    int k = 0;
    for (int i = 0; i < n && k < CLOCK_WAIT_FDS; i++)
        if (fds[i] >= 0)
            p[k++] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    if (ms > INT_MAX)
        ms = INT_MAX;
    return poll(p, (nfds_t)k, ms > 0 ? (int)ms : 0) > 0;
}

static const clock_ops real_ops = {real_now, real_sleep_until, real_mono_ms, real_wait_ms};
static const clock_ops sim_ops = {sim_now, sim_sleep_until, real_mono_ms, real_wait_ms};

void clock_init_real(gl_clock *c)
{
    memset(c, 0, sizeof *c);
    c->ops = &real_ops;
    c->speed = 1;
}

void clock_init_sim(gl_clock *c, int64_t start, int64_t speed)
{
    memset(c, 0, sizeof *c);
    c->ops = &sim_ops;
    c->sim_start = start;
    c->speed = speed < 1 ? 1 : speed;
    c->real_start_ms = monotime_ms();
}

int64_t clock_now(const gl_clock *c)
{
    return c->ops->now((void *)(uintptr_t)c, NULL);
}

void clock_sleep_until(gl_clock *c, int64_t t)
{
    c->ops->sleep_until(c, t);
}

int64_t clock_mono_ms(const gl_clock *c)
{
    return c->ops->mono_ms((void *)(uintptr_t)c);
}

int clock_wait_ms(const gl_clock *c, const int *fds, int n, int64_t ms)
{
    return c->ops->wait_ms((void *)(uintptr_t)c, fds, n, ms);
}

gl_status clock_set_timezone(const char *tz)
{
    const char *dir = getenv("TZDIR");
    char path[512];
    if (tz == NULL || tz[0] == '\0' || tz[0] == '/' || strstr(tz, "..") != NULL)
        return GL_EINVAL;
    snprintf(path, sizeof path, "%s/%s", dir && dir[0] ? dir : "/usr/share/zoneinfo", tz);
    if (access(path, R_OK) != 0)
        return GL_ENOTFOUND;
    if (setenv("TZ", tz, 1) != 0)
        return GL_ENOMEM;
    tzset();
    return GL_OK;
}

int64_t clock_make_local(int year, int mon0, int mday, int hour, int minute, int second)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = year - 1900;
    tm.tm_mon = mon0;
    tm.tm_mday = mday;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

/* zone_suffix: the RFC 3339 zone after a date and time of len bytes: "Z" or
 * "+HH:MM" / "-HH:MM" -> *off_s east of UTC; 0 if absent or malformed. */
static int zone_suffix(const char *z, int *off_s)
{
    int oh, om, n = 0;
    if (strcmp(z, "Z") == 0) {
        *off_s = 0;
        return 1;
    }
    if ((z[0] != '+' && z[0] != '-') || strlen(z) != 6 || sscanf(z + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5 ||
        oh < 0 || oh > 23 || om < 0 || om > 59)
        return 0;
    *off_s = (z[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    return 1;
}

/* parse_instant: "YYYY-MM-DDTHH:MM[:SS]" followed by a zone (as metersim
 * and the docs write times): an instant, whatever the gateway's zone. */
static gl_status parse_instant(const char *s, size_t len, int64_t *out)
{
    int y, mo, d, h, mi, sec = 0, n = 0, off_s;
    size_t base = len > 19 && s[16] == ':' ? 19 : 16;
    if (len <= base || !zone_suffix(s + base, &off_s))
        return GL_ESYNTAX;
    if (base == 16 ? sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5
                   : sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
        return GL_ESYNTAX;
    if ((size_t)n != base || s[4] != '-' || s[7] != '-' || s[10] != 'T' || y < 1970 || y > 9999 ||
        !civdate_valid(y, mo, d) || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
        return GL_ESYNTAX;
    *out = (int64_t)civdate_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off_s;
    return GL_OK;
}

gl_status clock_parse_local(const char *s, int64_t *out)
{
    struct tm tm;
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    size_t len = s ? strlen(s) : 0;
    if (len > 16 && (s[len - 1] == 'Z' || s[len - 6] == '+' || s[len - 6] == '-'))
        return parse_instant(s, len, out);
    memset(&tm, 0, sizeof tm);
    if (len == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n == 10) {
        /* date only */
    } else if ((len == 16 && sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) == 5 && n == 16) ||
               (len == 19 && sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6 &&
                n == 19)) {
        /* date and time */
    } else {
        return GL_ESYNTAX;
    }
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 || h < 0 ||
        mi < 0 || sec < 0)
        return GL_ESYNTAX;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    tm.tm_isdst = -1;
    errno = 0;
    time_t t = mktime(&tm);
    if (t == (time_t)-1 && errno != 0)
        return GL_ERANGE;
    if (tm.tm_mday != d || tm.tm_mon != mo - 1)
        return GL_ESYNTAX; /* 2023-02-30 was normalised to March */
    *out = (int64_t)t;
    return GL_OK;
}

gl_status clock_format_local(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char zone[16];
    if (localtime_r(&tt, &tm) == NULL)
        return GL_ERANGE;
    int off = (int)(tm.tm_gmtoff % 86400);
    snprintf(zone, sizeof zone, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 3600, abs(off) % 3600 / 60);
    if (strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        return GL_EBOUND;
    size_t n = strlen(buf);
    if (n + strlen(zone) + 1 > cap)
        return GL_EBOUND;
    memcpy(buf + n, zone, strlen(zone) + 1);
    return GL_OK;
}

int64_t clock_next_local_midnight(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    tm.tm_mday += 1;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

void clock_civil_date(int64_t t, int *year, int *month, int *day)
{
    time_t tt = (time_t)t;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    localtime_r(&tt, &tm);
    *year = tm.tm_year + 1900;
    *month = tm.tm_mon + 1;
    *day = tm.tm_mday;
}

int32_t clock_civil_day(int64_t t)
{
    int y = 0, m = 0, d = 0;
    clock_civil_date(t, &y, &m, &d);
    return civdate_from_ymd(y, m, d);
}
