# broker.sh: sourced by back-office tests and benchmarks. tls_certs DIR makes
# a CA, a broker certificate for localhost/127.0.0.1 and client certificates
# "bo" and "gw"; broker_start DIR starts mosquitto with TLS (client
# certificates required, persistence on) on a free port, sets BROKER_PORT.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

tls_certs() {
    local d=$1 n
    mkdir -p "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=gl-test-ca" \
        -keyout "$d/ca.key" -out "$d/ca.pem" >/dev/null 2>&1 || return 1
    for n in broker bo gw; do
        local cn=$n ext=""
        [ $n = broker ] && cn=localhost && ext="subjectAltName=DNS:localhost,IP:127.0.0.1"
        openssl req -newkey rsa:2048 -nodes -subj "/CN=$cn" -keyout "$d/$n.key" -out "$d/$n.csr" >/dev/null 2>&1 || return 1
        if [ -n "$ext" ]; then
            openssl x509 -req -in "$d/$n.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
                -extfile <(echo "$ext") -out "$d/$n.pem" >/dev/null 2>&1 || return 1
        else
            openssl x509 -req -in "$d/$n.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
                -out "$d/$n.pem" >/dev/null 2>&1 || return 1
        fi
    done
    chmod 0644 "$d"/*.key
}

BROKER_PID=
broker_start() {
    local d=$1
    [ -n "${BROKER_PORT:-}" ] || BROKER_PORT=$(free_port)
    cat >"$d/mosquitto.conf" <<CONF
per_listener_settings false
allow_anonymous false
persistence true
persistence_location $d/
max_queued_messages 0
max_inflight_messages 100
listener $BROKER_PORT 127.0.0.1
cafile $d/ca.pem
certfile $d/broker.pem
keyfile $d/broker.key
require_certificate true
use_identity_as_username true
CONF
    [ "$(id -u)" = 0 ] && echo "user root" >>"$d/mosquitto.conf"
    mosquitto -c "$d/mosquitto.conf" >>"$d/mosquitto.log" 2>&1 &
    BROKER_PID=$!
    for _ in $(seq 50); do
        grep -q "running" "$d/mosquitto.log" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

broker_stop() {
    [ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null && wait "$BROKER_PID" 2>/dev/null
    BROKER_PID=
    return 0
}

# gw_pub DIR TOPIC FILE: publishes each line of FILE to TOPIC at QoS 1 as "gw".
gw_pub() {
    mosquitto_pub -h localhost -p "$BROKER_PORT" --cafile "$1/ca.pem" --cert "$1/gw.pem" --key "$1/gw.key" \
        -q 1 -t "$2" -l <"$3"
}

# envelope GW SEQ KIND BODY: one uplink message.
envelope() {
    printf '{"v":1,"gateway":"%s","seq":%s,"ts":%s,"kind":"%s","body":%s}\n' "$1" "$2" "$((1700000000 + $2))" "$3" "$4"
}
