/* cmd_ledger.c: `gridledger ledger CUSTOMER [--json|--csv]` (the account's
 * entries, oldest first) and `pay CUSTOMER AMOUNT --ref REF [--date DATE]`
 * (a payment taken locally: recorded once per reference, reported up). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "gridledger/civdate.h"
#include "gridledger/money.h"
#include "outfmt.h"

static int list(store *s, const char *customer, outfmt_kind k)
{
    static const char *const cols[] = {"date", "kind", "amount", "ref", "due"};
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(store_db(s), "SELECT date, kind, amount_fen, ref, due FROM ledger WHERE customer = ?1"
                                        " ORDER BY date, id", -1, &st, NULL) != SQLITE_OK) {
        cli_error("ledger", "cannot read the store");
        return CLI_FAIL;
    }
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
    outfmt o;
    outfmt_begin(&o, k, stdout, "ledger", cols, 5);
    while (sqlite3_step(st) == SQLITE_ROW) {
        char amount[MONEY_FMT_MAX];
        money_format(sqlite3_column_int64(st, 2), MONEY_SCALE_FEN, amount, sizeof amount);
        const char *row[] = {(const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1), amount,
                             (const char *)sqlite3_column_text(st, 3), (const char *)sqlite3_column_text(st, 4)};
        outfmt_row(&o, row);
    }
    outfmt_end(&o);
    sqlite3_finalize(st);
    return CLI_OK;
}

static int open_all(cli_ctx *ctx, const char *customer, config **cfg, store **s)
{
    int rc = cli_load_config(ctx, cfg);
    if (rc == CLI_OK && config_find_customer(*cfg, customer) < 0) {
        cli_error(customer, "no such customer in %s", (*cfg)->file);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK)
        rc = cli_open_store(*cfg, s);
    return rc;
}

int cmd_ledger(cli_ctx *ctx, int argc, char **argv)
{
    outfmt_kind k = OUTFMT_TEXT;
    if (argc < 2 || argc > 3 || argv[1][0] == '-' || (argc == 3 && !outfmt_flag(argv[2], &k))) {
        cli_error("ledger", "usage: ledger CUSTOMER [--json|--csv]");
        return CLI_USAGE;
    }
    config *cfg = NULL;
    store *s = NULL;
    int rc = open_all(ctx, argv[1], &cfg, &s);
    if (rc == CLI_OK)
        rc = list(s, argv[1], k);
    store_close(s);
    config_free(cfg);
    return rc;
}

static int pay_args(int argc, char **argv, int64_t *amount, const char **ref, char *date, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;
    int32_t d = 0;
    localtime_r(&now, &tm);
    strftime(date, cap, "%Y-%m-%d", &tm);
    if (argc < 3 || money_parse(argv[2], MONEY_SCALE_FEN, amount) != GL_OK || *amount <= 0)
        return 0;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--ref") == 0)
            *ref = argv[i + 1];
        else if (strcmp(argv[i], "--date") == 0 && civdate_parse(argv[i + 1], strlen(argv[i + 1]), &d) == GL_OK)
            snprintf(date, cap, "%s", argv[i + 1]);
        else
            return 0;
    }
    return (argc - 3) % 2 == 0 && *ref != NULL && (*ref)[0] != '\0';
}

int cmd_pay(cli_ctx *ctx, int argc, char **argv)
{
    int64_t amount = 0;
    const char *ref = NULL;
    char date[16], body[512], amt[MONEY_FMT_MAX];
    if (!pay_args(argc, argv, &amount, &ref, date, sizeof date)) {
        cli_error("pay", "usage: pay CUSTOMER AMOUNT --ref REF [--date YYYY-MM-DD] (AMOUNT like 100.00, above 0)");
        return CLI_USAGE;
    }
    config *cfg = NULL;
    store *s = NULL;
    int rc = open_all(ctx, argv[1], &cfg, &s);
    if (rc == CLI_OK) {
        money_format(amount, MONEY_SCALE_FEN, amt, sizeof amt);
        gl_status st = store_txn_begin(s);
        if (st == GL_OK)
            st = store_payment_put(s, argv[1], amount, ref, date);
        snprintf(body, sizeof body, "{\"kind\":\"payment\",\"subject\":\"%s\",\"detail\":\"%s ref %s on %s\","
                 "\"ts\":%lld,\"alert\":false}", argv[1], amt, ref, date, (long long)time(NULL));
        if (st == GL_OK && cfg->uplink.enabled)
            st = store_outbox_put(s, "events", body, (int64_t)time(NULL), NULL);
        st = store_txn_end(s, st);
        if (st == GL_EEXIST)
            printf("payment ref %s was already recorded: nothing changed\n", ref);
        else if (st == GL_OK)
            printf("recorded: %s paid %s on %s, ref %s\n", argv[1], amt, date, ref);
        else {
            cli_error("pay", "%s", gl_strerror(st));
            rc = CLI_FAIL;
        }
    }
    store_close(s);
    config_free(cfg);
    return rc;
}
