#!/bin/bash
# lib/readings.sh, the way scripts read readings (`gridledger db export
# readings --csv`), against the store itself: readings put in with sqlite3
# (text with commas, quotes and a line break, empty text, NULLs, negative and
# 64-bit values, raw register words) come back from readings_snapshot with
# the same values and types as in the store's table (empty fields NULL);
# readings_keys gives every (meter, ts) of the table, sorted, duplicates
# kept; readings_sql answers a query as the table does; a failing export
# (no such config) is non-zero with a message, and leaves nothing behind.
set -u
cd "$(dirname "$0")/../.."
GL=$PWD/${BUILD:-build}/gridledger
. tests/integration/lib/tap.sh
. tests/integration/lib/readings.sh
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
readings_config "$t/gl.json" gl.db
"$GL" -c "$t/gl.json" db check >/dev/null || notok "db check on a fresh store"
sqlite3 "$t/gl.db" "INSERT INTO readings(meter, ts, status, present, flags, import_wh, export_wh, raw, error, source,
    read_ts, t1_wh) VALUES
  ('M-1', 1767196800, 0, 1, 0, 123456, 0, x'0a0bff00', NULL, 0, NULL, NULL),
  ('M-1', 1767197700, 0, 1, 8, 123500, NULL, NULL, '', 0, NULL, NULL),
  ('M-2', 1767196800, 2, 0, 0, NULL, NULL, NULL, 'timeout, \"slave\" 2
second line', 0, NULL, NULL),
  ('M-2', 1767196800, 0, 1, 64, -5, 9223372036854775807, NULL, NULL, 1, 1767200000, 42),
  ('M \"3\", x', 1767196800, 0, 1, 2, 7, NULL, NULL, NULL, 2, 1767200000, NULL)" || notok "readings put in"
# rows DB [store]: each column of each row but id, its value quoted as SQLite does and its type;
# with "store", as the snapshot must hold them: '' as NULL, the raw blob as lowercase hex
rows() {
    local c v e="''"
    for c in $(sqlite3 "$1" "SELECT name FROM pragma_table_info('readings') WHERE name != 'id'"); do
        v=$c
        [ "${2:-}" = store ] && v="nullif($c, '')"
        [ "${2:-}" = store ] && [ "$c" = raw ] && v="nullif(lower(hex(raw)), '')"
        e+=" || '|' || quote($v) || ':' || typeof($v)"
    done
    sqlite3 "$1" "SELECT $e FROM readings ORDER BY meter, ts, source"
}
readings_snapshot "$GL" "$t/gl.json" "$t/snap.db"
check "readings_snapshot: exit 0" "$?" 0
check "readings_snapshot: every value and type as in the store's table ($(sqlite3 "$t/gl.db" "SELECT count(*) FROM readings") rows)" \
    "$(rows "$t/snap.db")" "$(rows "$t/gl.db" store)"
check "readings_snapshot: the store's column types" \
    "$(sqlite3 "$t/snap.db" "SELECT group_concat(name || ' ' || type, ', ') FROM pragma_table_info('readings')")" \
    "$(sqlite3 "$t/gl.db" "SELECT group_concat(name || ' ' || CASE type WHEN 'BLOB' THEN 'TEXT' ELSE type END, ', ')
        FROM pragma_table_info('readings')")"
check "readings_keys: every (meter, ts), sorted, duplicates kept" "$(readings_keys "$GL" "$t/gl.json")" \
    "$(sqlite3 "$t/gl.db" "SELECT meter || '|' || ts FROM readings" | LC_ALL=C sort)"
q="SELECT meter, max(import_wh), sum(flags & 8), count(*) FROM readings GROUP BY meter ORDER BY meter"
check "readings_sql: a query answered as on the table" "$(readings_sql "$GL" "$t/gl.json" "$q")" "$(sqlite3 "$t/gl.db" "$q")"
mkdir "$t/tmp"
out=$(TMPDIR=$t/tmp readings_snapshot "$GL" "$t/none.json" "$t/snap2.db" 2>&1); rc=$?
[ $rc != 0 ] && [[ "$out" == *"db export readings --csv' failed: "*"none.json"* ]] \
    && ok "readings_snapshot of a config that does not exist: exit $rc, $out" || notok "no config: rc=$rc '$out'"
out=$(TMPDIR=$t/tmp readings_keys "$GL" "$t/none.json" 2>&1 >/dev/null); rc=$?
[ $rc != 0 ] && [[ "$out" == *"failed: "*"none.json"* ]] && ok "readings_keys too: exit $rc" || notok "keys, no config: rc=$rc '$out'"
check "the failing helpers leave no temporary file" "$(ls -A "$t/tmp")" ""
echo "1..$n"
