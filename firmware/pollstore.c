/* pollstore.c: readings JSON and the polling state in the store (see pollstore.h). */
#include "pollstore.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outfmt.h"

const char *pollstore_status_name(reading_status st)
{
    return st == READING_OK ? "ok" : st == READING_OFFLINE ? "offline" : "error";
}

/* Wh (or any milli-unit) as a decimal string with 3 decimals. */
void pollstore_fmt_milli(char *out, size_t cap, int64_t v)
{
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    snprintf(out, cap, "%s%llu.%03llu", v < 0 ? "-" : "", (unsigned long long)(a / 1000),
             (unsigned long long)(a % 1000));
}

void pollstore_fmt_scaled(char *out, size_t cap, int64_t v, int decimals)
{
    static const int64_t div[] = {1, 10, 100, 1000};
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    snprintf(out, cap, "%s%llu.%0*llu", v < 0 ? "-" : "", (unsigned long long)(a / (uint64_t)div[decimals]),
             decimals, (unsigned long long)(a % (uint64_t)div[decimals]));
}

void pollstore_fmt_ts(char *out, size_t cap, int64_t ts)
{
    time_t t = (time_t)ts;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void pollstore_print_flags(FILE *f, uint32_t flags, const char *sep)
{
    static const char *const names[] = {"decrease", "jump", "range", "stuck", "estimated", "frozen", "held"};
    int first = 1;
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++) {
        if (flags & (1u << i)) {
            fprintf(f, "%s%s", first ? "" : sep, names[i]);
            first = 0;
        }
    }
}

static void json_phases(FILE *f, const char *key, const int32_t *v, int n, int decimals)
{
    char b[32];
    fprintf(f, ", \"%s\": [", key);
    for (int i = 0; i < n; i++) {
        pollstore_fmt_scaled(b, sizeof b, v[i], decimals);
        fprintf(f, "%s%s", i ? ", " : "", b);
    }
    fprintf(f, "]");
}

const char *pollstore_source_name(reading_source src)
{
    return src == READING_FROZEN_DAILY ? "frozen_daily" : src == READING_FROZEN_SETTLEMENT ? "frozen_settlement" : "live";
}

/* json_source: "source", and for a frozen reading the freeze time (= ts) and when it was read. */
static void json_source(FILE *f, const reading *r)
{
    char ts[32];
    fprintf(f, ", \"source\": \"%s\"", pollstore_source_name(r->source));
    if (r->source == READING_LIVE)
        return;
    pollstore_fmt_ts(ts, sizeof ts, r->ts);
    fprintf(f, ", \"frozen_at\": \"%s\"", ts);
    if (r->read_ts > 0) {
        pollstore_fmt_ts(ts, sizeof ts, r->read_ts);
        fprintf(f, ", \"read_at\": \"%s\"", ts);
    }
}

void pollstore_reading_json(FILE *f, const reading *r)
{
    char b[40], ts[32];
    int n = r->nphases == 3 ? 3 : 1;
    pollstore_fmt_ts(ts, sizeof ts, r->ts);
    fputs("{\"meter\": ", f);
    outfmt_json_string(f, r->meter);
    fprintf(f, ", \"ts\": \"%s\", \"status\": \"%s\"", ts, pollstore_status_name(r->status));
    if (r->present & READING_HAS_IMPORT) {
        pollstore_fmt_milli(b, sizeof b, r->import_wh);
        fprintf(f, ", \"import_kwh\": \"%s\"", b);
    }
    if (r->present & READING_HAS_EXPORT) {
        pollstore_fmt_milli(b, sizeof b, r->export_wh);
        fprintf(f, ", \"export_kwh\": \"%s\"", b);
    }
    if (r->present & READING_HAS_TARIFFS) {
        fprintf(f, ", \"tariff_kwh\": [");
        for (int k = 0; k < READING_TARIFFS; k++) {
            pollstore_fmt_milli(b, sizeof b, r->tariff_wh[k]);
            fprintf(f, "%s\"%s\"", k ? ", " : "", b);
        }
        fprintf(f, "]");
    }
    if (r->present & READING_HAS_REACTIVE) {
        pollstore_fmt_milli(b, sizeof b, r->reactive_varh);
        fprintf(f, ", \"reactive_kvarh\": \"%s\"", b);
    }
    if (r->present & READING_HAS_DEMAND)
        fprintf(f, ", \"demand_w\": %lld", (long long)r->demand_w);
    if (r->present & READING_HAS_VOLTAGE)
        json_phases(f, "voltage_v", r->voltage_dv, n, 1);
    if (r->present & READING_HAS_CURRENT)
        json_phases(f, "current_a", r->current_ma, n, 3);
    if (r->present & READING_HAS_POWER)
        fprintf(f, ", \"power_w\": %lld", (long long)r->power_w);
    if (r->present & READING_HAS_PF) {
        pollstore_fmt_scaled(b, sizeof b, r->pf_milli, 3);
        fprintf(f, ", \"pf\": %s", b);
    }
    if (r->present & READING_HAS_FREQ) {
        pollstore_fmt_scaled(b, sizeof b, r->freq_chz, 2);
        fprintf(f, ", \"freq_hz\": %s", b);
    }
    if (r->present & READING_HAS_CLOCK)
        fprintf(f, ", \"clock_drift_s\": %lld", (long long)r->clock_drift_s);
    if (r->present & READING_HAS_RELAY)
        fprintf(f, ", \"relay\": \"%s\"", r->relay_closed ? "closed" : "open");
    json_source(f, r);
    if (r->flags) {
        fprintf(f, ", \"flags\": [\"");
        pollstore_print_flags(f, r->flags, "\", \"");
        fprintf(f, "\"]");
    }
    if (r->nraw) {
        fprintf(f, ", \"raw\": [");
        for (int i = 0; i < r->nraw; i++)
            fprintf(f, "%s%u", i ? ", " : "", r->raw[i]);
        fprintf(f, "]");
    }
    if (r->error[0]) {
        fputs(", \"error\": ", f);
        outfmt_json_string(f, r->error);
    }
    fprintf(f, "}");
}

void pollstore_jump_detail(const reading *r, char *out, size_t cap)
{
    char kwh[40];
    pollstore_fmt_milli(kwh, sizeof kwh, r->import_wh);
    snprintf(out, cap, "import jumped to %s kWh, beyond rated power x elapsed time: held out of billing until "
                       "confirmed (gridledger poll --confirm %s)", kwh, r->meter);
}

static void confirm_key(const char *meter, char *key, size_t cap)
{
    snprintf(key, cap, "poll.confirm.%s", meter);
}

gl_status pollstore_confirm(store *s, const char *meter, int64_t ts, int64_t *released)
{
    char key[96];
    int64_t n = 0;
    confirm_key(meter, key, sizeof key);
    gl_status st = store_txn_begin(s);
    if (st == GL_OK)
        st = store_readings_release(s, meter, READING_FLAG_HELD, &n);
    if (st == GL_OK)
        st = store_kv_set(s, key, "1");
    if (st == GL_OK)
        st = store_alert_close(s, ts, "meter_jump", meter);
    if (st == GL_OK)
        st = store_event(s, ts, "meter_jump_confirmed", meter, "confirmed by the operator", 0);
    if (st == GL_OK && n == 0)
        st = GL_ENOTFOUND; /* nothing held: change nothing */
    st = store_txn_end(s, st);
    *released = st == GL_OK ? n : 0;
    return st;
}

void pollstore_take_confirmations(store *s, const config *cfg, poller *p)
{
    for (int i = 0; i < cfg->nmeters; i++) {
        validate_state *vs = poller_state(p, i);
        char key[96], val[8];
        confirm_key(cfg->meters[i].id, key, sizeof key);
        if (store_kv_get(s, key, val, sizeof val) != GL_OK || strcmp(val, "1") != 0)
            continue;
        validate_confirm(vs);
        store_kv_set(s, key, "");
    }
}

const char *pollstore_event_kind(validate_event e)
{
    static const char *const kinds[] = {"", "meter_offline", "meter_online", "meter_garbage", "meter_sane"};
    return (unsigned)e < sizeof kinds / sizeof kinds[0] ? kinds[e] : "";
}

/* Validation state from the store: last OK reading, silent count. */
void pollstore_restore(store *s, const config *cfg, poller *p)
{
    size_t n = (size_t)cfg->nmeters;
    const char **ids = malloc((n ? n : 1) * sizeof *ids);
    reading *last = malloc((n ? n : 1) * sizeof *last);
    int *found = calloc(n ? n : 1, sizeof *found);
    int ok = ids != NULL && last != NULL && found != NULL; /* else: no history, as for new meters */
    for (size_t i = 0; ok && i < n; i++)
        ids[i] = cfg->meters[i].id;
    ok = ok && store_last_readings(s, ids, n, last, found) == GL_OK;
    for (int i = 0; i < cfg->nmeters; i++) {
        validate_state *vs = poller_state(p, i);
        char key[96], val[64];
        if (ok && found[i] && (last[i].present & READING_HAS_IMPORT)) {
            vs->has_last = 1;
            vs->last_ts = last[i].ts;
            vs->last_import_wh = last[i].import_wh;
            vs->has_export = (last[i].present & READING_HAS_EXPORT) != 0;
            vs->last_export_wh = last[i].export_wh;
        }
        snprintf(key, sizeof key, "poll.silent.%s", cfg->meters[i].id);
        if (store_kv_get(s, key, val, sizeof val) == GL_OK) /* older stores: the first two only */
            sscanf(val, "%d %d %d %d %d", &vs->silent_polls, &vs->offline, &vs->bad_polls, &vs->garbage,
                   &vs->held);
    }
    free(ids);
    free(last);
    free(found);
}

#define FROZEN_DAYS_MAX 62
#define SETTLE_GAP_MIN_S (28 * 86400) /* two settlement days of a meter are a month apart */

static int64_t local_midnight(int64_t now, int mday)
{
    time_t t = (time_t)now;
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    if (mday > 0)
        tm.tm_mday = mday;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

/* last_boundary: the last billing-period start (cycle day, 00:00 local) at or before now. */
static int64_t last_boundary(const config *cfg, int64_t now)
{
    int64_t b = local_midnight(now, cfg->billing.cycle_day);
    if (b > now) {
        time_t t = (time_t)now;
        struct tm tm;
        localtime_r(&t, &tm);
        tm.tm_mon--;
        tm.tm_mday = cfg->billing.cycle_day;
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        tm.tm_isdst = -1;
        b = (int64_t)mktime(&tm);
    }
    return b;
}

/* What meter i's daily freezes must give: those after last_ts (midnights
 * missed), and the one at the billing boundary if not stored yet. */
#define NO_MISSED (INT64_MAX - 1) /* after_ts when no midnight was missed */

typedef struct frozen_need {
    int64_t after_ts;    /* store freezes newer than this (NO_MISSED: none) ... */
    int64_t boundary_ts; /* ... and the one at this time (0: none wanted) */
    int64_t stored_ts;   /* the newest daily freeze stored (never stored twice) */
    int64_t midnight;    /* the last local midnight: freeze 1 */
} frozen_need;

/* boundary_only: the boundary's freeze alone, read by its index (days
 * back from the last midnight), not by walking every freeze since. */
static int boundary_only(poller *p, int i, const frozen_need *nd, reading *r, int *answered)
{
    int k = (int)((nd->midnight - nd->boundary_ts + 43200) / 86400) + 1; /* + half a day: 23- and 25-hour days */
    gl_status st = poller_frozen(p, i, k, r);
    *answered = st == GL_OK || st == GL_EEXCEPTION;
    return st == GL_OK && r->ts == nd->boundary_ts && r->ts > nd->stored_ts;
}

/* frozen_wanted: freezes newest first down to the oldest one needed, into
 * r; *answered: the meter answered (with freezes or an error reply). */
static int frozen_wanted(poller *p, int i, const frozen_need *nd, reading *r, int *answered)
{
    int n = 0;
    int64_t lowest = nd->boundary_ts > 0 && nd->boundary_ts <= nd->after_ts ? nd->boundary_ts : nd->after_ts + 1;
    reading tmp;
    if (nd->after_ts == NO_MISSED)
        return boundary_only(p, i, nd, r, answered);
    *answered = 0;
    for (int k = 1; k <= FROZEN_DAYS_MAX; k++) {
        gl_status st = poller_frozen(p, i, k, &tmp);
        *answered |= st == GL_OK || st == GL_EEXCEPTION;
        if (st != GL_OK || tmp.ts < lowest)
            break;
        if (tmp.ts > nd->stored_ts && (tmp.ts > nd->after_ts || tmp.ts == nd->boundary_ts))
            r[n++] = tmp;
    }
    for (int a = 0, b = n - 1; a < b; a++, b--) { /* oldest first */
        tmp = r[a];
        r[a] = r[b];
        r[b] = tmp;
    }
    return n;
}

/* daily_need: what meter i needs from its daily freezes; 0 if nothing. */
static int daily_need(store *s, const config *cfg, int i, const reading *last, int found, int64_t now,
                      frozen_need *nd)
{
    int64_t midnight = local_midnight(now, 0), boundary = last_boundary(cfg, now);
    char key[96], val[32];
    if (store_frozen_last(s, cfg->meters[i].id, READING_FROZEN_DAILY, &nd->stored_ts) != GL_OK)
        return 0;
    nd->midnight = midnight;
    nd->after_ts = found && last->ts < midnight ? last->ts : NO_MISSED;
    nd->boundary_ts = nd->stored_ts < boundary && boundary > now - FROZEN_DAYS_MAX * 86400 ? boundary : 0;
    snprintf(key, sizeof key, "poll.frozen.%s", cfg->meters[i].id);
    if (nd->boundary_ts > 0 && store_kv_get(s, key, val, sizeof val) == GL_OK && strtoll(val, NULL, 10) == boundary)
        nd->boundary_ts = 0; /* asked already: the meter does not have it */
    return nd->after_ts != NO_MISSED || nd->boundary_ts > 0;
}

/* fill_meter: meter i's wanted freezes (daily, settlement) into the store,
 * each also given to each(ctx, r); *added counts them. */
static gl_status fill_meter(store *s, const config *cfg, poller *p, int i, const reading *last, int found,
                            int64_t now, reading *fr, pollstore_reading_fn each, void *ctx, int *added)
{
    frozen_need nd = {0, 0, 0, 0};
    int k = 0, answered = 0;
    int64_t settled = 0;
    if (poller_state(p, i)->offline)
        return GL_OK; /* its one attempt a cycle is the live poll's: filled when it answers again */
    if (daily_need(s, cfg, i, last, found, now, &nd))
        k = frozen_wanted(p, i, &nd, fr, &answered);
    if (nd.boundary_ts > 0 && answered) {
        char key[96], val[32];
        snprintf(key, sizeof key, "poll.frozen.%s", cfg->meters[i].id);
        snprintf(val, sizeof val, "%lld", (long long)nd.boundary_ts);
        store_kv_set(s, key, val);
    }
    gl_status st = store_frozen_last(s, cfg->meters[i].id, READING_FROZEN_SETTLEMENT, &settled);
    if (st == GL_OK && settled <= now - SETTLE_GAP_MIN_S && poller_settlement(p, i, now, settled, &fr[k]) == GL_OK)
        k++;
    for (int j = 0; j < k; j++)
        fr[j].read_ts = now;
    if (st == GL_OK && k > 0)
        st = store_put_readings(s, fr, (size_t)k);
    /* the validation baseline stays the last live reading: a freeze is
     * stamped by the meter's clock, the next live reading by the gateway's,
     * and seconds apart a small disagreement would look like a jump */
    for (int j = 0; st == GL_OK && each != NULL && j < k; j++)
        each(ctx, &fr[j]);
    *added += st == GL_OK ? k : 0;
    return st;
}

gl_status pollstore_fill_frozen(store *s, const config *cfg, poller *p, int64_t now, int *filled,
                                pollstore_reading_fn each, void *ctx)
{
    size_t n = (size_t)cfg->nmeters;
    int any = 0;
    for (int b = 0; b < cfg->nbuses; b++)
        any |= cfg->buses[b].protocol == BUS_PROTO_DLT645;
    if (filled != NULL)
        *filled = 0;
    if (!any)
        return GL_OK; /* Modbus meters keep no frozen registers */
    const char **ids = malloc((n ? n : 1) * sizeof *ids);
    reading *last = malloc((n ? n : 1) * sizeof *last), *fr = malloc((FROZEN_DAYS_MAX + 1) * sizeof *fr);
    int *found = calloc(n ? n : 1, sizeof *found), total = 0;
    gl_status st = ids && last && fr && found ? GL_OK : GL_ENOMEM;
    for (size_t i = 0; st == GL_OK && i < n; i++)
        ids[i] = cfg->meters[i].id;
    if (st == GL_OK)
        st = store_last_readings(s, ids, n, last, found);
    for (int i = 0; st == GL_OK && i < cfg->nmeters; i++)
        if (cfg->buses[cfg->meters[i].bus_index].protocol == BUS_PROTO_DLT645)
            st = fill_meter(s, cfg, p, i, &last[i], found[i], now, fr, each, ctx, &total);
    free(ids);
    free(last);
    free(fr);
    free(found);
    if (filled != NULL)
        *filled = total;
    return st;
}

/* A meter clock beyond its bus's clock_limit_s: an alert (closed when back within). */
static gl_status save_clock(store *s, const config *cfg, int i, const reading *r, int64_t ts)
{
    int64_t limit = cfg->buses[cfg->meters[i].bus_index].clock_limit_s;
    int64_t d = r->clock_drift_s < 0 ? -r->clock_drift_s : r->clock_drift_s;
    char detail[96];
    if (d <= limit)
        return store_alert_close(s, ts, "meter_clock", cfg->meters[i].id);
    snprintf(detail, sizeof detail, "meter clock %lld s %s (limit %lld s)", (long long)d,
             r->clock_drift_s > 0 ? "ahead" : "behind", (long long)limit);
    return store_event(s, ts, "meter_clock", cfg->meters[i].id, detail, 1);
}

/* kv_set_changed: key = val unless it holds val already: a meter's
 * validation state rarely changes, and rewriting 1,000 unchanged rows a
 * cycle cost flash (docs/store.md "Bytes written"). */
static gl_status kv_set_changed(store *s, const char *key, const char *val)
{
    char old[64];
    if (store_kv_get(s, key, old, sizeof old) == GL_OK && strcmp(old, val) == 0)
        return GL_OK;
    return store_kv_set(s, key, val);
}

/* put_due: the readings of the meters polled this cycle. */
static gl_status put_due(store *s, const config *cfg, const reading *r, const unsigned char *due)
{
    int any = due == NULL;
    for (int i = 0; !any && i < cfg->nmeters; i++)
        any = due[i];
    return any ? store_put_readings_sel(s, r, (size_t)cfg->nmeters, due) : GL_OK;
}

gl_status pollstore_save(store *s, const config *cfg, poller *p, const reading *r, const validate_event *ev,
                         const unsigned char *due, int64_t ts)
{
    /* the readings are their own transaction (on failure they wait in
     * memory); the meters' offline state and events go in one more */
    gl_status st = pollstore_save_readings(s, cfg, r, due);
    return st == GL_OK ? pollstore_save_state(s, cfg, p, r, ev, due, ts) : st;
}

gl_status pollstore_save_readings(store *s, const config *cfg, const reading *r, const unsigned char *due)
{
    return put_due(s, cfg, r, due);
}

gl_status pollstore_save_state(store *s, const config *cfg, poller *p, const reading *r, const validate_event *ev,
                               const unsigned char *due, int64_t ts)
{
    gl_status st = store_txn_begin(s);
    if (st != GL_OK)
        return st;
    for (int i = 0; st == GL_OK && i < cfg->nmeters; i++) {
        if (due != NULL && !due[i])
            continue;
        const validate_state *vs = poller_state(p, i);
        char key[96], val[64];
        snprintf(key, sizeof key, "poll.silent.%s", cfg->meters[i].id);
        snprintf(val, sizeof val, "%d %d %d %d %d", vs->silent_polls, vs->offline, vs->bad_polls, vs->garbage,
                 vs->held);
        st = kv_set_changed(s, key, val);
        if (st == GL_OK && (r[i].flags & READING_FLAG_JUMP)) {
            char detail[POLLSTORE_JUMP_DETAIL_MAX];
            pollstore_jump_detail(&r[i], detail, sizeof detail);
            st = store_event(s, ts, "meter_jump", cfg->meters[i].id, detail, 1);
        }
        if (st == GL_OK && ev[i] != VALIDATE_EVENT_NONE)
            st = store_event(s, ts, pollstore_event_kind(ev[i]), cfg->meters[i].id, r[i].error,
                             ev[i] == VALIDATE_EVENT_OFFLINE || ev[i] == VALIDATE_EVENT_GARBAGE);
        if (st == GL_OK && (ev[i] == VALIDATE_EVENT_ONLINE || ev[i] == VALIDATE_EVENT_SANE))
            st = store_alert_close(s, ts, ev[i] == VALIDATE_EVENT_ONLINE ? "meter_offline" : "meter_garbage",
                                   cfg->meters[i].id);
        if (st == GL_OK && (r[i].present & READING_HAS_CLOCK))
            st = save_clock(s, cfg, i, &r[i], ts);
    }
    return store_txn_end(s, st);
}

