#!/bin/bash
# tariff-calc: the DOMAIN.md worked examples and an industrial week through the
# real binary, compared byte for byte with golden bills (tariff_calc/*.json);
# bad tariffs and usage files in tariff_calc/bad/ exit 2 with the expected
# "gridledger: FILE:LINE:COL: path: problem" line; the same inputs give the same bytes.
set -u
cd "$(dirname "$0")/../.."
GL=${BUILD:-build}/gridledger
dir=tests/integration/tariff_calc
ex=examples
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name | tariff | usage | options | total the hand computation gives
while IFS='|' read -r name tariff usage opts total; do
    [ -z "$name" ] && continue
    # shellcheck disable=SC2086
    "$GL" tariff-calc --tariff "$ex/tariffs/$tariff" --usage "$ex/usage/$usage" $opts >"$tmp/$name.json" 2>"$tmp/err"
    rc=$?
    if [ $rc -ne 0 ]; then
        notok "$name: exit $rc: $(cat "$tmp/err")"
    elif ! cmp -s "$tmp/$name.json" "$dir/$name.json"; then
        notok "$name: differs from $dir/$name.json"
        diff "$dir/$name.json" "$tmp/$name.json" | head -10 | sed 's/^/# /'
    elif [ -n "$total" ] && ! grep -qxF "  \"total\": \"$total\"," "$tmp/$name.json"; then
        notok "$name: total is not $total"
    else
        ok "$name: golden bill${total:+, total $total}"
    fi
done <<'CASES'
bj-300|bj-res.json|bj-300.csv|--from 2024-01-01 --to 2024-01-31 --customer C-0001|149.49
bj-500|bj-res.json|bj-500.csv|--from 2024-01-01 --to 2024-01-31 --customer C-0001|282.15
zj-300|zj-res-tou.json|zj-300.csv|--customer C-0002|142.40
zj-300-ytd2800|zj-res-tou.json|zj-300.csv|--customer C-0002 --ytd-kwh 2800|157.40
industrial-week|industrial-tou.json|industrial-week.csv|--customer BIG-01|
CASES

a=$("$GL" tariff-calc --tariff $ex/tariffs/industrial-tou.json --usage $ex/usage/industrial-week.csv | md5sum)
b=$("$GL" tariff-calc --tariff $ex/tariffs/industrial-tou.json --usage $ex/usage/industrial-week.csv | md5sum)
[ "$a" = "$b" ] && ok "same inputs, same bytes" || notok "two runs differ"

grep -q '"code": "energy.critical@2024-07-01".*"estimated": true' $dir/industrial-week.json \
    && ok "a gap across a TOU boundary is marked estimated" || notok "gap not marked estimated"

for f in $dir/bad/*.json $dir/bad/*.csv; do
    want="gridledger: $f:$(cat "${f%.*}.expect")"
    if [[ $f == *.json ]]; then
        err=$("$GL" tariff-calc --tariff "$f" --usage $ex/usage/bj-300.csv 2>&1 >/dev/null); rc=$?
    else
        err=$("$GL" tariff-calc --tariff $ex/tariffs/bj-res.json --usage "$f" 2>&1 >/dev/null); rc=$?
    fi
    if [ $rc -eq 2 ] && grep -qxF "$want" <<<"$err" && ! grep -qv '^gridledger: ' <<<"$err"; then
        ok "$(basename "$f"): exit 2, $want"
    else
        notok "$(basename "$f"): rc=$rc"
        echo "# want: $want"
        printf '# got:  %s\n' "$err"
    fi
done

check_err() { # what | want | args...
    local what=$1 want=$2
    shift 2
    err=$("$GL" tariff-calc "$@" 2>&1 >/dev/null); rc=$?
    [ $rc -eq 2 ] && [ "$err" = "$want" ] && ok "$what: exit 2" || { notok "$what: rc=$rc"; echo "# got: $err"; }
}
check_err "missing tariff file" "gridledger: $dir/none.json: cannot open the file" \
    --tariff $dir/none.json --usage $ex/usage/bj-300.csv
check_err "no --usage" "gridledger: tariff-calc: needs --tariff FILE and --usage FILE" --tariff $ex/tariffs/bj-res.json
check_err "unknown option" "gridledger: tariff-calc: unknown option --ytd (try --help)" \
    --tariff $ex/tariffs/bj-res.json --usage $ex/usage/bj-300.csv --ytd 5
check_err "bad --ytd-kwh" "gridledger: tariff-calc: --ytd-kwh -5: must be a decimal number >= 0 with at most 3 decimals" \
    --tariff $ex/tariffs/bj-res.json --usage $ex/usage/bj-300.csv --ytd-kwh -5
check_err "no version in force" "gridledger: tariff-calc: no version of tariff bj-res is in force on 2011-01-01" \
    --tariff $ex/tariffs/bj-res.json --usage $ex/usage/bj-300.csv --from 2011-01-01 --to 2011-01-31
check_err "bad --year-billed" "gridledger: tariff-calc: --year-billed -5: must be an amount >= 0 like 1200.00" \
    --tariff $ex/tariffs/bj-res.json --usage $ex/usage/bj-300.csv --year-billed -5
check_err "missing --export file" "gridledger: $dir/none.csv: cannot open the file" \
    --tariff $ex/tariffs/bj-res.json --usage $ex/usage/bj-300.csv --export $dir/none.csv
check_err "export under a tariff without sell prices" \
    "gridledger: tariff-calc: tariff bj-res has no sell price (energy.sell): the export cannot be credited" \
    --tariff $ex/tariffs/bj-res.json --usage $ex/usage/bj-300.csv --export $ex/usage/bj-300.csv
"$GL" tariff-calc --help | grep -q 'usage: gridledger' && ok "tariff-calc --help" || notok "tariff-calc --help"
