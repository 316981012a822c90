#!/bin/bash
# poll --once over Modbus TCP against metersim: 200 meters of every built-in
# profile on one port read correctly; on a second port a silent meter, an
# exception and a wrong word order are reported as what they are while the
# other meters keep being read; offline after N polls; a replaced meter
# (counter reset) and a jump are flagged; mbpoll reads the same registers.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib/poll_lib.sh
. tests/integration/lib/readings.sh
read -r P1 P2 <<<"$(free_port 2)"
python3 - "$T" "$P1" "$P2" <<'PY'
import json, sys
t, p1, p2 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
prof = lambda i: "SDM120" if i <= 50 else "SDM630" if i <= 100 else "DDSU666" if i <= 150 else "DTSU666" if i <= 190 else "generic"
meters = [{"id": "A%d" % i, "bus": "lan", "slave_id": i, "profile": prof(i), "customer": "C1"} for i in range(1, 201)]
meters += [{"id": "F%d" % i, "bus": "conv", "slave_id": i, "profile": "SDM120", "customer": "C1"} for i in range(1, 11)]
json.dump({"gateway": {"id": "gw-t", "area": "TQ-T"}, "store": {"path": t + "/gl.db"},
  "buses": [{"name": "lan", "type": "tcp", "host": "127.0.0.1", "port": p1, "timeout_ms": 500, "inter_frame_ms": 0},
            {"name": "conv", "type": "tcp", "host": "127.0.0.1", "port": p2, "timeout_ms": 150, "retries": 1,
             "inter_frame_ms": 0, "offline_after": 2}],
  "meters": meters,
  "customers": [{"id": "C1", "name": "x", "class": "residential", "tariff": "bj-res"}],
  "tariffs": ["%s/examples/tariffs/bj-res.json" % __import__("os").getcwd()]}, open(t + "/gl.json", "w"))
PY
SIMARGS=(--seed 42 --tcp 127.0.0.1:$P1 --meters SDM120:1-50 --meters SDM630:51-100 --meters DDSU666:101-150
         --meters DTSU666:151-190 --meters generic:191-200 --tcp 127.0.0.1:$P2 --meters SDM120:1-10@800)
start_sim "${SIMARGS[@]}" --fault 1:silent --fault 2:exception:2 --fault 3:swap || exit 1
S0=$(sed -n 's/.*ready, start \([0-9]*\).*/\1/p' "$T/sim.out") # the restart goes on from these counters

t0=$(date +%s%N)
"$GL" -c "$T/gl.json" poll --once --json >"$T/p1.json" 2>"$T/err"; rc=$?
t1=$(date +%s%N)
check $rc "poll --once --json exits 0 ($(( (t1 - t0) / 1000000 )) ms for 210 meters)"
truth
compare "$T/p1.json" 0 A 1 200; check $? "200 TCP meters (SDM120 SDM630 DDSU666 DTSU666 generic) match the simulator's truth"
compare "$T/p1.json" 1 F 4 10; check $? "the other meters behind the faulty converter are read"
[ "$(field "$T/p1.json" F1 status)" = offline ] && ok "silent meter: offline" || notok "silent meter: $(field "$T/p1.json" F1 status)"
[ "$(field "$T/p1.json" F2 status)" = error ] && [[ "$(field "$T/p1.json" F2 error)" == *"exception 2 (illegal data address)"* ]] \
    && ok "exception reported as such: $(field "$T/p1.json" F2 error)" || notok "exception: $(field "$T/p1.json" F2 error)"
[ "$(field "$T/p1.json" F3 status)" = error ] && [[ "$(field "$T/p1.json" F3 flags)" == *range* ]] \
    && ok "wrong word order rejected: $(field "$T/p1.json" F3 error)" || notok "swap: $(field "$T/p1.json" F3 status) $(field "$T/p1.json" F3 flags)"
grep -q '"events": \[\]' "$T/p1.json" && ok "no offline event after 1 silent poll" || notok "early event"
"$GL" -c "$T/gl.json" poll --once --json >"$T/p2.json" 2>>"$T/err"
grep -q '{"meter": "F1", "event": "offline"}' "$T/p2.json" && ok "offline event after offline_after=2 silent polls" \
    || notok "no offline event: $(grep -o '"events.*' "$T/p2.json" | head -c 200)"
stored=$(readings_sql "$GL" "$T/gl.json" "select count(*) from readings" 2>&1) # through `db export readings --csv`
[ "$stored" = 420 ] && ok "420 readings stored" || notok "stored readings: $stored"

# mbpoll, Debian's Modbus client, reads the same register as the peer
want=$(field "$T/p2.json" A1 import_kwh)
mb=$(mbpoll -m tcp -p "$P1" -a 1 -t 3:float -B -r 73 -c 1 -1 127.0.0.1 2>/dev/null | sed -nE 's/^\[73\]:\s+//p')
python3 -c "import sys; sys.exit(0 if abs(float('$mb') - float('$want')) < 0.05 else 1)" 2>/dev/null \
    && ok "mbpoll reads A1 import $mb kWh, gridledger $want" || notok "mbpoll '$mb' vs '$want'"

# the meter comes back: online event; then a replaced meter and a jump
stop_sim
start_sim "${SIMARGS[@]}" --since "$S0" --fault 5:reset --fault 6:jump:5000 || exit 1
"$GL" -c "$T/gl.json" poll --once --json >"$T/p3.json" 2>>"$T/err"
grep -q '{"meter": "F1", "event": "online"}' "$T/p3.json" && ok "online event when the meter answers again" || notok "no online event"
[[ "$(field "$T/p3.json" F5 flags)" == *decrease* ]] && ok "meter replaced (counter reset): decrease flagged" \
    || notok "reset: flags '$(field "$T/p3.json" F5 flags)'"
[[ "$(field "$T/p3.json" F6 flags)" == *jump* ]] && ok "jump above max power x time flagged" \
    || notok "jump: flags '$(field "$T/p3.json" F6 flags)'"
[ -z "$(field "$T/p3.json" F7 flags)" ] && ok "a normal meter is not flagged" || notok "F7 flags $(field "$T/p3.json" F7 flags)"
[ -s "$T/err" ] && { echo "# stderr:"; sed 's/^/# /' "$T/err" | head -5; }
exit 0
