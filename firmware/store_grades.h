/* store_grades.h: what the store's credit grades say to other modules. */
#ifndef GRIDLEDGER_STORE_GRADES_H
#define GRIDLEDGER_STORE_GRADES_H

#include "store.h"

/* store_grade_instalment_days: the instalment days (1..28) of customer's
 * latest grade when its billing measure is instalments, at most max into
 * days; *n = 0 when it is not (or the customer has no grade yet). */
gl_status store_grade_instalment_days(store *s, const char *customer, int *days, int max, int *n);

/* store_grade_deposit_change: the deposit measure's change ("none",
 * "propose", "release") of customer's latest grade into out ("" when the
 * customer has no grade or its explanation holds none). */
gl_status store_grade_deposit_change(store *s, const char *customer, char *out, size_t cap);

#endif
