# kannel.sh: sourced by the notices test and bench. kannel_start DIR starts a
# real Kannel on free ports: bearerbox, the fake SMSC of kannel-extras as the
# operator (refusing numbers starting +86139: the failing case), and smsbox
# with the sendsms user gridledger/gl-secret. Sets KANNEL_SENDP (sendsms port)
# and KANNEL_PIDS; the fake SMSC's output (every part it received) is in
# DIR/fakesmsc.out. kannel_stop ends them. Needs free_port (broker.sh).
KANNEL_FAKESMSC=/usr/lib/kannel/test/fakesmsc
KANNEL_PIDS=()

kannel_wait_port() { for _ in $(seq 100); do (exec 9<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

kannel_start() {
    local d=$1 admin boxp smscp
    command -v bearerbox >/dev/null && [ -x "$KANNEL_FAKESMSC" ] || { echo "# no Kannel (packages kannel, kannel-extras)"; return 1; }
    admin=$(free_port); boxp=$(free_port); smscp=$(free_port); KANNEL_SENDP=$(free_port)
    cat >"$d/kannel.conf" <<CONF
group = core
admin-port = $admin
admin-password = gl-admin
smsbox-port = $boxp
admin-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "$d/bearerbox.log"
log-level = 1
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = $smscp
connect-allow-ip = 127.0.0.1
denied-prefix = "+86139"

group = smsbox
bearerbox-host = 127.0.0.1
sendsms-port = $KANNEL_SENDP
sendsms-interface = 127.0.0.1
log-file = "$d/smsbox.log"
log-level = 1

group = sendsms-user
username = gridledger
password = gl-secret
max-messages = 10
concatenation = true

group = sms-service
keyword = default
text = "no service"
catch-all = true
CONF
    bearerbox "$d/kannel.conf" >"$d/bearerbox.out" 2>&1 & KANNEL_PIDS+=($!)
    kannel_wait_port "$admin" || return 1
    mkfifo "$d/smsc.in"
    "$KANNEL_FAKESMSC" -H 127.0.0.1 -r "$smscp" -m 0 <"$d/smsc.in" >"$d/fakesmsc.out" 2>&1 & KANNEL_PIDS+=($!)
    exec 8>"$d/smsc.in" # keeps the fake SMSC's interactive input open
    smsbox "$d/kannel.conf" >"$d/smsbox.out" 2>&1 & KANNEL_PIDS+=($!)
    kannel_wait_port "$KANNEL_SENDP"
}

kannel_stop() {
    local p
    for p in "${KANNEL_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${KANNEL_PIDS[@]}"; do wait "$p" 2>/dev/null; done
    KANNEL_PIDS=()
    exec 8>&- 2>/dev/null
    return 0
}
