/* bench_money.c: exact money arithmetic against the plain int64 multiply and
 * divide it replaces (the peer: what a careless engine would do, without
 * overflow checks or rounding modes). Prints table rows for tools/bench/run.sh. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "gridledger/money.h"
#include "monotime.h"

int main(void)
{
    const int n = 20000000;
    volatile int64_t sink = 0;
    int64_t acc = 0, v;
    double t0 = monotime_s();
    for (int i = 0; i < n; i++) {
        money_mul_round(240000 + i % 1000, 488300 + i % 7, 7, MONEY_HALF_UP, &v);
        acc += v;
    }
    double t1 = monotime_s();
    sink = acc;
    acc = 0;
    for (int i = 0; i < n; i++) {
        volatile int64_t a = 240000 + i % 1000, b = 488300 + i % 7;
        acc += (a * b + 5000000) / 10000000;
    }
    double t2 = monotime_s();
    sink += acc;
    (void)sink;
    double ours = n / (t1 - t0) / 1e6, peer = n / (t2 - t1) / 1e6;
    printf("| core | money_mul_round (energy x price -> fen, half-up, checked) | %.1f | M ops/s | "
           "plain int64 (a*b+h)/d: %.1f M ops/s | %.2f |\n",
           ours, peer, ours / peer);
    return 0;
}
