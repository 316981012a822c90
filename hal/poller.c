/* poller.c: see poller.h. */
#include "poller.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

typedef struct {
    profile prof;
    int64_t max_power_w;
    int nreq;
    coalesce_span req[POLLER_MAX_REQUESTS];
    validate_state vs;
    bus_counters c;
} meter_slot;

struct poller {
    const config *cfg;
    poller_mode mode;
    bus **buses;
    meter_slot *m;
};

typedef struct {
    poller *p;
    int bus_index;
    int64_t ts;
    reading *out;
} bus_job;

static gl_status plan_meter(const config_bus *b, poller_mode mode, meter_slot *s)
{
    coalesce_span spans[PROFILE_Q_COUNT];
    int n = 0;
    for (int q = 0; q < PROFILE_Q_COUNT; q++) {
        const profile_reg *r = &s->prof.q[q];
        if (r->present)
            spans[n++] = (coalesce_span){(uint8_t)r->fn, r->addr, (uint16_t)profile_type_words(r->type)};
    }
    if (mode == POLLER_ONE_PER_QUANTITY) {
        memcpy(s->req, spans, (size_t)n * sizeof spans[0]);
        s->nreq = n;
        return GL_OK;
    }
    coalesce_link l = {b->type == CONFIG_BUS_RTU ? b->baud : 0, (int64_t)b->inter_frame_ms * 1000};
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
    free(p->buses);
    free(p->m);
    free(p);
}

gl_status poller_new(const config *cfg, poller **out)
{
    gl_status ret = GL_ENOMEM;
    poller *p = calloc(1, sizeof *p);
    if (p == NULL)
        return ret;
    p->cfg = cfg;
    p->buses = calloc((size_t)cfg->nbuses + 1, sizeof *p->buses);
    p->m = calloc((size_t)cfg->nmeters + 1, sizeof *p->m);
    if (p->buses == NULL || p->m == NULL)
        goto out;
    for (int b = 0; b < cfg->nbuses; b++)
        if ((ret = bus_open(&cfg->buses[b], &p->buses[b])) != GL_OK)
            goto out;
    for (int i = 0; i < cfg->nmeters; i++) {
        meter_slot *s = &p->m[i];
        if (profile_resolve(cfg, cfg->meters[i].profile, &s->prof) != GL_OK || cfg->meters[i].bus_index < 0) {
            ret = GL_ECONFIG;
            goto out;
        }
        s->max_power_w = cfg->meters[i].max_power_w > 0 ? cfg->meters[i].max_power_w : s->prof.max_power_w;
    }
    if ((ret = poller_set_mode(p, POLLER_COALESCE)) != GL_OK)
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
    const profile_reg *reg = &s->prof.q[q];
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

static void poll_meter(poller *p, int i, int64_t ts, reading *r)
{
    const config_meter *cm = &p->cfg->meters[i];
    meter_slot *s = &p->m[i];
    bus *b = p->buses[cm->bus_index];
    int retries = s->vs.offline ? 0 : p->cfg->buses[cm->bus_index].retries;
    uint16_t(*blocks)[COALESCE_MAX_REGS] = calloc(POLLER_MAX_REQUESTS, sizeof *blocks);
    memset(r, 0, sizeof *r);
    snprintf(r->meter, sizeof r->meter, "%s", cm->id);
    r->ts = ts;
    r->nphases = s->prof.nphases;
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
        if (s->prof.q[q].present)
            decode_q(s, blocks, (profile_q)q, r);
    free(blocks);
    if (cm->relay && s->prof.relay != PROFILE_RELAY_NONE) {
        int on = 0, exc = 0;
        gl_status st;
        if (s->prof.relay == PROFILE_RELAY_COIL) {
            st = bus_read_bit(b, cm->slave_id, s->prof.relay_addr, &on, retries, &s->c, &exc);
        } else {
            uint16_t v = 0;
            st = bus_read_registers(b, cm->slave_id, 3, s->prof.relay_addr, 1, &v, retries, &s->c, &exc);
            on = v == s->prof.relay_on;
        }
        if (st == GL_OK) {
            r->relay_closed = on;
            r->present |= READING_HAS_RELAY;
        }
    }
}

static void *bus_thread(void *arg)
{
    bus_job *j = arg;
    for (int i = 0; i < j->p->cfg->nmeters; i++)
        if (j->p->cfg->meters[i].bus_index == j->bus_index)
            poll_meter(j->p, i, j->ts, &j->out[i]);
    return NULL;
}

gl_status poller_poll(poller *p, int64_t ts, reading *out, validate_event *events)
{
    int nb = p->cfg->nbuses;
    gl_status ret = GL_ENOMEM;
    bus_job *jobs = calloc((size_t)nb + 1, sizeof *jobs);
    pthread_t *th = calloc((size_t)nb + 1, sizeof *th);
    int *started = calloc((size_t)nb + 1, sizeof *started);
    if (jobs == NULL || th == NULL || started == NULL)
        goto out;
    for (int b = 0; b < nb; b++) {
        jobs[b] = (bus_job){p, b, ts, out};
        started[b] = pthread_create(&th[b], NULL, bus_thread, &jobs[b]) == 0;
        if (!started[b])
            bus_thread(&jobs[b]); /* no thread to be had: poll this bus here */
    }
    for (int b = 0; b < nb; b++)
        if (started[b])
            pthread_join(th[b], NULL);
    for (int i = 0; i < p->cfg->nmeters; i++) {
        const config_bus *cb = &p->cfg->buses[p->cfg->meters[i].bus_index];
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

gl_status poller_relay(poller *p, int i, int closed)
{
    if (p == NULL || i < 0 || i >= p->cfg->nmeters)
        return GL_EINVAL;
    const config_meter *cm = &p->cfg->meters[i];
    meter_slot *s = &p->m[i];
    bus *b = p->buses[cm->bus_index];
    int retries = p->cfg->buses[cm->bus_index].retries, exc = 0, on = -1;
    gl_status st;
    if (!cm->relay || s->prof.relay == PROFILE_RELAY_NONE)
        return GL_EUNSUPPORTED;
    if (s->prof.relay == PROFILE_RELAY_COIL) {
        st = bus_write_bit(b, cm->slave_id, s->prof.relay_addr, closed, retries, &s->c, &exc);
        if (st == GL_OK)
            st = bus_read_bit(b, cm->slave_id, s->prof.relay_addr, &on, retries, &s->c, &exc);
    } else {
        uint16_t v = closed ? s->prof.relay_on : s->prof.relay_off;
        st = bus_write_register(b, cm->slave_id, s->prof.relay_addr, v, retries, &s->c, &exc);
        if (st == GL_OK)
            st = bus_read_registers(b, cm->slave_id, 3, s->prof.relay_addr, 1, &v, retries, &s->c, &exc);
        on = v == s->prof.relay_on;
    }
    if (st != GL_OK)
        return st;
    return on == (closed != 0) ? GL_OK : GL_ESTATE;
}

validate_state *poller_state(poller *p, int i)
{
    return &p->m[i].vs;
}

const profile *poller_profile(const poller *p, int i)
{
    return &p->m[i].prof;
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
    return bus_counters_of(p->buses[b]);
}
