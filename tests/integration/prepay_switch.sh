#!/bin/bash
# prepay_switch: what a grade changes, carried out. A large industrial
# customer (400 kVA, contracted load_control price 0.80/kWh) paid six of its
# last twelve bills late: the count rule (6 > 5) regrades it to C although its
# score says A, and its measure proposes load-controlled purchase. The back
# office switches it with a signed payment_mode command (`prepay`, real
# mosquitto with TLS); the gateway (daemon on a simulated clock, metersim over
# Modbus TCP for the meter and its relay) records the switch with its
# evidence, credits the opening balance, acknowledges it (and refuses the same
# for a customer without a contracted price), charges the day's energy at the
# contracted price, alerts, serves the exhaustion notice and cuts the supply
# at exhaustion after the notice. The switch survives the restart. Then the
# back office switches it back to post-paid (`prepay --mode postpaid`): what
# is left of the prepaid balance is carried to the ledger to the fen; and a
# deposit is requested, recorded when paid and released by command.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
GL=$PWD/$BUILD/gridledger
BO=$PWD/$BUILD/gridledger-backoffice
SIM=$PWD/$BUILD/metersim
. tests/integration/lib/broker.sh
. tests/integration/lib/readings.sh
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1"; echo "# got:  $2"; echo "# want: $3"; fi; }
t=$(mktemp -d /tmp/prepay_switch.XXXXXX)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    broker_stop
    [ -n "${KEEP:-}" ] || rm -rf "$t"
}
trap cleanup EXIT
tls_certs "$t/tls" && broker_start "$t/tls" && ok "mosquitto with TLS on $BROKER_PORT" || { notok "broker"; echo "1..$n"; exit 0; }
chmod 0600 "$t/tls/gw.key"
KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
mkdir -m 0700 "$t/keys"
(umask 077; echo $KEY >"$t/keys/gw-0001.key"; echo $KEY >"$t/gw.hmac")
MP=$(free_port)
python3 - "$t" "$BROKER_PORT" "$MP" "$PWD" <<'PY'
import json, sys
t, bp, mp, root = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
json.dump({
  "gateway": {"id": "gw-0001", "area": "TQ-0001", "timezone": "UTC"},
  "store": {"path": "gl.db"}, "schedule": {"poll_interval_s": 900},
  "buses": [{"name": "lan", "type": "tcp", "host": "127.0.0.1", "port": mp, "timeout_ms": 1000}],
  "meters": [{"id": "M-L01", "bus": "lan", "slave_id": 1, "profile": "generic", "customer": "C-L01", "relay": True},
             {"id": "M-0001", "bus": "lan", "slave_id": 2, "profile": "generic", "customer": "C-0001", "relay": True}],
  "customers": [{"id": "C-L01", "name": "Steel Works", "class": "industrial", "tariff": "bj-res", "capacity_kva": "400",
                 "load_control": {"price": "0.80"}},
                {"id": "C-0001", "name": "Zhang San", "class": "residential", "tariff": "bj-res"}],
  "tariffs": [root + "/examples/tariffs/bj-res.json"],
  "billing": {"cycle_day": 1, "due_days": 15},
  "credit": {"weights": {"overdue_bill": "1.00", "day_late": "0.00"}},
  "collection": {"cut_hours": ["00:00", "24:00"], "no_cut_weekends": False, "service": {"sms": "on_send"}},
  "uplink": {"host": "localhost", "port": bp, "ca": t + "/tls/ca.pem", "cert": t + "/tls/gw.pem",
             "key": t + "/tls/gw.key", "hmac_key": t + "/gw.hmac"}}, open(t + "/gl.json", "w"), indent=1)
PY
cat >"$t/bo.json" <<CONF
{"broker": {"host": "localhost", "port": $BROKER_PORT, "ca": "tls/ca.pem", "cert": "tls/bo.pem", "key": "tls/bo.key"},
 "keys_dir": "keys", "db": "bo.db", "down_ttl_s": 31536000}
CONF
BOC=("$BO" -c "$t/bo.json")
cd "$t"
"$GL" -c gl.json db check >/dev/null || notok "gateway store"
# twelve monthly bills before this month, six of them (the latest) paid 2 days late
python3 - <<'PY' | sqlite3 gl.db
import datetime as d
today = d.date.today()
y, m = today.year, today.month
rows = []
for k in range(12, 0, -1):
    yy, mm = (y, m - k) if m - k > 0 else (y - 1, m - k + 12)
    bill, due = d.date(yy, mm, 1), d.date(yy, mm, 16)
    paid = due + d.timedelta(days=2 if k <= 6 else -3)
    rows.append("('C-L01', '%s', 'bill', 500000, 'C-L01/%04d-%02d', '%s')" % (bill, yy, mm, due))
    rows.append("('C-L01', '%s', 'payment', 500000, 'P-%04d-%02d', NULL)" % (paid, yy, mm))
print("INSERT INTO ledger(customer, date, kind, amount_fen, ref, due) VALUES %s;" % ",\n".join(rows))
PY
grade() { "$GL" -c gl.json grades --json | python3 -c 'import json,sys
r={c["customer"]: c for c in json.load(sys.stdin)["customers"]}["C-L01"]
print(eval(sys.argv[1]))' "$1"; }
check "count rule: 6 late bills > 5 regrade the large customer to C (its score alone says A)" \
    "$(grade '(r["grade"], r["grade_reason"], float(r["score"]) >= 90)')" "('C', 'override_count_rule', True)"
check "large, C: load-controlled purchase proposed" "$(grade 'r["measures"]["billing"]["mode"], r["measures"]["billing"]["change"]')" \
    "('load_controlled', 'propose')"

# the simulated clock starts now (commands are signed with the real time), meters draw 2 kW
S0=$(date -u +%Y-%m-%dT%H:%M); E0=$(date -u -d "$S0" +%s)
UNTIL=$(date -u -d "@$((E0 / 86400 * 86400 + 86400 + 9000))" +%Y-%m-%dT%H:%M) # 02:30 tomorrow (a day is charged at the first fee run an interval after midnight)
SPEED=3000
[ "${SANITIZE:-0}" = 1 ] && SPEED=1500
# the opening balance: half of what today (UTC) still draws at 2 kW and 0.80/kWh, at most 10.00, so
# the day's charge after midnight exhausts it whatever the hour the test runs (from 10.00 fixed, a
# run after 17:00 UTC drew too little before midnight and nothing was exhausted)
OPEN_FEN=$(( (E0 / 86400 * 86400 + 86400 - E0) * 2000 * 80 / 3600 / 1000 / 2 ))
[ "$OPEN_FEN" -gt 1000 ] && OPEN_FEN=1000
[ "$OPEN_FEN" -lt 1 ] && OPEN_FEN=1
OPEN=$(printf '%d.%02d' $((OPEN_FEN / 100)) $((OPEN_FEN % 100)))
# ingest with a durable session: the broker keeps the gateway's acks for it
ingest() { "${BOC[@]}" ingest --client-id gl-ingest-prepay --idle-exit "$1" --quiet >>ingest.out 2>&1; }
ingest 1
"$SIM" --tcp 127.0.0.1:$MP --meters generic:1-2@2000 --start "$E0" --speed $SPEED >sim.log 2>&1 & PIDS+=($!)
sleep 0.5
"$GL" -c gl.json run --clock sim --start "$S0" --speed $SPEED --until "$UNTIL" >daemon.log 2>&1 & DAEMON=$!; PIDS+=($DAEMON)
sleep 1
out=$("${BOC[@]}" prepay gw-0001 C-L01 --opening "$OPEN" --mode load_controlled --rule credit.measures.table.large.C 2>&1)
check "back office: prepay sends a signed payment_mode command" "$out" "sent commands seq 1 to gw-0001 (payment_mode C-L01)"
"${BOC[@]}" prepay gw-0001 C-0001 --opening 0 --mode load_controlled >/dev/null 2>&1
"${BOC[@]}" prepay gw-0001 C-0001 --opening -1 >/dev/null 2>&1
check "back office: a negative opening balance is refused (exit 2)" "$?" 2
wait $DAEMON
check "the daemon ran to --until" "$?" 0
ingest 2
check "acks: the switch applied, the one without a contracted price refused with why" \
    "$("${BOC[@]}" acks gw-0001 | tr -d '\r' | awk -F, 'NR > 1 {print $2 ":" $8 ":" $9}')" \
    "1:applied:C-L01 is load_controlled from now on
2:refused:C-0001 has no load_control price in the config: load-controlled purchase needs one"
check "the switch is recorded with its evidence (who, rule, proof, opening balance, arrears left)" \
    "$(sqlite3 gl.db "SELECT customer, mode, who, rule, proof LIKE 'signed downlink seq 1, ts %', opening_fen, arrears_fen,
       abs(ts - $E0) < 86400 FROM payment_modes")" \
    "C-L01|load_controlled|backoffice command seq 1|credit.measures.table.large.C|1|$OPEN_FEN|0|1"
check "the opening balance is a top-up" "$(sqlite3 gl.db "SELECT kind, amount_fen FROM ledger WHERE ref LIKE 'opening/C-L01/%'")" "topup|$OPEN_FEN"
day=$(date -u -d "$S0" +%Y-%m-%d)
kwh=$(readings_sql "$GL" gl.json "SELECT (max(import_wh) - min(import_wh)) FROM readings WHERE meter = 'M-L01' AND ts <= $((E0 / 86400 * 86400 + 86400))")
charged=$(sqlite3 gl.db "SELECT amount_fen FROM ledger WHERE ref = 'usage/C-L01/$day'")
echo "# C-L01 drew $kwh Wh on $day, charged $charged fen"
check "the day is charged at the contracted 0.80/kWh (not the tariff), to the fen" \
    "$charged" "$(( (kwh * 80 + 500) / 1000 ))"
check "low-balance alert and the exhaustion notice, served" \
    "$(sqlite3 gl.db "SELECT count(*) > 0 FROM events WHERE kind = 'prepaid_low' AND subject = 'C-L01'")|$(sqlite3 gl.db \
      "SELECT status FROM collection WHERE customer = 'C-L01' AND action = 'exhaustion_notice'")" "1|served"
check "cut at exhaustion, after the notice's 30 minutes, confirmed by the meter" \
    "$(sqlite3 gl.db "SELECT (SELECT taken_ts FROM collection WHERE customer = 'C-L01' AND action = 'disconnect')
       - (SELECT served_ts FROM collection WHERE customer = 'C-L01' AND action = 'exhaustion_notice') >= 1800,
       (SELECT proof FROM collection WHERE customer = 'C-L01' AND action = 'disconnect')")" \
    "1|relay opened, confirmed by the meter"
check "the other customer stays post-paid: not charged, not cut" \
    "$(sqlite3 gl.db "SELECT count(*) FROM ledger WHERE customer = 'C-0001' AND kind = 'usage'")|$(sqlite3 gl.db \
      "SELECT count(*) FROM collection WHERE customer = 'C-0001'")" "0|0"
check "after the restart the switch holds: the measure is in force" \
    "$(grade 'r["measures"]["billing"]["mode"], r["measures"]["billing"]["change"], r["grade"]')" \
    "('load_controlled', 'in_force', 'C')"

# back to post-paid by command: what is left of the prepaid balance carried to the ledger exactly
prepaid() { sqlite3 gl.db "SELECT coalesce(sum(CASE kind WHEN 'topup' THEN amount_fen ELSE -amount_fen END), 0) FROM ledger
  WHERE customer = 'C-L01' AND kind IN ('topup', 'usage')"; }
E1=$(date -u -d "$UNTIL" +%s)
"$GL" -c gl.json run --clock sim --start "$UNTIL" --speed $SPEED --until "$(date -u -d "@$((E1 + 6 * 3600))" +%Y-%m-%dT%H:%M)" \
    >daemon2.log 2>&1 & DAEMON=$!; PIDS+=($DAEMON)
# C-0001's latest grade (stored as the daemon's grading stores it) says its deposit's refund rule holds
sqlite3 gl.db "INSERT INTO grades(customer, as_of, score, grade, explanation) VALUES ('C-0001', '$(date -u -d "$UNTIL" +%Y-%m-%d)',
  95, 'A', '{\"measures\": {\"deposit\": {\"kind\": \"cash\", \"change\": \"release\"}}}')"
sleep 1
bal=$(prepaid)
out=$("${BOC[@]}" prepay gw-0001 C-L01 --mode postpaid --rule manual 2>&1)
check "back office: prepay --mode postpaid sends the command" "$out" "sent commands seq 3 to gw-0001 (payment_mode C-L01)"
"${BOC[@]}" prepay gw-0001 C-L01 --mode postpaid --opening 5.00 >/dev/null 2>&1
check "back office: no opening balance back to post-paid (exit 2)" "$?" 2
# deposits by command: requested, recorded when paid, released (the refund rule holds)
"${BOC[@]}" deposit gw-0001 C-0001 --request 150.00 --rule credit.measures.table.residential.B >/dev/null
"${BOC[@]}" deposit gw-0001 C-0001 --record 150.00 --ref DEP-1 >/dev/null
out=$("${BOC[@]}" deposit gw-0001 C-0001 --release --ref REL-1 2>&1)
check "back office: deposit sends signed deposit commands" "$out" "sent commands seq 6 to gw-0001 (deposit C-0001)"
"${BOC[@]}" deposit gw-0001 C-0001 --record 150.00 >/dev/null 2>&1
check "back office: a deposit recorded without its ref is refused (exit 2)" "$?" 2
wait $DAEMON
ingest 2
echo "# C-L01's prepaid balance at the switch back: $bal fen"
check "acks: back to post-paid applied" "$("${BOC[@]}" acks gw-0001 | tr -d '\r' | awk -F, '$2 == 3 {print $8 ":" $9}')" \
    "applied:C-L01 is postpaid from now on"
check "the switch back is recorded with the balance carried" \
    "$(sqlite3 gl.db "SELECT mode, who, rule, opening_fen FROM payment_modes ORDER BY id DESC LIMIT 1")" \
    "postpaid|backoffice command seq 3|manual|$bal"
# a balance of exactly 0.00 at the switch (the day charged it all) carries nothing: no adjustment row
check "the prepaid balance is 0.00 after the carry, and the carry's adjustment is the balance, to the fen" \
    "$(prepaid)|$(sqlite3 gl.db "SELECT coalesce(sum(amount_fen), 0) FROM ledger WHERE ref LIKE 'carry/C-L01/%' AND kind = 'adjustment'")" \
    "0|$((-bal))"
check "acks: the deposit requested, recorded and released, each saying what was done" \
    "$("${BOC[@]}" acks gw-0001 | tr -d '\r' | awk -F, 'NR > 1 && $2 >= 4 {print $2 ":" $8 ":" $9}')" \
    "4:applied:C-0001: deposit of 150.00 requested
5:applied:C-0001: deposit of 150.00 recorded
6:applied:C-0001: deposit of 150.00 released"
check "the ledger holds the deposit and its refund" \
    "$(sqlite3 gl.db "SELECT group_concat(kind || ' ' || amount_fen || ' ' || ref, '; ') FROM ledger WHERE customer = 'C-0001'")" \
    "deposit 15000 DEP-1; refund 15000 REL-1"
check "the request is in the collection record with its evidence, and in the back office's copy" \
    "$(sqlite3 gl.db "SELECT action, channel, status, principal_fen, proof LIKE '%backoffice command seq 4%', reason
       FROM collection WHERE customer = 'C-0001'")|$(sqlite3 bo.db "SELECT count(*) FROM actions WHERE customer = 'C-0001'
       AND action = 'deposit_request'")" \
    "deposit_request|letter|served|15000|1|deposit of 150.00 requested (credit.measures.table.residential.B)|1"
if [ "$(sqlite3 bo.db "SELECT count(*) FROM actions WHERE customer = 'C-0001'")" != 1 ]; then # what to look at
    tail -20 ingest.out | sed 's/^/# ingest: /'
    sqlite3 gl.db "SELECT seq, kind, length(body) FROM outbox" | sed 's/^/# still queued: /'
    grep -iE 'uplink|drain' daemon2.log | tail -5 | sed 's/^/# daemon: /'
fi
echo "1..$n"
