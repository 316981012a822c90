/* poller.c: see poller.h. */
#include "poller.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "modbusfn.h"
#include "dlt645poll.h"

#define RELAY_EXPIRY_S 600 /* a DL/T 645 relay command is refused by the meter after this */

/* A profile resolved once for all the meters that name it (a slot points
 * at it: a copy per meter was 1.6 KiB, 1.6 MiB at 1,000 meters). */
typedef struct {
    const char *name; /* as the meters name it (the config's string) */
    int dlt;          /* resolved as a DL/T 645 profile (prof is its view) */
    profile prof;
    dlt645prof dprof;
} shared_profile;

typedef struct {
    const profile *prof; /* into the poller's profs */
    int64_t max_power_w;
    int nreq;
    coalesce_span req[POLLER_MAX_REQUESTS];
    validate_state vs;
    bus_counters c;
    dlt645poll_meter dlt; /* a meter on a dlt645 bus (dlt.prof != NULL, into the poller's profs) */
    int64_t next_clock_check; /* DL/T 645: the clock is read once a day */
} meter_slot;

struct poller {
    const poller_cfg *cfg;
    poller_mode mode;
    bus **buses;          /* Modbus buses (NULL for dlt645 ones) */
    dlt645link **links;   /* DL/T 645 buses (NULL for Modbus ones) */
    int time_sync;        /* broadcast time daily on DL/T 645 buses */
    int64_t cycle_real0;  /* wall clock when the cycle started (its ts may be simulated) */
    int64_t *next_sync;   /* per bus: when the next broadcast time is due */
    meter_slot *m;
    shared_profile *profs; /* one per (profile name, protocol) the meters use */
    int nprofs;
};

typedef struct {
    poller *p;
    int bus_index;
    int64_t ts;
    reading *out;
    const unsigned char *due; /* NULL: every meter */
} bus_job;

static gl_status plan_meter(const bus_cfg *b, poller_mode mode, meter_slot *s)
{
    coalesce_span spans[PROFILE_Q_COUNT];
    int n = 0;
    if (s->dlt.prof != NULL) { /* DL/T 645: one request per DI, no register plan */
        s->nreq = 0;
        return GL_OK;
    }
    for (int q = 0; q < PROFILE_Q_COUNT; q++) {
        const profile_reg *r = &s->prof->q[q];
        if (r->present)
            spans[n++] = (coalesce_span){(uint8_t)r->fn, r->addr, (uint16_t)profile_type_words(r->type)};
    }
    if (mode == POLLER_ONE_PER_QUANTITY) {
        memcpy(s->req, spans, (size_t)n * sizeof spans[0]);
        s->nreq = n;
        return GL_OK;
    }
    coalesce_link l = {b->type == BUS_RTU ? b->baud : 0, (int64_t)b->inter_frame_ms * 1000};
    return coalesce_plan(spans, n, &l, s->req, POLLER_MAX_REQUESTS, &s->nreq, NULL);
}

gl_status poller_set_mode(poller *p, poller_mode mode)
{
    p->mode = mode;
    for (int i = 0; i < p->cfg->nmeters; i++) {
        gl_status st = plan_meter(&p->cfg->buses[p->cfg->meters[i].bus_index], mode, &p->m[i]);
        if (st != GL_OK)
            return st;
    }
    return GL_OK;
}

void poller_free(poller *p)
{
    if (p == NULL)
        return;
    for (int b = 0; p->buses && b < p->cfg->nbuses; b++)
        bus_close(p->buses[b]);
    for (int b = 0; p->links && b < p->cfg->nbuses; b++)
        dlt645link_close(p->links[b]);
    free(p->buses);
    free(p->links);
    free(p->next_sync);
    free(p->m);
    free(p->profs);
    free(p);
}

static int is_dlt(const poller *p, const poller_meter *cm)
{
    return cm->bus_index >= 0 && p->links[cm->bus_index] != NULL;
}

/* find_profile: the shared profile meter cm names (NULL: not resolved yet). */
static shared_profile *find_profile(poller *p, const poller_meter *cm)
{
    for (int k = 0; k < p->nprofs; k++)
        if (p->profs[k].dlt == is_dlt(p, cm) && strcmp(p->profs[k].name, cm->profile) == 0)
            return &p->profs[k];
    return NULL;
}

/* resolve_profiles: each distinct profile the meters name, once. */
static gl_status resolve_profiles(poller *p)
{
    const poller_cfg *cfg = p->cfg;
    int cap = 0;
    for (int i = 0; i < cfg->nmeters; i++) {
        const poller_meter *cm = &cfg->meters[i];
        if (find_profile(p, cm) != NULL)
            continue;
        if (p->nprofs == cap) { /* slots point in only once all are resolved */
            shared_profile *grown = realloc(p->profs, (size_t)(cap = cap ? 2 * cap : 4) * sizeof *p->profs);
            if (grown == NULL)
                return GL_ENOMEM;
            p->profs = grown;
        }
        shared_profile *sp = &p->profs[p->nprofs];
        memset(sp, 0, sizeof *sp);
        sp->name = cm->profile;
        sp->dlt = is_dlt(p, cm);
        if (sp->dlt && dlt645prof_resolve(cfg->doc, cfg->dlt645_profiles, cm->profile, &sp->dprof) != GL_OK)
            return GL_ECONFIG;
        if (sp->dlt)
            dlt645prof_as_profile(&sp->dprof, &sp->prof);
        else if (profile_resolve(cfg->doc, cfg->profiles, cm->profile, &sp->prof) != GL_OK)
            return GL_ECONFIG;
        p->nprofs++;
    }
    return GL_OK;
}

/* A meter on a dlt645 bus: its DL/T 645 profile and address. */
static gl_status dlt645_slot(const poller_cfg *cfg, int i, const shared_profile *sp, meter_slot *s)
{
    const poller_meter *cm = &cfg->meters[i];
    const bus_cfg *cb = &cfg->buses[cm->bus_index];
    if (dlt645_addr_parse(cm->address, &s->dlt.addr) != GL_OK)
        return GL_ECONFIG;
    s->dlt.prof = &sp->dprof;
    s->dlt.preamble = cb->preamble;
    s->dlt.retries = cb->retries;
    s->dlt.block = -1;
    s->dlt.settle_dd = -1; /* 04000B01 not read yet */
    s->dlt.relay = cm->relay;
    s->dlt.c = &s->c;
    return GL_OK;
}

/* init_slots: each meter's slot: its shared profile, its address (DL/T 645). */
static gl_status init_slots(poller *p)
{
    const poller_cfg *cfg = p->cfg;
    for (int i = 0; i < cfg->nmeters; i++) {
        meter_slot *s = &p->m[i];
        const shared_profile *sp = find_profile(p, &cfg->meters[i]);
        if (sp == NULL || cfg->meters[i].bus_index < 0)
            return GL_ECONFIG;
        if (sp->dlt && dlt645_slot(cfg, i, sp, s) != GL_OK)
            return GL_ECONFIG;
        s->prof = &sp->prof;
        s->max_power_w = cfg->meters[i].max_power_w > 0 ? cfg->meters[i].max_power_w : s->prof->max_power_w;
    }
    return GL_OK;
}

gl_status poller_new(const poller_cfg *cfg, poller **out)
{
    gl_status ret = GL_ENOMEM;
    poller *p = calloc(1, sizeof *p);
    if (p == NULL)
        return ret;
    p->cfg = cfg;
    p->buses = calloc((size_t)cfg->nbuses + 1, sizeof *p->buses);
    p->links = calloc((size_t)cfg->nbuses + 1, sizeof *p->links);
    p->next_sync = calloc((size_t)cfg->nbuses + 1, sizeof *p->next_sync);
    p->m = calloc((size_t)cfg->nmeters + 1, sizeof *p->m);
    if (p->buses == NULL || p->links == NULL || p->next_sync == NULL || p->m == NULL)
        goto out;
    for (int b = 0; b < cfg->nbuses; b++) {
        ret = cfg->buses[b].protocol == BUS_PROTO_DLT645 ? dlt645link_open(&cfg->buses[b], &p->links[b])
                                                             : bus_open(&cfg->buses[b], &p->buses[b]);
        if (ret != GL_OK)
            goto out;
    }
    if ((ret = resolve_profiles(p)) != GL_OK || (ret = init_slots(p)) != GL_OK ||
        (ret = poller_set_mode(p, POLLER_COALESCE)) != GL_OK)
        goto out;
    *out = p;
    p = NULL;
out:
    poller_free(p);
    return ret;
}

static const char *exception_name(int code)
{
    static const char *const names[] = {"", "illegal function", "illegal data address", "illegal data value",
                                        "slave device failure", "acknowledge", "slave device busy",
                                        "negative acknowledge", "memory parity error", "", "gateway path unavailable",
                                        "gateway target failed to respond"};
    return code > 0 && code < (int)(sizeof names / sizeof names[0]) ? names[code] : "unknown";
}

static void fail_reading(reading *r, gl_status st, int exc)
{
    r->status = st == GL_ETIMEOUT || st == GL_ENET || st == GL_EDEVICE ? READING_OFFLINE : READING_ERROR;
    if (st == GL_EEXCEPTION)
        snprintf(r->error, sizeof r->error, "exception %d (%s)", exc, exception_name(exc));
    else if (st == GL_EPROTO)
        snprintf(r->error, sizeof r->error, "bad response frame (CRC, length or id)");
    else
        snprintf(r->error, sizeof r->error, "%s", gl_strerror(st));
}

static int64_t *field_of(reading *r, profile_q q, int32_t **small)
{
    *small = NULL;
    switch (q) {
    case PROFILE_Q_IMPORT:
        return &r->import_wh;
    case PROFILE_Q_EXPORT:
        return &r->export_wh;
    case PROFILE_Q_REACTIVE:
        return &r->reactive_varh;
    case PROFILE_Q_DEMAND:
        return &r->demand_w;
    case PROFILE_Q_POWER:
        return &r->power_w;
    case PROFILE_Q_VOLTAGE_L1:
    case PROFILE_Q_VOLTAGE_L2:
    case PROFILE_Q_VOLTAGE_L3:
        *small = &r->voltage_dv[q - PROFILE_Q_VOLTAGE_L1];
        return NULL;
    case PROFILE_Q_CURRENT_L1:
    case PROFILE_Q_CURRENT_L2:
    case PROFILE_Q_CURRENT_L3:
        *small = &r->current_ma[q - PROFILE_Q_CURRENT_L1];
        return NULL;
    case PROFILE_Q_PF:
        *small = &r->pf_milli;
        return NULL;
    default:
        *small = &r->freq_chz;
        return NULL;
    }
}

static uint32_t has_bit(profile_q q)
{
    static const uint32_t bits[PROFILE_Q_COUNT] = {
        READING_HAS_IMPORT,  READING_HAS_EXPORT,  READING_HAS_REACTIVE, READING_HAS_DEMAND, READING_HAS_VOLTAGE,
        READING_HAS_VOLTAGE, READING_HAS_VOLTAGE, READING_HAS_CURRENT,  READING_HAS_CURRENT, READING_HAS_CURRENT,
        READING_HAS_POWER,   READING_HAS_PF,      READING_HAS_FREQ};
    return bits[q];
}

/* Decodes quantity q from whichever request block holds it. */
static void decode_q(const meter_slot *s, uint16_t blocks[][COALESCE_MAX_REGS], profile_q q, reading *r)
{
    const profile_reg *reg = &s->prof->q[q];
    int32_t *small;
    int64_t *big = field_of(r, q, &small), v = 0;
    for (int k = 0; k < s->nreq; k++) {
        gl_status st = decode_block(reg, s->req[k].fn, s->req[k].addr, s->req[k].count, blocks[k], &v);
        if (st == GL_ENOTFOUND)
            continue;
        int w = profile_type_words(reg->type);
        if (r->nraw + w <= READING_RAW_MAX) {
            memcpy(&r->raw[r->nraw], &blocks[k][reg->addr - s->req[k].addr], (size_t)w * sizeof(uint16_t));
            r->nraw = (uint16_t)(r->nraw + w);
        }
        if (st != GL_OK || (small && (v > INT32_MAX || v < INT32_MIN))) {
            r->flags |= READING_FLAG_RANGE; /* NaN, infinity, overflow: rejected */
            if (q == PROFILE_Q_VOLTAGE_L1 || q == PROFILE_Q_CURRENT_L1)
                r->present &= ~has_bit(q);
            return;
        }
        if (big)
            *big = v;
        else
            *small = (int32_t)v;
        if (q <= PROFILE_Q_DEMAND || q >= PROFILE_Q_POWER || q == PROFILE_Q_VOLTAGE_L1 || q == PROFILE_Q_CURRENT_L1)
            r->present |= has_bit(q);
        return;
    }
}

static void poll_dlt645(poller *p, int i, int64_t ts, reading *r)
{
    const poller_meter *cm = &p->cfg->meters[i];
    meter_slot *s = &p->m[i];
    memset(r, 0, sizeof *r);
    snprintf(r->meter, sizeof r->meter, "%s", cm->id);
    r->ts = ts;
    s->dlt.retries = s->vs.offline ? 0 : p->cfg->buses[cm->bus_index].retries;
    if (dlt645poll_read(p->links[cm->bus_index], &s->dlt, r) != GL_OK)
        return;
    /* the cycle's clock, moved on by the wall time the cycle has taken so far */
    int64_t meter_ts = 0, now = ts + ((int64_t)time(NULL) - p->cycle_real0);
    if (p->cfg->buses[cm->bus_index].clock_limit_s > 0 && s->next_clock_check <= ts &&
        dlt645poll_clock(p->links[cm->bus_index], &s->dlt, &meter_ts) == GL_OK) {
        r->clock_drift_s = meter_ts - now; /* against the clock the broadcast time sets meters from */
        r->present |= READING_HAS_CLOCK;
        s->next_clock_check = ts + 86400;
    }
}

static void poll_meter(poller *p, int i, int64_t ts, reading *r)
{
    const poller_meter *cm = &p->cfg->meters[i];
    meter_slot *s = &p->m[i];
    bus *b = p->buses[cm->bus_index];
    int retries = s->vs.offline ? 0 : p->cfg->buses[cm->bus_index].retries;
    if (s->dlt.prof != NULL) {
        poll_dlt645(p, i, ts, r);
        return;
    }
    uint16_t(*blocks)[COALESCE_MAX_REGS] = calloc(POLLER_MAX_REQUESTS, sizeof *blocks);
    memset(r, 0, sizeof *r);
    snprintf(r->meter, sizeof r->meter, "%s", cm->id);
    r->ts = ts;
    r->nphases = s->prof->nphases;
    if (blocks == NULL) {
        fail_reading(r, GL_ENOMEM, 0);
        return;
    }
    uint64_t wrong_unit = s->c.wrong_unit;
    for (int k = 0; k < s->nreq; k++) {
        int exc = 0;
        gl_status st = bus_read_registers(b, cm->slave_id, s->req[k].fn, s->req[k].addr, s->req[k].count, blocks[k],
                                          retries, &s->c, &exc);
        if (st != GL_OK) {
            fail_reading(r, st, exc);
            if (s->c.wrong_unit > wrong_unit)
                snprintf(r->error, sizeof r->error, "reply from another unit id than %d (rejected)", cm->slave_id);
            free(blocks);
            return;
        }
    }
    r->status = READING_OK;
    for (int q = 0; q < PROFILE_Q_COUNT; q++)
        if (s->prof->q[q].present)
            decode_q(s, blocks, (profile_q)q, r);
    free(blocks);
    if (cm->relay && s->prof->relay != PROFILE_RELAY_NONE) {
        int on = 0, exc = 0;
        gl_status st;
        if (s->prof->relay == PROFILE_RELAY_COIL) {
            st = bus_read_bit(b, cm->slave_id, s->prof->relay_addr, &on, retries, &s->c, &exc);
        } else {
            uint16_t v = 0;
            st = bus_read_registers(b, cm->slave_id, MODBUSFN_READ_HOLDING, s->prof->relay_addr, 1, &v, retries, &s->c, &exc);
            on = v == s->prof->relay_on;
        }
        if (st == GL_OK) {
            r->relay_closed = on;
            r->present |= READING_HAS_RELAY;
        }
    }
}

void poller_set_time_sync(poller *p, int daily)
{
    p->time_sync = daily;
}

/* The daily broadcast time of a DL/T 645 bus, from the cycle's clock. */
static void sync_bus_time(poller *p, int b, int64_t ts)
{
    time_t t = (time_t)ts;
    struct tm tm;
    if (!p->time_sync || p->links[b] == NULL || ts < p->next_sync[b])
        return;
    localtime_r(&t, &tm); /* meters keep local time: the process runs in gateway.timezone */
    dlt645_time now = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
    if (dlt645poll_broadcast_time(p->links[b], &now, p->cfg->buses[b].preamble, NULL) == GL_OK)
        p->next_sync[b] = ts + 86400;
}

static void *bus_thread(void *arg)
{
    bus_job *j = arg;
    sync_bus_time(j->p, j->bus_index, j->ts);
    for (int i = 0; i < j->p->cfg->nmeters; i++)
        if (j->p->cfg->meters[i].bus_index == j->bus_index && (j->due == NULL || j->due[i]))
            poll_meter(j->p, i, j->ts, &j->out[i]);
    return NULL;
}

gl_status poller_poll(poller *p, int64_t ts, reading *out, validate_event *events)
{
    return poller_poll_due(p, ts, NULL, out, events);
}

gl_status poller_poll_due(poller *p, int64_t ts, const unsigned char *due, reading *out, validate_event *events)
{
    int nb = p->cfg->nbuses;
    gl_status ret = GL_ENOMEM;
    bus_job *jobs = calloc((size_t)nb + 1, sizeof *jobs);
    pthread_t *th = calloc((size_t)nb + 1, sizeof *th);
    int *started = calloc((size_t)nb + 1, sizeof *started);
    if (jobs == NULL || th == NULL || started == NULL)
        goto out;
    p->cycle_real0 = (int64_t)time(NULL);
    for (int b = 0; b < nb; b++) {
        jobs[b] = (bus_job){p, b, ts, out, due};
        started[b] = pthread_create(&th[b], NULL, bus_thread, &jobs[b]) == 0;
        if (!started[b])
            bus_thread(&jobs[b]); /* no thread to be had: poll this bus here */
    }
    for (int b = 0; b < nb; b++)
        if (started[b])
            pthread_join(th[b], NULL);
    for (int i = 0; i < p->cfg->nmeters; i++) {
        const bus_cfg *cb = &p->cfg->buses[p->cfg->meters[i].bus_index];
        if (due != NULL && !due[i]) {
            if (events)
                events[i] = VALIDATE_EVENT_NONE;
            continue;
        }
        validate_event ev = validate_reading(&p->m[i].vs, p->m[i].max_power_w, cb->offline_after, &out[i]);
        ev = validate_garbage(&p->m[i].vs, cb->error_after, ev, &out[i]);
        if (events)
            events[i] = ev;
    }
    ret = GL_OK;
out:
    free(jobs);
    free(th);
    free(started);
    return ret;
}

/* 1C trip or direct close, valid for RELAY_EXPIRY_S from the wall clock. */
static gl_status relay_dlt645(poller *p, int i, int closed)
{
    const poller_meter *cm = &p->cfg->meters[i];
    meter_slot *s = &p->m[i];
    time_t until = time(NULL) + RELAY_EXPIRY_S;
    struct tm tm;
    if (!cm->relay || !s->dlt.prof->relay)
        return GL_EUNSUPPORTED;
    localtime_r(&until, &tm); /* meters keep local time: the process runs in gateway.timezone */
    dlt645_relay r = {(uint8_t)cm->password_level, cm->password, cm->operator_code,
                      closed ? DLT645_RELAY_CLOSE : DLT645_RELAY_TRIP,
                      {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec}};
    s->dlt.retries = p->cfg->buses[cm->bus_index].retries;
    return dlt645poll_relay(p->links[cm->bus_index], &s->dlt, &r);
}

gl_status poller_relay(poller *p, int i, int closed)
{
    if (p == NULL || i < 0 || i >= p->cfg->nmeters)
        return GL_EINVAL;
    const poller_meter *cm = &p->cfg->meters[i];
    meter_slot *s = &p->m[i];
    bus *b = p->buses[cm->bus_index];
    int retries = p->cfg->buses[cm->bus_index].retries, exc = 0, on = -1;
    gl_status st;
    if (s->dlt.prof != NULL)
        return relay_dlt645(p, i, closed);
    if (!cm->relay || s->prof->relay == PROFILE_RELAY_NONE)
        return GL_EUNSUPPORTED;
    if (s->prof->relay == PROFILE_RELAY_COIL) {
        st = bus_write_bit(b, cm->slave_id, s->prof->relay_addr, closed, retries, &s->c, &exc);
        if (st == GL_OK)
            st = bus_read_bit(b, cm->slave_id, s->prof->relay_addr, &on, retries, &s->c, &exc);
    } else {
        uint16_t v = closed ? s->prof->relay_on : s->prof->relay_off;
        st = bus_write_register(b, cm->slave_id, s->prof->relay_addr, v, retries, &s->c, &exc);
        if (st == GL_OK)
            st = bus_read_registers(b, cm->slave_id, MODBUSFN_READ_HOLDING, s->prof->relay_addr, 1, &v, retries, &s->c, &exc);
        on = v == s->prof->relay_on;
    }
    if (st != GL_OK)
        return st;
    return on == (closed != 0) ? GL_OK : GL_ESTATE;
}

/* frozen_slot: meter i's slot for a frozen read into r (cleared, r->meter
 * set; retries as for a poll), or NULL with *st why not. */
static meter_slot *frozen_slot(poller *p, int i, reading *r, gl_status *st)
{
    *st = GL_EINVAL;
    if (p == NULL || i < 0 || i >= p->cfg->nmeters)
        return NULL;
    meter_slot *s = &p->m[i];
    memset(r, 0, sizeof *r);
    snprintf(r->meter, sizeof r->meter, "%s", p->cfg->meters[i].id);
    *st = GL_EUNSUPPORTED;
    if (s->dlt.prof == NULL)
        return NULL;
    s->dlt.retries = s->vs.offline ? 0 : p->cfg->buses[p->cfg->meters[i].bus_index].retries;
    return s;
}

gl_status poller_frozen(poller *p, int i, int n, reading *r)
{
    gl_status st;
    meter_slot *s = frozen_slot(p, i, r, &st);
    return s == NULL ? st : dlt645poll_frozen(p->links[p->cfg->meters[i].bus_index], &s->dlt, n, r);
}

gl_status poller_settlement(poller *p, int i, int64_t now, int64_t after_ts, reading *r)
{
    gl_status st;
    meter_slot *s = frozen_slot(p, i, r, &st);
    return s == NULL ? st : dlt645poll_settlement(p->links[p->cfg->meters[i].bus_index], &s->dlt, now, after_ts, r);
}

validate_state *poller_state(poller *p, int i)
{
    return &p->m[i].vs;
}

const profile *poller_profile(const poller *p, int i)
{
    return p->m[i].prof;
}

int poller_plan(const poller *p, int i, const coalesce_span **reqs)
{
    *reqs = p->m[i].req;
    return p->m[i].nreq;
}

const bus_counters *poller_meter_counters(const poller *p, int i)
{
    return &p->m[i].c;
}

const bus_counters *poller_bus_counters(const poller *p, int b)
{
    return p->buses[b] != NULL ? bus_counters_of(p->buses[b]) : dlt645link_counters(p->links[b]);
}
