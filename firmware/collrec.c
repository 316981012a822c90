/* collrec.c: the collection record's rows as text (see collrec.h). */
#include "collrec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "gridledger/money.h"
#include "capstream.h"
#include "outfmt.h"
#include "uplink.h"

static const char *const cols[COLLREC_NCOLS] = {"id#",      "customer", "episode", "action",  "channel",
                                                "planned",  "taken",    "status",  "served",  "proof",
                                                "principal", "penalty", "reason",  "deadline"};

const char *const *collrec_columns(void)
{
    return cols;
}

static const char *when(int64_t ts, char *buf)
{
    return ts >= 0 && clock_format_local(ts, buf, 40) == GL_OK ? buf : NULL;
}

void collrec_values(const store_collect_row *r, char buf[][40], const char **v)
{
    snprintf(buf[0], 40, "%lld", (long long)r->id);
    money_format(r->principal_fen, 2, buf[5], 40);
    money_format(r->penalty_fen, 2, buf[6], 40);
    v[0] = buf[0];
    v[1] = r->customer;
    v[2] = r->episode;
    v[3] = r->action;
    v[4] = r->channel;
    v[5] = when(r->planned_ts, buf[1]);
    v[6] = when(r->taken_ts, buf[2]);
    v[7] = r->status;
    v[8] = when(r->served_ts, buf[3]);
    v[9] = r->proof[0] ? r->proof : NULL;
    v[10] = buf[5];
    v[11] = buf[6];
    v[12] = r->reason;
    v[13] = when(r->deadline_ts, buf[4]);
}

void collrec_json(FILE *f, const store_collect_row *r)
{
    char buf[7][40];
    const char *v[COLLREC_NCOLS];
    collrec_values(r, buf, v);
    fprintf(f, "{\"id\":%s", v[0]);
    for (int i = 1; i < COLLREC_NCOLS; i++) {
        if (v[i] == NULL)
            continue;
        fprintf(f, ",\"%s\":", cols[i]);
        outfmt_json_string(f, v[i]);
    }
    fputc('}', f);
}

typedef struct find_ctx {
    int64_t id;
    store_collect_row row;
    int found;
} find_ctx;

static int find_row(void *ctx, const store_collect_row *r)
{
    find_ctx *f = ctx;
    if (r->id != f->id)
        return 0;
    f->row = *r;
    f->found = 1;
    return 1;
}

gl_status collrec_put_up(store *s, const store_collect_row *r, int64_t now)
{
    textbuf body;
    int64_t seq = 0;
    textbuf_init(&body, UPLINK_BODY_MAX);
    FILE *m = capstream_open(&body);
    if (m != NULL)
        collrec_json(m, r);
    gl_status st = capstream_close(m, &body);
    if (st == GL_OK)
        st = store_outbox_put(s, "actions", textbuf_str(&body), now, &seq);
    textbuf_free(&body);
    return st;
}

gl_status collrec_queue_up(store *s, const char *customer, int64_t id, int64_t now)
{
    find_ctx f = {.id = id};
    gl_status st = store_collect_each(s, customer, 0, INT64_MAX, find_row, &f);
    if (st != GL_OK || !f.found)
        return st != GL_OK ? st : GL_ENOTFOUND;
    return collrec_put_up(s, &f.row, now);
}
