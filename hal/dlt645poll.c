/* dlt645poll.c: see dlt645poll.h. */
#include "dlt645poll.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define BLOCK_DI DLT645_DI_IMPORT_BLOCK

void dlt645poll_fail(reading *r, gl_status st, uint8_t err)
{
    r->status = st == GL_ETIMEOUT || st == GL_ENET || st == GL_EDEVICE ? READING_OFFLINE : READING_ERROR;
    if (st == GL_EEXCEPTION)
        snprintf(r->error, sizeof r->error, "error reply %02X (%s)", err, dlt645_err_name(err));
    else if (st == GL_EPROTO || st == GL_ECORRUPT)
        snprintf(r->error, sizeof r->error, "bad reply frame (checksum, length or address)");
    else
        snprintf(r->error, sizeof r->error, "%s", gl_strerror(st));
}

#define FOLLOW_UPS_MAX 16 /* follow-up frames read for one DI */

/* Appends f's payload for di to out[cap] at *n; GL_EBOUND past cap. */
static gl_status append_payload(const dlt645_frame *f, uint32_t di, uint8_t *out, size_t cap, size_t *n)
{
    const uint8_t *p;
    size_t plen = 0;
    gl_status st = dlt645_read_payload(f, di, &p, &plen);
    if (st != GL_OK)
        return st;
    if (plen > cap - *n)
        return GL_EBOUND;
    memcpy(out + *n, p, plen);
    *n += plen;
    return GL_OK;
}

gl_status dlt645poll_read_di(dlt645link *l, dlt645poll_meter *m, uint32_t di, uint8_t *out, size_t cap, size_t *n,
                             uint8_t *err)
{
    uint8_t req[DLT645_FRAME_MAX];
    size_t rn = 0;
    dlt645_frame f;
    *n = 0;
    gl_status st = dlt645_build_read(&m->addr, di, m->preamble, req, sizeof req, &rn);
    if (st == GL_OK)
        st = dlt645link_request(l, req, rn, &m->addr, DLT645_F_READ, m->retries, m->c, &f, err);
    if (st == GL_OK)
        st = append_payload(&f, di, out, cap, n);
    /* D5 set: the rest follows, frame by frame, on request (12 with a sequence number) */
    for (int seq = 1; st == GL_OK && (f.ctrl & DLT645_C_MORE); seq++) {
        if (seq > FOLLOW_UPS_MAX)
            return GL_EBOUND;
        st = dlt645_build_read_more(&m->addr, di, (uint8_t)seq, m->preamble, req, sizeof req, &rn);
        if (st == GL_OK)
            st = dlt645link_request(l, req, rn, &m->addr, DLT645_F_READ_MORE, m->retries, m->c, &f, err);
        if (st == GL_OK)
            st = append_payload(&f, di, out, cap, n);
    }
    return st;
}

/* Keeps the payload bytes as raw words (big-endian pairs), for audit. */
static void keep_raw(reading *r, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n && r->nraw < READING_RAW_MAX; i += 2)
        r->raw[r->nraw++] = (uint16_t)(p[i] << 8 | (i + 1 < n ? p[i + 1] : 0));
}

static gl_status read_block(dlt645link *l, dlt645poll_meter *m, reading *r, uint8_t *err)
{
    uint8_t buf[DLT645_READ_DATA_MAX];
    size_t n = 0;
    const dlt645_item *imp = &m->prof->q[PROFILE_Q_IMPORT];
    gl_status st = dlt645poll_read_di(l, m, BLOCK_DI, buf, sizeof buf, &n, err);
    if (st != GL_OK)
        return st;
    if (n < 4)
        return GL_EPROTO;
    keep_raw(r, buf, n);
    if (dlt645prof_value(imp, buf, &r->import_wh) != GL_OK)
        return GL_ERANGE;
    r->present |= READING_HAS_IMPORT;
    int nt = (int)(n / 4) - 1;
    if (nt >= m->prof->ntariffs && m->prof->ntariffs > 0) {
        for (int k = 0; k < m->prof->ntariffs; k++)
            if (dlt645prof_value(imp, buf + 4 * (k + 1), &r->tariff_wh[k]) != GL_OK)
                return GL_ERANGE;
        r->present |= READING_HAS_TARIFFS;
    }
    return GL_OK;
}

static gl_status read_single(dlt645link *l, dlt645poll_meter *m, reading *r, uint8_t *err)
{
    uint8_t buf[DLT645_READ_DATA_MAX];
    size_t n = 0;
    const dlt645_item *imp = &m->prof->q[PROFILE_Q_IMPORT];
    gl_status st = dlt645poll_read_di(l, m, imp->di, buf, sizeof buf, &n, err);
    if (st != GL_OK)
        return st;
    if (n < imp->width)
        return GL_EPROTO;
    keep_raw(r, buf, n);
    if (dlt645prof_value(imp, buf, &r->import_wh) != GL_OK)
        return GL_ERANGE;
    r->present |= READING_HAS_IMPORT;
    int got = 0;
    for (int k = 0; k < m->prof->ntariffs; k++) {
        uint8_t e = 0;
        st = dlt645poll_read_di(l, m, imp->di + (uint32_t)(k + 1) * 0x100, buf, sizeof buf, &n, &e);
        if (st == GL_EEXCEPTION)
            return GL_OK; /* the meter keeps no tariffs: total only */
        if (st != GL_OK)
            return st;
        if (n < imp->width || dlt645prof_value(imp, buf, &r->tariff_wh[k]) != GL_OK)
            return GL_ERANGE;
        got++;
    }
    if (got > 0 && got == m->prof->ntariffs)
        r->present |= READING_HAS_TARIFFS;
    return GL_OK;
}

static gl_status read_energy(dlt645link *l, dlt645poll_meter *m, reading *r, uint8_t *err)
{
    if (m->prof->block && m->block != 0) {
        gl_status st = read_block(l, m, r, err);
        if (st != GL_EEXCEPTION) {
            if (st == GL_OK)
                m->block = 1;
            return st;
        }
        m->block = 0; /* refused: single DIs from now on */
        r->nraw = 0;
    }
    return read_single(l, m, r, err);
}

static uint32_t has_bit(profile_q q)
{
    switch (q) {
    case PROFILE_Q_EXPORT:
        return READING_HAS_EXPORT;
    case PROFILE_Q_REACTIVE:
        return READING_HAS_REACTIVE;
    case PROFILE_Q_DEMAND:
        return READING_HAS_DEMAND;
    case PROFILE_Q_VOLTAGE_L1:
    case PROFILE_Q_VOLTAGE_L2:
    case PROFILE_Q_VOLTAGE_L3:
        return READING_HAS_VOLTAGE;
    case PROFILE_Q_CURRENT_L1:
    case PROFILE_Q_CURRENT_L2:
    case PROFILE_Q_CURRENT_L3:
        return READING_HAS_CURRENT;
    case PROFILE_Q_POWER:
        return READING_HAS_POWER;
    case PROFILE_Q_PF:
        return READING_HAS_PF;
    case PROFILE_Q_FREQ:
        return READING_HAS_FREQ;
    default:
        return READING_HAS_IMPORT;
    }
}

static void store_q(reading *r, profile_q q, int64_t v)
{
    int32_t small = v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
    switch (q) {
    case PROFILE_Q_EXPORT:
        r->export_wh = v;
        break;
    case PROFILE_Q_REACTIVE:
        r->reactive_varh = v;
        break;
    case PROFILE_Q_DEMAND:
        r->demand_w = v;
        break;
    case PROFILE_Q_POWER:
        r->power_w = v;
        break;
    case PROFILE_Q_VOLTAGE_L1:
    case PROFILE_Q_VOLTAGE_L2:
    case PROFILE_Q_VOLTAGE_L3:
        r->voltage_dv[q - PROFILE_Q_VOLTAGE_L1] = small;
        break;
    case PROFILE_Q_CURRENT_L1:
    case PROFILE_Q_CURRENT_L2:
    case PROFILE_Q_CURRENT_L3:
        r->current_ma[q - PROFILE_Q_CURRENT_L1] = small;
        break;
    case PROFILE_Q_PF:
        r->pf_milli = small;
        break;
    default:
        r->freq_chz = small;
        break;
    }
}

/* One quantity: GL_OK also when the meter refuses it (left absent). */
static gl_status read_q(dlt645link *l, dlt645poll_meter *m, profile_q q, reading *r)
{
    const dlt645_item *it = &m->prof->q[q];
    uint8_t buf[DLT645_READ_DATA_MAX], err = 0;
    size_t n = 0;
    int64_t v = 0;
    gl_status st = dlt645poll_read_di(l, m, it->di, buf, sizeof buf, &n, &err);
    if (st == GL_EEXCEPTION)
        return GL_OK;
    if (st != GL_OK)
        return st;
    if (n < it->width || dlt645prof_value(it, buf, &v) != GL_OK) {
        r->flags |= READING_FLAG_RANGE;
        return GL_OK;
    }
    store_q(r, q, v);
    /* the phase-1 value says whether the reading has the quantity */
    if (q != PROFILE_Q_VOLTAGE_L2 && q != PROFILE_Q_VOLTAGE_L3 && q != PROFILE_Q_CURRENT_L2 &&
        q != PROFILE_Q_CURRENT_L3)
        r->present |= has_bit(q);
    return GL_OK;
}

gl_status dlt645poll_relay_state(dlt645link *l, dlt645poll_meter *m, int *closed)
{
    uint8_t buf[8], err = 0;
    size_t n = 0;
    gl_status st = dlt645poll_read_di(l, m, DLT645_DI_STATUS3, buf, sizeof buf, &n, &err);
    if (st != GL_OK)
        return st;
    if (n < 2)
        return GL_EPROTO;
    *closed = (buf[0] & 0x10) == 0; /* status word 3 bit 4: relay open */
    return GL_OK;
}

gl_status dlt645poll_read(dlt645link *l, dlt645poll_meter *m, reading *r)
{
    uint8_t err = 0;
    r->nphases = m->prof->nphases;
    gl_status st = read_energy(l, m, r, &err);
    for (int q = PROFILE_Q_IMPORT + 1; st == GL_OK && q < PROFILE_Q_COUNT; q++)
        if (m->prof->q[q].present &&
            (q < PROFILE_Q_VOLTAGE_L1 || q > PROFILE_Q_CURRENT_L3 || (q - PROFILE_Q_VOLTAGE_L1) % 3 < m->prof->nphases))
            st = read_q(l, m, (profile_q)q, r);
    if (st == GL_OK && m->relay && m->prof->relay) {
        int closed = 0;
        if (dlt645poll_relay_state(l, m, &closed) == GL_OK) {
            r->relay_closed = closed;
            r->present |= READING_HAS_RELAY;
        }
    }
    if (st != GL_OK) {
        r->present = 0;
        dlt645poll_fail(r, st, err);
        return st;
    }
    r->status = READING_OK;
    return GL_OK;
}

gl_status dlt645poll_relay(dlt645link *l, dlt645poll_meter *m, const dlt645_relay *r)
{
    uint8_t req[DLT645_FRAME_MAX], err = 0;
    size_t n = 0;
    dlt645_frame f;
    int closed = -1;
    gl_status st = dlt645_build_relay(&m->addr, r, m->preamble, req, sizeof req, &n);
    if (st == GL_OK)
        st = dlt645link_request(l, req, n, &m->addr, DLT645_F_RELAY, m->retries, m->c, &f, &err);
    if (st == GL_OK)
        st = dlt645poll_relay_state(l, m, &closed);
    if (st != GL_OK)
        return st;
    return closed == (r->command != DLT645_RELAY_TRIP) ? GL_OK : GL_ESTATE;
}

gl_status dlt645poll_broadcast_time(dlt645link *l, const dlt645_time *t, int preamble, bus_counters *c)
{
    uint8_t req[DLT645_FRAME_MAX];
    size_t n = 0;
    gl_status st = dlt645_build_broadcast_time(t, preamble, req, sizeof req, &n);
    return st == GL_OK ? dlt645link_send(l, req, n, c) : st;
}

gl_status dlt645poll_probe(dlt645link *l, dlt645poll_meter *m, dlt645_addr *got)
{
    uint8_t buf[16], err = 0;
    size_t n = 0;
    gl_status st = dlt645poll_read_di(l, m, DLT645_DI_ADDRESS, buf, sizeof buf, &n, &err);
    if (st == GL_OK && n < DLT645_ADDR_LEN)
        st = GL_EPROTO;
    if (st == GL_OK)
        memcpy(got->b, buf, DLT645_ADDR_LEN);
    return st;
}

gl_status dlt645poll_read_address(dlt645link *l, int preamble, int retries, bus_counters *c, dlt645_addr *got)
{
    uint8_t req[DLT645_FRAME_MAX], err = 0;
    size_t n = 0;
    dlt645_frame f;
    gl_status st = dlt645_build_read_address(preamble, req, sizeof req, &n);
    if (st == GL_OK)
        st = dlt645link_request(l, req, n, NULL, DLT645_F_READ_ADDRESS, retries, c, &f, &err);
    if (st == GL_OK && f.len < DLT645_ADDR_LEN)
        st = GL_EPROTO;
    if (st == GL_OK)
        memcpy(got->b, f.data, DLT645_ADDR_LEN);
    return st;
}

static gl_status freeze_ts(dlt645link *l, dlt645poll_meter *m, int n, int64_t *ts, uint8_t *err)
{
    uint8_t buf[16];
    size_t len = 0;
    dlt645_time t;
    gl_status st = dlt645poll_read_di(l, m, DLT645_DI_FROZEN_DAY_TIME - 1 + (uint32_t)n, buf, sizeof buf, &len, err);
    if (st == GL_OK && (len < 5 || dlt645_time_get(buf, 0, &t) != GL_OK))
        st = GL_EPROTO;
    if (st != GL_OK)
        return st;
    struct tm tm = {0};
    tm.tm_year = t.year - 1900;
    tm.tm_mon = t.month - 1;
    tm.tm_mday = t.day;
    tm.tm_hour = t.hour;
    tm.tm_min = t.minute;
    tm.tm_isdst = -1;
    *ts = (int64_t)mktime(&tm); /* meters keep local time */
    return GL_OK;
}

gl_status dlt645poll_frozen(dlt645link *l, dlt645poll_meter *m, int n, reading *r)
{
    uint8_t buf[DLT645_READ_DATA_MAX], err = 0;
    size_t len = 0;
    const dlt645_item *imp = &m->prof->q[PROFILE_Q_IMPORT];
    if (n < 1 || n > 62) /* DL/T 645-2007 keeps 62 daily freezes */
        return GL_ERANGE;
    r->nphases = m->prof->nphases;
    gl_status st = freeze_ts(l, m, n, &r->ts, &err);
    if (st == GL_OK)
        st = dlt645poll_read_di(l, m, DLT645_DI_FROZEN_DAY_IMPORT - 1 + (uint32_t)n, buf, sizeof buf, &len, &err);
    if (st == GL_OK && (len < 4 || dlt645prof_value(imp, buf, &r->import_wh) != GL_OK))
        st = GL_EPROTO;
    for (int k = 0; st == GL_OK && k < DLT645PROF_TARIFFS && len >= 4u * (size_t)(k + 2); k++) {
        if (dlt645prof_value(imp, buf + 4 * (k + 1), &r->tariff_wh[k]) != GL_OK)
            st = GL_EPROTO;
        else if (k == DLT645PROF_TARIFFS - 1)
            r->present |= READING_HAS_TARIFFS;
    }
    if (st != GL_OK) {
        dlt645poll_fail(r, st, err);
        return st;
    }
    keep_raw(r, buf, len);
    r->present |= READING_HAS_IMPORT;
    r->flags |= READING_FLAG_FROZEN;
    r->source = READING_FROZEN_DAILY;
    r->status = READING_OK;
    return GL_OK;
}

/* settle_day: m's settlement day and hour (04000B01 DDhh), read once. */
static gl_status settle_day(dlt645link *l, dlt645poll_meter *m)
{
    uint8_t buf[8], err = 0;
    size_t n = 0;
    int64_t hh = 0, dd = 0;
    if (m->settle_dd >= 0)
        return m->settle_dd > 0 ? GL_OK : GL_EUNSUPPORTED;
    gl_status st = dlt645poll_read_di(l, m, DLT645_DI_SETTLE_DAY, buf, sizeof buf, &n, &err);
    if (st == GL_EEXCEPTION) { /* the meter keeps no settlement day */
        m->settle_dd = 0;
        return GL_EUNSUPPORTED;
    }
    if (st != GL_OK)
        return st;
    /* DD 1..28 as the standard allows; 99 (unset) or garbage: none */
    if (n < 2 || dlt645_bcd_get(buf, 1, 0, &hh) != GL_OK || dlt645_bcd_get(buf + 1, 1, 0, &dd) != GL_OK ||
        dd < 1 || dd > 28 || hh > 23) {
        m->settle_dd = 0;
        return GL_EUNSUPPORTED;
    }
    m->settle_dd = (int)dd;
    m->settle_hh = (int)hh;
    return GL_OK;
}

/* last_settlement: the local time of day dd, hour hh at or before now. */
static int64_t last_settlement(int dd, int hh, int64_t now)
{
    time_t t = (time_t)now;
    struct tm tm;
    localtime_r(&t, &tm);
    for (int back = 0; back < 2; back++) {
        struct tm c = {0};
        c.tm_year = tm.tm_year;
        c.tm_mon = tm.tm_mon - back;
        c.tm_mday = dd;
        c.tm_hour = hh;
        c.tm_isdst = -1;
        int64_t ts = (int64_t)mktime(&c);
        if (ts <= now)
            return ts;
    }
    return 0;
}

/* settle_single: total, then tariffs 1..4 one DI each, into buf (*len
 * bytes); a refused tariff DI leaves the total only. */
static gl_status settle_single(dlt645link *l, dlt645poll_meter *m, uint8_t *buf, size_t *len, uint8_t *err)
{
    *len = 0;
    for (int k = 0; k <= DLT645PROF_TARIFFS; k++) {
        size_t one = 0;
        gl_status st = dlt645poll_read_di(l, m, DLT645_DI_SETTLE_TOTAL + (uint32_t)k * 0x100, buf + 4 * k, 4, &one, err);
        if (st == GL_EEXCEPTION && k > 0)
            return GL_OK; /* the meter keeps no tariffs: total only */
        if (st != GL_OK)
            return st;
        if (one < 4)
            return GL_EPROTO;
        *len += 4;
    }
    return GL_OK;
}

/* settle_energy: the last settlement's total and tariffs into r (block, or single DIs). */
static gl_status settle_energy(dlt645link *l, dlt645poll_meter *m, reading *r, uint8_t *err)
{
    uint8_t buf[DLT645_READ_DATA_MAX];
    size_t len = 0;
    const dlt645_item *imp = &m->prof->q[PROFILE_Q_IMPORT];
    const size_t all = 4u * (DLT645PROF_TARIFFS + 1);
    gl_status st = GL_EEXCEPTION;
    if (m->prof->block && m->block != 0)
        st = dlt645poll_read_di(l, m, DLT645_DI_SETTLE_BLOCK, buf, sizeof buf, &len, err);
    if (st == GL_EEXCEPTION)
        st = settle_single(l, m, buf, &len, err);
    if (st == GL_OK && (len < 4 || dlt645prof_value(imp, buf, &r->import_wh) != GL_OK))
        st = GL_EPROTO;
    for (int k = 0; st == GL_OK && len >= all && k < DLT645PROF_TARIFFS; k++)
        st = dlt645prof_value(imp, buf + 4 * (k + 1), &r->tariff_wh[k]) == GL_OK ? GL_OK : GL_EPROTO;
    if (st == GL_OK && len >= all)
        r->present |= READING_HAS_TARIFFS;
    if (st == GL_OK)
        keep_raw(r, buf, len);
    return st;
}

gl_status dlt645poll_settlement(dlt645link *l, dlt645poll_meter *m, int64_t now, int64_t after_ts, reading *r)
{
    uint8_t err = 0;
    r->nphases = m->prof->nphases;
    gl_status st = settle_day(l, m);
    if (st != GL_OK)
        return st;
    r->ts = last_settlement(m->settle_dd, m->settle_hh, now);
    if (r->ts <= after_ts)
        return GL_ENOTFOUND;
    st = settle_energy(l, m, r, &err);
    if (st != GL_OK) {
        dlt645poll_fail(r, st, err);
        return st;
    }
    r->present |= READING_HAS_IMPORT;
    r->flags |= READING_FLAG_FROZEN;
    r->source = READING_FROZEN_SETTLEMENT;
    r->read_ts = now;
    r->status = READING_OK;
    return GL_OK;
}

gl_status dlt645poll_clock(dlt645link *l, dlt645poll_meter *m, int64_t *meter_ts)
{
    uint8_t d[8], t[8], err = 0, p[6];
    size_t nd = 0, nt = 0;
    dlt645_time c;
    gl_status st = dlt645poll_read_di(l, m, DLT645_DI_DATE, d, sizeof d, &nd, &err);
    if (st == GL_OK)
        st = dlt645poll_read_di(l, m, DLT645_DI_TIME, t, sizeof t, &nt, &err);
    if (st != GL_OK)
        return st;
    if (nd < 4 || nt < 3)
        return GL_EPROTO;
    /* date WW DD MM YY and time ss mm hh as one ss mm hh DD MM YY */
    memcpy(p, t, 3);
    memcpy(p + 3, d + 1, 3);
    if (dlt645_time_get(p, 1, &c) != GL_OK)
        return GL_ERANGE;
    struct tm tm = {0};
    tm.tm_year = c.year - 1900;
    tm.tm_mon = c.month - 1;
    tm.tm_mday = c.day;
    tm.tm_hour = c.hour;
    tm.tm_min = c.minute;
    tm.tm_sec = c.second;
    tm.tm_isdst = -1;
    *meter_ts = (int64_t)mktime(&tm);
    return GL_OK;
}
