/* usage.h: interval usage, the input of a bill, and its CSV form.
 *
 * An interval is a span of local wall-clock time with the active energy
 * measured in it (and optionally reactive energy and demand). Times are
 * local civil minutes (gridledger/civdate.h): a TOU calendar is in local time,
 * so no time zone is needed. Pure: no I/O; the caller owns every array. */
#ifndef GRIDLEDGER_USAGE_H
#define GRIDLEDGER_USAGE_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/diag.h"
#include "gridledger/status.h"

#define USAGE_ESTIMATED 1u      /* the energy was shared out over a gap */
#define USAGE_MAX_ROWS 200000   /* hard bound of a usage file (> 5 years of 15-minute data) */
#define USAGE_MAX_LINE 256      /* longest CSV line */

typedef struct usage_interval {
    int64_t start_min;     /* local wall-clock minutes since 1970-01-01T00:00, on a quarter hour */
    int32_t len_min;       /* minutes covered: a multiple of 15, > 0 */
    int32_t utc_offset_min; /* local minus UTC when known (orders the repeated hour of a DST
                               change), else 0 */
    uint32_t flags;        /* USAGE_ESTIMATED */
    int64_t energy_wh;     /* active energy, >= 0 */
    int64_t reactive_varh; /* reactive energy, >= 0, or -1 when not measured */
    int64_t demand_w;      /* demand (kW at scale 3), >= 0, or -1 when not measured */
} usage_interval;

typedef struct usage_info {
    int interval_min;      /* 15, 30 or 60 */
    int has_kvarh, has_kw; /* columns present */
    int gaps;              /* rows that also cover missing intervals before them */
} usage_info;

/* usage_parse_csv: reads the CSV of CONTRACT.md ("start,kwh[,kvarh][,kw]"
 * header, columns in any order) from len bytes of text into rows[0..cap-1].
 * `start` is "YYYY-MM-DDTHH:MM[:SS]" local time, optionally followed by a UTC
 * offset ("+08:00", "-05:00", "Z") that is used only to measure elapsed time
 * across a DST change. Intervals are of equal length (15, 30 or 60 minutes,
 * taken from the first two rows, 60 for a single row), ascending and on
 * quarter hours. A row after missing ones carries the energy since the end
 * of the row before it (as a register difference would): its interval is
 * widened back over the gap and marked USAGE_ESTIMATED.
 * Errors are reported to d as "FILE:LINE:COL: column: problem" and return
 * GL_ESYNTAX, GL_ERANGE or GL_EBOUND (more than cap rows). *n_out rows. */
gl_status usage_parse_csv(const char *file, const char *text, size_t len, usage_interval *rows, int cap,
                          int *n_out, usage_info *info, diag *d);

#endif
