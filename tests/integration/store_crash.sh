#!/bin/bash
# Power loss: a writer doing what the daemon does (poll cycles, bills,
# payments, outbox puts and acks through the store) is killed with SIGKILL at
# random moments, KILLS times (default 200), and restarted. It journals each
# commit the store reported done; afterwards the database must pass
# integrity_check, hold everything journaled, have no duplicate bill or
# payment, and an outbox sequence without gaps. Readings are read through
# `gridledger db export readings --csv` (lib/readings.sh: routine readings
# are not rows of the table).
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
W=$B/tests/tools/crashwriter
GL=$PWD/$B/gridledger
. tests/integration/lib/readings.sh
KILLS=${KILLS:-200}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1 (got '$2', want '$3')"; fi; }

RANDOM=42
for i in $(seq 1 "$KILLS"); do
    "$W" "$t/gl.db" "$t/journal" &
    pid=$!
    sleep "0.0$((RANDOM % 9 + 1))$((RANDOM % 10))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
done
q() { sqlite3 -batch "$t/gl.db" "$@"; }
awk 'BEGIN { print "CREATE TEMP TABLE j(tag TEXT, a INTEGER, b INTEGER);" }
     NF == 3 { printf "INSERT INTO j VALUES(\x27%s\x27, %d, %d);\n", $1, $2, $3 }' "$t/journal" >"$t/j.sql"
cycles=$(grep -c '^R ' "$t/journal")
if [ "$cycles" -gt "$KILLS" ]; then ok "$KILLS kills, $cycles poll cycles committed"; else notok "only $cycles cycles in $KILLS runs"; fi
check "integrity_check after $KILLS kills" "$(q 'PRAGMA integrity_check')" ok
# after the check: the export's store open would move a corrupt file aside
readings_config "$t/gl.json" gl.db
readings_snapshot "$GL" "$t/gl.json" "$t/readings.db" || notok "the readings cannot be exported"
r() { sqlite3 -batch "$t/readings.db" "$@"; }
check "every journaled poll cycle is whole in the store" \
    "$(r ".read $t/j.sql" "SELECT count(*) FROM j WHERE tag='R' AND (SELECT count(*) FROM readings r WHERE r.ts = j.a * 900) <> j.b")" 0
check "no reading stored twice" "$(r 'SELECT count(*) FROM (SELECT 1 FROM readings GROUP BY meter, ts HAVING count(*) > 1)')" 0
check "every journaled bill is stored" \
    "$(q ".read $t/j.sql" "SELECT count(*) FROM j WHERE tag='B' AND NOT EXISTS (SELECT 1 FROM bills WHERE customer='C'||j.a AND period='P'||j.b)")" 0
check "no bill duplicated" "$(q "SELECT count(*) - count(DISTINCT customer || '/' || period) FROM bills")" 0
check "every journaled payment is stored" \
    "$(q ".read $t/j.sql" "SELECT count(*) FROM j WHERE tag='P' AND NOT EXISTS (SELECT 1 FROM ledger WHERE ref='REF-'||j.a)")" 0
check "no payment duplicated" "$(q "SELECT count(*) - count(DISTINCT ref) FROM ledger WHERE kind='payment'")" 0
last_acked=$(q "SELECT val FROM kv WHERE key='outbox.last_acked'")
last_seq=$(q "SELECT val FROM kv WHERE key='outbox.last_seq'")
check "outbox: no gap between the last acknowledged and the last seq" \
    "$(q "SELECT count(*) = $last_seq - $last_acked AND coalesce(min(seq), $last_acked + 1) = $last_acked + 1 FROM outbox")" 1
check "outbox: every journaled message is waiting or acknowledged" \
    "$(q ".read $t/j.sql" "SELECT count(*) FROM j WHERE tag='O' AND j.a > $last_acked AND NOT EXISTS (SELECT 1 FROM outbox WHERE seq=j.a)")" 0
check "outbox: acknowledged messages are gone" \
    "$(q ".read $t/j.sql" "SELECT count(*) FROM j WHERE tag='A' AND EXISTS (SELECT 1 FROM outbox WHERE seq=j.a)")" 0
