#!/bin/bash
# Runs every test of gridledger and ends with one line "N passed, N failed".
#   unit:        $BUILD/tests/unit/test_* (cmocka); each cmocka test counts once
#   fuzz replay: $BUILD/tests/fuzz/replay_NAME over tests/fuzz/corpus/NAME/*
#   integration: tests/integration/*.sh; each "ok N - name" / "not ok N - name" line counts
#   fuzz smoke:  `make fuzz-smoke` (clang libFuzzer, UBSan aborting): every fuzz target for
#                FUZZ_SMOKE_S seconds (10 here, 20 for `make fuzz-smoke`), FUZZ_SMOKE_JOBS (2 here, 1
#                for `make fuzz-smoke`) at a time; FUZZ_SMOKE=0 or no clang skips it
# A program that crashes or exits non-zero without reporting a failure counts as one failure.
# TESTS="pattern..." limits the run to files whose name matches one of the patterns.
# TEST_JOBS=N runs N integration scripts at a time (default 2, or 1 with TESTS=): each script
# picks free ports and its own temporary folder; the lines below stay in the scripts' order.
# Each phase ends with "time PHASE: N s"; each script's line gives its own wall time.
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

selected() { # any of the space-separated patterns of TESTS
    local p
    [ -z "$PATTERN" ] && return 0
    for p in $PATTERN; do [[ "$1" == *"$p"* ]] && return 0; done
    return 1
}

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

# start_script SCRIPT: runs it in the background; its TAP output goes to its log,
# its exit status and wall time to LOG/NAME.done when it ends.
start_script() {
    local script=$1 name
    name=$(basename "$script" .sh)
    rm -f "$LOG/$name.done"
    (
        t0=$SECONDS
        timeout "${TEST_TIMEOUT:-1500}" bash "$script" >"$LOG/$name.log" 2>&1 </dev/null
        rc=$?
        echo "$rc $((SECONDS - t0))" >"$LOG/$name.done.tmp" && mv "$LOG/$name.done.tmp" "$LOG/$name.done"
    ) &
}

# report_script SCRIPT: counts and prints the result of a script that has ended.
report_script() {
    local script=$1 name out rc secs p f
    name=$(basename "$script" .sh)
    out=$LOG/$name.log
    read -r rc secs <"$LOG/$name.done"
    rm -f "$LOG/$name.done"
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

# run_scripts SCRIPT...: TEST_JOBS at a time; reports each in the given order
# as soon as it and every one before it have ended.
run_scripts() {
    local scripts=("$@") jobs next=0 shown=0 running=0
    jobs=${TEST_JOBS:-$([ -n "$PATTERN" ] && echo 1 || echo 2)}
    [[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "TEST_JOBS must be a positive number: $jobs"; jobs=1; }
    while [ "$shown" -lt ${#scripts[@]} ]; do
        while [ "$running" -lt "$jobs" ] && [ "$next" -lt ${#scripts[@]} ]; do
            start_script "${scripts[$next]}"
            next=$((next + 1)); running=$((running + 1))
        done
        wait -n || [ $? -ne 127 ] || running=1 # 127: no child left (never expected)
        running=$((running - 1))
        while [ "$shown" -lt "$next" ] && [ -f "$LOG/$(basename "${scripts[$shown]}" .sh).done" ]; do
            report_script "${scripts[$shown]}"
            shown=$((shown + 1))
        done
    done
}

# phase NAME T0: the phase's wall time since T0 (from $SECONDS)
phase() { echo "time $1: $((SECONDS - $2)) s"; }

t_all=$SECONDS t=$SECONDS
for bin in "$BUILD"/tests/unit/test_*; do
    [ -x "$bin" ] && selected "$bin" && run_cmocka "$bin"
done
phase unit "$t"; t=$SECONDS
for bin in "$BUILD"/tests/fuzz/replay_*; do
    [ -x "$bin" ] && selected "$bin" && run_replay "$bin"
done
phase "fuzz replay" "$t"; t=$SECONDS
scripts=()
for script in tests/integration/*.sh; do
    [ -f "$script" ] && selected "$script" && scripts+=("$script")
done
[ ${#scripts[@]} -gt 0 ] && run_scripts "${scripts[@]}"
phase "integration (${#scripts[@]} scripts)" "$t"; t=$SECONDS

run_fuzz_smoke() {
    local out=$LOG/fuzz-smoke.log p f
    if [ "${FUZZ_SMOKE:-1}" = 0 ] || ! command -v clang >/dev/null; then
        echo "skip fuzz-smoke (FUZZ_SMOKE=0 or no clang)"
        return
    fi
    FUZZ_SMOKE_JOBS=${FUZZ_SMOKE_JOBS:-2} make --no-print-directory -j2 fuzz-smoke FUZZ_SMOKE_S="${FUZZ_SMOKE_S:-10}" >"$out" 2>&1
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
selected "fuzz-smoke" && { run_fuzz_smoke; phase fuzz-smoke "$t"; }
phase all "$t_all"

[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
