/* deposits.h: cash deposits (保证金) by the back office's signed `deposit`
 * command (docs/credit.md "Deposits by command").
 *
 * The grade's measure says what the class and grade require and when the
 * refund rule holds (core/measures.h, credit.measures); the back office
 * carries it out:
 *  - request: the deposit asked of the customer, recorded in the collection
 *    record (action deposit_request, a letter, the amount asked, why) and
 *    sent up like any collection action;
 *  - record: the deposit received, a ledger `deposit` entry under the
 *    command's ref (a ref recorded twice changes nothing: GL_EEXIST);
 *  - release: the cash deposit held returned, a ledger `refund` entry of all
 *    of it under the command's ref, only when the customer's latest grade
 *    says the refund rule holds (measures.deposit.change "release").
 * Every one carries who, the rule and the proof. */
#ifndef GRIDLEDGER_DEPOSITS_H
#define GRIDLEDGER_DEPOSITS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "store.h"
#include "store_collect.h"

typedef struct deposits_req {
    const char *customer;
    const char *op;        /* "request" | "record" | "release" */
    int64_t amount_fen;    /* request, record: > 0; release: 0 (all that is held) */
    const char *ref;       /* record, release: the receipt's or the transfer's ref */
    const char *who;       /* "backoffice command seq 12" */
    const char *rule;      /* the measure behind it, e.g. "credit.measures.table.residential.C" */
    const char *proof;     /* what authorised it */
} deposits_req;

/* deposits_apply: carries out r at now in the caller's transaction. A
 * request fills *row (may be NULL) with the collection-record row added.
 * GL_ENOTFOUND unknown customer; GL_EINVAL an unknown op, a missing amount
 * or ref; GL_ESTATE a release when nothing is held or the refund rule does
 * not hold; GL_EEXIST a ref recorded already; store errors as they come.
 * why gets one line: what was done, or why not. */
gl_status deposits_apply(store *s, const config *cfg, const deposits_req *r, int64_t now, store_collect_row *row,
                         char *why, size_t cap);

#endif
