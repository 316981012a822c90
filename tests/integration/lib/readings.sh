# readings.sh: the gateway's readings as the scripts must read them (sourced,
# not run). The store keeps routine live readings packed in blocks that SQL
# cannot read (docs/store.md); `gridledger db export readings --csv` prints
# all of them, from the table and the blocks, with the table's header (`id`
# empty for rows that come from a block). Scripts read readings through it:
#
#   readings_snapshot GL CONFIG OUT_DB  the export loaded into a fresh SQLite
#       file OUT_DB (replaced if it exists) as a table `readings` with the
#       store's column types, empty fields NULL (so `import_wh`, `flags & 8`,
#       `max(import_wh)` work as on the store), indexed on (meter, ts); `id`
#       kept but not to be relied on. Non-zero with a message on stderr if
#       the export or the load fails.
#   readings_sql GL CONFIG SQL...  runs SQL (sqlite3 arguments) on a
#       throw-away snapshot and prints the result; non-zero on failure.
#   readings_keys GL CONFIG  the (meter, ts) of every reading (below).
#   readings_config FILE STORE [TIMEZONE]  writes a config that names the
#       store and nothing else, for a script whose own config is broken on
#       purpose or rewritten under the daemon (STORE relative to FILE's folder).
#
# GL is the gridledger binary, CONFIG the config whose store.path names the
# store; the export opens its own connection, so a running daemon may hold
# the store meanwhile (WAL).

readings_config() {
    python3 -c 'import json, sys
json.dump({"gateway": {"id": "gw-readings", "area": "readings", "timezone": sys.argv[3]},
           "store": {"path": sys.argv[2]}, "buses": [], "meters": []}, open(sys.argv[1], "w"))' \
        "$1" "$2" "${3:-Asia/Shanghai}"
}

# readings_type COLUMN: the store's type of a readings column.
readings_type() {
    case $1 in
    meter | error) echo TEXT ;;
    raw) echo TEXT ;; # the export writes blobs as hex
    *) echo INTEGER ;;
    esac
}

readings_snapshot() {
    local gl=$1 cfg=$2 out=$3 csv head names cols="" nulls="" c
    csv=$(mktemp "${TMPDIR:-/tmp}/readings-export.XXXXXX") || return 1
    if ! "$gl" -c "$cfg" db export readings --csv >"$csv" 2>"$csv.err"; then
        echo "readings_snapshot: '$gl -c $cfg db export readings --csv' failed: $(head -3 "$csv.err")" >&2
        rm -f "$csv" "$csv.err"
        return 1
    fi
    IFS= read -r head <"$csv"
    head=${head%$'\r'}
    case $head in
    id,meter,ts,*) ;;
    *)
        echo "readings_snapshot: unexpected export header '$head'" >&2
        rm -f "$csv" "$csv.err"
        return 1
        ;;
    esac
    IFS=, read -ra names <<<"$head"
    for c in "${names[@]}"; do
        cols+="${cols:+, }$c $(readings_type "$c")"
        nulls+="${nulls:+, }$c = NULLIF($c, '')"
    done
    rm -f "$out" "$out-journal" "$out-wal" "$out-shm"
    if ! sqlite3 -bail "$out" >/dev/null 2>"$csv.err" <<SQL; then
CREATE TABLE readings($cols);
.import --csv --skip 1 '$csv' readings
UPDATE readings SET $nulls;
CREATE INDEX readings_meter_ts ON readings(meter, ts);
SQL
        echo "readings_snapshot: loading the export into $out failed: $(head -3 "$csv.err")" >&2
        rm -f "$csv" "$csv.err"
        return 1
    fi
    rm -f "$csv" "$csv.err"
}

readings_sql() {
    local gl=$1 cfg=$2 db rc
    shift 2
    db=$(mktemp "${TMPDIR:-/tmp}/readings-snap.XXXXXX") || return 1
    readings_snapshot "$gl" "$cfg" "$db" && sqlite3 -bail -batch "$db" "$@"
    rc=$?
    rm -f "$db"
    return $rc
}

# readings_keys GL CONFIG: the (meter, ts) of every reading, one "meter|ts"
# a line, byte-sorted, duplicates kept: cheaper than a snapshot (nothing
# loaded into SQLite; awk reads the CSV's first three fields, RFC 4180
# quotes and records over several lines included). Non-zero with a message
# if the export fails.
readings_keys() {
    local gl=$1 cfg=$2 err rc -
    err=$(mktemp "${TMPDIR:-/tmp}/readings-keys.XXXXXX") || return 1
    set -o pipefail
    "$gl" -c "$cfg" db export readings --csv 2>"$err" | awk -v Q='"' '
        NR == 1 { if ($0 !~ /^id,meter,ts,/) { print "readings_keys: unexpected export header " $0 >"/dev/stderr"; exit 1 }
                  next }
        { line = $0; q = gsub(Q, Q, line) } # the quotes on this line: an odd count opens or closes a record
        cont { if (q % 2) cont = 0; next }
        q % 2 { cont = 1 }
        {
            rest = substr(line, index(line, ",") + 1) # after the id (digits or empty)
            if (substr(rest, 1, 1) == Q) {           # a quoted meter, "" for a quote
                m = ""
                for (j = 2; j <= length(rest); j++) {
                    c = substr(rest, j, 1)
                    if (c == Q && substr(rest, j + 1, 1) != Q) break
                    if (c == Q) j++
                    m = m c
                }
                rest = substr(rest, j + 2)
            } else {
                m = substr(rest, 1, index(rest, ",") - 1)
                rest = substr(rest, index(rest, ",") + 1)
            }
            print m "|" substr(rest, 1, index(rest, ",") - 1)
        }' | LC_ALL=C sort
    rc=$?
    [ $rc = 0 ] || echo "readings_keys: '$gl -c $cfg db export readings --csv' failed: $(head -3 "$err")" >&2
    rm -f "$err"
    return $rc
}

# readings_drop_packed DB: SQL that removes every packed reading of the store
# file DB (the tables reading_blocks_DAY: routine live readings, docs/store.md
# "Readings on flash"), for a script that rewrites a store's live readings
# with SQL; empty when there are none. Printed, to run in the script's own
# transaction.
readings_drop_packed() {
    sqlite3 "$1" "SELECT 'DROP TABLE \"' || name || '\";' FROM sqlite_schema WHERE type = 'table'
        AND name GLOB 'reading_blocks_*'" || { echo "readings_drop_packed: cannot read $1" >&2; return 1; }
}

# readings_shift GL CONFIG DB SECONDS: moves every live reading of the store
# file DB by SECONDS (a gateway that missed midnights), rows and packed ones:
# the live readings are exported, the packed ones dropped, and all come back
# as rows at their new time (without register words). Frozen rows are deleted.
readings_shift() {
    local snap drop
    snap=$(mktemp --suffix=.db) || return 1
    readings_snapshot "$1" "$2" "$snap" || { rm -f "$snap"; return 1; }
    drop=$(readings_drop_packed "$3") || { rm -f "$snap"; return 1; }
    sqlite3 "$3" "ATTACH '$snap' AS s; BEGIN; DELETE FROM readings; $drop
        INSERT INTO readings(meter, ts, status, present, flags, import_wh, export_wh, reactive_varh, demand_w, power_w,
            pf_milli, freq_chz, v1_dv, v2_dv, v3_dv, i1_ma, i2_ma, i3_ma, relay_closed, error, source, t1_wh, t2_wh,
            t3_wh, t4_wh)
        SELECT meter, ts + ($4), status, present, flags, import_wh, export_wh, reactive_varh, demand_w, power_w,
            pf_milli, freq_chz, v1_dv, v2_dv, v3_dv, i1_ma, i2_ma, i3_ma, relay_closed, error, source, t1_wh, t2_wh,
            t3_wh, t4_wh FROM s.readings WHERE source = 0; COMMIT;" || { rm -f "$snap"; return 1; }
    rm -f "$snap"
}
