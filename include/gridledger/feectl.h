/* feectl.h: prepaid fee control (费控): balance, low-balance alerts,
 * disconnection at zero, reconnection on top-up.
 *
 * The balance falls as consumption is priced at the tariff (energy in Wh x
 * price in micro-yuan per kWh -> fen, rounded per charge). Alerts go out at
 * configured thresholds, deepest first reached, each level once. When the
 * balance reaches zero (or minus the optional emergency credit), a notice
 * goes out; the cut follows notice_minutes later at the first minute outside
 * the no-cut windows of the collection calendar. A top-up that brings the
 * balance above the cut level reconnects within reconnect_minutes; any
 * top-up while supply is on voids the warnings sent and the exhaustion
 * notice, so the next cut needs a fresh notice. Pure: the
 * caller passes the state it remembers (supply on, levels sent, notice time). */
#ifndef GRIDLEDGER_FEECTL_H
#define GRIDLEDGER_FEECTL_H

#include <stdint.h>

#include "gridledger/collect.h"
#include "gridledger/money.h"
#include "gridledger/status.h"

#define FEECTL_MAX_WARN 4

typedef struct feectl_cfg {
    int nwarn;
    int64_t warn_fen[FEECTL_MAX_WARN]; /* falling: 50.00, 20.00, 10.00 */
    int64_t emergency_fen;             /* credit allowed below zero before the cut; 0 none */
    int notice_minutes;                /* notice before a cut: 30 */
    int reconnect_minutes;             /* after a top-up: 10 */
    money_rounding rounding;
} feectl_cfg;

typedef enum feectl_action {
    FEECTL_NONE = 0,
    FEECTL_WARN,       /* low-balance alert of `level` (1 = first threshold) */
    FEECTL_NOTICE,     /* the balance is exhausted: notice before the cut */
    FEECTL_DISCONNECT, /* cut at at_minute (may be later than now: scheduled) */
    FEECTL_RECONNECT,  /* restore; at_minute is the deadline */
} feectl_action;

typedef struct feectl_input {
    int64_t balance_fen;
    int supply_on;
    int warned_level;          /* deepest alert already sent since the last top-up; 0 none */
    int64_t now_minute;        /* civil minute */
    int64_t notice_minute;     /* when the exhaustion notice went out; -1 none */
    int64_t topup_minute;      /* the latest top-up; -1 none */
    int topped_up;             /* a top-up since the state above was remembered */
} feectl_input;

typedef struct feectl_decision {
    feectl_action action;
    int level;
    int64_t at_minute;
    int reset;         /* a top-up voided the warnings and the exhaustion notice: forget them */
} feectl_decision;

/* feectl_cfg_default: alerts at 50.00/20.00/10.00, no emergency credit,
 * 30-minute notice, reconnection within 10 minutes. */
void feectl_cfg_default(feectl_cfg *cfg);

/* feectl_charge: *balance -= energy_wh x price_micro (to fen, cfg rounding). */
gl_status feectl_charge(const feectl_cfg *cfg, int64_t energy_wh, int64_t price_micro, int64_t *balance_fen);

/* feectl_decide: what to do now from the input. */
gl_status feectl_decide(const feectl_cfg *cfg, const collect_calendar *cal, const feectl_input *in,
                        feectl_decision *out);

/* feectl_action_name: "none", "warn", "notice", "disconnect", "reconnect". */
const char *feectl_action_name(feectl_action a);

#endif
