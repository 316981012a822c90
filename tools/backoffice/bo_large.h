/* bo_large.h: `report large-customers --period YYYY-MM`: the month of each
 * large customer (a customer a gateway reported in a "customers" message:
 * industry and contracted capacity) with its energy, amount, average price,
 * its effect on its area's average price, the swing against the last three
 * months and the capacity changes of the month, grouped by industry
 * (GB/T 4754 section) with subtotals. Figures: core/largecust.c. */
#ifndef BO_LARGE_H
#define BO_LARGE_H

#include "bo_cli.h"
#include "bo_report.h"

/* bo_large_fill: the report of period into t (free with bo_table_free);
 * with subtotals, a "subtotal" row closes each industry and a "total" row
 * the report (CSV); without, customer rows only (XLSX: a sheet per industry
 * with its own Total row). */
gl_status bo_large_fill(bo_db *db, const char *period, int subtotals, bo_table *t);

/* bo_large_cmd: `report large-customers [--period P] [--csv [FILE]] [--xlsx FILE]` (default: the last month). */
int bo_large_cmd(bo_ctx *ctx, int argc, char **argv);

#endif
