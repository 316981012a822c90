/* alerts.h: which of the daemon's records are alerts and what ends them.
 *
 * An alert is a condition someone should look at; it stays open until the
 * condition ends (it is then closed) and may be acknowledged by the back
 * office meanwhile. An event records something that happened (a relay
 * switched, a payment): it is history, never an open alert. Some events end
 * alerts about the same subject: supply restored ends the prepaid and
 * cut-failure alerts of that customer. */
#ifndef GRIDLEDGER_ALERTS_H
#define GRIDLEDGER_ALERTS_H

#define ALERTS_ENDS_MAX 4

/* alerts_is_event: 1 for kinds that are events, not alerts
 * (supply_cut, supply_restored, payment, topup). */
int alerts_is_event(const char *kind);

/* alerts_ended_by: the alert kinds that an event of kind ends for the same
 * subject, NULL-terminated (empty for most kinds); never NULL. */
const char *const *alerts_ended_by(const char *kind);

#endif
