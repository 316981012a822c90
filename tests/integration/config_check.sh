#!/bin/bash
# check-config: a good config passes (exit 0, one summary line); each broken
# config in configs/bad/ exits 2 and names the expected FILE:LINE:COL: path: problem.
set -u
cd "$(dirname "$0")/../.."
GL=${BUILD:-build}/gridledger
dir=tests/integration/configs
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }

out=$("$GL" -c $dir/good.json check-config 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && [[ "$out" == *"ok: gateway gw-0001"*"3 meters"* ]]; then
    ok "good config passes: $out"
else
    notok "good config: rc=$rc out=$out"
fi

for cfg in $dir/bad/*.json; do
    want="gridledger: $cfg:$(cat "${cfg%.json}.expect")"
    err=$("$GL" -c "$cfg" check-config 2>&1 >/dev/null); rc=$?
    if [ $rc -eq 2 ] && grep -qxF "$want" <<<"$err" && ! grep -qv '^gridledger: ' <<<"$err"; then
        ok "$(basename "$cfg"): exit 2, $want"
    else
        notok "$(basename "$cfg"): rc=$rc"
        echo "# want: $want"
        printf '# got:  %s\n' "$err"
    fi
done

# a large customer: industry (GB/T 4754 section) and capacity changes that add up to capacity_kva
out=$("$GL" -c $dir/good-large.json check-config 2>&1); rc=$?
[ $rc -eq 0 ] && [[ "$out" == *"ok: gateway gw-0001"* ]] && ok "large customer with industry and capacity changes passes" \
    || notok "good-large: rc=$rc $out"

# two invalid slave ids on one bus: each reported once, and not as a duplicate of the other
err=$("$GL" -c $dir/bad/21-two-bad-slave-ids.json check-config 2>&1)
[ "$(grep -c 'must be 1..247' <<<"$err")" -eq 2 ] && [ "$(wc -l <<<"$err")" -eq 2 ] \
    && ok "invalid slave ids: two errors, no false duplicate" || notok "invalid slave ids: $err"

err=$("$GL" -c $dir/does-not-exist.json check-config 2>&1); rc=$?
[ $rc -eq 2 ] && [[ "$err" == "gridledger: $dir/does-not-exist.json: cannot open the file" ]] \
    && ok "missing file: exit 2" || notok "missing file: rc=$rc $err"

err=$(GRIDLEDGER_CONFIG=$dir/good.json "$GL" check-config 2>&1); rc=$?
[ $rc -eq 0 ] && ok "GRIDLEDGER_CONFIG is used" || notok "GRIDLEDGER_CONFIG: rc=$rc $err"

help=$("$GL" --help)
missing=""
for c in check-config poll run tariff-calc credit-calc bill ledger pay grades worklist alerts lineloss outbox db; do
    grep -qE "^  $c " <<<"$help" || missing="$missing $c"
done
[ -z "$missing" ] && ok "--help lists every CONTRACT.md command" || notok "--help misses:$missing"
"$GL" frobnicate >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "unknown command exits 2" || notok "unknown command rc=$rc"
"$GL" --version | grep -q '^gridledger [0-9]' && ok "--version" || notok "--version"
"$GL" check-config --help | grep -q 'usage: gridledger' && ok "COMMAND --help" || notok "COMMAND --help"
