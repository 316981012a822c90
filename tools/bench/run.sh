#!/bin/bash
# make bench: runs every benchmark and prints one table. Each tools/bench/NAME.sh
# adds rows "| area | benchmark | figure | unit | peer or limit | ratio |"
# (poll.sh: poll --once against mbpoll; daemon.sh: `run` polling 1,000
# meters against poll --once; uplink.sh, credit.sh, tariff.sh, bench_ingest.sh,
# notices.sh: the notices dispatcher against Kannel).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
export BUILD GL_ROOT=$PWD
echo "gridledger benchmarks, $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "| area | benchmark | figure | unit | peer or limit | ratio |"
echo "|---|---|---|---|---|---|"
# run by hand, not here: store_choices.sh (rebuilds bench_store once per store setting, ~3 min)
SCRIPTS=$(ls tools/bench/*.sh | grep -v -e '/run\.sh$' -e '/store_choices\.sh$')
for b in "$BUILD"/bench/bench_*; do
    [ -x "$b" ] || continue
    # a benchmark with a script of its own (it needs a broker, or larger figures) runs from there
    grep -lq "bench/$(basename "$b")\b" $SCRIPTS && continue
    "$b" || echo "| $(basename "$b") | (failed: exit $?) | | | | |"
done
for s in $SCRIPTS; do
    bash "$s" || echo "| $(basename "$s" .sh) | (failed: exit $?) | | | | |"
done
