#!/bin/bash
# make demo: the main job on the embedded default. Grows with each landed part;
# it says plainly what it does not do yet.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=demo-out
mkdir -p "$OUT"
GL=$BUILD/gridledger
echo "== gridledger demo (output in $OUT/)"
echo "-- the embedded default config: examples/gridledger.json"
"$GL" -c examples/gridledger.json check-config
for step in demo.d/*.sh; do
    [ -f "$step" ] && . "$step"
done
echo
echo "Not in this demo yet: the simulated area (metersim), the daemon on a simulated clock,"
echo "mosquitto with TLS and the back office come with the issues that build them."
