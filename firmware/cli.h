/* cli.h: the gridledger command line: shared context and the commands.
 *
 * Each command is `int cmd_NAME(cli_ctx *ctx, int argc, char **argv)` with
 * argv[0] the command name; it returns the exit status of CONTRACT.md:
 * 0 done, 1 runtime failure (device, network, disk), 2 usage or configuration
 * error. Commands live in firmware/cmd_*.c and are listed in main.c. */
#ifndef GRIDLEDGER_CLI_H
#define GRIDLEDGER_CLI_H

#include <stdio.h>

#include "gridledger/diag.h"
#include "config.h"
#include "gridledger/status.h"
#include "store.h"

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

typedef struct cli_ctx {
    const char *config_path; /* -c, $GRIDLEDGER_CONFIG, or the default */
    int verbose;
} cli_ctx;

/* cli_error: prints "gridledger: WHERE: WHAT" to stderr. */
void cli_error(const char *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* cli_print_diag: prints every line of d as "gridledger: LINE". */
void cli_print_diag(const diag *d);

/* cli_status_exit: the exit code for a failure status (2 for input and
 * configuration errors, 1 for runtime ones). */
int cli_status_exit(gl_status st);

/* cli_wants_help: 1 if argv holds -h or --help. */
int cli_wants_help(int argc, char **argv);

/* cli_load_config: loads and validates ctx's config; on failure prints the
 * errors and returns the exit code (else CLI_OK and *out set). */
int cli_load_config(cli_ctx *ctx, config **out);

/* cli_open_store: opens the configured store (path relative to the config
 * file) and applies the payment modes switched by command to cfg's
 * customers (paymode.h); on failure prints why and returns the exit code. */
int cli_open_store(config *cfg, store **out);

/* cli_open_local: cli_load_config, the gateway's timezone for local dates,
 * cli_open_store; the exit code (CLI_OK: *cfg and *s set, the caller frees
 * both, also on failure: they may be half set). */
int cli_open_local(cli_ctx *ctx, config **cfg, store **s);

int cmd_check_config(cli_ctx *ctx, int argc, char **argv);
int cmd_uplink_test(cli_ctx *ctx, int argc, char **argv);
int cmd_poll(cli_ctx *ctx, int argc, char **argv);
int cmd_meters(cli_ctx *ctx, int argc, char **argv);

int cmd_db(cli_ctx *ctx, int argc, char **argv);
int cmd_outbox(cli_ctx *ctx, int argc, char **argv);
int cmd_deposit(cli_ctx *ctx, int argc, char **argv);
int cmd_run(cli_ctx *ctx, int argc, char **argv);
int cmd_lineloss(cli_ctx *ctx, int argc, char **argv);
int cmd_report(cli_ctx *ctx, int argc, char **argv);
int cmd_alerts(cli_ctx *ctx, int argc, char **argv);
int cmd_actions(cli_ctx *ctx, int argc, char **argv);
int cmd_served(cli_ctx *ctx, int argc, char **argv);
int cmd_bill(cli_ctx *ctx, int argc, char **argv);
int cmd_grades(cli_ctx *ctx, int argc, char **argv);
int cmd_worklist(cli_ctx *ctx, int argc, char **argv);
int cmd_ledger(cli_ctx *ctx, int argc, char **argv);
int cmd_pay(cli_ctx *ctx, int argc, char **argv);
int cmd_tariff_calc(cli_ctx *ctx, int argc, char **argv);
int cmd_credit_calc(cli_ctx *ctx, int argc, char **argv);
int cmd_tariff(cli_ctx *ctx, int argc, char **argv);

#endif
