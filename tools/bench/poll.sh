#!/bin/bash
# Wall time of `gridledger poll --once` for 1,000 TCP meters (5 ports of 200
# unit ids on metersim), with mbpoll reading the import register of 100 of
# the same meters as the peer (scaled to 1,000); peak RSS; requests.
set -u
BUILD=${BUILD:-build}
T=$(mktemp -d)
P=$((30000 + RANDOM % 20000))
args=(--seed 3)
for k in 0 1 2 3 4; do args+=(--tcp 127.0.0.1:$((P + k)) --meters SDM120:1-200); done
"$BUILD"/metersim "${args[@]}" >"$T/sim.out" 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do grep -q ready "$T/sim.out" && break; sleep 0.1; done
python3 - "$T" "$P" "$PWD" <<'PY'
import json, sys
t, p, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
buses = [{"name": "tcp%d" % k, "type": "tcp", "host": "127.0.0.1", "port": p + k, "inter_frame_ms": 0} for k in range(5)]
meters = [{"id": "T%d-%d" % (k, i), "bus": "tcp%d" % k, "slave_id": i, "profile": "SDM120", "customer": "C1"}
          for k in range(5) for i in range(1, 201)]
json.dump({"gateway": {"id": "gw-b", "area": "TQ-B"}, "store": {"path": t + "/tcp.db"}, "buses": buses,
           "meters": meters, "customers": [{"id": "C1", "name": "x", "class": "residential", "tariff": "bj-res"}],
           "tariffs": [root + "/examples/tariffs/bj-res.json"]}, open(t + "/tcp.json", "w"))
PY
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
t0=$(date +%s%N)
/usr/bin/time -f %M -o "$T/rss" "$BUILD"/gridledger -c "$T/tcp.json" poll --once --json >"$T/tcp.out"
tcp_ms=$(ms "$t0")
t0=$(date +%s%N)
for i in $(seq 1 100); do mbpoll -m tcp -p "$P" -a "$i" -t 3:float -B -r 73 -c 1 -1 127.0.0.1 >/dev/null 2>&1; done
mb_ms=$(( $(ms "$t0") * 10 ))
req=$(grep -o '"requests": [0-9]*' "$T/tcp.out" | awk '{s+=$2} END {print s+0}')
echo "| meters | poll --once, 1000 SDM120 over TCP (5 ports), all quantities | $tcp_ms | ms wall | mbpoll, import only, x1000: $mb_ms ms | $(awk -v a="$tcp_ms" -v b="$mb_ms" 'BEGIN {printf "%.3f", a / (b > 0 ? b : 1)}') |"
echo "| meters | requests per cycle, 1000 TCP meters | $req | requests | 1000 meters | $(awk -v a="$req" 'BEGIN {printf "%.2f", a / 1000}') |"
echo "| meters | peak RSS, poll --once 1000 meters | $(tail -1 "$T/rss") | KiB | | |"
