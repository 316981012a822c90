/* cmd_ledger.c: `gridledger ledger CUSTOMER [--date D] [--json|--csv]` (the
 * account at the counter: every entry oldest first, each bill's penalty to
 * date, what each payment paid, the running balance and what is owed
 * today) and `pay CUSTOMER AMOUNT --ref REF [--date DATE]` (a payment taken
 * locally by the rules of payment.h, reported up, followed by what remains
 * owed; --topup: a prepaid purchase; --batch FILE: lines
 * customer,amount,ref,date[,topup]). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "cli.h"
#include "creditrun.h"
#include "gridledger/civdate.h"
#include "gridledger/creditcfg.h"
#include "gridledger/money.h"
#include "outfmt.h"
#include "payment.h"
#include "store_ledger.h"

/* The account of one customer from the store, replayed up to a day. */
typedef struct counter_acct {
    ledger_entry *entries;
    ledger_account acct;
    creditcfg *cc;
    account_view v;
} counter_acct;

static void counter_free(counter_acct *a)
{
    account_view_free(&a->v);
    free(a->entries);
    free(a->cc);
    memset(a, 0, sizeof *a);
}

static int32_t today_local(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return civdate_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* counter_load: customer's entries replayed to as_of with the config's credit rules. */
static gl_status counter_load(store *s, const config *cfg, const char *customer, int32_t as_of, counter_acct *a)
{
    memset(a, 0, sizeof *a);
    const config_customer *c = &cfg->customers[config_find_customer(cfg, customer)];
    gl_status st = (a->cc = malloc(sizeof *a->cc)) ? GL_OK : GL_ENOMEM;
    if (st == GL_OK && config_credit(cfg, a->cc) != 0)
        st = GL_ECONFIG;
    if (st == GL_OK)
        st = store_ledger_entries(s, customer, &a->entries, &a->acct.nentries);
    snprintf(a->acct.customer, sizeof a->acct.customer, "%s", customer);
    a->acct.klass = (unsigned)c->klass < LEDGER_CLASS_COUNT ? (ledger_class)c->klass : LEDGER_CLASS_OTHER;
    a->acct.prepaid = c->payment == CONFIG_PAY_PREPAID;
    a->acct.entries = a->entries;
    if (st == GL_OK)
        st = account_view_build(&a->cc->ledger, &a->acct, as_of, &a->v);
    if (st != GL_OK)
        counter_free(a);
    return st;
}

#define FEN(v, b) creditrun_fen((v), (b))

/* owed_line: "C owes X as of D: ..." (the clerk's sentence). */
static void owed_line(FILE *f, const counter_acct *a)
{
    const ledger_arrears *o = &a->v.owed;
    char b[9][MONEY_FMT_MAX], d[CIVDATE_FMT_MAX];
    creditrun_date(a->v.as_of, d);
    if (o->balance_fen <= 0)
        fprintf(f, "%s owes nothing as of %s (credit %s)", a->acct.customer, d, FEN(-o->balance_fen, b[0]));
    else
        fprintf(f, "%s owes %s as of %s: principal %s (%s overdue, %s not yet due), penalty %s (%s of it on %d "
                "bill%s already paid), credit %s; due now %s", a->acct.customer, FEN(o->balance_fen, b[0]), d,
                FEN(o->arrears_fen + o->not_due_fen, b[1]), FEN(o->arrears_fen, b[2]), FEN(o->not_due_fen, b[3]),
                FEN(o->penalty_fen, b[4]), FEN(a->v.penalty_on_paid_fen, b[5]), a->v.paid_with_penalty,
                a->v.paid_with_penalty == 1 ? "" : "s", FEN(o->credit_fen, b[6]), FEN(account_due_now(&a->v), b[7]));
    if (a->acct.prepaid)
        fprintf(f, "; prepaid balance %s", FEN(o->prepaid_balance_fen, b[8]));
    fputc('\n', f);
}

/* entry_cells: the columns every form shows for entry i. */
static void entry_cells(const counter_acct *a, int i, char cells[][MONEY_FMT_MAX])
{
    const ledger_entry *e = &a->entries[i];
    creditrun_date(e->date, cells[0]);
    FEN(e->amount_fen, cells[1]);
    creditrun_date(e->kind == LEDGER_BILL ? (e->due ? e->due : -1) : -1, cells[2]);
    FEN(a->v.lines[i].balance_fen, cells[3]);
}

/* debt_cells: open principal, penalty charged to date and still open of debt d. */
static void debt_cells(const counter_acct *a, int d, char cells[][MONEY_FMT_MAX])
{
    int64_t charged = 0, open = 0;
    account_debt_penalty(&a->v, d, &charged, &open);
    FEN(a->v.st->debts[d].open_fen, cells[0]);
    FEN(charged, cells[1]);
    FEN(open, cells[2]);
}

static const char *debt_ref(const counter_acct *a, int d)
{
    return a->entries[a->v.debt_entry[d]].ref;
}

/* print_table: text and CSV: one row per entry, one `applied` row per debt
 * a payment paid, a last `owed` row. */
static void print_table(const counter_acct *a, outfmt_kind k)
{
    static const char *const cols[] = {"date", "kind", "amount", "ref", "due", "to", "principal", "penalty",
                                       "penalty_open", "balance"};
    char c[4][MONEY_FMT_MAX], dc[3][MONEY_FMT_MAX], p1[MONEY_FMT_MAX], p2[MONEY_FMT_MAX];
    outfmt o;
    outfmt_begin(&o, k, stdout, "ledger", cols, 10);
    for (int i = 0; i < a->v.nlines; i++) {
        const account_line *l = &a->v.lines[i];
        entry_cells(a, i, c);
        if (l->debt >= 0)
            debt_cells(a, l->debt, dc);
        const char *row[] = {c[0], ledger_kind_name(a->entries[i].kind), c[1], a->entries[i].ref, c[2][0] ? c[2] : NULL,
                             NULL, l->debt >= 0 ? dc[0] : NULL, l->debt >= 0 ? dc[1] : NULL,
                             l->debt >= 0 ? dc[2] : NULL, c[3]};
        outfmt_row(&o, row);
        for (int j = 0; j < l->nalloc; j++) {
            const account_alloc *al = &a->v.allocs[l->first + j];
            const char *arow[] = {c[0], "applied", NULL, a->entries[i].ref, NULL, debt_ref(a, al->debt),
                                  FEN(al->principal_fen, p1), FEN(al->penalty_fen, p2), NULL, NULL};
            outfmt_row(&o, arow);
        }
    }
    const ledger_arrears *ow = &a->v.owed;
    creditrun_date(a->v.as_of, c[0]);
    const char *last[] = {c[0], "owed", FEN(ow->balance_fen, c[1]), NULL, NULL, NULL,
                          FEN(ow->arrears_fen + ow->not_due_fen, c[2]), FEN(ow->penalty_fen, c[3]), NULL, NULL};
    outfmt_row(&o, last);
    outfmt_end(&o);
}

static void json_allocs(FILE *f, const counter_acct *a, const account_line *l)
{
    char p1[MONEY_FMT_MAX], p2[MONEY_FMT_MAX];
    fputs(",\"applied\":[", f);
    for (int j = 0; j < l->nalloc; j++) {
        const account_alloc *al = &a->v.allocs[l->first + j];
        fputs(j ? ",{\"to\":" : "{\"to\":", f);
        outfmt_json_string(f, debt_ref(a, al->debt));
        fprintf(f, ",\"principal\":\"%s\",\"penalty\":\"%s\"}", FEN(al->principal_fen, p1), FEN(al->penalty_fen, p2));
    }
    fputc(']', f);
}

static void json_entry(FILE *f, const counter_acct *a, int i)
{
    char c[4][MONEY_FMT_MAX], dc[3][MONEY_FMT_MAX];
    const account_line *l = &a->v.lines[i];
    entry_cells(a, i, c);
    fprintf(f, "%s\n  {\"date\":\"%s\",\"kind\":\"%s\",\"amount\":\"%s\",\"ref\":", i ? "," : "", c[0],
            ledger_kind_name(a->entries[i].kind), c[1]);
    outfmt_json_string(f, a->entries[i].ref);
    if (c[2][0])
        fprintf(f, ",\"due\":\"%s\"", c[2]);
    if (l->debt >= 0) {
        debt_cells(a, l->debt, dc);
        fprintf(f, ",\"open\":\"%s\",\"penalty\":\"%s\",\"penalty_open\":\"%s\"", dc[0], dc[1], dc[2]);
    }
    if (l->nalloc > 0)
        json_allocs(f, a, l);
    fprintf(f, ",\"balance\":\"%s\"}", c[3]);
}

static void print_json(const counter_acct *a)
{
    const ledger_arrears *o = &a->v.owed;
    char b[7][MONEY_FMT_MAX], d[CIVDATE_FMT_MAX];
    fputs("{\"customer\":", stdout);
    outfmt_json_string(stdout, a->acct.customer);
    fprintf(stdout, ",\"class\":\"%s\",\"payment\":\"%s\",\"as_of\":\"%s\",\"ledger\":[",
            ledger_class_name(a->acct.klass), a->acct.prepaid ? "prepaid" : "postpaid", creditrun_date(a->v.as_of, d));
    for (int i = 0; i < a->v.nlines; i++)
        json_entry(stdout, a, i);
    fprintf(stdout, "],\n \"arrears\":\"%s\",\"not_due\":\"%s\",\"penalty\":\"%s\",\"penalty_on_paid_bills\":\"%s\","
            "\"paid_bills_with_penalty\":%d,\"credit\":\"%s\",\"balance\":\"%s\",\"due_now\":\"%s\"",
            FEN(o->arrears_fen, b[0]), FEN(o->not_due_fen, b[1]), FEN(o->penalty_fen, b[2]),
            FEN(a->v.penalty_on_paid_fen, b[3]), a->v.paid_with_penalty, FEN(o->credit_fen, b[4]),
            FEN(o->balance_fen, b[5]), FEN(account_due_now(&a->v), b[6]));
    if (a->acct.prepaid)
        fprintf(stdout, ",\"prepaid_balance\":\"%s\"", FEN(o->prepaid_balance_fen, b[0]));
    fputs("}\n", stdout);
}

static int show(store *s, const config *cfg, const char *customer, int32_t as_of, outfmt_kind k)
{
    counter_acct a;
    gl_status st = counter_load(s, cfg, customer, as_of, &a);
    if (st != GL_OK) {
        cli_error(customer, "cannot replay the account: %s", gl_strerror(st));
        return cli_status_exit(st);
    }
    if (k == OUTFMT_JSON)
        print_json(&a);
    else
        print_table(&a, k);
    if (k == OUTFMT_TEXT)
        owed_line(stdout, &a);
    counter_free(&a);
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

/* ledger_args: CUSTOMER [--date D] [--json|--csv]; 0 if malformed. */
static int ledger_args(int argc, char **argv, int32_t *as_of, outfmt_kind *k)
{
    *as_of = -1; /* today, once the store (and the gateway's time zone) is open */
    if (argc < 2 || argv[1][0] == '-')
        return 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--date") == 0 && i + 1 < argc) {
            if (civdate_parse(argv[i + 1], strlen(argv[i + 1]), as_of) != GL_OK)
                return 0;
            i++;
        } else if (!outfmt_flag(argv[i], k)) {
            return 0;
        }
    }
    return 1;
}

int cmd_ledger(cli_ctx *ctx, int argc, char **argv)
{
    outfmt_kind k = OUTFMT_TEXT;
    int32_t as_of = 0;
    if (!ledger_args(argc, argv, &as_of, &k)) {
        cli_error("ledger", "usage: ledger CUSTOMER [--date YYYY-MM-DD] [--json|--csv]");
        return CLI_USAGE;
    }
    config *cfg = NULL;
    store *s = NULL;
    int rc = open_all(ctx, argv[1], &cfg, &s);
    if (rc == CLI_OK)
        rc = show(s, cfg, argv[1], as_of < 0 ? today_local() : as_of, k);
    store_close(s);
    config_free(cfg);
    return rc;
}

static int pay_args(int argc, char **argv, int64_t *amount, const char **ref, char *date, size_t cap, int *topup)
{
    date[0] = '\0'; /* today, once the store (and the gateway's time zone) is open */
    if (argc < 3 || money_parse(argv[2], MONEY_SCALE_FEN, amount) != GL_OK || *amount <= 0)
        return 0;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--topup") == 0)
            *topup = 1;
        else if (strcmp(argv[i], "--ref") == 0 && i + 1 < argc)
            *ref = argv[++i];
        else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc)
            snprintf(date, cap, "%s", argv[++i]);
        else
            return 0;
    }
    return *ref != NULL && (*ref)[0] != '\0';
}

/* remains: what the customer owes today, after a payment. */
static void remains(store *s, const config *cfg, const char *customer)
{
    counter_acct a;
    if (counter_load(s, cfg, customer, today_local(), &a) != GL_OK)
        return;
    fputs("  ", stdout);
    owed_line(stdout, &a);
    counter_free(&a);
}

/* record: one payment (or prepaid top-up) by the rules of payment.h and its
 * event message, in one transaction; prints what happened. Returns the
 * status of payment_take (GL_EEXIST: the repeat). */
static gl_status record(store *s, const config *cfg, const payment_req *r)
{
    char body[512], amt[MONEY_FMT_MAX];
    payment_result res = {"payment", 0, ""};
    money_format(r->amount_fen, MONEY_SCALE_FEN, amt, sizeof amt);
    gl_status st = store_txn_begin(s);
    if (st == GL_OK)
        st = payment_take(s, cfg, r, today_local(), (int64_t)time(NULL), &res);
    snprintf(body, sizeof body, "{\"kind\":\"%s\",\"subject\":\"%s\",\"detail\":\"%s ref %s on %s\",\"ts\":%lld,"
             "\"alert\":false}", res.kind, r->customer, amt, r->ref, r->date, (long long)time(NULL));
    if (st == GL_OK && cfg->uplink.enabled)
        st = store_outbox_put(s, "events", body, (int64_t)time(NULL), NULL);
    st = store_txn_end(s, st);
    if (st == GL_EEXIST)
        printf("%s\n", res.why);
    else if (st == GL_OK)
        printf("recorded: %s %s %s on %s, ref %s%s\n", r->customer, res.kind[0] == 't' ? "topped up" : "paid", amt,
               r->date, r->ref, res.as_prepaid ? " (a prepaid account: applied to its prepaid balance)" : "");
    else
        cli_error(r->customer, "%s", res.why[0] ? res.why : gl_strerror(st));
    if (st == GL_OK || st == GL_EEXIST)
        remains(s, cfg, r->customer);
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

/* refused: 1 for a status that is the input's fault (exit 2). */
static int refused(gl_status st)
{
    return st == GL_ESTATE || st == GL_ERANGE || st == GL_ESYNTAX || st == GL_ENOTFOUND || st == GL_EINVAL;
}

/* pay_batch: every line of file (checked first, all or nothing on a bad
 * line), each recorded in its own transaction; a line the rules refuse is
 * reported and the others are still taken (exit 2 at the end). */
static int pay_batch(store *s, const config *cfg, const char *file)
{
    FILE *in = fopen(file, "r");
    char line[512];
    int lineno = 0, bad = 0, failed = 0, refusals = 0;
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
                payment_req r = {f[0], f[3], f[2], amount, topup};
                gl_status st = record(s, cfg, &r);
                refusals += refused(st);
                failed += st != GL_OK && st != GL_EEXIST && !refused(st);
            }
        }
    }
    fclose(in);
    return bad || refusals ? CLI_USAGE : failed ? CLI_FAIL : CLI_OK;
}

int cmd_pay(cli_ctx *ctx, int argc, char **argv)
{
    int64_t amount = 0;
    const char *ref = NULL;
    char date[CIVDATE_FMT_MAX + 16];
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
        if (date[0] == '\0')
            creditrun_date(today_local(), date);
        payment_req r = {argv[1], date, ref, amount, topup};
        gl_status st = record(s, cfg, &r);
        rc = st == GL_OK || st == GL_EEXIST ? CLI_OK : refused(st) ? CLI_USAGE : CLI_FAIL;
    }
    store_close(s);
    config_free(cfg);
    return rc;
}
