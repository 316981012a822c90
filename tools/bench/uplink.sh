#!/bin/bash
# uplink.sh: starts mosquitto (TLS listener with client certificates, and a
# plain one) with test certificates and runs build/bench/bench_uplink.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
source tests/integration/lib/uplink_env.sh
command -v mosquitto >/dev/null || { echo "| uplink | (mosquitto not installed) | | | | |"; exit 0; }
T=$(mktemp -d /tmp/gl-bench-uplink.XXXXXX)
trap 'uplink_broker_stop "$T"; rm -rf "$T"' EXIT
uplink_certs "$T"
P=$(uplink_free_port); Q=$(uplink_free_port)
uplink_broker_conf "$T" "$P" server "$Q"
uplink_broker_start "$T" >/dev/null 2>&1 || exit 1
"$BUILD"/bench/bench_uplink "$T" "$P" "$Q" "${BENCH_UPLINK_N:-5000}"
