#!/bin/bash
# uplink_outage.sh: the outages of issue 7 against Debian's mosquitto (TLS,
# client certificates, ACL; tests/integration/lib/uplink_env.sh):
#  1. the broker stopped and restarted ten times while the gateway produces
#     and sends messages (uplink-test --rate);
#  2. the broker down for a simulated day: the gateway keeps queueing a day
#     of one-minute messages (--now/--ts-step give timestamps 24 h apart),
#     then everything arrives in seq order once the broker is back.
# The back office subscriber must see seq 1..N of each gateway, first
# occurrences in order, no gap (duplicates allowed: it dedupes by seq).
# Every wait is a poll loop with a generous bound (slow CI under ASan).
# The broker is stopped with SIGTERM: mosquitto saves its persistent
# sessions then; after a SIGKILL it would lose what it PUBACKed since its
# last autosave, which is the broker's durability, not the gateway's.
set -u
cd "$(dirname "$0")/../.."
GL=$PWD/${BUILD:-build}/gridledger
source tests/integration/lib/uplink_env.sh
. tests/integration/lib/tap_eval.sh

command -v mosquitto >/dev/null || { echo "ok 1 - # SKIP mosquitto not installed"; exit 0; }
T=
SUB_PID= GWP=
cleanup() {
    [ -n "$GWP" ] && kill -KILL "$GWP" 2>/dev/null
    [ -n "$SUB_PID" ] && kill "$SUB_PID" 2>/dev/null
    uplink_broker_stop "$T"
    rm -rf "$T"
}
trap cleanup EXIT
uplink_test_start uplink-outage
check "mosquitto with a TLS 1.2 listener, client certificates required" '[ -s "$T/mosquitto.pid" ]'


# wait_until SECONDS CMD...: polls CMD every 0.1 s; 1 when time runs out.
wait_until() {
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        [ "$SECONDS" -ge "$end" ] && return 1
        sleep 0.1
    done
}
count() { grep -c "$2" "$1" 2>/dev/null || true; } # FILE PATTERN
more_than() { [ "$(count "$1" "$2")" -gt "$3" ]; }   # FILE PATTERN N
at_least() { [ "$(count "$1" "$2")" -ge "$3" ]; }    # FILE PATTERN N
depth() { sqlite3 -cmd '.timeout 5000' "$1" 'SELECT count(*) FROM outbox' 2>/dev/null || echo -1; }
depth_at_least() { [ "$(depth "$1")" -ge "$2" ]; }
alive() { kill -0 "$1" 2>/dev/null; }

# The back office's subscriber: persistent session, QoS 1; libmosquitto
# reconnects by itself, and it is started again should it ever exit.
sub_start() {
    mosquitto_sub "${BO[@]}" -i bo-outage -c -q 1 -t 'gl/v1/+/readings' -v >>"$T/sub.out" 2>>"$T/sub.err" &
    SUB_PID=$!
}
sub_ensure() { alive "$SUB_PID" || sub_start; }
: >"$T/sub.out"
sub_start
wait_until 60 at_least "$T/mosquitto.log" ' as bo-outage ' 1
check "back office subscriber connected" 'alive "$SUB_PID"'

# seq_check GATEWAY N: the subscriber got seq 1..N of GATEWAY's readings,
# first occurrences in order, and their ts never go back; prints
# "distinct duplicates first_ts last_ts".
seq_check() {
    python3 - "$T/sub.out" "$1" "$2" <<'PY'
import json, sys
path, gw, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
seen, order, ts, dups = set(), [], [], 0
for line in open(path, encoding="utf-8", errors="replace"):
    topic, _, payload = line.rstrip("\n").partition(" ")
    if topic != "gl/v1/%s/readings" % gw:
        continue
    m = json.loads(payload)
    if m["seq"] in seen:
        dups += 1
        continue
    seen.add(m["seq"]); order.append(m["seq"]); ts.append(m["ts"])
print(len(seen), dups, ts[0] if ts else 0, ts[-1] if ts else 0)
good = order == sorted(order) and seen == set(range(1, n + 1)) and ts == sorted(ts)
sys.exit(0 if good else 1)
PY
}

# 1. Ten restarts of the broker while the gateway produces N messages at
#    RATE a second (so the run outlasts the restarts on any machine): each
#    cycle waits for messages to flow through the broker to the subscriber,
#    stops the broker, waits for the gateway to notice, starts it again.
N=4000
RATE=100
"$GL" uplink-test --db "$T/gw1.db" "${GW1[@]}" "${TLS[@]}" --enqueue "$N" --rate "$RATE" --window 8 --drain \
    --timeout 900 >"$T/run1.out" 2>"$T/run1.err" &
GWP=$!
restarts=0
conns=0
for i in $(seq 10); do
    # the gateway on this broker instance first: the subscriber's session
    # alone may bring 20 queued messages after a restart, and a broker
    # stopped before the gateway came back would see no "reconnecting"
    wait_until 180 more_than "$T/mosquitto.log" ' as gw-0001 ' "$conns" || break
    conns=$(count "$T/mosquitto.log" ' as gw-0001 ')
    seen=$(count "$T/sub.out" '^gl/v1/gw-0001/readings ')
    wait_until 180 more_than "$T/sub.out" '^gl/v1/gw-0001/readings ' $((seen + 20)) || break
    alive "$GWP" || break
    lost=$(count "$T/run1.err" 'reconnecting')
    uplink_broker_stop "$T"
    wait_until 60 more_than "$T/run1.err" 'reconnecting' "$lost" || break
    uplink_broker_start "$T" >/dev/null 2>&1 || break
    alive "$GWP" && restarts=$((restarts + 1))
    sub_ensure
done
check "broker stopped and restarted ten times while the gateway was running ($restarts)" '[ "$restarts" -eq 10 ]'
wait "$GWP"
rc=$?
GWP=
check "gateway produced and drained $N messages (rc=$rc): $(tail -1 "$T/run1.out")" \
    '[ $rc -eq 0 ] && [ "$(depth "$T/gw1.db")" -eq 0 ]'
reconnects=$(count "$T/run1.err" 'reconnecting')
check "the gateway lost the broker and came back each time ($reconnects losses)" '[ "$reconnects" -ge 10 ]'
sub_ensure
wait_until 180 at_least "$T/sub.out" '^gl/v1/gw-0001/readings ' "$N"
res=$(seq_check gw-0001 "$N")
rc=$?
check "subscriber got seq 1..$N in order, no gap (distinct, duplicates, first/last ts: $res)" '[ $rc -eq 0 ]'

# 2. The broker down for a simulated day: gw-0002 runs with no broker and
#    queues a day of one-minute messages (ts T0 .. T0 + 24 h); the broker
#    comes back only when all are in the outbox.
M=1441
T0=1717200000 # 2024-06-01T00:00:00Z
uplink_broker_stop "$T"
"$GL" uplink-test --db "$T/gw2.db" "${GW2[@]}" "${TLS[@]}" --enqueue "$M" --rate 400 --now "$T0" --ts-step 60 \
    --drain --timeout 900 >"$T/run2.out" 2>"$T/run2.err" &
GWP=$!
wait_until 300 depth_at_least "$T/gw2.db" "$M"
queued=$(depth "$T/gw2.db")
failed=$(count "$T/run2.err" 'connect to')
check "broker down: the gateway kept running and queued a day of messages ($queued queued, $failed failed connects)" \
    '[ "$queued" -eq "$M" ] && [ "$failed" -ge 1 ] && alive "$GWP"' || sed 's/^/# gw2: /' "$T/run2.err" | tail -5
span=$(sqlite3 -cmd '.timeout 5000' "$T/gw2.db" 'SELECT max(ts) - min(ts) FROM outbox')
check "queued timestamps span a day ($span s)" '[ "$span" = 86400 ]'
uplink_broker_start "$T" >/dev/null 2>&1
sub_ensure
wait "$GWP"
rc=$?
GWP=
check "broker back: the outbox drained (rc=$rc): $(tail -1 "$T/run2.out")" '[ $rc -eq 0 ] && [ "$(depth "$T/gw2.db")" -eq 0 ]'
wait_until 180 at_least "$T/sub.out" '^gl/v1/gw-0002/readings ' "$M"
res=$(seq_check gw-0002 "$M")
rc=$?
check "subscriber got the day's seq 1..$M in order, no gap, ts in order (distinct, duplicates, first/last ts: $res)" \
    '[ $rc -eq 0 ] && [ "$(cut -d" " -f3 <<<"$res")" = "$T0" ] && [ "$(cut -d" " -f4 <<<"$res")" = $((T0 + 86400)) ]'
[ "$n" -gt 0 ] || echo "not ok 1 - nothing ran"
