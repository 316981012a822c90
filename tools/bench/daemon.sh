#!/bin/bash
# The daemon polling 1,000 meters: `gridledger run` on a simulated clock
# against metersim (5 Modbus TCP ports x 200 SDM120 unit ids, the config of
# poll.sh), compared in the same run with the one-shot poller `gridledger
# poll --once` on the same config.
#
# How: the daemon runs with poll_interval_s 1 on a clock BENCH_DAEMON_SPEED
# (600) times real time from 03:00 to 03:00 + BENCH_DAEMON_SIM_S (4 h) of a
# mid-month day (no calendar job is due in that window; no uplink section),
# so every poll is overdue when the one before ends: the cycles run back to
# back and the daemon never sleeps. metersim runs on the same simulated
# clock, so energies rise as the daemon's time says.
#   wall per cycle: (ts of the last cycle - ts of the first) / speed / (cycles - 1),
#                   from the readings' simulated time stamps (start-up excluded);
#   CPU per cycle:  user + system time of the whole run (/usr/bin/time) / cycles;
#   peak RSS:       the daemon's maximum resident set (/usr/bin/time %M).
# The peer runs BENCH_DAEMON_PEER (3) times; its median wall time is shown.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
GL=$BUILD/gridledger
SPEED=${BENCH_DAEMON_SPEED:-600}
SIM_S=${BENCH_DAEMON_SIM_S:-14400}
PEER=${BENCH_DAEMON_PEER:-3}
T=$(mktemp -d)
SIM=
trap '[ -n "$SIM" ] && kill $SIM 2>/dev/null; rm -rf "$T"' EXIT
export TZ=Asia/Shanghai
. tests/integration/lib/readings.sh
START=2026-01-15T03:00
S0=$(date -d "$START" +%s)
UNTIL=$(date -d @$((S0 + SIM_S)) +%Y-%m-%dT%H:%M:%S)
P=$(/usr/bin/python3 -c 'import socket
for p in range(30000 + __import__("random").randrange(20000), 65000):
    ok = True
    for k in range(5):
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try: s.bind(("127.0.0.1", p + k))
        except OSError: ok = False
        s.close()
    if ok: print(p); break')
args=(--seed 3 --start "$S0" --speed "$SPEED")
for k in 0 1 2 3 4; do args+=(--tcp 127.0.0.1:$((P + k)) --meters SDM120:1-200); done
"$BUILD"/metersim "${args[@]}" >"$T/sim.out" 2>&1 &
SIM=$!
for _ in $(seq 50); do grep -q ready "$T/sim.out" && break; sleep 0.1; done
/usr/bin/python3 - "$T" "$P" "$PWD" <<'PY'
import json, sys
t, p, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
buses = [{"name": "tcp%d" % k, "type": "tcp", "host": "127.0.0.1", "port": p + k, "inter_frame_ms": 0} for k in range(5)]
meters = [{"id": "T%d-%d" % (k, i), "bus": "tcp%d" % k, "slave_id": i, "profile": "SDM120", "customer": "C1"}
          for k in range(5) for i in range(1, 201)]
json.dump({"gateway": {"id": "gw-b", "area": "TQ-B", "timezone": "Asia/Shanghai"}, "store": {"path": t + "/d.db"},
           "schedule": {"poll_interval_s": 1, "status_interval_s": 3600}, "buses": buses, "meters": meters,
           "customers": [{"id": "C1", "name": "x", "class": "residential", "tariff": "bj-res"}],
           "tariffs": [root + "/examples/tariffs/bj-res.json"]}, open(t + "/d.json", "w"))
PY
fail() { echo "| daemon | $1 | | | | |"; exit 1; }

# the daemon; the simulated clock is the daemon's own: started when it starts
/usr/bin/time -f '%e %U %S %M' -o "$T/run.time" "$GL" -c "$T/d.json" run --clock sim --start "$START" \
    --speed "$SPEED" --until "$UNTIL" 2>"$T/run.err" || fail "run failed: $(tail -1 "$T/run.err")"
read -r run_wall run_user run_sys run_rss <"$T/run.time"
# the readings through `db export readings --csv` (routine ones are not rows of the table)
readings_snapshot "$GL" "$T/d.json" "$T/r.db" || fail "the readings cannot be exported"
read -r cycles ts0 ts1 bad < <(sqlite3 -separator ' ' "$T/r.db" \
    "SELECT count(DISTINCT ts), min(ts), max(ts), (SELECT count(*) FROM readings WHERE status != 0) FROM readings")
[ "${cycles:-0}" -ge 3 ] || fail "run: only ${cycles:-0} poll cycles"
n=$(sqlite3 "$T/r.db" 'SELECT count(*) FROM readings')
# flash: what SQLite wrote through the store's counting VFS over the run
# (kv store.bytes_written, saved at close), per poll cycle
wrote=$(sqlite3 "$T/d.db" "SELECT val FROM kv WHERE key = 'store.bytes_written'")

# the peer: poll --once on the same config (and the same store)
for i in $(seq 1 "$PEER"); do
    /usr/bin/time -f '%e %U %S %M' -o "$T/peer.$i" "$GL" -c "$T/d.json" poll --once --json >"$T/peer.out" 2>&1 ||
        fail "poll --once failed"
    cat "$T/peer.$i"
done | sort -n | awk -v k=$(((PEER + 1) / 2)) 'NR == k' >"$T/peer.time"
read -r peer_wall peer_user peer_sys peer_rss <"$T/peer.time"

awk -v c="$cycles" -v ts0="$ts0" -v ts1="$ts1" -v sp="$SPEED" -v rw="$run_wall" -v ru="$run_user" -v rs="$run_sys" \
    -v rr="$run_rss" -v pw="$peer_wall" -v pu="$peer_user" -v ps="$peer_sys" -v pr="$peer_rss" -v n="$n" -v bad="$bad" \
    -v np="$PEER" -v wrote="${wrote:-0}" 'BEGIN {
    wall = (ts1 - ts0) / sp / (c - 1) * 1000; cpu = (ru + rs) / c * 1000
    pwall = pw * 1000; pcpu = (pu + ps) * 1000
    printf "| daemon | run, 1000 SDM120 over TCP (5 ports x 200), wall per poll cycle (%d cycles back to back, %d readings, %d not ok) | %.0f | ms | poll --once, same config (median of %d): %.0f ms | %.2f |\n", c, n, bad, wall, np, pwall, wall / pwall
    printf "| daemon | run, CPU (user+sys) per poll cycle | %.0f | ms | poll --once: %.0f ms | %.2f |\n", cpu, pcpu, cpu / (pcpu > 0 ? pcpu : 1)
    printf "| daemon | run, peak RSS over %d cycles (max RSS, /usr/bin/time) | %d | KiB | poll --once: %d KiB | %.2f |\n", c, rr, pr, rr / pr
    printf "| daemon | run, wall of the whole run / cycles (start-up and stop included) | %.0f | ms | | |\n", rw / c * 1000
    printf "| daemon | run, bytes SQLite wrote per poll cycle (counting VFS, start-up included), x 96 cycles = a day at 15 min without compaction | %.1f | MB/day | limit with compaction: 10 MB/day | %.2f |\n", wrote / c * 96 / 1048576, wrote / c * 96 / 1048576 / 10
}'

# The same run on aarch64 under qemu-user: the cross build (tools/cross.sh
# build aarch64, BENCH_CROSS_BUILD), a fresh store, BENCH_DAEMON_QEMU_S (4 h)
# of simulated time. qemu's own memory (its translator, the translated code)
# is not the gateway's, so the guest's resident set is counted: the pages of
# the mappings in the guest's address space (qemu-user places the guest
# below 1 TiB, its own mappings lie above), sampled every 0.1 s, the largest
# sum shown; qemu's whole peak RSS is given beside it.
XB=${BENCH_CROSS_BUILD:-build-cross-aarch64}
QSIM_S=${BENCH_DAEMON_QEMU_S:-14400}
guest_rss_kib() { # the guest's resident KiB in qemu process $1
    awk '/^[0-9a-f]+-[0-9a-f]+ / { split($1, a, "-"); guest = length(a[1]) <= 10 }
         /^Rss:/ && guest { s += $2 } END { print s + 0 }' "/proc/$1/smaps" 2>/dev/null
}
if [ -x "$XB/gridledger" ] && command -v qemu-aarch64 >/dev/null && [ -d sysroot/aarch64 ]; then
    sed "s|$T/d.db|$T/q.db|" "$T/d.json" >"$T/q.json"
    QUNTIL=$(date -d @$((S0 + QSIM_S)) +%Y-%m-%dT%H:%M:%S)
    QEMU_LD_PREFIX=$PWD/sysroot/aarch64 /usr/bin/time -f '%M' -o "$T/q.time" qemu-aarch64 "$XB/gridledger" \
        -c "$T/q.json" run --clock sim --start "$START" --speed "$SPEED" --until "$QUNTIL" 2>"$T/q.err" &
    QT=$!
    peak=0
    while kill -0 $QT 2>/dev/null; do
        q=$(pgrep -P $QT -x qemu-aarch64 | head -1)
        k=$([ -n "$q" ] && guest_rss_kib "$q" || echo 0)
        [ "${k:-0}" -gt "$peak" ] && peak=$k
        sleep 0.1
    done
    wait $QT || fail "qemu run failed: $(tail -1 "$T/q.err")"
    readings_snapshot "$GL" "$T/q.json" "$T/rq.db" || fail "the qemu run's readings cannot be exported"
    qc=$(sqlite3 "$T/rq.db" 'SELECT count(DISTINCT ts) FROM readings')
    printf "| daemon | run on aarch64 under qemu-user (%s cycles), the guest's peak resident set (sampled every 0.1 s; qemu's whole process: %s KiB) | %d | KiB | x86_64 native, same run: %d KiB | %.2f |\n" \
        "$qc" "$(cat "$T/q.time")" "$peak" "$run_rss" "$(awk -v a="$peak" -v b="$run_rss" 'BEGIN { print a / b }')"
else
    echo "| daemon | run on aarch64 under qemu-user | (skipped: no $XB/gridledger, qemu-aarch64 or sysroot/aarch64; tools/cross.sh build aarch64) | | | |"
fi
