#!/bin/bash
# notices_e2e: the issue's "Must show", end to end on the real pieces:
# metersim (Modbus TCP), the gateway daemon on a simulated clock, mosquitto
# with TLS, the back office (ingest and the notices dispatcher), Kannel
# (bearerbox, smsbox and the fake SMSC of kannel-extras) and an SMTP server
# (aiosmtpd, STARTTLS required).
#
# C-0001 and C-0002 use 1.5 kW and pay nothing: the gateway bills them from
# metersim's counters, they go overdue and the ladder of the test's config
# takes an SMS reminder (day 10), a phone call (12), a written notice by
# letter (15), a disconnection notice by SMS (20) and the cut (31). C-0001's
# SMS and disconnection notice are delivered (Kannel's reports), its written
# notice is e-mailed with the bill as XLSX; the proofs go down as signed
# "served" commands and the cut comes at least 7 days after the *served*
# notice. C-0002's number is refused by the SMSC (denied prefix): without
# e-mail consent its notices go to the collectors' list, and the cut waits
# until a collector's visit, entered at the back office, serves the notice
# (and then 7 days more). C-0003, a large customer, is told of a planned
# outage 15 and 7 days before and 30 minutes before, each delivered.
#
# Time. Every proof the back office sends down carries a time of its own
# clock (a delivery report's %T, the relay's answer, a collector's --at),
# and the gateway refuses a downlink message stamped after its own clock.
# So the gateway's simulated clock never runs ahead of the back office while
# the dispatcher works, and the daemon runs in three segments on one store:
#   A  --clock sim from a billing period's start about 70 days ago, fast,
#      --until a few minutes ago: readings, bills, the ladder's notices taken
#      (the dispatcher is not running: nothing could be served in the past);
#   B  the real clock (as deployed): the outbox goes up, the dispatcher sends
#      the SMS and e-mails, the reports come back, the proofs go down and are
#      applied at real times after the notices were taken;
#   C  --clock sim from the present, fast, for the 7 days and more to the
#      cuts; the dispatcher is stopped (a report's real time would fall
#      before the gateway's clock), the collector's visit is entered with
#      --at, a time the gateway's clock has passed.
# metersim keeps the speed of segment A throughout (its counters only rise;
# the test asserts nothing on readings after A). The outage's notices are
# the back office's alone: its dispatcher is driven with --now (as in
# outages.sh).
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${BUILD:-build}
GL=$PWD/$BUILD/gridledger
BO=$PWD/$BUILD/gridledger-backoffice
SIM=$PWD/$BUILD/metersim
. tests/integration/lib/broker.sh
. tests/integration/lib/kannel.sh
. tests/integration/lib/smtp.sh
. tests/integration/lib/tap.sh
export TZ=Asia/Shanghai
SPEED_A=300000 SPEED_C=30000
[ "${SANITIZE:-0}" = 1 ] && SPEED_A=300000 SPEED_C=20000
t=$(mktemp -d /tmp/notices_e2e.XXXXXX)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do [ -n "$p" ] && wait "$p" 2>/dev/null; done
    kannel_stop
    smtp_stop
    broker_stop
    [ -n "${KEEP:-}" ] || rm -rf "$t"
}
trap cleanup EXIT
stop() { # PID: ends one of ours and forgets it
    kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; PIDS=("${PIDS[@]/$1}"); }

if kannel_start "$t"; then ok "Kannel: bearerbox, fakesmsc and smsbox up"; else
    notok "Kannel did not start: $(tail -3 "$t/smsbox.out" 2>/dev/null)"; echo "1..$n"; exit 0; fi
tls_certs "$t/tls" && broker_start "$t/tls" && ok "mosquitto with TLS on $BROKER_PORT" || { notok "broker"; echo "1..$n"; exit 0; }
chmod 0600 "$t/tls/gw.key"
SMTPP=$(free_port)
smtp_start "$t/mail" "$SMTPP" "$t/tls/broker.pem" "$t/tls/broker.key" && ok "SMTP server (aiosmtpd, STARTTLS required)" ||
    notok "smtp: $(cat "$t/mail.out")"
MP=$(free_port) DLRP=$(free_port)
mkdir -m 0700 "$t/keys"
(umask 077; echo 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f |
    tee "$t/keys/gw-0001.key" >"$t/gw.hmac")
cp -r examples/tariffs "$t/"

# The dates, from now: a billing period starting about 70 days ago whose
# bill falls due 27..30 days ago (the notice of day 20 taken a week or more
# ago, the cut's 31 days past due passed before the served notice's 7 days).
eval "$(python3 - <<'PY'
import datetime as d, time
now = d.datetime.now().astimezone()
bill = (now - d.timedelta(days=42)).replace(hour=0, minute=0, second=0, microsecond=0)
while bill.day > 28:
    bill -= d.timedelta(days=1)
m, y = (bill.month - 2) % 12 + 1, bill.year - (bill.month == 1)
start = bill.replace(year=y, month=m)
until = now - d.timedelta(minutes=3)
print("CYCLE_DAY=%d START_A=%s START_A_S=%d UNTIL_A=%s DUE=%s" % (bill.day, start.isoformat(), start.timestamp(),
      until.replace(microsecond=0).isoformat(), (bill + d.timedelta(days=15)).date()))
PY
)"
echo "# segment A: $START_A to $UNTIL_A (billing day $CYCLE_DAY, first bill due $DUE)"

python3 - "$t" "$BROKER_PORT" "$MP" "$CYCLE_DAY" <<'PY'
import json, sys
t, bport, mport, cycle = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
hol = json.load(open("examples/holidays-cn.json"))
steps = [{"day": 10, "action": "sms", "channel": "sms"}, {"day": 12, "action": "phone", "channel": "phone"},
         {"day": 15, "action": "written_notice", "channel": "letter"},
         {"day": 20, "action": "disconnect_notice", "channel": "sms"},
         {"day": 31, "action": "disconnect", "channel": "relay"}]
cust = lambda i, name: {"id": "C-%04d" % i, "name": name, "class": "residential", "grid": "G-01", "tariff": "bj-res",
                        "payment": "postpaid"}
meter = lambda i: {"id": "M-%04d" % i, "bus": "lan", "slave_id": i + 1, "profile": "generic",
                   "customer": "C-%04d" % i, "relay": True, "max_power_w": 12000}
c = {"gateway": {"id": "gw-0001", "area": "TQ-E2E", "timezone": "Asia/Shanghai"},
     "store": {"path": "gl.db"},
     "schedule": {"poll_interval_s": 21600, "status_interval_s": 86400},
     "buses": [{"name": "lan", "type": "tcp", "host": "127.0.0.1", "port": mport, "timeout_ms": 1000,
                "inter_frame_ms": 0}],
     "meters": [meter(1), meter(2), meter(3)],
     "customers": [cust(1, "Zhang San"), cust(2, "Li Si"), cust(3, "North Steel")],
     "tariffs": ["tariffs/bj-res.json"],
     "billing": {"cycle_day": cycle, "due_days": 15},
     # notices by SMS and letter count once a proof comes back (the default,
     # spelled out); the timed phone confirmation is served when made
     "collection": {"service": {"sms": "receipt", "letter": "receipt", "phone": "on_send"},
                    "ladders": {g: steps for g in ("A", "B", "C")},
                    "holidays": hol["holidays"], "workdays": hol["workdays"]},
     "uplink": {"host": "localhost", "port": bport, "ca": t + "/tls/ca.pem", "cert": t + "/tls/gw.pem",
                "key": t + "/tls/gw.key", "hmac_key": t + "/gw.hmac"}}
json.dump(c, open(t + "/gl.json", "w"), indent=1)
PY
cat >"$t/bo.json" <<CONF
{"broker": {"host": "localhost", "port": $BROKER_PORT, "ca": "tls/ca.pem", "cert": "tls/bo.pem", "key": "tls/bo.key"},
 "keys_dir": "keys", "db": "bo.db", "down_ttl_s": 2592000,
 "notices": {"sendsms_url": "http://127.0.0.1:$KANNEL_SENDP/cgi-bin/sendsms", "user": "gridledger", "password": "gl-secret",
             "from": "95598", "dlr_listen": "127.0.0.1:$DLRP", "dlr_url": "http://127.0.0.1:$DLRP/dlr", "quiet": "none",
             "per_day": 10},
 "mail": {"url": "smtp://localhost:$SMTPP", "from": "billing@power.example.cn", "ca_file": "tls/ca.pem"},
 "outages": {"notice_days": [15, 7], "confirm_minutes": 30}}
CONF
cat >"$t/contacts.csv" <<'CSV'
customer,name,mobile,email,address,channel,consent_sms,consent_email,lang
C-0001,张三,13800138000,zhang@example.cn,"北京市海淀区, 1号",sms,yes,yes,zh
C-0002,Li Si,13900139000,,"Road 2, Room 5",sms,yes,no,en
C-0003,华北钢厂,13800138003,,工业路1号,sms,yes,no,zh
CSV
cd "$t"
BOC=("$BO" -c "$t/bo.json")
"$GL" -c gl.json check-config >check.out 2>&1 || notok "gateway config: $(cat check.out)"
"${BOC[@]}" contacts import contacts.csv --by tester >/dev/null 2>&1
# the back office's ingest runs throughout (a durable session at the broker)
"${BOC[@]}" ingest --client-id gl-ingest-e2e --quiet >ingest.out 2>&1 & PIDS+=($!)

# ---- segment A: metersim and the gateway on the simulated clock, to the present ----
"$SIM" --tcp "127.0.0.1:$MP" --meters generic:2-3@1500 --meters generic:4@60 --start "$START_A_S" \
    --speed "$SPEED_A" --seed 7 >metersim.out 2>&1 & SIMPID=$!; PIDS+=($SIMPID)
for _ in $(seq 50); do grep -q ready metersim.out && break; sleep 0.1; done
t0=$(date +%s)
"$GL" -c gl.json run --clock sim --start "$START_A" --speed "$SPEED_A" --until "$UNTIL_A" >daemon-a.log 2>&1
check "segment A: the daemon ran from $START_A to $UNTIL_A on the simulated clock ($(($(date +%s) - t0)) s)" "$?" 0
# the gateway's record as `gridledger actions --json` prints it, taken once
# per phase (snap); row CUSTOMER ACTION EXPR: EXPR on the newest row of it
# (a: the row, ts(): ISO 8601 to unix time). The waits read the stores with sqlite3.
snap() { "$GL" -c gl.json actions --json >actions.json 2>&1; }
row() {
    python3 -c '
import datetime, json, sys
ts = lambda s: int(datetime.datetime.fromisoformat(s).timestamp()) if s else None
rows = [a for a in json.load(open("actions.json"))["actions"] if a["customer"] == sys.argv[1] and a["action"] == sys.argv[2]]
a = rows[-1] if rows else None
print(eval(sys.argv[3]) if a else "none")' "$@"
}
gwsql() { sqlite3 -cmd ".timeout 2000" gl.db "$1" 2>/dev/null; }
snap
now=$(date +%s)
check "C-0001 and C-0002 billed from metersim's counters, due $DUE, over the cut threshold, unpaid" \
    "$(sqlite3 gl.db "SELECT customer || ':' || (amount_fen >= 10000) FROM ledger WHERE kind = 'bill' AND customer IN ('C-0001','C-0002') AND due = '$DUE' ORDER BY customer" 2>&1 | tr '\n' ' ')" \
    "C-0001:1 C-0002:1 "
check "segment A: each overdue customer's SMS, written notice and disconnection notice taken in the past, awaiting proof" \
    "$(python3 -c '
import datetime, json, sys
ts = lambda s: int(datetime.datetime.fromisoformat(s).timestamp())
rows = {(a["customer"], a["action"]): a for a in json.load(open("actions.json"))["actions"]}
print(" ".join("%s:%s" % (a["status"], ts(a["taken"]) < int(sys.argv[1])) for a in
               (rows.get((c, k), {"status": "none", "taken": "1970-01-01T00:00:00+00:00"}) for c in ("C-0001", "C-0002")
                for k in ("sms", "written_notice", "disconnect_notice"))))' "$now")" \
    "taken:True taken:True taken:True taken:True taken:True taken:True"
check "segment A: no cut yet (no notice served)" "$(row C-0001 disconnect 'a["status"]')|$(row C-0002 disconnect 'a["status"]')" "none|none"

# ---- segment B: the real clock; the dispatcher sends, reports come back, proofs go down ----
tb0=$(date +%s)
"$GL" -c gl.json run >daemon-b.log 2>&1 & GWPID=$!; PIDS+=($GWPID)
"${BOC[@]}" notices run >dispatch.out 2>dispatch.err & DISP=$!; PIDS+=($DISP)
nrow() { # CUSTOMER ACTION EXPR: EXPR on the back office's notice (r: the row of `notices list`, taken once)
    python3 -c '
import csv, sys
rows = [r for r in csv.DictReader(open("notices.csv")) if r["customer"] == sys.argv[1] and r["action"] == sys.argv[2]]
print(eval(sys.argv[3], {}, {"r": rows[-1]}) if rows else "none")' "$@"
}
for _ in $(seq 300); do
    [ "$(gwsql "SELECT group_concat(status) FROM collection WHERE customer = 'C-0001' AND action IN ('disconnect_notice', 'written_notice')")|$(sqlite3 -cmd ".timeout 2000" bo.db "SELECT status FROM notices WHERE customer = 'C-0002' AND action = 'disconnect_notice'" 2>/dev/null)" = "served,served|collector" ] && break
    sleep 0.2
done
stop "$DISP"
stop "$GWPID"
tb=$(date +%s)
echo "# segment B (the real clock): $((tb - tb0)) s"
snap
"${BOC[@]}" notices list | tr -d '\r' >notices.csv
kid=$(nrow C-0001 disconnect_notice 'r["kannel_id"]')
check "C-0001: the disconnection notice by SMS delivered (report type 1, Kannel's id), its proof sent down" \
    "$(nrow C-0001 disconnect_notice 'r["status"]+"|"+r["channel"]+"|"+r["dest"]+"|"+r["dlr_type"]+"|"+str(len(r["kannel_id"]))+"|"+str(r["proof_seq"] != "")')" \
    "delivered|sms|+8613800138000|1|36|True"
text1=$(nrow C-0001 disconnect_notice 'r["text"]')
check "C-0001: the fake SMSC received the disconnection notice's text (UCS-2, to +8613800138000)" \
    "$(python3 -c '
import re, sys, urllib.parse
msgs, parts = [], {}
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.search(r"Got message \d+: <\S+ \+8613800138000 (?:udh (\S+) data|ucs-2) (\S+)>", line)
    if not m:
        continue
    data = urllib.parse.unquote_to_bytes(m.group(2).replace("+", "%20"))
    if m.group(1) is None:
        msgs.append(data)
    else:
        udh = urllib.parse.unquote_to_bytes(m.group(1))
        parts.setdefault(udh[-3], []).append((udh[-1], data))
msgs += [b"".join(d for _, d in sorted(p)) for p in parts.values()]
print(sys.argv[2] in [x.decode("utf-16-be", "replace") for x in msgs])' fakesmsc.out "$text1")|$(grep -c 停电通知 <<<"$text1")" "True|1"
served1=$(row C-0001 disconnect_notice 'ts(a["served"])')
check "gateway: C-0001's notice served with the report as proof, at a time after it was taken" \
    "$(row C-0001 disconnect_notice 'a["status"]+"|"+a["proof"]+"|"+str(ts(a["taken"]) < ts(a["served"]) <= '"$tb"')')" \
    "served|sms dlr $kid|True"
mails=$(python3 - mail <<'PY'
import email, email.policy, io, os, sys, zipfile
d = sys.argv[1]
for f in sorted(os.listdir(d), key=lambda x: int(x.split(".")[0])):
    m = email.message_from_bytes(open(os.path.join(d, f), "rb").read(), policy=email.policy.default)
    x = ""
    for p in m.iter_attachments():
        z = zipfile.ZipFile(io.BytesIO(p.get_content()))
        x = "%s:%s:%s" % (p.get_filename(), z.testzip(), "C-0001/" in z.read("xl/sharedStrings.xml").decode())
    print("%s|%s|%s|%s" % (m["To"], m["Subject"], "张三" in m.get_body(("plain",)).get_content(), x))
PY
)
check "C-0001: the written notice e-mailed over STARTTLS, its bill attached as XLSX" "$mails" \
    "zhang@example.cn|催费通知书 C-0001|True|bill-C-0001.xlsx:None:True"
check "gateway: the written notice served by the relay's 250" "$(row C-0001 written_notice 'a["status"]+"|"+a["proof"][:27]')" \
    "served|email smtp 250 OK queued as"
check "C-0002: the SMS refused (denied prefix), no e-mail consent: on the collectors' list, nothing served" \
    "$(nrow C-0002 disconnect_notice 'r["status"]+"|"+r["channel"]+"|"+r["history"]+"|"+r["proof_seq"]')|$(row C-0002 disconnect_notice 'a["status"]')" \
    "collector|letter|+8613900139000 Not routable. Do not try again.; ||taken"

# ---- the planned outage: a large customer of the gateway's area told three times ----
"${BOC[@]}" outage class C-0003 --large yes --important no --by tester >/dev/null
at() { date -d "$1" +%s; }
day=$(date -d "@$((tb + 20 * 86400))" +%F)
out=$("${BOC[@]}" outage plan --area TQ-E2E --from "${day}T09:00" --to "${day}T15:00" --reason 线路检修 --now "$tb" 2>&1)
check "outage plan: the area known from the gateway's bills, one large customer, three notices" \
    "$(head -1 <<<"$out")|$(grep -c scheduled <<<"$out")" "outage 1: 1 large or important customer(s) to tell|3"
for when in "$(date -d "$day 09:00 15 days ago" '+%F %H:%M')" "$(date -d "$day 09:00 7 days ago" '+%F %H:%M')" "$day 08:30"; do
    "${BOC[@]}" notices run --now "$(at "$when")" --idle-exit 2 >>dispatch-outage.out 2>&1
done
check "the outage's three notices delivered with their reports (15 d, 7 d, 30 min)" \
    "$("${BOC[@]}" report outages | tr -d '\r' | awk -F, 'NR > 1 && $1 == 1 {print $9 ":" $14}' | tr '\n' ' ')" \
    "notice_15d:delivered notice_7d:delivered confirm:delivered "
check "notices list: three outage notices to C-0003's number, each with Kannel's id and report 1" \
    "$("${BOC[@]}" notices list | tr -d '\r' | python3 -c '
import csv, sys
print(" ".join("%s:%s:%s:%d" % (r["action"], r["dest"], r["dlr_type"], len(r["kannel_id"]))
               for r in csv.DictReader(sys.stdin) if r["gateway"] == "~outage"))')" \
    "outage_notice:+8613800138003:1:36 outage_notice:+8613800138003:1:36 outage_confirm:+8613800138003:1:36"

# the console's report of it: the numbers reach only the roles that may read reports
# (supervisor, admin); a collector is refused
PW=e2e-console-pass-$$
for u in "sup --role supervisor" "col --role collector --grid G-01"; do
    echo "$PW" | "${BOC[@]}" user add $u >/dev/null 2>&1
done
WEBP=$(free_port)
"${BOC[@]}" serve --listen "127.0.0.1:$WEBP" --cert tls/broker.pem --key tls/broker.key >serve.out 2>serve.err & WEB=$!
PIDS+=($WEB)
for _ in $(seq 100); do grep -q "console on" serve.out 2>/dev/null && break; sleep 0.1; done
report_as() { # USER: the status of GET /api/report/outages and C-0003's notices in it
    local jar="$t/$1.jar"
    curl -sS --cacert tls/ca.pem --max-time 20 -c "$jar" -o /dev/null -H 'Content-Type: application/json' \
        --data-binary "{\"user\":\"$1\",\"password\":\"$PW\"}" "https://localhost:$WEBP/api/login"
    curl -sS --cacert tls/ca.pem --max-time 20 -b "$jar" -o "$t/$1.json" -w '%{http_code}' \
        "https://localhost:$WEBP/api/report/outages"
    python3 -c '
import json, sys
try: rows = json.load(open(sys.argv[1])).get("rows", [])
except Exception: rows = []
print("", " ".join("%s:%s:%s" % (r["notice"], r["dest"], r["delivery"]) for r in rows))' "$t/$1.json"
}
check "console /api/report/outages: a supervisor sees the three notices with the number and delivery" "$(report_as sup)" \
    "200 notice_15d:+8613800138003:delivered notice_7d:+8613800138003:delivered confirm:+8613800138003:delivered"
check "console /api/report/outages: a collector is refused (no numbers)" "$(report_as col)" "403 "
stop "$WEB"

# ---- segment C: the simulated clock from the present, to the cuts ----
# (--until 24 days leaves room for weekends and a long holiday; the daemon
# is stopped as soon as both cuts are in the record)
read -r START_C START_C_S UNTIL_C < <(python3 -c '
import datetime as d
s = (d.datetime.now().astimezone() + d.timedelta(minutes=1)).replace(second=0, microsecond=0)
print(s.isoformat(), int(s.timestamp()), (s + d.timedelta(days=24)).isoformat())')
T2=$((START_C_S + 86400)) # the collector's visit to C-0002: a day into segment C
"$GL" -c gl.json run --clock sim --start "$START_C" --speed "$SPEED_C" --until "$UNTIL_C" >daemon-c.log 2>&1 & GWPID=$!
PIDS+=($GWPID)
tc=$(python3 -c 'import time; print(time.time())')
simnow() { python3 -c "import time; print(int($START_C_S + (time.time() - $tc) * $SPEED_C))"; }
entered=0
for _ in $(seq 1200); do
    if [ $entered = 0 ] && [ "$(simnow)" -gt $((T2 + 7200)) ]; then
        "${BOC[@]}" served gw-0001 C-0002 disconnect_notice --proof "collector visit: notice handed to Li Si" --at "$T2" \
            >served.out 2>&1
        entered=1
    fi
    [ "$(gwsql "SELECT count(*) FROM collection WHERE customer IN ('C-0001', 'C-0002') AND action = 'disconnect' AND status = 'taken'")" = 2 ] && break
    kill -0 "$GWPID" 2>/dev/null || break
    sleep 0.2
done
stop "$GWPID"
echo "# segment C: $START_C to $(date -d "@$(simnow)" '+%F %H:%M') simulated, $(python3 -c "import time; print(int(time.time() - $tc))") s"
snap
cut1=$(row C-0001 disconnect 'ts(a["taken"])')
check "C-0001 cut (relay opened) in segment C" "$(row C-0001 disconnect 'a["status"]+"|"+a["channel"]')" "taken|relay"
check "C-0001: cut at least 7 days after the served notice, within its 30 days' validity" \
    "$(python3 -c "print(7 * 86400 <= $cut1 - $served1 <= 30 * 86400)" 2>&1)" True
check "C-0001: the confirmation 30..120 minutes before the cut, served" \
    "$(python3 -c '
import datetime, json, sys
ts = lambda s: int(datetime.datetime.fromisoformat(s).timestamp())
c = [a for a in json.load(open("actions.json"))["actions"] if a["customer"] == "C-0001" and a["action"] == "confirm_30min" and a["status"] == "served"]
print(any(30 * 60 <= '"$cut1"' - ts(a["taken"]) <= 120 * 60 for a in c))')" True
check "C-0002: the notice served by the collector's visit (--at), not by the failed SMS" \
    "$(row C-0002 disconnect_notice 'a["status"]+"|"+a["proof"]+"|"+str(ts(a["served"]))')" \
    "served|collector visit: notice handed to Li Si|$T2"
cut2=$(row C-0002 disconnect 'ts(a["taken"])')
check "C-0002: cut only 7 days after the collector's visit, not before" \
    "$(python3 -c "print(7 * 86400 <= $cut2 - $T2 <= 30 * 86400, $cut2 >= $cut1)" 2>&1)|$(sqlite3 gl.db "SELECT count(*) FROM collection WHERE customer = 'C-0002' AND action = 'disconnect' AND taken_ts < $T2 + 7 * 86400")" \
    "True True|0"
audit=$(/usr/bin/python3 "$ROOT/tools/demo/audit_cuts.py" gl.json gl.db 2>&1)
check "every cut passes the independent audit of the collection record (tools/demo/audit_cuts.py)" "$?" 0
echo "# $(tail -1 <<<"$audit")"
check "no cut of C-0003 (under the threshold: reminded only)" "$(row C-0003 disconnect 'a["status"]')" none
check "every proof sent down (4 delivery reports and e-mails, the collector's visit) acknowledged applied by the gateway" \
    "$("${BOC[@]}" acks gw-0001 | tr -d '\r' | awk -F, 'NR > 1 && $3 == "commands" {print $2 ":" $8}' | sort -n | tr '\n' ' ')" \
    "1:applied 2:applied 3:applied 4:applied 5:applied "
check "the back office's copy of the record shows the notices served and the cuts" \
    "$(sqlite3 bo.db "SELECT customer || ':' || action || ':' || status FROM actions WHERE gateway = 'gw-0001' AND customer <> 'C-0003' AND action IN ('disconnect_notice', 'disconnect') ORDER BY customer, action" | tr '\n' ' ')" \
    "C-0001:disconnect:taken C-0001:disconnect_notice:served C-0002:disconnect:taken C-0002:disconnect_notice:served "
echo "1..$n"
