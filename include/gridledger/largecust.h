/* largecust.h: a large customer's month against its area (pure).
 *
 * The figures of `gridledger-backoffice report large-customers`: average
 * price, its effect on the area's average price, the swing against the last
 * three months, and the industries of GB/T 4754-2017 (sections A..T).
 * Amounts in fen, energy in Wh, prices in micro-yuan per kWh
 * (MONEY_SCALE_PRICE), percentages at 2 decimals (basis points); every
 * division rounds once, half-up. No floats. */
#ifndef GRIDLEDGER_LARGECUST_H
#define GRIDLEDGER_LARGECUST_H

#include <stdint.h>

#include "gridledger/status.h"

/* largecust_industry: the English name of GB/T 4754-2017 section letter s
 * ("C": "Manufacturing"), NULL when s is not one letter A..T. */
const char *largecust_industry(const char *s);

/* largecust_price: amount_fen / energy_wh as micro-yuan per kWh, half-up.
 * GL_ERANGE when energy_wh <= 0 (no price), GL_EOVERFLOW. */
gl_status largecust_price(int64_t amount_fen, int64_t energy_wh, int64_t *price_micro);

typedef struct largecust_effect {
    int64_t with_micro;    /* the area's average price */
    int64_t without_micro; /* the same without the customer */
    int64_t effect_micro;  /* with - without: what the customer adds (negative: lowers) */
    int has_without;       /* 0 when the customer is the area's whole energy */
} largecust_effect;

/* largecust_area_effect: the customer's (fen, Wh) within the area's totals
 * (the customer included). GL_ERANGE when the area has no energy or the
 * customer's figures exceed the area's. */
gl_status largecust_area_effect(int64_t area_fen, int64_t area_wh, int64_t cust_fen, int64_t cust_wh,
                                largecust_effect *out);

/* largecust_swing: energy_wh against the average of the nprev (0..3)
 * previous months prev_wh[] (those with a bill), as a percentage at two
 * decimals: (energy - avg) / avg, half-up, in basis points.
 * GL_ERANGE when there is no previous month or their sum is 0. */
gl_status largecust_swing(int64_t energy_wh, const int64_t *prev_wh, int nprev, int64_t *swing_bp);

#endif
