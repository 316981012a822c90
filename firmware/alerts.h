/* alerts.h: which of the daemon's records are alerts and what ends them.
 *
 * An alert is a condition someone should look at; it stays open until the
 * condition ends (it is then closed) and may be acknowledged by the back
 * office meanwhile. An event records something that happened (a relay
 * switched, a payment): it is history, never an open alert. Some events end
 * alerts about the same subject: supply restored ends the prepaid and
 * cut-failure alerts of that customer, a top-up its prepaid alerts (fee
 * control raises them again if the balance is still low). */
#ifndef GRIDLEDGER_ALERTS_H
#define GRIDLEDGER_ALERTS_H

#include <stdint.h>

#define ALERTS_ENDS_MAX 4

/* alerts_is_event: 1 for kinds that are events, not alerts
 * (supply_cut, supply_restored, payment, topup). */
int alerts_is_event(const char *kind);

/* alerts_ended_by: the alert kinds that an event of kind ends for the same
 * subject, NULL-terminated (empty for most kinds); never NULL. */
const char *const *alerts_ended_by(const char *kind);

/* alerts_body: the up body of an alert or event, {"kind", "subject",
 * "detail", "ts", "alert"} (strings through textbuf's JSON escaping),
 * malloc'd (free it); NULL when out of memory or over UPLINK_BODY_MAX. */
char *alerts_body(const char *kind, const char *subject, const char *detail, int64_t ts, int open);

#endif
