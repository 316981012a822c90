#!/bin/bash
# uplink_env.sh: certificates and a TLS mosquitto for the uplink tests and
# bench (sourced; not a test itself). Needs openssl and mosquitto.
#   uplink_certs DIR      CA (P-256), server certs (P-256 and brainpoolP256r1,
#                         for localhost/127.0.0.1), an expired server cert,
#                         another CA with its server cert, client certs
#                         gw-0001, gw-0002, gw-0003 (CN = MQTT user = client id),
#                         the back-office CA and its client cert backoffice
#   uplink_broker_conf DIR PORT SERVER_CERT_BASENAME [PLAIN_PORT]
#                         the shipped tools/broker/gridledger.conf and .acl
#                         (docs/deploy.md) with this folder's paths: gateways on
#                         PORT, the back office on `uplink_bo_port DIR`
#                         (UPLINK_TLS_VERSION, UPLINK_CIPHERS: another protocol or suites)
#   uplink_broker_start DIR  / uplink_broker_stop DIR (SIGTERM: the broker saves its state)
#   uplink_free_port

uplink_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

_cert() { # DIR NAME CURVE CN CA_BASE [SAN] [DAYS]
    local d=$1 n=$2 curve=$3 cn=$4 ca=$5 san=${6:-} days=${7:-30}
    openssl ecparam -name "$curve" -genkey -noout -out "$d/$n.key" 2>/dev/null
    chmod 600 "$d/$n.key"
    openssl req -new -key "$d/$n.key" -subj "/CN=$cn" -out "$d/$n.csr" 2>/dev/null
    if [ -n "$san" ]; then printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" >"$d/$n.ext"
    else printf 'extendedKeyUsage=clientAuth\n' >"$d/$n.ext"; fi
    openssl x509 -req -in "$d/$n.csr" -CA "$d/$ca.pem" -CAkey "$d/$ca.key" -CAcreateserial -days "$days" \
        -sha256 -extfile "$d/$n.ext" -out "$d/$n.pem" 2>/dev/null
}

_ca() { # DIR NAME CN
    openssl ecparam -name prime256v1 -genkey -noout -out "$1/$2.key" 2>/dev/null
    chmod 600 "$1/$2.key"
    openssl req -new -x509 -key "$1/$2.key" -subj "/CN=$3" -days 30 -sha256 -out "$1/$2.pem" 2>/dev/null
}

uplink_certs() {
    local d=$1
    mkdir -p "$d"
    _ca "$d" ca "gridledger test CA"
    _ca "$d" otherca "some other CA"
    _cert "$d" server prime256v1 localhost ca "DNS:localhost,IP:127.0.0.1"
    _cert "$d" server-bp brainpoolP256r1 localhost ca "DNS:localhost,IP:127.0.0.1"
    _cert "$d" server-other prime256v1 localhost otherca "DNS:localhost,IP:127.0.0.1"
    _cert "$d" gw-0001 prime256v1 gw-0001 ca
    _cert "$d" gw-0002 prime256v1 gw-0002 ca
    _cert "$d" gw-0003 prime256v1 gw-0003 ca
    _ca "$d" backoffice-ca "gridledger back-office CA"
    _cert "$d" backoffice prime256v1 backoffice backoffice-ca
    _cert "$d" gw-bo-ca prime256v1 gw-0009 backoffice-ca # a gateway id from the wrong CA
    # expired: valid from 2020-01-01 to 2020-02-01, signed by the CA with `openssl ca`
    mkdir -p "$d/ca-db"; : >"$d/ca-db/index.txt"; echo 1000 >"$d/ca-db/serial"
    cat >"$d/ca-db/ca.cnf" <<CNF
[ca]
default_ca = d
[d]
database = $d/ca-db/index.txt
serial = $d/ca-db/serial
new_certs_dir = $d/ca-db
default_md = sha256
policy = p
copy_extensions = none
[p]
commonName = supplied
[ext]
subjectAltName = DNS:localhost,IP:127.0.0.1
extendedKeyUsage = serverAuth
CNF
    openssl ecparam -name prime256v1 -genkey -noout -out "$d/server-expired.key" 2>/dev/null
    chmod 600 "$d/server-expired.key"
    openssl req -new -key "$d/server-expired.key" -subj "/CN=localhost" -out "$d/server-expired.csr" 2>/dev/null
    openssl ca -batch -config "$d/ca-db/ca.cnf" -cert "$d/ca.pem" -keyfile "$d/ca.key" -extensions ext \
        -startdate 20200101000000Z -enddate 20200201000000Z -in "$d/server-expired.csr" \
        -out "$d/server-expired.pem" >/dev/null 2>&1
    # the gateway's HMAC key (key 00..1f, as in the unit tests)
    printf '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n' >"$d/gw.hmac"
    chmod 600 "$d/gw.hmac"
    cp "$UPLINK_BROKER_FILES/gridledger.acl" "$d/gridledger.acl"
}

UPLINK_BROKER_FILES=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../tools/broker" && pwd)

uplink_bo_port() { # DIR: the back office's listener (chosen once per folder)
    [ -s "$1/bo_port" ] || uplink_free_port >"$1/bo_port"
    cat "$1/bo_port"
}

uplink_broker_conf() { # DIR PORT SERVER [PLAIN_PORT]
    local d=$1 port=$2 srv=$3 plain=${4:-} boport
    boport=$(uplink_bo_port "$d")
    mkdir -p "$d/persist"
    {
        echo "user root"
        echo "pid_file $d/mosquitto.pid"
        echo "persistence_location $d/persist/"
        echo "autosave_interval 1"
        echo "log_dest file $d/mosquitto.log"
        echo "log_type error"
        echo "log_type warning"
        echo "log_type notice"
        sed -e "s|/etc/mosquitto/gridledger/|$d/|" -e "s|/server\.|/$srv.|" \
            -e "s|^listener 8883\$|listener $port 127.0.0.1|" -e "s|^listener 8884 .*|listener $boport 127.0.0.1|" \
            -e "s|^tls_version .*|tls_version ${UPLINK_TLS_VERSION:-tlsv1.2}|" \
            -e "${UPLINK_CIPHERS:+/^use_username_as_clientid/a ciphers $UPLINK_CIPHERS}" "$UPLINK_BROKER_FILES/gridledger.conf"
        if [ -n "$plain" ]; then echo "listener $plain 127.0.0.1"; fi
    } >"$d/mosquitto.conf"
    if [ -n "$plain" ]; then # the bench's plain TCP listener: anonymous, no ACL
        sed -i -e 's/^allow_anonymous false/allow_anonymous true/' -e '/^acl_file /d' "$d/mosquitto.conf"
    fi
}

uplink_broker_start() { # DIR
    # a few tries: under load an old broker on the same port may still be
    # saving its state, and the new one then fails to bind
    local d=$1 port try
    port=$(sed -n 's/^listener \([0-9]*\).*/\1/p' "$d/mosquitto.conf" | head -1)
    for try in 1 2 3 4 5; do
        rm -f "$d/mosquitto.pid"
        mosquitto -c "$d/mosquitto.conf" -d 2>>"$d/mosquitto.err"
        for _ in $(seq 200); do
            [ -s "$d/mosquitto.pid" ] && (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0
            sleep 0.05
        done
        sleep "$try"
    done
    echo "# mosquitto did not start: $(tail -3 "$d/mosquitto.err" "$d/mosquitto.log" 2>/dev/null)"
    return 1
}

uplink_broker_stop() { # DIR [SIGNAL]
    local d=$1 sig=${2:-TERM} pid
    pid=$(cat "$d/mosquitto.pid" 2>/dev/null) || return 0
    kill -"$sig" "$pid" 2>/dev/null
    # wait until it has saved its state and left the port (slow under load)
    for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    rm -f "$d/mosquitto.pid"
}

# uplink_test_start NAME [HOOK]: the uplink tests' common start: a scratch
# folder T (/tmp/gl-NAME.*), the certificates, the shipped broker config on
# PORT (HOOK, a function, may change "$T/mosquitto.conf" before the broker
# starts), the broker started, and the argument arrays TLS (gateway to broker),
# GW1 and GW2 (gateway identities) and BO (mosquitto_pub/sub as the back office).
# The caller sets T= and its EXIT trap (which calls uplink_broker_stop "$T") first.
uplink_test_start() {
    T=$(mktemp -d "/tmp/gl-$1.XXXXXX")
    uplink_certs "$T"
    PORT=$(uplink_free_port)
    uplink_broker_conf "$T" "$PORT" server
    if [ -n "${2:-}" ]; then "$2"; fi
    uplink_broker_start "$T" >/dev/null 2>&1
    TLS=(--host localhost --port "$PORT" --ca "$T/ca.pem" --hmac-key "$T/gw.hmac")
    GW1=(--gateway gw-0001 --cert "$T/gw-0001.pem" --key "$T/gw-0001.key")
    GW2=(--gateway gw-0002 --cert "$T/gw-0002.pem" --key "$T/gw-0002.key")
    BO=(-h 127.0.0.1 -p "$(uplink_bo_port "$T")" --cafile "$T/ca.pem" --cert "$T/backoffice.pem" --key "$T/backoffice.key")
}
