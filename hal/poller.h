/* poller.h: polls every configured meter: buses concurrently (one thread
 * per bus per cycle), the meters of one bus strictly in turn.
 *
 * Each meter's registers are read in the requests coalesce_plan chose for
 * its profile; a meter that does not answer costs its bus the timeout
 * times (1 + retries) once, and only one attempt per cycle while it is
 * offline, so one dead meter never stalls the others. Readings are decoded
 * (decode.h) and validated (validate.h) before they are returned. */
#ifndef GRIDLEDGER_POLLER_H
#define GRIDLEDGER_POLLER_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "bus.h"
#include "coalesce.h"
#include "gridledger/jsonv.h"
#include "gridledger/reading.h"
#include "profile.h"
#include "validate.h"

#define POLLER_MAX_REQUESTS 16 /* per meter per cycle */

/* poller_meter: what the poller needs of one configured meter; the strings
 * are the caller's (firmware/config.c points them into its config_meter). */
typedef struct poller_meter {
    const char *id;
    const char *profile;    /* built-in or custom profile name */
    const char *address;    /* DL/T 645: 12 digits ("" on a Modbus bus) */
    int bus_index;          /* index into poller_cfg.buses */
    int slave_id;           /* Modbus: 1..247 (0 on a dlt645 bus) */
    int password_level;     /* DL/T 645 relay control: PA */
    uint32_t password;      /* DL/T 645: P2 P1 P0 */
    uint32_t operator_code; /* DL/T 645: C3..C0 */
    int relay;              /* has a controllable relay */
    int64_t max_power_w;    /* for jump validation; 0 = profile default */
} poller_meter;

/* poller_cfg: the buses, the meters and the custom profiles (the config's
 * `profiles` and `dlt645_profiles` sections, NULL if absent) a poller reads
 * with; filled by firmware/config.c, which owns everything it points to. */
typedef struct poller_cfg {
    int nbuses, nmeters;
    const bus_cfg *buses;
    const poller_meter *meters;
    jsonv_doc *doc; /* the document the sections are in */
    const cJSON *profiles, *dlt645_profiles;
} poller_cfg;

typedef enum poller_mode {
    POLLER_COALESCE = 0,     /* the planned requests (default) */
    POLLER_ONE_PER_QUANTITY, /* one request per quantity: for benchmarks only */
} poller_mode;

typedef struct poller poller;

/* poller_new: resolves every meter's profile and plans its requests.
 * Buses connect on first use. GL_ECONFIG if a profile cannot be resolved.
 * cfg must outlive the poller. */
gl_status poller_new(const poller_cfg *cfg, poller **out);

/* poller_free: closes the buses; NULL is a no-op. */
void poller_free(poller *p);

/* poller_set_mode: how to read (default POLLER_COALESCE); replans. */
gl_status poller_set_mode(poller *p, poller_mode mode);

/* poller_poll: one cycle. out has cfg->nmeters readings (in config order),
 * stamped ts; events (may be NULL) gets each meter's validate_event. */
gl_status poller_poll(poller *p, int64_t ts, reading *out, validate_event *events);

/* poller_poll_due: as poller_poll for the meters whose due[i] is non-zero
 * (due NULL: all); the others' readings are left as they were and their
 * events are VALIDATE_EVENT_NONE (a meter read at its own interval: the
 * reading frequency a credit grade sets). */
gl_status poller_poll_due(poller *p, int64_t ts, const unsigned char *due, reading *out, validate_event *events);

/* poller_set_time_sync: with daily set, each DL/T 645 bus gets a
 * broadcast time (08, the cycle's ts as local time) before its first
 * cycle and then once a day (the daemon; `poll --once` does not). */
void poller_set_time_sync(poller *p, int daily);

/* poller_relay: switches meter i's relay (closed = supply on) through its
 * profile's coil or register and reads it back. GL_EUNSUPPORTED if the
 * profile or meter has no relay; GL_ESTATE if the read-back disagrees (a
 * stuck relay). */
gl_status poller_relay(poller *p, int i, int closed);

/* poller_frozen: meter i's n-th last daily freeze (n = 1: the last
 * midnight) as a reading flagged READING_FLAG_FROZEN, ts the freeze time
 * (r->meter set). GL_EUNSUPPORTED for meters without frozen registers
 * (Modbus profiles). */
gl_status poller_frozen(poller *p, int i, int n, reading *r);

/* poller_settlement: meter i's last settlement-day freeze if it is newer
 * than after_ts (see dlt645poll_settlement; r->meter set): GL_ENOTFOUND
 * when not, GL_EUNSUPPORTED for meters without one (Modbus profiles, a
 * DL/T 645 meter without a settlement day). */
gl_status poller_settlement(poller *p, int i, int64_t now, int64_t after_ts, reading *r);

/* poller_state: meter i's validation state, to keep across processes. */
validate_state *poller_state(poller *p, int i);

/* poller_profile / poller_plan: meter i's profile; its planned requests. */
const profile *poller_profile(const poller *p, int i);
int poller_plan(const poller *p, int i, const coalesce_span **reqs);

/* poller_meter_counters / poller_bus_counters: totals since poller_new. */
const bus_counters *poller_meter_counters(const poller *p, int i);
const bus_counters *poller_bus_counters(const poller *p, int b);

#endif
