#!/bin/bash
# Credit in the gateway: `pay` is idempotent per reference; `grades` over the
# store equals credit-calc over the exported ledger with the same config; the
# daemon records due collection actions once, and grades on 1 January.
set -u
cd "$(dirname "$0")/../.."
GL=$PWD/${BUILD:-build}/gridledger
. tests/integration/lib/tap.sh
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cp -r examples/tariffs "$t/"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))
c["uplink"]={"host": "127.0.0.1", "port": 9, "tls": False, "hmac_key": "gw.hmac"}
c["schedule"]={"poll_interval_s": 86400}
c["customers"].append(dict(c["customers"][0], id="C-0002", name="Li Si", **{"class": "commercial"}))
json.dump(c, open(sys.argv[2], "w"), indent=1)' examples/gridledger.json "$t/gridledger.json"
cd "$t"
printf '%064d\n' 7 >gw.hmac && chmod 600 gw.hmac
"$GL" -c gridledger.json db check >/dev/null
sqlite3 gridledger.db "INSERT INTO ledger(customer, date, kind, amount_fen, ref, due) VALUES
 ('C-0001', '2025-10-01', 'bill', 20000, 'C-0001/2025-09', '2025-10-16'),
 ('C-0001', '2025-11-01', 'bill', 18000, 'C-0001/2025-10', '2025-11-16'),
 ('C-0002', '2025-11-01', 'bill', 1000000, 'C-0002/2025-10', '2025-11-16');"
out=$("$GL" -c gridledger.json pay C-0001 200.00 --ref BANK-1 --date 2025-10-26 | head -1)
check "pay records a payment" "$out" "recorded: C-0001 paid 200.00 on 2025-10-26, ref BANK-1"
out=$("$GL" -c gridledger.json pay C-0001 200.00 --ref BANK-1 --date 2025-10-26 | head -1)
check "the same reference again changes nothing" "$out|$(sqlite3 gridledger.db "SELECT count(*) FROM ledger WHERE kind='payment'")" \
    "payment ref BANK-1 was already recorded: nothing changed (C-0001 200.00 on 2025-10-26)|1"
"$GL" -c gridledger.json pay C-9999 1.00 --ref X 2>/dev/null
check "pay for an unknown customer is a usage error" "$?" 2
"$GL" -c gridledger.json pay C-0001 -5 --ref X 2>/dev/null
check "a negative amount is a usage error" "$?" 2
# the store's ledger as a ledger file, for credit-calc
{ echo "customer,class,date,kind,amount,ref,due"
  sqlite3 -csv gridledger.db "SELECT customer, CASE customer WHEN 'C-0002' THEN 'commercial' ELSE 'residential' END, date, kind,
   printf('%d.%02d', amount_fen / 100, amount_fen % 100), ref, coalesce(due, '') FROM ledger ORDER BY customer, date, id"; } >ledger.csv
check "grades over the store = credit-calc over the exported ledger" \
    "$("$GL" -c gridledger.json grades --date 2025-12-10 --json | md5sum)" \
    "$("$GL" credit-calc --ledger ledger.csv --as-of 2025-12-10 --config gridledger.json --json | md5sum)"
check "worklist = credit-calc --worklist" \
    "$("$GL" -c gridledger.json worklist --date 2025-12-10 | md5sum)" \
    "$("$GL" credit-calc --ledger ledger.csv --as-of 2025-12-10 --config gridledger.json --worklist | md5sum)"
check "worklist header is the contract's" "$("$GL" -c gridledger.json worklist --date 2025-12-10 | head -1 | tr -d '\r')" \
    "customer,name,grid,grade,arrears,penalty,oldest_due,days_overdue,action,channel,priority,deadline"
pen=$("$GL" -c gridledger.json grades --date 2025-12-06 --json | python3 -c 'import json,sys
r={c["customer"]: c for c in json.load(sys.stdin)["customers"]}; print(r["C-0002"]["penalty"], r["C-0002"]["days_overdue"])')
check "non-residential 10,000.00 overdue 20 days: penalty 400.00" "$pen" "400.00 20"
"$GL" -c gridledger.json run --clock sim --start 2025-12-09T09:00 --drain 5s 2>/dev/null
check "run --drain takes whole seconds: 5s is a usage error" "$?" 2
# the uplink is a closed port: nothing can be delivered, so no drain at the end (--drain 0)
"$GL" -c gridledger.json run --clock sim --start 2025-12-09T09:00 --speed 100000 --drain 0 --until 2025-12-11T11:00 2>/dev/null
acts=$(sqlite3 gridledger.db "SELECT count(*) FROM collection")
if [ "$acts" -gt 0 ]; then ok "the daemon recorded $acts due collection actions"; else notok "no collection action recorded"; fi
ev=$(sqlite3 gridledger.db "SELECT count(*) FROM outbox WHERE kind='actions'")
check "each action reported once" "$ev" "$acts"
"$GL" -c gridledger.json run --clock sim --start 2025-12-11T09:00 --speed 100000 --drain 0 --until 2025-12-11T11:00 2>/dev/null
check "a second run over the same day records nothing new" "$(sqlite3 gridledger.db "SELECT count(*) FROM collection")" "$acts"
check "actions lists the record" "$("$GL" -c gridledger.json actions --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["actions"]))')" "$acts"
"$GL" -c gridledger.json run --clock sim --start 2025-12-31T23:00 --speed 100000 --drain 0 --until 2026-01-01T04:00 2>/dev/null
check "grading on 1 January stored a grade per customer" \
    "$(sqlite3 gridledger.db "SELECT group_concat(customer || ':' || as_of, ' ') FROM grades")" "C-0001:2026-01-01 C-0002:2026-01-01"
check "and queued the grades message" "$(sqlite3 gridledger.db "SELECT count(*) FROM outbox WHERE kind='grades'")" 1
