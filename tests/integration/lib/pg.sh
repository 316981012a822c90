# pg.sh: sourced by integration tests and benchmarks. pg_start DIR starts a
# throw-away PostgreSQL (Debian's postgresql 15) listening only on a Unix
# socket in DIR and sets PG_CONNINFO; pg_stop stops it. As root, the server
# runs as the "postgres" (or "nobody") user, since initdb refuses root.
# Returns 1 with PG_SKIP set to the reason when no server can be started.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PG_DIR=
PG_CONNINFO=
PG_SKIP=

pg_as() {
    if [ "$(id -u)" = 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

pg_start() {
    PG_DIR=$1
    if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then PG_SKIP="postgresql server not installed (make deps)"; return 1; fi
    PG_USER=$(id -un)
    if [ "$(id -u)" = 0 ]; then
        if id postgres >/dev/null 2>&1; then PG_USER=postgres; elif id nobody >/dev/null 2>&1; then PG_USER=nobody; else
            PG_SKIP="running as root and no postgres/nobody user to run the server"; return 1; fi
    fi
    mkdir -p "$PG_DIR"
    chmod 0755 "$(dirname "$PG_DIR")" 2>/dev/null
    [ "$(id -u)" = 0 ] && chown "$PG_USER" "$PG_DIR"
    if ! pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U gl --no-sync -E UTF8 >"$PG_DIR/initdb.log" 2>&1; then
        PG_SKIP="initdb failed: $(tail -1 "$PG_DIR/initdb.log")"; return 1
    fi
    if ! pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
        -o "-k $PG_DIR -c listen_addresses= -c fsync=off -c max_connections=50" start >/dev/null 2>&1; then
        PG_SKIP="pg_ctl start failed: $(tail -1 "$PG_DIR/server.log")"; return 1
    fi
    PG_CONNINFO="host=$PG_DIR port=5432 user=gl dbname=postgres"
    return 0
}

pg_stop() {
    [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ] && pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
    return 0
}
