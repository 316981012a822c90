/* clock.h: the gateway's clocks and civil time.
 *
 * Two clocks behind one interface: the real one, and a simulated one that
 * starts at a given instant and runs `speed` times faster than real time
 * (bench tests, the demo). Core functions never read a clock: they take
 * `now` as an argument. Civil time uses the TZ database through the C
 * library, so a day can have 23 or 25 hours. */
#ifndef GRIDLEDGER_CLOCK_H
#define GRIDLEDGER_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/status.h"

typedef struct clock_ops {
    /* now: seconds since the epoch (UTC), with milliseconds in *ms if not NULL */
    int64_t (*now)(void *ctx, int *ms);
    /* sleep_until: waits until the clock reads t (returns early on a signal) */
    void (*sleep_until)(void *ctx, int64_t t);
    /* mono_ms: a monotonic time in ms for timeouts, keepalive and backoff
     * (real time under the simulated clock too: the network does not run
     * faster) */
    int64_t (*mono_ms)(void *ctx);
    /* wait_ms: waits up to ms (on mono_ms's scale) for one of fds[0..n) to
     * be readable (or hung up); 1 if one is, 0 after the time. Negative fds
     * are ignored. */
    int (*wait_ms)(void *ctx, const int *fds, int n, int64_t ms);
} clock_ops;

/* A clock: ops get the gl_clock itself as ctx. A custom clock (a test's
 * fake) fills ops and keeps its state behind user. */
typedef struct gl_clock {
    const clock_ops *ops;
    void *user;             /* custom clocks: their state */
    int64_t sim_start;      /* simulated: the instant the clock started at */
    int64_t real_start_ms;  /* simulated: real monotonic ms at start */
    int64_t speed;          /* simulated: factor over real time, >= 1 */
} gl_clock;

/* clock_init_real / clock_init_sim: set up c. */
void clock_init_real(gl_clock *c);
void clock_init_sim(gl_clock *c, int64_t start, int64_t speed);

/* clock_now / clock_sleep_until: through c's ops. */
int64_t clock_now(const gl_clock *c);
void clock_sleep_until(gl_clock *c, int64_t t);

/* clock_mono_ms / clock_wait_ms: through c's ops (see clock_ops). */
int64_t clock_mono_ms(const gl_clock *c);
int clock_wait_ms(const gl_clock *c, const int *fds, int n, int64_t ms);

/* clock_set_timezone: makes tz ("Asia/Shanghai") the process's zone for
 * civil time. GL_ENOTFOUND if the TZ database does not know it. */
gl_status clock_set_timezone(const char *tz);

/* clock_make_local: the instant of a local civil date and time (month
 * 0-based, day and hour may overflow: mktime normalises them; DST by
 * tm_isdst = -1). */
int64_t clock_make_local(int year, int mon0, int mday, int hour, int minute, int second);

/* clock_parse_local: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS]" in the
 * process's zone -> epoch seconds; with an RFC 3339 zone after the time
 * ("...Z", "...+08:00", as metersim and the docs write it) the instant it
 * names. A time in a DST gap or fold is resolved by mktime (tm_isdst = -1).
 * GL_ESYNTAX on bad text. */
gl_status clock_parse_local(const char *s, int64_t *out);

/* clock_format_local: t as "YYYY-MM-DDTHH:MM:SS+08:00" in the process's zone. */
gl_status clock_format_local(int64_t t, char *buf, size_t cap);

/* clock_next_local_midnight: the first local midnight after t (23-hour and
 * 25-hour days included). */
int64_t clock_next_local_midnight(int64_t t);

/* clock_civil_date: the local civil date of t (month 1-12). */
void clock_civil_date(int64_t t, int *year, int *month, int *day);

/* clock_civil_day: the local civil date of t as a civdate day number. */
int32_t clock_civil_day(int64_t t);

#endif
