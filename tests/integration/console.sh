#!/bin/bash
# console: `gridledger-backoffice serve` over HTTPS on a real SQLite store
# (the back office's test messages and a collection record imported), with
# mosquitto over TLS for the downlink, driven with curl: the page and its
# headers, login and its cookie, a collector seeing only their grid, role
# checks, bad input refused with nothing changed, a CSRF token missing or
# replayed refused, marking a notice served (the signed "served" command
# received from the broker and its HMAC checked with openssl), the audit
# log, lock-out, logout, and the area report equal to `report area`.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BO=$PWD/$BUILD/gridledger-backoffice
. tests/integration/lib/broker.sh
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1: $3"; fi; }
tmp=$(mktemp -d /tmp/console.XXXXXX)
SRV= SUB=
trap '[ -n "$SUB" ] && kill $SUB 2>/dev/null; [ -n "$SRV" ] && kill $SRV 2>/dev/null && wait $SRV 2>/dev/null; broker_stop; rm -rf "$tmp"' EXIT

tls_certs "$tmp/tls" && broker_start "$tmp/tls" && ok "mosquitto with TLS on $BROKER_PORT" || { notok "broker"; exit 0; }
mkdir -m 0700 "$tmp/keys"
KEY_A=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
(umask 077; echo $KEY_A >"$tmp/keys/gw-a.key")
cat >"$tmp/bo.json" <<CONF
{"broker": {"host": "localhost", "port": $BROKER_PORT, "ca": "tls/ca.pem", "cert": "tls/bo.pem", "key": "tls/bo.key"},
 "keys_dir": "keys", "db": "bo.db", "down_ttl_s": 3600,
 "collection": {"cut_hours": ["00:00", "23:59"], "no_cut_weekends": false, "holidays": [], "no_cut_days": []}}
CONF
BOC=("$BO" -c "$tmp/bo.json")
act() { # act SEQ ID CUSTOMER ACTION STATUS [SERVED]
    local served=null proof=null
    [ -n "${6:-}" ] && served="\"$6\"" && proof='"visit, signed receipt"'
    envelope gw-a "$1" actions "{\"id\":$2,\"customer\":\"$3\",\"episode\":\"2024-01-27\",\"action\":\"$4\",\"channel\":\"visit\",\"planned\":\"2024-02-02\",\"taken\":\"2024-02-02T10:00\",\"status\":\"$5\",\"served\":$served,\"proof\":$proof,\"principal\":\"149.49\",\"penalty\":\"0.75\",\"reason\":\"grade B ladder\"}"
}
# act_ago SEQ ID CUSTOMER ACTION MINUTES: a notice of C-1's episode taken and served MINUTES ago (a
# cut of C-1 now is lawful: 149.49 over 100.00, more than 30 days past due, a reminder, a
# disconnection notice 10 days before, a confirmation 45 minutes before; the test's cut hours are the whole day)
act_ago() {
    local at; at=$(date -d "@$(($(date +%s) - $5 * 60))" +%Y-%m-%dT%H:%M)
    envelope gw-a "$1" actions "{\"id\":$2,\"customer\":\"$3\",\"episode\":\"2024-01-27\",\"action\":\"$4\",\"channel\":\"visit\",\"planned\":\"$at\",\"taken\":\"$at\",\"status\":\"served\",\"served\":\"$at\",\"proof\":\"signed receipt\",\"principal\":\"149.49\",\"penalty\":\"0.75\",\"reason\":\"grade B ladder\"}"
}
{ cat tests/integration/backoffice/messages.jsonl
  act 101 1 C-1 written_notice taken
  act 102 2 C-2 disconnect_notice served 2024-02-02T11:00
  act 103 3 C-4 written_notice taken
  act_ago 105 5 C-1 sms $((20 * 1440))
  act_ago 106 6 C-1 disconnect_notice $((10 * 1440))
  act_ago 107 7 C-1 confirm_30min 45
  envelope gw-a 113 alerts '{"kind":"tamper","subject":"C-1","detail":"cover opened","ts":1706745700,"alert":true}'; } >"$tmp/in.jsonl"
"${BOC[@]}" import "$tmp/in.jsonl" >"$tmp/import.out" 2>&1
check "store imported with a collection record" '[ "$(sqlite3 "$tmp/bo.db" "SELECT COUNT(*) FROM actions")" = 6 ]' "$(cat "$tmp/import.out")"

PW=correct-horse-battery
for u in "li --role collector --grid G-01" "wang --role supervisor" "root1 --role admin" "mgr --role manager"; do
    # shellcheck disable=SC2086
    echo "$PW" | "${BOC[@]}" user add $u >>"$tmp/users.out" 2>&1 || notok "user add $u"
done
check "four operators added" '[ "$(grep -c added "$tmp/users.out")" = 4 ]' "$(cat "$tmp/users.out")"
err=$(echo short | "${BOC[@]}" user add x --role admin 2>&1); rc=$?
check "a 5-character password refused (exit 2)" '[ $rc = 2 ] && [[ "$err" == *"password: 10..256"* ]]' "rc=$rc $err"
err=$(echo "$PW" | "${BOC[@]}" user add y --role collector 2>&1); rc=$?
check "a collector without a grid refused" '[ $rc = 2 ]' "rc=$rc $err"
check "the password is stored as Argon2id only" \
    '[ "$(sqlite3 "$tmp/bo.db" "SELECT COUNT(*) FROM console_users WHERE hash LIKE '"'"'\$argon2id\$%'"'"'")" = 4 ] && ! grep -q "$PW" "$tmp/bo.db"' "hashes"

PORT=$(free_port)
"${BOC[@]}" serve --listen 127.0.0.1:$PORT --cert "$tmp/tls/broker.pem" --key "$tmp/tls/broker.key" \
    >"$tmp/serve.out" 2>"$tmp/serve.err" &
SRV=$!
for _ in $(seq 50); do grep -q "console on" "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
check "serve listens over HTTPS" 'grep -q "console on https://127.0.0.1:$PORT/" "$tmp/serve.out"' "$(cat "$tmp/serve.err")"
URL=https://localhost:$PORT
CURL=(curl -sS --cacert "$tmp/tls/ca.pem" --max-time 20)

# api JAR METHOD PATH [BODY [CSRF]]: prints "STATUS BODY"
api() {
    local jar=$1 m=$2 p=$3 body=${4:-} csrf=${5:-} args=()
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    [ -n "$csrf" ] && args+=(-H "X-CSRF-Token: $csrf")
    "${CURL[@]}" -b "$tmp/$jar.jar" -c "$tmp/$jar.jar" -X "$m" -o "$tmp/body" -w '%{http_code}' "${args[@]}" "$URL$p"
    printf ' %s' "$(cat "$tmp/body")"
}
js() { python3 -c "import json,sys; d=json.loads(sys.argv[1].split(' ',1)[1]); print($2)" "$1"; }

hdr=$("${CURL[@]}" -D - -o "$tmp/index.html" "$URL/")
check "GET / is the console page with a CSP allowing only its own files" \
    '[[ "$hdr" == *" 200"* ]] && [[ "$hdr" == *"content-security-policy: default-src '"'"'none'"'"'; script-src '"'"'self'"'"'"* || "$hdr" == *"Content-Security-Policy: default-src '"'"'none'"'"'; script-src '"'"'self'"'"'"* ]] && grep -q "app.js" "$tmp/index.html"' "$hdr"
check "the page has no inline script" '! grep -Eq "<script>|<script [^>]*>[^<]|on(click|load)=" "$tmp/index.html"' "inline script"
r=$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$URL/../bo.db")
check "no file outside the console folder (../bo.db: $r)" '[ "$r" = 404 ] || [ "$r" = 400 ]' "$r"
r=$(curl -sS --max-time 5 -o /dev/null "http://127.0.0.1:$PORT/" 2>&1; echo "rc=$?")
check "plain HTTP gets no page" '[[ "$r" != *"rc=0"* ]] || [[ "$r" == *"rc=52"* ]]' "$r"

r=$(api anon GET /api/today)
check "no session: 401" '[[ "$r" == "401 "*"not logged in"* ]]' "$r"
r=$(api anon POST /api/login '{"user":"li","password":"wrong password"}')
check "wrong password: 401" '[[ "$r" == "401 "*"wrong user name or password"* ]]' "$r"
r=$(api anon POST /api/login '{"user":"li","password":"x",}')
check "malformed JSON: 400" '[[ "$r" == "400 "*"malformed JSON"* ]]' "$r"
r=$(api anon POST /api/login '{"user":"li","password":"x","admin":true}')
check "unknown field: 400 naming it" '[[ "$r" == "400 "*"unknown field \\\"admin\\\""* ]]' "$r"
hdr=$("${CURL[@]}" -D - -o "$tmp/body" -c "$tmp/li.jar" -H 'Content-Type: application/json' \
    --data-binary "{\"user\":\"li\",\"password\":\"$PW\"}" "$URL/api/login")
check "collector logs in: cookie Secure, HttpOnly, SameSite=Strict, 8 h" \
    'grep -qi "set-cookie: gl_session=[0-9a-f]\{64\}; Path=/; Max-Age=28800; Secure; HttpOnly; SameSite=Strict" <<<"$hdr"' "$hdr"
LI_CSRF=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$tmp/body")
check "login answers role, grid and a CSRF token" '[ ${#LI_CSRF} = 64 ] && grep -q "\"grid\":\"G-01\"" "$tmp/body"' "$(cat "$tmp/body")"

r=$(api li GET /api/today)
check "Today: the collector sees only grid G-01 (C-2, C-1 by deadline)" \
    '[ "$(js "$r" "[(w[\"customer\"],w[\"grid\"]) for w in d[\"worklist\"]]")" = "[('"'"'C-2'"'"', '"'"'G-01'"'"'), ('"'"'C-1'"'"', '"'"'G-01'"'"')]" ]' "$r"
check "Today: amounts exact as strings (149.49, penalty 0.75), days overdue" \
    '[ "$(js "$r" "[(w[\"arrears\"],w[\"penalty\"],w[\"days_overdue\"]) for w in d[\"worklist\"] if w[\"customer\"]==\"C-1\"]")" = "[('"'"'149.49'"'"', '"'"'0.75'"'"', 5)]" ]' "$r"
check "Today: notices awaiting proof only of the grid (record 1, not C-4's 3)" \
    '[ "$(js "$r" "[a[\"id\"] for a in d[\"awaiting_proof\"]]")" = "[1]" ]' "$r"
r=$(api li GET "/api/record?gateway=gw-a&customer=C-4")
check "another grid's customer: 403" '[[ "$r" == "403 "*"not in grid G-01"* ]]' "$r"
r=$(api li GET "/api/record?gateway=gw-a&customer=C-2")
check "collection record of C-2: the served notice with its proof" \
    '[ "$(js "$r" "[(a[\"action\"],a[\"status\"],a[\"proof\"],a[\"principal\"]) for a in d[\"actions\"]]")" = "[('"'"'disconnect_notice'"'"', '"'"'served'"'"', '"'"'visit, signed receipt'"'"', '"'"'149.49'"'"')]" ]' "$r"
r=$(api li GET "/api/record?gateway=gw-a&customer=../x")
check "bad customer id: 400" '[[ "$r" == "400 "* ]]' "$r"
for p in /api/report/area /api/audit; do
    r=$(api li GET $p)
    check "collector may not GET $p: 403" '[[ "$r" == "403 "*"role collector"* ]]' "$r"
done

# served: refusals change nothing
down() { sqlite3 "$tmp/bo.db" "SELECT COUNT(*) FROM downlink"; }
before=$(down)
GOOD='{"gateway":"gw-a","customer":"C-1","id":1,"proof":"visited 2024-02-03, receipt 17","at":"2024-02-03T09:30"}'
r=$(api li POST /api/served "$GOOD")
check "served without a CSRF token: 403" '[[ "$r" == "403 "*"CSRF"* ]]' "$r"
r=$(api li POST /api/served "$GOOD" "$(printf '%064d' 0)")
check "served with a wrong CSRF token: 403, and no token handed out" '[[ "$r" == "403 "*"CSRF"* ]] && [[ "$r" != *'"'"'"csrf"'"'"'* ]]' "$r"
r=$(api li POST /api/served '{"gateway":"gw-a","customer":"C-1","id":1,"proof":"x","extra":1}' "$LI_CSRF")
check "served with an unknown field: 400" '[[ "$r" == "400 "*"unknown field"* ]]' "$r"
LI_CSRF=$(js "$r" 'd["csrf"]')
r=$(api li POST /api/served '{"gateway":"gw-a","customer":"C-1","id":1,"proof":""}' "$LI_CSRF")
check "served with an empty proof: 400" '[[ "$r" == "400 "*"proof"* ]]' "$r"
LI_CSRF=$(js "$r" 'd["csrf"]')
r=$(api li POST /api/served '{"gateway":"gw-a","customer":"C-4","id":3,"proof":"visit"}' "$LI_CSRF")
check "served for another grid's customer: 403" '[[ "$r" == "403 "*"not in grid"* ]]' "$r"
LI_CSRF=$(js "$r" 'd["csrf"]')
r=$(api li POST /api/served '{"gateway":"gw-a","customer":"C-2","id":2,"proof":"visit"}' "$LI_CSRF")
check "served for a notice already served: 409" '[[ "$r" == "409 "*"is served"* ]]' "$r"
LI_CSRF=$(js "$r" 'd["csrf"]')
check "nothing sent by the refused requests" '[ "$(down)" = "$before" ]' "downlink $(down) was $before"

mosquitto_sub -h localhost -p "$BROKER_PORT" --cafile "$tmp/tls/ca.pem" --cert "$tmp/tls/gw.pem" --key "$tmp/tls/gw.key" \
    -q 1 -v -C 1 -W 30 -t 'gl/v1/gw-a/down/#' >"$tmp/down.txt" 2>"$tmp/sub.err" &
SUB=$!
sleep 1
r=$(api li POST /api/served "$GOOD" "$LI_CSRF")
check "served: 200, sent as downlink seq 1" '[[ "$r" == "200 "* ]] && [ "$(js "$r" "d[\"seq\"]")" = 1 ]' "$r $(tail -3 "$tmp/serve.err")"
wait $SUB; SUB=
line=$(cat "$tmp/down.txt")
msg=${line#* }
sig=$(sed -nE 's/.*,"sig":"([0-9a-f]{64})"\}$/\1/p' <<<"$msg")
want=$(printf %s "${msg%,\"sig\":*}}" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY_A" | awk '{print $NF}')
check "the gateway's topic got the served command, HMAC verified by openssl" \
    '[ "${line%% *}" = gl/v1/gw-a/down/commands ] && [ -n "$sig" ] && [ "$sig" = "$want" ]' "$line"
check "its body: the gateway's served command (customer, action, record_id, served as Unix time, proof)" \
    'python3 -c "import json,sys; b=json.loads(sys.argv[1])[\"body\"]; assert b=={\"command\":\"served\",\"customer\":\"C-1\",\"action\":\"written_notice\",\"record_id\":1,\"served\":int(__import__(\"time\").mktime(__import__(\"time\").strptime(\"2024-02-03T09:30\",\"%Y-%m-%dT%H:%M\"))),\"proof\":\"visited 2024-02-03, receipt 17\"}, b" "$msg"' "$msg"
r=$(api li POST /api/served "$GOOD" "$LI_CSRF")
check "the same CSRF token again (a replay): 403, nothing sent" '[[ "$r" == "403 "*"already used"* ]] && [ "$(down)" = $((before + 1)) ]' "$r"


# Commands: a cut needs the lawfulness check's green light (the gateway's rules, core/episode.c)
# and a supervisor's approval; a refused check lists every broken rule and cannot be approved.
r=$(api li GET "/api/cutcheck?gateway=gw-a&customer=C-1")
check "cut check of C-1: lawful, every rule ok with its reason" \
    '[ "$(js "$r" "(d[\"lawful\"], [x[\"rule\"] for x in d[\"rules\"] if x[\"ok\"]], d[\"basis\"][\"principal\"], d[\"basis\"][\"record_rows\"])")" = "(True, ['"'"'threshold'"'"', '"'"'overdue'"'"', '"'"'window'"'"', '"'"'reminder'"'"', '"'"'notice'"'"', '"'"'notice_days'"'"', '"'"'confirm'"'"'], '"'"'149.49'"'"', 4)" ]' "$r"
r=$(api li GET "/api/cutcheck?gateway=gw-a&customer=C-2")
check "cut check of C-2: refused, each broken rule named (threshold 20.00, no reminder, stale notice, no confirmation)" \
    '[ "$(js "$r" "(d[\"lawful\"], [x[\"rule\"] for x in d[\"rules\"] if not x[\"ok\"]])")" = "(False, ['"'"'threshold'"'"', '"'"'reminder'"'"', '"'"'notice'"'"', '"'"'notice_days'"'"', '"'"'confirm'"'"'])" ] && [[ "$r" == *"principal arrears 20.00 under the cut threshold 100.00"* ]]' "$r"
r=$(api li GET "/api/cutcheck?gateway=gw-a&customer=C-4")
check "cut check of another grid's customer: 403" '[[ "$r" == "403 "*"not in grid"* ]]' "$r"
r=$(api li GET "/api/cutcheck?gateway=gw-a")
check "cut check without a customer: 400" '[[ "$r" == "400 "* ]]' "$r"
r=$(api li GET /api/me); LI_CSRF=$(js "$r" 'd["csrf"]')
before=$(down)
for bad in '{"gateway":"gw-a","customer":"C-1","command":"explode","reason":"x"}' \
           '{"gateway":"gw-a","customer":"C-1","command":"disconnect"}' \
           '{"gateway":"gw-a","customer":"C-1","command":"disconnect","reason":"x","at":"now"}' \
           '{"gateway":"gw-a","customer":"C-1","command":"disconnect","reason":"x",}'; do
    r=$(api li POST /api/commands "$bad" "$LI_CSRF")
    check "command request $bad: 400" '[[ "$r" == "400 "* ]]' "$r"
    LI_CSRF=$(js "$r" 'd["csrf"]')
done
r=$(api li POST /api/commands '{"gateway":"gw-a","customer":"C-4","command":"disconnect","reason":"x"}' "$LI_CSRF")
check "command request for another grid's customer: 403" '[[ "$r" == "403 "*"not in grid"* ]]' "$r"
LI_CSRF=$(js "$r" 'd["csrf"]')
r=$(api li POST /api/commands '{"gateway":"gw-a","customer":"C-1","command":"disconnect","reason":"x"}')
check "command request without a CSRF token: 403" '[[ "$r" == "403 "*"CSRF"* ]]' "$r"
r=$(api li POST /api/commands '{"gateway":"gw-a","customer":"C-1","command":"disconnect","reason":"arrears 149.49, notices served"}' "$LI_CSRF")
check "the collector requests the cut of C-1: 201, request 1, lawful" \
    '[[ "$r" == "201 "* ]] && [ "$(js "$r" "(d[\"id\"], d[\"state\"], d[\"check\"][\"lawful\"])")" = "(1, '"'"'requested'"'"', True)" ]' "$r"
LI_CSRF=$(js "$r" 'd["csrf"]')
r=$(api li POST /api/commands '{"gateway":"gw-a","customer":"C-2","command":"disconnect","reason":"arrears"}' "$LI_CSRF")
check "the collector requests the cut of C-2: 201, request 2, refused by the check" \
    '[[ "$r" == "201 "* ]] && [ "$(js "$r" "(d[\"id\"], d[\"check\"][\"lawful\"])")" = "(2, False)" ]' "$r"
LI_CSRF=$(js "$r" 'd["csrf"]')
r=$(api li POST /api/commands/approve '{"id":1}' "$LI_CSRF")
check "a collector may not approve: 403" '[[ "$r" == "403 "*"role collector"* ]]' "$r"
check "nothing sent before an approval" '[ "$(down)" = "$before" ]' "downlink $(down) was $before"
api wang POST /api/login "{\"user\":\"wang\",\"password\":\"$PW\"}" >"$tmp/wang.txt"
WANG_CSRF=$(js "$(cat "$tmp/wang.txt")" 'd["csrf"]')
r=$(api wang POST /api/commands/approve '{"id":2}' "$WANG_CSRF")
check "the supervisor cannot approve the refused cut of C-2: 409 with the rules, nothing sent" \
    '[[ "$r" == "409 "*"cannot be approved"* ]] && [ "$(js "$r" "d[\"check\"][\"lawful\"]")" = False ] && [ "$(down)" = "$before" ]' "$r"
WANG_CSRF=$(js "$r" 'd["csrf"]')
for bad in '{"id":"1"}' '{"id":0}' '{"id":1.5}'; do
    r=$(api wang POST /api/commands/approve "$bad" "$WANG_CSRF")
    check "approve $bad: 400" '[[ "$r" == "400 "* ]]' "$r"
    WANG_CSRF=$(js "$r" 'd["csrf"]')
done
r=$(api wang POST /api/commands/approve '{"id":99}' "$WANG_CSRF")
check "approve an unknown request: 404" '[[ "$r" == "404 "* ]]' "$r"
WANG_CSRF=$(js "$r" 'd["csrf"]')
mosquitto_sub -h localhost -p "$BROKER_PORT" --cafile "$tmp/tls/ca.pem" --cert "$tmp/tls/gw.pem" --key "$tmp/tls/gw.key" \
    -q 1 -v -C 1 -W 30 -t 'gl/v1/gw-a/down/#' >"$tmp/down.txt" 2>"$tmp/sub.err" &
SUB=$!
sleep 1
r=$(api wang POST /api/commands/approve '{"id":1}' "$WANG_CSRF")
check "the supervisor approves the lawful cut of C-1: 200, sent as downlink seq 2" \
    '[[ "$r" == "200 "* ]] && [ "$(js "$r" "(d[\"seq\"], d[\"state\"], d[\"check\"][\"lawful\"])")" = "(2, '"'"'sent'"'"', True)" ]' "$r $(tail -3 "$tmp/serve.err")"
WANG_CSRF=$(js "$r" 'd["csrf"]')
wait $SUB; SUB=
line=$(cat "$tmp/down.txt"); msg=${line#* }
sig=$(sed -nE 's/.*,"sig":"([0-9a-f]{64})"\}$/\1/p' <<<"$msg")
want=$(printf %s "${msg%,\"sig\":*}}" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY_A" | awk '{print $NF}')
check "the gateway got the signed disconnect of C-1 (HMAC verified by openssl)" \
    '[ "${line%% *}" = gl/v1/gw-a/down/commands ] && [ "$sig" = "$want" ] && python3 -c "import json,sys; b=json.loads(sys.argv[1])[\"body\"]; assert (b[\"command\"], b[\"customer\"]) == (\"disconnect\", \"C-1\"), b" "$msg"' "$line"
r=$(api wang POST /api/commands/approve '{"id":1}' "$WANG_CSRF")
check "approving it again: 409" '[[ "$r" == "409 "*"is sent"* ]]' "$r"
WANG_CSRF=$(js "$r" 'd["csrf"]')
r=$(api wang GET /api/commands)
check "commands: the cut sent and pending the gateway's ack, the refused one still requested" \
    '[ "$(js "$r" "[(c[\"id\"], c[\"state\"], c[\"ack\"]) for c in d[\"rows\"]]")" = "[(2, '"'"'requested'"'"', None), (1, '"'"'sent'"'"', '"'"'pending'"'"')]" ]' "$r"
envelope gw-a 108 ack '{"down_kind":"commands","down_seq":2,"result":"applied"}' >"$tmp/ack.jsonl"
"${BOC[@]}" import "$tmp/ack.jsonl" >/dev/null 2>&1
r=$(api li GET /api/commands)
check "after the gateway's ack the collector's list shows the cut applied" \
    '[ "$(js "$r" "[(c[\"id\"], c[\"ack\"]) for c in d[\"rows\"]]")" = "[(2, None), (1, '"'"'applied'"'"')]" ]' "$r"
r=$(api wang POST /api/commands/reject '{"id":2}' "$WANG_CSRF")
check "the supervisor rejects the refused request: 200, audited" \
    '[[ "$r" == "200 "* ]] && [ "$(sqlite3 "$tmp/bo.db" "SELECT who || '"'"' '"'"' || what FROM console_audit WHERE what LIKE '"'"'command%'"'"' ORDER BY id" | tr "\n" ";")" = "li command_request;li command_request;wang command_approve;wang command_reject;" ]' "$r"

# a payment taken at the back office: exact amounts only, then its acknowledgement on the record
r=$(api li GET /api/me); LI_CSRF=$(js "$r" 'd["csrf"]')
for bad in '"10.005"' '"-1.00"' '"1e3"' '12.5'; do
    r=$(api li POST /api/pay "{\"gateway\":\"gw-a\",\"customer\":\"C-1\",\"amount\":$bad,\"ref\":\"BANK-9\"}" "$LI_CSRF")
    check "pay $bad refused: 400" '[[ "$r" == "400 "*"amount"* ]]' "$r"
    LI_CSRF=$(js "$r" 'd["csrf"]')
done
before=$(down)
r=$(api li POST /api/pay '{"gateway":"gw-a","customer":"C-4","amount":"1.00","ref":"BANK-8"}' "$LI_CSRF")
check "pay for another grid's customer: 403" '[[ "$r" == "403 "*"not in grid"* ]] && [ "$(down)" = "$before" ]' "$r"
LI_CSRF=$(js "$r" 'd["csrf"]')
r=$(api li POST /api/pay '{"gateway":"gw-a","customer":"C-1","amount":"100.5","ref":"BANK-9","date":"2024-02-05"}' "$LI_CSRF")
row=$(sqlite3 -separator ' ' "$tmp/bo.db" "SELECT amount_fen, ref, date FROM downlink WHERE gateway = 'gw-a' AND seq = 3")
check "pay 100.5: answered 100.50 as downlink seq 3, recorded as 10050 fen with its ref and date" \
    '[[ "$r" == "200 "* ]] && [ "$(js "$r" "d[\"amount\"] + \" \" + str(d[\"seq\"])")" = "100.50 3" ] && [ "$row" = "10050 BANK-9 2024-02-05" ]' "$r / $row"
r=$(api li GET "/api/record?gateway=gw-a&customer=C-1")
check "the record shows the payment pending" '[ "$(js "$r" "[(p[\"seq\"], p[\"amount\"], p[\"result\"]) for p in d[\"payments\"]]")" = "[(3, '"'"'100.50'"'"', '"'"'pending'"'"')]" ]' "$r"
envelope gw-a 104 ack '{"down_kind":"payments","down_seq":3,"result":"applied"}' >"$tmp/ack.jsonl"
"${BOC[@]}" import "$tmp/ack.jsonl" >/dev/null 2>&1
r=$(api li GET "/api/record?gateway=gw-a&customer=C-1")
check "after the gateway's ack the record shows it applied" '[ "$(js "$r" "[p[\"result\"] for p in d[\"payments\"]]")" = "['"'"'applied'"'"']" ]' "$r"
r=$(api li GET "/api/customer?gateway=gw-a&customer=C-1")
check "customer page of C-1: its bill with lines, the statement (payment 100.50 applied, bill 149.49: balance 48.99)" \
    '[ "$(js "$r" "([(b[\"id\"], b[\"total\"], b[\"lines\"]) for b in d[\"bills\"]], [(e[\"what\"], e[\"amount\"], e[\"balance\"]) for e in d[\"statement\"]])")" = "([('"'"'C-1/2024-01'"'"', '"'"'149.49'"'"', [])], [('"'"'payment'"'"', '"'"'-100.50'"'"', '"'"'-100.50'"'"'), ('"'"'bill'"'"', '"'"'149.49'"'"', '"'"'48.99'"'"')])" ]' "$r"
check "customer page of C-1: grade history, the service standard of grade B, its open alert, contacts" \
    '[ "$(js "$r" "([g[\"grade\"] for g in d[\"grades\"]], d[\"service\"][\"grade\"], len(d[\"service\"][\"standard\"]) > 0, [(a[\"kind\"], a[\"open\"]) for a in d[\"alerts\"]], d[\"contacts\"])")" = "(['"'"'A'"'"', '"'"'B'"'"'], '"'"'B'"'"', True, [('"'"'tamper'"'"', 1)], [])" ]' "$r"
r=$(api li GET "/api/customer?gateway=gw-a&customer=C-4")
check "customer page of another grid's customer: 403" '[[ "$r" == "403 "*"not in grid"* ]]' "$r"
r=$(api li GET "/api/customer?gateway=gw-a&customer=C%3B1")
check "customer page with a bad customer id: 400" '[[ "$r" == "400 "* ]]' "$r"
r=$(api li GET "/api/cutcheck?gateway=gw-a&customer=C-1")
check "after the payment's ack a cut of C-1 is refused: principal 149.49 less 100.50 paid is under the threshold" \
    '[ "$(js "$r" "(d[\"lawful\"], d[\"basis\"][\"principal\"], d[\"basis\"][\"paid_since\"], [x[\"rule\"] for x in d[\"rules\"] if not x[\"ok\"]])")" = "(False, '"'"'48.99'"'"', '"'"'100.50'"'"', ['"'"'threshold'"'"'])" ]' "$r"

hdr=$("${CURL[@]}" -o "$tmp/body" -c "$tmp/wang.jar" -H 'Content-Type: application/json' \
    --data-binary "{\"user\":\"wang\",\"password\":\"$PW\"}" "$URL/api/login" -w '%{http_code}')
r=$(api wang GET /api/today)
check "the supervisor sees every grid (5 rows of both gateways, G-01 and G-02)" \
    '[ "$(js "$r" "len(d[\"worklist\"])")" = 5 ] && [ "$(js "$r" "\",\".join(sorted(set(w[\"grid\"] for w in d[\"worklist\"])))")" = G-01,G-02 ]' "$r"
r=$(api wang GET /api/audit)
check "the audit log shows li's served with its proof and seq" \
    '[ "$(js "$r" "[(a[\"who\"],a[\"what\"],json.loads(a[\"detail\"])[\"seq\"]) for a in d[\"rows\"] if a[\"what\"]==\"served\"]")" = "[('"'"'li'"'"', '"'"'served'"'"', 1)]" ]' "$r"
r=$(api wang GET /api/report/area)
"${BOC[@]}" report area >"$tmp/area.csv"
check "area report: the same billed and collected as report area" \
    '[ "$(js "$r" "\";\".join(\"%s,%s,%s\" % (a[\"area\"],a[\"billed\"] or \"\",a[\"collected\"] or \"\") for a in d[\"rows\"])")" = "$(python3 -c "import csv,sys; print(\";\".join(\"%s,%s,%s\" % (r[\"area\"],r[\"billed\"],r[\"collected\"]) for r in csv.DictReader(open(sys.argv[1])) if r[\"area\"] and r[\"area\"]!=\"total\"))" "$tmp/area.csv")" ]' "$r / $(cat "$tmp/area.csv")"
r=$(api wang GET /api/report/nosuch)
check "unknown report: 404" '[[ "$r" == "404 "* ]]' "$r"
WANG_CSRF=$(api wang GET /api/me); WANG_CSRF=$(js "$WANG_CSRF" 'd["csrf"]')
before=$(down)
r=$(api wang POST /api/tariff "$(python3 -c 'import json,sys; print(json.dumps({"gateway":"gw-a","tariff":"{\"id\": \"bj-res\", \"versions\": []}"}))')" "$WANG_CSRF")
check "a tariff the gateway's parser refuses: 400 naming the problem, nothing sent" '[[ "$r" == "400 "*"tariff:1:"* ]] && [ "$(down)" = "$before" ]' "$r"
WANG_CSRF=$(js "$r" 'd["csrf"]')
r=$(api wang POST /api/tariff "$(python3 -c 'import json,sys; print(json.dumps({"gateway":"gw-a","tariff":open(sys.argv[1]).read()}))' examples/tariffs/bj-res.json)" "$WANG_CSRF")
check "the supervisor pushes tariff bj-res: 200, sent as a tariffs downlink" \
    '[[ "$r" == "200 "* ]] && [ "$(js "$r" "d[\"tariff\"]")" = bj-res ] && [ "$(sqlite3 "$tmp/bo.db" "SELECT kind FROM downlink ORDER BY seq DESC LIMIT 1")" = tariffs ]' "$r"
WANG_CSRF=$(js "$r" 'd["csrf"]')
r=$(api wang POST /api/users "{\"user\":\"zhou\",\"password\":\"$PW\",\"role\":\"admin\"}" "$WANG_CSRF")
check "a supervisor may not add users: 403" '[[ "$r" == "403 "*"role supervisor"* ]]' "$r"

api root1 POST /api/login "{\"user\":\"root1\",\"password\":\"$PW\"}" >"$tmp/root.txt"
ROOT_CSRF=$(js "$(cat "$tmp/root.txt")" 'd["csrf"]')
r=$(api root1 POST /api/users "{\"user\":\"zhou\",\"password\":\"$PW\",\"role\":\"collector\",\"grid\":\"G-02\"}" "$ROOT_CSRF")
check "the admin adds a collector: 201, audited" '[[ "$r" == "201 "* ]] && [ "$(sqlite3 "$tmp/bo.db" "SELECT who FROM console_audit WHERE what = '"'"'user_add'"'"' AND detail LIKE '"'"'%zhou%'"'"'")" = root1 ]' "$r"
r=$(api root1 GET /api/nothing)
check "unknown endpoint: 404" '[[ "$r" == "404 "* ]]' "$r"
r=$(api root1 GET "/api/x%0Aforged%20line")
check "a path with a newline: 404, logged on one line" '[[ "$r" == "404 "* ]] && grep -q "serve: 404 GET /api/x?forged line -: " "$tmp/serve.err" && ! grep -q "^forged" "$tmp/serve.err"' "$r $(tail -2 "$tmp/serve.err")"
r=$(api root1 DELETE /api/today)
check "wrong method: 405" '[[ "$r" == "405 "* ]]' "$r"

# account managers: an admin maps them to their large customers; they see only those
ROOT_CSRF=$(api root1 GET /api/me); ROOT_CSRF=$(js "$ROOT_CSRF" 'd["csrf"]')
r=$(api root1 POST /api/managed '{"manager":"mgr","gateway":"gw-a","customer":"C-2"}' "$ROOT_CSRF")
check "the admin assigns C-2 to account manager mgr: 201, audited" \
    '[[ "$r" == "201 "* ]] && [ "$(sqlite3 "$tmp/bo.db" "SELECT who FROM console_audit WHERE what = '"'"'managed_add'"'"'")" = root1 ]' "$r"
ROOT_CSRF=$(js "$r" 'd["csrf"]')
for bad in '{"manager":"li","gateway":"gw-a","customer":"C-1"}' '{"manager":"mgr","gateway":"gw-a"}' \
           '{"manager":"mgr","gateway":"gw-a","customer":"C-1","grid":"G-01"}' '{"manager":"mgr","gateway":"gw a","customer":"C-1"}'; do
    r=$(api root1 POST /api/managed "$bad" "$ROOT_CSRF")
    check "assignment $bad: 400" '[[ "$r" == "400 "* ]]' "$r"
    ROOT_CSRF=$(js "$r" 'd["csrf"]')
done
r=$(api root1 POST /api/managed '{"manager":"mgr","gateway":"gw-a","customer":"C-2"}' "$ROOT_CSRF")
check "the same assignment again: 409" '[[ "$r" == "409 "* ]]' "$r"
ROOT_CSRF=$(js "$r" 'd["csrf"]')
r=$(api root1 POST /api/managed '{"manager":"mgr","gateway":"gw-a","customer":"C-1"}' "$ROOT_CSRF")
ROOT_CSRF=$(js "$r" 'd["csrf"]')
r=$(api wang POST /api/managed '{"manager":"mgr","gateway":"gw-a","customer":"C-4"}' "$WANG_CSRF")
check "a supervisor may not assign: 403" '[[ "$r" == "403 "*"role supervisor"* ]]' "$r"
api mgr POST /api/login "{\"user\":\"mgr\",\"password\":\"$PW\"}" >/dev/null
r=$(api mgr GET /api/today)
check "the account manager's Today: only their customers C-2 and C-1" \
    '[ "$(js "$r" "sorted(w[\"customer\"] for w in d[\"worklist\"])")" = "['"'"'C-1'"'"', '"'"'C-2'"'"']" ]' "$r"
r=$(api mgr GET "/api/customer?gateway=gw-a&customer=C-4")
check "the account manager may not see another customer: 403" '[[ "$r" == "403 "*"not in the customers of mgr"* ]]' "$r"
r=$(api mgr GET /api/report/aging)
check "the account manager gets no report of every customer: 403" '[[ "$r" == "403 "* ]]' "$r"
r=$(api root1 POST /api/managed/remove '{"manager":"mgr","gateway":"gw-a","customer":"C-1"}' "$ROOT_CSRF")
check "the admin removes C-1 from mgr: 200" '[[ "$r" == "200 "* ]]' "$r"
ROOT_CSRF=$(js "$r" 'd["csrf"]')
r=$(api root1 POST /api/managed/remove '{"manager":"mgr","gateway":"gw-a","customer":"C-1"}' "$ROOT_CSRF")
check "removing it again: 404" '[[ "$r" == "404 "* ]]' "$r"
r=$(api mgr GET /api/managed)
check "the account manager's list: C-2 only; their record of C-1 now refused" \
    '[ "$(js "$r" "[(m[\"manager\"], m[\"customer\"]) for m in d[\"rows\"]]")" = "[('"'"'mgr'"'"', '"'"'C-2'"'"')]" ] && [[ "$(api mgr GET "/api/record?gateway=gw-a&customer=C-1")" == "403 "* ]]' "$r"
rm -f "$tmp/mgr.jar"
for i in 1 2 3 4 5; do api mgr POST /api/login '{"user":"mgr","password":"not the password"}' >/dev/null; done
r=$(api mgr POST /api/login "{\"user\":\"mgr\",\"password\":\"$PW\"}")
check "5 failed logins lock the account: the right password gets 423" '[[ "$r" == "423 "*"locked"* ]]' "$r"

LI_CSRF=$(api li GET /api/me); LI_CSRF=$(js "$LI_CSRF" 'd["csrf"]')
r=$(api li POST /api/logout '{}' "$LI_CSRF")
check "logout: 200, cookie cleared" '[[ "$r" == "200 "* ]]' "$r"
r=$(api li GET /api/today)
check "after logout: 401" '[[ "$r" == "401 "* ]]' "$r"
# In a browser: Debian's chromium driven by playwright-core (tests/browser), screenshots of each page.
# For the browser's Commands page: C-7 (another grid: the supervisor's), 300.00 overdue since
# 2024-01-05 with its notices served, a lawful cut; C-2's stays refused.
{ envelope gw-a 109 grades '{"as_of":"2024-03-01","results":[{"customer":"C-7","arrears":"300.00","oldest_due":"2024-01-05","days_overdue":56,"penalty":"1.20","score":50,"grade":"C","actions":[],"deposit_required":"0.00"}]}'
  act_ago 110 8 C-7 sms $((20 * 1440)) | sed 's/2024-01-27/2024-01-05/'
  act_ago 111 9 C-7 disconnect_notice $((10 * 1440)) | sed 's/2024-01-27/2024-01-05/'
  act_ago 112 10 C-7 confirm_30min 45 | sed 's/2024-01-27/2024-01-05/'; } >"$tmp/c7.jsonl"
"${BOC[@]}" import "$tmp/c7.jsonl" >"$tmp/c7.out" 2>&1
check "C-7's grades and record imported" '[ "$(sqlite3 "$tmp/bo.db" "SELECT COUNT(*) FROM actions WHERE customer = '"'"'C-7'"'"'")" = 3 ]' "$(cat "$tmp/c7.out")"
if [ -x /usr/bin/chromium ] && command -v node >/dev/null && [ -d tests/browser/node_modules/playwright-core ]; then
    mkdir -p "$BUILD/console-screenshots"
    rm -f "$BUILD"/console-screenshots/*.png
    area=$(python3 -c "import csv,sys; print(\";\".join(\"%s,%s,%s\" % (r[\"area\"],r[\"billed\"],r[\"collected\"]) for r in csv.DictReader(open(sys.argv[1])) if r[\"area\"] and r[\"area\"]!=\"total\"))" "$tmp/area.csv")
    while IFS= read -r l; do
        case $l in "ok "*) ok "${l#ok * - }" ;; "not ok "*) notok "${l#not ok * - }" ;; esac
    done < <(CONSOLE_URL=$URL CONSOLE_PW=$PW CONSOLE_AREA=$area CONSOLE_SHOTS=$PWD/$BUILD/console-screenshots \
        HOME=$tmp timeout 120 node tests/browser/console.test.js 2>&1)
    check "browser: eight screenshots saved (each page)" '[ "$(ls "$BUILD"/console-screenshots/*.png | wc -l)" = 8 ]' "$(ls "$BUILD/console-screenshots")"
    check "browser: the approved cut of C-7 went down signed as a disconnect command" \
        '[ "$(sqlite3 "$tmp/bo.db" "SELECT kind, customer FROM downlink WHERE message LIKE '"'"'%\"disconnect\"%'"'"' ORDER BY seq DESC LIMIT 1")" = "commands|C-7" ]' \
        "$(sqlite3 "$tmp/bo.db" "SELECT seq, kind, customer FROM downlink")"
else
    echo "ok $((n += 1)) - # SKIP browser: needs /usr/bin/chromium, node and npm ci --prefix tests/browser (make deps)"
fi
check "refusals are logged by the server" 'grep -q "serve: 403 POST /api/served li: CSRF" "$tmp/serve.err"' "$(tail -5 "$tmp/serve.err")"
kill $SRV; wait $SRV; rc=$?; SRV=
check "SIGTERM stops the server (exit 0)" '[ $rc = 0 ]' "rc=$rc"

# The same server on PostgreSQL: the console's tables and queries in its dialect.
. tests/integration/lib/pg.sh
if ! pg_start "$tmp/pg"; then
    echo "ok $((n + 1)) - # SKIP PostgreSQL: $PG_SKIP"
    exit 0
fi
trap '[ -n "$SUB" ] && kill $SUB 2>/dev/null; [ -n "$SRV" ] && kill $SRV 2>/dev/null && wait $SRV 2>/dev/null; broker_stop; pg_stop; rm -rf "$tmp"' EXIT
BOP=("$BO" -c "$tmp/bo.json" --pg "$PG_CONNINFO")
"${BOP[@]}" import "$tmp/in.jsonl" >/dev/null 2>&1
echo "$PW" | "${BOP[@]}" user add li --role collector --grid G-01 >/dev/null 2>&1
echo "$PW" | "${BOP[@]}" user add wang --role supervisor >/dev/null 2>&1
PORT=$(free_port)
"${BOP[@]}" serve --listen 127.0.0.1:$PORT --cert "$tmp/tls/broker.pem" --key "$tmp/tls/broker.key" \
    >"$tmp/serve.out" 2>"$tmp/serve.err" &
SRV=$!
for _ in $(seq 50); do grep -q "console on" "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
URL=https://localhost:$PORT
rm -f "$tmp"/*.jar
r=$(api pli POST /api/login "{\"user\":\"li\",\"password\":\"$PW\"}")
check "PostgreSQL: collector logs in" '[[ "$r" == "200 "* ]]' "$r $(cat "$tmp/serve.err")"
C=$(js "$r" 'd["csrf"]')
r=$(api pli GET /api/today)
check "PostgreSQL: Today of grid G-01, record 1 awaiting proof" \
    '[ "$(js "$r" "\",\".join(w[\"customer\"] for w in d[\"worklist\"]) + \"/\" + \",\".join(str(a[\"id\"]) for a in d[\"awaiting_proof\"])")" = C-2,C-1/1 ]' "$r"
r=$(api pli GET "/api/record?gateway=gw-a&customer=C-4")
check "PostgreSQL: another grid refused" '[[ "$r" == "403 "* ]]' "$r"
r=$(api pli GET "/api/cutcheck?gateway=gw-a&customer=C-1")
check "PostgreSQL: the cut check of C-1 lawful, of the same record" '[ "$(js "$r" "(d[\"lawful\"], d[\"basis\"][\"record_rows\"])")" = "(True, 4)" ]' "$r"
r=$(api pli POST /api/served "$GOOD" "$C")
check "PostgreSQL: served sent as downlink seq 1 of this store" '[[ "$r" == "200 "* ]] && [ "$(js "$r" "d[\"seq\"]")" = 1 ]' "$r"
r=$(api pli POST /api/served "$GOOD" "$C")
check "PostgreSQL: the CSRF token replayed: 403" '[[ "$r" == "403 "*"already used"* ]]' "$r"
api pwang POST /api/login "{\"user\":\"wang\",\"password\":\"$PW\"}" >/dev/null
r=$(api pwang GET /api/audit)
check "PostgreSQL: audit log has both logins and li's served" \
    '[ "$(js "$r" "\",\".join(a[\"who\"] + \":\" + a[\"what\"] for a in d[\"rows\"])")" = "wang:login,li:served,li:login,(cli):user_add,(cli):user_add" ]' "$r"
r=$(api pwang GET /api/report/area)
check "PostgreSQL: area report" '[[ "$r" == "200 "*"collection_rate_pct"* ]]' "$r"
for i in 1 2 3 4 5; do api px POST /api/login '{"user":"wang","password":"not the password"}' >/dev/null; done
r=$(api px POST /api/login "{\"user\":\"wang\",\"password\":\"$PW\"}")
check "PostgreSQL: lock-out" '[[ "$r" == "423 "* ]]' "$r"
kill $SRV; wait $SRV; SRV=
