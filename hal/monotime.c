/* monotime.c: the monotonic clock (see monotime.h). */
#include "monotime.h"

#include <errno.h>
#include <time.h>

int64_t monotime_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t monotime_ms(void)
{
    return monotime_us() / 1000;
}

double monotime_s(void)
{
    return (double)monotime_us() / 1e6;
}

void monotime_sleep_us(int64_t us)
{
    if (us <= 0)
        return;
    struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}
