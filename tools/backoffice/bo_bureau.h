/* bo_bureau.h: `export credit-bureau --period YYYY-MM`: the monthly
 * post-paid account records (后付费业务) for the PBOC credit reference
 * centre, one module so that the real interface can replace it.
 *
 * The official interface specification is not public: the fields follow the
 * post-paid segment of the second-generation personal credit report as
 * printed (docs/bureau.md gives each field, its source and the mapping).
 * Adverse records only for customers served the notice of adverse reporting
 * (征信业管理条例 art. 15); nothing older than 5 years (art. 16). */
#ifndef BO_BUREAU_H
#define BO_BUREAU_H

#include "bo_cli.h"
#include "bo_report.h"

#define BO_BUREAU_MONTHS 24

/* One month of an account, as the back office knows it. */
typedef struct bo_bureau_month {
    int opened;             /* at or after the month of the first bill */
    int billed;             /* a bill of this month */
    int graded;             /* a grading (grades message) or a worklist dated in this month */
    long long days_overdue; /* of the month's newest grading or worklist */
    long long arrears_fen;  /* of the month's newest grading or worklist */
} bo_bureau_month;

/* bo_bureau_status: the month's payment-status code: '/' not opened yet,
 * 'N' normal (graded, nothing overdue), '1'..'7' overdue 1-30, 31-60, ...,
 * 151-180, over 180 days, '#' billed but not graded (status unknown),
 * '*' no business (no bill, no grading). */
char bo_bureau_status(const bo_bureau_month *m);

/* bo_bureau_history: the 24 codes, oldest month first, into out[25]. */
void bo_bureau_history(const bo_bureau_month m[BO_BUREAU_MONTHS], char out[BO_BUREAU_MONTHS + 1]);

/* bo_bureau_adverse: 1 if the history holds an overdue month (1..7). */
int bo_bureau_adverse(const char *history);

typedef struct bo_bureau_counts {
    long long exported, withheld, expired; /* withheld: adverse without a served notice; expired: > 5 years */
} bo_bureau_counts;

/* bo_bureau_fill: the records of period into t (free with bo_table_free);
 * each withheld or expired account is reported through note (may be NULL). */
gl_status bo_bureau_fill(bo_db *db, const bo_bureau_cfg *cfg, const char *period, bo_table *t,
                         bo_bureau_counts *counts, void (*note)(const char *line));

/* bo_cmd_export: `export credit-bureau --period P [--out FILE]`. */
int bo_cmd_export(bo_ctx *ctx, int argc, char **argv);

#endif
