#!/bin/bash
# smoke.sh SECONDS build-fuzz/fuzz_NAME...: runs each libFuzzer target for
# SECONDS from its saved corpus (tests/fuzz/corpus/NAME, read only: new inputs
# go to a scratch folder). Prints "ok N - fuzz NAME" or "not ok N - fuzz NAME"
# per target; a crash, leak or UBSan report (the build aborts on the first)
# keeps its input as build-fuzz/crash-NAME-* for the corpus. Exit 1 if any failed.
set -u
secs=$1
shift
n=0
bad=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for bin in "$@"; do
    name=${bin##*/fuzz_}
    n=$((n + 1))
    mkdir -p "$scratch/$name"
    log=$(dirname "$bin")/smoke-$name.log
    if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$(dirname "$bin")/crash-$name-" "$scratch/$name" "tests/fuzz/corpus/$name" \
        >"$log" 2>&1; then
        echo "ok $n - fuzz $name ($(grep -oE 'Done [0-9]+ runs' "$log" | tail -1))"
    else
        bad=1
        echo "not ok $n - fuzz $name: see $log"
        grep -E 'ERROR|runtime error|SUMMARY' "$log" | head -5 | sed 's/^/#   /'
    fi
done
exit $bad
