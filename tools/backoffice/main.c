/* main.c: `gridledger-backoffice [-c CONFIG] COMMAND`: the receiving end of
 * the gateways' uplink (see CONTRACT.md and docs/backoffice.md). */
#include <stdio.h>
#include <string.h>

#include "bo_bureau.h"
#include "bo_cli.h"
#include "bo_outages.h"
#include "bo_serve.h"
#include "cli.h"

typedef int (*bo_cmd_fn)(bo_ctx *ctx, int argc, char **argv);

typedef struct {
    const char *name;
    bo_cmd_fn fn;
    const char *usage;
} bo_command;

static const bo_command commands[] = {
    {"ingest", bo_cmd_ingest, "ingest [--db PATH | --pg CONNINFO] [--max N] [--quiet]"},
    {"report", bo_cmd_report, "report worklist|aging|grades|area|alerts|health|actions|outages [--xlsx FILE] [--csv FILE] [--month YYYY-MM]\n"
                              "  report large-customers [--period YYYY-MM] [--xlsx FILE] [--csv [FILE]]"},
    {"export", bo_cmd_export, "export credit-bureau --period YYYY-MM [--out FILE]   (post-paid account records, docs/bureau.md)"},
    {"pay", bo_cmd_down, "pay GATEWAY CUSTOMER AMOUNT --ref REF [--date DATE]"},
    {"topup", bo_cmd_down, "topup GATEWAY CUSTOMER AMOUNT --ref REF [--date DATE]"},
    {"tariff", bo_cmd_down, "tariff push GATEWAY FILE"},
    {"disconnect", bo_cmd_down, "disconnect GATEWAY CUSTOMER"},
    {"reconnect", bo_cmd_down, "reconnect GATEWAY CUSTOMER"},
    {"resend", bo_cmd_down, "resend GATEWAY SINCE_SEQ   (ask for up messages again)"},
    {"ack-alert", bo_cmd_down, "ack-alert GATEWAY KIND SUBJECT   (acknowledge an open alert)"},
    {"served", bo_cmd_down, "served GATEWAY CUSTOMER ACTION --proof TEXT [--id N] [--at UNIX]   (a collector's proof of service)"},
    {"deposit", bo_cmd_deposit, "deposit GATEWAY CUSTOMER (--request AMOUNT | --record AMOUNT --ref REF | --release --ref REF) [--rule RULE]   (a cash deposit, by command)"},
    {"prepay", bo_cmd_prepay, "prepay GATEWAY CUSTOMER (--opening AMOUNT [--mode prepaid|load_controlled] | --mode postpaid) [--rule RULE]   (move to prepayment, or back)"},
    {"acks", bo_cmd_acks, "acks [GATEWAY]"},
    {"import", bo_cmd_import, "import FILE|-   (envelope lines, as from the broker)"},
    {"stats", bo_cmd_stats, "stats"},
    {"assign", bo_cmd_assign, "assign GATEWAY customer|area ID   (who may report it; else the first that does)"},
    {"notices", bo_cmd_notices, "notices run [--idle-exit S] [--now UNIX] | notices list   (SMS through Kannel, e-mail, proofs down)"},
    {"bills", bo_cmd_bills, "bills mail --period YYYY-MM | bills list [--period YYYY-MM]   (monthly bills by e-mail)"},
    {"outage", bo_cmd_outage, "outage plan [--gateway G] --area A --from T --to T --reason TEXT | move ID --from T --to T | cancel ID | class CUSTOMER --large yes|no --important yes|no"},
    {"contacts", bo_cmd_contacts, "contacts import FILE.csv | show [CUSTOMER] | set CUSTOMER FIELD VALUE | erase CUSTOMER | audit [CUSTOMER] [--by WHO]"},
    {"serve", bo_cmd_serve, "serve --listen ADDR:PORT --cert FILE --key FILE [--static DIR]   (the operators' console)"},
    {"user", bo_cmd_user, "user add NAME --role collector|supervisor|manager|admin [--grid G]   (password on stdin)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: gridledger-backoffice [-c CONFIG] [--db PATH | --pg CONNINFO] COMMAND [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %s\n", commands[i].usage);
}

int main(int argc, char **argv)
{
    bo_ctx ctx;
    int i = 1;
    memset(&ctx, 0, sizeof ctx);
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            ctx.config_path = argv[++i];
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            ctx.db_path = argv[++i];
        } else if (strcmp(argv[i], "--pg") == 0 && i + 1 < argc) {
            ctx.pg_conninfo = argv[++i];
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return CLI_OK;
        } else {
            cli_error("backoffice", "unknown option %s", argv[i]);
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return CLI_USAGE;
    }
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (strcmp(argv[i], commands[k].name) == 0) {
            if (cli_wants_help(argc - i, argv + i)) {
                printf("usage: gridledger-backoffice %s\n", commands[k].usage);
                return CLI_OK;
            }
            return commands[k].fn(&ctx, argc - i, argv + i);
        }
    cli_error("backoffice", "unknown command %s", argv[i]);
    usage(stderr);
    return CLI_USAGE;
}
