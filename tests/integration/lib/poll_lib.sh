# poll_lib.sh: helpers for the poll integration tests (sourced, not run).
GL=${BUILD:-build}/gridledger
SIM=${BUILD:-build}/metersim
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if [ "$1" = 0 ]; then ok "$2"; else notok "$2"; fi; }
# free_port [N]: N (default 1) distinct ports free now, so scripts run side by side never meet
free_port() {
    python3 -c 'import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "${1:-1}"
}
SIMPID=
stop_sim() { [ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null && wait "$SIMPID" 2>/dev/null; SIMPID=; }
trap 'stop_sim; rm -rf "$T"' EXIT
T=$(mktemp -d)

# start_sim ARGS...: starts metersim, waits for its ready line
start_sim() {
    "$SIM" --state "$T/truth.json" "$@" >"$T/sim.out" 2>&1 &
    SIMPID=$!
    for _ in $(seq 50); do grep -q ready "$T/sim.out" && return 0; sleep 0.1; done
    echo "# metersim did not start: $(cat "$T/sim.out")"; return 1
}

# truth: asks metersim for its true state into $T/truth.json
truth() {
    rm -f "$T/truth.json"; kill -USR1 "$SIMPID"
    for _ in $(seq 50); do [ -s "$T/truth.json" ] && return 0; sleep 0.1; done
    return 1
}

# compare POLL_JSON ENDPOINT METER_PREFIX FIRST LAST: every meter PREFIX<id> is
# ok and its import within float32 rounding (+ what 1 s of load adds) of the truth.
compare() {
    python3 - "$1" "$T/truth.json" "$2" "$3" "$4" "$5" <<'PY'
import json, sys
poll = {r["meter"]: r for r in json.load(open(sys.argv[1]))["readings"]}
truth = json.load(open(sys.argv[2]))["meters"]
ep, prefix, first, last = int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
bad = []
for m in truth:
    if m["endpoint"] != ep or not first <= m["id"] <= last:
        continue
    r = poll.get("%s%d" % (prefix, m["id"]))
    want = float(m["import_wh"])
    if r is None or r["status"] != "ok":
        bad.append("%d: %s" % (m["id"], r and r.get("status"))); continue
    got = float(r["import_kwh"]) * 1000
    step = 5 if m["profile"] == "generic" else 0         # generic: 0.01 kWh registers
    tol = want / 2**23 + 2 + step + m["power_w"] * 3 / 3600.0   # float32 rounding + load during the test
    if abs(got - want) > tol or got > want + want / 2**23 + 2 + step:
        bad.append("%d: got %.1f want %.1f" % (m["id"], got, want))
print("# %d mismatches %s" % (len(bad), bad[:5]))
sys.exit(1 if bad else 0)
PY
}

# field POLL_JSON METER KEY: prints the live reading's KEY (flags joined by ,)
field() {
    python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["readings"]:
    if r["meter"] == sys.argv[2] and r.get("source", "live") == "live":
        v = r.get(sys.argv[3], "")
        print(",".join(v) if isinstance(v, list) else v)' "$1" "$2" "$3"
}
