/* jobs_instal.c: the daily instalment run: for every customer settling in
 * instalments, the part due today posted with its ledger entry, each in
 * its own transaction (instalments.h); re-running changes nothing. */
#include "daemon.h"
#include "glog.h"
#include "instalments.h"
#include "jobs.h"

gl_status jobs_instalments(void *ctx, int64_t due, int64_t now)
{
    jobs_gw *g = jobs_of(ctx);
    int32_t today = clock_civil_day(due);
    int posted = 0, failed = 0;
    (void)now;
    if (g->billing == NULL)
        return GL_OK;
    for (int ci = 0; ci < g->cfg->ncustomers; ci++) {
        int64_t fen = 0;
        gl_status st = store_txn_begin(g->store);
        if (st == GL_OK)
            st = store_txn_end(g->store, instalments_day(g->billing, ci, today, &fen));
        if (st != GL_OK) {
            jobs_error(g, "instalment %s: %s", g->cfg->customers[ci].id, gl_strerror(st));
            failed++;
        }
        posted += fen > 0;
    }
    if (posted)
        atomic_store(&g->money_changed, 1);
    if (posted || failed)
        glog_info("instalments: %d parts posted, %d failed", posted, failed);
    return failed ? GL_EDB : GL_OK;
}
