/* bo_outages.h: `outage plan|move|cancel|class`: planned outages of an area
 * and the notices their large and important customers get (schedule in
 * bo_outage.h); the notices dispatcher queues each notice when it is due. */
#ifndef BO_OUTAGES_H
#define BO_OUTAGES_H

#include "bo_cli.h"
#include "bo_db.h"

/* The gateway column of outage notices in the notices table: not a gateway
 * id (those never start with '~'), so no proof of service goes down. */
#define BO_OUTAGE_GATEWAY "~outage"

/* bo_outages_queue_due: every scheduled outage notice due at now becomes a
 * row of notices (rendered, queued for the dispatcher, or failed with why:
 * no contact, no mobile, no consent). Returns how many were queued. */
int bo_outages_queue_due(bo_db *db, const bo_config *cfg, long long now);

/* bo_cmd_outage: the `outage` command. */
int bo_cmd_outage(bo_ctx *ctx, int argc, char **argv);

#endif
