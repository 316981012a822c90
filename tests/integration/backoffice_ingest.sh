#!/bin/bash
# backoffice_ingest: mosquitto (TLS, client certificates) -> two ingest
# processes on one shared subscription -> PostgreSQL. Three gateways publish,
# some messages twice, and the broker restarts midway (persistent sessions:
# 2.0.11 does not restore $share subscriptions, ingest resubscribes).
# Every message must be stored exactly once, and both processes take a share.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BO=$PWD/$BUILD/gridledger-backoffice
. tests/integration/lib/pg.sh
. tests/integration/lib/broker.sh
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
tmp=$(mktemp -d /tmp/bo_ingest.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    broker_stop
    pg_stop
    rm -rf "$tmp"
}
trap cleanup EXIT

tls_certs "$tmp/tls" && ok "test CA and certificates" || { notok "openssl certificates"; exit 0; }
broker_start "$tmp/tls" && ok "mosquitto with TLS on port $BROKER_PORT" || { notok "mosquitto: $(tail -3 "$tmp/tls/mosquitto.log")"; exit 0; }
if pg_start "$tmp/pg"; then
    DB=(--pg "$PG_CONNINFO")
    ok "postgresql started"
else
    echo "# postgresql unavailable ($PG_SKIP): using SQLite"
    DB=(--db "$tmp/bo.db")
    ok "# SKIP postgresql: $PG_SKIP"
fi

for i in 1 2; do
    cat >"$tmp/bo$i.json" <<CONF
{"broker": {"host": "localhost", "port": $BROKER_PORT, "ca": "tls/ca.pem", "cert": "tls/bo.pem", "key": "tls/bo.key",
            "client_id": "gl-ingest-$i", "keepalive_s": 5},
 "keys_dir": "keys"}
CONF
    "$BO" -c "$tmp/bo$i.json" "${DB[@]}" ingest --quiet 2>"$tmp/ingest$i.log" &
    pids+=($!)
done
sleep 1

# messages: per gateway 30 readings, status, bills, lineloss, alert; then
# readings 1..10 and the bills again (repeats)
make_msgs() {
    local gw=$1 area=$2 s
    : >"$tmp/$gw.readings"
    for s in $(seq 1 30); do
        envelope "$gw" "$s" readings "{\"readings\":[{\"meter\":\"M-$s\",\"ts\":$((1700000000 + s)),\"status\":\"ok\",\"import_kwh\":\"$s.000\"}]}" >>"$tmp/$gw.readings"
    done
    envelope "$gw" 31 status '{"uptime_s":60,"polls":30,"poll_errors":0,"meters_online":3,"meters_offline":0,"outbox_depth":0,"outbox_dropped":0,"db_bytes":4096}' >"$tmp/$gw.status"
    envelope "$gw" 32 bills "{\"bills\":[{\"id\":\"C-$gw-1/2024-01\",\"customer\":\"C-$gw-1\",\"area\":\"$area\",\"due\":\"2024-02-15\",\"estimated\":false,\"total\":\"149.49\",\"currency\":\"CNY\",\"lines\":[]},{\"id\":\"C-$gw-2/2024-01\",\"customer\":\"C-$gw-2\",\"area\":\"$area\",\"due\":\"2024-02-15\",\"estimated\":false,\"total\":\"10.51\",\"currency\":\"CNY\",\"lines\":[]}]}" >"$tmp/$gw.bills"
    envelope "$gw" 33 lineloss "{\"period\":\"2024-01\",\"area\":\"$area\",\"supplied_kwh\":\"1000.000\",\"sold_kwh\":\"960.000\",\"loss_kwh\":\"40.000\",\"loss_pct\":\"4.00\"}" >"$tmp/$gw.lineloss"
    envelope "$gw" 34 alerts '{"kind":"meter_offline","subject":"M-9","detail":"no answer","ts":1700000034,"alert":true}' >"$tmp/$gw.alerts"
}
publish_all() {
    local gw k
    for gw in gw-a gw-b gw-c; do
        for k in readings status bills lineloss alerts; do
            gw_pub "$tmp/tls" "gl/v1/$gw/$k" "$tmp/$gw.$k" || echo "publish $gw $k failed"
        done
    done
}
count() { "$BO" "${DB[@]}" stats 2>/dev/null | awk -v k="$1" '$1 == k {print $2}'; }
wait_for() { # wait_for NAME VALUE: at most 60 s of wall time (each count is a process start)
    local end=$((SECONDS + 60))
    while [ $SECONDS -lt $end ]; do [ "$(count "$1")" = "$2" ] && return 0; sleep 0.2; done
    return 1
}

make_msgs gw-a TQ-A; make_msgs gw-b TQ-B; make_msgs gw-c TQ-C
out=$(publish_all 2>&1)
[ -z "$out" ] && ok "3 gateways published 102 messages over TLS" || notok "publish: $out"
wait_for messages 102 && ok "102 messages stored" || notok "messages stored: $(count messages)"

# repeats: readings 1..10 and the bills of each gateway again
for gw in gw-a gw-b gw-c; do
    head -10 "$tmp/$gw.readings" >"$tmp/$gw.rep"
    gw_pub "$tmp/tls" "gl/v1/$gw/readings" "$tmp/$gw.rep"
    gw_pub "$tmp/tls" "gl/v1/$gw/bills" "$tmp/$gw.bills"
done
wait_for duplicates 33 && ok "33 repeats counted as duplicates" || notok "duplicates: $(count duplicates)"
[ "$(count messages)" = 102 ] && [ "$(count stored)" = 102 ] && ok "still 102 messages, each stored once" \
    || notok "messages $(count messages) stored $(count stored)"

# broker restart: durable sessions come back, the $share subscription is made again by on_connect
broker_stop
sleep 1
broker_start "$tmp/tls" && ok "broker restarted" || notok "broker restart"
sleep 3
for gw in gw-a gw-b gw-c; do
    envelope "$gw" 35 alerts '{"kind":"meter_offline","subject":"M-9","detail":"back","ts":1700000035,"alert":false}' >"$tmp/$gw.after"
    gw_pub "$tmp/tls" "gl/v1/$gw/alerts" "$tmp/$gw.after"
done
wait_for messages 105 && ok "after the restart: 105 messages" || notok "after restart: $(count messages)"

# a malformed message is refused and counted
echo '{"v":1,"gateway":"gw-a","seq":"x"}' >"$tmp/bad"
gw_pub "$tmp/tls" "gl/v1/gw-a/readings" "$tmp/bad"
wait_for rejected 1 && ok "malformed message rejected and counted" || notok "rejected: $(count rejected)"

for p in "${pids[@]}"; do kill -TERM "$p"; done
wait "${pids[@]}" 2>/dev/null
pids=()
s1=$(sed -nE 's/^ingest: stored ([0-9]+),.*/\1/p' "$tmp/ingest1.log")
s2=$(sed -nE 's/^ingest: stored ([0-9]+),.*/\1/p' "$tmp/ingest2.log")
if [ "${s1:-0}" -gt 0 ] && [ "${s2:-0}" -gt 0 ] && [ $((s1 + s2)) -eq 105 ]; then
    ok "both ingest processes took a share: $s1 + $s2 = 105"
else
    notok "shares: ${s1:-?} + ${s2:-?}"; sed 's/^/# /' "$tmp"/ingest*.log | tail -10
fi
got=$("$BO" "${DB[@]}" stats | tr '\n' ' ')
[ "$got" = "duplicates 33 messages 105 rejected 1 stored 105 " ] && ok "stats: $got" || notok "stats: $got"
