#!/bin/bash
# console: latency of the operators' console API (gridledger-backoffice serve,
# HTTPS, one keep-alive connection) on PostgreSQL with 100,000 customers
# (100 gateways x 1,000, 4 grids each), 24 months of grades per customer
# (2.4 M rows), 2 worklists per gateway and 5 collection-record rows per
# customer. /api/today for a collector of one grid (250 customers) and
# /api/record for one customer, N requests each (curl, time_total per
# transfer), p50/p95/p99; the peer is psql running the same SELECTs on the
# same rows (\timing), the database's own time without HTTP, TLS and JSON.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BO=$PWD/$BUILD/gridledger-backoffice
N=${BENCH_CONSOLE_N:-300}
. tests/integration/lib/pg.sh
. tests/integration/lib/broker.sh
tmp=$(mktemp -d /tmp/bench_console.XXXXXX)
SRV=
cleanup() { [ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null; pg_stop; rm -rf "$tmp"; }
trap cleanup EXIT
row() { echo "| console | $1 | $2 | $3 | $4 | $5 |"; }
pg_start "$tmp/pg" || { row "API latency" "(no PostgreSQL: $PG_SKIP)" "" "" ""; exit 0; }
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$PG_CONNINFO")
"$BO" --pg "$PG_CONNINFO" stats >/dev/null 2>&1 || { row "API latency" "(schema)" "" "" ""; exit 0; }
"${PSQL[@]}" >/dev/null <<'SQL'
INSERT INTO worklist (gateway, date, n, customer, name, grid, grade, arrears_fen, penalty_fen, oldest_due,
  days_overdue, action, channel, priority, deadline)
SELECT 'gw-' || lpad(g::text, 4, '0'), d.date, c, 'C-' || lpad(g::text, 4, '0') || '-' || lpad(c::text, 4, '0'),
  'Customer ' || c, 'G-' || lpad(g::text, 4, '0') || '-' || (c % 4), chr(65 + c % 4), 10000 + c * 7, c % 500,
  '2026-10-15', c % 90, 'sms', 'sms', 1 + c % 5, '2026-11-' || lpad((1 + c % 28)::text, 2, '0')
FROM generate_series(1, 100) g, generate_series(1, 1000) c, (VALUES ('2026-10-02'), ('2026-11-02')) d(date);
INSERT INTO grades (gateway, customer, as_of, arrears_fen, penalty_fen, oldest_due, days_overdue, score, grade, seq)
SELECT 'gw-' || lpad(g::text, 4, '0'), 'C-' || lpad(g::text, 4, '0') || '-' || lpad(c::text, 4, '0'),
  to_char(date '2024-12-01' + make_interval(months => m), 'YYYY-MM-DD'), c * 11 % 90000, c % 300, NULL, m % 60,
  (60 + c % 40)::text, chr(65 + (c + m) % 4), m
FROM generate_series(1, 100) g, generate_series(1, 1000) c, generate_series(0, 23) m;
INSERT INTO actions (gateway, id, customer, episode, action, channel, planned, taken, status, served, proof,
  principal_fen, penalty_fen, reason, deadline, seq)
SELECT 'gw-' || lpad(g::text, 4, '0'), c * 10 + a, 'C-' || lpad(g::text, 4, '0') || '-' || lpad(c::text, 4, '0'),
  '2026-10-15', (ARRAY['reminder','sms','phone','written_notice','disconnect_notice'])[a], 'sms', '2026-10-2' || a,
  '2026-10-2' || a || 'T10:00', CASE WHEN a = 5 THEN 'taken' ELSE 'served' END,
  CASE WHEN a = 5 THEN NULL ELSE '2026-10-2' || a || 'T11:00' END, CASE WHEN a = 5 THEN NULL ELSE 'receipt' END,
  10000 + c * 7, c % 500, 'ladder', NULL, 1
FROM generate_series(1, 100) g, generate_series(1, 1000) c, generate_series(1, 5) a;
ANALYZE;
SQL
rows=$("${PSQL[@]}" -tAc "SELECT (SELECT COUNT(*) FROM worklist) || ' ' || (SELECT COUNT(*) FROM grades) || ' ' || (SELECT COUNT(*) FROM actions)")
echo "bench123456" | "$BO" --pg "$PG_CONNINFO" user add li --role collector --grid G-0042-1 >/dev/null
tls_certs "$tmp/tls"
PORT=$(free_port)
"$BO" --pg "$PG_CONNINFO" serve --listen 127.0.0.1:$PORT --cert "$tmp/tls/broker.pem" --key "$tmp/tls/broker.key" \
    >"$tmp/serve.out" 2>"$tmp/serve.err" &
SRV=$!
for _ in $(seq 50); do grep -q "console on" "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
URL=https://localhost:$PORT
curl -sS --cacert "$tmp/tls/ca.pem" -c "$tmp/jar" -o /dev/null -H 'Content-Type: application/json' \
    --data-binary '{"user":"li","password":"bench123456"}' "$URL/api/login"
pct() { python3 -c "
import sys
v = sorted(float(x) for x in open(sys.argv[1]) if x.strip())
q = lambda p: v[min(len(v) - 1, int(p * len(v)))]
print('%.1f / %.1f / %.1f' % (q(.50), q(.95), q(.99)))" "$1"; }
api_lat() { # api_lat PATH OUT: N transfers on one connection, ms each
    local urls=() i
    for i in $(seq "$N"); do urls+=(-o /dev/null "$URL$1"); done
    curl -sS --cacert "$tmp/tls/ca.pem" -b "$tmp/jar" -w '%{time_total}\n' "${urls[@]}" |
        awk '{ printf "%.3f\n", $1 * 1000 }' >"$2"
}
psql_lat() { # psql_lat SQL OUT: N runs in one session, ms each from \timing
    { echo '\timing on'; for _ in $(seq "$N"); do echo "$1;"; done; } |
        "${PSQL[@]}" -o /dev/null 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' >"$2"
}
api_lat "/api/today" "$tmp/today.api"
api_lat "/api/record?gateway=gw-0042&customer=C-0042-0005" "$tmp/record.api"
today_sql="SELECT w.gateway, w.customer, w.name, w.grid, w.grade, w.arrears_fen, w.penalty_fen, w.days_overdue, w.action, w.channel, w.deadline, w.date FROM worklist w WHERE w.grid = 'G-0042-1' AND w.date = (SELECT MAX(x.date) FROM worklist x WHERE x.gateway = w.gateway) ORDER BY w.deadline, w.priority, w.gateway, w.customer"
record_sql="SELECT * FROM actions WHERE gateway = 'gw-0042' AND customer = 'C-0042-0005' ORDER BY id; SELECT * FROM grades WHERE gateway = 'gw-0042' AND customer = 'C-0042-0005' ORDER BY as_of"
psql_lat "$today_sql" "$tmp/today.psql"
psql_lat "$record_sql" "$tmp/record.psql"
n_today=$(curl -sS --cacert "$tmp/tls/ca.pem" -b "$tmp/jar" "$URL/api/today" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["worklist"]))')
row "API /api/today, a collector's grid ($n_today rows of $rows worklist/grades/actions rows), p50/p95/p99" "$(pct "$tmp/today.api")" "ms" "psql, same SELECT: $(pct "$tmp/today.psql") ms" ""
row "API /api/record, one customer (5 actions, 24 grades), p50/p95/p99" "$(pct "$tmp/record.api")" "ms" "psql, same SELECTs: $(pct "$tmp/record.psql") ms" ""
