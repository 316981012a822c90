/* store_blocks.h: the packed form of routine readings (private to the store,
 * docs/store.md "Readings on flash").
 *
 * A routine reading (read live, valid, unflagged: store_blocks_routine) is
 * not a row of its own: the readings of one 15-minute slot from one block of
 * STORE_BLOCK_METERS meters (meter number n / STORE_BLOCK_METERS), written in
 * one transaction, are one row of the day's table, keyed by
 * STORE_BLOCK_KEY(slot, part, block). The row's body is a format byte
 * (STORE_BLOCK_FORMAT) and then, per reading:
 *   - the meter's index in the block (n % STORE_BLOCK_METERS), one byte;
 *   - seconds since the slot's start, then the READING_HAS_* bits;
 *   - each present value as a zigzag varint (varint.h), in this order:
 *     import, export, reactive, demand, power, pf, freq; then, with voltage
 *     or current, the number of phases (one byte, 1..3) and the voltages,
 *     then the currents; the relay (one byte, 0 or 1); the 4 tariff energies.
 * About 20 bytes a reading against 87 for a row with its index. Decoding
 * checks every byte: a damaged body is GL_ECORRUPT, never a made-up value. */
#ifndef GRIDLEDGER_STORE_BLOCKS_H
#define GRIDLEDGER_STORE_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/reading.h"
#include "gridledger/status.h"

#ifndef STORE_BLOCK_METERS
#define STORE_BLOCK_METERS 64 /* measured against 32 and 128: docs/store.md "Bytes written" */
#endif
#define STORE_BLOCK_MAX 256        /* blocks: meters numbered up to 16,383 go in blocks */
#define STORE_BLOCK_PARTS 4096     /* rows of one slot and block: a write every 0.2 s */
#define STORE_BLOCK_FORMAT 1
#define STORE_BLOCK_ENTRY_MAX 160  /* bytes one reading takes at most */
#define STORE_BLOCK_SLOT_S 900     /* a slot: 15 minutes */

/* The row key: slot (ts / 900), part (the slot's writes, in order), block.
 * Time first: a poll cycle's rows go after everything stored before them
 * (appended), however often the meters are read. */
#define STORE_BLOCK_KEY(slot, part, blk) (((int64_t)(slot) << 20) | ((int64_t)(part) << 8) | (int64_t)(blk))
#define STORE_BLOCK_KEY_SLOT(k) ((k) >> 20)
#define STORE_BLOCK_KEY_PART(k) ((int)(((k) >> 8) & 0xfff))
#define STORE_BLOCK_KEY_BLK(k) ((int)((k) & 0xff))
#define STORE_BLOCK_SLOT_FIRST(slot) STORE_BLOCK_KEY(slot, 0, 0)
#define STORE_BLOCK_SLOT_LAST(slot) STORE_BLOCK_KEY(slot, STORE_BLOCK_PARTS - 1, STORE_BLOCK_MAX - 1)

/* store_blocks_routine: 1 if r goes into a block (status OK, live, no
 * flags, no error, a time at or after the epoch); else it is kept as a row
 * with its register words. */
int store_blocks_routine(const reading *r);

/* store_blocks_start: the format byte at buf; the bytes used. */
size_t store_blocks_start(uint8_t *buf);

/* store_blocks_put: appends r (idx = its meter's index in the block,
 * slot_start its slot's first second) at buf + *len, *len advanced; the
 * caller leaves STORE_BLOCK_ENTRY_MAX bytes free. */
void store_blocks_put(uint8_t *buf, size_t *len, int idx, int64_t slot_start, const reading *r);

/* store_blocks_open: checks the format byte of body; *pos is where the
 * first reading starts. GL_ECORRUPT for an empty body or another format. */
gl_status store_blocks_open(const uint8_t *body, size_t len, size_t *pos);

/* store_blocks_get: the reading at body + *pos into *r (all but the meter
 * id) and its index in the block into *idx, *pos advanced; GL_ECORRUPT if
 * the bytes are not a reading (cut short, unknown bits, out of range). */
gl_status store_blocks_get(const uint8_t *body, size_t len, size_t *pos, int64_t slot_start, int *idx, reading *r);

#endif
