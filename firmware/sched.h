/* sched.h: when the daemon's jobs are due, in the gateway's civil time.
 *
 * A job is periodic (every N seconds: polling, uplink, status) or on the
 * calendar (daily at HH:MM: arrears and penalties; monthly on a day: billing
 * cycle close, risk run; yearly in given months: grading in January with a
 * provisional grade in July). Calendar times are local and DST-correct.
 * Catch-up rule (the simulated clock runs far ahead of real work): a
 * periodic job that missed runs runs once, now; a calendar job runs every
 * missed occurrence in order, each with its own due time, so no day's
 * penalty and no month's bill is skipped; the periodic catch-up runs after them.
 * A calendar job marked `once` (it works from the time it runs, not the time
 * it was due: collection, compaction) runs once for all it missed.
 * Retry rule: a calendar job that fails (any status but GL_OK and
 * GL_EINTERRUPTED: its transaction rolled back, nothing of it kept) keeps
 * its due time and runs again, with that due time, after SCHED_RETRY_MIN_S,
 * then twice as long each time (at most SCHED_RETRY_MAX_S, SCHED_RETRIES
 * times), so a day's work a full disk or a busy store refused is done later,
 * not skipped; it moves on (failure counted) when its next occurrence would
 * come first or the retries are spent. A periodic job retries at its next
 * interval anyway; a SCHED_AT job at the time its job sets. */
#ifndef GRIDLEDGER_SCHED_H
#define GRIDLEDGER_SCHED_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "gridledger/status.h"

/* SCHED_AT: at the time a job sets in *at (the collection's timed steps:
 * the confirmation 30 minutes before a cut, the cut); INT64_MAX or a past
 * time already run: nothing. */
enum {
    SCHED_RETRY_MIN_S = 60,
    SCHED_RETRY_MAX_S = 86400,
    SCHED_RETRIES = 12, /* 1 minute to ~2.8 days after the first failure */
};

typedef enum sched_kind { SCHED_EVERY = 0, SCHED_DAILY, SCHED_MONTHLY, SCHED_YEARLY, SCHED_AT } sched_kind;

typedef gl_status (*sched_fn)(void *ctx, int64_t due, int64_t now);

typedef struct sched_job {
    const char *name;
    sched_kind kind;
    int interval_s;       /* SCHED_EVERY */
    int hour, minute;     /* calendar jobs: local time of day */
    int day;              /* SCHED_MONTHLY, SCHED_YEARLY: day of month (1..28) */
    unsigned months_mask; /* SCHED_YEARLY: bit m-1 set for month m */
    int once;             /* calendar job that looks only at `now`: missed occurrences run once */
    const int64_t *at;    /* SCHED_AT: the time wanted, owned by the job's context */
    int64_t ran_at;       /* SCHED_AT: when it last ran; an *at not after it is spent */
    sched_fn run;
    int64_t next_due;     /* set by sched_start, advanced by sched_run_due */
    int64_t runs, failures;
    gl_status last_status;
    int64_t retry_at;     /* calendar job that failed: not run again before this (0: none) */
    int retries;          /* failed runs of the occurrence next_due */
} sched_job;

/* sched_next_after: the first due time of job strictly after t. */
int64_t sched_next_after(const sched_job *job, int64_t t);

/* sched_start: sets every job's first due time after `now`. */
void sched_start(sched_job *jobs, size_t n, int64_t now);

/* sched_earliest: the smallest next_due of the jobs. */
int64_t sched_earliest(const sched_job *jobs, size_t n);

/* sched_run_due: runs every job due at or before now, in due order, with the
 * catch-up rule above; `stop` (may be NULL) is checked between runs. A job
 * that returns GL_EINTERRUPTED (a signal stopped it part way) keeps its due
 * time and ends the round, so it runs again, whole, next time. Returns the
 * number of runs made. */
int sched_run_due(sched_job *jobs, size_t n, int64_t now, void *ctx, volatile sig_atomic_t *stop);

#endif
