/* alerts.c: alert and event kinds (see alerts.h). */
#include "alerts.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gridledger/textbuf.h"
#include "uplink.h"

static const char *const event_kinds[] = {"supply_cut", "supply_restored", "payment", "topup"};

/* What each event ends. */
static const struct {
    const char *event;
    const char *ends[ALERTS_ENDS_MAX];
} endings[] = {
    {"supply_restored", {"prepaid_exhausted", "prepaid_low", "cut_failed", NULL}},
    {"supply_cut", {"cut_failed", NULL}},
    {"topup", {"prepaid_exhausted", "prepaid_low", NULL}},
    {"meter_online", {"meter_offline", NULL}},
};

int alerts_is_event(const char *kind)
{
    for (size_t i = 0; kind != NULL && i < sizeof event_kinds / sizeof event_kinds[0]; i++)
        if (strcmp(kind, event_kinds[i]) == 0)
            return 1;
    return 0;
}

const char *const *alerts_ended_by(const char *kind)
{
    static const char *const none[] = {NULL};
    for (size_t i = 0; kind != NULL && i < sizeof endings / sizeof endings[0]; i++)
        if (strcmp(kind, endings[i].event) == 0)
            return endings[i].ends;
    return none;
}

char *alerts_body(const char *kind, const char *subject, const char *detail, int64_t ts, int open)
{
    textbuf t;
    textbuf_init(&t, UPLINK_BODY_MAX);
    textbuf_puts(&t, "{\"kind\":");
    textbuf_json_str(&t, kind);
    textbuf_puts(&t, ",\"subject\":");
    textbuf_json_str(&t, subject);
    textbuf_puts(&t, ",\"detail\":");
    textbuf_json_str(&t, detail);
    textbuf_printf(&t, ",\"ts\":%lld,\"alert\":%s}", (long long)ts, open ? "true" : "false");
    char *body = textbuf_take(&t);
    textbuf_free(&t);
    return body;
}
