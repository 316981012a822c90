#!/bin/bash
# Power loss, whole gateway: `gridledger run` on a simulated clock (100,000x)
# polls 20 metersim meters over Modbus TCP, closes billing cycles and sends
# everything to a real mosquitto, while `pay` takes payments beside it; the
# daemon is killed with SIGKILL at random moments of its work KILLS times (default 200;
# 80 in the sanitized build, where each start costs seconds: the same checks hold)
# and restarted where the clock has got to. Afterwards: integrity_check ok;
# every reading committed before each kill is still there (the (meter, ts)
# of `db export readings --csv` after each kill are all in the next one's,
# and the last in the final store's: routine readings are not rows of the
# table, see lib/readings.sh); no bill,
# ledger entry or payment twice; each bill posted with its ledger debt and
# its message; the messages received plus those still queued are exactly
# 1..last seq (no gap, nothing lost).
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
GL=$ROOT/${BUILD:-build}/gridledger
SIM=$ROOT/${BUILD:-build}/metersim
KILLS_DEFAULT=200
[ "${SANITIZE:-0}" = 1 ] && KILLS_DEFAULT=80
KILLS=${KILLS:-$KILLS_DEFAULT}
SPEED=100000
. tests/integration/lib/tap.sh
. tests/integration/lib/readings.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
t=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$t"; }
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap "kill \${pids[*]} 2>/dev/null" EXIT
export TZ=Asia/Shanghai
mp=$(free_port); bp=$(free_port)
S0=$(date -d 2026-01-25T00:00 +%s)
R0=${EPOCHREALTIME/./} # microseconds
"$SIM" --tcp 127.0.0.1:$mp --meters SDM120:1-20@2000 --meters DTSU666:21@45000 --start "$S0" --speed $SPEED \
    >"$t/sim.log" 2>&1 &
pids+=($!)
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$bp" >"$t/mq.conf"
mosquitto -c "$t/mq.conf" >"$t/mq.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$bp") 2>/dev/null && break; sleep 0.05; done # the broker listens
mosquitto_sub -h 127.0.0.1 -p "$bp" -t 'gl/v1/#' -q 1 -v >"$t/sub.out" 2>/dev/null &
pids+=($!)
python3 - "$t" "$mp" "$bp" "$ROOT" <<'PY'
import json, sys
t, mp, bp, root = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
meters = [{"id": "M-%02d" % i, "bus": "lan", "slave_id": i, "profile": "SDM120", "customer": "C-%02d" % i} for i in range(1, 21)]
meters.append({"id": "M-AREA", "bus": "lan", "slave_id": 21, "profile": "DTSU666", "role": "area_summary"})
json.dump({
  "gateway": {"id": "gw-crash", "area": "TQ-CRASH", "timezone": "Asia/Shanghai"},
  "store": {"path": "gl.db", "compact_after_days": 3650},
  "schedule": {"poll_interval_s": 900, "status_interval_s": 3600},
  "buses": [{"name": "lan", "type": "tcp", "host": "127.0.0.1", "port": mp, "timeout_ms": 1000, "inter_frame_ms": 0}],
  "meters": meters,
  "customers": [{"id": "C-%02d" % i, "name": "customer %d" % i, "class": "residential", "grid": "G-1",
                 "tariff": "bj-res", "payment": "postpaid"} for i in range(1, 21)],
  "tariffs": [root + "/examples/tariffs/bj-res.json"],
  "billing": {"cycle_day": 1, "due_days": 15},
  "uplink": {"host": "127.0.0.1", "port": bp, "tls": False, "hmac_key": "gw.hmac"}
}, open(t + "/gl.json", "w"), indent=1)
PY
cd "$t"
printf '%064d\n' 5 >gw.hmac && chmod 600 gw.hmac
simnow() { echo $((S0 + (${EPOCHREALTIME/./} - R0) * SPEED / 1000000)); } # the clock both run on, without a python start a kill
# last_seq: the uplink seq last queued; a poll queues its readings message once they are committed
last_seq() { sqlite3 -cmd ".timeout 1000" gl.db "SELECT coalesce(max(val), 0) FROM kv WHERE key = 'outbox.last_seq'" 2>/dev/null || echo 0; }
# snapshot: the (meter, ts) of every reading now stored (the daemon dead); a reading of the
# previous snapshot missing from it counts as lost
snapshots=0 lost=0 unreadable=0
: >keys.prev
snapshot() {
    snapshots=$((snapshots + 1))
    if ! readings_keys "$GL" gl.json >keys.now 2>>export.err; then
        unreadable=$((unreadable + 1))
        return
    fi
    [ -z "$(LC_ALL=C comm -23 keys.prev keys.now | head -1)" ] || lost=$((lost + 1))
    mv keys.now keys.prev
}
RANDOM=7
for i in $(seq 1 "$KILLS"); do
    start=$(date -d @"$(simnow)" +%Y-%m-%dT%H:%M)
    "$GL" -c gl.json run --clock sim --start "$start" --speed $SPEED 2>>daemon.log &
    gp=$!
    if [ $((i % 5)) -eq 0 ]; then # a payment at the counter beside the daemon, sometimes a repeated one
        ref=R-$((i % 15 == 0 ? i - 5 : i))
        "$GL" -c gl.json pay C-$(printf %02d $((i % 20 + 1))) 50.00 --ref "$ref" --date 2026-02-01 >>pay.log 2>&1
    fi
    before=$(last_seq) # after the payment's own message
    # the kill falls at a random moment of the daemon's work, counted from its first committed
    # poll: under load a sanitized start alone could outlast a window counted from the launch
    for _ in $(seq 250); do
        [ "$(last_seq)" -gt "$before" ] && break
        kill -0 $gp 2>/dev/null || break
        sleep 0.02
    done
    sleep "0.$((RANDOM % 3))$((RANDOM % 10))$((RANDOM % 10))"
    kill -9 $gp 2>/dev/null
    wait $gp 2>/dev/null
    snapshot
done
# one last clean run to let the outbox drain
now=$(simnow) # computed before the job starts: a subshell still expanding would run the EXIT trap when killed
start=$(date -d @"$now" +%Y-%m-%dT%H:%M); until=$(date -d @$((now + 600)) +%Y-%m-%dT%H:%M)
timeout 60 "$GL" -c gl.json run --clock sim --start "$start" --speed 1 --until "$until" 2>>daemon.log &
gp=$!
for _ in $(seq 300); do
    [ "$(sqlite3 gl.db 'SELECT count(*) FROM outbox' 2>/dev/null)" = 0 ] && break
    sleep 0.1
done
kill $gp 2>/dev/null; wait $gp 2>/dev/null
# until the subscriber has written what the broker delivered (at most 10 s)
last=$(sqlite3 gl.db "SELECT val FROM kv WHERE key='outbox.last_seq'")
for _ in $(seq 100); do grep -q "\"seq\":\s*$last\b" sub.out && break; sleep 0.1; done
q() { sqlite3 -batch gl.db "$@"; }
snapshot # the final store against the last kill's
readings_snapshot "$GL" gl.json final.db || notok "the final store's readings cannot be exported"
r() { sqlite3 -batch final.db "$@"; }
readings=$(r 'SELECT count(*) FROM readings'); bills=$(q 'SELECT count(*) FROM bills')
periods=$(q 'SELECT count(DISTINCT period) FROM bills')
if [ "$readings" -gt 1000 ] && [ "$periods" -ge 1 ]; then
    ok "$KILLS kills: $readings readings, $bills bills over $periods billing periods, $(q 'SELECT val FROM kv WHERE key="outbox.last_seq"') messages"
else
    notok "too little work between kills: $readings readings, $periods periods"
fi
check "integrity_check" "$(q 'PRAGMA integrity_check')" ok
check "every reading committed before a kill is still there ($snapshots snapshots, $unreadable not exported)" \
    "$lost $unreadable" "0 0"
[ -s export.err ] && sed 's/^/# /' export.err | head -5
check "no reading stored twice" "$(r 'SELECT count(*) FROM (SELECT 1 FROM readings GROUP BY meter, ts HAVING count(*) > 1)')" 0
check "no bill twice" "$(q "SELECT count(*) - count(DISTINCT customer || '/' || period) FROM bills")" 0
check "every bill posted with its ledger debt" "$(q "SELECT count(*) FROM ledger WHERE kind = 'bill'")" "$bills"
check "no ledger reference twice" "$(q 'SELECT count(*) - count(DISTINCT kind || ref) FROM ledger WHERE ref IS NOT NULL')" 0
check "payments: one per reference" "$(q "SELECT count(*) FROM ledger WHERE kind='payment'")" "$(grep -c '^recorded' pay.log)"
last=$(q "SELECT val FROM kv WHERE key='outbox.last_seq'")
python3 - "$last" <<'PY' >seqcheck
import re, sqlite3, sys
last = int(sys.argv[1])
got = set(int(m) for m in re.findall(r'"seq":\s*(\d+)', open("sub.out").read()))
queued = set(r[0] for r in sqlite3.connect("gl.db").execute("SELECT seq FROM outbox"))
missing = sorted(set(range(1, last + 1)) - got - queued)
bills_up = len(set(int(m) for m in re.findall(r'gl/v1/gw-crash/bills \{[^\n]*?"seq":\s*(\d+)', open("sub.out").read())))
bills_q = sqlite3.connect("gl.db").execute("SELECT count(*) FROM outbox WHERE kind='bills'").fetchone()[0]
print(len(missing), len(got), len(queued), bills_up + bills_q)
PY
read -r missing got queued billmsgs <seqcheck
check "seq 1..$last: received ($got) + still queued ($queued), no gap" "$missing" 0
check "one bills message per bill" "$billmsgs" "$bills"
