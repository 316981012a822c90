/* billfrozen.c: billing from a meter's frozen registers (see billfrozen.h). */
#include "billfrozen.h"

#include <stdio.h>
#include <string.h>

#include "regtou.h"

/* edge_point: the frozen point at ts (settlement first), or NULL. */
static const store_point *edge_point(const store_point *pts, size_t n, int64_t ts)
{
    const store_point *best = NULL;
    for (size_t i = 0; i < n && pts[i].ts <= ts; i++)
        if (pts[i].ts == ts && pts[i].source != READING_LIVE && (best == NULL || pts[i].source > best->source))
            best = &pts[i];
    return best;
}

/* keep_edge: pts without the points that disagree with frozen point f; the new count. */
static size_t keep_edge(store_point *pts, size_t n, store_point f)
{
    size_t k = 0;
    int placed = 0;
    for (size_t i = 0; i < n; i++) {
        store_point q = pts[i];
        if (q.ts == f.ts) {
            if (!placed)
                pts[k++] = f;
            placed = 1;
            continue;
        }
        if (q.source == READING_LIVE && ((q.ts < f.ts && q.import_wh > f.import_wh) ||
                                         (q.ts > f.ts && q.import_wh < f.import_wh)))
            continue;
        pts[k++] = q;
    }
    return k;
}

size_t billfrozen_prefer(store_point *pts, size_t n, int64_t from_ts, int64_t to_ts)
{
    int64_t edges[2] = {from_ts, to_ts};
    for (int e = 0; e < 2; e++) {
        const store_point *f = edge_point(pts, n, edges[e]);
        if (f != NULL)
            n = keep_edge(pts, n, *f);
    }
    return n;
}

/* refuse: the intervals stay; why goes in the bill, and as an alert. */
static void refuse(billing *b, const char *customer, const billing_period *p, const char *why)
{
    snprintf(b->usage_from, sizeof b->usage_from, "intervals");
    snprintf(b->usage_note, sizeof b->usage_note, "meter registers not used: %s", why);
    store_alert_open(b->store, p->to_ts, "tou_registers", customer, b->usage_note); /* once while it lasts */
}

gl_status billfrozen_tou(billing *b, int ci, const billing_period *p, int *nu)
{
    const config_customer *c = &b->cfg->customers[ci];
    const tariff_set *ts = &b->tariffs[c->tariff_index];
    regtou m;
    reading base, end;
    char why[sizeof b->usage_note - 32];
    int n = 0;
    b->usage_from[0] = b->usage_note[0] = '\0';
    if (regtou_find(b->cfg, ts->id, &m) != GL_OK)
        return GL_OK;
    if (regtou_check(&m, ts, p->from_day, p->to_day, why, sizeof why) != GL_OK)
        return refuse(b, c->id, p, why), GL_OK;
    if (b->has_estimate)
        return refuse(b, c->id, p, "the period ends with an estimate (no reading at its end)"), GL_OK;
    gl_status st = store_reading_at(b->store, b->meter_id, b->base_ts, &base);
    if (st == GL_OK)
        st = store_reading_at(b->store, b->meter_id, b->end_ts, &end);
    if (st == GL_ENOTFOUND)
        return refuse(b, c->id, p, "no raw reading at the period's edges (compacted, or an estimate's base)"), GL_OK;
    if (st != GL_OK)
        return st;
    st = regtou_usage(&m, ts, p->from_day, p->to_day, &base, &end, b->usage, BILLING_USAGE_MAX, &n, why, sizeof why);
    if (st == GL_ESTATE)
        return refuse(b, c->id, p, why), GL_OK;
    if (st != GL_OK || n == 0)
        return st; /* n == 0: no energy in any register, the intervals say the same */
    *nu = n;
    snprintf(b->usage_from, sizeof b->usage_from, "meter_registers");
    return GL_OK;
}
