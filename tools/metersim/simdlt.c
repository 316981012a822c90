/* simdlt.c: see simdlt.h. */
#include "simdlt.h"

#include <math.h>
#include <string.h>
#include <time.h>

/* tariff of each UTC hour (1 sharp, 2 peak, 3 flat, 4 valley) */
static const int hour_tariff[24] = {4, 4, 4, 4, 4, 4, 4, 3, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 2, 1, 1, 2, 2, 4};
static const double base_share[5] = {0, 0.10, 0.30, 0.40, 0.20};

dlt645_addr simdlt_addr(uint64_t base, int id)
{
    dlt645_addr a;
    uint64_t v = base + (uint64_t)id;
    for (int i = 0; i < DLT645_ADDR_LEN; i++) {
        a.b[i] = (uint8_t)((v / 10 % 10) << 4 | v % 10);
        v /= 100;
    }
    return a;
}

int simdlt_id(uint64_t base, const dlt645_addr *addr)
{
    int64_t v;
    if (dlt645_bcd_get(addr->b, DLT645_ADDR_LEN, 0, &v) != GL_OK || (uint64_t)v <= base)
        return 0;
    return (uint64_t)v - base < SIM_MAX_IDS ? (int)((uint64_t)v - base) : 0;
}

int simdlt_matches(const dlt645_addr *addr, const dlt645_addr *own)
{
    for (int i = 0; i < DLT645_ADDR_LEN; i++)
        if (addr->b[i] != 0xAA && addr->b[i] != own->b[i])
            return 0;
    return 1;
}

/* seconds of [a, b] (a <= b) in hours of tariff k */
static double seconds_in(int k, double a, double b)
{
    double hours_k = 0, s = 0;
    for (int h = 0; h < 24; h++)
        hours_k += hour_tariff[h] == k;
    double days = floor((b - a) / 86400.0);
    s = days * hours_k * 3600.0;
    for (double t = a + days * 86400.0; t < b;) {
        double next = (floor(t / 3600.0) + 1) * 3600.0;
        time_t tt = (time_t)floor(t);
        struct tm tm;
        localtime_r(&tt, &tm);
        int h = tm.tm_hour;
        double end = next < b ? next : b;
        if (hour_tariff[h] == k)
            s += end - t;
        t = end;
    }
    return s;
}

void simdlt_tariff_units(const sim_meter *m, const sim_clock *c, double t, int64_t units[5])
{
    units[0] = (int64_t)floor(sim_import_wh(m, c, t) / 10.0);
    int64_t rest = units[0];
    for (int k = 1; k <= 3; k++) {
        double secs = t >= c->since_s ? seconds_in(k, c->since_s, t) : -seconds_in(k, t, c->since_s);
        units[k] = (int64_t)floor((m->base_wh * base_share[k] + m->power_w * secs / 3600.0) / 10.0);
        if (units[k] < 0)
            units[k] = 0;
        if (units[k] > rest)
            units[k] = rest;
        rest -= units[k];
    }
    units[4] = rest;
}

typedef struct answer {
    uint8_t data[DLT645_READ_DATA_MAX];
    size_t len;
    uint8_t err; /* nonzero: error reply */
} answer;

static void put_units(answer *a, int64_t v, size_t width, int is_signed)
{
    if (a->err == 0 && a->len + width <= sizeof a->data &&
        dlt645_bcd_put(v, width, is_signed, a->data + a->len) == GL_OK)
        a->len += width;
    else
        a->err = DLT645_ERR_OTHER;
}

static double meter_time(const sim_meter *m, const sim_clock *c)
{
    return sim_now(c) + m->clock_offset_s;
}

static void civil(double t, dlt645_time *out)
{
    time_t tt = (time_t)floor(t);
    struct tm tm;
    localtime_r(&tt, &tm);
    *out = (dlt645_time){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
}

static double local_time(int year, int month, int day, int hour, int minute, int second)
{
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    tm.tm_isdst = -1;
    return (double)mktime(&tm);
}

/* the local midnight N days before the last one (N = 1: the last) */
static double freeze_time(double now, int n)
{
    dlt645_time t;
    civil(now, &t);
    return local_time(t.year, t.month, t.day - (n - 1), 0, 0, 0);
}

/* 00:00 on the 1st of the month, N settlements back (N = 1: the last) */
static double settlement_time(double now, int n)
{
    dlt645_time t;
    civil(now, &t);
    int months = t.year * 12 + (t.month - 1) - (n - 1);
    return local_time(months / 12, months % 12 + 1, 1, 0, 0, 0);
}

static void energies(answer *a, const sim_meter *m, const sim_clock *c, double t, int tariff)
{
    int64_t u[5];
    simdlt_tariff_units(m, c, t, u);
    if (tariff == 0xFF) {
        for (int k = 0; k < 5; k++)
            put_units(a, u[k], 4, 0);
    } else if (tariff <= 4) {
        put_units(a, u[tariff], 4, 0);
    } else {
        a->err = DLT645_ERR_NO_DATA;
    }
}

static void phase_value(answer *a, const sim_meter *m, const sim_clock *c, int di1, profile_q q0, size_t width,
                        int is_signed, double mult)
{
    if (di1 < 1 || di1 > m->prof->nphases) {
        a->err = DLT645_ERR_NO_DATA;
        return;
    }
    put_units(a, llround(sim_value(m, c, sim_now(c), (profile_q)(q0 + di1 - 1)) * mult), width, is_signed);
}

static void clock_value(answer *a, const sim_meter *m, const sim_clock *c, int which)
{
    dlt645_time t;
    civil(meter_time(m, c), &t);
    time_t tt = (time_t)floor(meter_time(m, c));
    struct tm tm;
    localtime_r(&tt, &tm);
    int v[4] = {tm.tm_wday, t.day, t.month, t.year - 2000}; /* 04000101: WW DD MM YY */
    if (which == 2) {                                       /* 04000102: ss mm hh */
        v[0] = t.second;
        v[1] = t.minute;
        v[2] = t.hour;
    }
    for (int i = 0; i < (which == 2 ? 3 : 4); i++)
        put_units(a, v[i], 1, 0);
}

static void frozen(answer *a, const sim_meter *m, const sim_clock *c, uint32_t di)
{
    int n = (int)(di & 0xFF), what = (int)(di >> 8 & 0xFF);
    double ft = freeze_time(sim_now(c), n);
    if (n < 1 || n > 62 || ft < c->start_s - 62 * 86400.0) {
        a->err = DLT645_ERR_NO_DATA;
        return;
    }
    if (what == 0) { /* YY MM DD hh mm, sent mm hh DD MM YY */
        dlt645_time t;
        civil(ft, &t);
        int v[5] = {t.minute, t.hour, t.day, t.month, t.year - 2000};
        for (int i = 0; i < 5; i++)
            put_units(a, v[i], 1, 0);
    } else if (what == 1) {
        energies(a, m, c, ft, 0xFF);
    } else {
        a->err = DLT645_ERR_NO_DATA;
    }
}

static void read_di(answer *a, const sim_meter *m, const sim_clock *c, uint32_t di, const dlt645_addr *own)
{
    int di3 = (int)(di >> 24), di2 = (int)(di >> 16 & 0xFF), di1 = (int)(di >> 8 & 0xFF), di0 = (int)(di & 0xFF);
    if (m->fault == SIM_NOBLOCK && di1 == 0xFF) {
        a->err = DLT645_ERR_NO_DATA;
    } else if (di3 == 0 && di2 == 1 && di0 == 0) {
        energies(a, m, c, sim_now(c), di1);
    } else if (di3 == 0 && di2 == 1 && di0 >= 1 && di0 <= 12) {
        energies(a, m, c, settlement_time(sim_now(c), di0), di1);
    } else if (di == DLT645_DI_EXPORT_TOTAL) {
        put_units(a, llround(m->export_wh / 10.0), 4, 0);
    } else if (di3 == 2 && di2 == 1 && di0 == 0) {
        phase_value(a, m, c, di1, PROFILE_Q_VOLTAGE_L1, 2, 0, 1);
    } else if (di3 == 2 && di2 == 2 && di0 == 0) {
        phase_value(a, m, c, di1, PROFILE_Q_CURRENT_L1, 3, 1, 1);
    } else if (di == DLT645_DI_POWER_TOTAL) {
        put_units(a, llround(sim_value(m, c, sim_now(c), PROFILE_Q_POWER) * 10), 3, 1);
    } else if (di == DLT645_DI_PF_TOTAL) {
        put_units(a, llround(m->pf * 1000), 2, 1);
    } else if (di == DLT645_DI_FREQUENCY) {
        put_units(a, 5000, 2, 0);
    } else if (di == DLT645_DI_DATE || di == DLT645_DI_TIME) {
        clock_value(a, m, c, (int)(di & 0xFF));
    } else if (di == DLT645_DI_ADDRESS) { /* after the DI, as every payload */
        memcpy(a->data + a->len, own->b, DLT645_ADDR_LEN);
        a->len += DLT645_ADDR_LEN;
    } else if (di == DLT645_DI_STATUS3) {
        a->data[a->len++] = m->relay_closed ? 0x00 : 0x10; /* status word 3, low byte first: bit 4 relay open */
        a->data[a->len++] = 0x00;
    } else if (di3 == 5 && di2 == 6) {
        frozen(a, m, c, di);
    } else if (di == DLT645_DI_SETTLE_DAY) { /* DD hh = 01 00, sent hh DD: the 1st at 00:00 (settlement_time) */
        put_units(a, 0, 1, 0);
        put_units(a, 1, 1, 0);
    } else {
        a->err = DLT645_ERR_NO_DATA;
    }
}

static void relay(answer *a, sim_meter *m, const sim_clock *c, const dlt645_frame *req)
{
    dlt645_time exp;
    if (req->len != 16) {
        a->err = DLT645_ERR_OTHER;
        return;
    }
    if (req->data[0] != 0x02 || req->data[1] || req->data[2] || req->data[3]) {
        a->err = DLT645_ERR_PASSWORD;
        return;
    }
    uint8_t cmd = req->data[8];
    if (dlt645_time_get(req->data + 10, 1, &exp) != GL_OK || (cmd != 0x1A && cmd != 0x1B && cmd != 0x1C)) {
        a->err = DLT645_ERR_OTHER;
        return;
    }
    if (local_time(exp.year, exp.month, exp.day, exp.hour, exp.minute, exp.second) < meter_time(m, c)) {
        a->err = DLT645_ERR_OTHER; /* an expired command */
        return;
    }
    if (m->fault != SIM_RELAY_STUCK)
        m->relay_closed = cmd != 0x1A;
}

void simdlt_set_clock(sim_meter *m, const sim_clock *c, const dlt645_frame *req)
{
    dlt645_time t;
    if (req->len != 6 || dlt645_time_get(req->data, 1, &t) != GL_OK)
        return;
    m->clock_offset_s = local_time(t.year, t.month, t.day, t.hour, t.minute, t.second) - sim_now(c);
}

/* follow-up fault: a block answer's first 8 data bytes, D5 set; the rest
 * to the read follow-up (12) with sequence 1, the sequence byte last. */
#define FIRST_PART 8
static int split_follow_up(const sim_meter *m, const dlt645_frame *req, answer *a)
{
    int block = req->data[1] == 0xFF;
    if (m->fault != SIM_FOLLOWUP || !block || a->err || a->len <= 4 + FIRST_PART)
        return 0;
    if ((req->ctrl & DLT645_C_FUNC) == DLT645_F_READ) {
        a->len = 4 + FIRST_PART;
        return 1;
    }
    if (req->data[4] != 1) {
        a->err = DLT645_ERR_NO_DATA;
        return 0;
    }
    memmove(a->data + 4, a->data + 4 + FIRST_PART, a->len - 4 - FIRST_PART);
    a->len -= FIRST_PART;
    a->data[a->len++] = 1;
    return 0;
}

static int garbage(uint8_t *out, size_t cap, size_t *n)
{
    static const uint8_t junk[] = {0x68, 0x11, 0x22, 0x68, 0x00, 0x16, 0xFE, 0x68, 0x42, 0x99, 0x13, 0x37};
    *n = sizeof junk < cap ? sizeof junk : cap;
    memcpy(out, junk, *n);
    return 1;
}

int simdlt_reply(sim_meter *m, const sim_clock *c, const dlt645_addr *own, const dlt645_frame *req, uint8_t *out,
                 size_t cap, size_t *n)
{
    answer a = {.len = 0, .err = 0};
    uint8_t func = req->ctrl & DLT645_C_FUNC;
    int more = 0;
    int preamble = m->fault == SIM_PREAMBLE ? (int)m->fault_arg : 4;
    *n = 0;
    if (m->fault == SIM_SILENT || (req->ctrl & DLT645_C_REPLY))
        return 0;
    if (m->fault == SIM_GARBAGE)
        return garbage(out, cap, n);
    if ((func == DLT645_F_READ && req->len == 4) || (func == DLT645_F_READ_MORE && req->len == 5)) {
        memcpy(a.data, req->data, 4);
        a.len = 4;
        read_di(&a, m, c,
                (uint32_t)req->data[0] | (uint32_t)req->data[1] << 8 | (uint32_t)req->data[2] << 16 |
                    (uint32_t)req->data[3] << 24,
                own);
        more = split_follow_up(m, req, &a);
    } else if (func == DLT645_F_READ_ADDRESS) {
        memcpy(a.data, own->b, DLT645_ADDR_LEN);
        a.len = DLT645_ADDR_LEN;
    } else if (func == DLT645_F_RELAY) {
        relay(&a, m, c, req);
    } else {
        a.err = DLT645_ERR_OTHER;
    }
    if (m->fault == SIM_EXCEPTION)
        a.err = (uint8_t)(m->fault_arg & 0x7F);
    uint8_t ctrl = (uint8_t)(DLT645_C_REPLY | func | (a.err ? DLT645_C_ERROR : 0) | (more ? DLT645_C_MORE : 0));
    if (dlt645_encode(own, ctrl, a.err ? &a.err : a.data, a.err ? 1 : a.len, preamble, out, cap, n) != GL_OK)
        return 0;
    if (m->fault == SIM_CRC)
        out[*n - 2] ^= 0x5A;
    return 1;
}
