/* cmd_config.c: `gridledger check-config`: validate, print a one-line summary. */
#include <stdio.h>

#include "cli.h"
#include "config.h"

int cmd_check_config(cli_ctx *ctx, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        cli_error("check-config", "takes no arguments (use -c CONFIG before the command)");
        return CLI_USAGE;
    }
    diag d;
    config *cfg = NULL;
    diag_init(&d);
    gl_status st = config_load(ctx->config_path, &d, &cfg);
    if (st != GL_OK) {
        cli_print_diag(&d);
        return st == GL_ENOMEM ? CLI_FAIL : CLI_USAGE;
    }
    int area = 0;
    for (int i = 0; i < cfg->nmeters; i++)
        area += cfg->meters[i].role == CONFIG_ROLE_AREA_SUMMARY;
    printf("%s: ok: gateway %s, area %s, %s: %d buses, %d meters (%d area summary), %d customers, "
           "%d tariffs, uplink %s\n",
           cfg->file, cfg->gateway.id, cfg->gateway.area, cfg->gateway.timezone, cfg->nbuses, cfg->nmeters,
           area, cfg->ncustomers, cfg->ntariffs, cfg->uplink.enabled ? cfg->uplink.host : "off");
    config_free(cfg);
    return CLI_OK;
}
