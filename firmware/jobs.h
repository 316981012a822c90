/* jobs.h: the daemon's jobs and the state they share (private to firmware).
 *
 * Each job is `gl_status jobs_NAME(void *ctx, int64_t due, int64_t now)`
 * with ctx the daemon_state; it commits its own transactions, so a stop
 * between jobs leaves nothing half-written. */
#ifndef GRIDLEDGER_JOBS_H
#define GRIDLEDGER_JOBS_H

#include <stdint.h>

#include "daemon.h"
#include "store.h"

#define JOBS_ERRORS_KEPT 4

/* What the jobs share; owned by daemon_jobs.c. */
typedef struct jobs_gw {
    config *cfg;
    store *store;
    int64_t started;           /* clock time the daemon started */
    int64_t polls, poll_errors;
    int meters_online, meters_offline;
    char last_errors[JOBS_ERRORS_KEPT][128];
    int nerrors;
} jobs_gw;

/* jobs_of: the shared state of the daemon ctx. */
jobs_gw *jobs_of(void *ctx);

/* jobs_error: logs a job failure and keeps it for the status message. */
void jobs_error(jobs_gw *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* jobs_publish: commits an up message (kind, body JSON) to the outbox. */
gl_status jobs_publish(jobs_gw *g, const char *kind, const char *body, int64_t now);

gl_status jobs_compact(void *ctx, int64_t due, int64_t now);
gl_status jobs_status(void *ctx, int64_t due, int64_t now);

#endif
