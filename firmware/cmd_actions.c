/* cmd_actions.c: `gridledger actions`: the collection record, one row per
 * action with its planned, taken and served times, status, proof and the
 * principal and penalty owed when it was taken; `gridledger served`: a
 * notice's proof of service recorded at the gateway (a collector's visit or
 * call, a delivery receipt read out by the back office), which the next
 * collection run counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "collrec.h"
#include "clock.h"
#include "outfmt.h"
#include "store_collect.h"

typedef struct list_ctx {
    outfmt o;
} list_ctx;

static int list_row(void *ctx, const store_collect_row *r)
{
    list_ctx *c = ctx;
    char buf[7][40];
    const char *v[COLLREC_NCOLS];
    collrec_values(r, buf, v);
    outfmt_row(&c->o, v);
    return 0;
}

static int parse_when(const char *what, const char *s, int64_t *out)
{
    if (clock_parse_local(s, out) != GL_OK) {
        cli_error("actions", "%s: \"%s\" is not YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]", what, s);
        return 0;
    }
    return 1;
}

/* open_gateway: the config (its zone set) and the store. */
static int open_gateway(cli_ctx *ctx, config **cfg, store **s)
{
    int rc = cli_load_config(ctx, cfg);
    if (rc == CLI_OK)
        clock_set_timezone((*cfg)->gateway.timezone);
    if (rc == CLI_OK)
        rc = cli_open_store(*cfg, s);
    return rc;
}

int cmd_actions(cli_ctx *ctx, int argc, char **argv)
{
    const char *customer = NULL;
    int64_t from = 0, to = INT64_MAX;
    outfmt_kind k = OUTFMT_TEXT;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--customer") == 0 && i + 1 < argc) {
            customer = argv[++i];
        } else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc) {
            if (!parse_when("--from", argv[++i], &from))
                return CLI_USAGE;
        } else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc) {
            if (!parse_when("--to", argv[++i], &to))
                return CLI_USAGE;
            if (strlen(argv[i]) == 10)
                to += 86400; /* a date: the whole day */
        } else if (!outfmt_flag(argv[i], &k)) {
            cli_error("actions", "usage: actions [--customer C] [--from D] [--to D] [--json|--csv]");
            return CLI_USAGE;
        }
    }
    config *cfg = NULL;
    store *s = NULL;
    int rc = open_gateway(ctx, &cfg, &s);
    if (rc == CLI_OK) {
        list_ctx c;
        outfmt_begin(&c.o, k, stdout, "actions", collrec_columns(), COLLREC_NCOLS);
        gl_status st = store_collect_each(s, customer, from, to, list_row, &c);
        outfmt_end(&c.o);
        if (st != GL_OK) {
            cli_error("actions", "cannot read the collection record: %s", gl_strerror(st));
            rc = cli_status_exit(st);
        }
    }
    store_close(s);
    config_free(cfg);
    return rc;
}

int cmd_served(cli_ctx *ctx, int argc, char **argv)
{
    const char *proof = NULL, *at_s = NULL;
    int64_t id = 0, at = 0;
    if (argc < 3) {
        cli_error("served", "usage: served CUSTOMER ACTION --proof TEXT [--at TIME] [--id N]");
        return CLI_USAGE;
    }
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--proof") == 0 && i + 1 < argc)
            proof = argv[++i];
        else if (strcmp(argv[i], "--at") == 0 && i + 1 < argc)
            at_s = argv[++i];
        else if (strcmp(argv[i], "--id") == 0 && i + 1 < argc)
            id = strtoll(argv[++i], NULL, 10);
        else {
            cli_error("served", "usage: served CUSTOMER ACTION --proof TEXT [--at TIME] [--id N]");
            return CLI_USAGE;
        }
    }
    if (proof == NULL || proof[0] == '\0' || strlen(proof) >= STORE_COLLECT_PROOF_MAX) {
        cli_error("served", "--proof: the evidence of service is required (1..%d bytes)", STORE_COLLECT_PROOF_MAX - 1);
        return CLI_USAGE;
    }
    config *cfg = NULL;
    store *s = NULL;
    int rc = open_gateway(ctx, &cfg, &s);
    if (rc == CLI_OK && at_s != NULL && clock_parse_local(at_s, &at) != GL_OK) {
        cli_error("served", "--at: \"%s\" is not YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]", at_s);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK) {
        int64_t now = time(NULL), got = 0;
        gl_status st = store_txn_begin(s); /* the served row and its actions message together */
        if (st == GL_OK)
            st = store_collect_serve(s, argv[1], argv[2], id, at_s ? at : now, proof, &got);
        if (st == GL_OK && cfg->uplink.enabled)
            st = collrec_queue_up(s, argv[1], got, now);
        st = store_txn_end(s, st);
        if (st == GL_ENOTFOUND) {
            cli_error("served", "%s: no %s awaiting proof of service", argv[1], argv[2]);
            rc = CLI_USAGE;
        } else if (st != GL_OK) {
            cli_error("served", "%s", gl_strerror(st));
            rc = cli_status_exit(st);
        } else {
            printf("%s %s (record %lld): served, proof \"%s\"\n", argv[1], argv[2], (long long)got, proof);
        }
    }
    store_close(s);
    config_free(cfg);
    return rc;
}
