#!/bin/bash
# notices: the path from a gateway's collection record to a person's phone
# and back, with the real pieces: Kannel (bearerbox + smsbox, the fake SMSC
# of kannel-extras as the operator), mosquitto with TLS, a gateway daemon on
# a real store, the back office on SQLite. Two notices awaiting proof of
# service (C-0001: a disconnection notice in Chinese; C-0002: an SMS reminder
# in English to a number the SMSC refuses) go up as "actions" messages; the
# dispatcher renders them from their templates, submits them to smsbox with
# a delivery-report URL, takes Kannel's reports, and sends the delivered
# one's proof down as a signed "served" command; the gateway marks its record
# served with Kannel's message id. Forged, unknown and repeated reports are
# refused and counted; nothing is sent twice.
# E-mail, with a real SMTP server (aiosmtpd, STARTTLS required, the test CA):
# C-0002's refused SMS falls back to e-mail and the relay's 250 is its proof;
# a written notice goes by e-mail with the bill attached as XLSX; the copy of
# an important customer's disconnection notice goes to the authority; C-0004
# (refused SMS, no e-mail consent) lands on the collectors' list. Refused
# addresses, a 5xx after DATA, a relay without STARTTLS: named errors,
# counted, nothing sent twice.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
GL=$PWD/$BUILD/gridledger
BO=$PWD/$BUILD/gridledger-backoffice
. tests/integration/lib/broker.sh
. tests/integration/lib/pg.sh
. tests/integration/lib/kannel.sh
. tests/integration/lib/smtp.sh
. tests/integration/lib/tap.sh
t=$(mktemp -d /tmp/notices.XXXXXX)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    kannel_stop
    smtp_stop
    pg_stop
    broker_stop
    [ -n "${KEEP:-}" ] || rm -rf "$t"
}
trap cleanup EXIT
# ---- Kannel: bearerbox, the fake SMSC (refusing +86139...), smsbox ----
if kannel_start "$t"; then ok "Kannel: bearerbox, fakesmsc and smsbox up (sendsms on $KANNEL_SENDP)"; else
    notok "Kannel did not start: $(tail -3 "$t/smsbox.out" 2>/dev/null)"; echo "1..$n"; exit 0; fi
SENDP=$KANNEL_SENDP; DLRP=$(free_port)

# ---- broker, gateway, back office ----
tls_certs "$t/tls" && broker_start "$t/tls" && ok "mosquitto with TLS on $BROKER_PORT" || { notok "broker"; echo "1..$n"; exit 0; }
chmod 0600 "$t/tls/gw.key" # the gateway refuses a private key others may read
SMTPP=$(free_port); SMTPP_PLAIN=$(free_port)
smtp_start "$t/mail" "$SMTPP" "$t/tls/broker.pem" "$t/tls/broker.key" && smtp_start "$t/mail-plain" "$SMTPP_PLAIN" &&
    ok "SMTP servers (aiosmtpd): STARTTLS required on $SMTPP, no TLS on $SMTPP_PLAIN" || notok "smtp: $(cat "$t/mail.out")"
KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
mkdir -m 0700 "$t/keys"
(umask 077; echo $KEY >"$t/keys/gw-0001.key"; echo $KEY >"$t/gw.hmac")
cp -r examples/tariffs "$t/"
python3 - examples/gridledger.json "$t/gl.json" "$BROKER_PORT" "$t" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
t = sys.argv[4]
c["store"] = {"path": "gl.db"}
c["customers"].append(dict(c["customers"][0], id="C-0002", name="Li Si"))
c["customers"].append(dict(c["customers"][0], id="C-0003", name="Wang Wu"))
c["customers"].append(dict(c["customers"][0], id="C-0004", name="Zhao Liu"))
c["customers"][0]["important"] = True
c["schedule"] = {"poll_interval_s": 86400}
c["uplink"] = {"host": "localhost", "port": int(sys.argv[3]), "ca": t + "/tls/ca.pem", "cert": t + "/tls/gw.pem",
               "key": t + "/tls/gw.key", "hmac_key": t + "/gw.hmac"}
json.dump(c, open(sys.argv[2], "w"), indent=1)
PY
cat >"$t/bo.json" <<CONF
{"broker": {"host": "localhost", "port": $BROKER_PORT, "ca": "tls/ca.pem", "cert": "tls/bo.pem", "key": "tls/bo.key"},
 "keys_dir": "keys", "db": "bo.db", "down_ttl_s": 3600,
 "notices": {"sendsms_url": "http://127.0.0.1:$SENDP/cgi-bin/sendsms", "user": "gridledger", "password": "gl-secret",
             "from": "95598", "dlr_listen": "127.0.0.1:$DLRP", "dlr_url": "http://127.0.0.1:$DLRP/dlr", "quiet": "none",
             "templates": {"sms.en": "Dear {name} ({customer}): {principal} yuan owed plus {penalty} late fee, {total} in all."}},
 "mail": {"url": "smtp://localhost:$SMTPP", "from": "billing@power.example.cn", "ca_file": "tls/ca.pem",
          "authority": "energy-office@gov.example.cn"}}
CONF
BOC=("$BO" -c "$t/bo.json")
pick() { # PYEXPR: the expression on each row of `notices list` (CSV on stdin), space-separated
    python3 -c 'import csv,sys; print(" ".join(str(eval(sys.argv[1], {}, r)) for r in csv.DictReader(sys.stdin)))' "$1"; }
cd "$t"
"$GL" -c gl.json db check >/dev/null || notok "gateway store"
now=$(date +%s)
sqlite3 gl.db "INSERT INTO collection(id, customer, episode, action, channel, planned_ts, taken_ts, status,
  principal_fen, penalty_fen, reason, deadline_ts) VALUES
 (1, 'C-0001', '2025-11-16', 'disconnect_notice', 'sms', $((now - 600)), $((now - 600)), 'taken', 123456, 789,
  'principal 1234.56 over 100.00, 45 days', $((now + 8 * 86400))),
 (2, 'C-0002', '2025-11-16', 'sms', 'sms', $((now - 600)), $((now - 600)), 'taken', 5000, 25, 'grade C', NULL),
 (4, 'C-0003', '2025-11-16', 'sms', 'sms', $((now - 600)), $((now - 600)), 'taken', 8000, 40, 'grade C', NULL),
 (5, 'C-0004', '2025-11-16', 'sms', 'sms', $((now - 600)), $((now - 600)), 'taken', 7000, 35, 'grade C', NULL),
 (6, 'C-0001', '2025-11-16', 'notify_authority', 'letter', $((now - 600)), $((now - 600)), 'taken', 123456, 789,
  'important customer: copy of the disconnection notice', $((now + 8 * 86400))),
 (7, 'C-0002', '2025-11-16', 'written_notice', 'letter', $((now - 600)), $((now - 600)), 'taken', 5000, 25, 'notice',
  $((now + 8 * 86400))),
 (3, 'C-0001', '2025-11-16', 'disconnect', 'relay', $((now - 60)), NULL, 'planned', 123456, 789, 'cut', NULL);"

cat >contacts.csv <<'CSV'
customer,name,mobile,email,address,channel,consent_sms,consent_email,lang
C-0001,张三,13800138000,zhang@example.cn,"北京市海淀区, 1号",sms,yes,no,zh
C-0002,Li Si,13900139000,li.si@example.com,Road 2,sms,yes,yes,en
C-0003,Wang Wu,13900139001;+4915112345678,,Road 3,sms,yes,no,en
C-0004,Zhao Liu,13900139004,zhao@example.com,"Road 4, Room 5",sms,yes,no,en
CSV
printf 'customer,name,mobile,email,address,channel,consent_sms,consent_email,lang\nC-0003,X,1380013800,x@y,a,sms,yes,no,zh\n' >bad.csv
err=$("${BOC[@]}" contacts import bad.csv 2>&1); rc=$?
check "contacts import: a bad file is refused whole with FILE:LINE:COL (exit 2)" \
    "$rc|$(grep -c '^gridledger: bad.csv:2:[0-9]*: ' <<<"$err")" "2|2"
check "contacts import" "$("${BOC[@]}" contacts import contacts.csv --by tester)" "contacts: 4 read, 4 new or changed"
check "contacts: mainland numbers kept as E.164" "$("${BOC[@]}" contacts show C-0003 | tr -d '\r' | sed -n 2p | cut -d, -f3)" \
    "+8613900139001;+4915112345678"

# the record's rows wait in the gateway's outbox as "actions" messages (the
# body of `actions --json`, as the daemon queues them); the daemon sends them up
"$GL" -c gl.json actions --json | python3 -c '
import json, sys, time
for i, a in enumerate(json.load(sys.stdin)["actions"], 1):
    b = json.dumps(a, separators=(",", ":")).replace("\x27", "\x27\x27")
    print("INSERT INTO outbox(seq, ts, kind, body) VALUES(%d, %d, \x27actions\x27, \x27%s\x27);" % (i, time.time(), b))
print("INSERT INTO kv(key, val) VALUES(\x27outbox.last_seq\x27, %d) ON CONFLICT(key) DO UPDATE SET val = %d;" % (i, i))
' | sqlite3 gl.db
# ingest with a durable session: the broker keeps the gateway's messages for it between runs
ingest() { "${BOC[@]}" ingest --client-id gl-ingest-notices --idle-exit "$1" --quiet >>ingest.out 2>&1; }
ingest 1
# the daemon (real clock) sends its outbox up and takes the downlink
"$GL" -c gl.json run >daemon.log 2>&1 & DAEMON=$!; PIDS+=($DAEMON)
for _ in $(seq 15); do
    ingest 2
    [ "$(sqlite3 bo.db "SELECT count(*) FROM actions WHERE gateway = 'gw-0001'")" = 7 ] && break
done
check "back office: the record's 7 rows came up from the gateway" \
    "$(sqlite3 bo.db "SELECT count(*) FROM actions WHERE gateway = 'gw-0001' AND seq <= 7")" 7
# C-0002's bill for October, as a gateway sends it up (attached to its written notice)
printf '{"v":1,"gateway":"gw-0001","seq":1000,"ts":1,"kind":"bills","body":{"bills":[{"id":"C-0002/2025-10","customer":"C-0002","area":"A1","due":"2025-11-16","total":"50.25"}]}}\n' >bills.jsonl
check "back office: C-0002's bill imported" "$("${BOC[@]}" import bills.jsonl 2>&1)" "stored 1, duplicates 0, rejected 0"
# quiet hours around now: everything stays queued, nothing reaches the SMSC
quiet=$(python3 -c 'import datetime as d; n=d.datetime.now(); f=lambda t: t.strftime("%H:%M"); print(f(n-d.timedelta(minutes=2)) + "-" + f(n+d.timedelta(minutes=5)))')
sed "s/\"quiet\": \"none\"/\"quiet\": \"$quiet\"/" "$t/bo.json" >"$t/bo-quiet.json"
"$BO" -c "$t/bo-quiet.json" notices run --idle-exit 2 >dispatch-quiet.out 2>&1
check "quiet hours ($quiet): every notice queued (SMS, e-mail) or on the collectors' list, none sent" \
    "$("${BOC[@]}" notices list | tr -d '\r' | pick 'customer+":"+action+":"+channel+":"+status')|$(grep -c 'Got message' "$t/fakesmsc.out")|$(ls "$t/mail" | wc -l)" \
    "C-0001:disconnect_notice:sms:queued C-0002:sms:sms:queued C-0003:sms:sms:queued C-0004:sms:sms:queued C-0001:notify_authority:email:queued C-0002:written_notice:email:queued|0|0"
"${BOC[@]}" notices run >dispatch.out 2>dispatch.err & DISP=$!; PIDS+=($DISP)
status_of() { # CUSTOMER ACTION: the record's status at the gateway
    "$GL" -c gl.json actions --customer "$1" --json 2>/dev/null | python3 -c '
import json, sys
print(" ".join(a["status"] for a in json.load(sys.stdin)["actions"] if a["action"] == sys.argv[1]))' "$2"
}
for _ in $(seq 150); do
    [ "$(status_of C-0001 disconnect_notice)|$(status_of C-0003 sms)|$(status_of C-0002 sms)|$(status_of C-0001 notify_authority)|$(status_of C-0002 written_notice)" = "served|served|served|served|served" ] && break
    sleep 0.2
done
list=$("${BOC[@]}" notices list | tr -d '\r')
row() { python3 -c 'import csv,sys; r=[x for x in csv.DictReader(sys.stdin) if x["customer"]==sys.argv[1] and x["action"]==sys.argv[3]][0]; print(eval(sys.argv[2], {}, r))' "$1" "$2" "${3:-sms}" <<<"$list"; }
check "C-0001: the disconnection notice delivered, Kannel's id kept, proof sent down" \
    "$(row C-0001 'status+"|"+dlr_type+"|"+str(len(kannel_id))+"|"+str(proof_seq != "")+"|"+segments+"|"+lang' disconnect_notice)" "delivered|1|36|True|2|zh"
kid=$(row C-0001 kannel_id disconnect_notice)
deadline=$("$GL" -c gl.json actions --customer C-0001 --json | python3 -c '
import json, sys
print([a for a in json.load(sys.stdin)["actions"] if a["action"] == "disconnect_notice"][0]["deadline"])')
want1="【供电公司】停电通知：张三（户号C-0001）欠电费1234.56元，违约金7.89元。如${deadline}前仍未缴清，将依法中止供电。"
check "C-0001: the text as the record has it (amounts, deadline), in Chinese" "$(row C-0001 text disconnect_notice)" "$want1"
# the fake SMSC prints each part: <from to udh UDH data BYTES> (UCS-2, URL-encoded)
got=$(python3 -c '
import re, sys, urllib.parse
parts = []
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.search(r"Got message \d+: <(\S+) (\S+) udh (\S+) data (\S+)>", line)
    if m and m.group(2) == "+8613800138000":
        udh = urllib.parse.unquote_to_bytes(m.group(3))
        data = urllib.parse.unquote_to_bytes(m.group(4).replace("+", "%20"))
        parts.append((udh[-1], udh[-2], m.group(1), data))
parts.sort()
print(parts and parts[0][2], len(parts), "/".join(str(p[1]) for p in parts), b"".join(p[3] for p in parts).decode("utf-16-be"), sep="|")
' "$t/fakesmsc.out")
check "the fake SMSC received it as 2 concatenated UCS-2 parts from 95598, with the same text" "$got" "95598|2|2/2|$want1"
check "C-0002: refused by the SMSC (+86139 denied), no number left: e-mailed instead, delivered, proof down" \
    "$(row C-0002 'status+"|"+channel+"|"+dest+"|"+attempt+"|"+history+"|"+str(proof_seq != "")+"|"+text')" \
    "delivered|email|li.si@example.com|2|+8613900139000 Not routable. Do not try again.; |True|Dear Li Si (C-0002): 50.00 yuan owed plus 0.25 late fee, 50.25 in all."
check "C-0004: refused SMS, no e-mail consent: on the collectors' list (letter to the address), no proof" \
    "$(row C-0004 'status+"|"+channel+"|"+dest+"|"+proof_seq+"|"+reason')" \
    "collector|letter|Road 4, Room 5||not served by SMS or e-mail: a letter or a visit by a collector"
check "the planned cut is no notice: nothing sent for it" "$(grep -c '^gw-0001,3,' <<<"$list")" 0

served=$("$GL" -c gl.json actions --customer C-0001 --json | python3 -c '
import json, sys
for a in json.load(sys.stdin)["actions"]:
    if a["action"] == "disconnect_notice": print(a["status"] + "|" + a["proof"] + "|" + str(a["served"] is not None))')
check "gateway: the notice is served with the delivery report as proof" "$served" "served|sms dlr $kid|True"
check "gateway: C-0004's SMS still awaits proof (a failed SMS serves nothing)" "$(status_of C-0004 sms)" taken
proof_of() { # CUSTOMER ACTION: the gateway's proof of that row
    "$GL" -c gl.json actions --customer "$1" --json | python3 -c '
import json, sys
print(" ".join(a["proof"] or "" for a in json.load(sys.stdin)["actions"] if a["action"] == sys.argv[1]))' "$2"; }
check "gateway: C-0002's SMS served by the e-mail, the relay's 250 as proof" \
    "$(status_of C-0002 sms)|$(proof_of C-0002 sms)" "served|email smtp $(row C-0002 reply)"
# the messages the SMTP server received, read back with Python's email parser
mails=$(python3 - "$t/mail" <<'PY'
import email, email.policy, io, os, sys, zipfile
d = sys.argv[1]
for f in sorted(os.listdir(d), key=lambda x: int(x.split(".")[0])):
    m = email.message_from_bytes(open(os.path.join(d, f), "rb").read(), policy=email.policy.default)
    body = m.get_body(("plain",)).get_content()
    att = [p for p in m.iter_attachments()]
    x = ""
    for p in att:
        z = zipfile.ZipFile(io.BytesIO(p.get_content()))
        x = p.get_filename() + ":" + str(z.testzip()) + ":" + ("C-0002/2025-10" in z.read("xl/sharedStrings.xml").decode()) \
            .__str__() + ":" + ("<v>50.25</v>" in z.read("xl/worksheets/sheet1.xml").decode()).__str__()
    print("%s|%s|%s|%s|%s|%s" % (m["To"], m["From"], m["Subject"], m["Message-ID"].endswith("@gridledger>"), body, x))
PY
)
mail_to() { grep -F "$1|" <<<"$mails"; }
check "three e-mails arrived over STARTTLS" "$(wc -l <<<"$mails")" 3
check "the fallback e-mail: headers, the text with its amounts" "$(mail_to li.si@example.com | grep 'Arrears')" \
    "li.si@example.com|billing@power.example.cn|Arrears reminder C-0002|True|Dear Li Si (C-0002): 50.00 yuan owed plus 0.25 late fee, 50.25 in all.|"
deadline7=$("$GL" -c gl.json actions --customer C-0002 --json | python3 -c '
import json, sys
print([a for a in json.load(sys.stdin)["actions"] if a["action"] == "written_notice"][0]["deadline"])')
check "the written notice by e-mail with the bill attached as a valid XLSX (its id and total in the sheet)" \
    "$(mail_to li.si@example.com | grep 'Notice of arrears')" \
    "li.si@example.com|billing@power.example.cn|Notice of arrears C-0002|True|Power company notice: Li Si (C-0002) owes 50.00 yuan, late fee 0.25 yuan; pay by $deadline7.|bill-C-0002.xlsx:None:True:True"
check "the authority told of the important customer's disconnection notice (Chinese subject, RFC 2047)" \
    "$(mail_to energy-office@gov.example.cn)" \
    "energy-office@gov.example.cn|billing@power.example.cn|重要客户停电告知 C-0001|True|【供电公司】重要客户停电告知：张三（户号C-0001）欠电费1234.56元，违约金7.89元，已送达停电通知，如${deadline}前仍未缴清，将依法中止供电。|"
check "gateway: the authority's copy and the written notice served by their e-mails" \
    "$(proof_of C-0001 notify_authority | cut -c1-31)|$(proof_of C-0002 written_notice | cut -c1-31)" \
    "email smtp 250 OK queued as gl-|email smtp 250 OK queued as gl-"
check "C-0003: refused at the first number, delivered at the next, proof down" \
    "$(row C-0003 'status+"|"+dest+"|"+attempt+"|"+history+"|"+str(proof_seq != "")')" \
    "delivered|+4915112345678|2|+8613900139001 Not routable. Do not try again.; |True"
check "gateway: C-0003 served by the fallback SMS" "$(status_of C-0003 sms)" served

# bad delivery reports, while the dispatcher runs
tok=$(sqlite3 bo.db "SELECT token FROM notices WHERE customer = 'C-0001' AND action_id = 1")
dlr() { python3 -c '
import sys, urllib.request, urllib.error
try: print(urllib.request.urlopen(sys.argv[1], timeout=10).status)
except urllib.error.HTTPError as e: print(e.code)' "http://127.0.0.1:$DLRP/dlr?$1"; }
check "a forged report (wrong token): 403" "$(dlr "g=gw-0001&a=1&k=0000&type=1&ts=1&id=x")" 403
check "a report for an unknown notice: 404" "$(dlr "g=gw-0001&a=99&k=$tok&type=1&ts=1&id=x")" 404
check "a repeated final report: accepted, changes nothing" "$(dlr "g=gw-0001&a=1&k=$tok&type=2&ts=1&id=x")" 200
check "a malformed report: 400" "$(dlr "a=1")" 400
kill "$DISP"; wait "$DISP" 2>/dev/null; PIDS=("${PIDS[@]/$DISP}")
check "counted: forged, malformed, repeated, stale (the first attempts of C-0003 and C-0002) and unknown reports; one to the collectors" \
    "$("${BOC[@]}" stats | grep -E '^(dlr_|notices_|mail_)' | tr '\n' ' ')" "dlr_forged 1 dlr_malformed 1 dlr_repeated 1 dlr_stale 2 dlr_unknown 1 notices_to_collector 1 "
check "nothing sent twice: five downlinks (2 SMS, 3 e-mails), one message at the SMSC for C-0001, three e-mails, still delivered" \
    "$(sqlite3 bo.db "SELECT count(*) FROM downlink")|$(grep -c 'Got message .* +8613800138000 udh %05%00%03%00%02%01 ' "$t/fakesmsc.out")|$(ls "$t/mail" | wc -l)|$(sqlite3 bo.db "SELECT status FROM notices WHERE customer='C-0001' AND action_id = 1")" \
    "5|1|3|delivered"
"${BOC[@]}" notices run --idle-exit 1 >dispatch2.out 2>&1
check "a restarted dispatcher sends nothing again (no SMS, no e-mail, no proof)" \
    "$(grep -c 'queued\|submitted\|proof\|e-mail' dispatch2.out)|$(ls "$t/mail" | wc -l)|$(sqlite3 bo.db "SELECT count(*) FROM downlink")" "0|3|5"

# the notice on the collectors' list is served by a collector's call, entered at the back office and sent down
"${BOC[@]}" served gw-0001 C-0004 sms --proof "collector call, Zhao Liu answered" >/dev/null 2>&1
for _ in $(seq 150); do [ "$(status_of C-0004 sms)" = served ] && break; sleep 0.2; done
check "gateway: C-0004 served by the collector's call (back office: served)" "$(status_of C-0004 sms)" served
err=$("${BOC[@]}" served gw-0001 C-0004 sms 2>&1); rc=$?
check "served without --proof: usage (exit 2)" "$rc" 2
# the gateway's ack and its served rows come up
ingest 3
check "back office: C-0004's row served too, with the collector's proof; C-0002's with the relay's reply" \
    "$(sqlite3 bo.db "SELECT status || '|' || proof FROM actions WHERE gateway = 'gw-0001' AND id IN (5, 2) ORDER BY id DESC" | tr '\n' ' ')" \
    "served|collector call, Zhao Liu answered served|email smtp $(row C-0002 reply) "
check "the six served commands (two delivery reports, three e-mails, one collector's call) acknowledged applied" \
    "$("${BOC[@]}" acks gw-0001 | tr -d '\r' | awk -F, 'NR > 1 {print $2 ":" $3 ":" $8}' | tr '\n' ' ')" \
    "1:commands:applied 2:commands:applied 3:commands:applied 4:commands:applied 5:commands:applied 6:commands:applied "
check "back office: the record's row now served, with the proof" \
    "$(sqlite3 bo.db "SELECT status || '|' || proof FROM actions WHERE gateway = 'gw-0001' AND id = 1")" "served|sms dlr $kid"

# unsendable notices and Kannel unreachable (a back office of its own, sendsms on a closed port)
cat >bo2.json <<CONF
{"db": "bo2.db", "notices": {"sendsms_url": "http://127.0.0.1:$(free_port)/cgi-bin/sendsms", "quiet": "none",
 "dlr_listen": "127.0.0.1:$(free_port)"}}
CONF
printf 'customer,name,mobile,email,address,channel,consent_sms,consent_email,lang\nC-1,A,13800138000,,,sms,yes,no,en\nC-2,B,,a@example.com,,email,yes,yes,en\nC-4,D,13800138004,,,sms,no,no,en\n' >c2.csv
"$BO" -c bo2.json contacts import c2.csv >/dev/null 2>&1
for c in C-1 C-2 C-3 C-4; do
    printf '{"v":1,"gateway":"gw-x","seq":%s,"ts":1,"kind":"actions","body":{"id":%s,"customer":"%s","episode":"2025-11-16","action":"sms","channel":"sms","planned":"2025-12-20T10:00:00+08:00","taken":"2025-12-20T10:00:00+08:00","status":"taken","served":null,"proof":null,"principal":"1.00","penalty":"0.00","reason":"r","deadline":null}}\n' "${c#C-}" "${c#C-}" "$c"
done >a2.jsonl
"$BO" -c bo2.json import a2.jsonl >/dev/null 2>&1
"$BO" -c bo2.json notices run --idle-exit 3 >dispatch3.out 2>dispatch3.err
check "no number, no contact, no consent (and no mail relay): on the collectors' list with why, counted; Kannel unreachable: stays queued" \
    "$("$BO" -c bo2.json notices list | tr -d '\r' | awk -F, 'NR > 1 {print $3 ":" $8 ":" $9}' | tr '\n' ' ')|$("$BO" -c bo2.json stats | grep notices_unsendable)|$(grep -c 'Kannel did not answer; gw-x/1 stays queued' dispatch3.err)" \
    "C-1:queued: C-2:collector:no mobile number C-3:collector:no contact for C-3 C-4:collector:no consent to SMS |notices_unsendable 3|1"

# e-mail's bad cases (a back office of its own, no SMS numbers: e-mail from the start): a refused
# address (550 at RCPT), a message refused after DATA (554), a relay that offers no STARTTLS
cat >bo3.json <<CONF
{"db": "bo3.db", "notices": {"sendsms_url": "http://127.0.0.1:$(free_port)/cgi-bin/sendsms", "quiet": "none",
 "dlr_listen": "127.0.0.1:$(free_port)"},
 "mail": {"url": "smtp://localhost:$SMTPP", "from": "billing@power.example.cn", "ca_file": "tls/ca.pem"}}
CONF
sed -e "s/bo3.db/bo4.db/" -e "s/:$SMTPP\"/:$SMTPP_PLAIN\"/" bo3.json >bo4.json
printf 'customer,name,mobile,email,address,channel,consent_sms,consent_email,lang\nM-1,A,,refused@example.com,Road 1,email,no,yes,en\nM-2,B,,bounce@example.com,Road 2,email,no,yes,en\nM-3,C,,c@example.com,Road 3,email,no,yes,en\n' >c3.csv
for c in 1 2 3; do
    printf '{"v":1,"gateway":"gw-m","seq":%s,"ts":1,"kind":"actions","body":{"id":%s,"customer":"M-%s","episode":"2025-11-16","action":"sms","channel":"sms","planned":"2025-12-20T10:00:00+08:00","taken":"2025-12-20T10:00:00+08:00","status":"taken","served":null,"proof":null,"principal":"12.34","penalty":"0.05","reason":"r","deadline":null}}\n' $c $c $c
done >a3.jsonl
for b in bo3 bo4; do "$BO" -c $b.json contacts import c3.csv >/dev/null 2>&1; "$BO" -c $b.json import a3.jsonl >/dev/null 2>&1; done
before=$(ls "$t/mail" | wc -l)
"$BO" -c bo3.json notices run --idle-exit 2 >dispatch-m.out 2>dispatch-m.err
check "refused address and refused message: named errors, counted, on the collectors' list; the good one sent" \
    "$("$BO" -c bo3.json notices list | tr -d '\r' | pick 'customer+":"+status+":"+(history.split("; ")[1].split(" ") + ["-", "-"])[1]')|$("$BO" -c bo3.json stats | grep -E '^mail_' | tr '\n' ' ')|$(($(ls "$t/mail" | wc -l) - before))" \
    "M-1:collector:mail_refused: M-2:collector:mail_rejected: M-3:delivered:-|mail_refused 1 mail_rejected 1 |1"
check "the errors name the address and the relay's reply" \
    "$(grep -c 'refused@example.com: mail_refused: 550 5.1.1' dispatch-m.err)|$(grep -c 'bounce@example.com: mail_rejected: 554 5.6.0' dispatch-m.err)" "1|1"
"$BO" -c bo3.json notices run --idle-exit 1 >dispatch-m2.out 2>&1
check "restarted: nothing e-mailed again" "$(($(ls "$t/mail" | wc -l) - before))|$(grep -c e-mail dispatch-m2.out)" "1|0"
# the month's bills to the customers who chose e-mail, largest first, each once
printf '{"v":1,"gateway":"gw-m","seq":100,"ts":1,"kind":"bills","body":{"bills":[{"id":"M-3/2025-10","customer":"M-3","area":"A1","due":"2025-11-16","total":"50.25"},{"id":"M-1/2025-10","customer":"M-1","area":"A1","due":"2025-11-16","total":"98765.43"},{"id":"M-3/2025-09","customer":"M-3","area":"A1","due":"2025-10-16","total":"7.00"}]}}\n' >b3.jsonl
"$BO" -c bo3.json import b3.jsonl >/dev/null 2>&1
before=$(ls "$t/mail" | wc -l)
"$BO" -c bo3.json bills mail --period 2025-10 >bills.out 2>bills.err; rc=$?
"$BO" -c bo3.json bills mail --period 2025-10 >>bills.out 2>>bills.err
check "bills mail: the larger bill first (refused: mail_refused), then M-3's; run again: nothing sent twice" \
    "$rc|$("$BO" -c bo3.json bills list | tr -d '\r' | pick 'bill+":"+total+":"+status+":"+reason[:12]')|$(($(ls "$t/mail" | wc -l) - before))" \
    "0|M-1/2025-10:98765.43:failed:mail_refused M-3/2025-10:50.25:sent:|1"
check "the bill's e-mail: its amount and due date in the text, the bill of that month alone in the XLSX" \
    "$(python3 - "$t/mail/$(ls "$t/mail" | sort -n | tail -1)" <<'PY'
import email, email.policy, io, sys, zipfile
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
z = zipfile.ZipFile(io.BytesIO([p for p in m.iter_attachments()][0].get_content()))
s = z.read("xl/sharedStrings.xml").decode()
print(m["Subject"], m.get_body(("plain",)).get_content(), "M-3/2025-10" in s, "M-3/2025-09" in s, sep="|")
PY
)" "Electricity bill M-3|Power company: C (M-3): your bill for 2025-10 is 50.25 yuan, due on 2025-11-16. The bill is attached.|True|False"
"$BO" -c bo4.json notices run --idle-exit 2 >dispatch-p.out 2>dispatch-p.err
check "a relay without STARTTLS (require_tls): mail_tls_refused, counted, nothing sent in clear, still queued" \
    "$("$BO" -c bo4.json notices list | tr -d '\r' | pick 'status')|$("$BO" -c bo4.json stats | grep -E '^mail_')|$(ls "$t/mail-plain" | wc -l)" \
    "queued queued queued|mail_tls_refused 1|0"

# a bad mail block: each field named at its position, once, exit 2
printf '{"mail": {"url": "http://relay:25",\n "from": "not-an-address", "timeout_s": 0}}\n' >bad-mail.json
err=$("$BO" -c bad-mail.json notices list 2>&1); rc=$?
check "a bad mail block: url, from and timeout_s refused at their positions (exit 2)" "$rc|$(tr '\n' '#' <<<"$err")" \
    "2|gridledger: bad-mail.json:1:18: mail.url: must be smtp://HOST:PORT or smtps://HOST:PORT#gridledger: bad-mail.json:2:10: mail.from: not an RFC 5321 address#gridledger: bad-mail.json:2:41: mail.timeout_s: must be 1..600#"

# the same on PostgreSQL: contacts with their audit, a dispatcher pass (gw-pg: no key, so no proof down)
if pg_start "$t/pg"; then
    PGB=("$BO" -c "$t/bo.json" --pg "$PG_CONNINFO")
    "${PGB[@]}" contacts import contacts.csv --by tester >/dev/null 2>&1
    "${PGB[@]}" contacts set C-0002 lang zh --by alice >/dev/null 2>&1
    check "postgresql: contacts and their audit" \
        "$("${PGB[@]}" contacts audit C-0002 | tr -d '\r' | awk -F, '$2 == "alice" {print $4 "|" $5 "|" $6}')" "lang|en|zh"
    "$GL" -c gl.json actions --json | python3 -c '
import json, sys, time
for i, a in enumerate(json.load(sys.stdin)["actions"], 1):
    a["status"] = "taken" if a["action"] != "disconnect" else a["status"]
    print(json.dumps({"v": 1, "gateway": "gw-pg", "seq": i, "ts": int(time.time()), "kind": "actions", "body": a}))
' >actions-pg.jsonl
    "${PGB[@]}" import actions-pg.jsonl >/dev/null 2>&1
    "${PGB[@]}" notices run --idle-exit 3 >dispatch-pg.out 2>&1
    check "postgresql: the dispatcher's pass (C-0002 e-mailed after its SMS failed, in Chinese now; C-0004 to the collectors)" \
        "$("${PGB[@]}" notices list | tr -d '\r' | pick 'customer+":"+status+":"+lang+":"+channel')" \
        "C-0001:delivered:zh:sms C-0002:delivered:zh:email C-0003:delivered:en:sms C-0004:collector:en:letter C-0001:delivered:zh:email C-0002:delivered:zh:email"
else
    ok "# SKIP postgresql: $PG_SKIP"
fi
echo "1..$n"
