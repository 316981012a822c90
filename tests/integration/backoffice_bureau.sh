#!/bin/bash
# backoffice_bureau: a few months of five customers of one gateway imported
# into the back office (SQLite); `report large-customers` and `export
# credit-bureau` checked against records derived by hand below (not by the
# code): two large customers (industries C and F) with their prices, their
# effect on the area's average price, swings and capacity changes, the XLSX
# with a sheet per industry; the export's records of L-1 (adverse, notice
# served), L-2 (no notice, nothing adverse), R-3 withheld (adverse, no served
# notice: art. 15), R-4 dropped (last record older than 5 years: art. 16).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BO=$PWD/$BUILD/gridledger-backoffice
. tests/integration/lib/pg.sh
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
tmp=$(mktemp -d /tmp/bo_bureau.XXXXXX)
trap 'pg_stop; rm -rf "$tmp"' EXIT
M=$tmp/messages.jsonl
seq=0
env() { # env KIND BODY
    seq=$((seq + 1))
    printf '{"v":1,"gateway":"gw-x","seq":%d,"ts":%d,"kind":"%s","body":%s}\n' $seq $((1700000000 + seq)) "$1" "$2" >>"$M"
}
# bill CUSTOMER PERIOD TOTAL LINES-JSON
bill() {
    env bills "{\"bills\":[{\"id\":\"$1/$2\",\"customer\":\"$1\",\"period\":{\"from\":\"$2-01\",\"to\":\"$2-28\"},\"tariff\":\"t\",\"lines\":$4,\"total\":\"$3\",\"currency\":\"CNY\",\"area\":\"TQ-X\",\"due\":\"$2-28\",\"estimated\":false}]}"
}
line() { printf '{"code":"%s","description":"x","quantity":"%s","unit":"%s","rate":"0.5","amount":"1.00"}' "$1" "$2" "$3"; }
e1() { echo "[$(line energy "$1" kWh)]"; } # one flat energy line
# grade AS_OF CUSTOMER ARREARS DAYS
grade() {
    env grades "{\"as_of\":\"$1\",\"results\":[{\"customer\":\"$2\",\"arrears\":\"$3\",\"oldest_due\":null,\"days_overdue\":$4,\"penalty\":\"0.00\",\"score\":80,\"grade\":\"B\"}]}"
}
# action ID CUSTOMER ACTION SERVED
action() {
    env actions "{\"id\":$1,\"customer\":\"$2\",\"episode\":\"e1\",\"action\":\"$3\",\"channel\":\"letter\",\"planned\":\"2024-05-01T09:00:00+08:00\",\"status\":\"served\",\"reason\":\"r\",\"taken\":\"2024-05-02T09:00:00+08:00\",\"served\":\"$4\",\"proof\":\"signed receipt\",\"principal\":\"500.00\",\"penalty\":\"0.00\"}"
}

# --- the gateway's large customers (kind "customers") ---
env customers '{"customers":[{"customer":"L-1","industry":"C","capacity_kva":"400","capacity_changes":[{"id":"CAP-1","date":"2019-01-01","kind":"new","kva":"315"},{"id":"CAP-2","date":"2024-06-15","kind":"increase","kva":"85"}]},{"customer":"L-2","industry":"F","capacity_kva":"200","capacity_changes":[{"id":"CAP-3","date":"2024-06-03","kind":"reduction","kva":"50"}]}]}'
# --- L-1: bills 2024-03..06; June in two TOU lines (6000 + 4000 kWh) and a
# surcharge per kWh that is not energy ---
bill L-1 2024-03 5600.00 "$(e1 8000.000)"
bill L-1 2024-04 6300.00 "$(e1 9000.000)"
bill L-1 2024-05 7000.00 "$(e1 10000.000)"
bill L-1 2024-06 7000.00 "[$(line energy.peak 6000.000 kWh),$(line energy.valley 4000.000 kWh),$(line surcharge.fund 10000.000 kWh)]"
grade 2024-03-28 L-1 0.00 0
grade 2024-04-28 L-1 0.00 0
grade 2024-05-28 L-1 500.00 20
grade 2024-06-05 L-1 500.00 25
grade 2024-06-28 L-1 1234.56 50
action 7 L-1 credit_report_notice 2024-05-10T15:30:00+08:00
# --- L-2: bills 2023-09..2024-06, graded from 2024-01 on, always paid ---
for p in 2023-09 2023-10 2023-11 2023-12 2024-01 2024-02; do bill L-2 $p 4000.00 "$(e1 5000.000)"; done
for p in 2024-03 2024-04 2024-05; do bill L-2 $p 4000.00 "$(e1 5000.000)"; done
bill L-2 2024-06 3200.00 "$(e1 4000.000)"
for p in 2024-01 2024-02 2024-03 2024-04 2024-05 2024-06; do grade $p-28 L-2 0.00 0; done
# --- R-3: small, 40 days overdue in June, a written notice served (does
# not count: only credit_report_notice does by default) ---
bill R-3 2024-04 400.00 "$(e1 800.000)"
bill R-3 2024-05 450.00 "$(e1 900.000)"
bill R-3 2024-06 500.00 "$(e1 1000.000)"
grade 2024-06-28 R-3 950.00 40
action 8 R-3 written_notice 2024-06-20T10:00:00+08:00
# --- R-4: bills 2018-01..2019-03, overdue in March 2019, nothing since ---
bill R-4 2018-01 100.00 "$(e1 200.000)"
bill R-4 2019-03 100.00 "$(e1 200.000)"
grade 2019-03-28 R-4 100.00 10

out=$("$BO" --db "$tmp/bo.db" import "$M" 2>"$tmp/import.err")
[ "$out" = "stored $seq, duplicates 0, rejected 0" ] && ok "import: $out" || notok "import: $out $(head -3 "$tmp/import.err")"

# --- report large-customers --period 2024-06, derived by hand ---
# area TQ-X in June: 7000 + 3200 + 500 = 10700.00 yuan, 10000 + 4000 + 1000 = 15000 kWh
#   with everyone: 10700 / 15000 = 0.7133333.. -> 0.713333
#   L-1: 7000 / 10000 = 0.700000; without L-1: 3700 / 5000 = 0.740000; effect 0.713333 - 0.740000 = -0.026667
#        prev3 avg (8000 + 9000 + 10000) / 3 = 9000; swing (10000 - 9000) / 9000 = 11.111.. % -> 11.11
#        capacity changes in June: 2024-06-15 CAP-2 increase 85 kVA
#   L-2: 3200 / 4000 = 0.800000; without L-2: 7500 / 11000 = 0.6818181.. -> 0.681818; effect 0.031515
#        prev3 avg 5000; swing (4000 - 5000) / 5000 = -20.00 %; 2024-06-03 CAP-3 reduction 50 kVA
#   subtotal C = L-1; subtotal F = L-2; total 14000 kWh, 10200.00, 10200 / 14000 = 0.7285714.. -> 0.728571
cat >"$tmp/large.want" <<'W'
industry,gateway,customer,area,capacity_kva,energy_kwh,amount,avg_price,area_avg_price,area_avg_without,price_effect,prev3_avg_kwh,swing_pct,capacity_changes
C Manufacturing,gw-x,L-1,TQ-X,400,10000.000,7000.00,0.700000,0.713333,0.740000,-0.026667,9000.000,11.11,2024-06-15 CAP-2 increase 85 kVA
C Manufacturing,,subtotal,,,10000.000,7000.00,0.700000,,,,,,
F Wholesale and retail,gw-x,L-2,TQ-X,200,4000.000,3200.00,0.800000,0.713333,0.681818,0.031515,5000.000,-20.00,2024-06-03 CAP-3 reduction 50 kVA
F Wholesale and retail,,subtotal,,,4000.000,3200.00,0.800000,,,,,,
,,total,,,14000.000,10200.00,0.728571,,,,,,
W
"$BO" --db "$tmp/bo.db" report large-customers --period 2024-06 --csv "$tmp/large.csv" --xlsx "$tmp/large.xlsx" 2>"$tmp/large.err"
tr -d '\r' <"$tmp/large.csv" >"$tmp/large.got"
if cmp -s "$tmp/large.want" "$tmp/large.got"; then ok "large-customers CSV equals the hand-derived rows"; else
    notok "large-customers CSV"; diff "$tmp/large.want" "$tmp/large.got" | sed 's/^/# /'; cat "$tmp/large.err"; fi
mkdir "$tmp/x" && (cd "$tmp/x" && unzip -q ../large.xlsx) || notok "unzip the XLSX"
sheets=$(grep -o '<sheet name="[^"]*"' "$tmp/x/xl/workbook.xml" | cut -d'"' -f2 | paste -sd,)
[ "$sheets" = "C Manufacturing,F Wholesale and retail" ] && ok "XLSX: a sheet per industry ($sheets)" || notok "XLSX sheets: $sheets"
# sheet 1: header, L-1, Total (energy 10000, amount 7000); sheet 2: L-2 (4000, 3200)
t1=$(grep -o '<f>[^<]*</f><v>[^<]*</v>' "$tmp/x/xl/worksheets/sheet1.xml" | paste -sd' ')
t2=$(grep -o '<f>[^<]*</f><v>[^<]*</v>' "$tmp/x/xl/worksheets/sheet2.xml" | paste -sd' ')
[ "$t1" = "<f>SUM(F2:F2)</f><v>10000</v> <f>SUM(G2:G2)</f><v>7000</v>" ] && ok "XLSX sheet C: its customer and totals" || notok "sheet1 totals: $t1"
[ "$t2" = "<f>SUM(F2:F2)</f><v>4000</v> <f>SUM(G2:G2)</f><v>3200</v>" ] && ok "XLSX sheet F: its customer and totals" || notok "sheet2 totals: $t2"
grep -q 'L-1' "$tmp/x/xl/sharedStrings.xml" && ! grep -q 'subtotal' "$tmp/x/xl/sharedStrings.xml" \
    && ok "XLSX: customer rows, no subtotal rows (each sheet has its Total)" || notok "XLSX strings"
"$BO" --db "$tmp/bo.db" report large-customers --period 2024-13 2>/dev/null; [ $? = 2 ] && ok "large-customers --period 2024-13: exit 2" || notok "bad --period"
last=$(date -d "$(date +%Y-%m-15) -1 month" +%Y-%m)
[ "$("$BO" --db "$tmp/bo.db" report large-customers | md5sum)" = "$("$BO" --db "$tmp/bo.db" report large-customers --period "$last" | md5sum)" ] \
    && ok "large-customers without --period: the last month ($last), as CONTRACT.md allows" || notok "no --period"

# --- export credit-bureau --period 2024-06, derived by hand ---
# window 2022-07 .. 2024-06 (24 months, oldest first)
#   L-1: first bill 2024-03 -> 20 x '/' (2022-07..2024-02), 2024-03 N, 2024-04 N, 2024-05 20 days -> 1,
#        2024-06 newest grading (06-28) 50 days -> 2: "////////////////////NN12"; current 2, arrears 1234.56,
#        opened 2024-03-01, notice credit_report_notice served 2024-05-10
#   L-2: first bill 2023-09 -> 14 x '/', 2023-09..12 billed not graded -> '####', 2024-01..06 N:
#        "//////////////####NNNNNN"; current N, arrears 0.00, no notice (none needed: nothing adverse)
#   R-3: 2024-06 40 days -> 2: adverse, only a written_notice served -> withheld
#   R-4: last bill and arrears 2019-03: 2024-06 is 63 months later (>= 60) -> not exported
printf '{"bureau": {"institution": "B1100000000001"}}\n' >"$tmp/bo.json"
cat >"$tmp/bureau.want" <<'W'
account_type,institution,business_type,account,gateway,opening_date,accounting_month,current_status,current_arrears,status_24,notice_served
public_utility,B1100000000001,electricity,L-1,gw-x,2024-03-01,2024-06,2,1234.56,////////////////////NN12,2024-05-10
public_utility,B1100000000001,electricity,L-2,gw-x,2023-09-01,2024-06,N,0.00,//////////////####NNNNNN,
W
"$BO" -c "$tmp/bo.json" --db "$tmp/bo.db" export credit-bureau --period 2024-06 --out "$tmp/bureau.csv" 2>"$tmp/bureau.err"
rc=$?
tr -d '\r' <"$tmp/bureau.csv" >"$tmp/bureau.got"
if [ $rc = 0 ] && cmp -s "$tmp/bureau.want" "$tmp/bureau.got"; then ok "credit-bureau records of L-1 and L-2 equal the hand-derived ones"; else
    notok "credit-bureau export (exit $rc)"; diff "$tmp/bureau.want" "$tmp/bureau.got" | sed 's/^/# /'; cat "$tmp/bureau.err"; fi
grep -q 'gw-x/R-3: withheld: adverse record and no served notice' "$tmp/bureau.err" && ok "R-3 withheld: adverse, no served credit_report_notice" || notok "R-3: $(cat "$tmp/bureau.err")"
grep -q 'gw-x/R-4: not exported: its last record is more than 5 years old' "$tmp/bureau.err" && ok "R-4 dropped: older than 5 years" || notok "R-4"
grep -q 'exported 2, withheld 1, expired 1' "$tmp/bureau.err" && ok "counts: exported 2, withheld 1, expired 1" || notok "counts: $(tail -1 "$tmp/bureau.err")"
# a written notice counts when the config says so: R-3 is then exported: first bill 2024-04 -> 21 x '/'
# (2022-07..2024-03), 2024-04 and 2024-05 billed not graded '##', 2024-06 40 days -> 2
printf '{"bureau": {"institution": "B1100000000001", "notice_actions": ["credit_report_notice", "written_notice"]}}\n' >"$tmp/bo2.json"
"$BO" -c "$tmp/bo2.json" --db "$tmp/bo.db" export credit-bureau --period 2024-06 2>/dev/null | tr -d '\r' >"$tmp/b2.got"
grep -qx 'public_utility,B1100000000001,electricity,R-3,gw-x,2024-04-01,2024-06,2,950.00,/////////////////////##2,2024-06-20' "$tmp/b2.got" \
    && ok "notice_actions: R-3's written notice counts, record '/////////////////////##2'" || notok "notice_actions: $(cat "$tmp/b2.got")"
# bad config fields are named
printf '{"bureau": {"institution": "b11"}}\n' >"$tmp/bad.json"
err=$("$BO" -c "$tmp/bad.json" --db "$tmp/bo.db" export credit-bureau --period 2024-06 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && grep -q 'bad.json:1:28: bureau.institution: must be the 14-character' <<<"$err" && [ "$(wc -l <<<"$err")" = 1 ] \
    && ok "bad institution: named error (once), exit 2" || notok "bad institution ($rc): $err"
# the same on PostgreSQL: one dialect, the same records
if pg_start "$tmp/pg"; then
    "$BO" --pg "$PG_CONNINFO" import "$M" >/dev/null 2>&1
    "$BO" --pg "$PG_CONNINFO" report large-customers --period 2024-06 | tr -d '\r' >"$tmp/large.pg"
    cmp -s "$tmp/large.want" "$tmp/large.pg" && ok "postgresql: large-customers equals the hand-derived rows" \
        || { notok "postgresql: large-customers"; diff "$tmp/large.want" "$tmp/large.pg" | sed 's/^/# /'; }
    "$BO" -c "$tmp/bo.json" --pg "$PG_CONNINFO" export credit-bureau --period 2024-06 2>/dev/null | tr -d '\r' >"$tmp/bureau.pg"
    cmp -s "$tmp/bureau.want" "$tmp/bureau.pg" && ok "postgresql: credit-bureau records equal the hand-derived ones" \
        || { notok "postgresql: credit-bureau"; diff "$tmp/bureau.want" "$tmp/bureau.pg" | sed 's/^/# /'; }
else
    ok "# SKIP postgresql: $PG_SKIP"
fi
echo "1..$n"
