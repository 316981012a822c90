#!/bin/bash
# Four months of collection on the real pieces (metersim over Modbus TCP, the
# gateway daemon on a simulated clock, mosquitto with TLS, the back office):
# the demo's area of 322 customers from 2025-01-01 to 2025-05-01, then every
# cut is checked against the store's own collection record by
# tools/demo/audit_cuts.py (rules written apart from the C code): served
# notice age, confirmation gap, principal threshold, no-cut windows and PRC
# holidays; restorations within their deadline; penalty-only balances never
# cut; the back office's copy of the record equals the gateway's.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib/tap.sh
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
# A gateway that falls behind its simulated clock takes its timed steps late
# and, lawfully, does not cut outside the window after a confirmation: the
# clock runs slower than the demo's (x400,000) so the daemon keeps up on a
# loaded machine, slower still under the sanitizers.
speed=100000
[ "${SANITIZE:-0}" = 1 ] && speed=40000
DEMO_OUT=$t DEMO_SPEED=$speed DEMO_UNTIL=2025-05-01T12:00 BUILD=${BUILD:-build} tools/demo.sh >"$t.log" 2>&1
rc=$?
grep -E "Lawfulness|UNLAWFUL|DISAGREEMENT" "$t.log" | sed 's/^/# /'
audit=$(/usr/bin/python3 tools/demo/audit_cuts.py "$t/gridledger.json" "$t/gateway.db")
check "every cut of the year passes the audit against the collection record" "$?" 0
echo "# $audit"
cuts=$(sqlite3 "$t/gateway.db" "SELECT count(*) FROM collection WHERE action='disconnect' AND status='taken'")
if [ "$cuts" -gt 5 ]; then ok "the four months had cuts to check ($cuts)"; else notok "too few cuts to check: $cuts"; fi
check "no confirmation at the same instant as its cut" "$(sqlite3 "$t/gateway.db" "SELECT count(*) FROM collection c
  WHERE c.action='disconnect' AND EXISTS (SELECT 1 FROM collection k WHERE k.customer=c.customer
  AND k.action='confirm_30min' AND k.taken_ts = c.taken_ts)")" 0
check "no cut in an episode whose principal was under the threshold" "$(sqlite3 "$t/gateway.db" "SELECT count(*) FROM collection
  WHERE episode <> 'prepaid' AND action IN ('disconnect','public_notice','legal') AND principal_fen < 10000")" 0
check "every relay event carries a real time" "$(sqlite3 "$t/gateway.db" "SELECT count(*) FROM events
  WHERE kind IN ('supply_cut','supply_restored') AND ts < 1700000000")" 0
check "the back office holds the same record" \
    "$(sqlite3 "$t/backoffice.db" "SELECT count(*), sum(action='disconnect'), sum(status='served') FROM actions")" \
    "$(sqlite3 "$t/gateway.db" "SELECT count(*), sum(action='disconnect'), sum(status='served') FROM collection")"
check "make demo's checks pass (exit 0)" "$rc" 0
rm -f "$t.log"
