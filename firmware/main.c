/* main.c: `gridledger [-c CONFIG] COMMAND [options]`, git-style subcommands.
 * The command table below is the one list of what the CLI offers; a command
 * whose issue has not landed yet says so and exits 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "glog.h"

#ifndef GRIDLEDGER_VERSION
#define GRIDLEDGER_VERSION "0.1.0"
#endif

#define DEFAULT_CONFIG "/etc/gridledger/gridledger.json"

typedef int (*cmd_fn)(cli_ctx *ctx, int argc, char **argv);

typedef struct {
    const char *name;
    cmd_fn fn;       /* NULL: not available in this build yet */
    const char *summary;
    const char *usage;
} command;

static const command commands[] = {
    {"check-config", cmd_check_config, "validate the config, print a one-line summary", "check-config"},
    {"poll", cmd_poll, "poll every configured meter once, store and print the readings", "poll --once [--json|--csv] | poll --confirm METER"},
    {"meters", cmd_meters, "DL/T 645 meters: who answers, clock broadcast; relay of any meter",
     "meters scan --bus B [--json|--discover] | meters time-sync --bus B | meters relay METER open|close"},
    {"run", cmd_run, "the daemon: polling, billing, credit, fee control, uplink",
     "run [--clock real|sim --start DATE --speed N --until DATE] [--drain S]"},
    {"tariff-calc", cmd_tariff_calc, "compute one bill from a tariff and interval usage (pure)",
     "tariff-calc --tariff FILE --usage FILE [--ytd-kwh X] [--demand-kw X] [--kvarh X] [--json]\n"
     "  [--customer ID] [--capacity-kva X] [--from DATE] [--to DATE] [--holiday DATE]... [--adjust AMOUNT]\n"
     "  [--year-billed AMOUNT] [--export FILE]"},
    {"tariff", cmd_tariff, "tariff tools: convert an OpenEI URDB rate into a tariff file",
     "tariff import-urdb FILE [--id ID] [--label LABEL] [--currency CODE]"},
    {"credit-calc", cmd_credit_calc, "arrears, penalty, grade and actions from a ledger file (pure)",
     "credit-calc --ledger FILE --as-of DATE [--config FILE] [--json|--csv] [--worklist]"},
    {"bill", cmd_bill, "close or show the bills of a period", "bill --period YYYY-MM [--json|--csv]"},
    {"ledger", cmd_ledger, "show a customer's account", "ledger CUSTOMER [--json|--csv]"},
    {"pay", cmd_pay, "record a payment taken locally", "pay CUSTOMER AMOUNT --ref REF [--date DATE] [--topup] | pay --batch FILE"},
    {"grades", cmd_grades, "credit grades", "grades [--json|--csv]"},
    {"worklist", cmd_worklist, "the collection worklist", "worklist [--date DATE] [--json|--csv]"},
    {"alerts", cmd_alerts, "open alerts (--all: every alert, its state and times)", "alerts [--all] [--json|--csv]"},
    {"actions", cmd_actions, "the collection record: every action taken, planned, served",
     "actions [--customer C] [--from D] [--to D] [--json|--csv]"},
    {"deposit", cmd_deposit, "non-cash deposits: bank guarantees and insurance bonds",
     "deposit add --customer C --kind guarantee|bond --issuer NAME --amount AMOUNT --expires DATE [--ref REF]"
     " | deposit list [--customer C] [--date DATE] [--json|--csv]"},
    {"served", cmd_served, "record a notice's proof of service", "served CUSTOMER ACTION --proof TEXT [--at TIME] [--id N]"},
    {"lineloss", cmd_lineloss, "area line loss", "lineloss [--period P] [--json|--csv]"},
    {"report", cmd_report, "large customers' month: price, effect on the area's price, swing, capacity changes",
     "report large-customers [--period P] [--json|--csv]"},
    {"outbox", cmd_outbox, "uplink queue: depth, oldest message, last acknowledged id", "outbox [--json]"},
    {"uplink-test", cmd_uplink_test, "drive the uplink against a broker (tests, docs/uplink.md)",
     "uplink-test --db PATH --gateway ID --host H --port P (--plain | --ca F --cert F --key F) --hmac-key F "
     "[--enqueue N] [--drain] [--downlinks K] [--connect-only] [--timeout S]"},
    {"db", cmd_db, "the store: check, stats, export", "db check | db stats | db export TABLE --csv"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: gridledger [-c CONFIG] COMMAND [options]\n\n"
               "The meter-reading and billing-credit engine of a distribution-area concentrator.\n\n"
               "commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-13s %s%s\n", commands[i].name, commands[i].summary,
                commands[i].fn ? "" : " (not in this build yet)");
    fprintf(f, "\noptions:\n"
               "  -c CONFIG   configuration file (default %s, or $GRIDLEDGER_CONFIG)\n"
               "  -v          more log output\n"
               "  --version   print the version\n"
               "  --help      this text; `gridledger COMMAND --help` for a command\n"
               "\nexit status: 0 done, 1 runtime failure, 2 usage or configuration error\n",
            DEFAULT_CONFIG);
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int run_command(const command *cmd, cli_ctx *ctx, int argc, char **argv)
{
    if (cmd->fn == NULL) {
        cli_error(cmd->name, "not available in this build yet (its issue has not landed)");
        return CLI_USAGE;
    }
    if (cli_wants_help(argc, argv)) {
        printf("usage: gridledger [-c CONFIG] %s\n%s\n", cmd->usage, cmd->summary);
        return CLI_OK;
    }
    return cmd->fn(ctx, argc, argv);
}

int main(int argc, char **argv)
{
    cli_ctx ctx = {0};
    const char *env = getenv("GRIDLEDGER_CONFIG");
    ctx.config_path = env && env[0] ? env : DEFAULT_CONFIG;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--version") == 0) {
            printf("gridledger %s\n", GRIDLEDGER_VERSION);
            return CLI_OK;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "-v") == 0) {
            ctx.verbose++;
        } else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            ctx.config_path = argv[++i];
        } else {
            cli_error("usage", "unknown option %s (try --help)", argv[i]);
            return CLI_USAGE;
        }
    }
    /* -v: info (the daemon's job, reload and stop messages), -v -v: debug */
    glog_init("gridledger", ctx.verbose > 1 ? GLOG_DEBUG : ctx.verbose ? GLOG_INFO : GLOG_WARN, 0);
    if (i >= argc) {
        usage(stderr);
        return CLI_USAGE;
    }
    const command *cmd = find_command(argv[i]);
    if (cmd == NULL) {
        cli_error("usage", "unknown command '%s' (try --help)", argv[i]);
        return CLI_USAGE;
    }
    return run_command(cmd, &ctx, argc - i, argv + i);
}
