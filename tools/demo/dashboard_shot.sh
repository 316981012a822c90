#!/bin/bash
# dashboard_shot.sh [OUT [PNG]]: the README's screenshot of the supervisor dashboard after
# `make demo`: serves the console on the demo's back office (OUT, default demo-out) on a free
# local port, logs in as the demo's supervisor in Debian's chromium (tools/demo/dashboard_shot.js,
# playwright-core from tests/browser: `make deps`) and saves PNG (default docs/img/dashboard.png).
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
OUT=${1:-demo-out}
PNG=${2:-docs/img/dashboard.png}
BUILD=${BUILD:-build}
case $PNG in /*) ;; *) PNG=$ROOT/$PNG ;; esac
if [ ! -f "$OUT/backoffice.json" ] || [ ! -f "$OUT/console-password.txt" ]; then
    echo "dashboard_shot: run make demo first ($OUT)" >&2
    exit 2
fi
if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -x /usr/bin/chromium ]; then
    echo "dashboard_shot: needs make deps and chromium" >&2
    exit 2
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
(cd "$OUT" && exec "$ROOT/$BUILD/gridledger-backoffice" -c backoffice.json serve --listen "127.0.0.1:$port" \
    --cert pki/server.pem --key pki/server.key --static "$ROOT/tools/backoffice/console") >"$log" 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null; wait $srv 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q "console on" "$log" && break; sleep 0.1; done
mkdir -p "$(dirname "$PNG")"
NODE_PATH=$ROOT/tests/browser/node_modules node tools/demo/dashboard_shot.js "https://localhost:$port/" \
    "$(cat "$OUT/console-password.txt")" "$PNG" || { cat "$log" >&2; exit 1; }
echo "dashboard_shot: $PNG"
