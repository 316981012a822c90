/* store_blocks.c: routine readings packed (see store_blocks.h). Pure
 * functions, no allocation. */
#include "store_blocks.h"

#include <stddef.h>
#include <string.h>

#include "varint.h"

/* What a block keeps of a reading: everything but the meter clock. */
#define KEPT_BITS                                                                                                    \
    (READING_HAS_IMPORT | READING_HAS_EXPORT | READING_HAS_REACTIVE | READING_HAS_DEMAND | READING_HAS_VOLTAGE |    \
     READING_HAS_CURRENT | READING_HAS_POWER | READING_HAS_PF | READING_HAS_FREQ | READING_HAS_RELAY |              \
     READING_HAS_TARIFFS)

/* The scalar values in their order in a body. */
static const struct {
    uint32_t bit;
    size_t off;
    int wide; /* int64_t, else int32_t */
} scalars[] = {
    {READING_HAS_IMPORT, offsetof(reading, import_wh), 1},    {READING_HAS_EXPORT, offsetof(reading, export_wh), 1},
    {READING_HAS_REACTIVE, offsetof(reading, reactive_varh), 1}, {READING_HAS_DEMAND, offsetof(reading, demand_w), 1},
    {READING_HAS_POWER, offsetof(reading, power_w), 1},       {READING_HAS_PF, offsetof(reading, pf_milli), 0},
    {READING_HAS_FREQ, offsetof(reading, freq_chz), 0},
};
#define NSCALARS (sizeof scalars / sizeof scalars[0])

int store_blocks_routine(const reading *r)
{
    return r->status == READING_OK && r->source == READING_LIVE && r->flags == 0 && r->error[0] == '\0' &&
           r->ts >= 0 && (r->present & READING_HAS_IMPORT) &&
           (!(r->present & (READING_HAS_VOLTAGE | READING_HAS_CURRENT)) || (r->nphases >= 1 && r->nphases <= 3));
}

size_t store_blocks_start(uint8_t *buf)
{
    buf[0] = STORE_BLOCK_FORMAT;
    return 1;
}

static void put_phases(uint8_t *buf, size_t *len, const int32_t *v, int n)
{
    for (int i = 0; i < n; i++)
        *len += varint_put(buf + *len, v[i]);
}

void store_blocks_put(uint8_t *buf, size_t *len, int idx, int64_t slot_start, const reading *r)
{
    uint32_t p = r->present & KEPT_BITS;
    buf[(*len)++] = (uint8_t)idx;
    *len += varint_put(buf + *len, r->ts - slot_start);
    *len += varint_put(buf + *len, p);
    for (size_t i = 0; i < NSCALARS; i++) {
        const char *f = (const char *)r + scalars[i].off;
        if (!(p & scalars[i].bit))
            continue;
        int64_t v = 0;
        if (scalars[i].wide)
            memcpy(&v, f, sizeof v);
        else {
            int32_t w;
            memcpy(&w, f, sizeof w);
            v = w;
        }
        *len += varint_put(buf + *len, v);
    }
    if (p & (READING_HAS_VOLTAGE | READING_HAS_CURRENT))
        buf[(*len)++] = (uint8_t)r->nphases;
    if (p & READING_HAS_VOLTAGE)
        put_phases(buf, len, r->voltage_dv, r->nphases);
    if (p & READING_HAS_CURRENT)
        put_phases(buf, len, r->current_ma, r->nphases);
    if (p & READING_HAS_RELAY)
        buf[(*len)++] = r->relay_closed ? 1 : 0;
    if (p & READING_HAS_TARIFFS)
        for (int k = 0; k < READING_TARIFFS; k++)
            *len += varint_put(buf + *len, r->tariff_wh[k]);
}

gl_status store_blocks_open(const uint8_t *body, size_t len, size_t *pos)
{
    if (body == NULL || len < 1 || body[0] != STORE_BLOCK_FORMAT)
        return GL_ECORRUPT;
    *pos = 1;
    return GL_OK;
}

/* A body being read: where, up to where, and whether it went wrong. */
typedef struct cursor {
    const uint8_t *p, *end;
    int bad;
} cursor;

static int64_t next(cursor *c, int64_t lo, int64_t hi)
{
    int64_t v = 0;
    size_t n = c->bad ? 0 : varint_get(c->p, c->end, &v);
    if (n == 0 || v < lo || v > hi) {
        c->bad = 1;
        return 0;
    }
    c->p += n;
    return v;
}

static int byte(cursor *c, int hi)
{
    if (c->bad || c->p >= c->end || *c->p > hi) {
        c->bad = 1;
        return 0;
    }
    return *c->p++;
}

static void get_scalars(cursor *c, uint32_t p, reading *r)
{
    for (size_t i = 0; i < NSCALARS; i++) {
        char *f = (char *)r + scalars[i].off;
        if (!(p & scalars[i].bit))
            continue;
        if (scalars[i].wide) {
            int64_t v = next(c, INT64_MIN, INT64_MAX);
            memcpy(f, &v, sizeof v);
        } else {
            int32_t w = (int32_t)next(c, INT32_MIN, INT32_MAX);
            memcpy(f, &w, sizeof w);
        }
    }
}

static void get_phases(cursor *c, int32_t *v, int n)
{
    for (int i = 0; i < n; i++)
        v[i] = (int32_t)next(c, INT32_MIN, INT32_MAX);
}

gl_status store_blocks_get(const uint8_t *body, size_t len, size_t *pos, int64_t slot_start, int *idx, reading *r)
{
    cursor c = {body + *pos, body + len, *pos >= len};
    memset(r, 0, sizeof *r);
    *idx = byte(&c, STORE_BLOCK_METERS - 1);
    r->ts = slot_start + next(&c, 0, STORE_BLOCK_SLOT_S - 1);
    uint32_t p = (uint32_t)next(&c, 0, KEPT_BITS);
    if ((p & ~(uint32_t)KEPT_BITS) != 0)
        c.bad = 1;
    r->present = p;
    get_scalars(&c, p, r);
    if (p & (READING_HAS_VOLTAGE | READING_HAS_CURRENT)) {
        r->nphases = byte(&c, 3);
        if (r->nphases < 1)
            c.bad = 1;
    }
    if (p & READING_HAS_VOLTAGE)
        get_phases(&c, r->voltage_dv, r->nphases);
    if (p & READING_HAS_CURRENT)
        get_phases(&c, r->current_ma, r->nphases);
    if (p & READING_HAS_RELAY)
        r->relay_closed = byte(&c, 1);
    if (p & READING_HAS_TARIFFS)
        for (int k = 0; k < READING_TARIFFS; k++)
            r->tariff_wh[k] = next(&c, INT64_MIN, INT64_MAX);
    if (c.bad)
        return GL_ECORRUPT;
    *pos = (size_t)(c.p - body);
    return GL_OK;
}
