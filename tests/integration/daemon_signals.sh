#!/bin/bash
# The daemon's signals with the real pieces: `gridledger run` on a simulated
# clock polls 500 metersim meters over Modbus TCP (5 ports x 100 unit ids)
# and sends to mosquitto with TLS (lib/broker.sh), watched by a subscriber.
# (a) SIGHUP with a broken config: the old config keeps running and the log
#     names file:line:col and field; the same for a valid config whose tariff
#     file does not parse (the jobs cannot start with it); SIGHUP with a good
#     changed config (one more meter and customer): it takes effect.
# (b) SIGTERM during the billing-cycle close (bill job at cycle_day 00:10):
#     the daemon exits 0 promptly part way; restarted, it completes the close:
#     one bill per customer, one ledger debit per bill, each bill carried up
#     by one message (received or still queued).
# (c) SIGINT does the same, on a second gateway with its own store.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
GL=$ROOT/${BUILD:-build}/gridledger
SIM=$ROOT/${BUILD:-build}/metersim
SPEED=600 # simulated seconds per real second: a 900 s poll cycle every 1.5 s
. tests/integration/lib/broker.sh
. tests/integration/lib/tap.sh
. tests/integration/lib/readings.sh
t=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null; broker_stop; wait 2>/dev/null; rm -rf "$t"; }
trap cleanup EXIT
export TZ=Asia/Shanghai

# wait_for SECONDS CMD...: polls CMD every 50 ms until it succeeds; 1 on timeout.
wait_for() {
    local end=$(($(date +%s) + $1))
    shift
    until "$@"; do
        [ "$(date +%s)" -ge "$end" ] && return 1
        sleep 0.05
    done
}
q() { sqlite3 -batch -cmd '.timeout 5000' "$t/$1" "$2" 2>/dev/null; }

# metersim: 5 ports x 101 SDM120 (unit 101 of port 0 joins at the reload),
# at the daemon's speed so energies rise at the daemon's pace
mp=$(free_port)
while ! /usr/bin/python3 -c 'import socket, sys
for k in range(5):
    s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]) + k)); s.close()' "$mp" 2>/dev/null; do mp=$(free_port); done
args=(--seed 5 --speed $SPEED)
for k in 0 1 2 3 4; do args+=(--tcp 127.0.0.1:$((mp + k)) --meters SDM120:1-101@1500); done
"$SIM" "${args[@]}" >"$t/sim.log" 2>&1 &
pids+=($!)
tls_certs "$t/tls" && broker_start "$t/tls" || { notok "mosquitto with TLS did not start"; exit 1; }
cp "$t/tls/gw.key" "$t/gw.key" && chmod 600 "$t/gw.key"
printf '%064d\n' 9 >"$t/gw.hmac" && chmod 600 "$t/gw.hmac"
mosquitto_sub -h localhost -p "$BROKER_PORT" --cafile "$t/tls/ca.pem" --cert "$t/tls/bo.pem" --key "$t/tls/bo.key" \
    -i sig-sub -c -q 1 -t 'gl/v1/#' -F '%t %x' >"$t/sub.out" 2>"$t/sub.err" &
pids+=($!)
wait_for 10 grep -q "sig-sub" "$t/tls/mosquitto.log" || echo "# subscriber not seen by the broker"
wait_for 10 grep -q ready "$t/sim.log" || { notok "metersim did not start: $(cat "$t/sim.log")"; exit 1; }

# mkconf FILE GATEWAY STORE EXTRA BROKEN [TARIFF]: 500 meters and customers
# (+1 if EXTRA); BROKEN: meters[3].slave_id 300, prints the line:col of that
# value; TARIFF: the tariff file (default examples/tariffs/bj-res.json)
mkconf() {
    /usr/bin/python3 - "$t/$1" "$2" "$3" "$4" "$5" "$mp" "$BROKER_PORT" "${6:-$ROOT/examples/tariffs/bj-res.json}" <<'PY'
import json, sys
path, gw, store, extra, broken, mp, bp, tariff = sys.argv[1:9]
mp, extra, broken = int(mp), int(extra), int(broken)
ids = [(k, i) for k in range(5) for i in range(1, 101)] + ([(0, 101)] if extra else [])
meters = [{"id": "M-%04d" % (n + 1), "bus": "lan%d" % k, "slave_id": i, "profile": "SDM120", "customer": "C-%04d" % (n + 1)}
          for n, (k, i) in enumerate(ids)]
if broken:
    meters[3]["slave_id"] = 300
json.dump({
  "gateway": {"id": gw, "area": "TQ-SIG", "timezone": "Asia/Shanghai"},
  "store": {"path": store},
  "schedule": {"poll_interval_s": 900, "status_interval_s": 3600},
  "buses": [{"name": "lan%d" % k, "type": "tcp", "host": "127.0.0.1", "port": mp + k, "timeout_ms": 1000,
             "inter_frame_ms": 0} for k in range(5)],
  "meters": meters,
  "customers": [{"id": m["customer"], "name": "customer %d" % n, "class": "residential", "grid": "G-%d" % (n % 5),
                 "tariff": "bj-res", "payment": "postpaid"} for n, m in enumerate(meters)],
  "tariffs": [tariff],
  "billing": {"cycle_day": 1, "due_days": 15},
  "uplink": {"host": "localhost", "port": int(bp), "ca": "tls/ca.pem", "cert": "tls/gw.pem", "key": "gw.key",
             "hmac_key": "gw.hmac"}
}, open(path + ".tmp", "w"), indent=1)
import os
os.replace(path + ".tmp", path)
if broken:
    for no, line in enumerate(open(path), 1):
        if '"slave_id": 300' in line:
            print("%d:%d" % (no, line.index("300") + 1))
PY
}

# start CONFIG LOG DATE: the daemon from DATE on the simulated clock; sets DPID
start() {
    (cd "$t" && exec "$GL" -v -c "$1" run --clock sim --start "$3" --speed $SPEED 2>>"$2") &
    DPID=$!
    pids+=($DPID)
}

# stop SIGNAL: signals the daemon, waits for it; sets RC and STOP_S (seconds it took)
stop() {
    local t0
    t0=$(date +%s%N)
    kill -s "$1" "$DPID"
    wait "$DPID"
    RC=$?
    STOP_S=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
}
# the readings through `db export readings --csv` (routine ones are not rows of the table), with
# a config of the store alone (gl.json is broken on purpose below); the store is created before
# the daemon starts, so that the export never migrates a fresh file beside it
keys() { readings_keys "$GL" "$t/$1.json" 2>/dev/null; }
readings_of() { keys "$1" | grep -c "^$2|"; }
more_readings() { [ "$(keys "$1" | wc -l)" -ge "$2" ] 2>/dev/null; }

# ---- (a) SIGHUP -------------------------------------------------------------
mkconf gl.json gw-sig gl.db 0 0
readings_config "$t/gl.db.json" gl.db && "$GL" -c "$t/gl.db.json" db check >/dev/null
start gl.json a.log 2026-01-31T12:00
wait_for 30 more_readings gl.db 1000 || notok "no poll cycle within 30 s"
where=$(mkconf gl.json gw-sig gl.db 0 1)
want_err="gl.json:$where: meters[3].slave_id: must be 1..247"
check "check-config on the broken file names file:line:col and field" \
    "$(cd "$t" && "$GL" -c gl.json check-config 2>&1 >/dev/null | grep -cF "$want_err")" 1
before=$(keys gl.db | wc -l)
# still_polling OK_TEXT FAIL_TEXT: two more poll cycles of 500 meters after
# the reload (readings count from $before), and the daemon alive
still_polling() {
    if wait_for 30 more_readings gl.db $((before + 1000)) && kill -0 "$DPID" 2>/dev/null; then
        ok "$1"
    else
        notok "$2"
    fi
}
kill -HUP "$DPID"
if wait_for 20 grep -q "reload refused" "$t/a.log"; then
    check "SIGHUP with a broken config: refused, the log names $want_err" \
        "$(grep "reload refused" "$t/a.log" | grep -cF "$want_err")" 1
else
    notok "SIGHUP with a broken config: no 'reload refused' in the log"; sed 's/^/# /' "$t/a.log"
fi
still_polling "the old config keeps running: 2 more poll cycles of 500 meters, M-0004 still read" \
    "polling stopped after the refused reload"
# a valid config whose tariff file does not parse: the jobs cannot start with it
/usr/bin/python3 -c 'import json, sys
t = json.load(open(sys.argv[1])); t["energy"]["rate"] = "0.48x3"; json.dump(t, open(sys.argv[2], "w"))' \
    examples/tariffs/bj-res.json "$t/bad-tariff.json"
mkconf gl.json gw-sig gl.db 0 0 "$t/bad-tariff.json"
before=$(keys gl.db | wc -l)
kill -HUP "$DPID"
if wait_for 20 grep -q "the jobs cannot start with gl.json" "$t/a.log"; then
    check "SIGHUP with a tariff file that does not parse: refused, the log names it" \
        "$(grep -c "tariff: .*bad-tariff.json:1:[0-9]*: energy.rate: not a decimal number" "$t/a.log")" 1
else
    notok "SIGHUP with a broken tariff file: not refused"; sed 's/^/# /' "$t/a.log"
fi
still_polling "the daemon keeps running with the old config: 2 more poll cycles" \
    "the daemon stopped polling after a reload with a broken tariff file"
check "the store still records the old config in force" \
    "$(cd "$t" && "$GL" -c gl.json db export config --csv | grep -c 'bad-tariff')" 0
check "M-0501 is not polled under the old config" "$(readings_of gl.db M-0501)" 0
mkconf gl.json gw-sig gl.db 1 0
kill -HUP "$DPID"
if wait_for 20 grep -q "config reloaded from gl.json" "$t/a.log"; then ok "SIGHUP with a good changed config: reloaded"
else notok "SIGHUP with a good config: no 'config reloaded' in the log"; fi
polled_twice() { [ "$(readings_of gl.db M-0501)" -ge 2 ] 2>/dev/null; }
if wait_for 30 polled_twice; then
    ok "the new config takes effect: the added meter M-0501 is polled ($(readings_of gl.db M-0501) readings)"
else
    notok "the added meter M-0501 is not polled after the reload"
fi
check "the store keeps the config in force (with M-0501)" \
    "$(cd "$t" && "$GL" -c gl.json db export config --csv | grep -c '""M-0501""')" 1
stop TERM
check "SIGTERM outside billing: exit 0, 'stopping on signal'" "$RC $(grep -c 'stopping on signal' "$t/a.log")" "0 1"

# ---- (b), (c) a billing-cycle close interrupted by SIGTERM / SIGINT --------
bills() { q "$1" "SELECT count(*) FROM bills WHERE period = '2026-01'"; }
billing_started() { [ "$(bills "$1")" -gt 0 ] 2>/dev/null; }
closed() { [ "$(bills "$1")" -ge "$2" ] 2>/dev/null && [ "$(q "$1" 'SELECT count(*) FROM outbox')" = 0 ]; }

# interrupted_close SIGNAL CONFIG STORE GATEWAY CUSTOMERS LOG
interrupted_close() {
    local sig=$1 conf=$2 db=$3 gw=$4 nc=$5 log=$6 got
    start "$conf" "$log" 2026-01-31T22:20 # 110 simulated minutes of January polls (over 4 cycles; a loaded, sanitized poller reads fewer), enough for a base and an end
    if ! wait_for 60 billing_started "$db"; then
        notok "$sig: the cycle close did not start"; stop KILL; return
    fi
    stop "$sig"
    got=$(bills "$db")
    check "$sig during the close: exit 0 within 10 s (took $STOP_S s)" \
        "$RC $(awk -v s="$STOP_S" 'BEGIN {print (s < 10) ? "prompt" : "slow"}')" "0 prompt"
    if [ "$got" -gt 0 ] && [ "$got" -lt "$nc" ]; then
        ok "$sig: billing stopped between bills: $got of $nc posted"
    else
        notok "$sig: billing not stopped part way: $got of $nc posted"
    fi
    check "$sig: the log says where billing stopped" "$(grep -c "billing 2026-01: stopped after" "$t/$log")" 1
    check "$sig: a bill without its ledger debit: none" \
        "$(q "$db" "SELECT count(*) FROM bills b WHERE NOT EXISTS (SELECT 1 FROM ledger l WHERE l.kind = 'bill' AND l.ref = b.customer || '/' || b.period)")" 0
    start "$conf" "$log" 2026-02-01T00:40
    if wait_for 90 closed "$db" "$nc"; then ok "$sig: restarted, the close completes ($nc bills, outbox drained)"
    else notok "$sig: restarted, the close did not complete: $(bills "$db") bills"; fi
    stop TERM
    check "$sig: restarted daemon stops with exit 0" "$RC" 0
    check "$sig: billing 2026-01 finished in the restarted daemon" "$(grep -c 'billing 2026-01: .* bills posted, 0 failed' "$t/$log")" 1
    # what a user sees
    (cd "$t" && "$GL" -c "$conf" db export bills --csv >"$db.bills.csv" && "$GL" -c "$conf" db export ledger --csv \
        >"$db.ledger.csv" && "$GL" -c "$conf" db export outbox --csv >"$db.outbox.csv" &&
        "$GL" -c "$conf" bill --period 2026-01 --csv >"$db.bill.csv" && "$GL" -c "$conf" outbox --json >"$db.outbox.json" &&
        "$GL" -c "$conf" ledger C-0007 --csv >"$db.c7.csv") || notok "$sig: a CLI command failed"
    /usr/bin/python3 - "$t/$db" "$t/$conf" "$t/sub.out" "$gw" <<'PY' >"$t/$db.checks"
import csv, json, re, sys
from collections import Counter
db, conf, sub, gw = sys.argv[1:5]
custs = [c["id"] for c in json.load(open(conf))["customers"]]
bills = [r for r in csv.DictReader(open(db + ".bills.csv")) if r["period"] == "2026-01"]
per = Counter(r["customer"] for r in bills)
print("bills", sum(1 for c in custs if per[c] == 1), len(bills))
debits = Counter(r["ref"] for r in csv.DictReader(open(db + ".ledger.csv")) if r["kind"] == "bill")
refs = {"%s/2026-01" % r["customer"]: int(r["total_fen"]) for r in bills}
print("debits", sum(1 for ref in refs if debits[ref] == 1), sum(debits.values()))
amounts = {r["ref"]: int(r["amount_fen"]) for r in csv.DictReader(open(db + ".ledger.csv")) if r["kind"] == "bill"}
print("amounts", sum(1 for ref, v in refs.items() if amounts.get(ref) == v))
shown = list(csv.DictReader(open(db + ".bill.csv")))
print("shown", sum(1 for r in shown if r["status"] == "existing"), len(shown))
# bills messages: received by the subscriber (one per seq: a re-send after a
# restart keeps its seq) and still queued; each bill in exactly one seq
seqs = {}
for line in open(sub, encoding="utf-8"):
    topic, _, payload = line.strip().partition(" ")  # payload in hex: a bill spans lines
    if topic == "gl/v1/%s/bills" % gw:
        m = json.loads(bytes.fromhex(payload).decode("utf-8"))
        seqs[m["seq"]] = [b["id"] for b in m["body"]["bills"]]
for r in csv.DictReader(open(db + ".outbox.csv")):
    if r["kind"] == "bills":
        seqs.setdefault(int(r["seq"]), [b["id"] for b in json.loads(r["body"])["bills"]])
carried = Counter(i for ids in seqs.values() for i in ids)
print("messages", sum(1 for ref in refs if carried[ref] == 1), sum(carried.values()))
PY
    read -r _ one nb <<<"$(grep '^bills' "$t/$db.checks")"
    check "$sig: each of the $nc customers has exactly one bill for 2026-01" "$one $nb" "$nc $nc"
    read -r _ one nd <<<"$(grep '^debits' "$t/$db.checks")"
    check "$sig: the ledger has exactly one debit per bill" "$one $nd" "$nc $nc"
    check "$sig: each debit is its bill's total" "$(grep '^amounts' "$t/$db.checks" | cut -d' ' -f2)" "$nc"
    read -r _ ex ns <<<"$(grep '^shown' "$t/$db.checks")"
    check "$sig: \`bill --period 2026-01\` finds every bill already closed" "$ex $ns" "$nc $nc"
    read -r _ one nm <<<"$(grep '^messages' "$t/$db.checks")"
    check "$sig: the uplink carried each bill once (received + queued)" "$one $nm" "$nc $nc"
    check "$sig: \`outbox\` shows an empty queue" \
        "$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["depth"])' "$t/$db.outbox.json")" 0
    check "$sig: \`ledger C-0007\` shows one bill for 2026-01" "$(grep -c 'C-0007/2026-01' "$t/$db.c7.csv")" 1
}
interrupted_close TERM gl.json gl.db gw-sig 501 b.log
mkconf gl2.json gw-sig2 gl2.db 0 0
interrupted_close INT gl2.json gl2.db gw-sig2 500 c.log
check "sanitizers and the daemon reported no error" \
    "$(cat "$t"/a.log "$t"/b.log "$t"/c.log "$t"/sim.log | grep -cE 'ERROR: (Address|Leak)Sanitizer|runtime error|gridledger: error: (bill|poll|outbox)')" 0
