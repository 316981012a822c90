#!/bin/bash
# Billing from DL/T 645 frozen registers, through the daemon on a simulated
# clock against metersim speaking DL/T 645 over TCP (its meters keep daily
# and settlement-day freezes and energy per tariff):
# - the gateway polls on January 31st until 22:00, is off across the month's
#   end and comes back on February 1st after noon: the catch-up close of
#   January reads the meters' freezes of February 1st 00:00 first, so the
#   bill ends on the meter's own midnight value: no estimated line, the
#   billed energy = frozen value - first reading;
# - a TOU tariff mapped to the meters' tariff registers (register_tou) is
#   billed from the register increases, and `bill` with the same store but
#   no mapping (intervals) between the same edge readings gives the same
#   energy per period (to the registers' 0.01 kWh) and the same amounts;
# - a TOU tariff whose hours differ from the meters' day table is not
#   billed from the registers: the bill says why and an alert is open.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib/poll_lib.sh
. tests/integration/lib/readings.sh
export TZ=Asia/Shanghai # metersim's meters keep the gateway's local time
SPEED=7200
P1=$(free_port)
python3 - "$T" "$P1" <<'PY'
import json, os, sys
t, p1 = sys.argv[1], int(sys.argv[2])
# metersim's day: sharp 19-21, peak 8-11 18-19 21-23, flat 7-8 11-18, valley 23-7
hours = [["00:00", "07:00", "valley"], ["07:00", "08:00", "flat"], ["08:00", "11:00", "peak"],
         ["11:00", "18:00", "flat"], ["18:00", "19:00", "peak"], ["19:00", "21:00", "sharp"],
         ["21:00", "23:00", "peak"], ["23:00", "24:00", "valley"]]
def tou(tid, hrs):
    return {"id": tid, "currency": "CNY", "effective_from": "2020-01-01",
            "rounding": {"unit": "0.01", "mode": "half_up", "per": "line"},
            "energy": {"tou": {"periods": {"sharp": "1.0", "peak": "0.8", "flat": "0.5", "valley": "0.3"},
                               "calendar": [{"months": list(range(1, 13)), "days": ["weekday", "weekend", "holiday"],
                                             "hours": hrs}]}}}
json.dump(tou("sim-tou", hours), open(t + "/sim-tou.json", "w"), indent=1)
json.dump(tou("sim-tou-iv", hours), open(t + "/sim-tou-iv.json", "w"), indent=1)
other = [h[:] for h in hours]
other[6] = ["21:00", "22:00", "peak"]; other[7] = ["22:00", "24:00", "valley"]
json.dump(tou("sim-tou-x", other), open(t + "/sim-tou-x.json", "w"), indent=1)
day = [["00:00", 4], ["07:00", 3], ["08:00", 2], ["11:00", 3], ["18:00", 2], ["19:00", 1], ["21:00", 2], ["23:00", 4]]
regs = {"sharp": 1, "peak": 2, "flat": 3, "valley": 4}
cust = lambda i, tar: {"id": "C%d" % i, "name": "x", "class": "residential", "tariff": tar}
cfg = {"gateway": {"id": "gw-f", "area": "TQ-F"}, "store": {"path": t + "/gl.db"},
  "schedule": {"poll_interval_s": 900}, "billing": {"cycle_day": 1, "due_days": 15},
  "buses": [{"name": "conv", "type": "tcp", "protocol": "dlt645", "host": "127.0.0.1", "port": p1,
             "timeout_ms": 300, "retries": 1, "inter_frame_ms": 0}],
  "meters": [{"id": "M%d" % i, "bus": "conv", "address": "2016%08d" % i, "profile": "DLT645-1P",
              "customer": "C%d" % i} for i in range(1, 4)],
  "customers": [cust(1, "bj-res"), cust(2, "sim-tou"), cust(3, "sim-tou-x")],
  "tariffs": [os.getcwd() + "/examples/tariffs/bj-res.json", t + "/sim-tou.json", t + "/sim-tou-x.json",
              t + "/sim-tou-iv.json"],
  "register_tou": [{"tariff": "sim-tou", "registers": regs, "meter_day": day},
                   {"tariff": "sim-tou-x", "registers": regs, "meter_day": day}]}
json.dump(cfg, open(t + "/gl.json", "w"), indent=1)
# the second run queues its messages up (no broker: the outbox keeps them)
up = dict(cfg, uplink={"host": "127.0.0.1", "port": 9, "tls": False, "hmac_key": t + "/gw.hmac"})
json.dump(up, open(t + "/up.json", "w"), indent=1)
# the same gateway billed from intervals: C2 on an unmapped copy of its tariff
cfg["customers"][1]["tariff"] = "sim-tou-iv"
del cfg["register_tou"]
cfg["store"]["path"] = t + "/iv.db"
json.dump(cfg, open(t + "/iv.json", "w"), indent=1)
PY
printf '%064d\n' 7 >"$T/gw.hmac" && chmod 600 "$T/gw.hmac"
S0=$(date -d 2026-01-31T06:00:00+08:00 +%s) # hours of slack: a loaded machine starts the daemon late
start_sim --seed 5 --start "$S0" --speed $SPEED --tcp 127.0.0.1:$P1 --protocol dlt645 --addr-base 201600000000 \
    --meters DLT645-1P:1-3@1200 || exit 1
# sim_at: metersim's simulated time now, as RFC 3339 (the daemon's --start)
# sim_at UNTIL: metersim's simulated time now and UNTIL or an hour later if that is later, RFC 3339
sim_at() {
    truth || return 1
    python3 -c 'import json, sys, time, os
ts = json.load(open(sys.argv[1]))["ts"] + (time.time() - os.path.getmtime(sys.argv[1])) * int(sys.argv[2])
f = lambda t: time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.localtime(t))
print(f(ts), f(max(int(sys.argv[3]), ts + 3600)))' "$T/truth.json" $SPEED "$(date -d "$1" +%s)"
}
run_until() { # run_until UNTIL: the daemon from metersim's time now (its clock a little behind the meters')
    local at; at=($(sim_at "$1")) || return 1
    echo "# daemon from ${at[0]} to ${at[1]}"
    "$GL" -c "$T/gl.json" run --clock sim --start "${at[0]}" --speed $SPEED --until "${at[1]}" 2>>"$T/daemon.err"
}
run_until 2026-01-31T22:00:00+08:00; rc1=$?
# the live readings through `db export readings --csv` (lib/readings.sh: routine ones are not rows of the table)
readings_snapshot "$GL" "$T/gl.json" "$T/r1.db" || notok "the readings cannot be exported"
n1=$(sqlite3 "$T/r1.db" "select count(*) from readings where source = 0 and status = 0")
last1=$(sqlite3 "$T/r1.db" "select max(ts) from readings where source = 0")
# the gateway is off until February 1st, 12:00 (metersim runs on)
truth
wait_s=$(python3 -c 'import json, sys, time; print(max(0, (int(sys.argv[1]) - json.load(open(sys.argv[2]))["ts"]) / int(sys.argv[3])))' \
    "$(date -d 2026-02-01T12:00:00+08:00 +%s)" "$T/truth.json" $SPEED)
sleep "$wait_s"
# this time until SIGTERM (the uplink drains 3 s at stop, 60 s with --until)
at=($(sim_at 2026-02-01T13:00:00+08:00)) && echo "# daemon from ${at[0]}, stopped after its first live cycle"
"$GL" -c "$T/up.json" run --clock sim --start "${at[0]}" --speed $SPEED 2>>"$T/daemon.err" &
dpid=$!
for _ in $(seq 150); do
    [ "$(sqlite3 "$T/gl.db" "select count(*) from outbox where body like '%\"source\": \"live\"%'" 2>/dev/null)" -gt 0 ] 2>/dev/null && break
    sleep 0.1
done
kill -TERM $dpid; wait $dpid; rc2=$?
[ $rc1 = 0 ] && [ $rc2 = 0 ] && [ "$n1" -ge 6 ] && [ "$last1" -lt "$(date -d 2026-02-01T00:00:00+08:00 +%s)" ] && ok "daemon ran on Jan 31 to 22:00 ($n1 live readings) and again on Feb 1 after noon" \
    || { notok "daemon runs: rc $rc1 $rc2, $n1 readings, the last at $last1"; sed 's/^/# /' "$T/daemon.err" | tail -5; }

"$GL" -c "$T/gl.json" bill --period 2026-01 --json >"$T/bills.json" 2>>"$T/err"
python3 - "$T/bills.json" "$T/gl.db" <<'PY'
import json, sqlite3, sys, time
bills = {b["customer"]: b for b in json.load(open(sys.argv[1]))["bills"]}
db = sqlite3.connect(sys.argv[2])
edge = int(time.mktime((2026, 2, 1, 0, 0, 0, 0, 0, -1)))
start = int(time.mktime((2026, 1, 1, 0, 0, 0, 0, 0, -1)))
b = bills.get("C1")
fz = db.execute("select import_wh, source from readings where meter = 'M1' and ts = ? and source != 0 order by source", (edge,)).fetchall()
# the gateway first polled on January 31st: it read the meter's last settlement (January 1st, 00:00) then
first = db.execute("select import_wh from readings where meter = 'M1' and source = 2 and ts = ?", (start,)).fetchone()
if b is None or len(fz) != 2 or first is None:
    print("# bill %s, freezes at the edge %s, settlement at the start %s" % (b, fz, first)); sys.exit(1)
kwh = sum(float(l["quantity"]) for l in b["lines"] if l["code"].startswith("energy"))
est = [l["code"] for l in b["lines"] if l.get("estimated")]
print("# C1: %s, %.3f kWh billed = frozen %d (daily and settlement: %s) - settlement of January 1st %d; estimated lines %s"
      % (b["total"], kwh, fz[0][0], [s for _, s in fz], first[0], est))
# a month at metersim's constant 1.2 kW: 892.8 kWh
sys.exit(0 if not est and not b["estimated"] and round(kwh * 1000) == fz[0][0] - first[0] == 892800 and fz[0][0] == fz[1][0] else 1)
PY
check $? "a day without polling across the month's end: January billed between the meter's own settlement freezes (0001FF01, 0506), no estimated line"

python3 - "$T/gl.db" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
src = {}
for body, in db.execute("select body from outbox where kind = 'readings'"):
    for r in json.loads(body)["body"]["readings"] if "body" in json.loads(body) else json.loads(body)["readings"]:
        src[r["source"]] = src.get(r["source"], 0) + 1
        if r["source"] != "live" and r.get("frozen_at") != r["ts"]:
            src["bad"] = r
print("# readings sent up by source: %s" % src)
sys.exit(0 if src.get("frozen_daily", 0) >= 3 and src.get("frozen_settlement", 0) >= 3 and src.get("live", 0) > 0 and "bad" not in src else 1)
PY
check $? "the frozen readings go up with the live ones in readings messages (source, frozen_at)"

# TOU from the meter's registers (C2), the same from intervals (C2 on a copy, unmapped tariff).
# The copy keeps the readings at the period's edges only: live readings carry
# the gateway's clock, minutes off the meters' at this speed, and land on
# quarter hours, which would move energy across period boundaries; between
# the two edges the intervals share the energy by time, exact at metersim's
# constant load, so the two methods must agree to the registers' 0.01 kWh.
sqlite3 "$T/gl.db" ".backup '$T/iv.db'" && sqlite3 "$T/iv.db" "delete from bill_lines; delete from bills; delete from ledger;
    delete from outbox; delete from readings where source = 0; delete from intervals; $(readings_drop_packed "$T/iv.db")"
"$GL" -c "$T/iv.json" bill --period 2026-01 --json >"$T/bills_iv.json" 2>>"$T/err"
python3 - "$T/bills.json" "$T/bills_iv.json" "$T/gl.db" <<'PY'
import json, sqlite3, sys, time
reg = {b["customer"]: b for b in json.load(open(sys.argv[1]))["bills"]}["C2"]
iv = {b["customer"]: b for b in json.load(open(sys.argv[2]))["bills"]}["C2"]
db = sqlite3.connect(sys.argv[3])
edge = int(time.mktime((2026, 2, 1, 0, 0, 0, 0, 0, -1)))
start = int(time.mktime((2026, 1, 1, 0, 0, 0, 0, 0, -1)))
q = "select t1_wh, t2_wh, t3_wh, t4_wh from readings where meter = 'M2' and source = 2 and ts = ?"
base, end = db.execute(q, (start,)).fetchone(), db.execute(q, (edge,)).fetchone()
per = lambda b: {l["code"]: float(l["quantity"]) for l in b["lines"] if l["code"].startswith("energy")}
r, i = per(reg), per(iv)
want = {name: (end[k] - base[k]) / 1000 for k, name in enumerate(["sharp", "peak", "flat", "valley"])}
print("# registers (%s): %s %s; intervals (%s): %s %s; register deltas %s"
      % (reg.get("usage_from"), r, reg["total"], iv.get("usage_from", "-"), i, iv["total"], want))
bad = []
if reg.get("usage_from") != "meter_registers" or "usage_from" in iv or not iv["estimated"]:
    bad.append("usage_from, or the interval bill not estimated (a month-long interval shared by time)")
for code, kwh in r.items():  # each line is a register's increase
    if not any(code.endswith(n) and abs(kwh - w) < 0.0005 for n, w in want.items()):
        bad.append("%s %.3f not a register delta" % (code, kwh))
if abs(sum(r.values()) - sum(i.values())) > 0.0005:
    bad.append("total energy %.3f vs %.3f" % (sum(r.values()), sum(i.values())))
for code in set(r) | set(i):
    if abs(r.get(code, 0) - i.get(code, 0)) > 0.0105:
        bad.append("%s: %.3f vs %.3f" % (code, r.get(code, 0), i.get(code, 0)))
if abs(float(reg["total"]) - float(iv["total"])) > 0.015 or reg["estimated"]:
    bad.append("totals %s vs %s, estimated %s" % (reg["total"], iv["total"], reg["estimated"]))
print("# %s" % bad)
sys.exit(1 if bad else 0)
PY
check $? "TOU bill from the meter's tariff registers (not estimated) = the interval-computed bill between the same edges"

# a tariff whose hours differ from the meters' day table: intervals, and it says why
python3 - "$T/bills.json" <<'PY'
import json, sys
b = {b["customer"]: b for b in json.load(open(sys.argv[1]))["bills"]}["C3"]
note = b.get("usage_note", "")
print("# C3: usage_from %s: %s" % (b.get("usage_from"), note))
sys.exit(0 if b.get("usage_from") == "intervals" and "22:00" in note and "valley" in note else 1)
PY
check $? "a TOU tariff that does not match the meters' day table is billed from intervals, the first differing quarter hour named"
"$GL" -c "$T/gl.json" alerts >"$T/alerts" 2>>"$T/err"
grep -q "tou_registers.*C3.*22:00" "$T/alerts" && ! grep -q "tou_registers.*C2" "$T/alerts" \
    && ok "the mismatch is an open alert (tou_registers C3)" || notok "alerts: $(grep tou_ "$T/alerts")"

# config errors of register_tou name file:line:col and the field
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
c = json.load(open(t + "/gl.json"))
c["register_tou"][0]["registers"]["flat"] = 5
c["register_tou"][1]["meter_day"][2] = ["08:10", 2]
c["register_tou"].append({"tariff": "nosuch", "registers": {"peak": 1}, "meter_day": [["00:00", 1]]})
json.dump(c, open(t + "/bad.json", "w"), indent=1)
PY
"$GL" -c "$T/bad.json" check-config >/dev/null 2>"$T/cerr"; rc=$?
want=("register_tou\[0\].registers.flat: must be a register 1..4" "register_tou\[1\].meter_day\[2\]: must be \[\"HH:MM\" on a quarter hour"
      "register_tou\[2\].tariff: must name a tariff")
miss=0
for w in "${want[@]}"; do grep -qE "bad.json:[0-9]+:[0-9]+: $w" "$T/cerr" || { miss=1; echo "# missing: $w"; }; done
[ $rc = 2 ] && [ $miss = 0 ] && ok "register_tou errors with file:line:col" || { notok "register_tou errors rc=$rc"; sed 's/^/# /' "$T/cerr"; }
[ -s "$T/err" ] && { echo "# stderr:"; sed 's/^/# /' "$T/err" | head -5; }
exit 0
