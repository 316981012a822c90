/* largerep.h: the gateway's large customers of one month, from its store
 * (`gridledger report large-customers`): energy, amount and average price of
 * each customer with an industry, its effect on the area's average price
 * (the gateway is one area: every bill of the month) and its swing against
 * the last three months, computed by core/largecust.c as the back office's
 * `report large-customers` does. */
#ifndef LARGEREP_H
#define LARGEREP_H

#include "config.h"
#include "gridledger/largecust.h"
#include "store.h"

typedef struct largerep_row {
    const config_customer *c;
    int billed;                /* a bill of the month */
    int64_t energy_wh, amount_fen;
    int has_price, has_effect, has_swing;
    int64_t price_micro, swing_bp, prev_avg_wh;
    int nprev;                 /* months among the last three with a bill */
    largecust_effect effect;
} largerep_row;

/* largerep_month: rows[i] for the i-th large customer (config order), at
 * most cap; *n large customers found. period is YYYY-MM. */
gl_status largerep_month(store *s, const config *cfg, const char *period, largerep_row *rows, int cap, int *n);

#endif
