#!/bin/bash
# bench_ingest: uplink messages ingested per second by gridledger-backoffice,
# with one and with two ingest processes on the shared subscription, into
# SQLite and into PostgreSQL. Setup: mosquitto with TLS on localhost, GATEWAYS
# gateways publishing MSGS messages in all (mosquitto_pub -l, QoS 1, one
# publisher per gateway, all at once); time from the first publish until the
# last message is committed. The peer column is the publish rate alone (the
# broker with no subscriber), the ceiling this setup can show.
# PostgreSQL runs with fsync=off (throw-away test server); SQLite is in WAL
# mode with synchronous=NORMAL (no fsync per commit either). Ingest runs with
# clean sessions here: a durable member of a $share group that goes away keeps
# getting its share queued at the broker (see docs/backoffice.md).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BO=$PWD/$BUILD/gridledger-backoffice
MSGS=${BENCH_INGEST_MSGS:-4000}
GATEWAYS=${BENCH_INGEST_GATEWAYS:-8}
. tests/integration/lib/pg.sh
. tests/integration/lib/broker.sh
tmp=$(mktemp -d /tmp/bench_ingest.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    broker_stop
    pg_stop
    rm -rf "$tmp"
}
trap cleanup EXIT
row() { echo "| backoffice | $1 | $2 | $3 | $4 | $5 |"; }

tls_certs "$tmp/tls" && broker_start "$tmp/tls" || { row "ingest" "(mosquitto did not start)" "" "" ""; exit 0; }
per=$((MSGS / GATEWAYS))
MSGS=$((per * GATEWAYS))
for g in $(seq 1 "$GATEWAYS"); do
    for s in $(seq 1 "$per"); do
        envelope "gw-$g" "$s" readings "{\"readings\":[{\"meter\":\"M-$s\",\"ts\":$((1700000000 + s)),\"status\":\"ok\",\"import_kwh\":\"$s.125\",\"export_kwh\":\"0.000\",\"power_w\":\"1200.5\"}]}"
    done >"$tmp/gw-$g.lines"
done
now() { date +%s.%N; }
publish_all() {
    local g ps=()
    for g in $(seq 1 "$GATEWAYS"); do gw_pub "$tmp/tls" "gl/v1/gw-$g/readings" "$tmp/gw-$g.lines" & ps+=($!); done
    wait "${ps[@]}"
}
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

t0=$(now); publish_all; t1=$(now)
pub_rate=$(rate "$MSGS" "$t0" "$t1")
row "publish only, $GATEWAYS gateways, TLS, QoS 1" "$pub_rate" "msg/s" "" ""

run_case() { # run_case LABEL PROCS DB-OPTIONS...
    local label=$1 procs=$2 i t0 t1 got
    shift 2
    "$BO" "$@" stats >/dev/null 2>&1 || { row "ingest, $label" "(no database)" "" "" ""; return; }
    for i in $(seq 1 "$procs"); do
        cat >"$tmp/bo$i.json" <<CONF
{"broker": {"host": "localhost", "port": $BROKER_PORT, "ca": "tls/ca.pem", "cert": "tls/bo.pem", "key": "tls/bo.key",
            "keepalive_s": 30}}
CONF
        "$BO" -c "$tmp/bo$i.json" "$@" ingest --quiet 2>"$tmp/ingest$i.log" &
        pids+=($!)
    done
    sleep 1
    t0=$(now)
    publish_all
    for _ in $(seq 1200); do
        got=$("$BO" "$@" stats 2>/dev/null | awk '$1 == "messages" {print $2}')
        [ "${got:-0}" -ge "$MSGS" ] && break
        sleep 0.05
    done
    t1=$(now)
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    pids=()
    if [ "${got:-0}" -ne "$MSGS" ]; then row "ingest, $label" "(stored ${got:-0} of $MSGS)" "" "" ""; return; fi
    local r
    r=$(rate "$MSGS" "$t0" "$t1")
    row "ingest, $label" "$r" "msg/s" "$pub_rate (publish only)" "$(awk -v a="$r" -v b="$pub_rate" 'BEGIN { printf "%.2f", a / b }')"
}

run_case "1 process, SQLite" 1 --db "$tmp/s1.db"
run_case "2 processes, SQLite" 2 --db "$tmp/s2.db"
if pg_start "$tmp/pg"; then
    "$PG_BIN/psql" "$PG_CONNINFO" -qc "CREATE DATABASE b1" -c "CREATE DATABASE b2" >/dev/null
    run_case "1 process, PostgreSQL" 1 --pg "${PG_CONNINFO/dbname=postgres/dbname=b1}"
    run_case "2 processes, PostgreSQL" 2 --pg "${PG_CONNINFO/dbname=postgres/dbname=b2}"
else
    row "ingest, PostgreSQL" "(skipped: $PG_SKIP)" "" "" ""
fi
