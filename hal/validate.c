/* validate.c: see validate.h. */
#include "validate.h"

#include <stdint.h>
#include <stdio.h>

const char *validate_event_name(validate_event e)
{
    static const char *const names[] = {"none", "offline", "online", "garbage", "sane"};
    return (unsigned)e < sizeof names / sizeof names[0] ? names[e] : "none";
}

void validate_confirm(validate_state *st)
{
    st->held = 0;
}

validate_event validate_garbage(validate_state *st, int error_after, validate_event prev, const reading *r)
{
    if (r->status == READING_OFFLINE)
        return prev;
    if (r->status == READING_OK) {
        st->bad_polls = 0;
        if (!st->garbage || prev != VALIDATE_EVENT_NONE)
            return prev;
        st->garbage = 0;
        return VALIDATE_EVENT_SANE;
    }
    if (st->bad_polls < 1000000)
        st->bad_polls++;
    if (st->garbage || prev != VALIDATE_EVENT_NONE || st->bad_polls < (error_after > 0 ? error_after : 1))
        return prev;
    st->garbage = 1;
    return VALIDATE_EVENT_GARBAGE;
}

static void reject(reading *r, uint32_t has)
{
    r->present &= ~has;
    r->flags |= READING_FLAG_RANGE;
}

static int out_of(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo || v > hi;
}

static void check_ranges(reading *r, int64_t max_power_w)
{
    int64_t pmax = max_power_w > 0 ? 2 * max_power_w : 1000000000LL;
    int n = r->nphases == 3 ? 3 : 1;
    if ((r->present & READING_HAS_IMPORT) && out_of(r->import_wh, 0, VALIDATE_ENERGY_WH_MAX))
        reject(r, READING_HAS_IMPORT);
    if ((r->present & READING_HAS_EXPORT) && out_of(r->export_wh, 0, VALIDATE_ENERGY_WH_MAX))
        reject(r, READING_HAS_EXPORT);
    if ((r->present & READING_HAS_REACTIVE) && out_of(r->reactive_varh, 0, VALIDATE_ENERGY_WH_MAX))
        reject(r, READING_HAS_REACTIVE);
    if ((r->present & READING_HAS_DEMAND) && out_of(r->demand_w, 0, pmax))
        reject(r, READING_HAS_DEMAND);
    if ((r->present & READING_HAS_POWER) && out_of(r->power_w, -pmax, pmax))
        reject(r, READING_HAS_POWER);
    if ((r->present & READING_HAS_PF) && out_of(r->pf_milli, -VALIDATE_PF_MILLI_MAX, VALIDATE_PF_MILLI_MAX))
        reject(r, READING_HAS_PF);
    if ((r->present & READING_HAS_FREQ) && out_of(r->freq_chz, VALIDATE_FREQ_CHZ_MIN, VALIDATE_FREQ_CHZ_MAX))
        reject(r, READING_HAS_FREQ);
    for (int i = 0; i < n; i++) {
        if ((r->present & READING_HAS_VOLTAGE) && out_of(r->voltage_dv[i], 0, VALIDATE_VOLTAGE_DV_MAX))
            reject(r, READING_HAS_VOLTAGE);
        if ((r->present & READING_HAS_CURRENT) && out_of(r->current_ma[i], 0, VALIDATE_CURRENT_MA_MAX))
            reject(r, READING_HAS_CURRENT);
    }
}

/* Rounding slack of a float32 counter near v: one part in 2^23, >= 2 Wh. */
static int64_t slack_wh(int64_t v)
{
    int64_t s = v / (1 << 23);
    return s < 2 ? 2 : s + 1;
}

static void check_counter(int64_t last, int64_t now, int64_t elapsed_s, int64_t max_power_w, reading *r)
{
    if (now < last) {
        if (last - now > slack_wh(last))
            r->flags |= READING_FLAG_DECREASE;
        return;
    }
    if (max_power_w > 0) {
        int64_t ws; /* watt-seconds the meter could have taken; beyond int64: any rise is possible */
        if (__builtin_mul_overflow(max_power_w, elapsed_s > 0 ? elapsed_s : 0, &ws))
            return;
        if (now - last > ws / 3600 + slack_wh(now))
            r->flags |= READING_FLAG_JUMP;
    }
}

static void check_stuck(const validate_state *st, int64_t elapsed_s, reading *r)
{
    if (!(r->present & READING_HAS_POWER) || r->import_wh != st->last_import_wh || elapsed_s <= 0)
        return;
    /* energy the reported power should have added; stuck when clearly more than rounding */
    int64_t ws;
    if (__builtin_mul_overflow(r->power_w > 0 ? r->power_w : 0, elapsed_s, &ws))
        ws = INT64_MAX;
    if (ws / 3600 > 10 * slack_wh(r->import_wh))
        r->flags |= READING_FLAG_STUCK;
}

static validate_event count_silent(validate_state *st, int offline_after)
{
    st->silent_polls++;
    if (!st->offline && st->silent_polls >= (offline_after > 0 ? offline_after : 1)) {
        st->offline = 1;
        return VALIDATE_EVENT_OFFLINE;
    }
    return VALIDATE_EVENT_NONE;
}

validate_event validate_reading(validate_state *st, int64_t max_power_w, int offline_after, reading *r)
{
    validate_event ev = VALIDATE_EVENT_NONE;
    if (r->status == READING_OFFLINE)
        return count_silent(st, offline_after);
    /* an answer, even an exception, means the meter is there */
    if (st->offline)
        ev = VALIDATE_EVENT_ONLINE;
    st->offline = 0;
    st->silent_polls = 0;
    if (r->status != READING_OK)
        return ev;
    check_ranges(r, max_power_w);
    if (!(r->present & READING_HAS_IMPORT) || (r->flags & READING_FLAG_RANGE)) {
        /* garbage in any value (wrong word order, off-by-one address) makes the whole reading suspect */
        r->status = READING_ERROR;
        if (r->error[0] == '\0')
            snprintf(r->error, sizeof r->error, "%s",
                     (r->present & READING_HAS_IMPORT) ? "values out of physical range (word order or register map?)"
                                                       : "import energy missing or out of range");
        return ev;
    }
    int64_t elapsed = r->ts - st->last_ts;
    if (st->has_last) {
        check_counter(st->last_import_wh, r->import_wh, elapsed, max_power_w, r);
        if (st->has_export && (r->present & READING_HAS_EXPORT))
            check_counter(st->last_export_wh, r->export_wh, elapsed, max_power_w, r);
        check_stuck(st, elapsed, r);
    }
    if (r->flags & READING_FLAG_JUMP)
        st->held = 1; /* the new values are the baseline for the checks, never for billing */
    if (st->held)
        r->flags |= READING_FLAG_HELD;
    if (!(r->flags & READING_FLAG_STUCK) || !st->has_last) {
        st->last_ts = r->ts;
    }
    st->has_last = 1;
    st->last_import_wh = r->import_wh;
    st->has_export = (r->present & READING_HAS_EXPORT) != 0;
    st->last_export_wh = r->export_wh;
    return ev;
}
