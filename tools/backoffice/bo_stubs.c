/* bo_stubs.c: commands of later phases (replaced as they land). */
#include "bo_cli.h"
#include "cli.h"

int bo_cmd_down(bo_ctx *ctx, int argc, char **argv)
{
    (void)ctx; (void)argc;
    cli_error(argv[0], "not available yet");
    return CLI_USAGE;
}
int bo_cmd_acks(bo_ctx *ctx, int argc, char **argv)
{
    (void)ctx; (void)argc;
    cli_error(argv[0], "not available yet");
    return CLI_USAGE;
}
