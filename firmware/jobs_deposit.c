/* jobs_deposit.c: non-cash deposits in the daemon. Daily (09:00): a bank
 * guarantee or insurance bond that expires within
 * credit.measures.deposit_reminder_days (30) raises a `deposit_expiring`
 * alert for its customer (once while open: the detail names the instrument
 * and its expiry); once expired it no longer counts toward the required
 * deposit (creditrun), the reminder is closed and a `deposit_expired` alert
 * asks for a new one. */
#include <stdio.h>
#include <string.h>

#include "gridledger/civdate.h"
#include "gridledger/money.h"
#include "jobs.h"
#include "store_deposit.h"

typedef struct dep_ctx {
    jobs_gw *g;
    int64_t now;
    int32_t today;
    int days;
    gl_status st; /* the first alert not kept (with its message): the job reports it */
} dep_ctx;

static int remind(void *ctx, const store_deposit_row *r)
{
    dep_ctx *c = ctx;
    char detail[256], amount[MONEY_FMT_MAX];
    int32_t expires = 0;
    if (civdate_parse(r->expires, strlen(r->expires), &expires) != GL_OK)
        return 0;
    money_format(r->amount_fen, MONEY_SCALE_FEN, amount, sizeof amount);
    snprintf(detail, sizeof detail, "%s %s by %s, %s, expires %s", r->kind, r->ref, r->issuer, amount, r->expires);
    gl_status st = GL_OK;
    if (expires < c->today) {
        st = jobs_alert_end(c->g, c->now, "deposit_expiring", r->customer, "expired");
        if (st == GL_OK)
            st = jobs_alert(c->g, c->now, "deposit_expired", r->customer, detail);
    } else if (expires - c->today <= c->days) {
        st = jobs_alert(c->g, c->now, "deposit_expiring", r->customer, detail);
    }
    if (c->st == GL_OK)
        c->st = st;
    return 0;
}

gl_status jobs_deposits(void *ctx, int64_t due, int64_t now)
{
    (void)due;
    jobs_gw *g = jobs_of(ctx);
    dep_ctx c = {g, now, clock_civil_day(now), g->cc->measures.deposit_reminder_days, GL_OK};
    gl_status st = store_deposit_each(g->store, NULL, remind, &c);
    if (st == GL_OK)
        st = c.st;
    if (st != GL_OK)
        jobs_error(g, "deposits: %s", gl_strerror(st));
    return st;
}
