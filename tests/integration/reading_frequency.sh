#!/bin/bash
# reading_frequency: a grade's reading interval is followed by the poller.
# A large customer (400 kVA) with a confirmed theft is graded C; its
# measure reads it every 15 minutes (`grades --json`: reading.poll_interval_s
# 900). The daemon (simulated clock, metersim over Modbus TCP) polls every
# meter at the gateway's hourly poll_interval_s until the yearly grading of
# 1 January 03:00 stores the grade; from then on the large customer's meter
# is read every 15 minutes while the residential customer's stays hourly.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
GL=$PWD/$BUILD/gridledger
SIM=$PWD/$BUILD/metersim
. tests/integration/lib/broker.sh # free_port
. tests/integration/lib/readings.sh
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1"; echo "# got:  $2"; echo "# want: $3"; fi; }
t=$(mktemp -d /tmp/reading_frequency.XXXXXX)
SIMPID=
trap '[ -n "$SIMPID" ] && kill $SIMPID 2>/dev/null; wait 2>/dev/null; rm -rf "$t"' EXIT
MP=$(free_port)
python3 - "$t" "$MP" "$PWD" <<'PY'
import json, sys
t, mp, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
json.dump({
  "gateway": {"id": "gw-0001", "area": "TQ-0001", "timezone": "UTC"},
  "store": {"path": "gl.db"}, "schedule": {"poll_interval_s": 3600},
  "buses": [{"name": "lan", "type": "tcp", "host": "127.0.0.1", "port": mp, "timeout_ms": 1000}],
  "meters": [{"id": "M-L01", "bus": "lan", "slave_id": 1, "profile": "generic", "customer": "C-L01"},
             {"id": "M-0001", "bus": "lan", "slave_id": 2, "profile": "generic", "customer": "C-0001"}],
  "customers": [{"id": "C-L01", "name": "Steel Works", "class": "industrial", "tariff": "bj-res", "capacity_kva": "400"},
                {"id": "C-0001", "name": "Zhang San", "class": "residential", "tariff": "bj-res"}],
  "tariffs": [root + "/examples/tariffs/bj-res.json"],
  "billing": {"cycle_day": 1, "due_days": 15}}, open(t + "/gl.json", "w"), indent=1)
PY
cd "$t"
"$GL" -c gl.json db check >/dev/null || notok "gateway store"
sqlite3 gl.db "INSERT INTO ledger(customer, date, kind, amount_fen, ref) VALUES ('C-L01', '2025-06-10', 'theft', 0, 'T-1'),
  ('C-0001', '2025-01-01', 'bill', 10000, 'B-1'), ('C-0001', '2025-01-10', 'payment', 10000, 'P-1');"
iv() { "$GL" -c gl.json grades --date 2026-01-01 --json | python3 -c 'import json,sys
r={c["customer"]: c for c in json.load(sys.stdin)["customers"]}
print(r[sys.argv[1]]["grade"], r[sys.argv[1]]["measures"]["reading"]["poll_interval_s"])' "$1"; }
check "grades --json: the large customer graded C is to be read every 900 s" "$(iv C-L01)" "C 900"
check "grades --json: the residential customer at the gateway's interval (0)" "$(iv C-0001)" "B 0"
S0=2025-12-31T23:00
SPEED=3000
[ "${SANITIZE:-0}" = 1 ] && SPEED=1500
"$SIM" --tcp 127.0.0.1:$MP --meters generic:1-2@1000 --start "$(date -u -d "$S0" +%s)" --speed $SPEED >sim.log 2>&1 & SIMPID=$!
sleep 0.5
"$GL" -c gl.json run --clock sim --start $S0 --speed $SPEED --until 2026-01-01T09:00 >daemon.log 2>&1
check "the daemon ran to --until" "$?" 0
check "the yearly grading stored the 900 s reading interval" \
    "$(sqlite3 gl.db "SELECT json_extract(explanation, '$.measures.reading.poll_interval_s') FROM grades WHERE customer = 'C-L01'")" 900
# the readings through `db export readings --csv` (routine ones are not rows of the table)
readings_snapshot "$GL" gl.json readings.db || notok "the readings cannot be exported"
count() { sqlite3 readings.db "SELECT count(*) FROM readings WHERE meter = '$1' AND status = 0 AND ts >= $(date -u -d "$2" +%s) AND ts < $(date -u -d "$3" +%s)"; }
check "before the grading both meters are read hourly (00:00-03:00: 3 readings each)" \
    "$(count M-L01 2026-01-01T00:00 2026-01-01T03:00) $(count M-0001 2026-01-01T00:00 2026-01-01T03:00)" "3 3"
check "after it the C-graded large customer's meter every 15 minutes, the other hourly (04:00-09:00: 20 and 5)" \
    "$(count M-L01 2026-01-01T04:00 2026-01-01T09:00) $(count M-0001 2026-01-01T04:00 2026-01-01T09:00)" "20 5"
echo "1..$n"
