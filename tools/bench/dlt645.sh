#!/bin/bash
# DL/T 645 over a pseudo-terminal paced at 2400 baud 8E1 by metersim: poll
# --once reads 5 DLT645-1P meters with the block 0001FF00 and 5 that refuse
# it (single DIs); bus frame time and wall time per meter, measured, beside
# what bench_dlt645 computes from frame bytes.
set -u
BUILD=${BUILD:-build}
T=$(mktemp -d)
export TZ=Asia/Shanghai
"$BUILD"/metersim --seed 5 --rtu-pty --protocol dlt645 --link "$T/pty" --baud 2400 --meters DLT645-1P:1-10 \
    --fault 6-10:no-block >"$T/sim.out" 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do grep -q ready "$T/sim.out" && break; sleep 0.1; done
python3 - "$T" "$PWD" <<'PY'
import json, sys
t, root = sys.argv[1], sys.argv[2]
bus = {"name": "b0", "type": "rtu", "protocol": "dlt645", "device": t + "/pty", "clock_limit_s": 0}
meters = [{"id": "M%d" % i, "bus": "b0", "address": "%012d" % i, "profile": "DLT645-1P", "customer": "C1"}
          for i in range(1, 11)]
json.dump({"gateway": {"id": "gw-b", "area": "TQ-B"}, "store": {"path": t + "/d.db"}, "buses": [bus],
           "meters": meters,
           "customers": [{"id": "C1", "name": "x", "class": "residential", "tariff": "bj-res"}],
           "tariffs": [root + "/examples/tariffs/bj-res.json"]}, open(t + "/d.json", "w"))
PY
# the first cycle of a new store also reads each meter's boundary and settlement freezes
# (once a month in service): the cycle measured is the next one
"$BUILD"/gridledger -c "$T/d.json" poll --once --json >/dev/null 2>"$T/err"
t0=$(date +%s%N)
"$BUILD"/gridledger -c "$T/d.json" poll --once --json >"$T/out.json" 2>"$T/err"
wall_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
python3 - "$T/out.json" "$wall_ms" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); wall = int(sys.argv[2])
b = d["buses"][0]; ok = sum(r["status"] == "ok" and r.get("source") == "live" for r in d["readings"])
print("| meters | DL/T 645 poll --once over a 2400-baud pty (metersim), 10 DLT645-1P (5 without the block): bus frame time per meter | %.0f | ms (%d requests, %d ok) | wall per meter %.0f ms | %.2f |"
      % (b["frame_ms"] / 10, b["requests"], ok, wall / 10, wall / max(b["frame_ms"], 1)))
PY
