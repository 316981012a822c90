/* glog.c: levelled logging to stderr and syslog (see glog.h). */
#include "glog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

static glog_level glog_max = GLOG_WARN;
static int glog_syslog;
static const char *glog_ident = "gridledger";

void glog_init(const char *ident, glog_level level, int use_syslog)
{
    glog_ident = ident ? ident : "gridledger";
    glog_max = level;
    glog_syslog = use_syslog;
    if (use_syslog)
        openlog(glog_ident, LOG_PID, LOG_DAEMON);
}

int glog_level_parse(const char *s)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    for (int i = 0; i < 4; i++)
        if (s != NULL && strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

void glog(glog_level level, const char *fmt, ...)
{
    static const char *const tags[] = {"error", "warn", "info", "debug"};
    static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
    if (level > glog_max)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s: %s\n", glog_ident, tags[level], msg);
    if (glog_syslog)
        syslog(prio[level], "%s", msg);
}
