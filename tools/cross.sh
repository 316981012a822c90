#!/bin/bash
# Cross builds for the gateway's ARM targets against a sysroot made from Debian's
# target packages (unpacked .deb files in sysroot/ARCH, which git ignores: multiarch
# -dev packages can lag the host's, unpacked files do not clash with anything).
#   tools/cross.sh build aarch64|armhf   build gridledger and the unit tests
#   tools/cross.sh test  aarch64|armhf   run the unit tests under qemu-user
set -euo pipefail
cd "$(dirname "$0")/.."
cmd=${1:?usage: cross.sh build|test ARCH}
arch=${2:-aarch64}
case "$arch" in
aarch64) deb=arm64 triple=aarch64-linux-gnu qemu=qemu-aarch64 ;;
armhf) deb=armhf triple=arm-linux-gnueabihf qemu=qemu-arm ;;
*) echo "gridledger: cross: ARCH must be aarch64 or armhf" >&2; exit 2 ;;
esac
root=$PWD/sysroot/$arch
build=build-cross-$arch
PKGS="libc6 libgcc-s1 libmodbus-dev libmodbus5 libsqlite3-dev libsqlite3-0 libmbedtls-dev libmbedtls14
libmbedx509-1 libmbedcrypto7 libcjson-dev libcjson1 libcmocka-dev libcmocka0"

host_tools() {
    local need=""
    command -v "$triple-gcc" >/dev/null || need="$need gcc-$triple"
    command -v "$qemu" >/dev/null || need="$need qemu-user"
    [ -d "/usr/$triple/include" ] || need="$need libc6-dev-$deb-cross" # not pulled in without recommends
    [ -z "$need" ] && return 0
    if [ "$(id -u)" != 0 ]; then
        echo "gridledger: cross: run as root: apt-get install -y$need" >&2
        exit 1
    fi
    apt-get install -y -qq --no-install-recommends $need >/dev/null
}

make_sysroot() {
    [ -f "$root/.done" ] && return 0
    if ! dpkg --print-foreign-architectures | grep -qx "$deb"; then
        dpkg --add-architecture "$deb"
        apt-get update -qq >/dev/null
    fi
    mkdir -p "$root/debs"
    (cd "$root/debs" && apt-get download $(for p in $PKGS; do echo "$p:$deb"; done) >/dev/null 2>&1) || {
        apt-get update -qq >/dev/null
        (cd "$root/debs" && apt-get download $(for p in $PKGS; do echo "$p:$deb"; done) >/dev/null)
    }
    for f in "$root"/debs/*.deb; do dpkg-deb -x "$f" "$root"; done
    touch "$root/.done"
}

build() {
    host_tools
    make_sysroot
    local libdir=$root/usr/lib/$triple flags="-Os -g -ffunction-sections -fdata-sections"
    # make tracks sources, not flags: objects built with other flags go
    if [ "$(cat "$build/.cflags" 2>/dev/null)" != "$flags" ]; then
        rm -rf "$build/obj" "$build"/lib*.a "$build/gridledger"
        mkdir -p "$build"
        echo "$flags" >"$build/.cflags"
    fi
    # the release build for the gateway's flash: -Os, and every function and
    # object in its own section so the linker drops what nothing calls
    # (aarch64: 529,032 bytes stripped at -O2, 463,504 so; README, benchmarks)
    make --no-print-directory BUILD="$build" CC="$triple-gcc" AR="$triple-ar" SANITIZE=0 \
        CFLAGS="$flags" \
        SYSROOT_CFLAGS="-I$root/usr/include -I$root/usr/include/modbus -I$root/usr/include/$triple" \
        LDFLAGS="-L$libdir -Wl,-rpath-link,$libdir -Wl,-rpath-link,$root/lib/$triple -Wl,--gc-sections" \
        "$build/gridledger" build-gw-unit-tests
    "$triple-strip" -o "$build/gridledger.stripped" "$build/gridledger"
    echo "cross $arch: $build/gridledger stripped $(stat -c %s "$build/gridledger.stripped") bytes"
}

run_tests() {
    build >/dev/null
    local pass=0 fail=0
    for t in "$build"/tests/unit/test_*; do
        [ -x "$t" ] && [ "${t%.log}" = "$t" ] || continue
        if QEMU_LD_PREFIX=$root CMOCKA_MESSAGE_OUTPUT=stdout "$qemu" "$t" >"$t.log" 2>&1; then
            pass=$((pass + 1)); echo "ok   $arch $(basename "$t")"
        else
            fail=$((fail + 1)); echo "FAIL $arch $(basename "$t")"; tail -5 "$t.log"
        fi
    done
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}

case "$cmd" in
build) build ;;
test) run_tests ;;
*) echo "gridledger: cross: unknown command $cmd" >&2; exit 2 ;;
esac
