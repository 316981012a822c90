/* cmd_db.c: `gridledger db check | stats [--json] | export TABLE --csv`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int db_check(store *s)
{
    int ok = 0;
    char msg[256];
    if (store_recovered(s)[0] != '\0') { /* said by cli_open_store; the fresh file being ok is not "ok" */
        cli_error("db check", "the store was replaced by a fresh one (see above): exit 1");
        return CLI_FAIL;
    }
    gl_status st = store_check(s, &ok, msg, sizeof msg);
    if (st != GL_OK) {
        cli_error("db check", "%s", gl_strerror(st));
        return CLI_FAIL;
    }
    if (!ok) {
        cli_error("db check", "integrity_check: %s", msg);
        return CLI_FAIL;
    }
    printf("ok\n");
    return CLI_OK;
}

static void stats_text(const store_stats *st, const store_outbox_stats *o)
{
    printf("schema version %d, file %lld bytes (%lld free), wal %lld bytes\n", st->schema_version,
           (long long)st->file_bytes, (long long)st->free_bytes, (long long)st->wal_bytes);
    printf("bytes written: %lld by this process, %lld over the store's life; %lld syncs\n",
           (long long)st->bytes_written, (long long)st->bytes_written_total, (long long)st->syncs);
    printf("outbox: %lld waiting, %lld dropped by the quota\n", (long long)o->depth, (long long)o->dropped);
    printf("%-12s %12s %12s\n", "table", "rows", "bytes");
    for (size_t i = 0; i < st->ntables; i++)
        printf("%-12s %12lld %12lld\n", st->tables[i].name, (long long)st->tables[i].rows,
               (long long)st->tables[i].bytes);
}

static void stats_json(const store_stats *st, const store_outbox_stats *o)
{
    printf("{\"schema_version\":%d,\"file_bytes\":%lld,\"free_bytes\":%lld,\"wal_bytes\":%lld,"
           "\"bytes_written\":%lld,\"bytes_written_total\":%lld,\"outbox_depth\":%lld,\"outbox_dropped\":%lld,"
           "\"tables\":[",
           st->schema_version, (long long)st->file_bytes, (long long)st->free_bytes, (long long)st->wal_bytes,
           (long long)st->bytes_written, (long long)st->bytes_written_total, (long long)o->depth,
           (long long)o->dropped);
    for (size_t i = 0; i < st->ntables; i++)
        printf("%s{\"name\":\"%s\",\"rows\":%lld,\"bytes\":%lld}", i ? "," : "", st->tables[i].name,
               (long long)st->tables[i].rows, (long long)st->tables[i].bytes);
    printf("]}\n");
}

static int db_stats(store *s, int json)
{
    store_stats st;
    store_outbox_stats o;
    if (store_stats_get(s, &st) != GL_OK || store_outbox_stats_get(s, &o) != GL_OK) {
        cli_error("db stats", "cannot read the statistics");
        return CLI_FAIL;
    }
    if (json)
        stats_json(&st, &o);
    else
        stats_text(&st, &o);
    return CLI_OK;
}

static int db_export(store *s, int argc, char **argv)
{
    if (argc != 4 || strcmp(argv[3], "--csv") != 0) {
        cli_error("db export", "usage: db export TABLE --csv");
        return CLI_USAGE;
    }
    gl_status st = store_export_csv(s, argv[2], stdout);
    if (st == GL_ENOTFOUND) {
        cli_error("db export", "no table '%s' (see `gridledger db stats`)", argv[2]);
        return CLI_USAGE;
    }
    if (st != GL_OK) {
        cli_error("db export", "%s", gl_strerror(st));
        return CLI_FAIL;
    }
    return CLI_OK;
}

int cmd_db(cli_ctx *ctx, int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";
    int json = argc == 3 && strcmp(argv[2], "--json") == 0;
    if (!(strcmp(sub, "check") == 0 && argc == 2) && !(strcmp(sub, "stats") == 0 && (argc == 2 || json)) &&
        strcmp(sub, "export") != 0) {
        cli_error("db", "usage: db check | db stats [--json] | db export TABLE --csv");
        return CLI_USAGE;
    }
    config *cfg = NULL;
    store *s = NULL;
    int rc = cli_load_config(ctx, &cfg);
    if (rc == CLI_OK)
        rc = cli_open_store(cfg, &s);
    if (rc == CLI_OK) {
        if (strcmp(sub, "check") == 0)
            rc = db_check(s);
        else if (strcmp(sub, "stats") == 0)
            rc = db_stats(s, json);
        else
            rc = db_export(s, argc, argv);
    }
    store_close(s);
    config_free(cfg);
    return rc;
}
