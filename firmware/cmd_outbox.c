/* cmd_outbox.c: `gridledger outbox [--json]`: the uplink queue. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_outbox(cli_ctx *ctx, int argc, char **argv)
{
    int json = argc == 2 && strcmp(argv[1], "--json") == 0;
    if (argc > 2 || (argc == 2 && !json)) {
        cli_error("outbox", "usage: outbox [--json]");
        return CLI_USAGE;
    }
    config *cfg = NULL;
    store *s = NULL;
    store_outbox_stats o;
    int rc = cli_load_config(ctx, &cfg);
    if (rc == CLI_OK)
        rc = cli_open_store(cfg, &s);
    if (rc == CLI_OK && store_outbox_stats_get(s, &o) != GL_OK) {
        cli_error("outbox", "cannot read the outbox");
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK && json)
        printf("{\"depth\":%lld,\"oldest_seq\":%lld,\"oldest_ts\":%lld,\"last_seq\":%lld,\"last_acked\":%lld,"
               "\"dropped\":%lld}\n",
               (long long)o.depth, (long long)o.oldest_seq, (long long)o.oldest_ts, (long long)o.last_seq,
               (long long)o.last_acked, (long long)o.dropped);
    else if (rc == CLI_OK)
        printf("depth %lld, oldest seq %lld (ts %lld), last seq %lld, last acknowledged %lld, dropped %lld\n",
               (long long)o.depth, (long long)o.oldest_seq, (long long)o.oldest_ts, (long long)o.last_seq,
               (long long)o.last_acked, (long long)o.dropped);
    store_close(s);
    config_free(cfg);
    return rc;
}
