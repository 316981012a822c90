#!/bin/bash
# The store's flash-wear choices, each measured: bench_store (1,000 meters
# every 15 minutes for 7 simulated days, compaction daily, bytes counted by
# the store's VFS shim) rebuilt with firmware/store.c compiled under each
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
    cc $CFLAGS_STORE "$@" -c firmware/store.c -o "$T/store.o"
    cp "$BUILD/libglfw.a" "$T/libglfw.a"
    ar rcs "$T/libglfw.a" "$T/store.o"
    cc -o "$T/bench_store" "$BUILD/obj/tools/bench/bench_store.o" "$T/libglfw.a" "$BUILD/libglhal.a" \
        "$BUILD/libglcore.a" -lmodbus -lsqlite3 -lmbedtls -lmbedx509 -lmbedcrypto -lcjson -lpthread -lm
    printf '%-58s ' "$name"
    "$T/bench_store" | grep 'bytes written per day' | awk -F'|' '{ printf "%s MB/day (%s)\n", $4, $3 }' | sed 's/  */ /g'
}
choice "${CHOICE_PREFIX:-}as built" "$@"
choice "page 4096, checkpoint 1000, vacuum at compaction (before)" -DSTORE_PAGE_SIZE=4096 -DSTORE_CHECKPOINT_PAGES=1000 -DSTORE_VACUUM_AT_COMPACT=1
choice "no vacuum at compaction (free pages reused)" -DSTORE_VACUUM_AT_COMPACT=0
choice "no vacuum, checkpoint 4000 pages" -DSTORE_VACUUM_AT_COMPACT=0 -DSTORE_CHECKPOINT_PAGES=4000
choice "no vacuum, page 2048" -DSTORE_VACUUM_AT_COMPACT=0 -DSTORE_PAGE_SIZE=2048
choice "no vacuum, page 1024" -DSTORE_VACUUM_AT_COMPACT=0 -DSTORE_PAGE_SIZE=1024
choice "no vacuum, page 8192" -DSTORE_VACUUM_AT_COMPACT=0 -DSTORE_PAGE_SIZE=8192
# what is kept raw: the register words of each reading (the rows above keep 8)
BENCH_STORE_NRAW=0 choice "as built, no register words kept" "$@"
BENCH_STORE_NRAW=88 choice "as built, 88 register words (an SDM120's cycle)" "$@"
