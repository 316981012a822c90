#!/bin/bash
# make bench: rows of the tariff engine (tools/bench/bench_tariff.c).
set -u
"${BUILD:-build}"/bench/bench_tariff
