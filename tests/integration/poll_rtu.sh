#!/bin/bash
# poll --once over Modbus RTU on a pseudo-terminal from metersim: 30 meters
# (SDM120, DDSU666, DTSU666) read correctly at 9600 8E1 settings; a silent
# meter and a corrupted CRC do not stall the others.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib/poll_lib.sh
PTY=$T/ttyRS485
python3 - "$T" "$PTY" <<'PY'
import json, os, sys
t, pty = sys.argv[1], sys.argv[2]
prof = lambda i: "SDM120" if i <= 10 else "DDSU666" if i <= 20 else "DTSU666" if i <= 30 else "SDM120"
meters = [{"id": "R%d" % i, "bus": "rs485", "slave_id": i, "profile": prof(i), "customer": "C1"} for i in range(1, 33)]
json.dump({"gateway": {"id": "gw-t", "area": "TQ-T"}, "store": {"path": t + "/gl.db"},
  "buses": [{"name": "rs485", "type": "rtu", "device": pty, "baud": 9600, "parity": "E", "rs485": True,
             "timeout_ms": 200, "retries": 1, "inter_frame_ms": 5}],
  "meters": meters,
  "customers": [{"id": "C1", "name": "x", "class": "residential", "tariff": "bj-res"}],
  "tariffs": [os.getcwd() + "/examples/tariffs/bj-res.json"]}, open(t + "/gl.json", "w"))
PY
start_sim --seed 9 --rtu-pty --link "$PTY" --meters SDM120:1-10 --meters DDSU666:11-20 --meters DTSU666:21-30 \
    --meters SDM120:31-32 --fault 31:silent --fault 32:crc || exit 1
t0=$(date +%s%N)
"$GL" -c "$T/gl.json" poll --once --json >"$T/p1.json" 2>"$T/err"; rc=$?
t1=$(date +%s%N)
check $rc "poll --once over RTU exits 0 ($(( (t1 - t0) / 1000000 )) ms for 32 meters)"
truth
compare "$T/p1.json" 0 R 1 30; check $? "30 RTU meters on a pty match the simulator's truth"
[ "$(field "$T/p1.json" R31 status)" = offline ] && ok "silent meter offline, the rest read" || notok "R31 $(field "$T/p1.json" R31 status)"
[ "$(field "$T/p1.json" R32 status)" != ok ] && ok "corrupted CRC never read as a value: $(field "$T/p1.json" R32 status) $(field "$T/p1.json" R32 error)" \
    || notok "R32 read despite bad CRC"
grep -q '"bus": "rs485", "requests": [0-9]*' "$T/p1.json" && ok "bus counters reported: $(grep -o '"bus": "rs485"[^}]*' "$T/p1.json" | head -c 160)" \
    || notok "no bus counters"
timeout 5 mbpoll -m rtu -b 9600 -P even -a 1 -t 3:float -B -r 73 -c 1 -1 "$PTY" >"$T/mb" 2>&1
mb=$(sed -nE 's/^\[73\]:\s+//p' "$T/mb")
want=$(field "$T/p1.json" R1 import_kwh)
python3 -c "import sys; sys.exit(0 if abs(float('$mb') - float('$want')) < 0.05 else 1)" 2>/dev/null \
    && ok "mbpoll on the pty reads R1 import $mb kWh, gridledger $want" || notok "mbpoll '$mb' vs '$want'"
exit 0
