/* bo_ingest.h: one uplink message in, stored once, derived tables updated.
 *
 * Independent of MQTT: takes the topic and payload as the broker delivered
 * them. The envelope of CONTRACT.md ({"v":1,"gateway","seq","ts","kind",
 * "body"}) and the body of messages.md are validated; the message row and
 * every derived row are written in one transaction, so a message is either
 * fully stored or not at all. A repeat of (gateway, seq) changes nothing.
 * A malformed message is refused and counted (counters: "rejected"). */
#ifndef BO_INGEST_H
#define BO_INGEST_H

#include <stddef.h>

#include "bo_db.h"
#include "gridledger/status.h"

#define BO_MSG_MAX (1u << 20)   /* payload bound: 1 MiB */
#define BO_TOPIC_MAX 256
#define BO_ID_MAX 64            /* gateway ids and customer ids */
#define BO_SEQ_MAX 9007199254740991LL /* 2^53-1: exact in every JSON reader */
#define BO_ITEMS_MAX 100000     /* bills, rows or results in one message */
#define BO_RETRIES 8            /* transaction retries on a transient conflict */

typedef enum bo_outcome {
    BO_STORED = 0, /* new: stored and derived */
    BO_DUPLICATE,  /* (gateway, seq) already stored: nothing changed */
    BO_REJECTED,   /* malformed: nothing stored but the counter */
} bo_outcome;

/* bo_ingest_message: validates and stores one message. now is the receive
 * time (epoch s). Returns GL_OK when *outcome was decided and committed;
 * any other status means nothing was committed (database down): the caller
 * must not acknowledge the message. why (may be NULL) gets the reason of a
 * rejection. */
gl_status bo_ingest_message(bo_db *db, const char *topic, const void *payload, size_t len, long long now,
                            bo_outcome *outcome, char *why, size_t whycap);

/* bo_month_index: YYYY-MM as a count of months (year * 12 + month - 1), -1 if not a month. */
int bo_month_index(const char *ym);

/* bo_month_add: the month delta months from ym, as YYYY-MM into out (cap >= 8). */
gl_status bo_month_add(const char *ym, int delta, char *out, size_t cap);

/* bo_valid_id: 1 if s is a gateway or customer id: 1..64 of [A-Za-z0-9._-]. */
int bo_valid_id(const char *s);

/* bo_valid_date: 1 if s is YYYY-MM-DD and a real date (civdate_parse, as on
 * the gateway: 2024-02-30 is not). */
int bo_valid_date(const char *s);

/* bo_valid_minute: 1 if s is "YYYY-MM-DDTHH:MM" on a real date, HH 00..23
 * (civdate_parse_minute, as on the gateway). */
int bo_valid_minute(const char *s);

/* bo_valid_grade: 1 if s is one of the grade names AAA AA A B C D E. */
int bo_valid_grade(const char *s);

/* bo_valid_month: 1 if s is YYYY-MM. */
int bo_valid_month(const char *s);

#endif
