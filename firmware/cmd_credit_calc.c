/* cmd_credit_calc.c: `gridledger credit-calc --ledger FILE --as-of DATE
 * [--config FILE] [--json|--csv] [--worklist]`: pure, from a ledger file,
 * per customer arrears, penalty, grade and collection actions (CONTRACT.md
 * credit result), or the collection worklist CSV. Without --config the
 * documented defaults apply (docs/credit.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gridledger/civdate.h"
#include "gridledger/config.h"
#include "gridledger/credit.h"
#include "gridledger/fileio.h"
#include "gridledger/ledgercsv.h"

#define LEDGER_FILE_MAX ((size_t)1 << 30) /* 1 GiB */

typedef enum { OUT_JSON = 0, OUT_CSV, OUT_WORKLIST } out_mode;

typedef struct {
    const char *ledger, *as_of_text, *config;
    out_mode mode;
    int32_t as_of;
} opts;

typedef struct {
    const ledger_account *acct;
    const config_customer *cust; /* from --config, or NULL */
    char grade[GRADE_NAME_MAX];
    ledger_arrears a;
    collect_item item;
} work_row;

typedef struct {
    work_row *rows;
    size_t n, cap;
} worklist;

static int parse_opts(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--ledger") == 0 && i + 1 < argc)
            o->ledger = argv[++i];
        else if (strcmp(a, "--as-of") == 0 && i + 1 < argc)
            o->as_of_text = argv[++i];
        else if (strcmp(a, "--config") == 0 && i + 1 < argc)
            o->config = argv[++i];
        else if (strcmp(a, "--json") == 0)
            o->mode = o->mode == OUT_WORKLIST ? OUT_WORKLIST : OUT_JSON;
        else if (strcmp(a, "--csv") == 0)
            o->mode = o->mode == OUT_WORKLIST ? OUT_WORKLIST : OUT_CSV;
        else if (strcmp(a, "--worklist") == 0)
            o->mode = OUT_WORKLIST;
        else {
            cli_error("credit-calc", "unknown or incomplete option %s (try --help)", a);
            return 0;
        }
    }
    if (o->ledger == NULL || o->as_of_text == NULL) {
        cli_error("credit-calc", "--ledger FILE and --as-of DATE are required");
        return 0;
    }
    if (civdate_parse(o->as_of_text, strlen(o->as_of_text), &o->as_of) != GL_OK) {
        cli_error("credit-calc", "--as-of: \"%s\" is not a date YYYY-MM-DD", o->as_of_text);
        return 0;
    }
    return 1;
}

static const char *fen(int64_t v, char *buf)
{
    if (money_format(v, MONEY_SCALE_FEN, buf, MONEY_FMT_MAX) != GL_OK)
        snprintf(buf, MONEY_FMT_MAX, "?");
    return buf;
}

static const char *date_text(int32_t d, char *buf)
{
    if (d < 0 || civdate_format(d, buf, CIVDATE_FMT_MAX) != GL_OK)
        buf[0] = '\0';
    return buf;
}

static const char *item_due(const collect_item *it, char *buf)
{
    if (it->has_time)
        civdate_format_minute(it->due_minute, buf, CIVDATE_MINUTE_FMT_MAX);
    else
        date_text((int32_t)(it->due_minute / CIVDATE_MINUTES_PER_DAY), buf);
    return buf;
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void csv_str(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void print_json_actions(FILE *f, const collect_plan *p)
{
    char due[CIVDATE_MINUTE_FMT_MAX];
    fputs("\"actions\": [", f);
    for (int i = 0; i < p->nitems; i++) {
        const collect_item *it = &p->items[i];
        fprintf(f, "%s{\"action\": \"%s\", \"channel\": ", i ? ", " : "", collect_action_name(it->action));
        json_str(f, it->channel);
        fprintf(f, ", \"due\": \"%s\", \"priority\": %d, \"next\": %s, \"reason\": ", item_due(it, due), it->priority,
                it->next ? "true" : "false");
        json_str(f, it->reason);
        fputc('}', f);
    }
    fputs("]", f);
}

static void print_json(FILE *f, const creditcfg *cc, const ledger_account *acct, const credit_result *r, int first)
{
    char b1[MONEY_FMT_MAX], b2[MONEY_FMT_MAX], b3[MONEY_FMT_MAX], b4[MONEY_FMT_MAX], d1[CIVDATE_FMT_MAX];
    const ledger_arrears *a = &r->arrears;
    const grade_result *g = &r->grade;
    fputs(first ? "\n  " : ",\n  ", f);
    fputs("{\"customer\": ", f);
    json_str(f, acct->customer);
    fprintf(f, ", \"class\": \"%s\", \"arrears\": \"%s\", \"oldest_due\": ", ledger_class_name(acct->klass),
            fen(a->arrears_fen, b1));
    if (a->oldest_due >= 0)
        fprintf(f, "\"%s\"", date_text(a->oldest_due, d1));
    else
        fputs("null", f);
    fprintf(f, ", \"days_overdue\": %d, \"penalty\": \"%s\", \"not_due\": \"%s\", \"credit\": \"%s\", \"balance\": \"%s\"",
            a->days_overdue, fen(a->penalty_fen, b1), fen(a->not_due_fen, b2), fen(a->credit_fen, b3),
            fen(a->balance_fen, b4));
    fprintf(f, ", \"aging\": {\"0_30\": \"%s\", \"31_60\": \"%s\", \"61_90\": \"%s\", \"over_90\": \"%s\"}",
            fen(a->aging_fen[0], b1), fen(a->aging_fen[1], b2), fen(a->aging_fen[2], b3), fen(a->aging_fen[3], b4));
    fprintf(f, ", \"score\": \"%s\", \"grade\": ", fen(g->score_cp, b1));
    json_str(f, cc->grade.names[g->grade]);
    fprintf(f, ", \"grade_reason\": \"%s\", \"previous_grade\": ", grade_reason_name(g->reason));
    json_str(f, cc->grade.names[g->prev_grade]);
    fputs(", \"score_components\": [", f);
    for (int c = 0; c < GRADE_C_COUNT; c++)
        fprintf(f, "%s{\"component\": \"%s\", \"value\": %lld, \"points\": \"%s\"}", c ? ", " : "",
                grade_component_name(g->comp[c].id), (long long)g->comp[c].value, fen(g->comp[c].points_cp, b1));
    fputs("], ", f);
    print_json_actions(f, &r->plan);
    fprintf(f, ", \"deposit_required\": \"%s\", \"deposit_held\": \"%s\", \"deposit_refundable\": %s",
            fen(r->deposit_required_fen, b1), fen(a->deposit_fen, b2), r->deposit_refundable ? "true" : "false");
    if (acct->prepaid)
        fprintf(f, ", \"prepaid_balance\": \"%s\"", fen(a->prepaid_balance_fen, b1));
    fputc('}', f);
}

static void print_csv(FILE *f, const creditcfg *cc, const ledger_account *acct, const credit_result *r)
{
    char b[10][MONEY_FMT_MAX], d1[CIVDATE_FMT_MAX], due[CIVDATE_MINUTE_FMT_MAX] = "";
    const ledger_arrears *a = &r->arrears;
    const collect_item *cur = NULL;
    for (int i = 0; i < r->plan.nitems && !cur; i++)
        if (!r->plan.items[i].next && r->plan.items[i].priority <= 5)
            cur = &r->plan.items[i];
    for (int i = 0; i < r->plan.nitems; i++) /* the disconnection itself rather than its confirmations */
        if (r->plan.items[i].action == COLLECT_DISCONNECT)
            cur = &r->plan.items[i];
    csv_str(f, acct->customer);
    fprintf(f, ",%s,", ledger_class_name(acct->klass));
    csv_str(f, cc->grade.names[r->grade.grade]);
    fprintf(f, ",%s,%s,%s,%s,%s,%d,%s,%s,%s,%s,%s,%s,%s\n", fen(r->grade.score_cp, b[0]), fen(a->arrears_fen, b[1]),
            fen(a->penalty_fen, b[2]), fen(a->balance_fen, b[3]), date_text(a->oldest_due, d1), a->days_overdue,
            fen(a->aging_fen[0], b[4]), fen(a->aging_fen[1], b[5]), fen(a->aging_fen[2], b[6]),
            fen(a->aging_fen[3], b[7]), fen(r->deposit_required_fen, b[8]),
            cur ? collect_action_name(cur->action) : "", cur ? item_due(cur, due) : "");
}

static int add_work(worklist *w, const work_row *row)
{
    if (w->n == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 256;
        work_row *nr = realloc(w->rows, ncap * sizeof *nr);
        if (nr == NULL)
            return 0;
        w->rows = nr;
        w->cap = ncap;
    }
    w->rows[w->n++] = *row;
    return 1;
}

static int work_cmp(const void *x, const void *y)
{
    const work_row *a = x, *b = y;
    if (a->item.priority != b->item.priority)
        return a->item.priority - b->item.priority;
    if (a->item.due_minute != b->item.due_minute)
        return a->item.due_minute < b->item.due_minute ? -1 : 1;
    int c = strcmp(a->acct->customer, b->acct->customer);
    if (c)
        return c;
    return (int)a->item.action - (int)b->item.action;
}

static void print_worklist(FILE *f, worklist *w)
{
    char b1[MONEY_FMT_MAX], b2[MONEY_FMT_MAX], d1[CIVDATE_FMT_MAX], due[CIVDATE_MINUTE_FMT_MAX];
    if (w->n > 1)
        qsort(w->rows, w->n, sizeof *w->rows, work_cmp);
    fputs("customer,name,grid,grade,arrears,penalty,oldest_due,days_overdue,action,channel,priority,deadline\n", f);
    for (size_t i = 0; i < w->n; i++) {
        const work_row *r = &w->rows[i];
        csv_str(f, r->acct->customer);
        fputc(',', f);
        csv_str(f, r->cust ? r->cust->name : "");
        fputc(',', f);
        csv_str(f, r->cust ? r->cust->grid : "");
        fputc(',', f);
        csv_str(f, r->grade);
        fprintf(f, ",%s,%s,%s,%d,%s,", fen(r->a.arrears_fen, b1), fen(r->a.penalty_fen, b2),
                date_text(r->a.oldest_due, d1), r->a.days_overdue, collect_action_name(r->item.action));
        csv_str(f, r->item.channel);
        fprintf(f, ",%d,%s\n", r->item.priority, item_due(&r->item, due));
    }
}

static int load_config(const char *path, config **cfg, creditcfg *cc)
{
    diag d;
    diag_init(&d);
    creditcfg_default(cc);
    if (path == NULL)
        return CLI_OK;
    gl_status st = config_load(path, &d, cfg);
    if (st != GL_OK) {
        cli_print_diag(&d);
        return st == GL_ENOMEM ? CLI_FAIL : CLI_USAGE;
    }
    if (creditcfg_from_config(*cfg, cc) != 0) {
        cli_print_diag(jsonv_diag((*cfg)->doc));
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int load_ledger(const char *path, ledgercsv **out)
{
    char *text = NULL;
    size_t len = 0;
    diag d;
    diag_init(&d);
    gl_status st = fileio_read(path, LEDGER_FILE_MAX, &text, &len);
    if (st != GL_OK) {
        cli_error(path, "%s", st == GL_EBOUND ? "larger than 1 GiB" : "cannot open the file");
        return st == GL_EBOUND ? CLI_USAGE : CLI_USAGE;
    }
    st = ledgercsv_parse(path, text, len, &d, out);
    free(text);
    if (st != GL_OK) {
        cli_print_diag(&d);
        if (d.count == 0)
            cli_error(path, "%s", gl_strerror(st));
        return cli_status_exit(st);
    }
    return CLI_OK;
}

/* Runs every account; prints JSON/CSV as it goes, gathers the worklist. */
static int run_all(const opts *o, const creditcfg *cc, const config *cfg, const ledgercsv *l, worklist *w)
{
    ledger_state *st = malloc(sizeof *st);
    credit_result *r = malloc(sizeof *r);
    int ret = CLI_FAIL;
    char d1[CIVDATE_FMT_MAX];
    if (st == NULL || r == NULL)
        goto out;
    if (o->mode == OUT_JSON)
        printf("{\"as_of\": \"%s\", \"customers\": [", date_text(o->as_of, d1));
    else if (o->mode == OUT_CSV)
        printf("customer,class,grade,score,arrears,penalty,balance,oldest_due,days_overdue,aging_0_30,aging_31_60,"
               "aging_61_90,aging_over_90,deposit_required,action,action_due\n");
    for (int i = 0; i < l->naccounts; i++) {
        const ledger_account *acct = &l->accounts[i];
        int ci = cfg ? config_find_customer(cfg, acct->customer) : -1;
        const config_customer *cust = ci >= 0 ? &cfg->customers[ci] : NULL;
        gl_status s = credit_eval(cc, acct, cust ? cust->important : 0, o->as_of, st, r);
        if (s != GL_OK) {
            cli_error(o->ledger, "customer %s: %s", acct->customer, gl_strerror(s));
            ret = cli_status_exit(s);
            goto out;
        }
        if (o->mode == OUT_JSON)
            print_json(stdout, cc, acct, r, i == 0);
        else if (o->mode == OUT_CSV)
            print_csv(stdout, cc, acct, r);
        for (int k = 0; o->mode == OUT_WORKLIST && k < r->plan.nitems; k++) {
            if (r->plan.items[k].next)
                continue;
            work_row row = {acct, cust, "", r->arrears, r->plan.items[k]};
            snprintf(row.grade, sizeof row.grade, "%s", cc->grade.names[r->grade.grade]);
            if (!add_work(w, &row))
                goto out;
        }
    }
    if (o->mode == OUT_JSON)
        printf("\n]}\n");
    ret = CLI_OK;
out:
    free(st);
    free(r);
    return ret;
}

int cmd_credit_calc(cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx; /* pure: the gateway config is read only with --config */
    opts o;
    config *cfg = NULL;
    ledgercsv *l = NULL;
    worklist w = {0};
    creditcfg *cc = malloc(sizeof *cc);
    int ret = CLI_FAIL;
    if (cc == NULL)
        goto out;
    ret = CLI_USAGE;
    if (!parse_opts(argc, argv, &o))
        goto out;
    if ((ret = load_config(o.config, &cfg, cc)) != CLI_OK || (ret = load_ledger(o.ledger, &l)) != CLI_OK)
        goto out;
    ret = run_all(&o, cc, cfg, l, &w);
    if (ret == CLI_OK && o.mode == OUT_WORKLIST)
        print_worklist(stdout, &w);
    if (fflush(stdout) != 0 && ret == CLI_OK) {
        cli_error("credit-calc", "cannot write the output");
        ret = CLI_FAIL;
    }
out:
    free(w.rows);
    ledgercsv_free(l);
    config_free(cfg);
    free(cc);
    return ret;
}
