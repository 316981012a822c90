#!/bin/bash
# credit-calc throughput: 10,000 customers by default; BENCH_CREDIT_CUSTOMERS=1000000 for the figure.
"${BUILD:-build}"/bench/bench_credit "${BENCH_CREDIT_CUSTOMERS:-1000000}"
