#!/bin/bash
# deposits: non-cash deposits at the gateway. A residential customer graded
# B owes a deposit of one average bill (150.00): a bank guarantee of 100.00
# and an insurance bond of 50.00 recorded with `deposit add` cover it (held
# 150.00, nothing requested); bad input is refused with a named error and a
# ref recorded twice changes nothing; the daemon's daily job reminds the bond
# 30 days before it expires and, once it has expired, it no longer counts:
# the 50.00 shortfall is requested again.
set -u
cd "$(dirname "$0")/../.."
GL=$PWD/${BUILD:-build}/gridledger
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1"; echo "# got:  $2"; echo "# want: $3"; fi; }
t=$(mktemp -d /tmp/deposits.XXXXXX)
trap 'rm -rf "$t"' EXIT
python3 - "$t" "$PWD" <<'PY'
import json, sys
t, root = sys.argv[1], sys.argv[2]
json.dump({"gateway": {"id": "gw-0001", "area": "TQ-0001", "timezone": "UTC"},
  "store": {"path": "gl.db"}, "schedule": {"poll_interval_s": 86400}, "buses": [], "meters": [],
  "customers": [{"id": "C-0001", "name": "Zhang San", "class": "residential", "tariff": "bj-res"}],
  "tariffs": [root + "/examples/tariffs/bj-res.json"], "billing": {"cycle_day": 1, "due_days": 15},
  "collection": {"deposit_months": {"residential": {"B": 1}}}}, open(t + "/gl.json", "w"))
PY
cd "$t"
"$GL" -c gl.json db check >/dev/null || notok "store"
# two bills of 150.00, the second paid 20 days late: graded B
sqlite3 gl.db "INSERT INTO ledger(customer, date, kind, amount_fen, ref, due) VALUES
 ('C-0001', '2026-01-01', 'bill', 15000, 'B1', '2026-01-16'), ('C-0001', '2026-01-10', 'payment', 15000, 'P1', NULL),
 ('C-0001', '2026-02-01', 'bill', 15000, 'B2', '2026-02-16'), ('C-0001', '2026-03-08', 'payment', 15000, 'P2', NULL),
 ('C-0001', '2026-03-01', 'bill', 15000, 'B3', '2026-03-16'), ('C-0001', '2026-03-10', 'payment', 15000, 'P3', NULL);"
dep() { "$GL" -c gl.json grades --date "$1" --json | python3 -c 'import json,sys
d=json.load(sys.stdin)["customers"][0]["measures"]["deposit"]; print(d["held"], d.get("non_cash", "-"), d["change"], d["amount"])'; }
check "before: one average bill requested" "$(dep 2026-04-01)" "0.00 - propose 150.00"
check "a bank guarantee" "$("$GL" -c gl.json deposit add --customer C-0001 --kind guarantee --issuer 'Bank of Test, Branch 1' \
    --amount 100.00 --expires 2027-03-31 --ref BG-1)" "deposit guarantee BG-1 by Bank of Test, Branch 1, 100.00, expires 2027-03-31: recorded"
"$GL" -c gl.json deposit add --customer C-0001 --kind bond --issuer 'Test Insurance' --amount 50.00 --expires 2026-04-20 --ref IB-7 >/dev/null
check "guarantee and bond cover the requirement" "$(dep 2026-04-01)" "150.00 150.00 none 0.00"
err=$("$GL" -c gl.json deposit add --customer C-0001 --kind guarantee --issuer X --amount 1.00 --expires 2027-01-01 --ref BG-1 2>&1); rc=$?
check "a ref recorded twice: refused, nothing changes (exit 2)" "$rc|$err" "2|gridledger: deposit: ref BG-1 is recorded already: nothing changed"
for bad in "--kind cash" "--amount 0" "--amount 1.001" "--expires 2027-02-30" "--customer C-9999"; do
    set -- $bad
    args=(--customer C-0001 --kind bond --issuer X --amount 1.00 --expires 2027-01-01 --ref "R-$1")
    for ((i = 0; i < ${#args[@]}; i += 2)); do [ "${args[i]}" = "$1" ] && args[i + 1]=$2; done
    "$GL" -c gl.json deposit add "${args[@]}" >/dev/null 2>&1
    check "deposit add $bad refused (exit 2)" "$?" 2
done
check "deposit list --json: both, in force on 2026-04-01" \
    "$("$GL" -c gl.json deposit list --date 2026-04-01 --json | python3 -c 'import json,sys
print([(d["ref"], d["kind"], d["amount"], d["state"]) for d in json.load(sys.stdin)["deposits"]])')" \
    "[('IB-7', 'bond', '50.00', 'in_force'), ('BG-1', 'guarantee', '100.00', 'in_force')]"
check "the bond counts on its expiry day, not after" "$(dep 2026-04-20) / $(dep 2026-04-21)" \
    "150.00 150.00 none 0.00 / 100.00 100.00 propose 50.00"
"$GL" -c gl.json run --clock sim --start 2026-03-25T08:00 --speed 3600 --until 2026-03-25T09:30 2>daemon.log
check "reminded 30 days before the expiry (2026-03-25 -> 2026-04-20: 26 days)" \
    "$(sqlite3 gl.db "SELECT subject || ' ' || detail FROM events WHERE kind = 'deposit_expiring' AND closed_ts IS NULL")" \
    "C-0001 bond IB-7 by Test Insurance, 50.00, expires 2026-04-20"
check "the guarantee (2027) is not reminded yet" "$(sqlite3 gl.db "SELECT count(*) FROM events WHERE detail LIKE '%BG-1%'")" 0
"$GL" -c gl.json run --clock sim --start 2026-04-21T08:00 --speed 3600 --until 2026-04-21T09:30 2>>daemon.log
check "after the expiry: the reminder closed, deposit_expired raised" \
    "$(sqlite3 gl.db "SELECT kind, closed_ts IS NOT NULL FROM events WHERE kind LIKE 'deposit_%' ORDER BY id" | tr '\n' ' ')" \
    "deposit_expiring|1 deposit_expired|0 "
echo "1..$n"
