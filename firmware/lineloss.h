/* lineloss.h: the area's monthly figures (量价费损) from the store: energy
 * supplied (the area summary meter) and sold (customer meters), line loss,
 * billed and collected amounts, average price; large customers' swings and
 * suspicion signals (see core/area.h for the rules). */
#ifndef GRIDLEDGER_LINELOSS_H
#define GRIDLEDGER_LINELOSS_H

#include "gridledger/area.h"
#include "config.h"
#include "store.h"

#define LINELOSS_SIGNALS_MAX 64

typedef struct lineloss_signal {
    char meter[CONFIG_ID_MAX];
    char customer[CONFIG_ID_MAX];
    int kind;            /* LINELOSS_SWING, LINELOSS_SUSPECT or LINELOSS_STUCK */
    int64_t use_wh;
    int32_t change_bp;   /* against the 3-month baseline */
} lineloss_signal;

enum { LINELOSS_SWING = 1, LINELOSS_SUSPECT = 2, LINELOSS_STUCK = 3 };

/* lineloss_signal_name: "swing", "suspect", "stuck". */
const char *lineloss_signal_name(int kind);

typedef struct lineloss_result {
    char period[12];     /* YYYY-MM */
    area_figures fig;
    int32_t prev_loss_bp;
    int meters_missing;  /* customer meters with no reading in the month */
    int nsignals;
    lineloss_signal signals[LINELOSS_SIGNALS_MAX];
} lineloss_result;

/* lineloss_month: the figures of calendar month (year, month) in the
 * gateway's time zone (the process TZ must be set). */
gl_status lineloss_month(store *s, const config *cfg, const area_limits *lim, int year, int month,
                         lineloss_result *out);

/* lineloss_body: the uplink body of messages.md (lineloss) into buf. */
gl_status lineloss_body(const lineloss_result *r, const char *area, char *buf, size_t cap);

#endif
