/* cmd_run.c: `gridledger run`: the daemon (see daemon.h). */
#include "cli.h"
#include "daemon.h"
#include "clock.h"

int cmd_run(cli_ctx *ctx, int argc, char **argv)
{
    daemon_state d = {.opts = {.config_path = ctx->config_path}};
    int rc = cli_load_config(ctx, &d.cfg);
    if (rc != CLI_OK)
        return rc;
    if (clock_set_timezone(d.cfg->gateway.timezone) != GL_OK) {
        cli_error("run", "unknown time zone %s", d.cfg->gateway.timezone);
        config_free(d.cfg);
        return CLI_USAGE;
    }
    rc = daemon_parse_args(argc, argv, &d.opts);
    if (rc == CLI_OK)
        rc = daemon_main(&d);
    config_free(d.cfg);
    return rc;
}
