/* bo_report.h: operator reports as tables, written as CSV (RFC 4180) or XLSX.
 *
 * A report is a query into a bo_table: named, typed columns, rows of text
 * cells as the database returned them (money in fen, energy in Wh). Writers
 * format by column type: money with two decimals, energy in kWh with three. */
#ifndef BO_REPORT_H
#define BO_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "bo_db.h"
#include "gridledger/status.h"

#define BO_REPORT_MAX_ROWS 1000000 /* rows in one report */
#define BO_REPORT_MAX_COLS 16

typedef enum bo_col_type {
    BO_COL_TEXT = 0,
    BO_COL_INT,  /* integer count or days */
    BO_COL_FEN,  /* money in fen, shown as yuan with two decimals, totalled */
    BO_COL_WH,   /* energy in Wh, shown as kWh with three decimals, totalled */
} bo_col_type;

typedef struct bo_col {
    const char *name;
    bo_col_type type;
} bo_col;

typedef struct bo_table {
    int ncols;
    const bo_col *cols;
    size_t nrows, cap;
    char **cells; /* nrows * ncols, owned; NULL cell = empty */
    gl_status error; /* set by the row callback (bound, memory) */
} bo_table;

/* bo_table_fill: runs sql and appends every row to t (whose ncols and cols
 * are set). Returns GL_EBOUND past BO_REPORT_MAX_ROWS. */
gl_status bo_table_fill(bo_db *db, bo_table *t, const char *sql, int nparams, const char *const *params);

/* bo_table_add: appends one row of t->ncols cells (copied). */
gl_status bo_table_add(bo_table *t, const char *const *vals);

/* bo_table_free: releases the rows; t itself is the caller's. */
void bo_table_free(bo_table *t);

/* bo_cell: the cell at row r, column c ("" if empty). */
const char *bo_cell(const bo_table *t, size_t r, int c);

/* bo_csv_write: writes t as RFC 4180 CSV (header row, CRLF, quotes where needed). */
gl_status bo_csv_write(const bo_table *t, FILE *f);

/* bo_xlsx_write: writes t to an XLSX file, one sheet per distinct value of
 * column split_col (-1: one sheet named sheet), frozen header, autofilter,
 * money and energy formatted, and a totals row under money/energy columns. */
gl_status bo_xlsx_write(const bo_table *t, const char *path, const char *sheet, int split_col);

/* bo_report_fill: the report name (worklist|aging|grades|area|alerts|health|actions|outages)
 * of month (YYYY-MM or "" for all) into t, as `report NAME` writes it
 * (free with bo_table_free). GL_ENOTFOUND for an unknown name. */
gl_status bo_report_fill(bo_db *db, const char *name, const char *month, bo_table *t);

#endif
