/* store_collect.h: the collection record in the store (schema version 4):
 * every collection action the gateway takes, with its planned, taken and
 * served times, status, proof, and the principal and penalty owed when it
 * was taken. It is what the plan is computed from (core/episode.c) and the
 * evidence shown when a cut is disputed. Each call is one transaction (or
 * joins the caller's). Times are Unix seconds; -1 is "none". */
#ifndef GRIDLEDGER_STORE_COLLECT_H
#define GRIDLEDGER_STORE_COLLECT_H

#include <stdint.h>

#include "store.h"

#define STORE_COLLECT_ID_MAX 48
#define STORE_COLLECT_PROOF_MAX 128
#define STORE_COLLECT_REASON_MAX 256

typedef struct store_collect_row {
    int64_t id;
    char customer[STORE_COLLECT_ID_MAX];
    char episode[16];  /* YYYY-MM-DD: the earliest unpaid due date when it began */
    char action[24];   /* collect_action_name() */
    char channel[16];
    char status[12];   /* planned|taken|served|failed|cancelled */
    int64_t planned_ts, taken_ts, served_ts, deadline_ts;
    char proof[STORE_COLLECT_PROOF_MAX];
    int64_t principal_fen, penalty_fen;
    char reason[STORE_COLLECT_REASON_MAX];
} store_collect_row;

/* store_collect_add: appends r (its id is ignored); *id gets the new row's. */
gl_status store_collect_add(store *s, const store_collect_row *r, int64_t *id);

/* store_collect_episode: the newest `cap` rows of one episode, oldest first. */
gl_status store_collect_episode(store *s, const char *customer, const char *episode, store_collect_row *rows,
                                int cap, int *n);

/* store_collect_cancel_pending: the episode's planned rows, and its timed
 * notices (notice_1h, confirm_30min) still awaiting proof, become
 * cancelled at ts; *n gets how many. */
gl_status store_collect_cancel_pending(store *s, const char *customer, const char *episode, int64_t ts, int *n);

/* store_collect_expire: rows taken before `before` and never served become
 * failed (a notice without proof within its validity). */
gl_status store_collect_expire(store *s, const char *customer, const char *episode, int64_t before);

/* store_collect_serve: the newest taken row of customer's action (any
 * episode, or id when id > 0) becomes served at served_ts with the proof.
 * GL_ENOTFOUND if there is none awaiting proof; *id_out gets its id. */
gl_status store_collect_serve(store *s, const char *customer, const char *action, int64_t id, int64_t served_ts,
                              const char *proof, int64_t *id_out);

/* store_collect_update: row r->id takes r's status, times, proof, amounts
 * and reason (a planned cut when it is carried out). GL_ENOTFOUND if absent. */
gl_status store_collect_update(store *s, const store_collect_row *r);

typedef int (*store_collect_fn)(void *ctx, const store_collect_row *r);

/* store_collect_each: rows of customer (NULL: all) whose planned or taken
 * time is in [from_ts, to_ts), by id; fn returning non-zero stops. */
gl_status store_collect_each(store *s, const char *customer, int64_t from_ts, int64_t to_ts, store_collect_fn fn,
                             void *ctx);

#endif
