/* diag.h: a bounded list of diagnostic lines ("file:line:col: path: what").
 *
 * Parsers and validators below the CLI return a gl_status and describe what
 * was wrong here; only the CLI prints. Fixed size, no allocation: past
 * DIAG_MAX lines further ones are counted in `dropped`. */
#ifndef GRIDLEDGER_DIAG_H
#define GRIDLEDGER_DIAG_H

#include <stddef.h>

#define DIAG_MAX 64
#define DIAG_LINE 320

typedef struct diag {
    int count;   /* lines stored, <= DIAG_MAX */
    int dropped; /* lines that did not fit */
    char lines[DIAG_MAX][DIAG_LINE];
} diag;

/* diag_init: empties d. */
void diag_init(diag *d);

/* diag_add: appends one line formatted like printf (truncated to DIAG_LINE-1). d may be NULL. */
void diag_add(diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* diag_total: lines added, stored or dropped. */
int diag_total(const diag *d);

#endif
