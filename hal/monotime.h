/* monotime.h: the process's monotonic clock, the one helper that reads it
 * (CLOCK_MONOTONIC: never steps with the wall clock). hal times its frames
 * with it and firmware's clock module builds the injected clocks' mono_ms on
 * it; core reads no clock. */
#ifndef GRIDLEDGER_MONOTIME_H
#define GRIDLEDGER_MONOTIME_H

#include <stdint.h>

/* monotime_us / monotime_ms: the monotonic clock in microseconds /
 * milliseconds from an arbitrary origin. */
int64_t monotime_us(void);
int64_t monotime_ms(void);

/* monotime_s: the same clock in seconds, for measuring (benches, rates);
 * never for money. */
double monotime_s(void);

/* monotime_sleep_us: sleeps us microseconds (nothing if us <= 0), resumed
 * after a signal. */
void monotime_sleep_us(int64_t us);

#endif
