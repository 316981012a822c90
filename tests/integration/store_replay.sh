#!/bin/bash
# store_replay.sh: an applied signed payment replayed after the gateway's
# store was corrupted (header overwritten while stopped) stays refused: the
# fresh store takes the last accepted downlink seq from gw.db.seq. Real
# mosquitto with TLS and the test ACL (tests/integration/lib/uplink_env.sh),
# the gateway side is `gridledger uplink-test`. Before gw.db.seq the fresh
# store had forgotten downlink seq 1 and applied the payment again.
set -u
cd "$(dirname "$0")/../.."
GL=$PWD/${BUILD:-build}/gridledger
source tests/integration/lib/uplink_env.sh
. tests/integration/lib/tap_eval.sh

command -v mosquitto >/dev/null || { echo "ok 1 - # SKIP mosquitto not installed"; exit 0; }
T=
cleanup() {
    uplink_broker_stop "$T"
    rm -rf "$T"
}
trap cleanup EXIT
uplink_test_start replay
check "mosquitto with TLS and client certificates" '[ -s "$T/mosquitto.pid" ]'

now=$(date +%s)
sign() { # TEXT -> TEXT with ,"sig":"..." before the final }
    local sig
    sig=$(printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt hexkey:"$(tr -d '\n' <"$T/gw.hmac")" | sed 's/.*= //')
    printf '%s,"sig":"%s"}' "${1%\}}" "$sig"
}
pay=$(sign "$(printf '{"v":1,"gateway":"gw-0001","seq":1,"ts":%s,"expires":%s,"kind":"payments","body":%s}' \
    "$now" $((now + 3600)) '{"customer":"C-0001","amount":"100.00","ref":"BANK-123","date":"2024-05-01"}')")
# the gateway's session must exist before the back office publishes (QoS 1, persistent)
"$GL" uplink-test --db "$T/gw.db" "${GW1[@]}" "${TLS[@]}" --connect-only --timeout 30 >/dev/null 2>&1
payments() { sqlite3 "$T/gw.db" "SELECT count(*) FROM ledger WHERE ref = 'BANK-123'" 2>&1; }

mosquitto_pub "${BO[@]}" -i bo-pub -q 1 -t gl/v1/gw-0001/down/payments -m "$pay"
"$GL" uplink-test --db "$T/gw.db" "${GW1[@]}" "${TLS[@]}" --downlinks 1 --timeout 30 >"$T/down1.out" 2>&1
check "signed payment applied: $(tail -1 "$T/down1.out")" '[ "$(payments)" = 1 ] && grep -q "applied=1" "$T/down1.out"'
check "gw.db.seq holds downlink seq 1" 'grep -qx "downlink 1" "$T/gw.db.seq"'

printf 'garbage garbage garbage garbage!' | dd of="$T/gw.db" conv=notrunc status=none
mosquitto_pub "${BO[@]}" -i bo-pub -q 1 -t gl/v1/gw-0001/down/payments -m "$pay"
"$GL" uplink-test --db "$T/gw.db" "${GW1[@]}" "${TLS[@]}" --downlinks 1 --timeout 30 >"$T/down2.out" 2>&1
check "store moved aside: $(ls "$T" | grep -c 'gw.db.corrupt-' ) copy" 'ls "$T" | grep -q "^gw.db.corrupt-[0-9]*$"'
check "the replay into the fresh store is refused: $(tail -1 "$T/down2.out")" \
    'grep -q "applied=0" "$T/down2.out" && grep -q "refused=1" "$T/down2.out" && [ "$(payments)" = 0 ]'
check "the fresh store keeps refusing seq <= 1" \
    '[ "$(sqlite3 "$T/gw.db" "SELECT val FROM kv WHERE key = '"'"'uplink.down_seq'"'"'")" = 1 ]'
