/* pollstore.h: what polling leaves in the store and how a reading is
 * written out: the readings JSON of CONTRACT.md (`poll --once --json`, the
 * uplink's readings messages), and the validation state kept between runs
 * (the last OK reading per meter and a key "poll.silent.METER" = "SILENT
 * OFFLINE BAD GARBAGE HELD", older stores the first two), shared by `poll
 * --once` and the daemon's poll job. */
#ifndef GRIDLEDGER_POLLSTORE_H
#define GRIDLEDGER_POLLSTORE_H

#include <stdio.h>

#include "config.h"
#include "poller.h"
#include "store.h"

/* pollstore_status_name: "ok", "offline" or "error". */
const char *pollstore_status_name(reading_status st);

/* Decimal text of integer quantities: milli-units with 3 decimals; v with
 * `decimals` (0..3) decimals; ts as ISO 8601 UTC. */
void pollstore_fmt_milli(char *out, size_t cap, int64_t v);
void pollstore_fmt_scaled(char *out, size_t cap, int64_t v, int decimals);
void pollstore_fmt_ts(char *out, size_t cap, int64_t ts);

/* pollstore_print_flags: the names of the READING_FLAG_* set, sep between. */
void pollstore_print_flags(FILE *f, uint32_t flags, const char *sep);

/* pollstore_source_name: "live", "frozen_daily" or "frozen_settlement". */
const char *pollstore_source_name(reading_source src);

/* pollstore_reading_json: one reading as a JSON object (CONTRACT.md). */
void pollstore_reading_json(FILE *f, const reading *r);

/* pollstore_restore: the poller's validation state from the store. */
void pollstore_restore(store *s, const config *cfg, poller *p);

/* pollstore_reading_fn: called with each reading pollstore stores besides a cycle's. */
typedef void (*pollstore_reading_fn)(void *ctx, const reading *r);

/* pollstore_fill_frozen: for each meter with frozen registers (DL/T 645),
 * stores as readings (source frozen, ts the freeze time, read_ts now):
 * - the daily freezes taken since its last stored reading when that is
 *   older than the last local midnight before now (newest 62), so a day the
 *   gateway missed has the meter's own midnight values, not estimates;
 * - the daily freeze at the last billing boundary (cycle day, 00:00 local),
 *   once, read by its index (days back from the last midnight; kv
 *   "poll.frozen.METER" = the boundary asked, so a meter without it is not
 *   asked again), so billing takes the period's edge from the meter;
 * - its last settlement-day freeze (0001xx01) when newer than the last one
 *   stored (looked for when that one is 28 days old or more).
 * The validation baseline stays the last live reading. *filled (may be NULL)
 * counts them; each (may be NULL) sees each one. A meter known offline is
 * skipped (the live poll's one attempt brings it back; the next cycle fills
 * it); one that does not answer is left to the live poll. */
gl_status pollstore_fill_frozen(store *s, const config *cfg, poller *p, int64_t now, int *filled,
                                pollstore_reading_fn each, void *ctx);

/* pollstore_save: a cycle's readings (one transaction), the validation
 * state, and offline/online events (offline is an alert), for the meters
 * whose due[i] is non-zero (due NULL: every meter): the two parts below,
 * the second once the first succeeded.
 * pollstore_save_readings: the readings (pending in memory on failure).
 * pollstore_save_state: the validation state and the events, in one
 * transaction (nested in the caller's if one is open: the daemon queues
 * the events' alerts in it). */
gl_status pollstore_save_readings(store *s, const config *cfg, const reading *r, const unsigned char *due);
gl_status pollstore_save_state(store *s, const config *cfg, poller *p, const reading *r, const validate_event *ev,
                               const unsigned char *due, int64_t ts);
gl_status pollstore_save(store *s, const config *cfg, poller *p, const reading *r, const validate_event *ev,
                         const unsigned char *due, int64_t ts);

/* pollstore_jump_detail: the text of a meter_jump alert for reading r. */
#define POLLSTORE_JUMP_DETAIL_MAX 256
void pollstore_jump_detail(const reading *r, char *out, size_t cap);

/* pollstore_confirm: an operator confirmed meter's jump (`poll --confirm`):
 * its held readings become billable, the meter_jump alert closes, an event
 * is recorded and kv "poll.confirm.METER" tells the poller (this process or
 * the daemon, at its next cycle) to take later readings as normal again.
 * *released: readings released. GL_ENOTFOUND if nothing was held. */
gl_status pollstore_confirm(store *s, const char *meter, int64_t ts, int64_t *released);

/* pollstore_take_confirmations: applies the confirmations recorded since the
 * last cycle to the poller's state (called before each poll). */
void pollstore_take_confirmations(store *s, const config *cfg, poller *p);

/* pollstore_event_kind: the event kind stored for a validation event:
 * meter_offline (alert), meter_online, meter_garbage (alert), meter_sane. */
const char *pollstore_event_kind(validate_event e);

#endif
