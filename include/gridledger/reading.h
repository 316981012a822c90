/* reading.h: one meter reading, as hal/ produces it and the store keeps it.
 *
 * Values are integers in the unit their name carries; a quantity the meter
 * does not have is flagged absent in `present` (READING_HAS_*). The raw
 * register words the values were decoded from are kept beside them. */
#ifndef GRIDLEDGER_READING_H
#define GRIDLEDGER_READING_H

#include <stdint.h>

#define READING_ID_MAX 48
#define READING_RAW_MAX 128 /* register words kept per reading */
#define READING_ERROR_MAX 96

typedef enum reading_status {
    READING_OK = 0,   /* read and valid */
    READING_OFFLINE,  /* no answer (timeouts past retries) */
    READING_ERROR,    /* answered, but with an exception, bad CRC, or invalid values */
} reading_status;

/* Where a reading's energies come from: read live, or from a register the
 * meter froze at ts (DL/T 645: the daily freeze at midnight, 0506xxxx; the
 * last settlement day, 0001xx01). Frozen readings also carry READING_FLAG_FROZEN. */
typedef enum reading_source {
    READING_LIVE = 0,
    READING_FROZEN_DAILY = 1,
    READING_FROZEN_SETTLEMENT = 2,
} reading_source;

/* Which quantities are present (bit flags). */
enum {
    READING_HAS_IMPORT = 1u << 0,
    READING_HAS_EXPORT = 1u << 1,
    READING_HAS_REACTIVE = 1u << 2,
    READING_HAS_DEMAND = 1u << 3,
    READING_HAS_VOLTAGE = 1u << 4,
    READING_HAS_CURRENT = 1u << 5,
    READING_HAS_POWER = 1u << 6,
    READING_HAS_PF = 1u << 7,
    READING_HAS_FREQ = 1u << 8,
    READING_HAS_RELAY = 1u << 9,
    READING_HAS_TARIFFS = 1u << 10, /* tariff_wh[] read from the meter's own registers (DL/T 645) */
    READING_HAS_CLOCK = 1u << 11,   /* clock_drift_s: the meter's clock was read (DL/T 645) */
};

#define READING_TARIFFS 4 /* DL/T 645 tariffs 1..4: sharp, peak, flat, valley */

/* Validation flags (why a value is suspect); a flagged energy is never billed as negative use. */
enum {
    READING_FLAG_DECREASE = 1u << 0,  /* energy counter went down: rollover, meter change or fault */
    READING_FLAG_JUMP = 1u << 1,      /* more energy than max power could deliver in the time */
    READING_FLAG_RANGE = 1u << 2,     /* a value outside physical range was rejected */
    READING_FLAG_STUCK = 1u << 3,     /* counter unchanged while power flows */
    READING_FLAG_ESTIMATED = 1u << 4, /* value estimated, not read */
    READING_FLAG_FROZEN = 1u << 5,    /* read from the meter's frozen midnight register (DL/T 645 0506xxxx), ts = the freeze */
    READING_FLAG_HELD = 1u << 6,      /* at or after an unconfirmed jump: held out of billing */
};

typedef struct reading {
    char meter[READING_ID_MAX];
    int64_t ts;                 /* seconds since the epoch (UTC) */
    reading_status status;
    uint32_t present;           /* READING_HAS_* */
    uint32_t flags;             /* READING_FLAG_* */
    int64_t import_wh;          /* total import active energy: the billing register */
    int64_t export_wh;
    int64_t reactive_varh;      /* total reactive energy (for power-factor adjustment) */
    int64_t demand_w;           /* maximum demand */
    int32_t voltage_dv[3];      /* per phase, 0.1 V */
    int32_t current_ma[3];      /* per phase, mA */
    int64_t power_w;            /* total active power */
    int32_t pf_milli;           /* power factor x 1000 */
    int32_t freq_chz;           /* frequency, 0.01 Hz */
    int relay_closed;           /* 1 closed (supply on), 0 open */
    int nphases;                /* 1 or 3 */
    int64_t tariff_wh[READING_TARIFFS]; /* forward active energy per tariff (READING_HAS_TARIFFS) */
    int64_t clock_drift_s;      /* meter clock minus the gateway's, seconds (READING_HAS_CLOCK) */
    reading_source source;      /* live or frozen; frozen: ts is the freeze time (the meter's clock) */
    int64_t read_ts;            /* frozen readings: when the gateway read the register (0: unknown) */
    uint16_t nraw;
    uint16_t raw[READING_RAW_MAX]; /* the register words as read */
    char error[READING_ERROR_MAX]; /* for READING_ERROR / OFFLINE: what happened */
} reading;

#endif
