/* jobs_bill.c: the billing-cycle close: on the cycle day every customer's
 * bill for the period just ended is computed from the store and posted with
 * its ledger entry and outbox message (billing.h). A customer without
 * readings gets an alert; re-running changes nothing. */
#include <stdio.h>
#include <stdlib.h>

#include "billing.h"
#include "daemon.h"
#include "glog.h"
#include "clock.h"
#include "jobs.h"

gl_status jobs_bill_init(jobs_gw *g)
{
    diag d;
    diag_init(&d);
    g->billing = calloc(1, sizeof *g->billing);
    if (g->billing == NULL)
        return GL_ENOMEM;
    gl_status st = billing_init(g->billing, g->cfg, g->store, &d);
    for (int i = 0; i < d.count; i++)
        glog_error("tariff: %s", d.lines[i]);
    return st;
}

void jobs_bill_free(jobs_gw *g)
{
    if (g->billing != NULL)
        billing_free(g->billing);
    free(g->billing);
    g->billing = NULL;
}

gl_status jobs_bill(void *ctx, int64_t due, int64_t now)
{
    jobs_gw *g = jobs_of(ctx);
    int y = 0, m = 0, d = 0, posted = 0, failed = 0;
    clock_civil_date(due, &y, &m, &d);
    if (--m == 0) {
        m = 12;
        y--;
    }
    billing_period p;
    billing_period_of(g->cfg, y, m, &p);
    if (jobs_poll_frozen(g, now) != GL_OK) /* the meters' edge of the period, if missed */
        glog_error("billing %s: the meters' frozen readings not stored; billed from what is", p.name);
    for (int ci = 0; ci < g->cfg->ncustomers; ci++) {
        if (*g->stop) { /* each bill is its own transaction: the rest on restart */
            glog_info("billing %s: stopped after %d bills; the rest when restarted", p.name, posted);
            return GL_EINTERRUPTED;
        }
        billing_outcome oc;
        gl_status st = billing_customer(g->billing, ci, &p, g->cfg->uplink.enabled, &oc);
        if (st != GL_OK) {
            jobs_error(g, "bill %s %s: %s %s", g->cfg->customers[ci].id, p.name, gl_strerror(st),
                       g->billing->bill.error);
            failed++;
        } else if (oc == BILLING_NO_DATA && jobs_alert(g, now, "no_reading", g->cfg->customers[ci].id, p.name) != GL_OK) {
            failed++; /* the alert and its message not kept: again at the next run */
        }
        posted += oc == BILLING_POSTED && st == GL_OK;
    }
    glog_info("billing %s: %d bills posted, %d failed", p.name, posted, failed);
    atomic_store(&g->money_changed, 1);
    return failed ? GL_EDB : GL_OK;
}
