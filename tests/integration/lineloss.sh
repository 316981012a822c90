#!/bin/bash
# Area figures from a real store: readings put in with sqlite3, then
# `gridledger lineloss` and the daemon's monthly job (simulated clock) must
# give the hand-worked month: 1,000 kWh supplied, 900 sold, 10.00 % loss (an
# alert above the 8 % default), 450.00 billed, 300.00 collected, 0.5 yuan/kWh.
set -u
cd "$(dirname "$0")/../.."
GL=$PWD/${BUILD:-build}/gridledger
. tests/integration/lib/tap.sh
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cp -r examples/tariffs "$t/"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["uplink"]={"host": "127.0.0.1", "port": 9, "tls": False, "hmac_key": "gw.hmac"}; c["schedule"]={"poll_interval_s": 86400}; json.dump(c, open(sys.argv[2], "w"))' \
    examples/gridledger.json "$t/gridledger.json"
cd "$t"
printf '%064d\n' 7 >gw.hmac && chmod 600 gw.hmac # the uplink stays down: messages wait in the outbox
"$GL" -c gridledger.json db check >/dev/null || notok "store created"
# Nov 30, Dec 31 and Jan 31 at 23:45 Asia/Shanghai
sqlite3 gridledger.db "
INSERT INTO readings(meter, ts, status, present, flags, import_wh) VALUES
 ('M-AREA', 1764517500, 0, 1, 0, 0), ('M-AREA', 1767195900, 0, 1, 0, 600000), ('M-AREA', 1769874300, 0, 1, 0, 1600000),
 ('M-0001', 1764517500, 0, 1, 0, 0), ('M-0001', 1767195900, 0, 1, 0, 580000), ('M-0001', 1769874300, 0, 1, 0, 1480000);
INSERT INTO bills(customer, period, total_fen, json, created_ts) VALUES('C-0001', '2026-01', 45000, '{}', 0);
INSERT INTO ledger(customer, date, kind, amount_fen, ref) VALUES('C-0001', '2026-01-20', 'payment', 30000, 'R1'),
 ('C-0001', '2026-02-01', 'payment', 99999, 'R2');"
want='{"lineloss":[{"period":"2026-01","area":"TQ-0001","supplied_kwh":"1000.000","sold_kwh":"900.000","loss_kwh":"100.000","loss_pct":"10.00","billed":"450.00","collected":"300.00","avg_price":"0.500000","alert":"high_loss","signals":0}]}'
check "lineloss --period 2026-01 --json" "$("$GL" -c gridledger.json lineloss --period 2026-01 --json)" "$want"
check "December: 20 kWh of 600 lost, 3.33 %" \
    "$("$GL" -c gridledger.json lineloss --period 2025-12 --csv | tr -d "\r" | tail -1 | cut -d, -f3-6)" "600.000,580.000,20.000,3.33"
"$GL" -c gridledger.json lineloss --period 2026-13 >/dev/null 2>&1
check "a bad period is a usage error" "$?" 2
# the uplink is a closed port: nothing can be delivered, so no drain at the end (--drain 0)
"$GL" -c gridledger.json run --clock sim --start 2026-01-31T23:00 --speed 100000 --drain 0 --until 2026-02-01T02:00 ||
    notok "daemon run"
body=$(sqlite3 gridledger.db "SELECT body FROM outbox WHERE kind='lineloss'")
check "the monthly job queued the month's figures" "$(grep -o '"loss_pct":"[0-9.]*"' <<<"$body")" '"loss_pct":"10.00"'
check "and raised the loss alert" "$("$GL" -c gridledger.json alerts --csv | tr -d "\r" | tail -n +2 | cut -d, -f3-5)" \
    "lineloss,TQ-0001,high_loss"
