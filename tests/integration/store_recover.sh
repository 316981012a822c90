#!/bin/bash
# A store lost while the gateway was stopped (header corrupted; file moved
# away by hand): `db check` exits 1 and says what was lost, the fresh store's
# uplink sequence continues above anything sent (from PATH.seq beside the
# store) and the last accepted downlink seq stays refused, and a store_corrupt
# alert event is recorded for the daemon to send up. Before PATH.seq `db check`
# printed "ok", exited 0 and the fresh store restarted both sequences.
set -u
cd "$(dirname "$0")/../.."
GL=${BUILD:-build}/gridledger
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cat >"$t/gl.json" <<JSON
{"gateway": {"id": "gw-r", "area": "TQ-R"}, "store": {"path": "gl.db"}, "buses": [], "meters": [],
 "customers": [], "tariffs": [], "uplink": {"host": "127.0.0.1", "port": 9, "tls": false, "hmac_key": "gw.hmac"}}
JSON
printf '%064d\n' 7 >"$t/gw.hmac" && chmod 600 "$t/gw.hmac"
q() { sqlite3 "$t/gl.db" "$1" 2>&1; }
"$GL" -c "$t/gl.json" db check >/dev/null 2>"$t/err" || { notok "fresh store: $(cat "$t/err")"; exit 0; }
# a gateway that has sent 500 messages and applied downlink seq 42
q "INSERT INTO kv(key, val) VALUES('outbox.last_seq', '500'), ('uplink.down_seq', '42')" >/dev/null
out=$("$GL" -c "$t/gl.json" db check 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$(cat "$t/gl.db.seq")" = "$(printf 'uplink 500\ndownlink 42')" ] \
    && ok "healthy store: db check ok, gl.db.seq written ($(tr '\n' ' ' <"$t/gl.db.seq"))" \
    || notok "healthy: rc=$rc $out; seq file: $(cat "$t/gl.db.seq" 2>&1)"

for how in corrupt moved; do
    if [ $how = corrupt ]; then
        printf 'garbage garbage garbage garbage!' | dd of="$t/gl.db" conv=notrunc status=none
    else
        mv "$t/gl.db" "$t/gl.db.by-hand"
    fi
    out=$("$GL" -c "$t/gl.json" db check 2>&1); rc=$?
    after=$(sed -nE 's/.*uplink seq continues after ([0-9]+) and downlink seq up to 42 stays refused.*/\1/p' <<<"$out")
    [ $rc -eq 1 ] && [ "${after:-0}" -ge 500 ] && [[ "$out" != *$'\nok'* ]] \
        && ok "$how: db check exits 1 and says what was lost (uplink continues after $after)" \
        || notok "$how: rc=$rc: $out"
    [ $how = corrupt ] && { [[ "$out" == *"moved aside to $t/gl.db.corrupt-"* ]] && ok "corrupt: the path it was moved to" \
        || notok "corrupt: no path in: $out"; }
    [ $how = moved ] && { [[ "$out" == *"database file missing"* ]] && ok "moved: said missing" || notok "moved: $out"; }
    [ "$(q "SELECT val FROM kv WHERE key='outbox.last_seq'")" -ge 500 ] \
        && [ "$(q "SELECT val FROM kv WHERE key='uplink.down_seq'")" = 42 ] \
        && ok "$how: fresh store continues uplink after $(q "SELECT val FROM kv WHERE key='outbox.last_seq'"), downlink seq 42 kept" \
        || notok "$how: kv $(q "SELECT key||'='||val FROM kv" | tr '\n' ' ')"
    [ "$(q "SELECT count(*) FROM events WHERE kind='store_corrupt' AND alert=1 AND closed_ts IS NULL")" = 1 ] \
        && [ -n "$(q "SELECT val FROM kv WHERE key='store.recovered'")" ] \
        && ok "$how: store_corrupt alert recorded, waiting to go up" || notok "$how: events $(q "SELECT * FROM events")"
    out=$("$GL" -c "$t/gl.json" db check 2>&1); rc=$?
    [ $rc -eq 0 ] && [ "$out" = ok ] && ok "$how: the next db check is ok (the alert stays open)" || notok "$how: again rc=$rc $out"
    if [ $how = corrupt ]; then # the daemon sends the alert up at start, once
        # the uplink is a closed port: nothing can be delivered, so no drain at the end (--drain 0)
        "$GL" -c "$t/gl.json" run --clock sim --start 2026-03-01T00:00 --speed 100000 --drain 0 --until 2026-03-01T00:30 \
            >"$t/daemon.log" 2>&1
        up=$(q "SELECT seq || ' ' || body FROM outbox WHERE kind='alerts' AND body LIKE '%store_corrupt%'")
        [ "$(echo "$up" | grep -c store_corrupt)" = 1 ] && [ "${up%% *}" -gt 500 ] \
            && [ -z "$(q "SELECT val FROM kv WHERE key='store.recovered'")" ] \
            && ok "the daemon queued the store_corrupt alert up once, as seq ${up%% *} (> 500)" \
            || notok "daemon: outbox '$up'; $(tail -3 "$t/daemon.log")"
    fi
    q "UPDATE kv SET val = '500' WHERE key = 'outbox.last_seq'" >/dev/null
done
exit 0
