/* bo_outage.c: the schedule, times and texts of planned-outage notices (see
 * bo_outage.h). */
#include "bo_outage.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bo_notice.h"
#include "gridledger/civdate.h"

typedef struct outage_tmpl {
    const char *kind, *zh, *en;
} outage_tmpl;

static const outage_tmpl builtin[] = {
    {"notice", "【供电公司】{name}（户号{customer}）：因{reason}，{area}将于{from}至{to}计划停电，请提前安排。",
     "Power company: {name} ({customer}): a planned outage in {area} from {from} to {to} ({reason}). "
     "Please plan ahead."},
    {"confirm", "【供电公司】{name}（户号{customer}）：{area}计划停电将于{from}开始，至{to}结束（{reason}）。",
     "Power company: {name} ({customer}): the planned outage in {area} begins at {from} and ends at {to} "
     "({reason})."},
    {"cancel", "【供电公司】{name}（户号{customer}）：原定{from}至{to}的{area}计划停电已取消。",
     "Power company: {name} ({customer}): the planned outage in {area} from {from} to {to} is cancelled."},
    {"move", "【供电公司】{name}（户号{customer}）：{area}计划停电由{old_from}至{old_to}改为{from}至{to}（{reason}）。",
     "Power company: {name} ({customer}): the planned outage in {area} moves from {old_from}-{old_to} to "
     "{from}-{to} ({reason})."},
};

void bo_outages_defaults(bo_outages_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->ndays = 2;
    cfg->days[0] = 15;
    cfg->days[1] = 7;
    cfg->confirm_minutes = 30;
}

/* local_shift: start's local wall time moved by days and minutes (the
 * calendar's own arithmetic: month ends and years wrap, DST kept). */
static long long local_shift(long long start, int days, int minutes)
{
    time_t t = (time_t)start;
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_mday += days;
    tm.tm_min += minutes;
    tm.tm_isdst = -1;
    return (long long)mktime(&tm);
}

/* before_quiet: t if outside the quiet hours, else the last minute before
 * the quiet hours that contain t began. */
static long long before_quiet(long long t, int quiet_from, int quiet_to)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    int min = tm.tm_hour * 60 + tm.tm_min;
    if (!bo_notice_quiet(quiet_from, quiet_to, min))
        return t;
    if (min < quiet_from) /* the morning part of quiet hours that began yesterday evening */
        tm.tm_mday -= 1;
    tm.tm_hour = 0;
    tm.tm_min = quiet_from - 1; /* mktime normalises -1 to 23:59 the day before */
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return (long long)mktime(&tm);
}

static void set_slot(bo_outage_slot *s, const char *kind, int days, long long planned, long long due)
{
    memset(s, 0, sizeof *s);
    snprintf(s->kind, sizeof s->kind, "%s", kind);
    s->days = days;
    s->planned = planned;
    s->due = due;
}

/* mark_late: of the slots whose time has passed, the latest goes now, the
 * others are skipped. */
static void mark_late(bo_outage_slot *out, int n, long long now)
{
    char when[BO_OUTAGE_TIME_MAX];
    int last = -1;
    for (int i = 0; i < n; i++)
        if (out[i].due <= now)
            last = i;
    for (int i = 0; i <= last; i++) {
        bo_outage_format_time(out[i].due, when);
        out[i].state = i == last ? BO_SLOT_LATE : BO_SLOT_SKIPPED;
        snprintf(out[i].note, sizeof out[i].note, i == last ? "late (due %s): sent at once" : "too late (due %s)",
                 when);
        if (i == last)
            out[i].due = now;
    }
}

int bo_outage_schedule(const bo_outages_cfg *cfg, long long start, long long now, int quiet_from, int quiet_to,
                       bo_outage_slot *out, int cap)
{
    int n = 0;
    for (int i = 0; i < cfg->ndays && n < cap; i++, n++) {
        long long planned = local_shift(start, -cfg->days[i], 0);
        set_slot(&out[n], "notice", cfg->days[i], planned, before_quiet(planned, quiet_from, quiet_to));
        if (out[n].due != planned)
            snprintf(out[n].note, sizeof out[n].note, "moved before the quiet hours");
    }
    if (cfg->confirm_minutes > 0 && n < cap) {
        long long planned = start - 60LL * cfg->confirm_minutes;
        set_slot(&out[n], "confirm", 0, planned, planned);
        if (before_quiet(planned, quiet_from, quiet_to) != planned)
            snprintf(out[n].note, sizeof out[n].note, "in the quiet hours: sent all the same");
        n++;
    }
    mark_late(out, n, now);
    return n;
}

gl_status bo_outage_parse_time(const char *s, long long *out)
{
    char t16[17];
    int64_t min;
    int y, mo, d;
    if (strlen(s) != 16 || (s[10] != 'T' && s[10] != ' '))
        return GL_ESYNTAX;
    memcpy(t16, s, sizeof t16);
    t16[10] = 'T';
    if (civdate_parse_minute(t16, 16, &min) != GL_OK) /* the gateway's calendar: 02-31 is no date */
        return GL_ESYNTAX;
    int32_t day = (int32_t)(min / CIVDATE_MINUTES_PER_DAY);
    int h = (int)(min % CIVDATE_MINUTES_PER_DAY) / 60, mi = (int)(min % 60);
    civdate_to_ymd(day, &y, &mo, &d);
    if (y < 1970)
        return GL_ESYNTAX;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    /* a local time skipped by a DST change is normalised by mktime: refused */
    if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_hour != h || tm.tm_min != mi)
        return GL_ESYNTAX;
    *out = (long long)t;
    return GL_OK;
}

void bo_outage_format_time(long long t, char out[BO_OUTAGE_TIME_MAX])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm) || strftime(out, BO_OUTAGE_TIME_MAX, "%Y-%m-%d %H:%M", &tm) == 0)
        out[0] = '\0';
}

const char *bo_outage_template(const bo_outages_cfg *cfg, const char *kind, const char *lang)
{
    char key[24];
    snprintf(key, sizeof key, "%s.%s", kind, lang);
    for (int i = 0; cfg && i < cfg->ntemplates; i++)
        if (strcmp(cfg->templates[i].key, key) == 0)
            return cfg->templates[i].text;
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
        if (strcmp(builtin[i].kind, kind) == 0)
            return strcmp(lang, "en") == 0 ? builtin[i].en : builtin[i].zh;
    return NULL;
}

int bo_outage_template_key_ok(const char *key)
{
    const char *dot = strrchr(key, '.');
    char kind[16];
    if (!dot || (strcmp(dot, ".zh") != 0 && strcmp(dot, ".en") != 0) || dot - key >= (long)sizeof kind)
        return 0;
    snprintf(kind, sizeof kind, "%.*s", (int)(dot - key), key);
    return bo_outage_template(NULL, kind, "zh") != NULL;
}

gl_status bo_outage_render(const char *tmpl, const bo_outage_fields *f, char *out, size_t cap, char *why,
                           size_t whycap)
{
    char days[12];
    snprintf(days, sizeof days, "%d", f->days);
    const char *const extra[] = {"area", f->area ? f->area : "", "from", f->from ? f->from : "",
                                 "to", f->to ? f->to : "", "reason", f->reason ? f->reason : "",
                                 "days", days, "old_from", f->old_from ? f->old_from : "",
                                 "old_to", f->old_to ? f->old_to : "", NULL};
    bo_notice_vars v = {f->customer, f->name, "outage", "", "", 0, 0};
    return bo_notice_render_more(tmpl, &v, extra, out, cap, why, whycap);
}

gl_status bo_outage_check(const char *tmpl, char *why, size_t whycap)
{
    char out[1024];
    bo_outage_fields f = {"C-0001", "name", "TQ-01", "2027-01-31 09:00", "2027-01-31 17:00", "maintenance",
                          "2027-01-30 09:00", "2027-01-30 17:00", 15};
    return bo_outage_render(tmpl, &f, out, sizeof out, why, whycap);
}
