/* fuzz_ledgercsv.c: the ledger CSV parser on arbitrary bytes must never
 * crash, leak or read out of bounds; it loads or says why. What loads is run
 * through the whole credit computation (ledger, penalty, grade, plan). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "gridledger/civdate.h"
#include "gridledger/credit.h"
#include "gridledger/ledgercsv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static creditcfg cc;
    static ledger_state st;
    static credit_result r;
    static int ready;
    diag d;
    ledgercsv *l = NULL;
    if (!ready) {
        creditcfg_default(&cc);
        ready = 1;
    }
    diag_init(&d);
    gl_status s = ledgercsv_parse("fuzz.csv", (const char *)data, size, &d, &l);
    if (s == GL_OK && l == NULL)
        __builtin_trap();
    if (s != GL_OK && s != GL_ENOMEM && d.count == 0)
        __builtin_trap(); /* every refusal says why */
    for (int i = 0; l != NULL && i < l->naccounts && i < 64; i++) {
        const ledger_account *a = &l->accounts[i];
        int32_t as_of = a->nentries ? a->entries[a->nentries - 1].date + 40 : 0;
        s = credit_eval(&cc, a, i & 1, as_of, &st, &r);
        if (s == GL_OK && (r.grade.grade < 0 || r.grade.grade >= cc.grade.ngrades || r.grade.score_cp < 0 ||
                           r.grade.score_cp > GRADE_FULL_CP || r.plan.nitems > COLLECT_MAX_ACTIONS))
            __builtin_trap();
    }
    ledgercsv_free(l);
    return 0;
}
