/* ledgercsv.h: the ledger CSV of `credit-calc` (CONTRACT.md).
 *
 * RFC 4180 text (quoted fields, "" for a quote, LF or CRLF) with a header row
 * naming the columns customer,class,date,kind,amount,ref and optionally due,
 * in any order. `date` and `due` are YYYY-MM-DD, `amount` a decimal string in
 * yuan with at most two decimals, `kind` one of ledger.h's kinds, `class`
 * one of its classes (the same for every row of a customer). Payments,
 * deposits, refunds, top-ups and usage must be positive; theft and illegal
 * use not negative; `due` only on bills, not before the bill's date. Rows
 * may come in any order: the parser groups them by customer (in id order)
 * and sorts each customer's rows by date, keeping file order within a day.
 * Every problem is one diag line "FILE:LINE:COL: column: what"; parsing
 * stops after DIAG_MAX problems. Parsing allocates (at load time, never on a
 * hot path); the result is freed with ledgercsv_free. */
#ifndef GRIDLEDGER_LEDGERCSV_H
#define GRIDLEDGER_LEDGERCSV_H

#include <stddef.h>

#include "gridledger/diag.h"
#include "gridledger/ledger.h"
#include "gridledger/status.h"

#define LEDGERCSV_MAX_ROWS (16 * 1024 * 1024)
#define LEDGERCSV_FIELD_MAX 64 /* longest field (ids and refs are shorter) */
/* longest record line: 7 fields of 64 characters, each quote doubled, far
 * below this; a longer line is refused before it is read to its end */
#define LEDGERCSV_LINE_MAX 4096

typedef struct ledgercsv {
    int nentries;
    ledger_entry *entries;   /* grouped by customer, each in date order */
    int naccounts;
    ledger_account *accounts; /* in customer id order; entries point into `entries` */
} ledgercsv;

/* ledgercsv_parse: parses len bytes of text read from `file` (the name used
 * in messages). GL_ESYNTAX with the problems in d, GL_EBOUND past
 * LEDGERCSV_MAX_ROWS or LEDGER_MAX_ENTRIES rows for one customer or at a line
 * longer than LEDGERCSV_LINE_MAX bytes ("FILE:LINE:COL: csv: line longer than
 * 4096 bytes", COL the first byte past the bound), GL_ENOMEM. */
gl_status ledgercsv_parse(const char *file, const char *text, size_t len, diag *d, ledgercsv **out);

/* ledgercsv_entry_problem: what is wrong with entry e by the rules above
 * (amount's sign for its kind, due only on bills and not before the date),
 * NULL if nothing; *column gets the column it concerns ("amount", "due").
 * The gateway checks its stored ledger with it (creditrun.c), so a ledger
 * refused as CSV is refused from the store too. */
const char *ledgercsv_entry_problem(const ledger_entry *e, const char **column);

/* ledgercsv_free: releases l; NULL is a no-op. */
void ledgercsv_free(ledgercsv *l);

#endif
