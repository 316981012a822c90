/* readq.h: the store's queue of readings waiting in memory while the disk
 * refuses writes (full, I/O error, quota): bounded, in order, oldest dropped
 * (and counted) beyond the bound.
 *
 * Nothing is allocated until a reading waits, and each waiting reading is
 * held in the bytes it uses: its fields, the nraw register words read and
 * its error text (about 400 bytes for an SDM120's 88 words, 216 without raw
 * words, against 568 for a reading struct). The ring of records grows by
 * doubling up to the bound, and clearing gives everything back. */
#ifndef GRIDLEDGER_READQ_H
#define GRIDLEDGER_READQ_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/reading.h"

typedef struct readq {
    unsigned char **rec; /* ring of packed readings, cap slots */
    size_t cap, max;     /* slots allocated; the bound */
    size_t head, n;
    int64_t dropped;     /* readings lost: the queue was full (or out of memory) */
} readq;

/* readq_init: an empty queue of at most max readings (max >= 1). */
void readq_init(readq *q, size_t max);

/* readq_push: r at the end; a full queue drops its oldest first. A reading
 * that cannot be held (out of memory) is dropped and counted. */
void readq_push(readq *q, const reading *r);

/* readq_get: the i-th waiting reading (0: the oldest), i < q->n, into *out. */
void readq_get(const readq *q, size_t i, reading *out);

/* readq_clear: empties the queue and frees its memory (the count of
 * dropped readings stays). */
void readq_clear(readq *q);

#endif
