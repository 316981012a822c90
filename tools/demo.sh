#!/bin/bash
# make demo: one transformer area for 13 months, in about two minutes.
#
# metersim simulates the area's 323 meters over Modbus TCP; the gateway runs
# on a simulated clock (2025-01-01 to 2026-02-01) and polls, bills, grades,
# chases arrears, controls prepaid supply and reports over MQTT/TLS to a local
# mosquitto; tools/demo/bank.py takes payments at the gateway's counter as
# each customer's behaviour says; the back office ingests everything. At the
# end the demo prints a summary from the gateway and checks it against the
# back office's reports. Everything is left in demo-out/ (see README).
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
GL=$ROOT/$BUILD/gridledger
BO=$ROOT/$BUILD/gridledger-backoffice
SIM=$ROOT/$BUILD/metersim
OUT=${DEMO_OUT:-$ROOT/demo-out}
START=${DEMO_START:-2025-01-01}
UNTIL=${DEMO_UNTIL:-2026-02-01T12:00}
SPEED=${DEMO_SPEED:-400000}
export TZ=Asia/Shanghai

pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -f "$OUT/pki/mosquitto.pid" ] && kill "$(cat "$OUT/pki/mosquitto.pid")" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
say() { printf '%s\n' "$*"; }

rm -rf "$OUT"
mkdir -p "$OUT"
say "== gridledger demo: transformer area TQ-DEMO-01, $START to ${UNTIL%T*}, clock x$SPEED (output in demo-out/)"
source tests/integration/lib/uplink_env.sh
source tests/integration/lib/readings.sh # the gateway's readings through `db export readings --csv`
uplink_certs "$OUT/pki" >/dev/null 2>&1
bport=$(free_port); pa=$(free_port); pb=$(free_port)
uplink_broker_conf "$OUT/pki" "$bport" server
uplink_broker_start "$OUT/pki" >/dev/null 2>&1
say "-- mosquitto with TLS 1.2, client certificates and a per-gateway ACL on port $bport"
/usr/bin/python3 tools/demo/area.py "$OUT" "$bport" "$pa" "$pb" "$OUT/pki" "$(uplink_bo_port "$OUT/pki")"
"$GL" -c "$OUT/gridledger.json" check-config
S0=$(date -d "$START" +%s)
mapfile -t simargs <"$OUT/metersim.args"
"$SIM" "${simargs[@]}" --start "$S0" --speed "$SPEED" --seed 7 >"$OUT/metersim.log" 2>&1 &
pids+=($!)
(cd "$OUT" && exec "$BO" -c backoffice.json ingest >"$OUT/ingest.log" 2>&1) &
pids+=($!)
sleep 0.5
say "-- metersim (323 meters on two Modbus TCP endpoints), back office ingest, and the gateway:"
t0=$(date +%s)
"$GL" ${DEMO_GL_FLAGS:-} -c "$OUT/gridledger.json" run --clock sim --start "$START" --speed "$SPEED" --until "$UNTIL" 2>"$OUT/gateway.log" &
gw=$!
/usr/bin/python3 tools/demo/bank.py "$GL" "$OUT/gridledger.json" "$OUT/gateway.db" "$OUT/behaviour.json" "$gw" &
bank=$!
while kill -0 "$gw" 2>/dev/null; do
    sleep 5
    d=$(readings_sql "$GL" "$OUT/gridledger.json" "SELECT datetime(max(ts), 'unixepoch', '+8 hours') FROM readings" 2>/dev/null || true)
    say "   $(($(date +%s) - t0)) s: gateway clock at ${d:-starting}"
done
wait "$gw" || { say "gateway failed: see demo-out/gateway.log"; exit 1; }
wait "$bank" || true
say "-- the gateway stopped at $UNTIL after $(($(date +%s) - t0)) s; waiting for the back office to catch up"
last=$(sqlite3 "$OUT/gateway.db" "SELECT val FROM kv WHERE key='outbox.last_seq'")
left=$(sqlite3 "$OUT/gateway.db" "SELECT count(*) FROM outbox")
# as long as the back office keeps taking messages (a sanitized build ingests
# slowly): given up after 10 s without progress
prev=-1 stall=0
while [ "$stall" -lt 50 ]; do
    got=$(sqlite3 "$OUT/backoffice.db" "SELECT count(*) FROM messages WHERE gateway='gw-0001'" 2>/dev/null || echo 0)
    [ "$got" -ge $((last - left)) ] && break
    if [ "$got" -gt "$prev" ]; then prev=$got stall=0; else stall=$((stall + 1)); fi
    sleep 0.2
done
(cd "$OUT" && "$BO" -c backoffice.json report worklist --xlsx worklist.xlsx --csv worklist-backoffice.csv >/dev/null)
(cd "$OUT" && "$BO" -c backoffice.json report area --csv area-backoffice.csv >/dev/null)
/usr/bin/python3 tools/demo/summary.py "$GL" "$OUT" "$UNTIL"
# the credit-bureau export (docs/bureau.md) of the last whole month
period=$(date -d "${UNTIL%T*} -1 month" +%Y-%m)
(cd "$OUT" && "$BO" -c backoffice.json export credit-bureau --period "$period" --out "bureau-$period.csv" 2>bureau.log)
say "Credit-bureau export (demo-out/bureau-$period.csv): $(tail -1 "$OUT/bureau.log" | sed 's/^gridledger-backoffice: export: //')"

# The operators' console on the demo's back office: a supervisor and the collector of the first
# grid, with a password made for this run (not started here: the demo leaves nothing running).
pw=$(od -An -tx1 -N9 /dev/urandom | tr -d ' \n')
grid=$(sqlite3 "$OUT/backoffice.db" "SELECT grid FROM worklist ORDER BY date DESC, n LIMIT 1")
(cd "$OUT" && echo "$pw" | "$BO" -c backoffice.json user add supervisor --role supervisor >/dev/null &&
    echo "$pw" | "$BO" -c backoffice.json user add collector --role collector --grid "${grid:-G-01}" >/dev/null)
(umask 077; echo "$pw" >"$OUT/console-password.txt")
say "-- the operators' console: (cd demo-out && ../$BUILD/gridledger-backoffice -c backoffice.json serve --listen 127.0.0.1:8443 --cert pki/server.pem --key pki/server.key --static ../tools/backoffice/console)"
say "   then https://localhost:8443/ (certificate of demo-out/pki/ca.pem); log in as supervisor, or collector (grid ${grid:-G-01}), password $pw (demo-out/console-password.txt)"
