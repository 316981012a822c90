/* bo_outage.h: planned-outage notices, the pure part: when each notice of
 * an outage goes (the schedule), the outage's times as local minutes, and
 * the notice texts (templates per kind and language).
 *
 * Schedule: one notice N days before the outage's start for each N of
 * notice_days (the same wall-clock time N calendar days earlier, so a month
 * or a year wraps as the calendar does), and a confirmation confirm_minutes
 * before the start. A day notice that falls in the quiet hours goes at the
 * last minute before those quiet hours began (earlier, never later: it is
 * still at least N days ahead). A confirmation ignores the quiet hours: it
 * would otherwise come after the outage began. Notices whose time has
 * passed when the outage is planned (planned less than N days ahead): the
 * latest of them goes at once, the earlier ones are skipped, each with why.
 *
 * Templates: fields {customer} {name} {area} {from} {to} {reason} {days}
 * {old_from} {old_to} ("{{" a literal brace) per kind (notice, confirm,
 * cancel, move) and language (zh, en); built-in texts, replaced by the
 * config's outages.templates. */
#ifndef BO_OUTAGE_H
#define BO_OUTAGE_H

#include <stddef.h>

#include "gridledger/status.h"

#define BO_OUTAGE_DAYS_MAX 4
#define BO_OUTAGE_SLOTS_MAX (BO_OUTAGE_DAYS_MAX + 1)
#define BO_OUTAGE_TEMPLATES_MAX 8
#define BO_OUTAGE_TIME_MAX 17 /* "YYYY-MM-DD HH:MM" */

/* outages: the config's settings (docs/notices.md#planned-outages) */
typedef struct bo_outages_cfg {
    int ndays;
    int days[BO_OUTAGE_DAYS_MAX]; /* notice_days, descending, e.g. 15, 7 */
    int confirm_minutes;          /* the confirmation this many minutes before; 0: none */
    int ntemplates;
    struct {
        char key[16];             /* KIND.LANG, e.g. confirm.zh */
        char text[1024];
    } templates[BO_OUTAGE_TEMPLATES_MAX];
} bo_outages_cfg;

typedef enum bo_outage_slot_state {
    BO_SLOT_ON_TIME = 0, /* goes at due */
    BO_SLOT_LATE,        /* its time had passed: goes now (due = now) */
    BO_SLOT_SKIPPED,     /* its time had passed and a later notice goes instead */
} bo_outage_slot_state;

typedef struct bo_outage_slot {
    char kind[8];     /* "notice" | "confirm" */
    int days;         /* notice: N days before; confirm: 0 */
    long long planned; /* the nominal time (epoch s) */
    long long due;     /* when it goes (epoch s) */
    bo_outage_slot_state state;
    char note[96];    /* why due differs from planned, or why skipped */
} bo_outage_slot;

/* bo_outages_defaults: notice_days [15, 7], confirm_minutes 30, no templates. */
void bo_outages_defaults(bo_outages_cfg *cfg);

/* bo_outage_schedule: the notices of an outage starting at start (epoch s),
 * planned at now, with quiet hours [quiet_from, quiet_to) in minutes of the
 * local day (equal: none), in the process's local time zone. Fills out
 * (cap >= BO_OUTAGE_SLOTS_MAX) in time order; returns the count. */
int bo_outage_schedule(const bo_outages_cfg *cfg, long long start, long long now, int quiet_from, int quiet_to,
                       bo_outage_slot *out, int cap);

/* bo_outage_parse_time: "YYYY-MM-DDTHH:MM" or "YYYY-MM-DD HH:MM", local
 * time, into epoch seconds; GL_ESYNTAX for anything else, a year before 1970,
 * or a time that does not exist (2027-02-30, 24:00). */
gl_status bo_outage_parse_time(const char *s, long long *out);

/* bo_outage_format_time: epoch s as "YYYY-MM-DD HH:MM" local time. */
void bo_outage_format_time(long long t, char out[BO_OUTAGE_TIME_MAX]);

/* bo_outage_fields: what a notice is filled with. */
typedef struct bo_outage_fields {
    const char *customer, *name, *area, *from, *to, *reason, *old_from, *old_to;
    int days;
} bo_outage_fields;

/* bo_outage_template: the text of kind in lang: the config's, or built-in;
 * NULL for an unknown kind. */
const char *bo_outage_template(const bo_outages_cfg *cfg, const char *kind, const char *lang);

/* bo_outage_render: fills tmpl from f into out; as bo_notice_render. */
gl_status bo_outage_render(const char *tmpl, const bo_outage_fields *f, char *out, size_t cap, char *why,
                           size_t whycap);

/* bo_outage_template_key_ok: 1 if key is KIND.zh or KIND.en of a notice kind. */
int bo_outage_template_key_ok(const char *key);

/* bo_outage_check: renders tmpl with sample fields; GL_OK or as render. */
gl_status bo_outage_check(const char *tmpl, char *why, size_t whycap);

#endif
