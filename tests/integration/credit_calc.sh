#!/bin/bash
# credit-calc: golden outputs for the example ledger (JSON, CSV, worklist, with
# and without a config), determinism, the DOMAIN.md penalty rows end to end,
# bad ledgers exit 2 with FILE:LINE:COL, bad credit/collection/fee_control
# sections exit 2 with FILE:LINE:COL: path.
set -u
cd "$(dirname "$0")/../.."
GL=${BUILD:-build}/gridledger
L=examples/ledger/area.csv
G=tests/integration/golden
dir=tests/integration/ledgers
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for m in json csv worklist; do
    "$GL" credit-calc --ledger $L --as-of 2026-03-31 --$m >"$tmp/out.$m" 2>"$tmp/err"; rc=$?
    if [ $rc -eq 0 ] && cmp -s "$tmp/out.$m" $G/area-2026-03-31.$m && [ ! -s "$tmp/err" ]; then
        ok "--$m matches the golden output"
    else
        notok "--$m: rc=$rc"; diff $G/area-2026-03-31.$m "$tmp/out.$m" | head -10 | sed 's/^/# /'
    fi
done

"$GL" credit-calc --ledger $L --as-of 2026-03-31 --config $dir/configs/good.json --json >"$tmp/cfg.json"; rc=$?
[ $rc -eq 0 ] && cmp -s "$tmp/cfg.json" $G/area-2026-03-31-config.json \
    && ok "--config (five grades, penalty first, own ladder) matches its golden output" \
    || { notok "--config: rc=$rc"; diff $G/area-2026-03-31-config.json "$tmp/cfg.json" | head -5 | sed 's/^/# /'; }

# the same ledger, rows shuffled: the same bytes (rows are grouped and sorted)
{ head -1 $L; tail -n +2 $L | sort -r; } >"$tmp/shuffled.csv"
"$GL" credit-calc --ledger "$tmp/shuffled.csv" --as-of 2026-03-31 --json >"$tmp/shuf.json"
cmp -s "$tmp/shuf.json" $G/area-2026-03-31.json && ok "row order does not change the result" \
    || notok "shuffled rows changed the result"

python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out.json" 2>/dev/null \
    && ok "JSON output parses" || notok "JSON output does not parse"

# DOMAIN.md penalty rows, end to end
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c=[x for x in d["customers"] if x["customer"]==sys.argv[2]][0]; print(c[sys.argv[3]])' "$@"; }
check_pen() {
    local cust=$1 want=$2 what=$3 got
    got=$(field "$tmp/pen.json" "$cust" penalty)
    [ "$got" = "$want" ] && ok "penalty: $what = $want" || notok "penalty: $what = $got, want $want"
}
cat >"$tmp/pen.csv" <<'CSV'
customer,class,date,kind,amount,ref,due
R1,residential,2026-03-01,bill,200.00,B1,2026-03-15
R1,residential,2026-03-25,payment,200.00,P1,
R2,residential,2026-03-01,bill,50.00,B2,2026-03-15
R2,residential,2026-03-20,payment,50.00,P2,
N1,industrial,2026-03-01,bill,10000.00,B3,2026-03-15
N1,industrial,2026-04-04,payment,10000.00,P3,
CSV
"$GL" credit-calc --ledger "$tmp/pen.csv" --as-of 2026-04-04 --json >"$tmp/pen.json"
check_pen R1 2.00 "residential 200.00 x 10 days"
check_pen R2 1.00 "residential 50.00 x 5 days (minimum)"
check_pen N1 400.00 "non-residential 10,000.00 x 20 days"

for f in $dir/bad/*.csv; do
    want="gridledger: $f:$(cat "${f%.csv}.expect")"
    err=$("$GL" credit-calc --ledger "$f" --as-of 2026-03-31 2>&1 >/dev/null); rc=$?
    if [ $rc -eq 2 ] && [ "$err" = "$want" ]; then
        ok "$(basename "$f"): exit 2, $want"
    else
        notok "$(basename "$f"): rc=$rc"; echo "# want: $want"; echo "# got:  $err"
    fi
done

for f in $dir/configs/bad-*.json; do
    want="gridledger: $f:$(cat "${f%.json}.expect")"
    err=$("$GL" -c "$f" check-config 2>&1 >/dev/null); rc=$?
    err2=$("$GL" credit-calc --ledger $L --as-of 2026-03-31 --config "$f" 2>&1 >/dev/null); rc2=$?
    if [ $rc -eq 2 ] && [ "$err" = "$want" ] && [ $rc2 -eq 2 ] && [ "$err2" = "$want" ]; then
        ok "$(basename "$f"): exit 2, $want"
    else
        notok "$(basename "$f"): rc=$rc/$rc2"; echo "# want: $want"; echo "# got:  $err"
    fi
done

"$GL" credit-calc --ledger $L >/dev/null 2>&1; [ $? -eq 2 ] && ok "missing --as-of: exit 2" || notok "missing --as-of"
"$GL" credit-calc --ledger $L --as-of 2026-02-30 >/dev/null 2>&1; [ $? -eq 2 ] && ok "bad --as-of: exit 2" || notok "bad --as-of"
err=$("$GL" credit-calc --ledger $dir/none.csv --as-of 2026-03-31 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$err" = "gridledger: $dir/none.csv: cannot open the file" ] && ok "missing ledger: exit 2" \
    || notok "missing ledger: rc=$rc $err"

# a bound hit half-way (C2 has more open bills than an account may hold):
# exit 2 with the reason, and nothing on stdout, not half a JSON document
python3 - "$tmp/bound.csv" <<'PY'
import datetime, sys
f = open(sys.argv[1], "w")
f.write("customer,class,date,kind,amount,ref\nC1,residential,2026-01-01,bill,10.00,B1\n")
for i in range(1100):
    f.write("C2,residential,%s,bill,1.00,B2-%d\n" % (datetime.date(2020, 1, 1) + datetime.timedelta(days=i), i))
PY
for m in json csv worklist; do
    "$GL" credit-calc --ledger "$tmp/bound.csv" --as-of 2026-03-01 --$m >"$tmp/bound.out" 2>"$tmp/bound.err"; rc=$?
    [ $rc -ne 0 ] && [ ! -s "$tmp/bound.out" ] && grep -q 'customer C2: bound exceeded' "$tmp/bound.err" \
        && ok "bound hit ($m): exit $rc, empty stdout, $(cat "$tmp/bound.err")" \
        || notok "bound hit ($m): rc=$rc, $(wc -c <"$tmp/bound.out") bytes on stdout, $(cat "$tmp/bound.err")"
done

# a 200 MB line is refused at its 4,097th byte: little memory, no time
python3 -c "
import sys
f = open(sys.argv[1], 'w')
f.write('customer,class,date,kind,amount,ref\nC1,residential,2026-01-01,bill,10.00,B1\nC2,')
for _ in range(200): f.write('x' * 1000000)
f.write('\n')" "$tmp/long.csv"
/usr/bin/time -f '%M' -o "$tmp/long.rss" "$GL" credit-calc --ledger "$tmp/long.csv" --as-of 2026-03-01 \
    >"$tmp/long.out" 2>"$tmp/long.err"; rc=$?
rss=$(tail -1 "$tmp/long.rss")
[ $rc -eq 2 ] && [ "$(cat "$tmp/long.err")" = "gridledger: $tmp/long.csv:3:4097: csv: line longer than 4096 bytes" ] \
    && [ "$rss" -lt 65536 ] && [ ! -s "$tmp/long.out" ] \
    && ok "200 MB line refused at 3:4097, exit 2, max RSS ${rss} KB" \
    || notok "long line: rc=$rc rss=${rss} KB $(cat "$tmp/long.err")"
rm -f "$tmp/long.csv"
"$GL" credit-calc --help | grep -q 'usage: gridledger' && ok "credit-calc --help" || notok "credit-calc --help"
