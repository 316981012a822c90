/* outfmt.h: listing output of the CLI in the three forms CONTRACT.md names:
 * tab-separated text with a header for people, `--json` (one document: {"ROOT": [{...}, ...]}),
 * `--csv` (RFC 4180, header row, CRLF).
 *
 * Columns are named once; a name ending in '#' is a number (unquoted in JSON,
 * the '#' is not printed). Values are strings, NULL for absent (left out of
 * JSON objects, empty in CSV, "-" in text). */
#ifndef GRIDLEDGER_OUTFMT_H
#define GRIDLEDGER_OUTFMT_H

#include <stdio.h>

typedef enum outfmt_kind { OUTFMT_TEXT = 0, OUTFMT_JSON, OUTFMT_CSV } outfmt_kind;

#define OUTFMT_COLS_MAX 16

typedef struct outfmt {
    outfmt_kind kind;
    FILE *f;
    const char *root;
    const char *const *cols;
    int ncols;
    long nrows;
} outfmt;

/* outfmt_flag: 1 and sets *k if arg is --json or --csv, else 0. */
int outfmt_flag(const char *arg, outfmt_kind *k);

void outfmt_begin(outfmt *o, outfmt_kind kind, FILE *f, const char *root, const char *const *cols, int ncols);
void outfmt_row(outfmt *o, const char *const *vals);
void outfmt_end(outfmt *o);

/* outfmt_csv_string: writes v as one RFC 4180 field (quoted when it holds
 * , " CR or LF; NULL writes nothing). */
void outfmt_csv_string(FILE *f, const char *v);

/* outfmt_json_string: writes s as a JSON string literal (quotes included),
 * escaped as textbuf_json_str does (the one JSON string escaping). */
void outfmt_json_string(FILE *f, const char *s);

#endif
