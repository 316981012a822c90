/* bo_cuts.h: the console's disconnect and reconnect commands and their
 * lawfulness check.
 *
 * A cut is checked with the gateway's own rules (core/episode.c,
 * episode_cut_rules), fed from what the back office holds: the newest
 * arrears of the customer (worklist or grades row, less the payments the
 * gateway acknowledged since), the mirror of the collection record of its
 * newest episode (table actions) and the config's "collection" thresholds.
 * A request is stored (console_commands) as "requested"; a supervisor
 * approves it (the check is run again then and must be green) or rejects
 * it; an approved one is sent down signed and shows the gateway's
 * acknowledgement. The gateway checks again with its own record before it
 * opens a relay. */
#ifndef BO_CUTS_H
#define BO_CUTS_H

#include <cjson/cJSON.h>

#include "bo_db.h"
#include "gridledger/collect.h"
#include "gridledger/episode.h"

/* What the check was fed, shown with its rules. */
typedef struct bo_cuts_basis {
    char as_of[11];         /* the arrears' date ("" when the store has none) */
    char episode[16];       /* the newest episode of the collection record ("" none) */
    int64_t arrears_fen;    /* principal overdue as of as_of, less paid_fen */
    int64_t penalty_fen;
    int64_t paid_fen;       /* payments acknowledged applied since as_of */
    int32_t oldest_due;     /* -1 none */
    int nrec;               /* rows of the episode checked */
    int residential;        /* 0 when the record has a one-hour notice (non-residential) */
    int64_t at_min;         /* the civil minute checked (now, local) */
} bo_cuts_basis;

/* bo_cuts_schema: the console_commands table, created if missing. */
gl_status bo_cuts_schema(bo_db *db);

/* bo_cuts_check: the check of a cut of customer at gateway now. */
gl_status bo_cuts_check(bo_db *db, const collect_cfg *cfg, const char *gateway, const char *customer, long long now,
                        episode_cut_check *chk, bo_cuts_basis *basis);

/* bo_cuts_check_json: {"lawful","rules":[{"rule","ok","why"}],"basis":{...}}. */
cJSON *bo_cuts_check_json(const episode_cut_check *chk, const bo_cuts_basis *b);

/* bo_cuts_add: a new request; *id gets its id. check is its JSON text. */
gl_status bo_cuts_add(bo_db *db, const char *gateway, const char *customer, const char *command, const char *reason,
                      const char *who, long long now, const char *check, long long *id);

/* A stored request. */
typedef struct bo_cuts_req {
    long long id;
    char gateway[72], customer[72], command[16], state[16];
} bo_cuts_req;

/* bo_cuts_get: request id; GL_ENOTFOUND if none. */
gl_status bo_cuts_get(bo_db *db, long long id, bo_cuts_req *out);

/* bo_cuts_decide: a "requested" request becomes state (sent|rejected) by
 * who, with its downlink seq (sent) and the check it was decided on;
 * GL_ESTATE if it was no longer "requested". */
gl_status bo_cuts_decide(bo_db *db, long long id, const char *state, const char *who, long long now, long long seq,
                         const char *check);

/* bo_cuts_list_sql: the requests, newest first, each with the gateway's
 * newest acknowledgement ("pending" until one arrives): columns id,
 * gateway, customer, command, reason, requested_by, requested_ts, state,
 * decided_by, decided_ts, down_seq, ack, ack_reason, check; $1 a
 * requester ('' all). */
extern const char bo_cuts_list_sql[];

#endif
