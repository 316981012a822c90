/* bo_table.c: report tables and their CSV and XLSX writers (bo_report.h).
 * XLSX cells hold numbers as the format requires (a double); money reaches
 * them as fen / 100, exact to the cent at any amount below 2^53 fen. */
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "bo_report.h"
#include "gridledger/money.h"

gl_status bo_table_add(bo_table *t, const char *const *vals)
{
    if (t->nrows >= BO_REPORT_MAX_ROWS)
        return GL_EBOUND;
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char **cells = realloc(t->cells, cap * (size_t)t->ncols * sizeof *cells);
        if (!cells)
            return GL_ENOMEM;
        t->cells = cells;
        t->cap = cap;
    }
    char **row = t->cells + t->nrows * (size_t)t->ncols;
    for (int i = 0; i < t->ncols; i++) {
        row[i] = vals[i] ? strdup(vals[i]) : NULL;
        if (vals[i] && !row[i]) {
            for (int k = 0; k < i; k++)
                free(row[k]);
            return GL_ENOMEM;
        }
    }
    t->nrows++;
    return GL_OK;
}

static int fill_row(void *arg, int ncols, const char *const *vals)
{
    bo_table *t = arg;
    if (ncols != t->ncols) {
        t->error = GL_EINVAL;
        return 1;
    }
    t->error = bo_table_add(t, vals);
    return t->error != GL_OK;
}

gl_status bo_table_fill(bo_db *db, bo_table *t, const char *sql, int nparams, const char *const *params)
{
    t->error = GL_OK;
    gl_status st = bo_db_query(db, sql, nparams, params, fill_row, t);
    return st != GL_OK ? st : t->error;
}

void bo_table_free(bo_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    t->cells = NULL;
    t->nrows = t->cap = 0;
}

const char *bo_cell(const bo_table *t, size_t r, int c)
{
    const char *v = t->cells[r * (size_t)t->ncols + (size_t)c];
    return v ? v : "";
}

/* scaled: the cell as a decimal string for its column type. */
static const char *scaled(const bo_table *t, size_t r, int c, char *buf, size_t cap)
{
    const char *v = bo_cell(t, r, c);
    int scale = t->cols[c].type == BO_COL_FEN ? 2 : t->cols[c].type == BO_COL_WH ? 3 : -1;
    int64_t n;
    if (scale < 0 || !*v || money_parse(v, 0, &n) != GL_OK || money_format(n, scale, buf, cap) != GL_OK)
        return v;
    return buf;
}

static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
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

gl_status bo_csv_write(const bo_table *t, FILE *f)
{
    char buf[MONEY_FMT_MAX];
    for (int c = 0; c < t->ncols; c++) {
        if (c)
            fputc(',', f);
        csv_field(f, t->cols[c].name);
    }
    fputs("\r\n", f);
    for (size_t r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            if (c)
                fputc(',', f);
            csv_field(f, scaled(t, r, c, buf, sizeof buf));
        }
        fputs("\r\n", f);
    }
    return ferror(f) ? GL_EIO : GL_OK;
}

/* ---- XLSX ---- */

typedef struct xfmt {
    lxw_format *head, *money, *energy, *total, *total_money, *total_energy;
} xfmt;

static void sheet_name(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; *in && n + 1 < cap && n < 31; in++)
        out[n++] = strchr("[]:*?/\\'", *in) ? '_' : *in;
    out[n] = '\0';
    if (n == 0)
        snprintf(out, cap, "(none)");
}

/* col_letter: the Excel name of column c (A..Z, AA..). */
static void col_letter(int c, char *out)
{
    if (c < 26) {
        out[0] = (char)('A' + c);
        out[1] = '\0';
    } else {
        out[0] = (char)('A' + c / 26 - 1);
        out[1] = (char)('A' + c % 26);
        out[2] = '\0';
    }
}

static double cell_number(const bo_table *t, size_t r, int c, int64_t *raw)
{
    int64_t n = 0;
    (void)money_parse(bo_cell(t, r, c), 0, &n);
    *raw = n;
    switch (t->cols[c].type) {
    case BO_COL_FEN:
        return (double)n / 100.0;
    case BO_COL_WH:
        return (double)n / 1000.0;
    default:
        return (double)n;
    }
}

static lxw_error write_sheet(lxw_worksheet *ws, const bo_table *t, const xfmt *fm, int split_col, const char *value)
{
    lxw_row_t row = 1;
    int64_t sum[BO_REPORT_MAX_COLS] = {0};
    lxw_error e = LXW_NO_ERROR;
    for (int c = 0; c < t->ncols; c++) {
        worksheet_write_string(ws, 0, (lxw_col_t)c, t->cols[c].name, fm->head);
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, t->cols[c].type == BO_COL_TEXT ? 16 : 12, NULL);
    }
    for (size_t r = 0; r < t->nrows && e == LXW_NO_ERROR; r++) {
        if (split_col >= 0 && strcmp(bo_cell(t, r, split_col), value) != 0)
            continue;
        for (int c = 0; c < t->ncols; c++) {
            const char *v = bo_cell(t, r, c);
            int64_t raw = 0;
            if (!*v)
                continue;
            if (t->cols[c].type == BO_COL_TEXT) {
                e = worksheet_write_string(ws, row, (lxw_col_t)c, v, NULL);
                continue;
            }
            double d = cell_number(t, r, c, &raw);
            (void)money_add(sum[c], raw, &sum[c]);
            e = worksheet_write_number(ws, row, (lxw_col_t)c, d,
                                       t->cols[c].type == BO_COL_FEN  ? fm->money
                                       : t->cols[c].type == BO_COL_WH ? fm->energy
                                                                      : NULL);
        }
        row++;
    }
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_autofilter(ws, 0, 0, row - 1, (lxw_col_t)(t->ncols - 1));
    /* totals row: a SUM formula with its value, under money and energy columns */
    worksheet_write_string(ws, row, 0, "Total", fm->total);
    for (int c = 1; c < t->ncols; c++) {
        bo_col_type ty = t->cols[c].type;
        char f[64], L[4];
        if (ty != BO_COL_FEN && ty != BO_COL_WH)
            continue;
        col_letter(c, L);
        snprintf(f, sizeof f, "=SUM(%s2:%s%u)", L, L, (unsigned)row);
        worksheet_write_formula_num(ws, row, (lxw_col_t)c, f, ty == BO_COL_FEN ? fm->total_money : fm->total_energy,
                                    ty == BO_COL_FEN ? (double)sum[c] / 100.0 : (double)sum[c] / 1000.0);
    }
    return e;
}

gl_status bo_xlsx_write(const bo_table *t, const char *path, const char *sheet, int split_col)
{
    gl_status st = GL_EIO;
    lxw_workbook *wb = workbook_new(path);
    xfmt fm;
    char name[40];
    if (!wb || t->ncols > BO_REPORT_MAX_COLS)
        goto out;
    fm.head = workbook_add_format(wb);
    format_set_bold(fm.head);
    fm.money = workbook_add_format(wb);
    format_set_num_format(fm.money, "#,##0.00");
    fm.energy = workbook_add_format(wb);
    format_set_num_format(fm.energy, "#,##0.000");
    fm.total = workbook_add_format(wb);
    format_set_bold(fm.total);
    fm.total_money = workbook_add_format(wb);
    format_set_bold(fm.total_money);
    format_set_num_format(fm.total_money, "#,##0.00");
    fm.total_energy = workbook_add_format(wb);
    format_set_bold(fm.total_energy);
    format_set_num_format(fm.total_energy, "#,##0.000");
    if (split_col < 0 || t->nrows == 0) {
        sheet_name(sheet, name, sizeof name);
        lxw_worksheet *ws = workbook_add_worksheet(wb, name);
        if (!ws || write_sheet(ws, t, &fm, -1, NULL) != LXW_NO_ERROR)
            goto out;
    }
    for (size_t r = 0; split_col >= 0 && r < t->nrows; r++) {
        const char *v = bo_cell(t, r, split_col);
        if (r > 0 && strcmp(bo_cell(t, r - 1, split_col), v) == 0)
            continue; /* rows come sorted by the split column */
        sheet_name(v, name, sizeof name);
        lxw_worksheet *ws = workbook_add_worksheet(wb, name);
        if (!ws || write_sheet(ws, t, &fm, split_col, v) != LXW_NO_ERROR)
            goto out;
    }
    st = GL_OK;
out:
    if (wb && workbook_close(wb) != LXW_NO_ERROR)
        st = GL_EIO;
    return st;
}
