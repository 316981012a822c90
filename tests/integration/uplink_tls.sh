#!/bin/bash
# uplink_tls.sh: the uplink against Debian's mosquitto on a TLS listener with
# require_certificate, use_identity_as_username and a per-gateway ACL, with
# certificates made here by openssl (tests/integration/lib/uplink_env.sh).
# The gateway side is `gridledger uplink-test` (docs/uplink.md).
set -u
cd "$(dirname "$0")/../.."
GL=$PWD/${BUILD:-build}/gridledger
source tests/integration/lib/uplink_env.sh
. tests/integration/lib/tap_eval.sh

command -v mosquitto >/dev/null || { echo "ok 1 - # SKIP mosquitto not installed"; exit 0; }
T=
SUB_PID=
cleanup() {
    [ -n "$SUB_PID" ] && kill "$SUB_PID" 2>/dev/null
    uplink_broker_stop "$T"
    rm -rf "$T"
}
trap cleanup EXIT
uplink_test_start uplink
check "mosquitto with a TLS 1.2 listener, client certificates required" '[ -s "$T/mosquitto.pid" ]'


# The back office's subscriber: persistent session, QoS 1, reconnects by
# itself, but libmosquitto gives up on a TLS error (a reconnect meeting a
# broker that is stopping, or the foreign/expired certificates below):
# sub_ensure starts it again on the same session, which kept its messages.
sub_ensure() {
    kill -0 "$SUB_PID" 2>/dev/null && return 0
    mosquitto_sub "${BO[@]}" -i bo-test -c -q 1 -t 'gl/v1/#' -v >>"$T/sub.out" 2>>"$T/sub.err" &
    SUB_PID=$!
}
: >"$T/sub.out"
SUB_PID=
sub_ensure
for _ in $(seq 600); do grep -q ' as bo-test ' "$T/mosquitto.log" 2>/dev/null && break; sleep 0.1; done

# seq_check FILE KIND N: the messages of KIND carry seq 1..N, no gap, first
# occurrences in order; prints "distinct dups".
seq_check() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
path, kind, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
seen, order, dups = set(), [], 0
for line in open(path, encoding="utf-8"):
    topic, _, payload = line.rstrip("\n").partition(" ")
    if not topic.endswith("/" + kind):
        continue
    m = json.loads(payload)
    if m["seq"] in seen:
        dups += 1
        continue
    seen.add(m["seq"]); order.append(m["seq"])
print(len(seen), dups)
sys.exit(0 if order == sorted(order) and seen == set(range(1, n + 1)) else 1)
PY
}

wait_lines() { # FILE PATTERN COUNT
    for _ in $(seq 1200); do # up to a minute: CI machines are slow under sanitizers
        [ "$(grep -c "$2" "$1")" -ge "$3" ] && return 0
        sleep 0.05
    done
    return 1
}

# 1. N messages, the broker stopped and restarted three times mid-run, the
#    gateway killed with SIGKILL mid-publish and started again. N is large
#    enough that the drain (window 4) outlasts the first restart at 0.4 s
#    (3,000 drained in less since acks are deleted in batches).
N=8000
"$GL" uplink-test --db "$T/gw.db" "${GW1[@]}" "${TLS[@]}" --enqueue "$N" --offline >/dev/null
"$GL" uplink-test --db "$T/gw.db" "${GW1[@]}" "${TLS[@]}" --window 4 --drain --timeout 120 \
    >"$T/run1.out" 2>"$T/run1.err" &
GWP=$!
for i in 1 2 3; do
    sleep 0.4
    uplink_broker_stop "$T"
    sleep 0.3
    uplink_broker_start "$T" >/dev/null 2>&1
    sub_ensure
done
sleep 0.3
kill -KILL "$GWP" 2>/dev/null
wait "$GWP" 2>/dev/null
depth=$(sqlite3 "$T/gw.db" 'SELECT count(*) FROM outbox')
"$GL" uplink-test --db "$T/gw.db" "${GW1[@]}" "${TLS[@]}" --drain --timeout 120 >"$T/run2.out" 2>"$T/run2.err"
rc=$?
check "outbox drained after broker restarts and a SIGKILL (rc=$rc, $depth left at the kill)" '[ $rc -eq 0 ] && [ "$(sqlite3 "$T/gw.db" "SELECT count(*) FROM outbox")" -eq 0 ]'
sub_ensure
wait_lines "$T/sub.out" '/readings ' "$N"
res=$(seq_check "$T/sub.out" readings "$N"); rc=$?
check "subscriber got seq 1..$N in order, no gap (distinct, duplicates: $res)" '[ $rc -eq 0 ]'
reconnects=$(grep -c 'reconnecting' "$T/run1.err")
check "the gateway saw the broker go away and came back ($reconnects reconnects)" '[ "$reconnects" -ge 1 ]'

# 2. Refusals by the gateway: another CA, a wrong host name, an expired or
#    foreign server certificate; a key file readable by others.
"$GL" uplink-test --db "$T/gw.db" "${GW1[@]}" --host localhost --port "$PORT" --ca "$T/otherca.pem" \
    --hmac-key "$T/gw.hmac" --connect-only --timeout 10 >/dev/null 2>"$T/err"; rc=$?
check "server certificate from another CA refused, reason named: $(tail -1 "$T/err")" \
    '[ $rc -eq 1 ] && grep -q "TLS handshake: server certificate not trusted" "$T/err"'
"$GL" uplink-test --db "$T/gw.db" "${GW1[@]}" "${TLS[@]}" --server-name backoffice.example.net \
    --connect-only --timeout 10 >/dev/null 2>"$T/err"; rc=$?
check "wrong host name refused, reason named: $(tail -1 "$T/err")" '[ $rc -eq 1 ] && grep -q "TLS handshake: wrong host name" "$T/err"'
cp "$T/gw-0001.key" "$T/loose.key"; chmod 644 "$T/loose.key"
"$GL" uplink-test --db "$T/gw.db" --gateway gw-0001 --cert "$T/gw-0001.pem" --key "$T/loose.key" "${TLS[@]}" \
    --connect-only --timeout 10 >/dev/null 2>"$T/err"; rc=$?
check "client key readable by others refused: $(head -1 "$T/err")" '[ $rc -eq 1 ] && grep -q "readable" "$T/err"'
chmod 644 "$T/gw.hmac"
"$GL" uplink-test --db "$T/gw.db" "${GW1[@]}" "${TLS[@]}" --connect-only --timeout 10 >/dev/null 2>"$T/err"; rc=$?
chmod 600 "$T/gw.hmac"
check "HMAC key file readable by others refused" '[ $rc -ne 0 ] && grep -q "readable" "$T/err"'
# (issue 21.10: each refusal names its reason; the broker's TLS 1.3 only and
#  CBC-only suites are the protocol and suite cases)
for srv in server-other server-expired server-bp tls13 cbc; do
    uplink_broker_stop "$T"
    case $srv in
    tls13) UPLINK_TLS_VERSION=tlsv1.3 uplink_broker_conf "$T" "$PORT" server ;;
    cbc) UPLINK_CIPHERS=ECDHE-ECDSA-AES128-SHA uplink_broker_conf "$T" "$PORT" server ;;
    *) uplink_broker_conf "$T" "$PORT" "$srv" ;;
    esac
    uplink_broker_start "$T" >/dev/null 2>&1
    "$GL" uplink-test --db "$T/gw.db" "${GW1[@]}" "${TLS[@]}" --connect-only --timeout 10 >/dev/null 2>"$T/err"
    rc=$?
    eval "rc_${srv//-/_}=$rc"
    cp "$T/err" "$T/err-$srv"
done
check "server certificate signed by another CA refused: $(tail -1 "$T/err-server-other")" \
    '[ $rc_server_other -eq 1 ] && grep -q "server certificate not trusted" "$T/err-server-other"'
check "expired server certificate refused: $(tail -1 "$T/err-server-expired")" \
    '[ $rc_server_expired -eq 1 ] && grep -q "server certificate expired" "$T/err-server-expired"'
check "a TLS 1.3-only broker refused: $(tail -1 "$T/err-tls13")" \
    '[ $rc_tls13 -eq 1 ] && grep -q "protocol version refused" "$T/err-tls13"'
check "a broker offering only CBC suites refused: $(tail -1 "$T/err-cbc")" \
    '[ $rc_cbc -eq 1 ] && grep -q "no cipher suite or curve in common" "$T/err-cbc"'
check "brainpoolP256r1 server certificate accepted" '[ $rc_server_bp -eq 0 ]'
uplink_broker_stop "$T"
uplink_broker_conf "$T" "$PORT" server
uplink_broker_start "$T" >/dev/null 2>&1
sub_ensure

# 3. The broker's ACL: gw-0002 may not publish on gw-0001's topics.
mosquitto_pub -h 127.0.0.1 -p "$PORT" --cafile "$T/ca.pem" --cert "$T/gw-0002.pem" --key "$T/gw-0002.key" \
    -i gw-0002 -q 1 -t gl/v1/gw-0001/readings -m '{"v":1,"gateway":"gw-0001","seq":999999}' 2>/dev/null
mosquitto_pub -h 127.0.0.1 -p "$PORT" --cafile "$T/ca.pem" --cert "$T/gw-0002.pem" --key "$T/gw-0002.key" \
    -i gw-0002 -q 1 -t gl/v1/gw-0002/readings -m '{"v":1,"gateway":"gw-0002","seq":1}' 2>/dev/null
wait_lines "$T/sub.out" 'gl/v1/gw-0002/readings' 1
check "a gateway publishing on another gateway's topic is stopped by the broker" \
    '! grep -q 999999 "$T/sub.out" && grep -q "gl/v1/gw-0002/readings" "$T/sub.out"'

# 3b. Identity (issue 21.5), with the shipped tools/broker files: the client
#     id is the certificate's identity, the back office's ids are its own,
#     a gateway writes only its uplink kinds and reads only its downlink.
GWSUB=(-h 127.0.0.1 -p "$PORT" --cafile "$T/ca.pem" --cert "$T/gw-0001.pem" --key "$T/gw-0001.key")
GW2=(-h 127.0.0.1 -p "$PORT" --cafile "$T/ca.pem" --cert "$T/gw-0002.pem" --key "$T/gw-0002.key")
GW3=(-h 127.0.0.1 -p "$PORT" --cafile "$T/ca.pem" --cert "$T/gw-0003.pem" --key "$T/gw-0003.key")
# gw-0001's session (persistent, as the gateway's own) listening to its downlink
mosquitto_sub "${GWSUB[@]}" -c -i gw-0001 -q 1 -t 'gl/v1/gw-0001/down/#' -v >"$T/gw1.out" 2>"$T/gw1.err" &
GW1SUB=$!
takeovers0=$(grep -cE 'Client (gw-0001|bo-test) already connected' "$T/mosquitto.log")
for _ in $(seq 600); do [ "$(grep -c " as gw-0001 (p2, c0, k60" "$T/mosquitto.log")" -gt 0 ] && break; sleep 0.1; done
timeout 8 mosquitto_sub "${GW3[@]}" -i gw-0003 -q 1 -t 'gl/v1/gw-0001/down/#' -t 'gl/v1/+/readings' -v -W 6 \
    >"$T/gw2.out" 2>/dev/null &
GW2SUB=$!
# gw-0002's certificate claiming gw-0001's client id, then the back office's
mosquitto_pub "${GW2[@]}" -i gw-0001 -q 1 -t gl/v1/gw-0002/status -m '{"v":1,"gateway":"gw-0002","seq":2}' 2>/dev/null
mosquitto_pub "${GW2[@]}" -i bo-test -q 1 -t gl/v1/gw-0002/status -m '{"v":1,"gateway":"gw-0002","seq":3}' 2>/dev/null
mosquitto_pub "${BO[@]}" -i bo-pub -q 1 -t gl/v1/gw-0001/down/commands -m 'FROM-BACKOFFICE'
wait_lines "$T/gw1.out" 'FROM-BACKOFFICE' 1
wait_lines "$T/sub.out" 'gl/v1/gw-0002/status' 2
takeovers=$(( $(grep -cE 'Client (gw-0001|bo-test) already connected' "$T/mosquitto.log") - takeovers0 ))
echo "# identity: gw-0001 listener $(kill -0 "$GW1SUB" 2>/dev/null && echo up || echo gone), back office $(kill -0 "$SUB_PID" 2>/dev/null && echo up || echo gone), takeovers $takeovers, gw-0001 got $(grep -c FROM-BACKOFFICE "$T/gw1.out"), status lines $(grep -c gl/v1/gw-0002/status "$T/sub.out")"
check "gw-0002's certificate claiming gw-0001's or the back office's client id takes over nothing (client id = certificate CN)" \
    'kill -0 "$GW1SUB" && kill -0 "$SUB_PID" && [ "$takeovers" -eq 0 ] && grep -q "FROM-BACKOFFICE" "$T/gw1.out" &&
     [ "$(grep -c "gl/v1/gw-0002/status" "$T/sub.out")" -ge 2 ]'
kill "$GW1SUB" 2>/dev/null; wait "$GW1SUB" 2>/dev/null
# gw-0001 writing into its own downlink, an unknown kind, and its readings
mosquitto_pub "${GWSUB[@]}" -q 1 -t gl/v1/gw-0001/down/payments -m 'FORGED-BY-GW' 2>/dev/null
mosquitto_pub "${GWSUB[@]}" -q 1 -t gl/v1/gw-0001/frobs -m 'FROBS' 2>/dev/null
mosquitto_pub "${GWSUB[@]}" -q 1 -t gl/v1/gw-0001/readings -m '{"v":1,"gateway":"gw-0001","seq":777777}' 2>/dev/null
wait_lines "$T/sub.out" '777777' 1
wait "$GW2SUB" 2>/dev/null
check "a gateway cannot write into its own downlink, nor an unknown kind" \
    '! grep -q FORGED-BY-GW "$T/sub.out" && ! grep -q FROBS "$T/sub.out" && grep -q 777777 "$T/sub.out"'
check "a gateway cannot read another gateway's downlink or uplink" '! grep -q "gl/v1/gw-0001/" "$T/gw2.out"'
# gw-0001's persistent session again (the clean ones above as gw-0001 ended it)
timeout 10 mosquitto_sub "${GWSUB[@]}" -c -i gw-0001 -q 1 -t 'gl/v1/gw-0001/down/#' -W 1 >/dev/null 2>&1
mosquitto_pub -h 127.0.0.1 -p "$(uplink_bo_port "$T")" --cafile "$T/ca.pem" --cert "$T/gw-0001.pem" --key "$T/gw-0001.key" \
    -i gl-ingest-1 -q 1 -t gl/v1/gw-0001/readings -m x 2>/dev/null; rc_gw_on_bo=$?
mosquitto_pub "${BO[@]}" -i gl-ingest-probe -q 1 -t gl/v1/gw-0001/readings -m x 2>/dev/null; rc_bo_on_bo=$?
check "the back office's listener takes only back-office certificates (a gateway's refused: rc $rc_gw_on_bo)" \
    '[ $rc_gw_on_bo -ne 0 ] && [ $rc_bo_on_bo -eq 0 ]'
kill "$GW1SUB" 2>/dev/null; wait "$GW1SUB" 2>/dev/null

# 4. Downlink: signed with openssl (the scheme of docs/uplink.md), queued in
#    the gateway's persistent session while it is offline.
now=$(date +%s)
sign() { # TEXT -> TEXT with ,"sig":"..." before the final }
    local sig
    sig=$(printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt hexkey:"$(tr -d '\n' <"$T/gw.hmac")" | sed 's/.*= //')
    printf '%s,"sig":"%s"}' "${1%\}}" "$sig"
}
env() { # SEQ TS EXPIRES KIND BODY
    printf '{"v":1,"gateway":"gw-0001","seq":%s,"ts":%s,"expires":%s,"kind":"%s","body":%s}' "$@"
}
pay=$(sign "$(env 1 "$now" $((now + 3600)) payments '{"customer":"C-0001","amount":"100.00","ref":"BANK-123","date":"2024-05-01"}')")
tampered=$(sign "$(env 2 "$now" $((now + 3600)) payments '{"customer":"C-0001","amount":"100.00","ref":"BANK-124","date":"2024-05-01"}')")
tampered=${tampered/100.00/900.00}
expired=$(sign "$(env 3 $((now - 7200)) $((now - 3600)) payments '{"customer":"C-0001","amount":"5.00","ref":"BANK-125","date":"2024-05-01"}')")
pay2=$(sign "$(env 4 "$now" $((now + 3600)) payments '{"customer":"C-0001","amount":"100.00","ref":"BANK-123","date":"2024-05-01"}')")
cmd=$(sign "$(env 5 "$now" $((now + 3600)) commands '{"command":"disconnect","customer":"C-0001"}')")
nul=$(sign "$(env 6 "$now" $((now + 3600)) payments '{"customer":"C-0001","amount":"1.00","ref":"BANK-123\u0000X","date":"2024-05-01"}')")
for m in "$pay" "$pay" "$tampered" "$expired" "$pay2" "$cmd" "$nul"; do
    t=gl/v1/gw-0001/down/payments
    [[ "$m" == *'"kind":"commands"'* ]] && t=gl/v1/gw-0001/down/commands
    mosquitto_pub "${BO[@]}" -i bo-pub -q 1 -t "$t" -m "$m"
done
"$GL" uplink-test --db "$T/gw.db" "${GW1[@]}" "${TLS[@]}" --downlinks 7 --drain --timeout 30 >"$T/down.out" 2>"$T/down.err"
rc=$?
check "seven downlink messages answered (rc=$rc): $(tail -1 "$T/down.out")" '[ $rc -eq 0 ]'
check "the payment is recorded once" '[ "$(sqlite3 "$T/gw.db" "SELECT count(*) FROM ledger WHERE ref = '"'"'BANK-123'"'"'")" -eq 1 ]'
wait_lines "$T/sub.out" 'gl/v1/gw-0001/ack ' 7
acks=$(grep '^gl/v1/gw-0001/ack ' "$T/sub.out" | python3 -c '
import json, sys
for l in sys.stdin:
    b = json.loads(l.split(" ", 1)[1])["body"]
    print(b["down_seq"], b["result"], b["reason"].split(" ")[0])')
printf '# %s\n' $acks >/dev/null
check "signed payment applied and acked" 'grep -qx "1 applied " <<<"$acks"'
check "its replay refused and acked" 'grep -qx "1 refused replayed" <<<"$acks"'
check "tampered payment refused (bad signature)" 'grep -qx "2 refused bad" <<<"$acks"'
check "expired payment refused" 'grep -qx "3 refused expired" <<<"$acks"'
check "same ref under a new seq: duplicate, nothing changed" 'grep -qx "4 duplicate " <<<"$acks"'
check "a signed ref holding \\u0000 refused before it is stored, acked as valid text (issue 21.3)" \
    'grep -qx "6 refused malformed" <<<"$acks" && [ "$(sqlite3 "$T/gw.db" "SELECT count(*) FROM ledger")" -eq 1 ]'
check "refused downlinks logged at warning level without -v (issue 21.10)" \
    'grep -q "warn: uplink: downlink payments seq 2: refused: bad signature" "$T/down.err" &&
     grep -q "warn: uplink: downlink payments seq 6: refused: malformed" "$T/down.err"'
check "disconnect command handed to the daemon and acked" 'grep -qx "5 applied " <<<"$acks" && grep -q "apply commands seq 5" "$T/down.out"'
[ "$n" -gt 0 ] || echo "not ok 1 - nothing ran"
