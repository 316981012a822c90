/* glog.h: levelled logging to stderr and, for the daemon, syslog.
 * Only firmware/ and tools/ log; core/ and hal/ return statuses. */
#ifndef GRIDLEDGER_GLOG_H
#define GRIDLEDGER_GLOG_H

typedef enum glog_level { GLOG_ERROR = 0, GLOG_WARN, GLOG_INFO, GLOG_DEBUG } glog_level;

/* glog_init: messages above `level` are dropped; use_syslog also sends them
 * to syslog under `ident`. */
void glog_init(const char *ident, glog_level level, int use_syslog);

/* glog_level_parse: "error" | "warn" | "info" | "debug"; -1 if unknown. */
int glog_level_parse(const char *s);

void glog(glog_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define glog_error(...) glog(GLOG_ERROR, __VA_ARGS__)
#define glog_warn(...) glog(GLOG_WARN, __VA_ARGS__)
#define glog_info(...) glog(GLOG_INFO, __VA_ARGS__)
#define glog_debug(...) glog(GLOG_DEBUG, __VA_ARGS__)

#endif
