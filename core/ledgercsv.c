/* ledgercsv.c: RFC 4180 reader for ledger files (see ledgercsv.h). */
#include "gridledger/ledgercsv.h"

#include <stdlib.h>
#include <string.h>

#include "gridledger/civdate.h"
#include "gridledger/ident.h"
#include "gridledger/money.h"

enum { COL_CUSTOMER, COL_CLASS, COL_DATE, COL_KIND, COL_AMOUNT, COL_REF, COL_DUE, NCOLS };

static const char *const col_names[NCOLS] = {"customer", "class", "date", "kind", "amount", "ref", "due"};

typedef struct {
    char text[LEDGERCSV_FIELD_MAX];
    size_t len;
    int col;     /* 1-based column of the field's first character */
    int too_long;
} field;

typedef struct {
    const char *file, *p, *end;
    int line, col;
    diag *d;
    int errors;
} reader;

typedef struct {
    char customer[LEDGER_ID_MAX];
    ledger_class klass;
    int line, class_col, ref_col;
    ledger_entry e;
} row;

static void report(reader *r, int line, int col, const char *column, const char *what)
{
    r->errors++;
    diag_add(r->d, "%s:%d:%d: %s: %s", r->file, line, col, column, what);
}

/* Reads one field; returns 1 at the end of a record (or file), 0 if more fields follow, -1 on error. */
static int read_field(reader *r, field *f)
{
    f->len = 0;
    f->too_long = 0;
    f->col = r->col;
    int quoted = r->p < r->end && *r->p == '"';
    if (quoted) {
        r->p++;
        r->col++;
    }
    for (;;) {
        if (r->p >= r->end) {
            if (quoted) {
                report(r, r->line, f->col, "csv", "unterminated quoted field");
                return -1;
            }
            break;
        }
        char c = *r->p;
        if (quoted && c == '"') {
            if (r->p + 1 < r->end && r->p[1] == '"') {
                r->p++;
                r->col++;
            } else {
                r->p++;
                r->col++;
                quoted = 0;
                if (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') {
                    report(r, r->line, r->col, "csv", "text after a closing quote");
                    return -1;
                }
                continue;
            }
        } else if (!quoted && (c == ',' || c == '\n' || c == '\r')) {
            break;
        } else if (!quoted && c == '"') {
            report(r, r->line, r->col, "csv", "quote inside an unquoted field");
            return -1;
        } else if (c == '\n' || c == '\r' || (unsigned char)c < 0x20) {
            report(r, r->line, r->col, "csv", "control character or line break inside a field");
            return -1;
        }
        if (f->len + 1 < sizeof f->text)
            f->text[f->len++] = *r->p;
        else
            f->too_long = 1;
        r->p++;
        r->col++;
    }
    f->text[f->len] = '\0';
    if (r->p < r->end && *r->p == ',') {
        r->p++;
        r->col++;
        return 0;
    }
    if (r->p < r->end && *r->p == '\r') {
        r->p++;
        if (r->p >= r->end || *r->p != '\n') {
            report(r, r->line, r->col, "csv", "bare carriage return");
            return -1;
        }
    }
    if (r->p < r->end && *r->p == '\n')
        r->p++;
    r->line++;
    r->col = 1;
    return 1;
}

/* Reads a record into fields[]; returns the count, or -1 (error, rest of line skipped). */
static int read_record(reader *r, field *fields, int max)
{
    int n = 0, end = 0;
    while (!end) {
        field scratch;
        field *f = n < max ? &fields[n] : &scratch;
        int line = r->line;
        end = read_field(r, f);
        if (end < 0) {
            while (r->p < r->end && *r->p != '\n')
                r->p++;
            if (r->p < r->end)
                r->p++;
            r->line = line + 1;
            r->col = 1;
            return -1;
        }
        n++;
    }
    return n;
}

static int parse_header(reader *r, int *map, int *nmap)
{
    field f[NCOLS + 1];
    int seen[NCOLS] = {0};
    if (r->p >= r->end) {
        report(r, 1, 1, "header", "empty file (want the header customer,class,date,kind,amount,ref[,due])");
        return 0;
    }
    int n = read_record(r, f, NCOLS + 1);
    if (n < 0)
        return 0;
    if (n > NCOLS) {
        report(r, 1, f[NCOLS].col, "header", "too many columns");
        return 0;
    }
    for (int i = 0; i < n; i++) {
        int k = -1;
        for (int c = 0; c < NCOLS; c++)
            if (strcmp(f[i].text, col_names[c]) == 0)
                k = c;
        if (k < 0 || seen[k]) {
            report(r, 1, f[i].col, "header", k < 0 ? "unknown column (want customer,class,date,kind,amount,ref[,due])"
                                                   : "column named twice");
            return 0;
        }
        seen[k] = 1;
        map[i] = k;
    }
    for (int c = 0; c < COL_DUE; c++) {
        if (!seen[c]) {
            diag_add(r->d, "%s:1:1: header: missing column \"%s\"", r->file, col_names[c]);
            r->errors++;
            return 0;
        }
    }
    *nmap = n;
    return 1;
}

static int sign_ok(ledger_kind k, int64_t a)
{
    switch (k) {
    case LEDGER_PAYMENT:
    case LEDGER_DEPOSIT:
    case LEDGER_REFUND:
    case LEDGER_TOPUP:
    case LEDGER_USAGE:
    case LEDGER_BOUNCED:
        return a > 0;
    case LEDGER_THEFT:
    case LEDGER_ILLEGAL_USE:
        return a >= 0;
    default:
        return 1;
    }
}

const char *ledgercsv_entry_problem(const ledger_entry *e, const char **column)
{
    *column = "amount";
    if (!sign_ok(e->kind, e->amount_fen))
        return "must be positive for this kind";
    *column = "due";
    if (e->due != 0 && e->kind != LEDGER_BILL)
        return "only bills have a due date";
    if (e->due != 0 && e->due < e->date)
        return "before the bill's date";
    *column = NULL;
    return NULL;
}

/* Checks one field into the row; reports and returns 0 on a problem. */
static int take_field(reader *r, int line, int colkind, const field *f, row *w, int32_t *due)
{
    const char *name = col_names[colkind];
    if (f->too_long) {
        report(r, line, f->col, name, "too long");
        return 0;
    }
    switch (colkind) {
    case COL_CUSTOMER:
        if (!ident_valid(f->text, LEDGER_ID_MAX - 1)) {
            report(r, line, f->col, name, "must be 1-47 letters, digits, '_', '-' or '.'");
            return 0;
        }
        memcpy(w->customer, f->text, f->len + 1);
        return 1;
    case COL_CLASS: {
        int c = ledger_class_parse(f->text, f->len);
        if (c < 0) {
            report(r, line, f->col, name, "must be residential, commercial, industrial, agricultural or other");
            return 0;
        }
        w->klass = (ledger_class)c;
        w->class_col = f->col;
        return 1;
    }
    case COL_DATE:
    case COL_DUE: {
        int32_t d;
        if (colkind == COL_DUE && f->len == 0)
            return 1;
        if (civdate_parse(f->text, f->len, &d) != GL_OK) {
            report(r, line, f->col, name, "must be a date YYYY-MM-DD");
            return 0;
        }
        *(colkind == COL_DATE ? &w->e.date : due) = d;
        return 1;
    }
    case COL_KIND: {
        int k = ledger_kind_parse(f->text, f->len);
        if (k < 0) {
            report(r, line, f->col, name, "must be bill, payment, adjustment, deposit, refund, penalty, theft, "
                                          "illegal_use, bounced, topup or usage");
            return 0;
        }
        w->e.kind = (ledger_kind)k;
        return 1;
    }
    case COL_AMOUNT: {
        int64_t a;
        gl_status st = money_parse_n(f->text, f->len, MONEY_SCALE_FEN, &a);
        if (st != GL_OK || a > LEDGER_MAX_AMOUNT_FEN || a < -LEDGER_MAX_AMOUNT_FEN) {
            report(r, line, f->col, name,
                   st == GL_OK || st == GL_EOVERFLOW ? "out of range" : "must be a decimal amount like 123.45");
            return 0;
        }
        w->e.amount_fen = a;
        return 1;
    }
    case COL_REF:
        if (f->len >= LEDGER_REF_MAX) {
            report(r, line, f->col, name, "longer than 47 characters");
            return 0;
        }
        memcpy(w->e.ref, f->text, f->len + 1);
        w->ref_col = f->col;
        return 1;
    default:
        return 0;
    }
}

/* Parses one data record into w; returns 1 if usable. */
static int parse_row(reader *r, const int *map, int nmap, row *w)
{
    field f[NCOLS];
    int32_t due = 0;
    int line = r->line, ok = 1, amount_col = 0, due_col = 0;
    int n = read_record(r, f, NCOLS);
    if (n < 0)
        return 0;
    if (n != nmap) {
        int last = (n < NCOLS ? n : NCOLS) - 1;
        report(r, line, n > nmap ? f[nmap < NCOLS ? nmap : last].col : f[last].col + (int)f[last].len, "csv",
               n > nmap ? "more fields than the header" : "fewer fields than the header");
        return 0;
    }
    memset(w, 0, sizeof *w);
    w->line = line;
    for (int i = 0; i < n; i++) {
        ok &= take_field(r, line, map[i], &f[i], w, &due);
        if (map[i] == COL_AMOUNT)
            amount_col = f[i].col;
        if (map[i] == COL_DUE)
            due_col = f[i].col;
    }
    if (!ok)
        return 0;
    const char *column = NULL, *why;
    w->e.due = due;
    if ((why = ledgercsv_entry_problem(&w->e, &column)) != NULL) {
        report(r, line, strcmp(column, "amount") == 0 ? amount_col : due_col, column, why);
        return 0;
    }
    return 1;
}

static int row_cmp(const void *a, const void *b)
{
    const row *x = a, *y = b;
    int c = strcmp(x->customer, y->customer);
    if (c)
        return c;
    if (x->e.date != y->e.date)
        return x->e.date < y->e.date ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

void ledgercsv_free(ledgercsv *l)
{
    if (l == NULL)
        return;
    free(l->entries);
    free(l->accounts);
    free(l);
}

/* Groups sorted rows into accounts; checks one class per customer. */
static gl_status group(reader *r, row *rows, int n, ledgercsv *l)
{
    l->entries = malloc(sizeof *l->entries * (size_t)(n ? n : 1));
    l->accounts = malloc(sizeof *l->accounts * (size_t)(n ? n : 1));
    if (l->entries == NULL || l->accounts == NULL)
        return GL_ENOMEM;
    for (int i = 0; i < n; i++) {
        l->entries[i] = rows[i].e;
        if (i == 0 || strcmp(rows[i].customer, rows[i - 1].customer) != 0) {
            ledger_account *a = &l->accounts[l->naccounts++];
            memset(a, 0, sizeof *a);
            memcpy(a->customer, rows[i].customer, sizeof a->customer);
            a->klass = rows[i].klass;
            a->entries = &l->entries[i];
        }
        ledger_account *a = &l->accounts[l->naccounts - 1];
        if (rows[i].klass != a->klass)
            report(r, rows[i].line, rows[i].class_col, "class", "differs from this customer's earlier rows");
        if (rows[i].e.kind == LEDGER_TOPUP || rows[i].e.kind == LEDGER_USAGE)
            a->prepaid = 1;
        if (++a->nentries > LEDGER_MAX_ENTRIES) {
            diag_add(r->d, "%s:%d:1: customer: more than %d rows for one customer", r->file, rows[i].line,
                     LEDGER_MAX_ENTRIES);
            return GL_EBOUND;
        }
    }
    l->nentries = n;
    return r->errors ? GL_ESYNTAX : GL_OK;
}

/* ref_group: the namespace of a row's ref: its kind (as the gateway's store
 * keeps refs unique per kind, so its own ledger exported for the credit run
 * always passes); -1 for a row whose ref may repeat (none, or a bounced
 * row, whose ref names the payment it cancels). */
static int ref_group(const row *w)
{
    if (w->e.ref[0] == '\0' || w->e.kind == LEDGER_BOUNCED)
        return -1;
    return (int)w->e.kind;
}

static int ref_cmp(const void *a, const void *b)
{
    const row *x = *(const row *const *)a, *y = *(const row *const *)b;
    int gx = ref_group(x), gy = ref_group(y), c;
    if (gx != gy)
        return gx < gy ? -1 : 1;
    if ((c = strcmp(x->e.ref, y->e.ref)) != 0)
        return c;
    return (x->line > y->line) - (x->line < y->line);
}

/* check_refs: reports every row whose ref (in its namespace) was used on an
 * earlier line, naming that first line: counting one payment twice is the
 * mistake a repeated export makes. */
static gl_status check_refs(reader *r, const row *rows, int n)
{
    const row **idx = malloc(sizeof *idx * (size_t)(n ? n : 1));
    int m = 0;
    if (idx == NULL)
        return GL_ENOMEM;
    for (int i = 0; i < n; i++)
        if (ref_group(&rows[i]) >= 0)
            idx[m++] = &rows[i];
    if (m > 1)
        qsort(idx, (size_t)m, sizeof *idx, ref_cmp);
    for (int i = 1, first = 0; i < m && r->errors < DIAG_MAX; i++) {
        if (ref_group(idx[i]) != ref_group(idx[first]) || strcmp(idx[i]->e.ref, idx[first]->e.ref) != 0) {
            first = i;
            continue;
        }
        r->errors++;
        diag_add(r->d, "%s:%d:%d: ref: %s already used on line %d (%s of %s): one ref, one entry", r->file,
                 idx[i]->line, idx[i]->ref_col, idx[i]->e.ref, idx[first]->line, ledger_kind_name(idx[first]->e.kind),
                 idx[first]->customer);
    }
    free(idx);
    return r->errors ? GL_ESYNTAX : GL_OK;
}

/* line_too_long: the line at r->p runs past LEDGERCSV_LINE_MAX bytes (reported). */
static int line_too_long(reader *r)
{
    size_t left = (size_t)(r->end - r->p);
    if (left <= LEDGERCSV_LINE_MAX || memchr(r->p, '\n', LEDGERCSV_LINE_MAX + 1) != NULL)
        return 0;
    diag_add(r->d, "%s:%d:%d: csv: line longer than %d bytes", r->file, r->line, LEDGERCSV_LINE_MAX + 1,
             LEDGERCSV_LINE_MAX);
    return 1;
}

gl_status ledgercsv_parse(const char *file, const char *text, size_t len, diag *d, ledgercsv **out)
{
    gl_status ret = GL_ESYNTAX;
    reader r = {file, text, text + len, 1, 1, d, 0};
    int map[NCOLS], nmap = 0, n = 0, cap = 0;
    row *rows = NULL;
    ledgercsv *l = NULL;
    if (text == NULL || out == NULL)
        return GL_EINVAL;
    *out = NULL;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        r.p += 3; /* a UTF-8 byte order mark, as spreadsheets write */
    if (line_too_long(&r)) {
        ret = GL_EBOUND;
        goto out;
    }
    if (!parse_header(&r, map, &nmap))
        goto out;
    while (r.p < r.end && r.errors < DIAG_MAX) {
        if (line_too_long(&r)) {
            ret = GL_EBOUND;
            goto out;
        }
        if (*r.p == '\n' || (*r.p == '\r' && r.p + 1 < r.end && r.p[1] == '\n')) {
            r.p += *r.p == '\r' ? 2 : 1; /* an empty line */
            r.line++;
            continue;
        }
        if (n == cap) {
            int ncap = cap ? cap * 2 : 1024;
            row *nr;
            if (cap >= LEDGERCSV_MAX_ROWS) {
                diag_add(d, "%s:%d:1: csv: more than %d rows", file, r.line, LEDGERCSV_MAX_ROWS);
                ret = GL_EBOUND;
                goto out;
            }
            if (ncap > LEDGERCSV_MAX_ROWS)
                ncap = LEDGERCSV_MAX_ROWS;
            if ((nr = realloc(rows, sizeof *rows * (size_t)ncap)) == NULL) {
                ret = GL_ENOMEM;
                goto out;
            }
            rows = nr;
            cap = ncap;
        }
        n += parse_row(&r, map, nmap, &rows[n]);
    }
    if (r.errors || (ret = check_refs(&r, rows, n)) != GL_OK)
        goto out;
    ret = GL_ENOMEM;
    if ((l = calloc(1, sizeof *l)) == NULL)
        goto out;
    if (n > 1)
        qsort(rows, (size_t)n, sizeof *rows, row_cmp);
    ret = group(&r, rows, n, l);
    if (ret == GL_OK) {
        *out = l;
        l = NULL;
    }
out:
    ledgercsv_free(l);
    free(rows);
    return ret;
}
