/* coalesce.c: see coalesce.h. */
#include "coalesce.h"

#include <stdlib.h>
#include <string.h>

#include "modbusfn.h"

#define RTU_REQ_BYTES 8  /* slave, fn, start(2), count(2), crc(2) */
#define RTU_RESP_BYTES 5 /* slave, fn, byte count, crc(2) + 2 per register */

int64_t coalesce_char_us(int baud)
{
    return baud > 0 ? (11 * 1000000LL + baud / 2) / baud : 0;
}

int64_t coalesce_silence_us(int baud)
{
    if (baud <= 0)
        return 0;
    if (baud > 19200)
        return 1750;
    return (385 * 1000000LL + 5 * baud) / (10LL * baud); /* 3.5 x 11 bits */
}

int64_t coalesce_request_us(const coalesce_link *link, int count)
{
    int64_t bytes = RTU_REQ_BYTES + RTU_RESP_BYTES + 2LL * count;
    if (link->baud <= 0)
        return link->per_request_us;
    return (bytes * 11 * 1000000LL + link->baud / 2) / link->baud + 2 * coalesce_silence_us(link->baud) +
           link->per_request_us;
}

static int span_cmp(const void *a, const void *b)
{
    const coalesce_span *x = a, *y = b;
    if (x->fn != y->fn)
        return x->fn < y->fn ? -1 : 1;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return (int)x->count - (int)y->count;
}

/* Plans one function code's sorted spans s[0..n) with a DP over prefixes:
 * best[j] = min over i of best[i] + cost(request covering s[i..j)). */
static gl_status plan_group(const coalesce_span *s, int n, const coalesce_link *link, coalesce_span *out, int cap,
                            int *nout, int64_t *bus_us)
{
    int64_t best[COALESCE_MAX_SPANS + 1];
    int from[COALESCE_MAX_SPANS + 1];
    best[0] = 0;
    for (int j = 1; j <= n; j++) {
        long end = 0;
        best[j] = INT64_MAX;
        from[j] = -1;
        for (int i = j - 1; i >= 0; i--) {
            long e = (long)s[i].addr + s[i].count;
            end = e > end ? e : end;
            long count = end - s[i].addr;
            if (count > COALESCE_MAX_REGS)
                break;
            int64_t c = best[i] + coalesce_request_us(link, (int)count);
            if (best[i] != INT64_MAX && c <= best[j]) { /* ties: fewer, larger requests */
                best[j] = c;
                from[j] = i;
            }
        }
        if (from[j] < 0)
            return GL_EBOUND;
    }
    int k = 0, idx[COALESCE_MAX_SPANS];
    for (int j = n; j > 0; j = from[j])
        idx[k++] = j;
    if (*nout + k > cap)
        return GL_EBOUND;
    for (int m = k - 1; m >= 0; m--) { /* requests in address order */
        int j = idx[m], i = from[j];
        long end = 0;
        for (int t = i; t < j; t++)
            end = (long)s[t].addr + s[t].count > end ? (long)s[t].addr + s[t].count : end;
        out[*nout].fn = s[i].fn;
        out[*nout].addr = s[i].addr;
        out[*nout].count = (uint16_t)(end - s[i].addr);
        (*nout)++;
    }
    *bus_us += best[n];
    return GL_OK;
}

gl_status coalesce_plan(const coalesce_span *spans, int n, const coalesce_link *link, coalesce_span *out, int cap,
                        int *nout, int64_t *bus_us)
{
    coalesce_span s[COALESCE_MAX_SPANS];
    int64_t total = 0;
    int k = 0;
    if ((n > 0 && spans == NULL) || link == NULL || out == NULL || n < 0)
        return GL_EINVAL;
    if (n > COALESCE_MAX_SPANS)
        return GL_EBOUND;
    for (int i = 0; i < n; i++)
        if (spans[i].count == 0 || spans[i].count > COALESCE_MAX_REGS || (long)spans[i].addr + spans[i].count > 65536)
            return spans[i].count == 0 ? GL_EINVAL : GL_EBOUND;
    memcpy(s, spans, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, span_cmp);
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && s[j].fn == s[i].fn)
            j++;
        gl_status st = plan_group(s + i, j - i, link, out, cap, &k, &total);
        if (st != GL_OK)
            return st;
        i = j;
    }
    if (nout)
        *nout = k;
    if (bus_us)
        *bus_us = total;
    return GL_OK;
}

int64_t coalesce_limit_us(const coalesce_span *spans, int n, const coalesce_link *link)
{
    /* registers asked per function code, each counted once */
    static const int fns[] = {MODBUSFN_READ_HOLDING, MODBUSFN_READ_INPUT};
    int64_t total = 0;
    for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++) {
        long regs = 0, last_end = -1;
        coalesce_span s[COALESCE_MAX_SPANS];
        int m = 0;
        for (int i = 0; i < n && m < COALESCE_MAX_SPANS; i++)
            if (spans[i].fn == fns[f])
                s[m++] = spans[i];
        qsort(s, (size_t)m, sizeof *s, span_cmp);
        for (int i = 0; i < m; i++) {
            long a = s[i].addr, e = a + s[i].count;
            if (a < last_end)
                a = last_end;
            if (e > a)
                regs += e - a;
            last_end = e > last_end ? e : last_end;
        }
        while (regs > 0) {
            long c = regs > COALESCE_MAX_REGS ? COALESCE_MAX_REGS : regs;
            total += coalesce_request_us(link, (int)c);
            regs -= c;
        }
    }
    return total;
}
