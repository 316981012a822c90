#!/bin/bash
# backoffice_db: the storage tests of test_bo_ingest run again against a real
# PostgreSQL started here (same messages, same expected tables as SQLite).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
. tests/integration/lib/pg.sh
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
tmp=$(mktemp -d /tmp/bo_db.XXXXXX)
trap 'pg_stop; rm -rf "$tmp"' EXIT

if ! pg_start "$tmp/pg"; then
    echo "# SKIP postgresql: $PG_SKIP"
    ok "# SKIP postgresql tests: $PG_SKIP"
    exit 0
fi
ok "postgresql started on $tmp/pg"
out=$(BO_TEST_PG="$PG_CONNINFO" CMOCKA_MESSAGE_OUTPUT=stdout "$BUILD"/tests/unit/test_bo_ingest 2>&1)
if grep -q '^\[       OK \] test_ingest_postgresql' <<<"$out"; then
    ok "ingest on postgresql: same tables as on sqlite"
else
    notok "ingest on postgresql"
    sed 's/^/# /' <<<"$out" | head -30
fi
# four processes creating the schema of an empty database at once must not race
"$PG_BIN/psql" "$PG_CONNINFO" -qc "CREATE DATABASE fresh" >/dev/null
for i in 1 2 3 4; do
    "$BUILD"/gridledger-backoffice --pg "${PG_CONNINFO/dbname=postgres/dbname=fresh}" stats >/dev/null 2>"$tmp/err$i" &
done
wait
if ! grep -q . "$tmp"/err*; then ok "concurrent schema creation"; else notok "concurrent schema: $(cat "$tmp"/err*)"; fi
