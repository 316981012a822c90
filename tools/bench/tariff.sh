#!/bin/bash
# make bench: rows of the tariff engine (tools/bench/bench_tariff.c), then
# instructions per bill counted by valgrind's callgrind: the difference
# between billing 25 and 5 customers, divided by 20 (so loading the tariff
# and starting the program cancel out), against the same count for the
# plain loop that only sums a month's kWh.
set -u
B="${BUILD:-build}"/bench/bench_tariff
"$B"
if ! command -v valgrind >/dev/null 2>&1; then
    echo "| tariff | instructions per bill (callgrind) | (valgrind not installed: make deps) | | | |"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Ir: the instructions callgrind counted for `bench_tariff $1 $2`
ir() {
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$B" "$1" "$2" >/dev/null 2>&1 || return 1
    awk '/^(summary|totals):/ { print $2; exit }' "$tmp/cg.out"
}
b5=$(ir --bills 5) && b25=$(ir --bills 25) && s10=$(ir --sums 10) && s110=$(ir --sums 110) || {
    echo "| tariff | instructions per bill (callgrind) | (valgrind failed) | | | |"
    exit 0
}
per_bill=$(((b25 - b5) / 20))
per_sum=$(((s110 - s10) / 100))
ratio=$(awk -v a="$per_bill" -v b="$per_sum" 'BEGIN { printf "%.1f", a / b }')
echo "| tariff | instructions per bill, 1 month of 15-min data (2,976 intervals), TOU + yearly tiers (callgrind) | $per_bill | instructions | plain kWh sum of the month: $per_sum instructions | $ratio |"
