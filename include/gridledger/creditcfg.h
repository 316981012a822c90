/* creditcfg.h: the `credit`, `collection` and `fee_control` config sections.
 *
 * Each section is optional; an absent section, or an absent key, keeps the
 * documented default (docs/credit.md lists every key). The parse functions
 * read a section into the core structs and report every problem through
 * jsonv ("FILE:LINE:COL: credit.grades[1].min_score: ..."), returning the
 * number of problems. Knows no config file: firmware/config.c hands it the
 * sections (config_credit) and runs the check functions as its hooks.
 * Legal floors are ranges, not defaults: a config may be stricter than
 * DOMAIN.md's disconnection rules, never laxer. */
#ifndef GRIDLEDGER_CREDITCFG_H
#define GRIDLEDGER_CREDITCFG_H

#include <cjson/cJSON.h>

#include "gridledger/collect.h"
#include "gridledger/feectl.h"
#include "gridledger/grade.h"
#include "gridledger/jsonv.h"
#include "gridledger/ledger.h"
#include "gridledger/measures.h"

typedef struct creditcfg {
    ledger_cfg ledger;
    grade_cfg grade;
    collect_cfg collect;
    feectl_cfg fee;
    measures_cfg measures; /* credit.measures: what a grade changes */
} creditcfg;

/* creditcfg_default: every default of docs/credit.md. */
void creditcfg_default(creditcfg *out);

/* creditcfg_parse_credit / _collection / _fee_control: read one section
 * (node may be NULL: defaults) at path into out; parse credit first, the
 * collection ladders are keyed by its grade names. Return the number of
 * problems reported on doc. */
int creditcfg_parse_credit(jsonv_doc *doc, const cJSON *node, const char *path, creditcfg *out);
int creditcfg_parse_collection(jsonv_doc *doc, const cJSON *node, const char *path, creditcfg *out);
int creditcfg_parse_fee_control(jsonv_doc *doc, const cJSON *node, const char *path, creditcfg *out);

/* The checks of the three sections for firmware/config.c (its
 * config_credit fills a creditcfg from a loaded config): each parses into a
 * scratch struct and discards it. root is the document's root: the
 * collection ladders are keyed by the grade names of its `credit`. */
int creditcfg_check_credit(jsonv_doc *doc, const cJSON *node, const char *path, const cJSON *root);
int creditcfg_check_collection(jsonv_doc *doc, const cJSON *node, const char *path, const cJSON *root);
int creditcfg_check_fee_control(jsonv_doc *doc, const cJSON *node, const char *path, const cJSON *root);

#endif
