/* bench_dlt645: DL/T 645 bus time from frame bytes (the codec's own frames)
 * on one 2400-baud 8E1 bus (11 bits a byte), the gateway sending FE x4 and
 * meters answering with FE x4, the default 20 ms inter-frame gap and an
 * assumed meter turnaround: the billing registers (total + 4 tariffs) as
 * the block 0001FF00 against five single DIs and against the frame-byte
 * minimum (one exchange, no preamble, no gap); the full DLT645-1P profile;
 * 200 meters per cycle and the meters one bus serves in 15 minutes. */
#include <stdio.h>

#include "coalesce.h"
#include "dlt645.h"
#include "dlt645prof.h"

#define BAUD 2400
#define GAP_US 20000 /* inter_frame_ms default */
#define METERS 200
#define CYCLE_S 900

/* Bytes of one read exchange: the request frame and a reply of `data` bytes after the DI. */
static int exchange_bytes(int pre_tx, int pre_rx, int data)
{
    uint8_t buf[DLT645_FRAME_MAX], d[DLT645_DATA_MAX] = {0};
    size_t req = 0, rep = 0;
    dlt645_addr a = dlt645_addr_broadcast();
    dlt645_build_read(&a, DLT645_DI_IMPORT_BLOCK, pre_tx, buf, sizeof buf, &req);
    dlt645_encode(&a, 0x91, d, (size_t)(4 + data), pre_rx, buf, sizeof buf, &rep);
    return (int)(req + rep);
}

static int64_t exchange_us(int bytes, int64_t turnaround_us, int64_t gap_us)
{
    return bytes * coalesce_char_us(BAUD) + turnaround_us + gap_us;
}

static int64_t profile_us(const dlt645prof *p, int64_t ta, int *nreq)
{
    int64_t us = exchange_us(exchange_bytes(4, 4, 20), ta, GAP_US);
    *nreq = 1;
    for (int q = PROFILE_Q_IMPORT + 1; q < PROFILE_Q_COUNT; q++) {
        if (!p->q[q].present)
            continue;
        us += exchange_us(exchange_bytes(4, 4, p->q[q].width), ta, GAP_US);
        ++*nreq;
    }
    ++*nreq; /* status word 3 (relay) */
    return us + exchange_us(exchange_bytes(4, 4, 2), ta, GAP_US);
}

int main(void)
{
    static const int64_t turnaround_us[] = {20000, 100000};
    const dlt645prof *p1 = dlt645prof_builtin("DLT645-1P");
    for (size_t t = 0; t < sizeof turnaround_us / sizeof turnaround_us[0]; t++) {
        int64_t ta = turnaround_us[t];
        int64_t block = exchange_us(exchange_bytes(4, 4, 20), ta, GAP_US);
        int64_t single = 5 * exchange_us(exchange_bytes(4, 4, 4), ta, GAP_US);
        int64_t minimum = exchange_us(exchange_bytes(0, 0, 20), 0, 0);
        int nreq = 0;
        int64_t full = profile_us(p1, ta, &nreq);
        printf("| dlt645 | billing registers/meter, block 0001FF00, 2400 8E1, FE x4, %lld ms turnaround | %.1f | ms "
               "(1 request) | 5 single DIs %.1f ms | %.2f |\n",
               (long long)ta / 1000, block / 1000.0, single / 1000.0, (double)single / (double)block);
        printf("| dlt645 | billing registers/meter, block, against the frame-byte minimum | %.1f | ms | "
               "minimum %.1f ms (%d bytes, no preamble, gap or turnaround) | %.2f |\n",
               block / 1000.0, minimum / 1000.0, exchange_bytes(0, 0, 20), (double)block / (double)minimum);
        printf("| dlt645 | %d meters/cycle on one bus, billing registers, block (single DIs) | %.1f | s | "
               "single DIs %.1f s | %.2f |\n",
               METERS, METERS * block / 1e6, METERS * single / 1e6, (double)single / (double)block);
        printf("| dlt645 | meters one 2400-baud bus serves in %d min: billing registers (full DLT645-1P profile, "
               "%d requests, %.0f ms/meter) | %lld | meters | full profile %lld meters | %.2f |\n",
               CYCLE_S / 60, nreq, full / 1000.0, (long long)(CYCLE_S * 1000000LL / block),
               (long long)(CYCLE_S * 1000000LL / full), (double)full / (double)block);
    }
    return 0;
}
