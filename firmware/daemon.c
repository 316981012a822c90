/* daemon.c: `gridledger run`: clock, signals, reload and the job loop (see daemon.h). */
#include "daemon.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"
#include "glog.h"

static volatile sig_atomic_t daemon_stop, daemon_reload;
static int daemon_failed; /* stopped because the jobs could not start again after a reload */

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        daemon_reload = 1;
    else
        daemon_stop = 1;
}

volatile sig_atomic_t *daemon_stop_flag(void)
{
    return &daemon_stop;
}

volatile sig_atomic_t *daemon_reload_flag(void)
{
    return &daemon_reload;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a signal ends the sleep at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int parse_when(const char *opt, const char *s, int64_t *out)
{
    if (clock_parse_local(s, out) == GL_OK)
        return 1;
    cli_error("run", "%s: not a date (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] local, or with Z or +HH:MM): %s", opt, s);
    return 0;
}

int daemon_parse_args(int argc, char **argv, daemon_opts *o)
{
    const char *start = NULL, *until = NULL;
    char *end;
    o->speed = 1;
    o->drain_ms = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--clock") == 0 && v && (strcmp(v, "sim") == 0 || strcmp(v, "real") == 0))
            o->sim = strcmp(argv[++i], "sim") == 0;
        else if (strcmp(a, "--start") == 0 && v)
            start = argv[++i];
        else if (strcmp(a, "--until") == 0 && v)
            until = argv[++i];
        else if (strcmp(a, "--speed") == 0 && v && (o->speed = strtoll(argv[++i], NULL, 10)) >= 1 &&
                 o->speed <= 100000000)
            continue;
        else if (strcmp(a, "--user") == 0 && v)
            o->user = argv[++i];
        else if (strcmp(a, "--drain") == 0 && v && (o->drain_ms = strtoll(argv[++i], &end, 10)) >= 0 &&
                 o->drain_ms <= 3600 && *end == '\0' && end != argv[i])
            o->drain_ms *= 1000;
        else {
            cli_error("run", "bad option %s (usage: run [--clock real|sim --start DATE --speed N] "
                             "[--until DATE] [--drain S] [--user NAME])", a);
            return CLI_USAGE;
        }
    }
    if (o->sim && start == NULL) {
        cli_error("run", "--clock sim needs --start DATE");
        return CLI_USAGE;
    }
    if ((start && !parse_when("--start", start, &o->start)) || (until && !parse_when("--until", until, &o->until)))
        return CLI_USAGE;
    return CLI_OK;
}

#define DRAIN_MS 3000
#define DRAIN_SIM_UNTIL_MS 60000

int64_t daemon_drain_ms(const daemon_opts *o)
{
    if (o->drain_ms >= 0)
        return o->drain_ms;
    return o->sim && o->until ? DRAIN_SIM_UNTIL_MS : DRAIN_MS;
}

static gl_status drop_privileges(const char *user)
{
    if (user == NULL || geteuid() != 0)
        return GL_OK;
    struct passwd *pw = getpwnam(user);
    if (pw == NULL)
        return GL_ENOTFOUND;
    if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
        return GL_EPERM;
    return GL_OK;
}

/* SIGHUP: a new config replaces the old only if it is valid and the jobs
 * start with it (its tariff files parse, its store opens); otherwise the
 * jobs start again with the old one. Only if that fails too does the daemon
 * stop, with a failure status. */
static void reload_config(daemon_state *d)
{
    diag dg;
    config *fresh = NULL, *old = d->cfg;
    diag_init(&dg);
    daemon_reload = 0;
    if (config_load(d->opts.config_path, &dg, &fresh) != GL_OK) {
        for (int i = 0; i < dg.count; i++)
            glog_error("reload refused, keeping the running config: %s", dg.lines[i]);
        return;
    }
    daemon_jobs_free(d);
    d->cfg = fresh;
    gl_status st = daemon_jobs_init(d);
    if (st != GL_OK) {
        glog_error("reload refused, keeping the running config: the jobs cannot start with %s: %s",
                   d->opts.config_path, gl_strerror(st));
        d->cfg = old;
        old = fresh;
        st = daemon_jobs_init(d);
    }
    config_free(old);
    if (st != GL_OK) {
        glog_error("reload: the jobs cannot start again with the running config either: %s; stopping",
                   gl_strerror(st));
        daemon_failed = daemon_stop = 1;
        return;
    }
    daemon_jobs_start(d, clock_now(&d->clock));
    if (d->cfg == fresh) {
        daemon_jobs_record_config(d);
        glog_info("config reloaded from %s", d->opts.config_path);
    }
}

static void loop(daemon_state *d)
{
    while (!daemon_stop) {
        int64_t now = clock_now(&d->clock);
        if (d->opts.until && now >= d->opts.until) {
            /* jobs due by --until still run, however long the ones before took */
            if (sched_run_due(d->jobs, (size_t)d->njobs, d->opts.until, d, &daemon_stop) > 0)
                daemon_jobs_saved(d);
            break;
        }
        if (sched_run_due(d->jobs, (size_t)d->njobs, now, d, &daemon_stop) > 0)
            daemon_jobs_saved(d);
        if (daemon_reload)
            reload_config(d);
        int64_t next = sched_earliest(d->jobs, (size_t)d->njobs);
        if (d->opts.until && d->opts.until < next)
            next = d->opts.until;
        if (!daemon_stop && !daemon_reload) {
            if (d->idle != NULL)
                d->idle(d, clock_now(&d->clock), next, d->opts.sim ? d->opts.speed : 1);
            else
                clock_sleep_until(&d->clock, next);
        }
    }
}

/* A gateway without a battery-backed clock boots at 1970 and learns the time
 * from the network later: jobs scheduled from 1970 would then "catch up" on
 * 56 years of days and months. Before this instant the clock is not set. */
#define CLOCK_PLAUSIBLE_FROM 1577836800 /* 2020-01-01T00:00Z */

/* wait_for_clock: returns once the clock reads a plausible time (at once on
 * a simulated clock), or on a stop signal. */
static void wait_for_clock(daemon_state *d)
{
    int warned = 0;
    if (d->opts.sim)
        return; /* a simulated clock starts where it is told */
    while (!daemon_stop && clock_now(&d->clock) < CLOCK_PLAUSIBLE_FROM) {
        if (!warned++)
            glog_warn("clock not set (reads before 2020): waiting for time sync before scheduling jobs");
        sleep(1);
    }
}

/* Buffers of 64 KiB and more (a cycle's readings JSON, a bill's usage)
 * come from mmap and go back to the system when freed. glibc's default
 * threshold rises to the largest buffer freed so far, after which such
 * buffers are carved from the heap and their pages stay resident for good
 * (docs/daemon.md "Memory"). */
#define DAEMON_MMAP_THRESHOLD (64 * 1024)

static void tune_malloc(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, DAEMON_MMAP_THRESHOLD); /* also stops the threshold from rising */
#endif
}

int daemon_main(daemon_state *d)
{
    tune_malloc();
    gl_status st = clock_set_timezone(d->cfg->gateway.timezone);
    if (st != GL_OK) {
        cli_error("run", "time zone %s: %s", d->cfg->gateway.timezone, gl_strerror(st));
        return CLI_USAGE;
    }
    if (d->opts.sim)
        clock_init_sim(&d->clock, d->opts.start, d->opts.speed);
    else
        clock_init_real(&d->clock);
    install_signals();
    st = daemon_jobs_init(d);
    if (st == GL_OK) {
        daemon_jobs_record_config(d); /* the file read while still privileged */
        st = drop_privileges(d->opts.user);
    }
    if (st != GL_OK) {
        cli_error("run", "cannot start: %s", gl_strerror(st));
        daemon_jobs_free(d);
        return cli_status_exit(st) == CLI_USAGE ? CLI_USAGE : CLI_FAIL;
    }
    wait_for_clock(d);
    /* a simulated run's jobs count from --start: the simulated clock ran on
     * while the store opened and the uplink started (a few of its hours on a
     * loaded machine), and jobs due in that time are caught up, not skipped */
    daemon_jobs_start(d, d->opts.sim ? d->opts.start : clock_now(&d->clock));
    glog_info("running: %d jobs, clock %s", d->njobs, d->opts.sim ? "simulated" : "real");
    loop(d);
    glog_info("stopping%s", daemon_failed ? " after a failed reload" : daemon_stop ? " on signal" : " at --until");
    daemon_jobs_free(d);
    return daemon_failed ? CLI_FAIL : CLI_OK;
}
