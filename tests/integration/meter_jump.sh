#!/bin/bash
# A meter jump is held out of billing: metersim runs two meters at 1 kW for
# March (simulated clock, the daemon on the same clock); on the 10th M2's
# counter jumps by 1,000,000 kWh (restart with --fault 2:jump:1000000). The
# jump raises a meter_jump alert, that reading and every later one are held
# (not billed), and the March bill of C2 covers the 9 days read plus the
# rest estimated at the meter's rate, "estimated": true, instead of
# 1,000,000+ kWh. `poll --confirm M2` releases the held readings and closes
# the alert. M3 answers NaN from the 10th on (--fault 3:nan): a meter_garbage
# alert goes up and its bill is estimated the same way. Before: only the
# first reading after the jump was flagged and the bill charged 1,000,526 kWh
# = 788,603.06, "estimated": false, with no alert; M3's bill covered 9 days,
# not estimated, with no alert.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib/poll_lib.sh
. tests/integration/lib/readings.sh
P=$(free_port)
SPEED=50000
python3 - "$T" "$P" <<'PY'
import json, os, sys
t, p = sys.argv[1], int(sys.argv[2])
json.dump({"gateway": {"id": "gw-j", "area": "TQ-J", "timezone": "Asia/Shanghai"}, "store": {"path": t + "/gl.db"},
  "schedule": {"poll_interval_s": 3600},
  "buses": [{"name": "lan", "type": "tcp", "host": "127.0.0.1", "port": p, "timeout_ms": 500, "inter_frame_ms": 0}],
  "meters": [{"id": "M%d" % i, "bus": "lan", "slave_id": i, "profile": "SDM120", "customer": "C%d" % i}
             for i in (1, 2, 3)],
  "customers": [{"id": "C%d" % i, "name": "x", "class": "residential", "tariff": "bj-res", "payment": "postpaid"}
                for i in (1, 2, 3)],
  "tariffs": [os.getcwd() + "/examples/tariffs/bj-res.json"], "billing": {"cycle_day": 1, "due_days": 15},
  "uplink": {"host": "127.0.0.1", "port": 9, "tls": False, "hmac_key": "gw.hmac"}},
  open(t + "/gl.json", "w"))
PY
printf '%064d\n' 7 >"$T/gw.hmac" && chmod 600 "$T/gw.hmac"
q() { sqlite3 "$T/gl.db" "$1" 2>&1; }
# rq SQL: on the readings as `db export readings --csv` prints them (lib/readings.sh)
rq() { readings_sql "$GL" "$T/gl.json" "$1" 2>&1; }
# the uplink is a closed port: nothing can be delivered, so no drain at the end (--drain 0)
run_daemon() { "$GL" -c "$T/gl.json" run --clock sim --start "$1" --speed $SPEED --drain 0 --until "$2" >>"$T/daemon.log" 2>&1; }
epoch() { TZ=Asia/Shanghai date -d "$1" +%s; }

start_sim --seed 3 --start "$(epoch '2026-03-01 00:00')" --speed $SPEED --tcp 127.0.0.1:$P --meters SDM120:1-3@1000 || exit 1
run_daemon 2026-03-01T00:00 2026-03-10T00:00; rc=$?
stop_sim
check $rc "the daemon ran March 1-10"
start_sim --seed 3 --start "$(epoch '2026-03-10 00:00')" --speed $SPEED --tcp 127.0.0.1:$P --meters SDM120:1-3@1000 \
    --fault 2:jump:1000000 --fault 3:nan || exit 1
run_daemon 2026-03-10T00:00 2026-04-01T02:00; rc=$?
stop_sim
check $rc "the daemon ran March 10 - April 1 (cycle close)"

jumps=$(rq "SELECT count(*) FROM readings WHERE meter='M2' AND (flags & 2)")
held=$(rq "SELECT count(*) FROM readings WHERE meter='M2' AND (flags & 64)")
[ "$jumps" -ge 1 ] && [ "$held" -ge 400 ] && ok "M2: the jump flagged and all $held later readings held" \
    || notok "M2: $jumps jump readings, $held held"
[ "$(rq "SELECT count(*) FROM readings WHERE meter='M1' AND flags != 0")" = 0 ] && ok "M1: nothing flagged" \
    || notok "M1 flags: $(rq "SELECT DISTINCT flags FROM readings WHERE meter='M1'")"
alert=$(q "SELECT detail FROM events WHERE kind='meter_jump' AND subject='M2' AND alert=1 AND closed_ts IS NULL")
[[ "$alert" == *"held out of billing until confirmed (gridledger poll --confirm M2)"* ]] \
    && ok "meter_jump alert open: $alert" || notok "alert: '$alert'"
[ "$(q "SELECT count(*) FROM outbox WHERE kind='alerts' AND body LIKE '%meter_jump%'")" -ge 1 ] \
    && ok "the alert is queued up" || notok "no meter_jump alert in the outbox"

bill() { q "SELECT json FROM bills WHERE customer='$1' AND period='2026-03'"; }
kwh() { python3 -c 'import json,sys; b=json.loads(sys.stdin.read()); print(b.get("energy_kwh"), b["total"], b["estimated"])'; }
b1=$(bill C1 | kwh); b2=$(bill C2 | kwh); b3=$(bill C3 | kwh)
echo "# C1: $b1; C2: $b2; C3: $b3"
read -r e1 t1 est1 <<<"$b1"; read -r e2 t2 est2 <<<"$b2"; read -r e3 t3 est3 <<<"$b3"
[ "$est1" = False ] && python3 -c "import sys; sys.exit(0 if 700 <= float('$e1') <= 760 else 1)" \
    && ok "C1 billed as read: $e1 kWh, $t1, not estimated" || notok "C1: $b1"
[ "$est2" = True ] && python3 -c "import sys; sys.exit(0 if 650 <= float('$e2') <= 800 else 1)" \
    && ok "C2 billed 9 days read + the rest estimated: $e2 kWh, $t2, estimated: true" || notok "C2: $b2"

[ "$est3" = True ] && python3 -c "import sys; sys.exit(0 if 650 <= float('$e3') <= 800 else 1)" \
    && ok "C3 (NaN from the 10th) billed 9 days read + the rest estimated: $e3 kWh, $t3, estimated: true" || notok "C3: $b3"
[ "$(q "SELECT count(*) FROM outbox WHERE kind='alerts' AND body LIKE '%meter_garbage%M3%'")" = 1 ] \
    && ok "M3: one meter_garbage alert queued up" || notok "M3 garbage alerts: $(q "SELECT count(*) FROM outbox WHERE kind='alerts' AND body LIKE '%meter_garbage%'")"

out=$("$GL" -c "$T/gl.json" poll --confirm M2 2>&1); rc=$?
[ $rc = 0 ] && [[ "$out" == *"jump confirmed, $held held readings released"* ]] && ok "poll --confirm M2: $out" \
    || notok "confirm: rc=$rc $out"
[ "$(rq "SELECT count(*) FROM readings WHERE (flags & 64)")" = 0 ] \
    && [ "$(q "SELECT count(*) FROM events WHERE kind='meter_jump' AND alert=1 AND closed_ts IS NULL")" = 0 ] \
    && ok "readings released, alert closed" || notok "after confirm: $(rq "SELECT count(*) FROM readings WHERE (flags & 64)") held"
out=$("$GL" -c "$T/gl.json" poll --confirm M1 2>&1); rc=$?
[ $rc = 1 ] && [[ "$out" == *"no readings held"* ]] && ok "confirm of a meter without a jump: exit 1, $out" \
    || notok "confirm M1: rc=$rc $out"
exit 0
