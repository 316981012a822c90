/* billfrozen.h: billing from a meter's frozen registers (DL/T 645).
 *
 * A meter freezes its counters at midnight and on its settlement day; the
 * gateway stores them as frozen readings (reading.source, ts = the freeze
 * time, see pollstore_fill_frozen). At a period's edge such a reading is the
 * edge's value: the gateway's live readings near it, stamped by the
 * gateway's clock, yield to it where they disagree (the meter's clock runs
 * a little ahead or behind), so one period ends exactly where the next
 * begins and a day without polling costs no estimate. Where the config maps
 * a TOU tariff to the meter's per-tariff registers (regtou.h), the period
 * energies come from those registers between the edge readings. */
#ifndef GRIDLEDGER_BILLFROZEN_H
#define GRIDLEDGER_BILLFROZEN_H

#include <stddef.h>

#include "billing.h"
#include "store.h"

/* billfrozen_prefer: at each edge (from_ts, to_ts) where pts[0..n) (in time
 * order) holds a frozen point, that point (a settlement one before a daily
 * one) stays the only point at the edge, and live points before the edge
 * that read more, or after it that read less, are dropped. Returns the new
 * count. Pure. */
size_t billfrozen_prefer(store_point *pts, size_t n, int64_t from_ts, int64_t to_ts);

/* billfrozen_tou: when `register_tou` maps customer ci's tariff, replaces
 * b->usage[0..*nu) with the period energies from the meter's registers
 * between the readings at b->base_ts and b->end_ts (one quarter hour per
 * period) if the tariff's periods match the meter's day table over p and
 * both readings have them; else leaves the intervals and says why in
 * b->usage_note (a mismatch is also an open alert "tou_registers"). Sets
 * b->usage_from ("meter_registers" or "intervals"; "" when not mapped). */
gl_status billfrozen_tou(billing *b, int ci, const billing_period *p, int *nu);

#endif
