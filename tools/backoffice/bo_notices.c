/* bo_notices.c: `notices run|list`: the dispatcher that tells people.
 *
 * Each collection-record row the gateways sent up (table actions) that is a
 * notice on the sms channel and still `taken` (awaiting proof) becomes one
 * row of notices: rendered from its template in the customer's language
 * with the record's own figures, then submitted to Kannel's smsbox through
 * its HTTP sendsms interface with a delivery-report URL (dlr-mask 31: every
 * state) that carries the notice's key and a random token. Kannel calls
 * that URL back; a final report marks the notice delivered (type 1) or
 * failed (2, 16) with Kannel's message id; a delivered notice's proof of
 * service goes down to its gateway as the signed command
 * {"command":"served","customer","action","record_id","served","proof"}.
 * Reports for an unknown notice, with a wrong token, or repeated after the
 * final one are refused and counted; nothing is sent twice: a notice row is
 * keyed by (gateway, record id) and submitted once. A notice that cannot be
 * sent (no contact, no consent, no mobile) is recorded failed with why. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "bo_cli.h"
#include "bo_contacts.h"
#include "bo_down.h"
#include "bo_http.h"
#include "bo_mailer.h"
#include "bo_notice.h"
#include "bo_outages.h"
#include "bo_report.h"
#include "cli.h"
#include "monotime.h"

#define TOKEN_HEX 32
#define SUBMIT_TIMEOUT_MS 10000
#define PROOF_RETRY_S 5
#define SUBMIT_RETRY_S 5

typedef struct disp {
    bo_ctx *ctx;
    bo_db *db;
    const bo_notices_cfg *cfg;
    const bo_mail_cfg *mail;
    bo_mail *sender; /* the relay's client, kept across messages */
    long long activity; /* events this pass */
    time_t proof_retry_at;
    long long last_submit_ms;
    int lfd; /* the delivery-report listener */
    time_t submit_retry_at; /* Kannel did not answer: no submission before this */
    time_t mail_retry_at;   /* the relay failed for now: no e-mail before this */
    long long now_fixed; /* --now (tests): the time outage notices fall due and quiet hours are read at */
} disp;

static time_t now_of(const disp *d)
{
    return d->now_fixed ? (time_t)d->now_fixed : time(NULL);
}

/* ---- queueing ---- */

static int random_token(char out[TOKEN_HEX + 1])
{
    unsigned char b[TOKEN_HEX / 2];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, b, sizeof b) : -1;
    if (fd >= 0)
        close(fd);
    if (n != (ssize_t)sizeof b)
        return 0;
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    return 1;
}

const char *bo_notices_template(const bo_notices_cfg *cfg, const char *action, const char *lang)
{
    char key[48];
    snprintf(key, sizeof key, "%s.%s", action, lang);
    for (int i = 0; i < cfg->ntemplates; i++)
        if (strcmp(cfg->templates[i].key, key) == 0)
            return cfg->templates[i].text;
    return bo_notice_default(action, lang);
}

typedef struct notice_row {
    const char *gateway, *id, *customer, *action;
    char channel[8], dest[256], lang[4], text[BO_NOTICE_TEXT_MAX], status[12], reason[160], segments[8];
    char history[200];
} notice_row;

/* email_to: the contact's address if e-mail may be used (a relay is
 * configured, the customer consented and gave one); 0 otherwise. */
static int email_to(const disp *d, const bo_contact *c, char *dest, size_t cap)
{
    if (!d->mail->url[0] || !c || strcmp(c->v[7], "yes") != 0 || !c->v[3][0])
        return 0;
    snprintf(dest, cap, "%s", c->v[3]);
    return 1;
}

/* route: where the notice goes. SMS rows by SMS, else (no number, no
 * consent) down the ladder: e-mail, else the collectors' list (a letter or a
 * visit); written notices ("letter" rows) by e-mail or the collectors; the
 * authority's copy to the configured authority. n->reason says why not sent. */
static void route(const disp *d, notice_row *n, const bo_contact *c, const char *row_channel)
{
    int authority = strcmp(n->action, "notify_authority") == 0;
    snprintf(n->channel, sizeof n->channel, "email");
    snprintf(n->status, sizeof n->status, "queued");
    if (authority) {
        snprintf(n->dest, sizeof n->dest, "%s", d->mail->authority);
        if (d->mail->url[0] && n->dest[0])
            return;
        snprintf(n->reason, sizeof n->reason, "no mail relay or authority address configured");
    } else if (strcmp(row_channel, "sms") == 0) {
        snprintf(n->channel, sizeof n->channel, "sms");
        if (c)
            snprintf(n->dest, sizeof n->dest, "%.*s", (int)strcspn(c->v[2], ";"), c->v[2]);
        if (c && strcmp(c->v[6], "yes") == 0 && n->dest[0])
            return;
        if (!c)
            snprintf(n->reason, sizeof n->reason, "no contact for %s", n->customer);
        else
            snprintf(n->reason, sizeof n->reason, "%s", !n->dest[0] ? "no mobile number" : "no consent to SMS");
        snprintf(n->history, sizeof n->history, "sms: %s; ", n->reason);
        snprintf(n->channel, sizeof n->channel, "email");
        if (email_to(d, c, n->dest, sizeof n->dest)) {
            n->reason[0] = '\0';
            return;
        }
    } else if (email_to(d, c, n->dest, sizeof n->dest)) {
        return;
    } else {
        snprintf(n->reason, sizeof n->reason, "%s", !c ? "no contact" : "written notice: no e-mail consent or address");
    }
    snprintf(n->channel, sizeof n->channel, "letter");
    snprintf(n->status, sizeof n->status, "collector");
    snprintf(n->dest, sizeof n->dest, "%s", c ? c->v[4] : "");
}

/* compose: the notice's route and text, or why it cannot be sent. */
static void compose(disp *d, notice_row *n, const char *const *a)
{
    bo_contact c;
    bo_notice_seg seg = {0, 0, 0};
    int found = 0;
    snprintf(n->lang, sizeof n->lang, "zh");
    if (bo_contacts_find(d->db, n->customer, &c, &found) != GL_OK)
        found = 0;
    if (found && strcmp(n->action, "notify_authority") != 0)
        snprintf(n->lang, sizeof n->lang, "%.2s", c.v[8]);
    route(d, n, found ? &c : NULL, a[4]);
    if (!found && !n->reason[0] && strcmp(n->action, "notify_authority") != 0)
        snprintf(n->reason, sizeof n->reason, "no contact for %s", n->customer);
    char why[160] = "";
    bo_notice_vars v = {n->customer, found ? c.v[1] : n->customer, n->action, a[7] ? a[7] : "", a[8],
                        strtoll(a[5], NULL, 10), strtoll(a[6], NULL, 10)};
    if (bo_notice_render(bo_notices_template(d->cfg, n->action, n->lang), &v, n->text, sizeof n->text, why, sizeof why) !=
            GL_OK ||
        bo_notice_segments(n->text, &seg) != GL_OK) {
        snprintf(n->status, sizeof n->status, "failed");
        snprintf(n->reason, sizeof n->reason, "%s", why[0] ? why : "text not UTF-8");
        return;
    }
    snprintf(n->segments, sizeof n->segments, "%d", strcmp(n->channel, "sms") == 0 ? seg.segments : 0);
}

/* queue_one: a row of actions (gateway, id, customer, action, channel,
 * principal_fen, penalty_fen, deadline, episode) becomes a notice. */
static int queue_one(void *arg, int ncols, const char *const *a)
{
    disp *d = arg;
    notice_row n;
    char token[TOKEN_HEX + 1], now[24];
    (void)ncols;
    memset(&n, 0, sizeof n);
    n.gateway = a[0];
    n.id = a[1];
    n.customer = a[2];
    n.action = a[3];
    snprintf(n.segments, sizeof n.segments, "0");
    if (!bo_notice_is_notice(n.action))
        return 0;
    compose(d, &n, a);
    if (!random_token(token))
        return 1;
    snprintf(now, sizeof now, "%lld", (long long)time(NULL));
    const char *p[] = {n.gateway, n.id, n.customer, n.action, n.channel, n.dest, n.lang, n.text, n.segments, token,
                       n.status, n.reason, now, n.history};
    if (bo_db_exec(d->db,
                   "INSERT INTO notices (gateway, action_id, customer, action, channel, dest, lang, text, segments,"
                   " token, status, reason, queued, history) VALUES ($1, CAST($2 AS BIGINT), $3, $4, $5, $6, $7, $8,"
                   " CAST($9 AS INTEGER), $10, $11, $12, CAST($13 AS BIGINT), $14) ON CONFLICT DO NOTHING",
                   14, p, NULL) != GL_OK)
        return 1;
    d->activity++;
    if (n.reason[0]) {
        (void)bo_db_counter_add(d->db, "notices_unsendable", 1);
        printf("notice %s/%s %s %s: not sent: %s%s\n", n.gateway, n.id, n.customer, n.action, n.reason,
               n.status[0] == 'c' ? " (on the collectors' list)" : "");
    } else {
        printf("notice %s/%s %s %s: queued for %s by %s (%s segment(s))\n", n.gateway, n.id, n.customer, n.action,
               n.dest, n.channel, n.segments);
    }
    return 0;
}

/* The candidates are read first and queued after: one query at a time on a
 * connection (SQLite and libpq both allow it, but keep it simple). */
typedef struct rows {
    char **cells;
    int ncols, n, cap;
} rows;

static int keep_row(void *arg, int ncols, const char *const *vals)
{
    rows *r = arg;
    if (r->n == r->cap) {
        int cap = r->cap ? 2 * r->cap : 32;
        char **c = realloc(r->cells, (size_t)cap * (size_t)ncols * sizeof *c);
        if (!c)
            return 1;
        r->cells = c;
        r->cap = cap;
    }
    r->ncols = ncols;
    for (int i = 0; i < ncols; i++)
        r->cells[r->n * ncols + i] = vals[i] ? strdup(vals[i]) : NULL;
    r->n++;
    return 0;
}

static void rows_free(rows *r)
{
    for (int i = 0; i < r->n * r->ncols; i++)
        free(r->cells[i]);
    free(r->cells);
    memset(r, 0, sizeof *r);
}

typedef int (*row_fn)(void *arg, int ncols, const char *const *vals);

/* each_row: runs sql, then fn on every row it returned (fn may write). */
static gl_status each_row(disp *d, const char *sql, row_fn fn)
{
    rows r = {NULL, 0, 0, 0};
    gl_status st = bo_db_query(d->db, sql, 0, NULL, keep_row, &r);
    for (int i = 0; st == GL_OK && i < r.n; i++)
        if (fn(d, r.ncols, (const char *const *)&r.cells[i * r.ncols]) != 0)
            st = GL_EDB;
    rows_free(&r);
    return st;
}

static gl_status queue_new(disp *d)
{
    return each_row(d,
                    "SELECT a.gateway, a.id, a.customer, a.action, a.channel, a.principal_fen, a.penalty_fen,"
                    " a.deadline, a.episode FROM actions a WHERE a.status = 'taken' AND (a.channel = 'sms' OR"
                    " (a.channel = 'letter' AND a.action IN ('written_notice', 'disconnect_notice', 'notify_authority',"
                    " 'credit_report_notice')))"
                    " AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.gateway = a.gateway AND n.action_id = a.id)"
                    " ORDER BY a.gateway, a.id",
                    queue_one);
}

/* ---- submitting ---- */

static gl_status add_param(char *q, size_t cap, size_t *len, const char *name, const char *val)
{
    size_t n = strlen(name);
    if (*len + n + 3 > cap)
        return GL_EBOUND;
    snprintf(q + *len, cap - *len, "%s%s=", *len ? "&" : "", name);
    *len += n + 1 + (*len ? 1 : 0);
    return bo_http_urlencode(val, q, cap, len);
}

/* sendsms_query: Kannel's sendsms CGI parameters (username, password, from,
 * to, text, charset, coding, dlr-mask, dlr-url, smsc). */
static gl_status sendsms_query(const disp *d, const char *const *v, char *q, size_t cap)
{
    char dlr[BO_PATH_MAX + 256];
    bo_notice_seg seg;
    size_t len = 0;
    snprintf(dlr, sizeof dlr, "%s?g=%s&a=%s&n=%s&k=%s&type=%%d&ts=%%T&id=%%F", d->cfg->dlr_url, v[0], v[1], v[6],
             v[4]);
    if (bo_notice_segments(v[3], &seg) != GL_OK)
        return GL_ESYNTAX;
    q[0] = '\0';
    gl_status st = add_param(q, cap, &len, "username", d->cfg->user);
    if (st == GL_OK)
        st = add_param(q, cap, &len, "password", d->cfg->password);
    if (st == GL_OK)
        st = add_param(q, cap, &len, "from", d->cfg->from);
    if (st == GL_OK)
        st = add_param(q, cap, &len, "to", v[2]);
    if (st == GL_OK)
        st = add_param(q, cap, &len, "text", v[3]);
    if (st == GL_OK)
        st = add_param(q, cap, &len, "charset", "UTF-8");
    if (st == GL_OK)
        st = add_param(q, cap, &len, "coding", seg.ucs2 ? "2" : "0");
    if (st == GL_OK)
        st = add_param(q, cap, &len, "dlr-mask", "31");
    if (st == GL_OK)
        st = add_param(q, cap, &len, "dlr-url", dlr);
    if (st == GL_OK && d->cfg->smsc[0])
        st = add_param(q, cap, &len, "smsc", d->cfg->smsc);
    return st;
}

/* sent_today: how many SMS went to customer since the start of the local day. */
static long long sent_today(disp *d, const char *customer)
{
    char since[24], n[24];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    snprintf(since, sizeof since, "%lld", (long long)mktime(&tm));
    const char *p[] = {customer, since};
    if (bo_db_scalar(d->db, "SELECT COUNT(*) FROM notices WHERE customer = $1 AND submitted >= CAST($2 AS BIGINT)",
                     2, p, n, sizeof n) != GL_OK)
        return 0;
    return strtoll(n, NULL, 10);
}

/* pace: at most rate_per_s submissions a second, whatever Kannel would take. */
static void pace(disp *d)
{
    long long gap = 1000 / d->cfg->rate_per_s, wait = d->last_submit_ms + gap - monotime_ms();
    if (d->last_submit_ms && wait > 0) {
        struct timespec ts = {wait / 1000, (wait % 1000) * 1000000};
        nanosleep(&ts, NULL);
    }
    d->last_submit_ms = monotime_ms();
}

static void take_dlr(disp *d, int fd, const char *target);

/* drain_dlrs: takes the delivery reports already waiting (or arriving within
 * wait_ms), so Kannel's callbacks never queue up behind a long submission. */
static void drain_dlrs(disp *d, int wait_ms)
{
    char target[2048];
    for (int fd; d->lfd >= 0 && (fd = bo_http_accept(d->lfd, wait_ms, target, sizeof target)) > 0;)
        take_dlr(d, fd, target);
}

/* requeue: the notice goes again by channel to next (attempt + 1, the failed
 * attempt kept in history; its late reports no longer count). */
static void requeue(disp *d, const char *g, const char *a, const char *channel, const char *next, const char *hist)
{
    const char *p[] = {g, a, next, hist, channel};
    if (bo_db_exec(d->db,
                   "UPDATE notices SET status = 'queued', channel = $5, dest = $3, attempt = attempt + 1,"
                   " history = history || $4, reason = '', reply = NULL, kannel_id = NULL, dlr_type = NULL,"
                   " dlr_ts = NULL, submitted = NULL WHERE gateway = $1 AND action_id = CAST($2 AS BIGINT)",
                   5, p, NULL) == GL_OK)
        printf("notice %s/%s: next by %s to %s\n", g, a, channel, next);
}

/* to_collector: nothing left to send it by: the collectors' list (a letter or a visit). */
static void to_collector(disp *d, const char *g, const char *a, const bo_contact *c, const char *hist)
{
    const char *p[] = {g, a, c ? c->v[4] : "", hist};
    if (bo_db_exec(d->db,
                   "UPDATE notices SET status = 'collector', channel = 'letter', dest = $3, history = history || $4,"
                   " reason = 'not served by SMS or e-mail: a letter or a visit by a collector'"
                   " WHERE gateway = $1 AND action_id = CAST($2 AS BIGINT)",
                   4, p, NULL) == GL_OK)
        printf("notice %s/%s: on the collectors' list (letter or visit)\n", g, a);
    (void)bo_db_counter_add(d->db, "notices_to_collector", 1);
}

/* fallback: a failed notice goes down the ladder: the contact's next mobile
 * number, then e-mail (consent and an address), then the collectors' list.
 * An authority's copy that failed goes to the collectors too. */
static void fallback(disp *d, const char *g, const char *a, const char *customer, const char *dest, const char *why)
{
    bo_contact c;
    int found = 0, email = strchr(dest, '@') != NULL;
    char next[256] = "", hist[512];
    snprintf(hist, sizeof hist, "%s %s; ", dest, why);
    if (bo_contacts_find(d->db, customer, &c, &found) != GL_OK)
        found = 0;
    const char *at = found && !email ? strstr(c.v[2], dest) : NULL;
    if (at && at[strlen(dest)] == ';')
        snprintf(next, sizeof next, "%.*s", (int)strcspn(at + strlen(dest) + 1, ";"), at + strlen(dest) + 1);
    if (next[0])
        requeue(d, g, a, "sms", next, hist);
    else if (!email && found && email_to(d, &c, next, sizeof next))
        requeue(d, g, a, "email", next, hist);
    else
        to_collector(d, g, a, found ? &c : NULL, hist);
}

/* submit_one: v = gateway, action_id, dest, text, token, customer, attempt,
 * action (an outage's confirmation is not held back by the daily limit). */
static int submit_one(void *arg, int ncols, const char *const *v)
{
    disp *d = arg;
    char q[8192], body[512] = "", now[24], code_s[8];
    int code = 0;
    (void)ncols;
    if (strcmp(v[7], "outage_confirm") != 0 && sent_today(d, v[5]) >= d->cfg->per_day)
        return 0; /* stays queued: sent on a later day */
    pace(d);
    if (sendsms_query(d, v, q, sizeof q) != GL_OK)
        return 0;
    if (bo_http_get(d->cfg->sendsms_url, q, SUBMIT_TIMEOUT_MS, &code, body, sizeof body) != GL_OK) {
        cli_error("notices", "%s: Kannel did not answer; %s/%s stays queued (again in %d s)", d->cfg->sendsms_url,
                  v[0], v[1], SUBMIT_RETRY_S);
        d->submit_retry_at = time(NULL) + SUBMIT_RETRY_S;
        return 1; /* stop this pass */
    }
    body[strcspn(body, "\r\n")] = '\0';
    snprintf(now, sizeof now, "%lld", (long long)time(NULL));
    snprintf(code_s, sizeof code_s, "%d", code);
    const char *status = code >= 200 && code < 300 ? "submitted" : "failed";
    const char *p[] = {v[0], v[1], status, now, body};
    (void)bo_db_exec(d->db,
                     "UPDATE notices SET status = $3, submitted = CAST($4 AS BIGINT), reply = $5,"
                     " reason = CASE WHEN $3 = 'failed' THEN $5 ELSE '' END"
                     " WHERE gateway = $1 AND action_id = CAST($2 AS BIGINT) AND status = 'queued'",
                     5, p, NULL);
    printf("notice %s/%s: %s (Kannel %d: %s)\n", v[0], v[1], status, code, body);
    if (status[0] == 'f')
        fallback(d, v[0], v[1], v[5], v[2], body);
    d->activity++;
    drain_dlrs(d, 0);
    return 0;
}

/* quiet_now: 1 inside the configured quiet hours (the back office's local time). */
static int quiet_now(const disp *d)
{
    time_t now = now_of(d);
    struct tm tm;
    localtime_r(&now, &tm);
    return bo_notice_quiet(d->cfg->quiet_from, d->cfg->quiet_to, tm.tm_hour * 60 + tm.tm_min);
}

static void submit_queued(disp *d)
{
    if (time(NULL) < d->submit_retry_at)
        return; /* when Kannel answers again */
    /* in the quiet hours only an outage's confirmation goes (it would come
     * after the outage began); the rest goes in the morning */
    (void)each_row(d,
                   quiet_now(d) ? "SELECT gateway, action_id, dest, text, token, customer, attempt, action FROM notices"
                                  " WHERE status = 'queued' AND channel = 'sms' AND action = 'outage_confirm'"
                                  " ORDER BY queued, gateway, action_id"
                                : "SELECT gateway, action_id, dest, text, token, customer, attempt, action FROM notices"
                                  " WHERE status = 'queued' AND channel = 'sms' ORDER BY queued, gateway, action_id",
                   submit_one);
}

/* ---- e-mail ---- */

/* mail_done: the relay took it: served (its 250 is the proof) or, with
 * mail.served_on_accept false, sent and awaiting a person's confirmation. */
static void mail_done(disp *d, const char *g, const char *a, const bo_mail_result *r)
{
    char now[24];
    snprintf(now, sizeof now, "%lld", (long long)time(NULL));
    const char *p[] = {g, a, d->mail->served_on_accept ? "delivered" : "sent", now, r->reply};
    (void)bo_db_exec(d->db,
                     "UPDATE notices SET status = $3, submitted = CAST($4 AS BIGINT), dlr_ts = CAST($4 AS BIGINT),"
                     " reply = $5, reason = '' WHERE gateway = $1 AND action_id = CAST($2 AS BIGINT)"
                     " AND status = 'queued'",
                     5, p, NULL);
    printf("notice %s/%s: e-mail %s (%s)\n", g, a, p[2], r->reply);
}

/* mail_one: v = gateway, action_id, dest, text, token, customer, attempt, action, lang. */
static int mail_one(void *arg, int ncols, const char *const *v)
{
    disp *d = arg;
    bo_mail_result r;
    char msgid[64], reason[320];
    (void)ncols;
    snprintf(msgid, sizeof msgid, "%s.%s", v[4], v[6]);
    bo_mailer_item it = {v[2], v[5], v[7], v[8], v[3], msgid, bo_mailer_wants_bill(v[7]), NULL};
    d->activity++;
    if (bo_mailer_send(d->sender, d->mail, d->db, &it, &r) == GL_OK) {
        mail_done(d, v[0], v[1], &r);
        return 0;
    }
    (void)bo_db_counter_add(d->db, r.error, 1);
    cli_error("notices", "%s/%s: e-mail to %s: %s: %s%s", v[0], v[1], v[2], r.error, r.reply,
              r.temporary ? " (stays queued)" : "");
    snprintf(reason, sizeof reason, "%s: %s", r.error, r.reply);
    const char *p[] = {v[0], v[1], reason, r.temporary ? "queued" : "failed"};
    (void)bo_db_exec(d->db,
                     "UPDATE notices SET reason = $3, status = $4 WHERE gateway = $1 AND action_id = CAST($2 AS BIGINT)",
                     4, p, NULL);
    if (r.temporary) {
        d->mail_retry_at = time(NULL) + SUBMIT_RETRY_S;
        return 1; /* the relay is the trouble, not this notice: stop this pass */
    }
    fallback(d, v[0], v[1], v[5], v[2], reason);
    return 0;
}

static void mail_queued(disp *d)
{
    if (quiet_now(d) || time(NULL) < d->mail_retry_at)
        return;
    (void)each_row(d,
                   "SELECT gateway, action_id, dest, text, token, customer, attempt, action, lang FROM notices"
                   " WHERE status = 'queued' AND channel = 'email' ORDER BY queued, gateway, action_id",
                   mail_one);
}

/* ---- delivery reports ---- */

typedef struct dlr {
    char g[72], a[24], n[12], k[TOKEN_HEX + 8], type[8], ts[24], id[80];
} dlr;

static int dlr_final(int type)
{
    return type == 1 || type == 2 || type == 16;
}

/* fallback_after_dlr: the failed notice's customer and number, then fallback. */
static void fallback_after_dlr(disp *d, const dlr *r, const char *why)
{
    char customer[72] = "", dest[64] = "";
    const char *p[] = {r->g, r->a};
    if (bo_db_scalar(d->db, "SELECT customer FROM notices WHERE gateway = $1 AND action_id = CAST($2 AS BIGINT)", 2,
                     p, customer, sizeof customer) == GL_OK &&
        bo_db_scalar(d->db, "SELECT dest FROM notices WHERE gateway = $1 AND action_id = CAST($2 AS BIGINT)", 2, p,
                     dest, sizeof dest) == GL_OK)
        fallback(d, r->g, r->a, customer, dest, why);
}

/* dlr_apply: the report's effect; returns the HTTP code for Kannel. */
static int dlr_apply(disp *d, const dlr *r, const char **why)
{
    char token[TOKEN_HEX + 8] = "", status[32] = ":";
    int type = (int)strtol(r->type, NULL, 10);
    const char *p[] = {r->g, r->a};
    if (bo_db_scalar(d->db, "SELECT token FROM notices WHERE gateway = $1 AND action_id = CAST($2 AS BIGINT)", 2,
                     p, token, sizeof token) != GL_OK || !token[0]) {
        *why = "dlr_unknown";
        return 404;
    }
    if (strcmp(token, r->k) != 0) {
        *why = "dlr_forged";
        return 403;
    }
    char attempt[12] = "";
    (void)bo_db_scalar(d->db, "SELECT attempt FROM notices WHERE gateway = $1 AND action_id = CAST($2 AS BIGINT)",
                       2, p, attempt, sizeof attempt);
    if (strcmp(attempt, r->n) != 0) {
        *why = "dlr_stale"; /* a report about an earlier attempt: nothing changes */
        return 200;
    }
    (void)bo_db_scalar(d->db,
                       "SELECT status || ':' || COALESCE(CAST(dlr_type AS TEXT), '') FROM notices WHERE gateway = $1"
                       " AND action_id = CAST($2 AS BIGINT)",
                       2, p, status, sizeof status);
    if (strncmp(status, "submitted:", 10) != 0) {
        /* after the outcome: nothing changes; a second final report is a
         * repeat (counted), a late intermediate one or the SMSC's report of
         * a submission Kannel already refused is not */
        const char *colon = strchr(status, ':');
        *why = dlr_final(type) && colon && colon[1] ? "dlr_repeated" : NULL;
        return 200;
    }
    const char *st = type == 1 ? "delivered" : dlr_final(type) ? "failed" : "submitted";
    char reason[32] = "";
    if (dlr_final(type) && type != 1)
        snprintf(reason, sizeof reason, "dlr %d", type);
    const char *u[] = {r->g, r->a, st, r->type, r->ts[0] ? r->ts : "0", r->id, reason};
    (void)bo_db_exec(d->db,
                     "UPDATE notices SET status = $3, dlr_type = CAST($4 AS INTEGER), dlr_ts = CAST($5 AS BIGINT),"
                     " kannel_id = CASE WHEN $6 = '' THEN kannel_id ELSE $6 END, reason = $7"
                     " WHERE gateway = $1 AND action_id = CAST($2 AS BIGINT)",
                     7, u, NULL);
    if (dlr_final(type))
        printf("notice %s/%s: %s (dlr %d, Kannel id %s)\n", r->g, r->a, st, type, r->id);
    if (dlr_final(type) && type != 1)
        fallback_after_dlr(d, r, reason);
    *why = NULL;
    return 200;
}

static void take_dlr(disp *d, int fd, const char *target)
{
    dlr r;
    const char *why = "dlr_malformed";
    int code = 400;
    memset(&r, 0, sizeof r);
    if (strncmp(target, "/dlr?", 5) == 0 && bo_http_param(target, "g", r.g, sizeof r.g) &&
        bo_http_param(target, "a", r.a, sizeof r.a) && bo_http_param(target, "k", r.k, sizeof r.k) &&
        bo_http_param(target, "type", r.type, sizeof r.type)) {
        if (!bo_http_param(target, "n", r.n, sizeof r.n))
            snprintf(r.n, sizeof r.n, "1");
        (void)bo_http_param(target, "ts", r.ts, sizeof r.ts);
        (void)bo_http_param(target, "id", r.id, sizeof r.id);
        if (strspn(r.a, "0123456789") == strlen(r.a) && strspn(r.ts, "0123456789") == strlen(r.ts))
            code = dlr_apply(d, &r, &why);
    }
    if (why) {
        (void)bo_db_counter_add(d->db, why, 1);
        cli_error("notices", "delivery report refused (%s): %s", why, target);
    }
    bo_http_reply(fd, code, why ? why : "ok");
    d->activity++;
}

/* ---- proof of service down to the gateway ---- */

/* proof_one: v = gateway, action_id, customer, action, kannel_id, dlr_ts, channel, reply. */
static int proof_one(void *arg, int ncols, const char *const *v)
{
    disp *d = arg;
    char proof[128], seq_s[24];
    long long seq = 0;
    (void)ncols;
    cJSON *b = cJSON_CreateObject();
    if (!b)
        return 1;
    if (strcmp(v[6], "email") == 0)
        snprintf(proof, sizeof proof, "email smtp %.100s", v[7] ? v[7] : "");
    else
        snprintf(proof, sizeof proof, "sms dlr %s", v[4] ? v[4] : "");
    cJSON_AddStringToObject(b, "command", "served");
    cJSON_AddStringToObject(b, "customer", v[2]);
    cJSON_AddStringToObject(b, "action", v[3]);
    cJSON_AddNumberToObject(b, "record_id", (double)strtoll(v[1], NULL, 10));
    cJSON_AddNumberToObject(b, "served", (double)strtoll(v[5] ? v[5] : "0", NULL, 10));
    cJSON_AddStringToObject(b, "proof", proof);
    gl_status st = bo_down_send_cmd(d->ctx, v[0], "commands", b, v[2], &seq);
    cJSON_Delete(b);
    if (st != GL_OK)
        return 1;
    snprintf(seq_s, sizeof seq_s, "%lld", seq);
    const char *p[] = {v[0], v[1], seq_s};
    (void)bo_db_exec(d->db,
                     "UPDATE notices SET proof_seq = CAST($3 AS BIGINT) WHERE gateway = $1"
                     " AND action_id = CAST($2 AS BIGINT)",
                     3, p, NULL);
    printf("notice %s/%s: proof of service sent down (commands seq %lld)\n", v[0], v[1], seq);
    d->activity++;
    return 0;
}

static void send_proofs(disp *d)
{
    if (time(NULL) < d->proof_retry_at)
        return;
    if (each_row(d,
                 "SELECT gateway, action_id, customer, action, kannel_id, dlr_ts, channel, reply FROM notices"
                 " WHERE status = 'delivered' AND proof_seq IS NULL ORDER BY gateway, action_id",
                 proof_one) != GL_OK)
        d->proof_retry_at = time(NULL) + PROOF_RETRY_S;
}

/* ---- commands ---- */

static int run(bo_ctx *ctx, long long idle_exit_s, long long now_fixed)
{
    disp d = {ctx, NULL, &ctx->cfg.notices, &ctx->cfg.mail, NULL, 0, 0, 0, -1, 0, 0, now_fixed};
    int lfd = d.lfd = bo_http_listen(d.cfg->dlr_listen);
    if (lfd < 0) {
        cli_error("notices", "dlr_listen %s: cannot listen there", d.cfg->dlr_listen);
        return CLI_FAIL;
    }
    if (bo_mail_open(&d.sender) != GL_OK || bo_open_db(ctx, &d.db) != GL_OK) {
        bo_mail_close(d.sender);
        close(lfd);
        return CLI_FAIL;
    }
    printf("notices: taking delivery reports on %s\n", d.cfg->dlr_listen);
    fflush(stdout);
    for (time_t idle_since = time(NULL); idle_exit_s <= 0 || time(NULL) - idle_since < idle_exit_s;) {
        d.activity = bo_outages_queue_due(d.db, &ctx->cfg, (long long)now_of(&d));
        (void)queue_new(&d);
        submit_queued(&d);
        mail_queued(&d);
        drain_dlrs(&d, 200);
        send_proofs(&d);
        if (d.activity)
            idle_since = time(NULL);
        fflush(stdout);
    }
    close(lfd);
    bo_mail_close(d.sender);
    bo_db_close(d.db);
    return CLI_OK;
}

static int list(bo_ctx *ctx)
{
    static const bo_col cols[] = {
        {"gateway", BO_COL_TEXT}, {"record_id", BO_COL_INT}, {"customer", BO_COL_TEXT}, {"action", BO_COL_TEXT},
        {"dest", BO_COL_TEXT},    {"lang", BO_COL_TEXT},     {"segments", BO_COL_INT},  {"status", BO_COL_TEXT},
        {"reason", BO_COL_TEXT},  {"kannel_id", BO_COL_TEXT}, {"dlr_type", BO_COL_INT}, {"proof_seq", BO_COL_INT},
        {"text", BO_COL_TEXT},    {"attempt", BO_COL_INT},   {"history", BO_COL_TEXT},
        {"channel", BO_COL_TEXT}, {"reply", BO_COL_TEXT},
    };
    return bo_print_query(ctx, "notices",
                          "SELECT gateway, action_id, customer, action, dest, lang, segments, status, reason,"
                          " kannel_id, dlr_type, proof_seq, text, attempt, history, channel, reply FROM notices"
                          " ORDER BY gateway, action_id",
                          cols, (int)(sizeof cols / sizeof cols[0]), 0, NULL);
}

int bo_cmd_notices(bo_ctx *ctx, int argc, char **argv)
{
    const char *idle = NULL, *now = NULL;
    int i = 2;
    if (argc >= 2 && strcmp(argv[1], "run") == 0) {
        for (; i < argc; i++)
            if (bo_take_opt(argc, argv, &i, "--idle-exit", &idle) != 1 && bo_take_opt(argc, argv, &i, "--now", &now) != 1)
                break;
    }
    if (argc < 2 || i < argc || (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "list") != 0) ||
        (idle && strtoll(idle, NULL, 10) <= 0) || (now && strtoll(now, NULL, 10) <= 0)) {
        cli_error("notices", "usage: notices run [--idle-exit S] [--now UNIX] | notices list");
        return CLI_USAGE;
    }
    if (bo_config_load(ctx) != GL_OK)
        return CLI_USAGE;
    if (strcmp(argv[1], "list") == 0)
        return list(ctx);
    return run(ctx, idle ? strtoll(idle, NULL, 10) : 0, now ? strtoll(now, NULL, 10) : 0);
}
