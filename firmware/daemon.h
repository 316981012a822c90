/* daemon.h: `gridledger run`: the scheduler that drives every job.
 *
 * Signals: SIGTERM/SIGINT finish the job in hand (each job commits its own
 * transaction) and stop; SIGHUP re-reads the config and keeps the old one if
 * the new one is invalid or its jobs cannot start with it (a tariff file
 * that does not parse, a store that does not open). Started as root with
 * --user NAME, it drops to that user after opening what needs privilege. */
#ifndef GRIDLEDGER_DAEMON_H
#define GRIDLEDGER_DAEMON_H

#include <signal.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "sched.h"

#define DAEMON_MAX_JOBS 16

typedef struct daemon_opts {
    const char *config_path;
    int sim;            /* --clock sim */
    int64_t start;      /* --start DATE (sim) */
    int64_t speed;      /* --speed N (sim) */
    int64_t until;      /* --until DATE: stop when the clock passes it; 0 = never */
    const char *user;   /* --user NAME: drop privileges */
    int64_t drain_ms;   /* --drain S: longest wait at stop for the outbox to empty; -1 = the default */
} daemon_opts;

typedef struct daemon_state {
    daemon_opts opts;
    config *cfg;
    gl_clock clock;
    sched_job jobs[DAEMON_MAX_JOBS];
    int njobs;
    void *modules; /* the jobs' shared state (store, poller, uplink), owned by daemon_jobs.c */
    /* idle: called instead of sleeping until `next` (the uplink runs there);
     * returns early when there is work; NULL: sleep. Set by daemon_jobs_init. */
    void (*idle)(void *d, int64_t now, int64_t next, int64_t speed);
} daemon_state;

/* daemon_jobs_init / daemon_jobs_free: set up d->jobs and d->modules for
 * d->cfg (daemon_jobs.c), and release them. */
gl_status daemon_jobs_init(daemon_state *d);
void daemon_jobs_free(daemon_state *d);

/* daemon_jobs_record_config: keeps the config file's text in the store as
 * the config in force; called once jobs started with it (start, reload). */
void daemon_jobs_record_config(daemon_state *d);

/* daemon_jobs_start: first due times: the calendar jobs resume from the
 * due times saved in the store (a cycle close interrupted by a power cut or
 * missed while the gateway was off runs on restart), the others from now.
 * daemon_jobs_saved: saves the calendar jobs' next due times after runs. */
void daemon_jobs_start(daemon_state *d, int64_t now);
void daemon_jobs_saved(daemon_state *d);

/* daemon_stop_flag / daemon_reload_flag: the flags the signal handlers set
 * (stop: SIGTERM/SIGINT; reload: SIGHUP, or 1 stored to ask for one), handed
 * to the jobs through their context (jobs_gw). */
volatile sig_atomic_t *daemon_stop_flag(void);
volatile sig_atomic_t *daemon_reload_flag(void);

/* daemon_parse_args: reads run's options; 0 on success, else prints usage and returns 2. */
int daemon_parse_args(int argc, char **argv, daemon_opts *o);

/* daemon_drain_ms: how long the uplink drains the outbox at stop: --drain S,
 * else 3 s, or 60 s for a simulated run with --until (the demo's and the
 * tests' runs end there and want their messages delivered). */
int64_t daemon_drain_ms(const daemon_opts *o);

/* daemon_main: runs until stopped or --until; returns the exit status. */
int daemon_main(daemon_state *d);

#endif
