/* ledger_rows.h: helpers shared by the credit unit tests: dates, amounts,
 * ledger rows as text, and generated monthly ledgers. */
#ifndef TEST_LEDGER_ROWS_H
#define TEST_LEDGER_ROWS_H

#include <stdio.h>
#include <string.h>

#include "gridledger/civdate.h"
#include "gridledger/ledger.h"

static inline int32_t D(const char *s)
{
    int32_t d = 0;
    if (civdate_parse(s, strlen(s), &d) != GL_OK)
        fail_msg("bad date %s", s);
    return d;
}

static inline int64_t F(const char *s)
{
    int64_t v = 0;
    if (money_parse(s, 2, &v) != GL_OK)
        fail_msg("bad amount %s", s);
    return v;
}

/* "DATE KIND AMOUNT [REF [DUE]]" */
static inline void entry_of(const char *line, ledger_entry *e)
{
    char date[16], kind[16], amount[24], ref[LEDGER_REF_MAX] = "", due[16] = "";
    int n = sscanf(line, "%15s %15s %23s %47s %15s", date, kind, amount, ref, due);
    if (n < 3)
        fail_msg("bad row %s", line);
    memset(e, 0, sizeof *e);
    e->date = D(date);
    int k = ledger_kind_parse(kind, strlen(kind));
    if (k < 0)
        fail_msg("bad kind %s", kind);
    e->kind = (ledger_kind)k;
    e->amount_fen = F(amount);
    snprintf(e->ref, sizeof e->ref, "%s", ref);
    e->due = due[0] ? D(due) : 0;
}

/* Monthly bills of amount_fen from `start` for `months`, due 15 days later,
 * each paid pay_after_due days after its due date (INT32_MIN: never paid);
 * late[i] overrides pay_after_due for bill i when non-zero. Returns count. */
static inline int gen_monthly(ledger_entry *e, int cap, int32_t start, int months, int64_t amount_fen,
                              int pay_after_due, const int *late)
{
    int n = 0;
    for (int i = 0; i < months && n + 2 <= cap; i++) {
        int32_t d = civdate_add_months(start, i);
        memset(&e[n], 0, sizeof e[n]);
        e[n].date = d;
        e[n].due = d + 15;
        e[n].kind = LEDGER_BILL;
        e[n].amount_fen = amount_fen;
        snprintf(e[n].ref, sizeof e[n].ref, "B%d", i);
        n++;
        int off = late && late[i] ? late[i] : pay_after_due;
        if (off == INT32_MIN)
            continue;
        memset(&e[n], 0, sizeof e[n]);
        e[n].date = d + 15 + off;
        e[n].kind = LEDGER_PAYMENT;
        e[n].amount_fen = amount_fen;
        snprintf(e[n].ref, sizeof e[n].ref, "P%d", i);
        n++;
    }
    return n;
}

/* Stable sort by date (insertion: small test ledgers). */
static inline void sort_entries(ledger_entry *e, int n)
{
    for (int i = 1; i < n; i++) {
        ledger_entry t = e[i];
        int j = i - 1;
        while (j >= 0 && e[j].date > t.date) {
            e[j + 1] = e[j];
            j--;
        }
        e[j + 1] = t;
    }
}

#endif
