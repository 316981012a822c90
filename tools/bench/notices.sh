#!/bin/bash
# notices: the dispatcher against a real Kannel (bearerbox, smsbox, the fake
# SMSC of kannel-extras). N sms notices of N customers (Chinese, 2 UCS-2
# parts each) are queued from an imported collection record, rendered and
# submitted to smsbox's sendsms, and their delivery reports (SMSC accepted,
# then delivered: 2 per notice) taken back. Figures: notices rendered and
# submitted per second (first submission to the last), and delivery reports
# processed per second (until every notice is delivered). Peer: the same N
# texts with the same dlr-mask and a dlr-url sent to sendsms by a plain
# HTTP client (Python, one request at a time, its reports answered and
# counted by a listener that keeps nothing, until all 2N came), i.e. what
# Kannel and its fake SMSC take and report back without the dispatcher. rate_per_s is set to 1000 (the ceiling) for the run.
# E-mail: M written notices (English, each with its bill as XLSX) e-mailed
# through a real SMTP server on localhost (aiosmtpd, STARTTLS required, as
# in the tests) until all are delivered; peer: Python's smtplib sending the
# same messages (as the server received them) in one process, a connection
# with STARTTLS per message, as the dispatcher does.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BO=$PWD/$BUILD/gridledger-backoffice
N=${BENCH_NOTICES:-400}
M=${BENCH_MAILS:-200}
. tests/integration/lib/broker.sh
. tests/integration/lib/kannel.sh
. tests/integration/lib/smtp.sh
tmp=$(mktemp -d /tmp/bench_notices.XXXXXX)
DISP=
cleanup() {
    [ -n "$DISP" ] && kill "$DISP" 2>/dev/null && wait "$DISP" 2>/dev/null
    kannel_stop
    smtp_stop
    rm -rf "$tmp"
}
trap cleanup EXIT
row() { echo "| notices | $1 | $2 | $3 | $4 | $5 |"; }
kannel_start "$tmp" || { row "Kannel" "(not started)" "" "" ""; exit 0; }
DLRP=$(free_port)
cd "$tmp"
cat >bo.json <<CONF
{"db": "bo.db", "keys_dir": "keys",
 "notices": {"sendsms_url": "http://127.0.0.1:$KANNEL_SENDP/cgi-bin/sendsms", "user": "gridledger", "password": "gl-secret",
             "dlr_listen": "127.0.0.1:$DLRP", "dlr_url": "http://127.0.0.1:$DLRP/dlr", "quiet": "none", "rate_per_s": 1000}}
CONF
/usr/bin/python3 - "$N" <<'PY'
import json, sys, time
n = int(sys.argv[1])
with open("contacts.csv", "w") as c, open("actions.jsonl", "w") as a:
    c.write("customer,name,mobile,email,address,channel,consent_sms,consent_email,lang\n")
    for i in range(1, n + 1):
        c.write("C-%05d,用户%d,+86138%08d,,,sms,yes,no,zh\n" % (i, i, i))
        body = {"id": i, "customer": "C-%05d" % i, "episode": "2025-11-16", "action": "disconnect_notice",
                "channel": "sms", "planned": "2025-12-20T10:00:00+08:00", "taken": "2025-12-20T10:00:00+08:00",
                "status": "taken", "served": None, "proof": None, "principal": "1234.56", "penalty": "7.89",
                "reason": "bench", "deadline": "2025-12-28T10:00:00+08:00"}
        a.write(json.dumps({"v": 1, "gateway": "gw-bench", "seq": i, "ts": int(time.time()), "kind": "actions",
                            "body": body}) + "\n")
PY
"$BO" -c bo.json contacts import contacts.csv >/dev/null 2>&1
"$BO" -c bo.json import actions.jsonl >/dev/null 2>&1
count() { sqlite3 bo.db "SELECT count(*) FROM notices WHERE $1" 2>/dev/null || echo 0; }
start=$(date +%s.%N)
${BENCH_WRAP:-} "$BO" -c bo.json notices run >dispatch.out 2>&1 & DISP=$!
t_sub=; t_dlr=
for _ in $(seq 3000); do
    now=$(date +%s.%N)
    [ -z "$t_sub" ] && [ "$(count "status <> 'queued'")" = "$N" ] && t_sub=$now
    [ "$(count "status = 'delivered'")" = "$N" ] && { t_dlr=$now; break; }
    sleep 0.1
done
kill "$DISP" 2>/dev/null; wait "$DISP" 2>/dev/null; DISP=
# the peer: the same texts straight to sendsms
text=$(sqlite3 bo.db "SELECT text FROM notices LIMIT 1")
peer=$(/usr/bin/python3 - "$N" "$KANNEL_SENDP" "$text" <<'PY'
import http.server, sys, threading, time, urllib.parse, urllib.request
n, port, text = int(sys.argv[1]), sys.argv[2], sys.argv[3]
got = [0]
lock = threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with lock:
            got[0] += 1
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
dlr = "http://127.0.0.1:%d/dlr?type=%%d&ts=%%T&id=%%F" % srv.server_address[1]
t = time.time()
for i in range(n):
    q = urllib.parse.urlencode({"username": "gridledger", "password": "gl-secret", "from": "95598",
                                "to": "+86137%08d" % i, "text": text, "charset": "UTF-8", "coding": "2",
                                "dlr-mask": "31", "dlr-url": dlr})
    urllib.request.urlopen("http://127.0.0.1:%s/cgi-bin/sendsms?%s" % (port, q), timeout=10).read()
sub = n / (time.time() - t)
end = time.time() + 300
while got[0] < 2 * n and time.time() < end:
    time.sleep(0.05)
print("%.0f %s" % (sub, "%.0f" % (2 * n / (time.time() - t)) if got[0] >= 2 * n else "-"))
PY
)
read -r peer peer_dlr <<<"$peer"
if [ -n "$t_sub" ] && [ -n "$t_dlr" ]; then
    sub=$(python3 -c "print('%.0f' % ($N / ($t_sub - $start)))")
    dlr=$(python3 -c "print('%.0f' % (2 * $N / ($t_dlr - $start)))")
    row "$N notices rendered + submitted to Kannel sendsms" "$sub" "notices/s" "plain client $peer/s" \
        "$(python3 -c "print('%.2f' % ($sub / $peer))")"
    row "delivery reports taken (2 per notice) until all $N delivered" "$dlr" "reports/s" \
        "plain client's listener $peer_dlr/s" "$(python3 -c "print('%.2f' % ($dlr / $peer_dlr))" 2>/dev/null)"
else
    row "$N notices" "(incomplete: $(count "status = 'delivered'") delivered)" "" "plain client $peer/s" ""
fi

# ---- e-mail ----
mkdir -p mailbench && cd mailbench
tls_certs tls >/dev/null 2>&1
SMTPP=$(free_port)
if ! smtp_start "$tmp/mailbench/in" "$SMTPP" tls/broker.pem tls/broker.key; then
    row "e-mail" "(SMTP server not started)" "" "" ""; exit 0
fi
cat >bo.json <<CONF
{"db": "bo.db", "keys_dir": "keys",
 "notices": {"dlr_listen": "127.0.0.1:$(free_port)", "quiet": "none"},
 "mail": {"url": "smtp://localhost:$SMTPP", "from": "billing@power.example.cn", "ca_file": "tls/ca.pem"}}
CONF
/usr/bin/python3 - "$M" <<'PY'
import json, sys, time
n = int(sys.argv[1])
with open("contacts.csv", "w") as c, open("actions.jsonl", "w") as a:
    c.write("customer,name,mobile,email,address,channel,consent_sms,consent_email,lang\n")
    bills = []
    for i in range(1, n + 1):
        cu = "C-%05d" % i
        c.write("%s,User %d,,user%d@example.com,,email,no,yes,en\n" % (cu, i, i))
        bills.append({"id": cu + "/2025-10", "customer": cu, "area": "A1", "due": "2025-11-16", "total": "1242.45"})
        body = {"id": i, "customer": cu, "episode": "2025-11-16", "action": "written_notice", "channel": "letter",
                "planned": "2025-12-20T10:00:00+08:00", "taken": "2025-12-20T10:00:00+08:00", "status": "taken",
                "served": None, "proof": None, "principal": "1234.56", "penalty": "7.89", "reason": "bench",
                "deadline": "2025-12-28T10:00:00+08:00"}
        a.write(json.dumps({"v": 1, "gateway": "gw-bench", "seq": i, "ts": int(time.time()), "kind": "actions",
                            "body": body}) + "\n")
    a.write(json.dumps({"v": 1, "gateway": "gw-bench", "seq": n + 1, "ts": int(time.time()), "kind": "bills",
                        "body": {"bills": bills}}) + "\n")
PY
"$BO" -c bo.json contacts import contacts.csv >/dev/null 2>&1
"$BO" -c bo.json import actions.jsonl >/dev/null 2>&1
start=$(date +%s.%N)
${BENCH_WRAP:-} "$BO" -c bo.json notices run >dispatch.out 2>&1 & DISP=$!
t_mail=
for _ in $(seq 3000); do
    [ "$(count "status = 'delivered'")" = "$M" ] && { t_mail=$(date +%s.%N); break; }
    sleep 0.1
done
kill "$DISP" 2>/dev/null; wait "$DISP" 2>/dev/null; DISP=
# the peer: the same messages again, from one Python process
peer=$(/usr/bin/python3 - "$M" "$SMTPP" "$tmp/mailbench/in" <<'PY'
import os, smtplib, ssl, sys, time
n, port, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
msgs = [open(os.path.join(d, "%d.eml" % i), "rb").read() for i in range(1, n + 1)]
ctx = ssl.create_default_context(cafile="tls/ca.pem")
t = time.time()
for i, m in enumerate(msgs, 1):
    with smtplib.SMTP("localhost", port) as s:
        s.starttls(context=ctx)
        s.sendmail("billing@power.example.cn", ["user%d@example.com" % i], m)
print("%.0f" % (n / (time.time() - t)))
PY
)
if [ -n "$t_mail" ]; then
    rate=$(python3 -c "print('%.0f' % ($M / ($t_mail - $start)))")
    row "$M written notices rendered + e-mailed (bill as XLSX, STARTTLS) until all delivered" "$rate" "e-mails/s" \
        "smtplib $peer/s" "$(python3 -c "print('%.2f' % ($rate / $peer))")"
else
    row "$M e-mails" "(incomplete: $(count "status = 'delivered'") delivered)" "" "smtplib $peer/s" ""
fi
