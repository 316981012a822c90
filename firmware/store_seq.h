/* store_seq.h: the sequence high-water marks kept beside the store.
 *
 * PATH.seq (next to the database PATH) holds, as text,
 *   uplink N      every uplink seq ever handed out is <= N (a reservation:
 *                 the store writes it ahead, STORE_SEQ_RESERVE at a time)
 *   downlink M    the last downlink seq accepted (exact)
 * written with temp file, fsync, rename. A database moved aside, lost or
 * replaced by an empty one takes its sequences from here, so the uplink
 * never reuses a seq the back office has seen and an applied downlink
 * replayed stays refused. */
#ifndef GRIDLEDGER_STORE_SEQ_H
#define GRIDLEDGER_STORE_SEQ_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/status.h"

#define STORE_SEQ_RESERVE 1024 /* uplink seqs reserved per write of the file */
#define STORE_SEQ_PATH_MAX 560

typedef struct store_seq {
    int64_t uplink;   /* highest uplink seq that may have been used */
    int64_t downlink; /* last downlink seq accepted */
} store_seq;

/* store_seq_path: "STORE_PATH.seq" into out; GL_EBOUND if it does not fit. */
gl_status store_seq_path(const char *store_path, char *out, size_t cap);

/* store_seq_read: the marks of the store at store_path; GL_ENOTFOUND without
 * a file (both 0), GL_ESYNTAX for a file that is not ours. */
gl_status store_seq_read(const char *store_path, store_seq *out);

/* store_seq_write: replaces the file atomically (temp, fsync, rename). */
gl_status store_seq_write(const char *store_path, const store_seq *v);

#endif
