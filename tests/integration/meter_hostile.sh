#!/bin/bash
# Hostile meters over Modbus TCP against metersim's faults: a reply that names
# another unit id is rejected and counted (libmodbus 3.1.6 does not check it
# on TCP; before the fix M2's reading was "ok" with the data of the reply); a
# meter answering garbage (NaN, exceptions) error_after polls in a row raises
# a meter_garbage alert, once, and its first good reading closes it (before:
# no alert at all).
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib/poll_lib.sh
P=$(free_port)
python3 - "$T" "$P" <<'PY'
import json, os, sys
t, p = sys.argv[1], int(sys.argv[2])
json.dump({"gateway": {"id": "gw-h", "area": "TQ-H"}, "store": {"path": t + "/gl.db"},
  "buses": [{"name": "lan", "type": "tcp", "host": "127.0.0.1", "port": p, "timeout_ms": 300, "retries": 1,
             "inter_frame_ms": 0, "error_after": 2}],
  "meters": [{"id": "M%d" % i, "bus": "lan", "slave_id": i, "profile": "SDM120", "customer": "C%d" % i}
             for i in range(1, 4)],
  "customers": [{"id": "C%d" % i, "name": "x", "class": "residential", "tariff": "bj-res"} for i in range(1, 4)],
  "tariffs": [os.getcwd() + "/examples/tariffs/bj-res.json"]}, open(t + "/gl.json", "w"))
PY
start_sim --seed 7 --tcp 127.0.0.1:$P --meters SDM120:1-3@1000 --fault 2:unit:9 || exit 1
"$GL" -c "$T/gl.json" poll --once --json >"$T/p1.json" 2>"$T/err"; rc=$?
check $rc "poll --once exits 0"
[ "$(field "$T/p1.json" M2 status)" = error ] && [[ "$(field "$T/p1.json" M2 error)" == *"another unit id than 2"* ]] \
    && [ -z "$(field "$T/p1.json" M2 import_kwh)" ] \
    && ok "reply from unit 9 to a request for unit 2 rejected: $(field "$T/p1.json" M2 error)" \
    || notok "wrong unit: status $(field "$T/p1.json" M2 status) import $(field "$T/p1.json" M2 import_kwh) $(field "$T/p1.json" M2 error)"
wu=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["buses"][0]["wrong_unit"])' "$T/p1.json")
[ "$wu" = 2 ] && ok "counted: wrong_unit $wu (the try and its retry)" || notok "wrong_unit counter: $wu"
[ "$(field "$T/p1.json" M1 status)" = ok ] && [ "$(field "$T/p1.json" M3 status)" = ok ] \
    && ok "the meters around it are read" || notok "M1 $(field "$T/p1.json" M1 status) M3 $(field "$T/p1.json" M3 status)"
stop_sim

q() { sqlite3 "$T/gl.db" "$1" 2>&1; }
events() { python3 -c 'import json,sys; print(" ".join("%s:%s" % (e["meter"], e["event"]) for e in json.load(open(sys.argv[1]))["events"]))' "$1"; }
start_sim --seed 7 --tcp 127.0.0.1:$P --meters SDM120:1-3@1000 --fault 3:nan --fault 1:exception:4 || exit 1
"$GL" -c "$T/gl.json" poll --once --json >"$T/g1.json" 2>>"$T/err"
"$GL" -c "$T/gl.json" poll --once --json >"$T/g2.json" 2>>"$T/err"
"$GL" -c "$T/gl.json" poll --once --json >"$T/g3.json" 2>>"$T/err"
[ "$(field "$T/g1.json" M3 status)" = error ] && [ -z "$(events "$T/g1.json")" ] \
    && ok "one NaN / exception answer: an error reading, no alert yet" || notok "g1: $(events "$T/g1.json")"
[ "$(events "$T/g2.json")" = "M1:garbage M3:garbage" ] && ok "error_after=2 bad answers in a row: garbage events" \
    || notok "g2 events: $(events "$T/g2.json")"
[ -z "$(events "$T/g3.json")" ] && ok "a third bad answer: no second event" || notok "g3: $(events "$T/g3.json")"
open=$(q "SELECT subject || '=' || detail FROM events WHERE kind='meter_garbage' AND alert=1 AND closed_ts IS NULL ORDER BY subject" | tr '\n' ' ')
[[ "$open" == *"M1=exception 4"* && "$open" == *"M3=import energy missing or out of range"* ]] \
    && ok "meter_garbage alerts open with the reason: $open" || notok "open alerts: $open"
"$GL" -c "$T/gl.json" alerts 2>&1 | grep -q meter_garbage && ok "gridledger alerts lists them" || notok "alerts: $("$GL" -c "$T/gl.json" alerts 2>&1 | head -3)"
stop_sim
start_sim --seed 7 --tcp 127.0.0.1:$P --meters SDM120:1-3@1000 || exit 1
"$GL" -c "$T/gl.json" poll --once --json >"$T/g4.json" 2>>"$T/err"
[ "$(events "$T/g4.json")" = "M1:sane M3:sane" ] && ok "good readings again: sane events" || notok "g4: $(events "$T/g4.json")"
[ "$(q "SELECT count(*) FROM events WHERE kind='meter_garbage' AND alert=1 AND closed_ts IS NULL")" = 0 ] \
    && ok "the alerts are closed" || notok "still open: $(q "SELECT subject FROM events WHERE kind='meter_garbage' AND closed_ts IS NULL")"
stop_sim
exit 0
