#!/bin/bash
# The gateway's large customers up to the back office: the daemon started
# with a customer that has an industry and capacity changes queues one
# "customers" message (its industry, capacity and changes as configured);
# started again, nothing new; with a change added, a new message with all
# three. The back office imports the queued envelopes: large_customers and
# capacity_changes hold what the config said. `gridledger report
# large-customers` over bills put in the store, against figures by hand.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
GL=$PWD/${BUILD:-build}/gridledger
BO=$PWD/${BUILD:-build}/gridledger-backoffice
. tests/integration/lib/tap.sh
t=$(mktemp -d /tmp/large_uplink.XXXXXX)
trap 'rm -rf "$t"' EXIT
SECONDS=0
cp -r examples/tariffs "$t/"
mkcfg() { # mkcfg CHANGES-JSON: the example config with a large customer C-L01
    python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))
c["uplink"]={"host": "127.0.0.1", "port": 9, "tls": False, "hmac_key": "gw.hmac"}
c["schedule"]={"poll_interval_s": 86400}
c["meters"]=[]
ch=json.loads(sys.argv[3])
kva=sum(float(e["kva"]) * (-1 if e["kind"] == "reduction" else 1) for e in ch)
c["customers"].append(dict(c["customers"][0], id="C-L01", name="Steel Works", industry="C", capacity_kva="%g" % kva,
  capacity_changes=ch, **{"class": "industrial"}))
json.dump(c, open(sys.argv[2], "w"), indent=1)' "$ROOT/examples/gridledger.json" "$t/gridledger.json" "$1"
}
two='[{"id": "CAP-1", "date": "2019-01-01", "kind": "new", "kva": "315"}, {"id": "CAP-2", "date": "2024-06-15", "kind": "increase", "kva": "85"}]'
three='[{"id": "CAP-1", "date": "2019-01-01", "kind": "new", "kva": "315"}, {"id": "CAP-2", "date": "2024-06-15", "kind": "increase", "kva": "85"}, {"id": "CAP-3", "date": "2024-09-01", "kind": "reduction", "kva": "50"}]'
cd "$t"
printf '%064d\n' 7 >gw.hmac && chmod 600 gw.hmac
# run WANT: the daemon until the outbox holds WANT customers messages (bounded: 20 s), then
# SIGTERM (a stop drains the outbox for 3 s; --until on a simulated clock would wait 60 s)
run() {
    "$GL" -c gridledger.json run 2>>daemon.log &
    local pid=$! i
    for i in $(seq 200); do
        [ "$(sqlite3 gridledger.db "SELECT COUNT(*) FROM outbox WHERE kind = 'customers'" 2>/dev/null)" = "$1" ] && break
        sleep 0.1
    done
    sleep 0.5 # a second message would have come by now
    kill -TERM $pid
    wait $pid
}
body() { sqlite3 gridledger.db "SELECT body FROM outbox WHERE kind = 'customers' ORDER BY seq" 2>&1; }
mkcfg "$two"
run 1
check "first start: one customers message, as configured" "$(body)" \
    '{"customers":[{"customer":"C-L01","industry":"C","capacity_kva":"400","capacity_changes":[{"id":"CAP-1","date":"2019-01-01","kind":"new","kva":"315"},{"id":"CAP-2","date":"2024-06-15","kind":"increase","kva":"85"}]}]}'
check "the store keeps each change" "$(sqlite3 gridledger.db "SELECT key || '=' || val FROM kv WHERE key LIKE 'capacity.%' ORDER BY key" | paste -sd' ')" \
    "capacity.C-L01.CAP-1=2019-01-01 new 315000 capacity.C-L01.CAP-2=2024-06-15 increase 85000"
run 1
check "second start: nothing new" "$(sqlite3 gridledger.db "SELECT COUNT(*) FROM outbox WHERE kind = 'customers'" 2>&1)" 1
mkcfg "$three"
run 2
check "a change added: a second message with the three" "$(body | sed -n 2p)" \
    '{"customers":[{"customer":"C-L01","industry":"C","capacity_kva":"350","capacity_changes":[{"id":"CAP-1","date":"2019-01-01","kind":"new","kva":"315"},{"id":"CAP-2","date":"2024-06-15","kind":"increase","kva":"85"},{"id":"CAP-3","date":"2024-09-01","kind":"reduction","kva":"50"}]}]}'
gw=$(python3 -c 'import json; print(json.load(open("gridledger.json"))["gateway"]["id"])')
sqlite3 gridledger.db "SELECT seq, ts, body FROM outbox WHERE kind = 'customers' ORDER BY seq" | while IFS='|' read -r s ts b; do
    printf '{"v":1,"gateway":"%s","seq":%s,"ts":%s,"kind":"customers","body":%s}\n' "$gw" "$s" "$ts" "$b"
done >up.jsonl
check "back office: both stored" "$("$BO" --db bo.db import up.jsonl 2>&1)" "stored 2, duplicates 0, rejected 0"
check "back office: the large customer" "$(sqlite3 bo.db "SELECT customer || ' ' || industry || ' ' || capacity_va FROM large_customers")" \
    "C-L01 C 350000"
check "back office: its capacity changes" "$(sqlite3 bo.db "SELECT id || ' ' || date || ' ' || kind || ' ' || kva_va FROM capacity_changes ORDER BY id" | paste -sd,)" \
    "CAP-1 2019-01-01 new 315000,CAP-2 2024-06-15 increase 85000,CAP-3 2024-09-01 reduction 50000"
# the gateway's own report of the month from its bills (figures derived by hand; the
# energy in Wh beside the JSON, as the gateway stores it):
# area (this gateway) in June: 7000.00 + 3700.00 = 10700.00 yuan, 10000 + 5000 = 15000 kWh -> 0.713333
# C-L01: 7000 / 10000 = 0.700000; without it 3700 / 5000 = 0.740000; effect -0.026667;
# prev3 (8000 + 9000 + 10000) / 3 = 9000 kWh; swing +11.11 %; June's change CAP-2
{ for b in "C-L01 2024-03 560000 8000.000" "C-L01 2024-04 630000 9000.000" "C-L01 2024-05 700000 10000.000" \
           "C-L01 2024-06 700000 10000.000" "C-0001 2024-06 370000 5000.000"; do
      set -- $b
      echo "INSERT INTO bills(customer, period, total_fen, json, created_ts, energy_wh) VALUES ('$1', '$2', $3, '{\"energy_kwh\": \"$4\"}', 0, ${4/./});"
  done; } | sqlite3 gridledger.db
check "gridledger report large-customers: by hand" "$("$GL" -c gridledger.json report large-customers --period 2024-06 --csv 2>&1 | tr -d '\r')" \
"industry,customer,capacity_kva,energy_kwh,amount,avg_price,area_avg_price,area_avg_without,price_effect,prev3_avg_kwh,swing_pct,capacity_changes
C Manufacturing,C-L01,350,10000.000,7000.00,0.700000,0.713333,0.740000,-0.026667,9000.000,11.11,2024-06-15 CAP-2 increase 85 kVA"
echo "# $SECONDS s"
echo "1..$n"
