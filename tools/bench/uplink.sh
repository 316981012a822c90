#!/bin/bash
# uplink.sh: starts mosquitto (TLS listener with client certificates, and a
# plain one) with test certificates and runs build/bench/bench_uplink; then
# the backlog drain of `gridledger uplink-test`: BENCH_UPLINK_BACKLOG
# (100,000) messages committed with --offline, then drained to PUBACK
# through TLS and through plain TCP (each from a copy of the same
# database), timed, with the peak RSS of the draining process.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
source tests/integration/lib/uplink_env.sh
command -v mosquitto >/dev/null || { echo "| uplink | (mosquitto not installed) | | | | |"; exit 0; }
T=$(mktemp -d /tmp/gl-bench-uplink.XXXXXX)
trap 'uplink_broker_stop "$T"; rm -rf "$T"' EXIT
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

# measure CMD...: runs CMD; prints "SECONDS PEAK_RSS_KIB RC LAST_STDOUT_LINE".
measure() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
dt = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
last = (r.stdout.strip().splitlines() or [""])[-1]
print("%.3f %d %d %s" % (dt, rss, r.returncode, last))
PY
}

read -r secs rss rc _ < <(measure "$GL" uplink-test --db "$T/backlog.db" "${GW[@]}" "${TLS[@]}" --enqueue "$N" --offline)
if [ "$rc" -ne 0 ]; then echo "| uplink | backlog of $N: enqueue failed | | | | |"; exit 1; fi
awk -v n="$N" -v s="$secs" 'BEGIN { printf "| uplink | backlog: commit %d messages (uplink-test --offline) | %.1f | s | | |\n| uplink | backlog commit rate | %.0f | msg/s | | |\n", n, s, n / s }'
for mode in tls plain; do
    cp "$T/backlog.db" "$T/drain-$mode.db"
    if [ "$mode" = tls ]; then args=("${TLS[@]}"); name="TLS 1.2"; else args=(--port "$Q" --plain); name="plain TCP"; fi
    read -r secs rss rc last < <(measure "$GL" uplink-test --db "$T/drain-$mode.db" "${GW[@]}" "${args[@]}" \
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
done
