#!/bin/bash
# Wall and CPU time of `gridledger poll --once` for 1,000 TCP meters (5 ports
# of 200 unit ids on metersim) against two peers reading the same meters:
# - the fair one: a single-process concurrent poller on a maintained library
#   (tools/bench/poll_pymodbus.py: pymodbus's asyncio client from Debian, one
#   connection per port, the same request per meter: function 4, registers
#   0..87), wall and CPU of the whole process and of its polling loop;
# - mbpoll, one process per meter, import register only, 100 meters scaled
#   to 1,000;
# peak RSS; requests.
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
# wall, user + sys CPU (ms) and peak RSS of a command, from /usr/bin/time
timed() { /usr/bin/time -f "%e %U %S %M" -o "$T/time" "$@"; }
wall_ms() { awk '{printf "%d", $1 * 1000}' "$T/time"; }
cpu_ms() { awk '{printf "%d", ($2 + $3) * 1000}' "$T/time"; }
t0=$(date +%s%N)
timed "$BUILD"/gridledger -c "$T/tcp.json" poll --once --json >"$T/tcp.out"
tcp_ms=$(ms "$t0")
tcp_cpu=$(cpu_ms)
awk '{print $4}' "$T/time" >"$T/rss"
timed /usr/bin/python3 tools/bench/poll_pymodbus.py 127.0.0.1 "$P" 5 1 200 >"$T/py.out"
py_ms=$(wall_ms)
py_cpu=$(cpu_ms)
py_loop=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%d %d %d" % (d["wall_ms"], d["cpu_ms"], d["meters"]))' "$T/py.out")
read -r py_loop_ms py_loop_cpu py_meters <<<"$py_loop"
t0=$(date +%s%N)
for i in $(seq 1 100); do mbpoll -m tcp -p "$P" -a "$i" -t 3:float -B -r 73 -c 1 -1 127.0.0.1 >/dev/null 2>&1; done
mb_ms=$(( $(ms "$t0") * 10 ))
req=$(grep -o '"requests": [0-9]*' "$T/tcp.out" | awk '{s+=$2} END {print s+0}')
echo "| meters | poll --once, 1000 SDM120 over TCP (5 ports), all quantities | $tcp_ms | ms wall | mbpoll, import only, x1000: $mb_ms ms | $(awk -v a="$tcp_ms" -v b="$mb_ms" 'BEGIN {printf "%.3f", a / (b > 0 ? b : 1)}') |"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / (b > 0 ? b : 1)}'; }
echo "| meters | poll --once, 1000 SDM120 over TCP (5 ports), wall / CPU (user+sys) | $tcp_ms / $tcp_cpu | ms | pymodbus asyncio, 1 process, same requests ($py_meters meters): process $py_ms / $py_cpu ms, polling loop $py_loop_ms / $py_loop_cpu ms | wall $(ratio "$tcp_ms" "$py_ms"), CPU $(ratio "$tcp_cpu" "$py_cpu") |"
echo "| meters | requests per cycle, 1000 TCP meters | $req | requests | 1000 meters | $(awk -v a="$req" 'BEGIN {printf "%.2f", a / 1000}') |"
echo "| meters | peak RSS, poll --once 1000 meters | $(tail -1 "$T/rss") | KiB | | |"
