/* jobs.h: the daemon's jobs and the state they share (private to firmware).
 *
 * Each job is `gl_status jobs_NAME(void *ctx, int64_t due, int64_t now)`
 * with ctx the daemon_state; it commits its own transactions, so a stop
 * between jobs leaves nothing half-written. */
#ifndef GRIDLEDGER_JOBS_H
#define GRIDLEDGER_JOBS_H

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

#include "billing.h"
#include "creditrun.h"
#include "daemon.h"
#include "poller.h"
#include "store.h"
#include "uplink.h"

#define JOBS_ERRORS_KEPT 4

/* What the jobs share; owned by daemon_jobs.c. */
typedef struct jobs_gw {
    config *cfg;
    store *store;
    int64_t started;           /* clock time the daemon started */
    const gl_clock *clock;     /* the daemon's clock (real or simulated): events carry its time */
    poller *poller;            /* NULL if no meters */
    reading *readings;         /* one cycle, cfg->nmeters */
    validate_event *events;
    unsigned char *poll_due;   /* per meter: read in this cycle */
    int64_t *poll_next;        /* per meter: next due time */
    int *poll_every;           /* per meter: its reading interval (its customer's grade, else poll_interval_s) */
    struct jobs_uplink *up;    /* the uplink thread; NULL if the uplink section is absent */
    billing *billing;          /* tariffs and scratch for the cycle close */
    creditcfg *cc;             /* credit, collection and fee-control settings */
    creditrun_worklist worklist;
    atomic_int poll_now;       /* a downlink asked for a poll */
    atomic_int money_changed;  /* a payment or top-up arrived: re-run collection */
    int64_t last_collect;      /* clock time of the last collection run */
    int64_t collect_wake;      /* the collection's next timed step (SCHED_AT job) */
    int64_t saved_due[DAEMON_MAX_JOBS]; /* calendar jobs' next due time as saved in kv */
    int64_t polls, poll_errors;
    int meters_online, meters_offline;
    char last_errors[JOBS_ERRORS_KEPT][128];
    int nerrors;
    /* What the daemon gives the jobs (so no job calls back into daemon.c): */
    const volatile sig_atomic_t *stop; /* nonzero once SIGTERM/SIGINT came: stop between transactions */
    volatile sig_atomic_t *reload;     /* set to 1 to ask for a config reload (as SIGHUP) */
    int sim;                           /* the clock is simulated */
} jobs_gw;

/* jobs_of: the shared state of the daemon ctx. */
jobs_gw *jobs_of(void *ctx);

/* jobs_error: logs a job failure and keeps it for the status message. */
void jobs_error(jobs_gw *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* jobs_poll_frozen: stores the DL/T 645 meters' freezes the store lacks
 * (pollstore_fill_frozen) and sends them up as readings messages. */
gl_status jobs_poll_frozen(jobs_gw *g, int64_t now);

/* jobs_publish: queues an up message (kind, body JSON) in the outbox, in
 * the caller's transaction if one is open (jobs_txn_begin): a row a job
 * writes and the message that reports it commit together or not at all.
 * A failure is logged (jobs_error) and returned: the caller's transaction
 * then rolls back (the store marks it failed) and the job reports it, so
 * its next run does the work again. The outbox's rules hold: the seq moves
 * in kv in the same transaction; under the quota only readings messages
 * are dropped (store_outbox_put). */
gl_status jobs_publish(jobs_gw *g, const char *kind, const char *body, int64_t now);

/* jobs_txn_begin / jobs_txn_end: a job's transaction on its store
 * (store_txn_begin/end, nestable); jobs_txn_end commits if st is GL_OK and
 * everything inside succeeded, else rolls back, returns the final status
 * and, once committed, wakes the uplink for the messages queued in it. */
gl_status jobs_txn_begin(jobs_gw *g);
gl_status jobs_txn_end(jobs_gw *g, gl_status st);

/* jobs_alert: records an open alert and queues it up, once while it stays
 * open (the same kind, subject and detail again is nothing new: GL_OK); for
 * the kinds alerts.h calls events (supply_cut, supply_restored, ...) records
 * an event instead, closes the alerts it ends and queues it up as events.
 * jobs_alert_end: closes the open alerts of kind about subject (the
 * condition ended) and tells the back office (alert false, detail why).
 * Each in one transaction (nested in the caller's if open): the record and
 * its message land together; the store's or the outbox's error returned. */
gl_status jobs_alert(jobs_gw *g, int64_t now, const char *kind, const char *subject, const char *detail);
gl_status jobs_alert_end(jobs_gw *g, int64_t now, const char *kind, const char *subject, const char *why);

/* jobs_alert_up: queues an alert up only, for one the caller records in
 * the same transaction (a meter going offline: pollstore_save_state stores
 * the event); open 0 tells the back office the alert is over. */
gl_status jobs_alert_up(jobs_gw *g, int64_t now, const char *kind, const char *subject, const char *detail,
                        int open);

/* Polling (jobs_poll.c): the poller and its state from the store. */
gl_status jobs_poll_init(jobs_gw *g);
/* jobs_poll_intervals: (re)reads each meter's reading interval from the
 * latest stored grades (at start and after each grading).
 * jobs_poll_interval_s: how often the poll job runs: the shortest of them
 * (the gateway's poll_interval_s without meters). */
gl_status jobs_poll_intervals(jobs_gw *g);
int jobs_poll_interval_s(const jobs_gw *g);
void jobs_poll_free(jobs_gw *g);
gl_status jobs_poll(void *ctx, int64_t due, int64_t now);

/* jobs_relay: switches a customer's supply (closed = on) through its meter's
 * relay, records an event; reason gets why not. */
gl_status jobs_relay(jobs_gw *g, const char *customer, int closed, const char *why, char *reason, size_t cap);

/* The uplink (jobs_uplink.c): a thread with its own store connection, set
 * up from the config's uplink section (drain_ms: the longest wait at stop
 * for the outbox to empty, daemon_drain_ms); free: drain and join.
 * jobs_uplink_take_relay: the oldest relay command a downlink message
 * handed to the main thread (customer, closed = on); 0 if none. The daemon's
 * idle hook (daemon_jobs.c) takes them. */
typedef struct jobs_uplink jobs_uplink;
gl_status jobs_uplink_init(jobs_gw *g, const gl_clock *clock, int64_t drain_ms);
int jobs_uplink_take_relay(jobs_gw *g, char *customer, size_t cap, int *closed);
void jobs_uplink_free(jobs_gw *g);
/* jobs_uplink_wake: a message was committed to the outbox: the uplink
 * thread stops its idle sleep and sends it. */
void jobs_uplink_wake(jobs_gw *g);

/* Billing (jobs_bill.c): the cycle close. */
gl_status jobs_bill_init(jobs_gw *g);
void jobs_bill_free(jobs_gw *g);
gl_status jobs_bill(void *ctx, int64_t due, int64_t now);
/* Instalments (jobs_instal.c): daily, the parts due today (instalments.h). */
gl_status jobs_instalments(void *ctx, int64_t due, int64_t now);

/* Credit (jobs_credit.c, jobs_feectl.c): collection, worklist, grades, fee control. */
gl_status jobs_credit_init(jobs_gw *g);
void jobs_credit_free(jobs_gw *g);
gl_status jobs_evaluate(jobs_gw *g, int32_t day, int prepaid_only, creditrun_fn fn, void *ctx);
int64_t jobs_civil_minute(int64_t t);    /* local civil minute of t */

/* jobs_cut_lawful: 1 if a cut of customer at now is lawful by this
 * gateway's own ledger and collection record (store st: the caller's
 * connection), the rules of core/episode.c; 0 with the first broken rule,
 * or why it cannot be checked, in why. A disconnect commanded by the back
 * office is checked with it before the relay opens. */
int jobs_cut_lawful(jobs_gw *g, store *st, const char *customer, int64_t now, char *why, size_t cap);
gl_status jobs_collect(void *ctx, int64_t due, int64_t now);
struct store_collect_row;
/* jobs_action_up: queues a collection-record row up (kind "actions"), in
 * the transaction that writes the row (jobs_publish); its error returned. */
gl_status jobs_action_up(jobs_gw *g, const struct store_collect_row *r, int64_t now);
gl_status jobs_worklist(void *ctx, int64_t due, int64_t now);
/* jobs_deposits (jobs_deposit.c): daily reminders of non-cash deposits
 * before they expire, and their expiry. */
gl_status jobs_deposits(void *ctx, int64_t due, int64_t now);
gl_status jobs_grades(void *ctx, int64_t due, int64_t now);
gl_status jobs_feectl(void *ctx, int64_t due, int64_t now);

gl_status jobs_lineloss(void *ctx, int64_t due, int64_t now);
gl_status jobs_compact(void *ctx, int64_t due, int64_t now);
gl_status jobs_status(void *ctx, int64_t due, int64_t now);

#endif
