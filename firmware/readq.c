/* readq.c: see readq.h. */
#include "readq.h"

#include <stdlib.h>
#include <string.h>

#define READQ_FIRST_CAP 64
#define READQ_HEAD offsetof(reading, raw) /* the fields before the register words */

_Static_assert(offsetof(reading, error) > offsetof(reading, raw), "readq packs raw words, then the error text");

void readq_init(readq *q, size_t max)
{
    memset(q, 0, sizeof *q);
    q->max = max > 0 ? max : 1;
}

/* pack: r as head fields, nraw words, error text with its NUL. */
static unsigned char *pack(const reading *r)
{
    size_t nraw = r->nraw <= READING_RAW_MAX ? r->nraw : READING_RAW_MAX;
    size_t words = nraw * sizeof r->raw[0], err = strnlen(r->error, sizeof r->error - 1);
    unsigned char *p = malloc(READQ_HEAD + words + err + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, r, READQ_HEAD);
    ((reading *)(void *)p)->nraw = (uint16_t)nraw; /* the head is a reading's prefix */
    memcpy(p + READQ_HEAD, r->raw, words);
    memcpy(p + READQ_HEAD + words, r->error, err);
    p[READQ_HEAD + words + err] = '\0';
    return p;
}

void readq_get(const readq *q, size_t i, reading *out)
{
    const unsigned char *p = q->rec[(q->head + i) % q->cap];
    memset(out, 0, sizeof *out);
    memcpy(out, p, READQ_HEAD);
    size_t words = out->nraw * sizeof out->raw[0];
    memcpy(out->raw, p + READQ_HEAD, words);
    strncpy(out->error, (const char *)p + READQ_HEAD + words, sizeof out->error - 1);
}

/* grow: room for one more record (doubling, up to max); 0 if none. */
static int grow(readq *q)
{
    if (q->n < q->cap)
        return 1;
    if (q->cap == q->max)
        return 0;
    size_t cap = q->cap ? q->cap * 2 : READQ_FIRST_CAP;
    if (cap > q->max)
        cap = q->max;
    unsigned char **rec = malloc(cap * sizeof *rec);
    if (rec == NULL)
        return 0;
    for (size_t i = 0; i < q->n; i++) /* in order from slot 0 */
        rec[i] = q->rec[(q->head + i) % q->cap];
    free(q->rec);
    q->rec = rec;
    q->cap = cap;
    q->head = 0;
    return 1;
}

void readq_push(readq *q, const reading *r)
{
    if (!grow(q) && q->n > 0) { /* full: the oldest goes */
        free(q->rec[q->head]);
        q->head = (q->head + 1) % q->cap;
        q->n--;
        q->dropped++;
    }
    unsigned char *p = q->n < q->cap ? pack(r) : NULL;
    if (p == NULL) {
        q->dropped++;
        return;
    }
    q->rec[(q->head + q->n) % q->cap] = p;
    q->n++;
}

void readq_clear(readq *q)
{
    for (size_t i = 0; i < q->n; i++)
        free(q->rec[(q->head + i) % q->cap]);
    free(q->rec);
    q->rec = NULL;
    q->cap = q->head = q->n = 0;
}
