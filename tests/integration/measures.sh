#!/bin/bash
# What a grade changes, at the gateway: a large industrial customer (400 kVA)
# paying on time for a year is graded A and settles in instalments on the
# 10th and 20th, read daily with an account manager; a residential customer
# who pays none of six bills is graded C, singled out by the count rule (6
# overdue bills > 5), proposed for prepayment and asked for a deposit; a grade whose
# population leaves its configured range is reported; the daemon's grading
# stores and sends the same measures; credit-calc agrees with grades. Graded
# A, the large customer's January is settled in parts on the 10th and 20th
# (the use so far at the tariff, less the parts before) and closed on
# 1 February with the monthly bill less the parts: to the fen.
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
c["customers"].append(dict(c["customers"][0], id="C-L01", name="Steel Works", capacity_kva="400", **{"class": "industrial"}))
c["customers"].append(dict(c["customers"][0], id="C-0002", name="Small Works", capacity_kva="314.999", **{"class": "industrial"}))
c["meters"].append(dict(c["meters"][1], id="M-L01", customer="C-L01", slave_id=5))
c["billing"]={"cycle_day": 1, "due_days": 15}
c["credit"]={"measures": {"population": {"A": {"max": 1}, "C": {"max": 0}},
  "table": {"residential": {"C": {"service": "collector visit within 3 days"}}}}}
json.dump(c, open(sys.argv[2], "w"), indent=1)' examples/gridledger.json "$t/gridledger.json"
cd "$t"
printf '%064d\n' 7 >gw.hmac && chmod 600 gw.hmac
"$GL" -c gridledger.json db check >/dev/null
python3 - <<'PY' | sqlite3 gridledger.db
rows = []
for m in range(1, 13):
    bill = "2025-%02d-01" % m
    due = "2025-%02d-16" % m
    for cust, fen in (("C-L01", 5000000), ("C-0002", 600000)):
        rows.append("('%s', '%s', 'bill', %d, '%s/2025-%02d', '%s')" % (cust, bill, fen, cust, m, due))
        rows.append("('%s', '%s', 'payment', %d, 'P-%s-%02d', NULL)" % (cust, due, fen, cust, m))
    if m >= 7:  # six bills, none paid
        rows.append("('C-0001', '%s', 'bill', 20000, 'C-0001/2025-%02d', '%s')" % (bill, m, due))
print("INSERT INTO ledger(customer, date, kind, amount_fen, ref, due) VALUES %s;" % ",\n".join(rows))
PY
"$GL" -c gridledger.json grades --date 2026-01-10 --json >grades.json; rc=$?
check "grades --json exits 0" "$rc" 0
q() { python3 -c 'import json,sys
d=json.load(open("grades.json")); r={c["customer"]: c for c in d["customers"]}
print(eval(sys.argv[1]))' "$1"; }
check "the large customer is graded A" "$(q 'r["C-L01"]["grade"]')" "A"
check "large, A: its table cell and rule" "$(q 'r["C-L01"]["measures"]["segment"], r["C-L01"]["measures"]["rule"]')" \
    "('large', 'credit.measures.table.large.A')"
check "large, A: instalments on the 10th and 20th" "$(q 'r["C-L01"]["measures"]["billing"]')" \
    "{'mode': 'instalments', 'instalment_days': [10, 20], 'change': 'none'}"
check "large, A: read hourly, daily frozen readings" "$(q 'r["C-L01"]["measures"]["reading"]')" \
    "{'poll_interval_s': 3600, 'quality': 'daily_frozen', 'watch_swings': False}"
check "large, A: account manager, priority, reconnection in 2 h" \
    "$(q '[r["C-L01"]["measures"]["service"][k] for k in ("reconnect_hours", "priority", "account_manager")]')" "[2, True, True]"
check "314.999 kVA is not large" "$(q 'r["C-0002"]["measures"]["segment"]')" "industrial"
check "the non-payer is graded C" "$(q 'r["C-0001"]["grade"]')" "C"
check "C: prepayment proposed" "$(q 'r["C-0001"]["measures"]["billing"]["mode"], r["C-0001"]["measures"]["billing"]["change"]')" \
    "('prepayment', 'propose')"
check "C: a cash deposit of one average bill requested" \
    "$(q '[r["C-0001"]["measures"]["deposit"][k] for k in ("kind", "required", "change", "amount")]')" \
    "['cash', '200.00', 'propose', '200.00']"
check "C: the configured service contents" "$(q 'r["C-0001"]["measures"]["service"]["contents"]')" "collector visit within 3 days"
check "count rule: 6 overdue bills > 5, singled out" "$(q 'r["C-0001"]["measures"]["count_rule"]')" \
    "{'overdue_bills': 6, 'max_per_year': 5, 'singled_out': True}"
check "count rule: none overdue, not singled out" "$(q 'r["C-L01"]["measures"]["count_rule"]["singled_out"]')" "False"
check "population: A (2 > 1) and C (1 > 0) above their ranges, B inside" "$(q '[(p["grade"], p["customers"], p["outside"]) for p in d["population"]]')" \
    "[('A', 2, 'above'), ('B', 0, 'no'), ('C', 1, 'above')]"
{ echo "customer,class,date,kind,amount,ref,due"
  sqlite3 -csv gridledger.db "SELECT customer, CASE customer WHEN 'C-0001' THEN 'residential' ELSE 'industrial' END, date, kind,
   printf('%d.%02d', amount_fen / 100, amount_fen % 100), ref, coalesce(due, '') FROM ledger ORDER BY customer, date, id"; } >ledger.csv
check "grades over the store = credit-calc with the config (measures and population included)" \
    "$("$GL" -c gridledger.json grades --date 2026-01-10 --json | md5sum)" \
    "$("$GL" credit-calc --ledger ledger.csv --as-of 2026-01-10 --config gridledger.json --json | md5sum)"
# the uplink is a closed port: nothing can be delivered, so no drain at the end (--drain 0)
"$GL" -c gridledger.json run --clock sim --start 2025-12-31T23:00 --speed 20000 --drain 0 --until 2026-01-01T04:00 2>/dev/null
check "the daemon's grading stored the measures" \
    "$(sqlite3 gridledger.db "SELECT json_extract(explanation, '$.measures.billing.mode') FROM grades WHERE customer='C-L01'" 2>&1)" "instalments"

# January 2026 in instalments: readings at midnight on the 1st, 10th, 20th and 1 February
sqlite3 gridledger.db "INSERT INTO readings(meter, ts, status, present, flags, import_wh) VALUES
 ('M-L01', 1767196800, 0, 1, 0, 1000000), ('M-L01', $((1767196800 + 9 * 86400)), 0, 1, 0, 1900000),
 ('M-L01', $((1767196800 + 19 * 86400)), 0, 1, 0, 2900000), ('M-L01', 1769875200, 0, 1, 0, 4100000);"
"$GL" -c gridledger.json run --clock sim --start 2026-01-09T23:00 --speed 100000 --drain 0 --until 2026-02-01T01:00 2>/dev/null
parts=$(sqlite3 gridledger.db "SELECT group_concat(date || ' ' || ref || ' ' || amount_fen || ' due ' || due, '; ') FROM ledger
  WHERE customer = 'C-L01' AND ref LIKE 'C-L01/2026-01%' ORDER BY id")
echo "# C-L01 January: $parts; bill $(sqlite3 gridledger.db "SELECT total_fen FROM bills WHERE customer = 'C-L01' AND period = '2026-01'")"
check "two provisional parts, each due 15 days later" \
    "$(sqlite3 gridledger.db "SELECT group_concat(date || ' ' || ref || ' due ' || due, '; ') FROM ledger WHERE customer = 'C-L01' AND ref LIKE 'C-L01/2026-01#%'")" \
    "2026-01-10 C-L01/2026-01#10 due 2026-01-25; 2026-01-20 C-L01/2026-01#20 due 2026-02-04"
check "the parts are the use so far at the tariff, less the parts before" \
    "$(sqlite3 gridledger.db "SELECT (SELECT amount_fen FROM ledger WHERE ref = 'C-L01/2026-01#10') > 0,
       (SELECT amount_fen FROM ledger WHERE ref = 'C-L01/2026-01#20') > 0")" "1|1"
check "parts and close add up to the monthly bill to the fen" \
    "$(sqlite3 gridledger.db "SELECT sum(amount_fen) FROM ledger WHERE customer = 'C-L01' AND ref LIKE 'C-L01/2026-01%'")" \
    "$(sqlite3 gridledger.db "SELECT total_fen FROM bills WHERE customer = 'C-L01' AND period = '2026-01'")"
check "the close is the monthly bill less the parts, due on the 16th" \
    "$(sqlite3 gridledger.db "SELECT kind, date, due FROM ledger WHERE ref = 'C-L01/2026-01'")" "bill|2026-02-01|2026-02-16"
"$GL" -c gridledger.json run --clock sim --start 2026-01-19T23:00 --speed 100000 --drain 0 --until 2026-01-20T01:00 2>/dev/null
check "a second run on an instalment day posts nothing twice" \
    "$(sqlite3 gridledger.db "SELECT count(*) FROM ledger WHERE customer = 'C-L01' AND ref LIKE 'C-L01/2026-01%'")" 3
check "a customer not in instalments has no parts" \
    "$(sqlite3 gridledger.db "SELECT count(*) FROM ledger WHERE ref LIKE '%#%' AND customer <> 'C-L01'")" 0
# parts above the month (a provisional price above the monthly tiers): the close is a credit
sqlite3 gridledger.db "INSERT INTO readings(meter, ts, status, present, flags, import_wh) VALUES ('M-L01', 1772294400, 0, 1, 0, 4200000);
 INSERT INTO ledger(customer, date, kind, amount_fen, ref, due) VALUES ('C-L01', '2026-02-10', 'bill', 999999, 'C-L01/2026-02#10', '2026-02-25');"
"$GL" -c gridledger.json bill --period 2026-02 >/dev/null
feb=$(sqlite3 gridledger.db "SELECT total_fen FROM bills WHERE customer = 'C-L01' AND period = '2026-02'")
check "parts above the monthly bill: the close is a credit adjustment of the difference" \
    "$(sqlite3 gridledger.db "SELECT kind, amount_fen FROM ledger WHERE ref = 'C-L01/2026-02'")" "adjustment|$((feb - 999999))"
check "and the period still adds up to the bill to the fen" \
    "$(sqlite3 gridledger.db "SELECT sum(amount_fen) FROM ledger WHERE ref LIKE 'C-L01/2026-02%'")" "$feb"
