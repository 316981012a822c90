#!/bin/bash
# smoke.sh SECONDS build-fuzz/fuzz_NAME...: runs each libFuzzer target for
# SECONDS from its saved corpus (tests/fuzz/corpus/NAME, read only: new inputs
# go to a scratch folder), FUZZ_SMOKE_JOBS (default 1) targets at a time.
# Prints "ok N - fuzz NAME" or "not ok N - fuzz NAME" per target, in the
# order given; a crash, leak or UBSan report (the build aborts on the first)
# keeps its input as build-fuzz/crash-NAME-* for the corpus. Exit 1 if any failed.
set -u
secs=$1
shift
jobs=${FUZZ_SMOKE_JOBS:-1}
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || jobs=1
bad=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# fuzz_one BIN: one target; its exit status in $scratch/NAME.rc
fuzz_one() {
    local bin=$1 name log
    name=${bin##*/fuzz_}
    mkdir -p "$scratch/$name"
    log=$(dirname "$bin")/smoke-$name.log
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$(dirname "$bin")/crash-$name-" "$scratch/$name" "tests/fuzz/corpus/$name" \
        >"$log" 2>&1
    echo $? >"$scratch/$name.rc"
}

# report N BIN: the TAP line of a target that has ended
report() {
    local n=$1 bin=$2 name log
    name=${bin##*/fuzz_}
    log=$(dirname "$bin")/smoke-$name.log
    if [ "$(cat "$scratch/$name.rc")" = 0 ]; then
        echo "ok $n - fuzz $name ($(grep -oE 'Done [0-9]+ runs' "$log" | tail -1))"
    else
        bad=1
        echo "not ok $n - fuzz $name: see $log"
        grep -E 'ERROR|runtime error|SUMMARY' "$log" | head -5 | sed 's/^/#   /'
    fi
}

bins=("$@")
i=0
while [ "$i" -lt ${#bins[@]} ]; do
    batch=("${bins[@]:i:jobs}")
    for bin in "${batch[@]}"; do fuzz_one "$bin" & done
    wait
    for bin in "${batch[@]}"; do i=$((i + 1)); report "$i" "$bin"; done
done
exit $bad
