/* sched.c: due times of the daemon's jobs (see sched.h). */
#include "sched.h"

#include "clock.h"

#include <time.h>

/* Candidate occurrences are tried day by day (daily), month by month
 * (monthly, yearly) from t's own civil date until one lies after t. */
static int64_t next_calendar(const sched_job *job, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm now;
    localtime_r(&tt, &now);
    int y = now.tm_year + 1900, mon0 = now.tm_mon;
    if (job->kind == SCHED_DAILY) {
        for (int d = 0; d < 3; d++) {
            int64_t c = clock_make_local(y, mon0, now.tm_mday + d, job->hour, job->minute, 0);
            if (c > t)
                return c;
        }
        return t + 86400;
    }
    for (int k = 0; k < 25; k++) {
        int m = mon0 + k;
        int yy = y + m / 12;
        m %= 12;
        if (job->kind == SCHED_YEARLY && !(job->months_mask & (1u << m)))
            continue;
        int64_t c = clock_make_local(yy, m, job->day, job->hour, job->minute, 0);
        if (c > t)
            return c;
    }
    return INT64_MAX;
}

int64_t sched_next_after(const sched_job *job, int64_t t)
{
    if (job->kind == SCHED_AT)
        return job->at != NULL && *job->at > t ? *job->at : INT64_MAX;
    if (job->kind == SCHED_EVERY) {
        int64_t iv = job->interval_s > 0 ? job->interval_s : 1;
        return (t / iv + 1) * iv; /* aligned to the interval: polls at :00, :15, :30, :45 */
    }
    return next_calendar(job, t);
}

void sched_start(sched_job *jobs, size_t n, int64_t now)
{
    for (size_t i = 0; i < n; i++)
        jobs[i].next_due = sched_next_after(&jobs[i], now);
}

/* due_of: when a job runs next; a SCHED_AT job's follows what its job set,
 * a calendar job waiting to retry waits until its retry time. */
static int64_t due_of(const sched_job *job)
{
    if (job->kind == SCHED_AT)
        return job->at != NULL && *job->at > job->ran_at && *job->at < job->next_due ? *job->at : job->next_due;
    return job->retry_at > job->next_due ? job->retry_at : job->next_due;
}

/* retry_later: a calendar job's failed occurrence (due) is kept for a retry
 * after the back-off (sched.h); 0 when it is to move on instead. */
static int retry_later(sched_job *job, int64_t due, int64_t now)
{
    if (job->kind == SCHED_EVERY || job->kind == SCHED_AT || job->retries >= SCHED_RETRIES)
        return 0;
    int64_t wait = SCHED_RETRY_MIN_S;
    for (int i = 0; i < job->retries && wait < SCHED_RETRY_MAX_S; i++)
        wait *= 2;
    if (wait > SCHED_RETRY_MAX_S)
        wait = SCHED_RETRY_MAX_S;
    if (now + wait >= sched_next_after(job, job->once ? now : due))
        return 0; /* the next occurrence comes first: it does the work */
    job->retries++;
    job->retry_at = now + wait;
    return 1;
}

int64_t sched_earliest(const sched_job *jobs, size_t n)
{
    int64_t e = INT64_MAX;
    for (size_t i = 0; i < n; i++)
        if (due_of(&jobs[i]) < e)
            e = due_of(&jobs[i]);
    return e;
}

/* An overdue periodic job is ordered at `now`, after the calendar jobs that
 * catch up on earlier moments (a month closes before the poll that reads
 * past its end). */
static int64_t order_key(const sched_job *job, int64_t now)
{
    return job->kind == SCHED_EVERY ? now : due_of(job);
}

static sched_job *earliest_due(sched_job *jobs, size_t n, int64_t now)
{
    sched_job *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (due_of(&jobs[i]) <= now && (best == NULL || order_key(&jobs[i], now) < order_key(best, now)))
            best = &jobs[i];
    return best;
}

int sched_run_due(sched_job *jobs, size_t n, int64_t now, void *ctx, volatile sig_atomic_t *stop)
{
    int runs = 0;
    sched_job *job;
    while ((stop == NULL || !*stop) && (job = earliest_due(jobs, n, now)) != NULL) {
        int64_t due = job->kind == SCHED_AT ? due_of(job) : job->next_due; /* a retry: its occurrence's */
        if (job->kind == SCHED_EVERY) /* catch-up: once, now */
            due = now;
        job->last_status = job->run ? job->run(ctx, due, now) : GL_OK;
        job->runs++;
        runs++;
        if (job->last_status == GL_EINTERRUPTED)
            break; /* stopped part way: still due, resumed on the next run */
        job->failures += job->last_status != GL_OK;
        if (job->last_status != GL_OK && retry_later(job, due, now))
            continue; /* the same occurrence again, later */
        job->retry_at = 0;
        job->retries = 0;
        if (job->kind == SCHED_AT)
            job->ran_at = now; /* until the job (or another) sets *at again */
        job->next_due = sched_next_after(job, job->kind == SCHED_EVERY || job->once ? now : due);
    }
    return runs;
}
