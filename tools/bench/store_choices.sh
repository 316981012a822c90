#!/bin/bash
# The store's flash-wear choices, each measured: bench_store (1,000 meters
# every 15 minutes for 7 simulated days, compaction daily, bytes counted by
# the store's VFS shim, the last 3 days averaged) rebuilt with the store's
# files (store.c, store_readings.c, store_blocks.c) compiled under each
# choice's -D flags, the rest of the build as it is. Prints the row
# "bytes written per day" of each; docs/store.md keeps the table.
#   tools/bench/store_choices.sh [BUILD]      (make bench does not run it: ~2 min)
set -eu
cd "$(dirname "$0")/../.."
BUILD=${1:-${BUILD:-build}}
make --no-print-directory -s BUILD="$BUILD" "$BUILD/bench/bench_store" >/dev/null
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CFLAGS_STORE="-std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
 -Iinclude -iquote hal -iquote firmware -O2"
choice() { # name, then -D flags
    local name=$1
    shift
    for f in store store_readings store_blocks; do
        cc $CFLAGS_STORE "$@" -c firmware/$f.c -o "$T/$f.o"
    done
    cp "$BUILD/libglfw.a" "$T/libglfw.a"
    ar rcs "$T/libglfw.a" "$T/store.o" "$T/store_readings.o" "$T/store_blocks.o"
    cc -o "$T/bench_store" "$BUILD/obj/tools/bench/bench_store.o" "$T/libglfw.a" "$BUILD/libglhal.a" \
        "$BUILD/libglcore.a" -lmodbus -lsqlite3 -lmbedtls -lmbedx509 -lmbedcrypto -lcjson -lpthread -lm
    printf '%-58s ' "$name"
    "$T/bench_store" | grep 'bytes written per day' | awk -F'|' '{ printf "%s MB/day (%s)\n", $4, $3 }' | sed 's/  */ /g'
}
choice "${CHOICE_PREFIX:-}as built" "$@"
choice "checkpoint every 1,000 pages (SQLite's default)" -DSTORE_CHECKPOINT_PAGES=1000
choice "checkpoint every 8,000 pages" -DSTORE_CHECKPOINT_PAGES=8000
choice "32 meters a block" -DSTORE_BLOCK_METERS=32
choice "128 meters a block" -DSTORE_BLOCK_METERS=128
choice "page 8192 (rows up to 8,000 B)" -DSTORE_PAGE_SIZE=8192 -DBODY_MAX=8000
choice "no auto_vacuum (no pointer-map pages)" '-DSTORE_AUTO_VACUUM="NONE"'
# what a reading carries: bench_store stores an SDM120's quantities
BENCH_STORE_FIELDS=4 choice "as built, 4 quantities (import, power, V, I)" "$@"
# the rows kept with their register words (a day's first slot) with 88 words
BENCH_STORE_NRAW=88 choice "as built, 88 register words (an SDM120's cycle)" "$@"
