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

# The credit-bureau export of April 2025 (docs/bureau.md), made by the demo from the back office:
# three accounts (never overdue; overdue in the accounting month; overdue, then paid) and then
# every account compared with the records tests/integration/lib/bureau_expect.py derives by the
# documented rules from the gateway's bills and collection record and the back office's sightings.
exp="$t/bureau-2025-04.csv"
st24() { awk -F, -v RS='\r\n' -v re="$1" 'NR > 1 && $10 ~ re { print $4; exit }' "$exp"; }
never=$(st24 '^[/N]+$'); late=$(st24 '[1-7]$'); paid=$(st24 '[1-7]N+$')
echo "# bureau: never overdue ${never:-none}, overdue now ${late:-none}, overdue then paid ${paid:-none}"
if [ -n "$never" ] && [ -n "$late" ] && [ -n "$paid" ]; then ok "the export has the three kinds of account"; else notok "the export lacks a kind of account"; fi
bexp() { /usr/bin/python3 tests/integration/lib/bureau_expect.py "$t/gateway.db" "$t/backoffice.db" 2025-04 B1100000000001 "$exp" "$@"; }
three=$(bexp $never $late $paid)
check "three accounts' records as derived by hand" "$?" 0
echo "$three" | sed 's/^/# /'
check "every record of the export as derived (and nothing adverse without a served notice)" \
    "$(bexp $(awk -F, 'NR > 1 { print $4 }' "$exp") | grep -vc ' ok')" 0
check "the account overdue now was served the notice of adverse reporting by the gateway's ladder" \
    "$(awk -F, -v RS='\r\n' -v c="$late" '$4 == c { print ($11 != "") }' "$exp")" 1
# the same back office without that notice served: the account is withheld, the others stay
cp "$t/backoffice.db" "$t/bo-nonotice.db"
sqlite3 "$t/bo-nonotice.db" "UPDATE actions SET served = NULL, status = 'taken' WHERE customer = '$late' AND action = 'credit_report_notice'"
sed 's/"backoffice.db"/"bo-nonotice.db"/' "$t/backoffice.json" >"$t/bo-nonotice.json"
BO="$PWD/${BUILD:-build}/gridledger-backoffice"
(cd "$t" && "$BO" -c bo-nonotice.json export credit-bureau --period 2025-04 --out nonotice.csv 2>nonotice.err)
check "without its served notice the overdue account is withheld (art. 15)" \
    "$(grep -c "gw-0001/$late: withheld: adverse record and no served notice" "$t/nonotice.err"),$(grep -c ",$late," "$t/nonotice.csv")" "1,0"
check "and every other record is the same" "$(grep -v ",$late," "$exp" | md5sum)" "$(md5sum <"$t/nonotice.csv")"
rm -f "$t.log"
