/* cmd_deposit.c: `gridledger deposit add|list`: non-cash deposits (bank
 * guarantees, insurance bonds) with issuer, amount and expiry
 * (store_deposit.h; docs/credit.md "Non-cash deposits"). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "gridledger/civdate.h"
#include "clock.h"
#include "gridledger/money.h"
#include "outfmt.h"
#include "store_deposit.h"

#define USAGE                                                                                                          \
    "usage: deposit add --customer C --kind guarantee|bond --issuer NAME --amount AMOUNT --expires YYYY-MM-DD "        \
    "[--ref REF] | deposit list [--customer C] [--date DATE] [--json|--csv]"

typedef struct dep_args {
    const char *customer, *kind, *issuer, *amount, *expires, *ref, *date;
    outfmt_kind k;
} dep_args;

static int take(int argc, char **argv, int *i, const char *name, const char **val)
{
    if (strcmp(argv[*i], name) != 0)
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *val = argv[++*i];
    return 1;
}

static int parse(int argc, char **argv, dep_args *a)
{
    static const char *const names[] = {"--customer", "--kind", "--issuer", "--amount", "--expires", "--ref", "--date"};
    const char **vals[] = {&a->customer, &a->kind, &a->issuer, &a->amount, &a->expires, &a->ref, &a->date};
    memset(a, 0, sizeof *a);
    for (int i = 2; i < argc; i++) {
        int t = 0;
        for (size_t k = 0; t == 0 && k < sizeof names / sizeof names[0]; k++)
            t = take(argc, argv, &i, names[k], vals[k]);
        if (t == 0)
            t = outfmt_flag(argv[i], &a->k);
        if (t <= 0)
            return 0;
    }
    return 1;
}

/* check_add: every field of an add, or a one-line reason. */
static int check_add(const config *cfg, const dep_args *a, store_deposit_row *r)
{
    int32_t d = 0;
    memset(r, 0, sizeof r[0]);
    if (!a->customer || !a->kind || !a->issuer || !a->amount || !a->expires)
        return cli_error("deposit", "add needs --customer, --kind, --issuer, --amount and --expires"), 0;
    if (config_find_customer(cfg, a->customer) < 0)
        return cli_error("deposit", "unknown customer %s", a->customer), 0;
    if (strcmp(a->kind, "guarantee") != 0 && strcmp(a->kind, "bond") != 0)
        return cli_error("deposit", "--kind %s: guarantee (bank guarantee) or bond (insurance bond)", a->kind), 0;
    if (a->issuer[0] == '\0' || strlen(a->issuer) >= sizeof r->issuer ||
        (a->ref && (a->ref[0] == '\0' || strlen(a->ref) >= sizeof r->ref)))
        return cli_error("deposit", "--issuer and --ref: 1..%zu characters", sizeof r->issuer - 1), 0;
    if (money_parse(a->amount, MONEY_SCALE_FEN, &r->amount_fen) != GL_OK || r->amount_fen <= 0)
        return cli_error("deposit", "--amount %s: a positive decimal with at most 2 decimals", a->amount), 0;
    if (strlen(a->expires) != 10 || civdate_parse(a->expires, 10, &d) != GL_OK)
        return cli_error("deposit", "--expires %s: want YYYY-MM-DD", a->expires), 0;
    snprintf(r->customer, sizeof r->customer, "%s", a->customer);
    snprintf(r->kind, sizeof r->kind, "%s", a->kind);
    snprintf(r->issuer, sizeof r->issuer, "%s", a->issuer);
    snprintf(r->expires, sizeof r->expires, "%s", a->expires);
    snprintf(r->ref, sizeof r->ref, "%s", a->ref ? a->ref : "");
    if (!a->ref)
        snprintf(r->ref, sizeof r->ref, "%s/%s/%s", a->kind, a->customer, a->expires);
    r->recorded_ts = (int64_t)time(NULL);
    return 1;
}

typedef struct list_ctx {
    const char *date;
    outfmt o;
} list_ctx;

static int print_one(void *ctx, const store_deposit_row *r)
{
    list_ctx *c = ctx;
    char amount[MONEY_FMT_MAX];
    money_format(r->amount_fen, MONEY_SCALE_FEN, amount, sizeof amount);
    const char *vals[] = {r->customer, r->kind, r->issuer, amount, r->expires, r->ref,
                          strcmp(r->expires, c->date) >= 0 ? "in_force" : "expired"};
    outfmt_row(&c->o, vals);
    return 0;
}

/* list: every deposit with its state on the date (today by default). */
static int list(store *s, const dep_args *a)
{
    static const char *const cols[] = {"customer", "kind", "issuer", "amount", "expires", "ref", "state"};
    char today[CIVDATE_FMT_MAX];
    civdate_format(clock_civil_day((int64_t)time(NULL)), today, sizeof today);
    list_ctx c = {a->date ? a->date : today, {0}};
    outfmt_begin(&c.o, a->k, stdout, "deposits", cols, 7);
    gl_status st = store_deposit_each(s, a->customer, print_one, &c);
    outfmt_end(&c.o);
    if (st != GL_OK)
        cli_error("deposit", "store: %s", gl_strerror(st));
    return st == GL_OK ? CLI_OK : CLI_FAIL;
}

int cmd_deposit(cli_ctx *ctx, int argc, char **argv)
{
    dep_args a;
    config *cfg = NULL;
    store *s = NULL;
    store_deposit_row r;
    int add = argc >= 2 && strcmp(argv[1], "add") == 0, rc;
    if (argc < 2 || (!add && strcmp(argv[1], "list") != 0) || !parse(argc, argv, &a)) {
        cli_error("deposit", "%s", USAGE);
        return CLI_USAGE;
    }
    rc = cli_load_config(ctx, &cfg);
    if (rc == CLI_OK && add && !check_add(cfg, &a, &r))
        rc = CLI_USAGE;
    if (rc == CLI_OK)
        rc = cli_open_store(cfg, &s);
    if (rc == CLI_OK && add) {
        gl_status st = store_deposit_add(s, &r);
        if (st == GL_EEXIST)
            cli_error("deposit", "ref %s is recorded already: nothing changed", r.ref);
        else if (st != GL_OK)
            cli_error("deposit", "store: %s", gl_strerror(st));
        else
            printf("deposit %s %s by %s, %s, expires %s: recorded\n", r.kind, r.ref, r.issuer, a.amount, r.expires);
        rc = st == GL_OK ? CLI_OK : st == GL_EEXIST ? CLI_USAGE : CLI_FAIL;
    } else if (rc == CLI_OK) {
        rc = list(s, &a);
    }
    store_close(s);
    config_free(cfg);
    return rc;
}
