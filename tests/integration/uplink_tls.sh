#!/bin/bash
# uplink_tls.sh: the uplink against Debian's mosquitto on a TLS listener with
# require_certificate, use_identity_as_username and a per-gateway ACL, with
# certificates made here by openssl (tests/integration/lib/uplink_env.sh).
# The gateway side is `gridledger uplink-test` (docs/uplink.md).
set -u
cd "$(dirname "$0")/../.."
GL=$PWD/${BUILD:-build}/gridledger
source tests/integration/lib/uplink_env.sh
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

command -v mosquitto >/dev/null || { echo "ok 1 - # SKIP mosquitto not installed"; exit 0; }
T=$(mktemp -d /tmp/gl-uplink.XXXXXX)
SUB_PID=
cleanup() {
    [ -n "$SUB_PID" ] && kill "$SUB_PID" 2>/dev/null
    uplink_broker_stop "$T"
    rm -rf "$T"
}
trap cleanup EXIT
uplink_certs "$T"
PORT=$(uplink_free_port)
uplink_broker_conf "$T" "$PORT" server
uplink_broker_start "$T" >/dev/null 2>&1
check "mosquitto with a TLS 1.2 listener, client certificates required" '[ -s "$T/mosquitto.pid" ]'

TLS=(--host localhost --port "$PORT" --ca "$T/ca.pem" --hmac-key "$T/gw.hmac")
GW1=(--gateway gw-0001 --cert "$T/gw-0001.pem" --key "$T/gw-0001.key")
BO=(-h 127.0.0.1 -p "$PORT" --cafile "$T/ca.pem" --cert "$T/backoffice.pem" --key "$T/backoffice.key")

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
check "server certificate from another CA refused: $(head -1 "$T/err")" '[ $rc -eq 1 ] && grep -q "TLS" "$T/err"'
"$GL" uplink-test --db "$T/gw.db" "${GW1[@]}" "${TLS[@]}" --server-name backoffice.example.net \
    --connect-only --timeout 10 >/dev/null 2>"$T/err"; rc=$?
check "wrong host name refused: $(head -1 "$T/err")" '[ $rc -eq 1 ] && grep -q "TLS" "$T/err"'
cp "$T/gw-0001.key" "$T/loose.key"; chmod 644 "$T/loose.key"
"$GL" uplink-test --db "$T/gw.db" --gateway gw-0001 --cert "$T/gw-0001.pem" --key "$T/loose.key" "${TLS[@]}" \
    --connect-only --timeout 10 >/dev/null 2>"$T/err"; rc=$?
check "client key readable by others refused: $(head -1 "$T/err")" '[ $rc -eq 1 ] && grep -q "readable" "$T/err"'
chmod 644 "$T/gw.hmac"
"$GL" uplink-test --db "$T/gw.db" "${GW1[@]}" "${TLS[@]}" --connect-only --timeout 10 >/dev/null 2>"$T/err"; rc=$?
chmod 600 "$T/gw.hmac"
check "HMAC key file readable by others refused" '[ $rc -ne 0 ] && grep -q "readable" "$T/err"'
for srv in server-other server-expired server-bp; do
    uplink_broker_stop "$T"
    uplink_broker_conf "$T" "$PORT" "$srv"
    uplink_broker_start "$T" >/dev/null 2>&1
    "$GL" uplink-test --db "$T/gw.db" "${GW1[@]}" "${TLS[@]}" --connect-only --timeout 10 >/dev/null 2>"$T/err"
    rc=$?
    eval "rc_${srv//-/_}=$rc"
done
check "server certificate signed by another CA refused" '[ $rc_server_other -eq 1 ]'
check "expired server certificate refused" '[ $rc_server_expired -eq 1 ]'
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
for m in "$pay" "$pay" "$tampered" "$expired" "$pay2" "$cmd"; do
    t=gl/v1/gw-0001/down/payments
    [[ "$m" == *'"kind":"commands"'* ]] && t=gl/v1/gw-0001/down/commands
    mosquitto_pub "${BO[@]}" -i bo-pub -q 1 -t "$t" -m "$m"
done
"$GL" uplink-test --db "$T/gw.db" "${GW1[@]}" "${TLS[@]}" --downlinks 6 --drain --timeout 30 >"$T/down.out" 2>"$T/down.err"
rc=$?
check "six downlink messages answered (rc=$rc): $(tail -1 "$T/down.out")" '[ $rc -eq 0 ]'
check "the payment is recorded once" '[ "$(sqlite3 "$T/gw.db" "SELECT count(*) FROM ledger WHERE ref = '"'"'BANK-123'"'"'")" -eq 1 ]'
wait_lines "$T/sub.out" 'gl/v1/gw-0001/ack ' 6
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
check "disconnect command handed to the daemon and acked" 'grep -qx "5 applied " <<<"$acks" && grep -q "apply commands seq 5" "$T/down.out"'
[ "$n" -gt 0 ] || echo "not ok 1 - nothing ran"
