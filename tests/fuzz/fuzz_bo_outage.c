/* fuzz_bo_outage.c: the planned-outage time parser and template renderer on
 * arbitrary bytes (an operator's --from/--to, the config's outage templates)
 * must never crash or read out of bounds, and a parsed time must make a
 * schedule that keeps its promises: at most one notice per offset plus the
 * confirmation, an on-time notice never after its planned time nor already
 * due, a late one due at once. Input: TIME "\n" NOW-OFFSET-BYTE QUIET-BYTES TEMPLATE. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../tools/backoffice/bo_outage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_schedule(long long start, const uint8_t *p, size_t n)
{
    bo_outages_cfg cfg;
    bo_outage_slot slot[BO_OUTAGE_SLOTS_MAX];
    bo_outages_defaults(&cfg);
    long long now = start - (n > 0 ? (long long)p[0] * 3600 * 4 : 86400); /* up to ~42 days before */
    int qf = n > 1 ? p[1] % 1440 : 0, qt = n > 2 ? (p[2] * 7) % 1440 : 0;
    int k = bo_outage_schedule(&cfg, start, now, qf, qt, slot, BO_OUTAGE_SLOTS_MAX);
    if (k != cfg.ndays + 1)
        __builtin_trap();
    for (int i = 0; i < k; i++) {
        if (slot[i].state == BO_SLOT_ON_TIME && (slot[i].due > slot[i].planned || slot[i].due <= now))
            __builtin_trap();
        if (slot[i].state == BO_SLOT_LATE && slot[i].due != now)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    char buf[2048], out[1024], why[160];
    long long t = 0;
    if (!ready) {
        setenv("TZ", "Asia/Shanghai", 1);
        tzset();
        ready = 1;
    }
    if (size >= sizeof buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *nl = memchr(buf, '\n', size);
    char *rest = nl ? nl + 1 : buf + size;
    if (nl)
        *nl = '\0';
    if (bo_outage_parse_time(buf, &t) == GL_OK) {
        char back[BO_OUTAGE_TIME_MAX];
        long long again = 0;
        bo_outage_format_time(t, back);
        if (bo_outage_parse_time(back, &again) != GL_OK || again != t)
            __builtin_trap(); /* what is accepted prints back as itself */
        check_schedule(t, (const uint8_t *)rest, strlen(rest));
    }
    why[0] = '\0';
    gl_status st = bo_outage_check(rest, why, sizeof why);
    if (st != GL_OK && why[0] == '\0')
        __builtin_trap(); /* every refusal says why */
    bo_outage_fields f = {"C", "N", "A", "F", "T", "R", "OF", "OT", 15};
    (void)bo_outage_render(rest, &f, out, sizeof out, why, sizeof why);
    return 0;
}
