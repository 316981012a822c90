/* cmd_ledger.c: `gridledger ledger CUSTOMER [--json|--csv]` (the account's
 * entries, oldest first) and `pay CUSTOMER AMOUNT --ref REF [--date DATE]`
 * (a payment taken locally: recorded once per reference, reported up;
 * --topup: a prepaid purchase; --batch FILE: lines customer,amount,ref,date[,topup]). */
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

static int pay_args(int argc, char **argv, int64_t *amount, const char **ref, char *date, size_t cap, int *topup)
{
    time_t now = time(NULL);
    struct tm tm;
    int32_t d = 0;
    localtime_r(&now, &tm);
    strftime(date, cap, "%Y-%m-%d", &tm);
    if (argc < 3 || money_parse(argv[2], MONEY_SCALE_FEN, amount) != GL_OK || *amount <= 0)
        return 0;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--topup") == 0)
            *topup = 1;
        else if (strcmp(argv[i], "--ref") == 0 && i + 1 < argc)
            *ref = argv[++i];
        else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc &&
                 civdate_parse(argv[i + 1], strlen(argv[i + 1]), &d) == GL_OK)
            snprintf(date, cap, "%s", argv[++i]);
        else
            return 0;
    }
    return *ref != NULL && (*ref)[0] != '\0';
}

/* record: one payment (or prepaid top-up) and its event message, in one
 * transaction; prints what happened. Returns the store's status. */
static gl_status record(store *s, const config *cfg, const char *customer, int64_t amount, const char *ref,
                        const char *date, int topup)
{
    char body[512], amt[MONEY_FMT_MAX];
    money_format(amount, MONEY_SCALE_FEN, amt, sizeof amt);
    const char *kind = topup ? "topup" : "payment";
    gl_status st = store_txn_begin(s);
    if (st == GL_OK)
        st = store_ledger_put(s, customer, date, kind, amount, ref, NULL);
    snprintf(body, sizeof body, "{\"kind\":\"%s\",\"subject\":\"%s\",\"detail\":\"%s ref %s on %s\",\"ts\":%lld,"
             "\"alert\":false}", kind, customer, amt, ref, date, (long long)time(NULL));
    if (st == GL_OK && cfg->uplink.enabled)
        st = store_outbox_put(s, "events", body, (int64_t)time(NULL), NULL);
    st = store_txn_end(s, st);
    if (st == GL_EEXIST)
        printf("%s ref %s was already recorded: nothing changed\n", kind, ref);
    else if (st == GL_OK)
        printf("recorded: %s %s %s on %s, ref %s\n", customer, topup ? "topped up" : "paid", amt, date, ref);
    return st;
}

/* batch_line: "customer,amount,ref,date[,topup]"; 0 if malformed. */
static int batch_line(char *line, const config *cfg, char **f, int64_t *amount, int *topup)
{
    int n = 0;
    int32_t d = 0;
    for (char *p = line, *tok; n < 6 && (tok = strsep(&p, ",")) != NULL;)
        f[n++] = tok;
    *topup = n == 5 && strcmp(f[4], "topup") == 0;
    return (n == 4 || (n == 5 && *topup)) && config_find_customer(cfg, f[0]) >= 0 &&
           money_parse(f[1], MONEY_SCALE_FEN, amount) == GL_OK && *amount > 0 && f[2][0] != '\0' &&
           civdate_parse(f[3], strlen(f[3]), &d) == GL_OK;
}

/* pay_batch: every line of file (checked first, all or nothing on a bad
 * line), each recorded in its own transaction. */
static int pay_batch(store *s, const config *cfg, const char *file)
{
    FILE *in = fopen(file, "r");
    char line[512];
    int lineno = 0, bad = 0, failed = 0;
    if (in == NULL) {
        cli_error(file, "cannot open the file");
        return CLI_USAGE;
    }
    for (int pass = 0; pass < 2 && !bad; pass++) {
        rewind(in);
        lineno = 0;
        while (fgets(line, sizeof line, in) != NULL) {
            char *f[6];
            int64_t amount = 0;
            int topup = 0;
            lineno++;
            line[strcspn(line, "\r\n")] = '\0';
            if (line[0] == '\0')
                continue;
            if (!batch_line(line, cfg, f, &amount, &topup)) {
                cli_error(file, "line %d: want customer,amount,ref,date[,topup] with a known customer, an amount "
                                "above 0 and a date YYYY-MM-DD", lineno);
                bad = 1;
                break;
            }
            if (pass == 1) {
                gl_status st = record(s, cfg, f[0], amount, f[2], f[3], topup);
                failed += st != GL_OK && st != GL_EEXIST;
            }
        }
    }
    fclose(in);
    return bad ? CLI_USAGE : failed ? CLI_FAIL : CLI_OK;
}

int cmd_pay(cli_ctx *ctx, int argc, char **argv)
{
    int64_t amount = 0;
    const char *ref = NULL;
    char date[16];
    int topup = 0, batch = argc == 3 && strcmp(argv[1], "--batch") == 0;
    if (!batch && !pay_args(argc, argv, &amount, &ref, date, sizeof date, &topup)) {
        cli_error("pay", "usage: pay CUSTOMER AMOUNT --ref REF [--date YYYY-MM-DD] [--topup] | pay --batch FILE "
                         "(AMOUNT like 100.00, above 0)");
        return CLI_USAGE;
    }
    config *cfg = NULL;
    store *s = NULL;
    int rc = batch ? cli_load_config(ctx, &cfg) : open_all(ctx, argv[1], &cfg, &s);
    if (rc == CLI_OK && batch)
        rc = cli_open_store(cfg, &s);
    if (rc == CLI_OK && batch)
        rc = pay_batch(s, cfg, argv[2]);
    else if (rc == CLI_OK) {
        gl_status st = record(s, cfg, argv[1], amount, ref, date, topup);
        if (st != GL_OK && st != GL_EEXIST) {
            cli_error("pay", "%s", gl_strerror(st));
            rc = CLI_FAIL;
        }
    }
    store_close(s);
    config_free(cfg);
    return rc;
}
