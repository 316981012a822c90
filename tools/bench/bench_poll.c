/* bench_poll: bus time per meter per cycle for each built-in profile at
 * 9,600 baud 8E1, from frame bytes (coalesce.h arithmetic): the coalesced
 * plan against one request per quantity and against the physical minimum
 * for the quantities asked (only those registers, fewest requests). */
#include <stdio.h>

#include "coalesce.h"
#include "profile.h"

static int spans_of(const profile *p, coalesce_span *s)
{
    int n = 0;
    for (int q = 0; q < PROFILE_Q_COUNT; q++)
        if (p->q[q].present)
            s[n++] = (coalesce_span){(uint8_t)p->q[q].fn, p->q[q].addr, (uint16_t)profile_type_words(p->q[q].type)};
    return n;
}

int main(void)
{
    static const int64_t turnaround_us[] = {0, 20000};
    for (size_t t = 0; t < sizeof turnaround_us / sizeof turnaround_us[0]; t++) {
        coalesce_link l = {9600, turnaround_us[t]};
        for (int i = 0; i < profile_builtin_count(); i++) {
            const profile *p = profile_builtin_at(i);
            coalesce_span in[PROFILE_Q_COUNT], out[PROFILE_Q_COUNT];
            int n = spans_of(p, in), nreq = 0;
            int64_t plan = 0, naive = 0, limit = coalesce_limit_us(in, n, &l);
            coalesce_plan(in, n, &l, out, PROFILE_Q_COUNT, &nreq, &plan);
            for (int k = 0; k < n; k++)
                naive += coalesce_request_us(&l, in[k].count);
            printf("| meters | %s bus time/meter/cycle, 9600 8E1, %lld ms turnaround | %.1f | ms (%d requests) | "
                   "limit %.1f ms | %.2f |\n",
                   p->name, (long long)turnaround_us[t] / 1000, plan / 1000.0, nreq, limit / 1000.0,
                   (double)plan / (double)limit);
            printf("| meters | %s one request per quantity | %.1f | ms (%d requests) | coalesced %.1f ms | %.2f |\n",
                   p->name, naive / 1000.0, n, plan / 1000.0, (double)naive / (double)plan);
        }
    }
    return 0;
}
