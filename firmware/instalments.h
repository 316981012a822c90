/* instalments.h: instalment settlement (分次结算) in the gateway's ledger.
 *
 * A postpaid customer whose latest stored grade says `billing.mode`
 * "instalments" (core/measures.h, credit.measures) settles its month in
 * parts: on each of the cell's instalment days inside the billing period a
 * provisional bill (ref CUSTOMER/PERIOD#DD, due due_days later, its own
 * penalty clock) for the period's use so far priced at the tariff, less the
 * parts already posted; at the cycle close the monthly bill is posted less
 * the parts (ref CUSTOMER/PERIOD as ever, or, when the parts came to more,
 * a credit adjustment), so the parts and the close add up to the monthly
 * bill to the fen. A customer switched back from prepaid to post-paid
 * during the period was charged its days before the switch by fee control
 * (usage entries): the close takes those off as well, so no day is billed
 * twice. */
#ifndef GRIDLEDGER_INSTALMENTS_H
#define GRIDLEDGER_INSTALMENTS_H

#include "billing.h"
#include "store.h"

/* instalments_post_close: posts the ledger entry of customer's monthly bill
 * of total_fen for period p on date (the close less the parts and the
 * period's prepaid charging; see above), due on p->due. Inside the caller's
 * transaction. */
gl_status instalments_post_close(store *s, const char *customer, const billing_period *p, const char *date,
                                 int64_t total_fen, const char *ref);

/* instalments_day: posts customer ci's part due on the civil day today, if
 * today is one of its instalment days (nothing otherwise, nothing twice).
 * *posted_fen gets the amount posted (0 if none). */
gl_status instalments_day(billing *b, int ci, int32_t today, int64_t *posted_fen);

#endif
