/* largerep.c: the large customers' month at the gateway (largerep.h). */
#include "largerep.h"

#include <stdio.h>
#include <string.h>

#include "gridledger/money.h"
#include "store_bills.h"

static void month_before(const char *period, int back, char *out, size_t cap)
{
    int y = 0, m = 0;
    sscanf(period, "%4d-%2d", &y, &m);
    int i = y * 12 + (m - 1) - back;
    snprintf(out, cap, "%04d-%02d", i / 12, i % 12 + 1);
}

/* swing: against the months of the last three with a bill. */
static gl_status swing(store *s, const char *period, largerep_row *r)
{
    int64_t prev[3], wh, fen, sum = 0;
    int count = 0;
    gl_status st = GL_OK;
    for (int k = 1; st == GL_OK && k <= 3; k++) {
        char p[16];
        month_before(period, k, p, sizeof p);
        st = store_bills_month(s, r->c->id, p, &wh, &fen, &count);
        if (st == GL_OK && count > 0) {
            prev[r->nprev++] = wh;
            sum += wh;
        }
    }
    if (st == GL_OK && r->nprev > 0)
        money_div_round(sum, r->nprev, MONEY_HALF_UP, &r->prev_avg_wh);
    if (st == GL_OK)
        r->has_swing = largecust_swing(r->energy_wh, prev, r->nprev, &r->swing_bp) == GL_OK;
    return st;
}

gl_status largerep_month(store *s, const config *cfg, const char *period, largerep_row *rows, int cap, int *n)
{
    int64_t area_wh = 0, area_fen = 0;
    int count = 0;
    gl_status st = store_bills_month(s, NULL, period, &area_wh, &area_fen, &count);
    *n = 0;
    for (int i = 0; st == GL_OK && i < cfg->ncustomers; i++) {
        const config_customer *c = &cfg->customers[i];
        if (c->industry[0] == '\0')
            continue;
        if (*n == cap)
            return GL_EBOUND;
        largerep_row *r = &rows[(*n)++];
        memset(r, 0, sizeof *r);
        r->c = c;
        st = store_bills_month(s, c->id, period, &r->energy_wh, &r->amount_fen, &r->billed);
        if (st != GL_OK || !r->billed)
            continue;
        r->has_price = largecust_price(r->amount_fen, r->energy_wh, &r->price_micro) == GL_OK;
        r->has_effect = largecust_area_effect(area_fen, area_wh, r->amount_fen, r->energy_wh, &r->effect) == GL_OK;
        st = swing(s, period, r);
    }
    return st;
}
