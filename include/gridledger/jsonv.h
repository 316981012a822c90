/* jsonv.h: strict JSON with source positions, and validated field readers.
 *
 * jsonv_parse checks the text against RFC 8259 itself (so a syntax error is
 * reported at its exact line, column and JSON path; duplicate keys, text that
 * is not UTF-8 and strings holding U+0000 (a raw NUL or "\u0000", which a C
 * string would silently cut) are refused), then builds the cJSON tree and
 * remembers where each value and key stood. The readers (jsonv_get_*) check type, presence and range and report
 * every problem to the diag as "FILE:LINE:COL: path: what is wrong"; they
 * return 1 when a value was read (or defaulted) and 0 otherwise, so a
 * validator can go on and report all errors in one run.
 * Parsing allocates; use it when loading, never on a hot path. Files are
 * read by the caller (fileio_load_json in firmware): core does no I/O. */
#ifndef GRIDLEDGER_JSONV_H
#define GRIDLEDGER_JSONV_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "gridledger/diag.h"
#include "gridledger/status.h"

#define JSONV_MAX_DEPTH 64   /* deeper nesting is refused (GL_EBOUND) */
#define JSONV_MAX_TEXT (16u << 20) /* 16 MiB: larger input is refused */
#define JSONV_PATH_MAX 160

typedef struct jsonv_doc jsonv_doc;

/* jsonv_parse: parses len bytes of text read from `file` (the name used in
 * messages). On success *out owns the tree (free with jsonv_free). On a
 * syntax error returns GL_ESYNTAX with one line in d. */
gl_status jsonv_parse(const char *file, const char *text, size_t len, diag *d, jsonv_doc **out);

/* jsonv_free: releases doc; NULL is a no-op. */
void jsonv_free(jsonv_doc *doc);

/* jsonv_drop: removes member key of the top-level object, and everything
 * in it, from doc (a section its reader has copied into structs, so a
 * long-lived doc does not hold it twice); no-op if absent. Positions of what
 * remains are kept. */
void jsonv_drop(jsonv_doc *doc, const char *key);

/* jsonv_root: the top-level value. */
const cJSON *jsonv_root(const jsonv_doc *doc);

/* jsonv_file: the file name given to jsonv_parse. */
const char *jsonv_file(const jsonv_doc *doc);

/* jsonv_pos: 1-based line and column (in characters) of node's value, or of
 * its key when want_key and it has one. 0,0 if node is unknown. */
void jsonv_pos(const jsonv_doc *doc, const cJSON *node, int want_key, int *line, int *col);

/* jsonv_error: reports "FILE:LINE:COL: path: message" at node (its value). */
void jsonv_error(jsonv_doc *doc, const cJSON *node, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* jsonv_errors: number of errors reported on doc so far. */
int jsonv_errors(const jsonv_doc *doc);

/* jsonv_diag: the diag that collects doc's errors. */
diag *jsonv_diag(jsonv_doc *doc);

/* jsonv_path_key / jsonv_path_index: out = parent + ".key" / parent + "[i]". */
void jsonv_path_key(char *out, size_t cap, const char *parent, const char *key);
void jsonv_path_index(char *out, size_t cap, const char *parent, int index);

/* jsonv_check_object: 1 if node is an object; else reports "must be an object". */
int jsonv_check_object(jsonv_doc *doc, const cJSON *node, const char *path);

/* jsonv_check_array: 1 if node is an array with at most max items. */
int jsonv_check_array(jsonv_doc *doc, const cJSON *node, const char *path, int max);

/* jsonv_check_keys: reports each key of obj not in the NULL-terminated list
 * `allowed` ("unknown key; did you mean ...?"). Returns the number found. */
int jsonv_check_keys(jsonv_doc *doc, const cJSON *obj, const char *path, const char *const *allowed);

/* jsonv_get: the member key of obj; NULL if absent (reported if required). */
const cJSON *jsonv_get(jsonv_doc *doc, const cJSON *obj, const char *path, const char *key, int required);

/* jsonv_get_string: copies a string member (1..cap-1 bytes). def (may be
 * NULL) is used when absent and not required. */
int jsonv_get_string(jsonv_doc *doc, const cJSON *obj, const char *path, const char *key, int required,
                     const char *def, char *out, size_t cap);

/* jsonv_get_int: an integer member within lo..hi. */
int jsonv_get_int(jsonv_doc *doc, const cJSON *obj, const char *path, const char *key, int required,
                  long long def, long long lo, long long hi, long long *out);

/* jsonv_get_bool: a true/false member. */
int jsonv_get_bool(jsonv_doc *doc, const cJSON *obj, const char *path, const char *key, int required,
                   int def, int *out);

/* jsonv_get_enum: a string member that is one of the NULL-terminated names;
 * *out is its index. */
int jsonv_get_enum(jsonv_doc *doc, const cJSON *obj, const char *path, const char *key, int required,
                   const char *const *names, int def, int *out);

/* jsonv_get_decimal: a decimal-string member ("0.4883") in units of
 * 10^-scale, within lo..hi. A JSON number is refused: money and energy never
 * pass through a binary float. */
int jsonv_get_decimal(jsonv_doc *doc, const cJSON *obj, const char *path, const char *key, int required,
                      int64_t def, int scale, int64_t lo, int64_t hi, int64_t *out);

/* jsonv_decimal_value: as jsonv_get_decimal for a node already in hand. */
int jsonv_decimal_value(jsonv_doc *doc, const cJSON *node, const char *path, int scale, int64_t lo,
                        int64_t hi, int64_t *out);

/* jsonv_number_text: copies the source text of number node ("0.20513",
 * "1.5e-05") into out, NUL-terminated, so a caller can read it exactly
 * instead of through cJSON's double. Returns 1, or 0 if node is not a
 * number of this doc or its text does not fit in cap. */
int jsonv_number_text(const jsonv_doc *doc, const cJSON *node, char *out, size_t cap);

#endif
