#!/bin/bash
# Bills from stored readings: `gridledger bill --period` and the daemon's
# cycle close (simulated clock) bill the hand-worked month (Beijing tiers,
# 300 kWh in January: 149.49), post one ledger debt due on the 16th with one
# outbox message, and change nothing when run again.
set -u
cd "$(dirname "$0")/../.."
GL=$PWD/${BUILD:-build}/gridledger
GOLDEN=$PWD/tests/integration/golden
. tests/integration/lib/tap.sh
same_bytes() { # NAME FILE GOLDEN: byte for byte (the bill's JSON is rendered once; CONTRACT.md)
    if cmp -s "$2" "$3"; then ok "$1"; else notok "$1"; diff "$3" "$2" | head -20 | sed 's/^/# /'; fi
}
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
check "bill lines stored in integer fen" \
    "$(sqlite3 gridledger.db "SELECT group_concat(code || '=' || amount_fen || ':' || typeof(amount_fen), ' ') FROM bill_lines")" \
    "energy.t1=11719:integer energy.t2=3230:integer"
check "db export bill_lines shows the amounts as decimal strings" \
    "$("$GL" -c gridledger.json db export bill_lines --csv | tr -d '\r' | cut -d, -f1,2,3,7)" \
"bill_id,n,code,amount
1,1,energy.t1,117.19
1,2,energy.t2,32.30"
out2=$("$GL" -c gridledger.json bill --period 2026-01 --csv | tr -d '\r' | sed -n 2p)
check "run again: the bill exists, nothing added" "$out2|$(sqlite3 gridledger.db 'SELECT count(*) FROM ledger')|$(sqlite3 gridledger.db 'SELECT count(*) FROM outbox')" \
    "C-0001,2026-01,149.49,existing|1|1"
check "bill --json prints the stored bill" "$("$GL" -c gridledger.json bill --period 2026-01 --json | python3 -c 'import json,sys; b=json.load(sys.stdin)["bills"]; print(len(b), b[0]["total"], b[0]["id"], b[0]["due"])')" \
    "1 149.49 C-0001/2026-01 2026-02-16"
check "bill with the config given by a relative path from another folder" \
    "$(cd .. && "$GL" -c "$(basename "$t")/gridledger.json" bill --period 2026-01 --csv 2>&1 | tr -d '\r' | sed -n 2p)" \
    "C-0001,2026-01,149.49,existing"
# the daemon closes February on March 1st: 500 kWh for both (Beijing: 282.15)
# the uplink is a closed port: nothing can be delivered, so no drain at the end (--drain 0)
"$GL" -c gridledger.json run --clock sim --start 2026-02-28T23:00 --speed 100000 --drain 0 --until 2026-03-01T01:00 2>/dev/null
check "the daemon's cycle close billed February" \
    "$(sqlite3 gridledger.db "SELECT group_concat(customer || '=' || total_fen, ' ') FROM bills WHERE period='2026-02'")" \
    "C-0001=28215 C-0002=28215"
check "and queued one bills message each" "$(sqlite3 gridledger.db "SELECT count(*) FROM outbox WHERE kind='bills'")" 3
"$GL" -c gridledger.json run --clock sim --start 2026-02-28T23:00 --speed 100000 --drain 0 --until 2026-03-01T01:00 2>/dev/null
check "a second run over the same close changes nothing" \
    "$(sqlite3 gridledger.db "SELECT count(*) FROM bills")/$(sqlite3 gridledger.db "SELECT count(*) FROM ledger")" "3/3"
"$GL" -c gridledger.json bill --period 2026-01 --json >bills-2026-01.json
"$GL" -c gridledger.json bill --period 2026-02 --json >bills-2026-02.json
same_bytes "bill --json for January, byte for byte" bills-2026-01.json "$GOLDEN/bills-2026-01.json"
same_bytes "bill --json for February, byte for byte" bills-2026-02.json "$GOLDEN/bills-2026-02.json"
# the bodies in queue order (their seqs depend on how many readings messages the simulated run queued first)
sqlite3 gridledger.db "SELECT body FROM outbox WHERE kind = 'bills' ORDER BY seq" >outbox-bills.txt
same_bytes "the uplink's bills messages, byte for byte" outbox-bills.txt "$GOLDEN/outbox-bills.txt"

# A demand ratchet and an annual minimum at the gateway: C-0001 on a tariff of 0.50/kWh, 10.00 per kW
# of billing demand (80 % of the 11 months before), an annual minimum of 2000.00. November 2026:
# 100 kWh in the hour after Nov 10 00:00 (100 kW): 100 x 0.50 = 50.00 + 100 kW x 10 = 1000.00 = 1050.00.
# December: 10 kWh in one hour (10 kW): 5.00; billing demand max(10, 0.8 x 100) = 80 kW: 800.00; the
# year's bills 1050.00 + 805.00 = 1855.00 < 2000.00: annual_minimum 145.00; total 950.00.
mkdir ratchet && cd ratchet || exit 1
cp ../gw.hmac . && mkdir tariffs
echo '{"id": "ratch", "effective_from": "2020-01-01", "currency": "CNY", "annual_minimum": "2000", "energy": {"rate": "0.5"}, "demand": {"per_kw": "10", "ratchet": {"percent": "80", "months": 11}}}' >tariffs/ratch.json
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["tariffs"]=["tariffs/ratch.json"]
c["customers"]=[dict(x, tariff="ratch") for x in c["customers"]]
json.dump(c, open("gridledger.json", "w"), indent=1)' ../gridledger.json
"$GL" -c gridledger.json db check >/dev/null || notok "ratchet store created"
sqlite3 gridledger.db "
INSERT INTO readings(meter, ts, status, present, flags, import_wh) VALUES
 ('M-0001', 1793462400, 0, 1, 0, 0), ('M-0001', 1794240000, 0, 1, 0, 0), ('M-0001', 1794243600, 0, 1, 0, 100000),
 ('M-0001', 1796054400, 0, 1, 0, 100000), ('M-0001', 1796832000, 0, 1, 0, 100000),
 ('M-0001', 1796835600, 0, 1, 0, 110000), ('M-0001', 1798732800, 0, 1, 0, 110000);"
"$GL" -c gridledger.json bill --period 2026-11 --csv >/dev/null
"$GL" -c gridledger.json bill --period 2026-12 --csv >/dev/null
check "ratchet and annual minimum: November 1050.00, December 950.00" \
    "$(sqlite3 gridledger.db "SELECT group_concat(period || '=' || total_fen, ' ') FROM bills WHERE customer='C-0001'")" \
    "2026-11=105000 2026-12=95000"
check "December's lines: the ratchet's 80 kW and the true-up" \
    "$(sqlite3 gridledger.db "SELECT group_concat(code || '=' || quantity || '/' || amount_fen, ' ') FROM bill_lines JOIN bills ON bills.id = bill_id WHERE period = '2026-12' AND customer = 'C-0001'")" \
    "energy=10.000/500 demand=80.000/80000 annual_minimum=1/14500"
cd ..
echo "1..$n"
