#!/bin/bash
# Runs every test of gridledger and ends with one line "N passed, N failed".
#   unit:        $BUILD/tests/unit/test_* (cmocka); each cmocka test counts once
#   fuzz replay: $BUILD/tests/fuzz/replay_NAME over tests/fuzz/corpus/NAME/*
#   integration: tests/integration/*.sh; each "ok N - name" / "not ok N - name" line counts
#   fuzz smoke:  `make fuzz-smoke` (clang libFuzzer, UBSan aborting): every fuzz target for
#                FUZZ_SMOKE_S seconds (10 here, 20 for `make fuzz-smoke`); FUZZ_SMOKE=0 or no clang skips it
# A program that crashes or exits non-zero without reporting a failure counts as one failure.
# TESTS=pattern limits the run to files whose name matches.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD GL_ROOT=$PWD
PATTERN=${TESTS:-}
pass=0
fail=0
failed_names=()
LOG=$BUILD/test-logs
mkdir -p "$LOG"

selected() { [ -z "$PATTERN" ] || [[ "$1" == *$PATTERN* ]]; }

run_cmocka() {
    local bin=$1 name out rc p f
    name=$(basename "$bin")
    out=$LOG/$name.log
    CMOCKA_MESSAGE_OUTPUT=stdout "$bin" >"$out" 2>&1
    rc=$?
    p=$(grep -c '^\[       OK \]' "$out")
    f=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) test\(s\).*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    pass=$((pass + p)); fail=$((fail + f))
    if [ "$f" -gt 0 ]; then
        failed_names+=("$name")
        echo "FAIL unit $name ($p ok, $f failed): see $out"
        grep -E '^\[  (FAILED|ERROR)|error:|Failure' "$out" | head -20
    else
        echo "ok   unit $name ($p)"
    fi
}

run_replay() {
    local bin=$1 name dir out
    name=${bin##*/replay_}
    dir=tests/fuzz/corpus/$name
    out=$LOG/replay_$name.log
    if [ ! -d "$dir" ]; then
        fail=$((fail + 1)); failed_names+=("replay_$name")
        echo "FAIL fuzz  $name: no corpus folder $dir"
        return
    fi
    if "$bin" "$dir"/* >"$out" 2>&1; then
        pass=$((pass + 1))
        echo "ok   fuzz  $name ($(ls "$dir" | wc -l) inputs)"
    else
        fail=$((fail + 1)); failed_names+=("replay_$name")
        echo "FAIL fuzz  $name: see $out"; tail -20 "$out"
    fi
}

run_script() {
    local script=$1 name out rc p f
    name=$(basename "$script" .sh)
    out=$LOG/$name.log
    local t0=$SECONDS
    timeout "${TEST_TIMEOUT:-1500}" bash "$script" >"$out" 2>&1 </dev/null
    rc=$?
    local secs=$((SECONDS - t0))
    p=$(grep -cE '^ok [0-9]+' "$out")
    f=$(grep -cE '^not ok [0-9]+' "$out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "  (exit $rc)" >>"$out"; fi
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; echo "  (no test ran)" >>"$out"; fi
    pass=$((pass + p)); fail=$((fail + f))
    if [ "$f" -gt 0 ]; then
        failed_names+=("$name")
        echo "FAIL int   $name ($p ok, $f failed, ${secs} s): see $out"
        grep -E '^not ok|^#' "$out" | head -30
        tail -5 "$out"
    else
        echo "ok   int   $name ($p, ${secs} s)"
    fi
}

for bin in "$BUILD"/tests/unit/test_*; do
    [ -x "$bin" ] && selected "$bin" && run_cmocka "$bin"
done
for bin in "$BUILD"/tests/fuzz/replay_*; do
    [ -x "$bin" ] && selected "$bin" && run_replay "$bin"
done
for script in tests/integration/*.sh; do
    [ -f "$script" ] && selected "$script" && run_script "$script"
done

run_fuzz_smoke() {
    local out=$LOG/fuzz-smoke.log p f
    if [ "${FUZZ_SMOKE:-1}" = 0 ] || ! command -v clang >/dev/null; then
        echo "skip fuzz-smoke (FUZZ_SMOKE=0 or no clang)"
        return
    fi
    make --no-print-directory -j2 fuzz-smoke FUZZ_SMOKE_S="${FUZZ_SMOKE_S:-10}" >"$out" 2>&1
    p=$(grep -cE '^ok [0-9]+' "$out")
    f=$(grep -cE '^not ok [0-9]+' "$out")
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    pass=$((pass + p)); fail=$((fail + f))
    if [ "$f" -gt 0 ]; then
        failed_names+=("fuzz-smoke")
        echo "FAIL fuzz-smoke ($p ok, $f failed): see $out"
        grep -E '^not ok|^#' "$out" | head -20
        tail -5 "$out"
    else
        echo "ok   fuzz-smoke ($p targets)"
    fi
}
selected "fuzz-smoke" && run_fuzz_smoke

[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
