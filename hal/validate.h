/* validate.h: pure plausibility checks of a meter reading (no I/O, no clock).
 *
 * Per meter the caller keeps a validate_state (the last good energy counters
 * and how many polls in a row the meter was silent) and passes every new
 * reading through validate_reading, which:
 *  - rejects values outside physical ranges (present bit cleared,
 *    READING_FLAG_RANGE) and then makes the whole reading an error: garbage
 *    in one value (wrong word order, off-by-one address) means none of the
 *    others can be trusted, the billing register included;
 *  - flags an energy counter that went down (READING_FLAG_DECREASE:
 *    rollover, meter change or fault; the new value becomes the baseline so
 *    billing never sees negative use);
 *  - flags an increase larger than max power x elapsed time could deliver
 *    (READING_FLAG_JUMP), with a tolerance for float32 rounding of the
 *    counter (value / 2^23, at least 2 Wh); the meter is then held: that
 *    reading and every later one carry READING_FLAG_HELD (kept out of
 *    billing) until validate_confirm (an operator confirmed the jump);
 *  - flags a counter that did not move while the meter reports enough power
 *    to move it (READING_FLAG_STUCK);
 *  - counts silent polls: after offline_after in a row the meter goes
 *    offline (VALIDATE_EVENT_OFFLINE, once) and its next answer brings it
 *    back (VALIDATE_EVENT_ONLINE);
 *  - counts answers in a row that are errors (exceptions, bad frames, NaN,
 *    values out of range): at error_after the meter is answering garbage
 *    (VALIDATE_EVENT_GARBAGE, once) and its next good reading clears it
 *    (VALIDATE_EVENT_SANE). Silent polls neither count nor clear. */
#ifndef GRIDLEDGER_VALIDATE_H
#define GRIDLEDGER_VALIDATE_H

#include <stdint.h>

#include "gridledger/reading.h"

/* Physical ranges (low-voltage distribution; CT meters for the area). */
#define VALIDATE_VOLTAGE_DV_MAX 6000        /* 600 V phase to neutral */
#define VALIDATE_CURRENT_MA_MAX 10000000    /* 10 kA */
#define VALIDATE_ENERGY_WH_MAX 100000000000000LL /* 10^14 Wh: beyond any meter register */
#define VALIDATE_FREQ_CHZ_MIN 4000          /* 40 Hz */
#define VALIDATE_FREQ_CHZ_MAX 7000          /* 70 Hz */
#define VALIDATE_PF_MILLI_MAX 1000

typedef struct validate_state {
    int has_last;          /* a good reading has been seen */
    int64_t last_ts;
    int64_t last_import_wh;
    int64_t last_export_wh;
    int has_export;
    int silent_polls;      /* polls in a row without an answer */
    int offline;           /* 1 after offline_after silent polls */
    int bad_polls;         /* answers in a row that were errors */
    int garbage;           /* 1 after error_after bad answers, until a good one */
    int held;              /* 1 from a jump until it is confirmed */
} validate_state;

typedef enum validate_event {
    VALIDATE_EVENT_NONE = 0,
    VALIDATE_EVENT_OFFLINE, /* the meter just went offline */
    VALIDATE_EVENT_ONLINE,  /* an offline meter answered again */
    VALIDATE_EVENT_GARBAGE, /* error_after answers in a row were errors */
    VALIDATE_EVENT_SANE,    /* a meter answering garbage gave a good reading */
} validate_event;

/* validate_reading: checks r against st and updates both (see above).
 * max_power_w <= 0 disables the jump and stuck checks. */
validate_event validate_reading(validate_state *st, int64_t max_power_w, int offline_after, reading *r);

/* validate_garbage: after validate_reading, counts r (an error answer or a
 * good one) towards error_after (<= 0: 1); an event of validate_reading
 * (prev, not NONE) goes first and the garbage one waits a poll. */
validate_event validate_garbage(validate_state *st, int error_after, validate_event prev, const reading *r);

/* validate_confirm: the operator confirmed a held jump: later readings are
 * normal again. */
void validate_confirm(validate_state *st);

/* validate_event_name: "offline", "online", "garbage", "sane" or "none". */
const char *validate_event_name(validate_event e);

#endif
