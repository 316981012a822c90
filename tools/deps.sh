#!/bin/sh
# Installs the Debian packages gridledger needs to build, test, bench and demo.
# Idempotent and quiet when everything is there. Not root: prints the line to run.
set -eu
PKGS="build-essential pkg-config libmodbus-dev libsqlite3-dev sqlite3 libmbedtls-dev libcjson-dev
libcmocka-dev libmicrohttpd-dev libsodium-dev curl mosquitto mosquitto-clients libmosquitto-dev libxlsxwriter-dev libpq-dev postgresql libcurl4-openssl-dev python3-aiosmtpd
clang libclang-rt-14-dev mbpoll python3-pymodbus python3-serial-asyncio socat openssl unzip valgrind time kannel kannel-extras chromium fonts-noto-cjk nodejs"
# npm comes with nodejs from other sources; Debian packages it apart
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"
# the console's browser tests (tests only): playwright-core from npm, by the lockfile
browser_deps() {
    local dir
    dir="$(dirname "$0")/../tests/browser"
    [ -d "$dir/node_modules/playwright-core" ] && return 0
    command -v npm >/dev/null 2>&1 || return 0
    npm ci --prefix "$dir" --no-audit --no-fund >/dev/null || echo "gridledger: deps: npm ci in tests/browser failed" >&2
}
# the console's front end: Apache ECharts from npm by its lockfile, copied into the console's folder
# (served as the console's own file: no CDN, the CSP unchanged)
console_deps() {
    bo_dir="$(dirname "$0")/../tools/backoffice"
    command -v npm >/dev/null 2>&1 || return 0
    [ -f "$bo_dir/console-npm/node_modules/echarts/dist/echarts.min.js" ] ||
        npm ci --prefix "$bo_dir/console-npm" --no-audit --no-fund >/dev/null ||
        { echo "gridledger: deps: npm ci in tools/backoffice/console-npm failed" >&2; return 0; }
    cp "$bo_dir/console-npm/node_modules/echarts/dist/echarts.min.js" "$bo_dir/console/echarts.min.js"
}
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && { browser_deps; console_deps; exit 0; }
line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
    echo "gridledger: deps: missing packages; run as root: apt-get update && $line" >&2
    exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
browser_deps
console_deps
