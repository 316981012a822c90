#!/bin/bash
# Bills from stored readings: `gridledger bill --period` and the daemon's
# cycle close (simulated clock) bill the hand-worked month (Beijing tiers,
# 300 kWh in January: 149.49), post one ledger debt due on the 16th with one
# outbox message, and change nothing when run again.
set -u
cd "$(dirname "$0")/../.."
GL=$PWD/${BUILD:-build}/gridledger
. tests/integration/lib/tap.sh
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cp -r examples/tariffs "$t/"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))
c["uplink"]={"host": "127.0.0.1", "port": 9, "tls": False, "hmac_key": "gw.hmac"}
c["schedule"]={"poll_interval_s": 86400}; c["billing"]={"cycle_day": 1, "due_days": 15}
c["customers"].append(dict(c["customers"][0], id="C-0002", name="Li Si"))
c["meters"].append(dict(c["meters"][1], id="M-0002", customer="C-0002", slave_id=3))
json.dump(c, open(sys.argv[2], "w"), indent=1)' examples/gridledger.json "$t/gridledger.json"
cd "$t"
printf '%064d\n' 7 >gw.hmac && chmod 600 gw.hmac
"$GL" -c gridledger.json db check >/dev/null || notok "store created"
# C-0001: 300 kWh in January (midnights Asia/Shanghai), readings mid-month too;
# C-0002: 500 kWh in February, but one reading missing at the close of January.
sqlite3 gridledger.db "
INSERT INTO readings(meter, ts, status, present, flags, import_wh) VALUES
 ('M-0001', 1767196800, 0, 1, 0, 1000000), ('M-0001', 1768406400, 0, 1, 0, 1100000),
 ('M-0001', 1769875200, 0, 1, 0, 1300000), ('M-0001', 1772294400, 0, 1, 0, 1800000),
 ('M-0002', 1769875200, 0, 1, 0, 50000), ('M-0002', 1772294400, 0, 1, 0, 550000);"
out=$("$GL" -c gridledger.json bill --period 2026-01 --csv | tr -d '\r')
check "bill --period 2026-01: C-0001 closed at 149.49, C-0002 without readings" "$out" \
"customer,period,total,status
C-0001,2026-01,149.49,closed
C-0002,2026-01,,no readings"
check "the bill's ledger debt is due on the 16th" \
    "$(sqlite3 gridledger.db "SELECT date, kind, amount_fen, ref, due FROM ledger")" "2026-02-01|bill|14949|C-0001/2026-01|2026-02-16"
check "bill lines stored" "$(sqlite3 gridledger.db "SELECT group_concat(code || '=' || amount, ' ') FROM bill_lines")" \
    "energy.t1=117.19 energy.t2=32.30"
out2=$("$GL" -c gridledger.json bill --period 2026-01 --csv | tr -d '\r' | sed -n 2p)
check "run again: the bill exists, nothing added" "$out2|$(sqlite3 gridledger.db 'SELECT count(*) FROM ledger')|$(sqlite3 gridledger.db 'SELECT count(*) FROM outbox')" \
    "C-0001,2026-01,149.49,existing|1|1"
check "bill --json prints the stored bill" "$("$GL" -c gridledger.json bill --period 2026-01 --json | python3 -c 'import json,sys; b=json.load(sys.stdin)["bills"]; print(len(b), b[0]["total"], b[0]["id"], b[0]["due"])')" \
    "1 149.49 C-0001/2026-01 2026-02-16"
check "bill with the config given by a relative path from another folder" \
    "$(cd .. && "$GL" -c "$(basename "$t")/gridledger.json" bill --period 2026-01 --csv 2>&1 | tr -d '\r' | sed -n 2p)" \
    "C-0001,2026-01,149.49,existing"
# the daemon closes February on March 1st: 500 kWh for both (Beijing: 282.15)
"$GL" -c gridledger.json run --clock sim --start 2026-02-28T23:00 --speed 100000 --until 2026-03-01T01:00 2>/dev/null
check "the daemon's cycle close billed February" \
    "$(sqlite3 gridledger.db "SELECT group_concat(customer || '=' || total_fen, ' ') FROM bills WHERE period='2026-02'")" \
    "C-0001=28215 C-0002=28215"
check "and queued one bills message each" "$(sqlite3 gridledger.db "SELECT count(*) FROM outbox WHERE kind='bills'")" 3
"$GL" -c gridledger.json run --clock sim --start 2026-02-28T23:00 --speed 100000 --until 2026-03-01T01:00 2>/dev/null
check "a second run over the same close changes nothing" \
    "$(sqlite3 gridledger.db "SELECT count(*) FROM bills")/$(sqlite3 gridledger.db "SELECT count(*) FROM ledger")" "3/3"
