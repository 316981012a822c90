/* bo_notice.h: notice texts: templates per action and language with the
 * action's figures filled in exactly as the collection record has them
 * (decimal strings made from integer fen, never floats), and SMS segment
 * counting.
 *
 * A template is text with fields in braces: {customer} {name} {action}
 * {principal} {penalty} {total} {deadline} {episode}; "{{" is a literal
 * brace. An unknown field is an error, found when the config is loaded.
 *
 * Segments: a text of GSM 03.38 basic characters only (printable ASCII less
 * those in the extension table, which count two) goes as 7-bit, 160 per
 * single message, 153 per part of a concatenated one; any other character
 * makes it UCS-2: 70 UTF-16 units single, 67 per part (a character beyond
 * the BMP counts two units). */
#ifndef BO_NOTICE_H
#define BO_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "gridledger/status.h"

#define BO_NOTICE_TEXT_MAX 1024
#define BO_NOTICE_NVARS 8

typedef struct bo_notice_vars {
    const char *customer, *name, *action, *deadline, *episode;
    int64_t principal_fen, penalty_fen;
} bo_notice_vars;

typedef struct bo_notice_seg {
    int ucs2;     /* 1: UCS-2 (Kannel coding=2), 0: GSM 7-bit (coding=0) */
    int units;    /* septets (7-bit) or UTF-16 units (UCS-2) */
    int segments; /* SMS parts: 1 when it fits in one */
} bo_notice_seg;

/* bo_notice_render: fills tmpl's fields from v into out. GL_ESYNTAX with why
 * ("unknown field {x}", "unclosed {") on a bad template, GL_EBOUND when the
 * text exceeds cap. */
gl_status bo_notice_render(const char *tmpl, const bo_notice_vars *v, char *out, size_t cap, char *why,
                           size_t whycap);

/* bo_notice_render_more: as bo_notice_render, with more fields: extra is
 * NULL or {"name", "value", ..., NULL} (the planned-outage notices). */
gl_status bo_notice_render_more(const char *tmpl, const bo_notice_vars *v, const char *const *extra, char *out,
                                size_t cap, char *why, size_t whycap);

/* bo_notice_check: renders tmpl with sample values; GL_OK or as render. */
gl_status bo_notice_check(const char *tmpl, char *why, size_t whycap);

/* bo_notice_segments: how text (UTF-8) goes as SMS. GL_ESYNTAX if not UTF-8. */
gl_status bo_notice_segments(const char *text, bo_notice_seg *out);

/* bo_notice_default: the built-in template of action ("sms", "reminder",
 * "disconnect_notice", ...) in lang ("zh" or "en"); NULL if none. */
const char *bo_notice_default(const char *action, const char *lang);

/* bo_notice_is_notice: 1 if action is one a person is told of (a notice
 * action of the collection record), 0 for cuts and internal steps. */
int bo_notice_is_notice(const char *action);

/* bo_notice_quiet_parse: "HH:MM-HH:MM" (local time; may wrap midnight,
 * "none" for none) into minutes of the day; GL_ESYNTAX otherwise. */
gl_status bo_notice_quiet_parse(const char *s, int *from_min, int *to_min);

/* bo_notice_quiet: 1 if minute-of-day now_min is inside [from, to) (wrapping
 * midnight when from > to); 0 when from == to (no quiet hours). */
int bo_notice_quiet(int from_min, int to_min, int now_min);

#endif
