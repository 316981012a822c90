/* regtou.h: time-of-use bills from a meter's own per-tariff registers.
 *
 * A DL/T 645 meter counts forward energy in tariff registers 1..4 (sharp,
 * peak, flat, valley) by its own daily time-slot table (programmed in the
 * meter; DL/T 645-2007 DI 04010001). When a TOU tariff's periods fall on
 * the same quarter hours as the meter's registers, the register increases
 * between the period's two edge readings are the period energies, exact,
 * where intervals read every 15 minutes must share a gap out by time.
 *
 * The config's top-level `register_tou` says which tariff's periods map to
 * which register and what the meters' day table is:
 *   [{"tariff": "sim-tou", "registers": {"sharp": 1, "peak": 2, ...},
 *     "meter_day": [["00:00", 4], ["07:00", 3], ...]}]
 * `meter_day` lists each slot's start (HH:MM on a quarter hour, ascending)
 * and register; a slot runs to the next one's start, the last one round to
 * the first's next day. Before using the registers for a bill, every
 * quarter hour of every day of the period is checked: the tariff's period
 * there must be mapped to the register the meter counts then. A mismatch
 * (another season, a weekend or holiday schedule, a table that differs) is
 * reported with the first quarter hour that differs, and the bill comes
 * from the intervals. */
#ifndef GRIDLEDGER_REGTOU_H
#define GRIDLEDGER_REGTOU_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "gridledger/jsonv.h"
#include "gridledger/reading.h"
#include "gridledger/tariff.h"
#include "gridledger/usage.h"

#define REGTOU_MAX_ENTRIES 32 /* register_tou entries */
#define REGTOU_MAX_SLOTS 14   /* DL/T 645-2007: at most 14 slots in a day table */

typedef struct regtou {
    char tariff[CONFIG_ID_MAX];
    int nnames;
    char names[TARIFF_MAX_PERIODS][TARIFF_NAME_MAX]; /* tariff period names ... */
    int reg[TARIFF_MAX_PERIODS];                     /* ... and their register 1..4 */
    uint8_t slot_reg[TARIFF_SLOTS_PER_DAY];          /* the meter's register at each quarter hour */
} regtou;

/* regtou_config_check: validates the `register_tou` section (a config
 * section hook): errors name file:line:col and the field. Returns the count. */
int regtou_config_check(jsonv_doc *doc, const cJSON *node, const char *path, const config *cfg);

/* regtou_find: the mapping configured for tariff id into *out; GL_ENOTFOUND
 * if none (the config was validated: entries are well formed). */
gl_status regtou_find(const config *cfg, const char *tariff, regtou *out);

/* regtou_check: GL_OK if on every day from_day..to_day (civil days) each
 * quarter hour's tariff period is mapped to the register m->slot_reg has
 * there; else GL_ESTATE with the first difference described in why[cap]. */
gl_status regtou_check(const regtou *m, const tariff_set *ts, int32_t from_day, int32_t to_day, char *why,
                       size_t cap);

/* regtou_usage: the period energies from the register increases of base to
 * end (both with READING_HAS_TARIFFS), as one quarter-hour interval per
 * period in its first quarter hour of from_day..to_day, into u[0..cap).
 * GL_ESTATE (why says) if a reading lacks tariffs, a register decreased or
 * the tariff has demand charges, kWh-per-kW tiers, sell credits or a
 * power-factor adjustment (they need intervals). */
gl_status regtou_usage(const regtou *m, const tariff_set *ts, int32_t from_day, int32_t to_day, const reading *base,
                       const reading *end, usage_interval *u, int cap, int *nu, char *why, size_t whycap);

#endif
