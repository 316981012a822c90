#!/bin/bash
# layers: the compiler holds core <- hal <- firmware. With the include paths
# the Makefile gives each layer (make print-cc-LAYER), a core file including a
# hal or firmware header and a hal file including a firmware header fail to
# compile ("No such file"), while each layer's own headers compile alone; the
# real build uses those paths (make -n), and no core or hal source names a
# header of a layer above it. Also `make check-layers`.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib/tap.sh
BUILD=${BUILD:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gl-layers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cc_of() { make -s --no-print-directory "print-cc-$1"; }
CC_CORE=$(cc_of core)
CC_HAL=$(cc_of hal)
CC_FW=$(cc_of firmware)

# compiles: 0 if `#include "$2"` compiles with the compiler line $1; the
# compiler's complaint is left in $tmp/err.
compiles() {
    printf '#include "%s"\nint layers_probe(void);\nint layers_probe(void) { return 0; }\n' "$2" >"$tmp/probe.c"
    $1 -c "$tmp/probe.c" -o "$tmp/probe.o" 2>"$tmp/err"
}

# refused LAYER CC HEADER: the header is not found from that layer
refused() {
    if compiles "$2" "$3"; then
        notok "$1 cannot include $3 (it compiled)"
    elif grep -q 'No such file' "$tmp/err"; then
        ok "$1 cannot include $3: not found"
    else
        notok "$1 including $3 failed for another reason"
        sed 's/^/# /' "$tmp/err" | head -5
    fi
}

# allowed LAYER CC HEADER: the header compiles alone from that layer
allowed() {
    if compiles "$2" "$3"; then ok "$1 includes $3"; else notok "$1 includes $3"; sed 's/^/# /' "$tmp/err" | head -5; fi
}

# core may not see hal or firmware; hal may not see firmware
for h in bus.h poller.h profile.h dlt645.h config.h clock.h fileio.h store.h uplink.h; do
    refused core "$CC_CORE" "$h"
done
for h in config.h clock.h fileio.h store.h daemon.h jobs.h uplink.h billing.h; do
    refused hal "$CC_HAL" "$h"
done

# every public header compiles alone with core's paths, every hal header with hal's
pub=0
for f in include/gridledger/*.h; do
    compiles "$CC_CORE" "gridledger/$(basename "$f")" || { pub=$((pub + 1)); notok "core: $f alone"; sed 's/^/# /' "$tmp/err" | head -5; }
done
[ "$pub" -eq 0 ] && ok "every include/gridledger header compiles with core's include path"
halh=0
for f in hal/*.h; do
    compiles "$CC_HAL" "$(basename "$f")" || { halh=$((halh + 1)); notok "hal: $f alone"; sed 's/^/# /' "$tmp/err" | head -5; }
done
[ "$halh" -eq 0 ] && ok "every hal header compiles with hal's include path"
# the control: firmware sees everything (the probes above fail for the path alone)
allowed firmware "$CC_FW" config.h
allowed firmware "$CC_FW" poller.h

# the firmware headers left include/, and the build uses the layer's paths
check "no firmware header in include/gridledger" \
    "$(ls include/gridledger/config.h include/gridledger/clock.h include/gridledger/fileio.h 2>/dev/null | wc -l)" 0
line=$(make -n -B --no-print-directory "$BUILD/obj/core/money.o" | grep -- 'core/money.c')
[[ "$line" == *" -Iinclude "* && "$line" != *"hal"* && "$line" != *"firmware"* ]] \
    && ok "the build compiles core/money.c with -Iinclude only" || { notok "core/money.c's command"; echo "# $line"; }
line=$(make -n -B --no-print-directory "$BUILD/obj/hal/poller.o" | grep -- 'hal/poller.c')
[[ "$line" == *"-iquote hal"* && "$line" != *"firmware"* && "$line" != *"-Icore"* ]] \
    && ok "the build compiles hal/poller.c without firmware's path" || { notok "hal/poller.c's command"; echo "# $line"; }

# hal's and firmware's folders are searched for "quoted" headers only: with
# -Ifirmware, pthread.h's <sched.h> found firmware/sched.h, and the compiler's
# dependency lists then left out every firmware header (a changed header
# rebuilt nothing)
line=$(make -n -B --no-print-directory "$BUILD/obj/firmware/jobs_uplink.o" | grep -- 'firmware/jobs_uplink.c')
[[ "$line" == *"-iquote firmware"* && "$line" != *"-Ifirmware"* && "$line" != *"-Ihal"* ]] \
    && ok "the build searches hal/ and firmware/ for quoted includes only" || { notok "firmware/jobs_uplink.c's command"; echo "# $line"; }
deps=$($CC_FW -MM firmware/jobs_uplink.c 2>&1)
[[ "$deps" == *"firmware/cli.h"* && "$deps" == *"hal/poller.h"* ]] \
    && ok "a firmware object depends on the firmware and hal headers it includes" || { notok "dependencies of jobs_uplink.o"; echo "# $deps" | head -3; }

# sources: no core or hal file names a header of a layer above it (whatever the path)
fw_headers=$(cd firmware && ls ./*.h | sed 's#^\./##' | paste -sd'|')
hal_headers=$(cd hal && ls ./*.h | sed 's#^\./##' | paste -sd'|')
bad=$(grep -nE "#include \"($fw_headers|$hal_headers)\"" core/*.c include/gridledger/*.h)
check "core names no hal or firmware header" "$bad" ""
bad=$(grep -nE "#include \"($fw_headers)\"" hal/*.c hal/*.h | grep -vE "#include \"($hal_headers)\"")
check "hal names no firmware header" "$bad" ""
