/* measuresout.h: what a grade changes (core/measures.h) as the "measures"
 * member of a credit result (grades --json, credit-calc, the daemon's
 * grades message), and the population of each grade against its range. */
#ifndef GRIDLEDGER_MEASURESOUT_H
#define GRIDLEDGER_MEASURESOUT_H

#include <stdio.h>

#include "gridledger/credit.h"

/* measuresout_json: writes `"measures": {...}` for r (no leading comma). */
void measuresout_json(FILE *f, const creditcfg *cc, const credit_result *r);

/* measuresout_population_json: writes `"population": [...]`, one object per
 * grade with its count, its range and whether it is outside. */
void measuresout_population_json(FILE *f, const creditcfg *cc, const int *counts);

#endif
