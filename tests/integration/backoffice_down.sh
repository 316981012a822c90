#!/bin/bash
# backoffice_down: pay, topup, tariff push, disconnect, reconnect and resend
# published over TLS to gl/v1/GW/down/KIND; mosquitto_sub receives them; each
# signature is checked with `openssl dgst -sha256 -mac HMAC` over the message
# without its final ,"sig" member; seqs rise per gateway; a key file readable
# by others is refused; acks (ingested like any up message) are shown by
# `acks`, and an applied payment appears as collected in the area report.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BO=$PWD/$BUILD/gridledger-backoffice
. tests/integration/lib/broker.sh
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
tmp=$(mktemp -d /tmp/bo_down.XXXXXX)
SUB=
trap '[ -n "$SUB" ] && kill $SUB 2>/dev/null; broker_stop; rm -rf "$tmp"' EXIT

tls_certs "$tmp/tls" && broker_start "$tmp/tls" && ok "mosquitto with TLS on $BROKER_PORT" || { notok "broker"; exit 0; }
mkdir -m 0700 "$tmp/keys"
KEY_A=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
KEY_B=ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100
(umask 077; echo $KEY_A >"$tmp/keys/gw-a.key"; printf %s $KEY_B >"$tmp/keys/gw-b.key")
cat >"$tmp/bo.json" <<CONF
{"broker": {"host": "localhost", "port": $BROKER_PORT, "ca": "tls/ca.pem", "cert": "tls/bo.pem", "key": "tls/bo.key"},
 "keys_dir": "keys", "db": "bo.db", "down_ttl_s": 3600}
CONF
BOC=("$BO" -c "$tmp/bo.json")
"${BOC[@]}" import tests/integration/backoffice/messages.jsonl >/dev/null 2>&1

mosquitto_sub -h localhost -p "$BROKER_PORT" --cafile "$tmp/tls/ca.pem" --cert "$tmp/tls/gw.pem" --key "$tmp/tls/gw.key" \
    -q 1 -v -C 7 -W 60 -t 'gl/v1/+/down/#' >"$tmp/down.txt" 2>"$tmp/sub.err" &
SUB=$!
sleep 1
run() { local out; out=$("${BOC[@]}" "$@" 2>&1) || { notok "$*: $out"; return 1; }; ok "$*: $out"; }
run pay gw-a C-1 100.00 --ref BANK-1 --date 2024-01-20
run topup gw-a C-2 50 --ref CNT-7 --date 2024-01-21
run tariff push gw-a tests/integration/configs/tariffs/bj-res.json
run disconnect gw-a C-2
run reconnect gw-a C-2
run pay gw-b C-10 300.00 --ref BANK-2 --date 2024-01-25
run resend gw-b 4
wait $SUB; SUB=
[ "$(wc -l <"$tmp/down.txt")" = 7 ] && ok "7 downlink messages received" || notok "received: $(cat "$tmp/down.txt" "$tmp/sub.err")"

# verify: topic, seq, signature, members
verify() { # verify LINE-NUMBER TOPIC SEQ KEY JQ-LIKE-CHECK...
    local line topic msg signed sig want
    line=$(sed -n "$1p" "$tmp/down.txt")
    topic=${line%% *}
    msg=${line#* }
    [ "$topic" = "$2" ] || { notok "message $1: topic $topic, want $2"; return; }
    sig=$(sed -nE 's/.*,"sig":"([0-9a-f]{64})"\}$/\1/p' <<<"$msg")
    signed="${msg%,\"sig\":*}}"
    want=$(printf %s "$signed" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$4" | awk '{print $NF}')
    if [ -n "$sig" ] && [ "$sig" = "$want" ]; then ok "message $1 ($2): HMAC-SHA256 verified by openssl"; else
        notok "message $1: sig '$sig' want '$want'"; fi
    python3 - "$msg" "$3" "${@:5}" <<'PY' && ok "message $1: envelope and body" || notok "message $1: $msg"
import json, sys
m = json.loads(sys.argv[1])
assert list(m) == ["v", "gateway", "seq", "ts", "expires", "kind", "body", "sig"], list(m)
assert m["v"] == 1 and m["seq"] == int(sys.argv[2]) and m["expires"] == m["ts"] + 3600
for check in sys.argv[3:]:
    assert eval(check, {"m": m, "b": m["body"]}), check
PY
}
verify 1 gl/v1/gw-a/down/payments 1 $KEY_A 'b == {"customer": "C-1", "amount": "100.00", "ref": "BANK-1", "date": "2024-01-20"}'
verify 2 gl/v1/gw-a/down/topups 2 $KEY_A 'b["amount"] == "50.00" and b["customer"] == "C-2"'
verify 3 gl/v1/gw-a/down/tariffs 3 $KEY_A 'b["tariff"]["id"] == "bj-res"'
verify 4 gl/v1/gw-a/down/commands 4 $KEY_A 'b == {"command": "disconnect", "customer": "C-2"}'
verify 5 gl/v1/gw-a/down/commands 5 $KEY_A 'b == {"command": "reconnect", "customer": "C-2"}'
verify 6 gl/v1/gw-b/down/payments 1 $KEY_B 'm["gateway"] == "gw-b"'
verify 7 gl/v1/gw-b/down/commands 2 $KEY_B 'b == {"command": "resend", "since_seq": 4}'

# refusals: key readable by others, missing key, bad amount
chmod 0644 "$tmp/keys/gw-a.key"
err=$("${BOC[@]}" pay gw-a C-1 1.00 --ref X 2>&1); rc=$?
[ $rc = 2 ] && [[ "$err" == *"gw-a.key: readable by group or others"* ]] && ok "key file mode 0644 refused (exit 2)" || notok "mode: rc=$rc $err"
chmod 0600 "$tmp/keys/gw-a.key"
err=$("${BOC[@]}" pay gw-z C-1 1.00 --ref X 2>&1); rc=$?
[ $rc = 2 ] && ok "no key for gw-z: exit 2" || notok "missing key: rc=$rc $err"
for bad in 0 -5 1.001 abc; do
    "${BOC[@]}" pay gw-a C-1 "$bad" --ref X >/dev/null 2>&1; rc=$?
    [ $rc = 2 ] && ok "amount $bad refused" || notok "amount $bad: rc=$rc"
done
"${BOC[@]}" pay gw-a C-1 1.00 >/dev/null 2>&1; [ $? = 2 ] && ok "pay without --ref refused" || notok "pay without --ref"

# acks: applied for payment 1, refused for topup 2, the rest pending
{
    envelope gw-a 10 ack '{"down_kind":"payments","down_seq":1,"result":"applied","reason":""}'
    envelope gw-a 11 ack '{"down_kind":"topups","down_seq":2,"result":"refused","reason":"expired"}'
} >"$tmp/acks.jsonl"
"${BOC[@]}" import "$tmp/acks.jsonl" >/dev/null
"${BOC[@]}" acks gw-a | tr -d '\r' >"$tmp/acks.csv"
want='gateway,seq,kind,customer,amount,ref,sent_ts,result,reason,ack_seq
gw-a,1,payments,C-1,100.00,BANK-1,TS,applied,,10
gw-a,2,topups,C-2,50.00,CNT-7,TS,refused,expired,11
gw-a,3,tariffs,,,,TS,pending,,
gw-a,4,commands,C-2,,,TS,pending,,
gw-a,5,commands,C-2,,,TS,pending,,'
got=$(sed -E 's/,[0-9]{10},/,TS,/' "$tmp/acks.csv")
[ "$got" = "$want" ] && ok "acks gw-a: applied, refused, pending" || { notok "acks"; diff <(echo "$want") <(echo "$got") | sed 's/^/# /'; }
[ "$("${BOC[@]}" acks | wc -l)" = 8 ] && ok "acks (all gateways): 7 messages" || notok "acks all"
"${BOC[@]}" report area --month 2024-01 | tr -d '\r' | grep -qx 'TQ-A,2024-01,1000.000,960.000,40.000,4.00,169.49,100.00,0.1766' \
    && ok "area report: the applied payment is collected" || notok "area collected: $("${BOC[@]}" report area)"
