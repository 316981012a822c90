/* store_alerts.c: listing alerts (see store_alerts.h). */
#include "store_alerts.h"

#include "store_internal.h"

#define ALERT_SELECT "SELECT id, ts, kind, subject, detail, acked_ts, closed_ts, acked_by FROM events WHERE alert = 1"

static const char *text_col(sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    return t ? t : "";
}

gl_status store_alerts_each(store *s, int all, store_alert_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_DONE;
    gl_status ret = store_prepare(s, &st,
                                  all ? ALERT_SELECT " ORDER BY ts DESC, id DESC"
                                      : ALERT_SELECT " AND closed_ts IS NULL ORDER BY ts DESC, id DESC",
                                  "");
    while (ret == GL_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_alert a = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), text_col(st, 2), text_col(st, 3),
                         text_col(st, 4), sqlite3_column_int64(st, 5), text_col(st, 7), sqlite3_column_int64(st, 6)};
        ret = fn(ctx, &a);
    }
    if (ret == GL_OK && rc != SQLITE_DONE)
        ret = store_status_of(rc);
    sqlite3_finalize(st);
    return ret;
}
