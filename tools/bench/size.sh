#!/bin/bash
# The gateway binary's size on its ARM targets: tools/cross.sh's release
# build (-Os, -ffunction-sections -fdata-sections, --gc-sections), stripped,
# against the 512 KiB limit, with what it links: gridledger's own code is
# linked statically (libglcore, libglhal, libglfw); the C library, SQLite,
# libmodbus, Mbed TLS and cJSON dynamically (Debian's shared libraries, the
# NEEDED entries shown). The cross build is made if the cross compiler is
# there and build-cross-ARCH has none yet (BENCH_SIZE_REBUILD=1: always).
set -u
cd "$(dirname "$0")/../.."
LIMIT=524288
for arch in aarch64 armhf; do
    case $arch in aarch64) triple=aarch64-linux-gnu ;; armhf) triple=arm-linux-gnueabihf ;; esac
    b=build-cross-$arch/gridledger.stripped
    if { [ ! -f "$b" ] || [ "${BENCH_SIZE_REBUILD:-0}" = 1 ]; } && command -v "$triple-gcc" >/dev/null; then
        tools/cross.sh build "$arch" >/dev/null 2>&1 || { echo "| size | gridledger, $arch | (cross build failed) | | | |"; continue; }
    fi
    if [ ! -f "$b" ]; then
        echo "| size | gridledger, $arch, stripped | (skipped: no $triple-gcc; tools/cross.sh build $arch) | | | |"
        continue
    fi
    n=$(stat -c %s "$b")
    libs=$("$triple-readelf" -d "$b" 2>/dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ' | sed 's/ $//')
    printf "| size | gridledger, %s, stripped (own code static; dynamic: %s) | %d | bytes | limit 512 KiB: %d | %.2f |\n" \
        "$arch" "$libs" "$n" "$LIMIT" "$(awk -v a="$n" -v b="$LIMIT" 'BEGIN { print a / b }')"
done
