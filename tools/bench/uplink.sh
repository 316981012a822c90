#!/bin/bash
# uplink.sh: starts mosquitto (TLS listener with client certificates, and a
# plain one) with test certificates and runs build/bench/bench_uplink; then
# the backlog drain of `gridledger uplink-test`: BENCH_UPLINK_BACKLOG
# (100,000) messages committed with --offline, then drained to PUBACK
# through TLS and through plain TCP (each from a copy of the same
# database), timed, with the peak RSS of the draining process; the same
# messages (the envelopes the gateway sends) through the same TLS listener
# by `mosquitto_pub -l -q 1`, the peer of the TLS drain; the CPU the
# daemon uses with the broker unreachable (its uplink backing off).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
source tests/integration/lib/uplink_env.sh
command -v mosquitto >/dev/null || { echo "| uplink | (mosquitto not installed) | | | | |"; exit 0; }
T=$(mktemp -d /tmp/gl-bench-uplink.XXXXXX)
trap '[ -n "${GP:-}" ] && kill "$GP" 2>/dev/null; uplink_broker_stop "$T"; rm -rf "$T"' EXIT
uplink_certs "$T"
P=$(uplink_free_port); Q=$(uplink_free_port)
uplink_broker_conf "$T" "$P" server "$Q"
uplink_broker_start "$T" >/dev/null 2>&1 || exit 1
"$BUILD"/bench/bench_uplink "$T" "$P" "$Q" "${BENCH_UPLINK_N:-5000}"

N=${BENCH_UPLINK_BACKLOG:-100000}
WINDOW=${BENCH_UPLINK_WINDOW:-32}
GL=$BUILD/gridledger
GW=(--gateway gw-0001 --host localhost --hmac-key "$T/gw.hmac")
TLS=(--port "$P" --ca "$T/ca.pem" --cert "$T/gw-0001.pem" --key "$T/gw-0001.key")

# measure CMD...: runs CMD; prints "SECONDS PEAK_RSS_KIB RC CPU_SECONDS LAST_STDOUT_LINE".
measure() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
dt = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
last = (r.stdout.strip().splitlines() or [""])[-1]
print("%.3f %d %d %.4f %s" % (dt, ru.ru_maxrss, r.returncode, ru.ru_utime + ru.ru_stime, last))
PY
}

read -r secs rss rc _ _ < <(measure "$GL" uplink-test --db "$T/backlog.db" "${GW[@]}" "${TLS[@]}" --enqueue "$N" --offline)
if [ "$rc" -ne 0 ]; then echo "| uplink | backlog of $N: enqueue failed | | | | |"; exit 1; fi
awk -v n="$N" -v s="$secs" 'BEGIN { printf "| uplink | backlog: commit %d messages (uplink-test --offline) | %.1f | s | | |\n| uplink | backlog commit rate | %.0f | msg/s | | |\n", n, s, n / s }'
for mode in tls plain; do
    cp "$T/backlog.db" "$T/drain-$mode.db"
    if [ "$mode" = tls ]; then args=("${TLS[@]}"); name="TLS 1.2"; else args=(--port "$Q" --plain); name="plain TCP"; fi
    read -r secs rss rc _ last < <(measure "$GL" uplink-test --db "$T/drain-$mode.db" "${GW[@]}" "${args[@]}" \
        --window "$WINDOW" --drain --timeout 3600)
    left=$(sqlite3 "$T/drain-$mode.db" 'SELECT count(*) FROM outbox')
    if [ "$rc" -ne 0 ] || [ "$left" -ne 0 ]; then echo "| uplink | backlog drain, $name: failed ($left left) | | | | |"; continue; fi
    bytes=$(sed -n 's/.*published_bytes=\([0-9]*\).*/\1/p' <<<"$last")
    awk -v n="$N" -v s="$secs" -v b="${bytes:-0}" -v r="$rss" -v m="$name" -v w="$WINDOW" 'BEGIN {
        printf "| uplink | drain a backlog of %d messages to PUBACK, %s, window %d | %.1f | s | | |\n", n, m, w, s
        printf "| uplink | backlog drain rate, %s | %.0f | msg/s | | |\n", m, n / s
        printf "| uplink | backlog drain, MQTT bytes, %s | %.2f | MB/s | | |\n", m, b / s / 1e6
        printf "| uplink | peak RSS of uplink-test draining %d, %s | %.1f | MiB | | |\n", n, m, r / 1024
    }'
    [ "$mode" = tls ] && tls_secs=$secs
done

# the peer: the same envelopes (seq, ts and body as uplink-test's) through
# the same TLS listener by mosquitto_pub -l -q 1, in the same run
if command -v mosquitto_pub >/dev/null && [ -n "${tls_secs:-}" ]; then
    python3 - "$N" >"$T/lines.txt" <<'PY'
import sys, time
ts = int(time.time())
for i in range(1, int(sys.argv[1]) + 1):
    print('{"v":1,"gateway":"gw-0001","seq":%d,"ts":%d,"kind":"readings","body":{"n":%d}}' % (i, ts, i))
PY
    read -r psecs _ prc _ _ < <(measure bash -c "exec mosquitto_pub -h localhost -p $P --cafile $T/ca.pem \
        --cert $T/gw-0001.pem --key $T/gw-0001.key -i bench-pub -q 1 -t gl/v1/gw-0001/readings -l <$T/lines.txt")
    if [ "$prc" -eq 0 ]; then
        awk -v n="$N" -v s="$tls_secs" -v p="$psecs" -v w="$WINDOW" 'BEGIN {
            printf "| uplink | drain %d to PUBACK, TLS 1.2, window %d, vs mosquitto_pub -l -q 1 (same broker, same messages, same run) | %.0f | msg/s | mosquitto_pub: %.0f msg/s | %.2fx |\n", n, w, n / s, n / p, p / s
        }'
    else
        echo "| uplink | mosquitto_pub -l -q 1 of $N messages: failed (exit $prc) | | | | |"
    fi
fi

# CPU while the broker is unreachable: the daemon (`run`, real clock, no
# meters, uplink aimed at a closed port) for BENCH_UPLINK_IDLE_S (5) s after
# its first second; its user + system time from /proc/PID/stat
CLOSED=$(uplink_free_port)
IDLE_S=${BENCH_UPLINK_IDLE_S:-5}
mkdir -p "$T/idle"
cp "$T/gw.hmac" "$T/idle/gw.hmac"
cat >"$T/idle/d.json" <<CONF
{"gateway": {"id": "gw-idle", "area": "TQ-I", "timezone": "Asia/Shanghai"},
 "store": {"path": "d.db"}, "schedule": {"poll_interval_s": 900, "status_interval_s": 3600},
 "buses": [], "meters": [], "customers": [], "tariffs": ["$PWD/examples/tariffs/bj-res.json"],
 "uplink": {"host": "127.0.0.1", "port": $CLOSED, "tls": false, "hmac_key": "gw.hmac"}}
CONF
"$GL" -c "$T/idle/d.json" run 2>"$T/idle/run.err" &
GP=$!
sleep 1
ticks() { awk '{print $14 + $15}' "/proc/$GP/stat" 2>/dev/null || echo 0; }
c0=$(ticks); t0=$(date +%s.%N)
sleep "$IDLE_S"
c1=$(ticks); t1=$(date +%s.%N)
kill -TERM "$GP" 2>/dev/null; wait "$GP" 2>/dev/null; GP=
tries=$(grep -c 'connect to 127.0.0.1' "$T/idle/run.err")
awk -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" -v a="$t0" -v b="$t1" -v n="$tries" 'BEGIN {
    printf "| uplink | CPU of the daemon while the broker is unreachable (%.0f s, %d connection attempts) | %.2f | %% of a core | 0 (was a whole core) | |\n", b - a, n, 100 * c / hz / (b - a)
}'
rm -f "$T"/drain-*.db
