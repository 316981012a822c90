/* store_slots.h: the compact form of one meter-day of 15-minute intervals
 * (private to the store). A day has 96 slots; a slot holds the meter's
 * cumulative counter at the last good reading inside it, or nothing. The
 * blob is a 12-byte presence bitmap followed by one zigzag LEB128 varint per
 * present slot after the first: the difference from the previous present
 * slot's value (a counter that went down stays representable). The first
 * present value is kept beside the blob (column start_wh). About 2 bytes a
 * slot for household meters, against 30 for a row per interval. */
#ifndef GRIDLEDGER_STORE_SLOTS_H
#define GRIDLEDGER_STORE_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/status.h"

#define STORE_SLOTS 96
#define STORE_SLOTS_BITMAP 12
#define STORE_SLOTS_BLOB_MAX (STORE_SLOTS_BITMAP + STORE_SLOTS * 10)

typedef struct store_day {
    uint8_t present[STORE_SLOTS_BITMAP]; /* bit i: slot i has a value */
    int64_t wh[STORE_SLOTS];
} store_day;

/* store_slots_set: puts a value in slot i (0..95). */
void store_slots_set(store_day *d, int i, int64_t v);

/* store_slots_has: 1 if slot i has a value. */
int store_slots_has(const store_day *d, int i);

/* store_slots_encode: d into blob (at most STORE_SLOTS_BLOB_MAX bytes);
 * *first gets the first present value, *last the last; returns the blob
 * length, 0 if the day is empty. */
size_t store_slots_encode(const store_day *d, uint8_t *blob, int64_t *first, int64_t *last);

/* store_slots_decode: the inverse; GL_ECORRUPT on a malformed blob. */
gl_status store_slots_decode(const uint8_t *blob, size_t len, int64_t first, store_day *d);

#endif
