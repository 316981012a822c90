/* creditrun.c: the credit run over a ledger (see creditrun.h). */
#include "creditrun.h"
#include "store_deposit.h"

#include <stdlib.h>
#include <string.h>

#include "gridledger/civdate.h"
#include "gridledger/money.h"
#include "measuresout.h"
#include "outfmt.h"
#include "store_ledger.h"

const char *creditrun_fen(int64_t v, char *buf)
{
    if (money_format(v, MONEY_SCALE_FEN, buf, MONEY_FMT_MAX) != GL_OK)
        snprintf(buf, MONEY_FMT_MAX, "?");
    return buf;
}

const char *creditrun_date(int32_t d, char *buf)
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
        creditrun_date((int32_t)(it->due_minute / CIVDATE_MINUTES_PER_DAY), buf);
    return buf;
}

#define json_str outfmt_json_string

#define csv_str outfmt_csv_string

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

void creditrun_print_json(FILE *f, const creditcfg *cc, const ledger_account *acct, const credit_result *r, int first)
{
    char b1[MONEY_FMT_MAX], b2[MONEY_FMT_MAX], b3[MONEY_FMT_MAX], b4[MONEY_FMT_MAX], d1[CIVDATE_FMT_MAX];
    const ledger_arrears *a = &r->arrears;
    const grade_result *g = &r->grade;
    fputs(first ? "\n  " : ",\n  ", f);
    fputs("{\"customer\": ", f);
    json_str(f, acct->customer);
    fprintf(f, ", \"class\": \"%s\", \"arrears\": \"%s\", \"oldest_due\": ", ledger_class_name(acct->klass),
            creditrun_fen(a->arrears_fen, b1));
    if (a->oldest_due >= 0)
        fprintf(f, "\"%s\"", creditrun_date(a->oldest_due, d1));
    else
        fputs("null", f);
    fprintf(f, ", \"days_overdue\": %d, \"penalty\": \"%s\", \"not_due\": \"%s\", \"credit\": \"%s\", \"balance\": \"%s\"",
            a->days_overdue, creditrun_fen(a->penalty_fen, b1), creditrun_fen(a->not_due_fen, b2), creditrun_fen(a->credit_fen, b3),
            creditrun_fen(a->balance_fen, b4));
    fprintf(f, ", \"aging\": {\"0_30\": \"%s\", \"31_60\": \"%s\", \"61_90\": \"%s\", \"over_90\": \"%s\"}",
            creditrun_fen(a->aging_fen[0], b1), creditrun_fen(a->aging_fen[1], b2), creditrun_fen(a->aging_fen[2], b3), creditrun_fen(a->aging_fen[3], b4));
    fprintf(f, ", \"score\": \"%s\", \"grade\": ", creditrun_fen(g->score_cp, b1));
    json_str(f, cc->grade.names[g->grade]);
    fprintf(f, ", \"grade_reason\": \"%s\", \"previous_grade\": ", grade_reason_name(g->reason));
    json_str(f, cc->grade.names[g->prev_grade]);
    fputs(", \"score_components\": [", f);
    for (int c = 0; c < GRADE_C_COUNT; c++)
        fprintf(f, "%s{\"component\": \"%s\", \"value\": %lld, \"points\": \"%s\"}", c ? ", " : "",
                grade_component_name(g->comp[c].id), (long long)g->comp[c].value, creditrun_fen(g->comp[c].points_cp, b1));
    fputs("], ", f);
    print_json_actions(f, &r->plan);
    fprintf(f, ", \"deposit_required\": \"%s\", \"deposit_held\": \"%s\", \"deposit_refundable\": %s",
            creditrun_fen(r->deposit_required_fen, b1), creditrun_fen(a->deposit_fen, b2), r->deposit_refundable ? "true" : "false");
    if (acct->prepaid)
        fprintf(f, ", \"prepaid_balance\": \"%s\"", creditrun_fen(a->prepaid_balance_fen, b1));
    fputs(", ", f);
    measuresout_json(f, cc, r);
    fputc('}', f);
}

void creditrun_print_csv(FILE *f, const creditcfg *cc, const ledger_account *acct, const credit_result *r)
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
    fprintf(f, ",%s,%s,%s,%s,%s,%d,%s,%s,%s,%s,%s,%s,%s\n", creditrun_fen(r->grade.score_cp, b[0]), creditrun_fen(a->arrears_fen, b[1]),
            creditrun_fen(a->penalty_fen, b[2]), creditrun_fen(a->balance_fen, b[3]), creditrun_date(a->oldest_due, d1), a->days_overdue,
            creditrun_fen(a->aging_fen[0], b[4]), creditrun_fen(a->aging_fen[1], b[5]), creditrun_fen(a->aging_fen[2], b[6]),
            creditrun_fen(a->aging_fen[3], b[7]), creditrun_fen(r->deposit_required_fen, b[8]),
            cur ? collect_action_name(cur->action) : "", cur ? item_due(cur, due) : "");
}

static int add_work(creditrun_worklist *w, const creditrun_row *row)
{
    if (w->n == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 256;
        creditrun_row *nr = realloc(w->rows, ncap * sizeof *nr);
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
    const creditrun_row *a = x, *b = y;
    if (a->item.priority != b->item.priority)
        return a->item.priority - b->item.priority;
    if (a->item.due_minute != b->item.due_minute)
        return a->item.due_minute < b->item.due_minute ? -1 : 1;
    int c = strcmp(a->acct->customer, b->acct->customer);
    if (c)
        return c;
    return (int)a->item.action - (int)b->item.action;
}

void creditrun_print_worklist(FILE *f, creditrun_worklist *w)
{
    char b1[MONEY_FMT_MAX], b2[MONEY_FMT_MAX], d1[CIVDATE_FMT_MAX], due[CIVDATE_MINUTE_FMT_MAX];
    if (w->n > 1)
        qsort(w->rows, w->n, sizeof *w->rows, work_cmp);
    fputs("customer,name,grid,grade,arrears,penalty,oldest_due,days_overdue,action,channel,priority,deadline\n", f);
    for (size_t i = 0; i < w->n; i++) {
        const creditrun_row *r = &w->rows[i];
        csv_str(f, r->acct->customer);
        fputc(',', f);
        csv_str(f, r->cust ? r->cust->name : "");
        fputc(',', f);
        csv_str(f, r->cust ? r->cust->grid : "");
        fputc(',', f);
        csv_str(f, r->grade);
        fprintf(f, ",%s,%s,%s,%d,%s,", creditrun_fen(r->a.arrears_fen, b1), creditrun_fen(r->a.penalty_fen, b2),
                creditrun_date(r->a.oldest_due, d1), r->a.days_overdue, collect_action_name(r->item.action));
        csv_str(f, r->item.channel);
        fprintf(f, ",%d,%s\n", r->item.priority, item_due(&r->item, due));
    }
}


void creditrun_print_csv_header(FILE *f)
{
    fputs("customer,class,grade,score,arrears,penalty,balance,oldest_due,days_overdue,aging_0_30,aging_31_60,"
          "aging_61_90,aging_over_90,deposit_required,action,action_due\n",
          f);
}

int creditrun_worklist_add(creditrun_worklist *w, const creditcfg *cc, const ledger_account *acct,
                           const config_customer *cust, const credit_result *r)
{
    for (int k = 0; k < r->plan.nitems; k++) {
        if (r->plan.items[k].next)
            continue;
        creditrun_row row = {acct, cust, "", r->arrears, r->plan.items[k]};
        snprintf(row.grade, sizeof row.grade, "%s", cc->grade.names[r->grade.grade]);
        if (!add_work(w, &row))
            return 0;
    }
    return 1;
}

void creditrun_worklist_free(creditrun_worklist *w)
{
    free(w->rows);
    memset(w, 0, sizeof *w);
}

gl_status creditrun_all(const creditcfg *cc, const config *cfg, store *s, const ledgercsv *l, int32_t as_of,
                        creditrun_fn fn, void *ctx, char *err, size_t cap)
{
    char day[CIVDATE_FMT_MAX];
    civdate_format(as_of, day, sizeof day);
    ledger_state *st = malloc(sizeof *st);
    credit_result *r = malloc(sizeof *r);
    gl_status ret = st && r ? GL_OK : GL_ENOMEM;
    for (int i = 0; ret == GL_OK && i < l->naccounts; i++) {
        const ledger_account *acct = &l->accounts[i];
        int ci = cfg ? config_find_customer(cfg, acct->customer) : -1;
        const config_customer *cust = ci >= 0 ? &cfg->customers[ci] : NULL;
        ret = credit_eval(cc, acct, cust ? cust->important : 0, as_of, st, r);
        if (ret == GL_OK && s != NULL)
            ret = store_deposit_in_force(s, acct->customer, day, &r->deposit_noncash_fen);
        if (ret == GL_OK && cust != NULL) {
            ledger_account a = *acct; /* prepaid by the config or a switch, even before its first top-up */
            a.prepaid |= cust->payment == CONFIG_PAY_PREPAID;
            ret = credit_measures(cc, &a, cust->capacity_kva_milli, r);
        }
        if (ret != GL_OK)
            snprintf(err, cap, "customer %s: %s", acct->customer, gl_strerror(ret));
        else if (fn(ctx, acct, cust, r) != 0)
            break;
    }
    free(st);
    free(r);
    return ret;
}

static const char *class_name(config_customer_class k)
{
    static const char *const names[] = {"residential", "commercial", "industrial", "agricultural", "other"};
    return (unsigned)k < 5 ? names[k] : "other";
}

/* The book being built from the store's ledger: entries grouped by
 * customer (the store gives them in customer, date, recorded order). */
typedef struct book {
    const config *cfg;
    int prepaid_only;
    ledgercsv *l;
    int cap;
    diag *d;
} book;

static ledger_class class_of(const config *cfg, int ci)
{
    const char *name = ci >= 0 ? class_name(cfg->customers[ci].klass) : "other";
    int k = ledger_class_parse(name, strlen(name));
    return k >= 0 ? (ledger_class)k : LEDGER_CLASS_OTHER;
}

/* book_grow: room for one more entry (and account). */
static gl_status book_grow(book *b)
{
    ledgercsv *l = b->l;
    if (l->nentries < b->cap)
        return GL_OK;
    if (b->cap >= LEDGERCSV_MAX_ROWS)
        return GL_EBOUND;
    int ncap = b->cap ? b->cap * 2 : 1024;
    ncap = ncap > LEDGERCSV_MAX_ROWS ? LEDGERCSV_MAX_ROWS : ncap;
    ledger_entry *ne = realloc(l->entries, sizeof *ne * (size_t)ncap);
    if (ne != NULL)
        l->entries = ne;
    ledger_account *na = ne ? realloc(l->accounts, sizeof *na * (size_t)ncap) : NULL;
    if (na == NULL)
        return GL_ENOMEM;
    l->accounts = na;
    b->cap = ncap;
    return GL_OK;
}

/* book_add: one stored entry into the book (an account opened per customer;
 * entries pointers are set once the book is complete). */
static gl_status book_add(void *ctx, const char *customer, const ledger_entry *e)
{
    book *b = ctx;
    ledgercsv *l = b->l;
    const char *column = NULL, *why = ledgercsv_entry_problem(e, &column);
    int ci = config_find_customer(b->cfg, customer);
    if (b->prepaid_only && (ci < 0 || b->cfg->customers[ci].payment != CONFIG_PAY_PREPAID))
        return GL_OK;
    if (why != NULL) {
        diag_add(b->d, "store ledger: customer %s, %s %s: %s: %s", customer, ledger_kind_name(e->kind), e->ref,
                 column, why);
        return GL_ECORRUPT;
    }
    gl_status st = book_grow(b);
    if (st != GL_OK)
        return st;
    ledger_account *a = l->naccounts ? &l->accounts[l->naccounts - 1] : NULL;
    if (a == NULL || strcmp(a->customer, customer) != 0) {
        a = &l->accounts[l->naccounts++];
        memset(a, 0, sizeof *a);
        snprintf(a->customer, sizeof a->customer, "%s", customer);
        a->klass = class_of(b->cfg, ci);
    }
    if (a->nentries == LEDGER_MAX_ENTRIES) {
        diag_add(b->d, "store ledger: customer %s: more than %d entries", customer, LEDGER_MAX_ENTRIES);
        return GL_EBOUND;
    }
    a->nentries++;
    a->prepaid |= e->kind == LEDGER_TOPUP || e->kind == LEDGER_USAGE;
    l->entries[l->nentries++] = *e;
    return GL_OK;
}

gl_status creditrun_store_ledger(store *s, const config *cfg, int prepaid_only, ledgercsv **out, diag *d)
{
    book b = {cfg, prepaid_only, calloc(1, sizeof(ledgercsv)), 0, d};
    gl_status st = b.l ? store_ledger_each(s, book_add, &b) : GL_ENOMEM;
    for (int i = 0, at = 0; st == GL_OK && i < b.l->naccounts; at += b.l->accounts[i++].nentries)
        b.l->accounts[i].entries = &b.l->entries[at];
    if (st != GL_OK) {
        ledgercsv_free(b.l);
        b.l = NULL;
    }
    *out = b.l;
    return st;
}

void creditrun_print_worklist_json(FILE *f, creditrun_worklist *w)
{
    char b1[MONEY_FMT_MAX], b2[MONEY_FMT_MAX], d1[CIVDATE_FMT_MAX], due[CIVDATE_MINUTE_FMT_MAX];
    if (w->n > 1)
        qsort(w->rows, w->n, sizeof *w->rows, work_cmp);
    fputc('[', f);
    for (size_t i = 0; i < w->n; i++) {
        const creditrun_row *r = &w->rows[i];
        fputs(i ? ",{\"customer\":" : "{\"customer\":", f);
        json_str(f, r->acct->customer);
        fputs(",\"name\":", f);
        json_str(f, r->cust ? r->cust->name : "");
        fputs(",\"grid\":", f);
        json_str(f, r->cust ? r->cust->grid : "");
        fputs(",\"grade\":", f);
        json_str(f, r->grade);
        fprintf(f, ",\"arrears\":\"%s\",\"penalty\":\"%s\",\"oldest_due\":", creditrun_fen(r->a.arrears_fen, b1),
                creditrun_fen(r->a.penalty_fen, b2));
        if (r->a.oldest_due >= 0)
            fprintf(f, "\"%s\"", creditrun_date(r->a.oldest_due, d1));
        else
            fputs("null", f); /* nothing overdue yet: a reminder before the due date */
        fprintf(f, ",\"days_overdue\":%d,\"action\":\"%s\",\"channel\":", r->a.days_overdue,
                collect_action_name(r->item.action));
        json_str(f, r->item.channel);
        fprintf(f, ",\"priority\":%d,\"deadline\":\"%s\"}", r->item.priority, item_due(&r->item, due));
    }
    fputc(']', f);
}
