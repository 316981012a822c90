/* creditcfg.c: validation and parsing of the credit, collection and
 * fee_control config sections (see creditcfg.h, docs/credit.md). */
#include "gridledger/creditcfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gridledger/civdate.h"

static const char *const class_keys[] = {"residential", "commercial", "industrial", "agricultural", "other", NULL};
static const char *const rounding_names[] = {"half_up", "half_even", "down", "up", NULL};

void creditcfg_default(creditcfg *out)
{
    memset(out, 0, sizeof *out);
    ledger_cfg_default(&out->ledger);
    grade_cfg_default(&out->grade);
    collect_cfg_default(&out->collect, out->grade.ngrades);
    feectl_cfg_default(&out->fee);
    measures_cfg_default(&out->measures, out->grade.ngrades);
}

static int get_int(jsonv_doc *doc, const cJSON *o, const char *path, const char *key, long long lo, long long hi,
                   int *io)
{
    long long v = *io;
    int ok = jsonv_get_int(doc, o, path, key, 0, *io, lo, hi, &v);
    if (ok)
        *io = (int)v;
    return ok;
}

static void parse_penalty_rule(jsonv_doc *doc, const cJSON *o, const char *path, penalty_rule *r)
{
    static const char *const keys[] = {"rate_current", "rate_prior", "minimum", "grace_days", "waived", "rounding",
                                       NULL};
    int mode = (int)r->rounding;
    if (!jsonv_check_object(doc, o, path))
        return;
    jsonv_check_keys(doc, o, path, keys);
    /* a daily rate as a fraction ("0.002" = 2 per mille) -> ppm */
    jsonv_get_decimal(doc, o, path, "rate_current", 0, r->rate_current_ppm, 6, 0, PENALTY_MAX_RATE_PPM,
                      &r->rate_current_ppm);
    jsonv_get_decimal(doc, o, path, "rate_prior", 0, r->rate_prior_ppm, 6, 0, PENALTY_MAX_RATE_PPM,
                      &r->rate_prior_ppm);
    jsonv_get_decimal(doc, o, path, "minimum", 0, r->minimum_fen, 2, 0, 100000000, &r->minimum_fen);
    get_int(doc, o, path, "grace_days", 0, PENALTY_MAX_GRACE_DAYS, &r->grace_days);
    jsonv_get_bool(doc, o, path, "waived", 0, r->waived, &r->waived);
    if (jsonv_get_enum(doc, o, path, "rounding", 0, rounding_names, mode, &mode))
        r->rounding = (money_rounding)mode;
}

static void parse_penalty(jsonv_doc *doc, const cJSON *node, const char *path, ledger_cfg *l)
{
    char p[JSONV_PATH_MAX];
    if (node == NULL || !jsonv_check_object(doc, node, path))
        return;
    jsonv_check_keys(doc, node, path, class_keys);
    for (int c = 0; c < LEDGER_CLASS_COUNT; c++) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(node, class_keys[c]);
        jsonv_path_key(p, sizeof p, path, class_keys[c]);
        if (o != NULL)
            parse_penalty_rule(doc, o, p, &l->penalty[c]);
    }
}

static void parse_grades(jsonv_doc *doc, const cJSON *node, const char *path, grade_cfg *g)
{
    static const char *const keys[] = {"name", "min_score", NULL};
    char p[JSONV_PATH_MAX];
    grade_cfg t = *g;
    int n = 0, bad = 0;
    if (node == NULL || !jsonv_check_array(doc, node, path, GRADE_MAX))
        return;
    const cJSON *it;
    cJSON_ArrayForEach(it, node)
    {
        jsonv_path_index(p, sizeof p, path, n);
        if (!jsonv_check_object(doc, it, p)) {
            bad = 1;
            n++;
            continue;
        }
        jsonv_check_keys(doc, it, p, keys);
        bad |= !jsonv_get_string(doc, it, p, "name", 1, NULL, t.names[n], GRADE_NAME_MAX);
        bad |= !jsonv_get_decimal(doc, it, p, "min_score", 1, 0, 2, 0, GRADE_FULL_CP, &t.min_cp[n]);
        if (!bad && n > 0 && t.min_cp[n] >= t.min_cp[n - 1]) {
            char q[JSONV_PATH_MAX];
            jsonv_path_key(q, sizeof q, p, "min_score");
            jsonv_error(doc, cJSON_GetObjectItemCaseSensitive(it, "min_score"), q,
                        "must be below the previous grade's min_score (best grade first)");
            bad = 1;
        }
        for (int k = 0; !bad && k < n; k++) {
            if (strcmp(t.names[k], t.names[n]) == 0) {
                char q[JSONV_PATH_MAX];
                jsonv_path_key(q, sizeof q, p, "name");
                jsonv_error(doc, cJSON_GetObjectItemCaseSensitive(it, "name"), q, "grade named twice");
                bad = 1;
            }
        }
        n++;
    }
    if (bad)
        return;
    if (n < 2 || t.min_cp[n - 1] != 0) {
        jsonv_error(doc, node, path, n < 2 ? "needs at least 2 grades" : "the last (lowest) grade's min_score must be \"0\"");
        return;
    }
    t.ngrades = n;
    *g = t;
}

static void parse_weights(jsonv_doc *doc, const cJSON *w, const cJSON *caps, const char *path, grade_cfg *g)
{
    static const char *const wkeys[] = {"overdue_bill", "day_late", "overdue_ratio", "bounced", "run_dry",
                                        "on_time_bill", NULL};
    static const char *const ckeys[] = {"overdue_bills", "days_late", "overdue_ratio", "bounced", "run_dry",
                                        "on_time_streak", NULL};
    char p[JSONV_PATH_MAX];
    jsonv_path_key(p, sizeof p, path, "weights");
    if (w != NULL && jsonv_check_object(doc, w, p)) {
        jsonv_check_keys(doc, w, p, wkeys);
        for (int c = 0; c < GRADE_C_COUNT; c++)
            jsonv_get_decimal(doc, w, p, wkeys[c], 0, g->weight_cp[c], 2, 0, GRADE_FULL_CP, &g->weight_cp[c]);
    }
    jsonv_path_key(p, sizeof p, path, "caps");
    if (caps != NULL && jsonv_check_object(doc, caps, p)) {
        jsonv_check_keys(doc, caps, p, ckeys);
        for (int c = 0; c < GRADE_C_COUNT; c++) {
            if (c == GRADE_C_OVERDUE_RATIO) {
                jsonv_get_decimal(doc, caps, p, ckeys[c], 0, g->cap[c], 2, 0, GRADE_FULL_CP, &g->cap[c]);
            } else {
                long long v = g->cap[c];
                if (jsonv_get_int(doc, caps, p, ckeys[c], 0, v, 0, 100000, &v))
                    g->cap[c] = v;
            }
        }
    }
}

int creditcfg_parse_credit(jsonv_doc *doc, const cJSON *node, const char *path, creditcfg *out)
{
    static const char *const keys[] = {"allocation", "due_days", "penalty", "grades", "weights", "caps",
                                       "window_months", "late_grace_days", "theft_months", "illegal_use_months",
                                       "arrears_bills", "start_grade", "new_customer_bills", "cycle_months", "measures", NULL};
    static const char *const allocs[] = {"principal_first", "penalty_first", NULL};
    int before = jsonv_errors(doc), alloc = (int)out->ledger.alloc;
    char p[JSONV_PATH_MAX], start[GRADE_NAME_MAX] = "";
    grade_cfg *g = &out->grade;
    if (node == NULL)
        return 0;
    if (!jsonv_check_object(doc, node, path))
        return jsonv_errors(doc) - before;
    jsonv_check_keys(doc, node, path, keys);
    if (jsonv_get_enum(doc, node, path, "allocation", 0, allocs, alloc, &alloc))
        out->ledger.alloc = (ledger_alloc)alloc;
    get_int(doc, node, path, "due_days", 0, 90, &out->ledger.due_days);
    jsonv_path_key(p, sizeof p, path, "penalty");
    parse_penalty(doc, cJSON_GetObjectItemCaseSensitive(node, "penalty"), p, &out->ledger);
    jsonv_path_key(p, sizeof p, path, "grades");
    parse_grades(doc, cJSON_GetObjectItemCaseSensitive(node, "grades"), p, g);
    parse_weights(doc, cJSON_GetObjectItemCaseSensitive(node, "weights"),
                  cJSON_GetObjectItemCaseSensitive(node, "caps"), path, g);
    get_int(doc, node, path, "window_months", 1, 60, &g->window_months);
    get_int(doc, node, path, "late_grace_days", 0, 90, &g->late_grace_days);
    get_int(doc, node, path, "theft_months", 0, 120, &g->theft_months);
    get_int(doc, node, path, "illegal_use_months", 0, 120, &g->illegal_months);
    get_int(doc, node, path, "arrears_bills", 0, 24, &g->arrears_bills);
    get_int(doc, node, path, "new_customer_bills", 0, 24, &g->new_customer_bills);
    if (get_int(doc, node, path, "cycle_months", 1, 12, &g->cycle_months) && 12 % g->cycle_months != 0) {
        jsonv_path_key(p, sizeof p, path, "cycle_months");
        jsonv_error(doc, cJSON_GetObjectItemCaseSensitive(node, "cycle_months"), p, "must divide 12 (1, 2, 3, 4, 6, 12)");
        g->cycle_months = 6;
    }
    if (cJSON_GetObjectItemCaseSensitive(node, "grades") != NULL || g->start_grade >= g->ngrades)
        g->start_grade = g->ngrades / 2; /* the middle grade, as Wuhan's B */
    if (jsonv_get_string(doc, node, path, "start_grade", 0, "", start, sizeof start) && start[0]) {
        int k = grade_find(g, start);
        jsonv_path_key(p, sizeof p, path, "start_grade");
        if (k < 0)
            jsonv_error(doc, cJSON_GetObjectItemCaseSensitive(node, "start_grade"), p, "no grade named \"%s\"", start);
        else
            g->start_grade = k;
    }
    if (jsonv_errors(doc) == before && cJSON_GetObjectItemCaseSensitive(node, "grades") != NULL) {
        /* a new scale: ladders and deposits default to its shape */
        collect_cfg c;
        collect_cfg_default(&c, g->ngrades);
        c.cal = out->collect.cal;
        out->collect = c;
    }
    if (cJSON_GetObjectItemCaseSensitive(node, "grades") != NULL)
        measures_cfg_default(&out->measures, g->ngrades);
    jsonv_path_key(p, sizeof p, path, "measures");
    measures_cfg_parse(doc, cJSON_GetObjectItemCaseSensitive(node, "measures"), p, g, &out->measures);
    g->max_overdue_per_year = out->measures.max_arrears_per_year; /* the count rule regrades (grade.c) */
    return jsonv_errors(doc) - before;
}

static int parse_hhmm(const char *s, int *minute)
{
    if (strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' || s[3] < '0' ||
        s[3] > '5' || s[4] < '0' || s[4] > '9')
        return 0;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 24 || (h == 24 && m != 0))
        return 0;
    *minute = h * 60 + m;
    return 1;
}

static void parse_step(jsonv_doc *doc, const cJSON *o, const char *p, collect_step *s)
{
    static const char *const keys[] = {"day", "action", "channel", "min_amount", NULL};
    static const char *const actions[] = {"reminder", "sms", "phone", "written_notice", "disconnect_notice",
                                          "disconnect", "public_notice", "legal", "credit_report_notice", NULL};
    long long day = 0;
    int action = 0;
    memset(s, 0, sizeof *s);
    if (!jsonv_check_object(doc, o, p))
        return;
    jsonv_check_keys(doc, o, p, keys);
    jsonv_get_int(doc, o, p, "day", 1, 0, -60, 3650, &day);
    jsonv_get_enum(doc, o, p, "action", 1, actions, 0, &action);
    jsonv_get_string(doc, o, p, "channel", 0, action <= COLLECT_PHONE ? (action == COLLECT_PHONE ? "phone" : "sms")
                                                                       : "letter",
                     s->channel, sizeof s->channel);
    jsonv_get_decimal(doc, o, p, "min_amount", 0, 1, 2, 1, LEDGER_MAX_AMOUNT_FEN, &s->min_amount_fen);
    s->day = (int)day;
    /* the names follow the enum up to legal; credit_report_notice is appended to it */
    s->action = strcmp(actions[action], "credit_report_notice") == 0 ? COLLECT_CREDIT_REPORT_NOTICE
                                                                      : (collect_action)action;
}

/* Steps in rising day order; a disconnection after a reminder and a written notice. */
static void check_ladder(jsonv_doc *doc, const cJSON *arr, const char *path, const collect_ladder *l)
{
    int reminder = 0, notice = 0;
    for (int i = 0; i < l->nsteps; i++) {
        const collect_step *s = &l->steps[i];
        char p[JSONV_PATH_MAX];
        jsonv_path_index(p, sizeof p, path, i);
        if (i > 0 && s->day <= l->steps[i - 1].day)
            jsonv_error(doc, cJSON_GetArrayItem(arr, i), p, "steps must be in rising day order");
        if (s->action == COLLECT_DISCONNECT && (!reminder || !notice))
            jsonv_error(doc, cJSON_GetArrayItem(arr, i), p,
                        "a disconnection needs a reminder (sms/phone) and a written notice in earlier steps");
        reminder |= s->action == COLLECT_REMINDER || s->action == COLLECT_SMS || s->action == COLLECT_PHONE;
        notice |= s->action == COLLECT_WRITTEN_NOTICE || s->action == COLLECT_DISCONNECT_NOTICE;
    }
}

static void parse_ladders(jsonv_doc *doc, const cJSON *node, const char *path, const grade_cfg *g, collect_cfg *c)
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    if (node == NULL || !jsonv_check_object(doc, node, path))
        return;
    const cJSON *arr;
    cJSON_ArrayForEach(arr, node)
    {
        int k = grade_find(g, arr->string);
        jsonv_path_key(p, sizeof p, path, arr->string);
        if (k < 0) {
            jsonv_error(doc, arr, p, "no grade named \"%s\" in credit.grades", arr->string);
            continue;
        }
        if (!jsonv_check_array(doc, arr, p, COLLECT_MAX_STEPS))
            continue;
        collect_ladder *l = &c->ladder[k];
        memset(l, 0, sizeof *l);
        const cJSON *it;
        cJSON_ArrayForEach(it, arr)
        {
            jsonv_path_index(q, sizeof q, p, l->nsteps);
            parse_step(doc, it, q, &l->steps[l->nsteps++]);
        }
        check_ladder(doc, arr, p, l);
    }
}

static void parse_days(jsonv_doc *doc, const cJSON *node, const char *path, int32_t *days, int *n)
{
    char p[JSONV_PATH_MAX];
    if (node == NULL || !jsonv_check_array(doc, node, path, COLLECT_MAX_DAYS))
        return;
    *n = 0;
    const cJSON *it;
    int i = 0;
    cJSON_ArrayForEach(it, node)
    {
        jsonv_path_index(p, sizeof p, path, i++);
        if (!cJSON_IsString(it) || civdate_parse(it->valuestring, strlen(it->valuestring), &days[*n]) != GL_OK)
            jsonv_error(doc, it, p, "must be a date \"YYYY-MM-DD\"");
        else
            (*n)++;
    }
}

static void parse_cut_hours(jsonv_doc *doc, const cJSON *node, const char *path, collect_calendar *cal)
{
    int from, to;
    if (node == NULL || !jsonv_check_array(doc, node, path, 2))
        return;
    const cJSON *a = cJSON_GetArrayItem(node, 0), *b = cJSON_GetArrayItem(node, 1);
    if (cJSON_GetArraySize(node) != 2 || !cJSON_IsString(a) || !cJSON_IsString(b) ||
        !parse_hhmm(a->valuestring, &from) || !parse_hhmm(b->valuestring, &to) || from >= to) {
        jsonv_error(doc, node, path, "must be [\"HH:MM\", \"HH:MM\"], the first before the second");
        return;
    }
    cal->cut_from_min = from;
    cal->cut_to_min = to;
}

static void parse_deposits(jsonv_doc *doc, const cJSON *node, const char *path, const grade_cfg *g, collect_cfg *c)
{
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    if (node == NULL || !jsonv_check_object(doc, node, path))
        return;
    jsonv_check_keys(doc, node, path, class_keys);
    for (int k = 0; k < LEDGER_CLASS_COUNT; k++) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(node, class_keys[k]), *it;
        jsonv_path_key(p, sizeof p, path, class_keys[k]);
        if (o == NULL || !jsonv_check_object(doc, o, p))
            continue;
        cJSON_ArrayForEach(it, o)
        {
            int gi = grade_find(g, it->string);
            jsonv_path_key(q, sizeof q, p, it->string);
            if (gi < 0)
                jsonv_error(doc, it, q, "no grade named \"%s\" in credit.grades", it->string);
            else
                get_int(doc, o, p, it->string, 0, 12, &c->deposit_months[k][gi]);
        }
    }
}

/* min_cut_amount: one decimal for every class, or per class. */
static void parse_min_cut(jsonv_doc *doc, const cJSON *node, const char *path, collect_cfg *c)
{
    char p[JSONV_PATH_MAX];
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(node, "min_cut_amount");
    jsonv_path_key(p, sizeof p, path, "min_cut_amount");
    if (o == NULL)
        return;
    if (cJSON_IsString(o)) {
        int64_t v = 0;
        if (jsonv_decimal_value(doc, o, p, 2, 1, LEDGER_MAX_AMOUNT_FEN, &v))
            for (int k = 0; k < LEDGER_CLASS_COUNT; k++)
                c->min_cut_fen[k] = v;
        return;
    }
    if (!jsonv_check_object(doc, o, p))
        return;
    jsonv_check_keys(doc, o, p, class_keys);
    for (int k = 0; k < LEDGER_CLASS_COUNT; k++)
        jsonv_get_decimal(doc, o, p, class_keys[k], 0, c->min_cut_fen[k], 2, 1, LEDGER_MAX_AMOUNT_FEN,
                          &c->min_cut_fen[k]);
}

/* service: {"CHANNEL": "receipt"|"posted"|"on_send"}: how a channel's
 * notices count as served; listed channels replace the defaults. */
static void parse_service(jsonv_doc *doc, const cJSON *node, const char *path, collect_cfg *c)
{
    static const char *const names[] = {"receipt", "posted", "on_send", NULL};
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(node, "service"), *it;
    jsonv_path_key(p, sizeof p, path, "service");
    if (o == NULL || !jsonv_check_object(doc, o, p))
        return;
    cJSON_ArrayForEach(it, o)
    {
        int mode = 0, k;
        jsonv_path_key(q, sizeof q, p, it->string);
        if (strlen(it->string) == 0 || strlen(it->string) >= COLLECT_CHANNEL_MAX) {
            jsonv_error(doc, it, q, "channel names are 1..%d characters", COLLECT_CHANNEL_MAX - 1);
            continue;
        }
        if (!jsonv_get_enum(doc, o, p, it->string, 1, names, 0, &mode))
            continue;
        for (k = 0; k < c->nservice && strcmp(c->service[k].channel, it->string) != 0; k++)
            ;
        if (k == COLLECT_MAX_CHANNELS) {
            jsonv_error(doc, it, q, "at most %d channels", COLLECT_MAX_CHANNELS);
            continue;
        }
        snprintf(c->service[k].channel, COLLECT_CHANNEL_MAX, "%s", it->string);
        c->service[k].service = (collect_service)mode;
        if (k == c->nservice)
            c->nservice++;
    }
}

int creditcfg_parse_collection(jsonv_doc *doc, const cJSON *node, const char *path, creditcfg *out)
{
    static const char *const keys[] = {"ladders", "cut_after_days", "notice_days_residential", "notice_days_other",
                                       "notice_minutes_other", "confirm_minutes", "restore_workdays_residential",
                                       "restore_workdays_other", "cut_hours", "no_cut_weekends", "holidays",
                                       "no_cut_days", "deposit_months", "refund_years", "refund_max_late",
                                       "min_cut_amount", "public_notice_min", "legal_min", "notice_valid_days",
                                       "cut_window_minutes", "service", "workdays", NULL};
    int before = jsonv_errors(doc);
    char p[JSONV_PATH_MAX];
    collect_cfg *c = &out->collect;
    if (node == NULL)
        return 0;
    if (!jsonv_check_object(doc, node, path))
        return jsonv_errors(doc) - before;
    jsonv_check_keys(doc, node, path, keys);
    jsonv_path_key(p, sizeof p, path, "ladders");
    parse_ladders(doc, cJSON_GetObjectItemCaseSensitive(node, "ladders"), p, &out->grade, c);
    /* the law's floors are the lower ends of these ranges (DOMAIN.md) */
    get_int(doc, node, path, "cut_after_days", 30, 365, &c->cut_after_days);
    get_int(doc, node, path, "notice_days_residential", 7, 60, &c->notice_days_residential);
    get_int(doc, node, path, "notice_days_other", 3, 60, &c->notice_days_other);
    get_int(doc, node, path, "notice_minutes_other", 60, 1440, &c->notice_minutes_other);
    get_int(doc, node, path, "confirm_minutes", 30, 240, &c->confirm_minutes);
    get_int(doc, node, path, "restore_workdays_residential", 0, 1, &c->restore_workdays_residential);
    get_int(doc, node, path, "restore_workdays_other", 0, 2, &c->restore_workdays_other);
    jsonv_path_key(p, sizeof p, path, "cut_hours");
    parse_cut_hours(doc, cJSON_GetObjectItemCaseSensitive(node, "cut_hours"), p, &c->cal);
    jsonv_get_bool(doc, node, path, "no_cut_weekends", 0, c->cal.no_weekends, &c->cal.no_weekends);
    jsonv_path_key(p, sizeof p, path, "holidays");
    parse_days(doc, cJSON_GetObjectItemCaseSensitive(node, "holidays"), p, c->cal.holidays, &c->cal.nholidays);
    jsonv_path_key(p, sizeof p, path, "workdays");
    parse_days(doc, cJSON_GetObjectItemCaseSensitive(node, "workdays"), p, c->cal.workdays, &c->cal.nworkdays);
    jsonv_path_key(p, sizeof p, path, "no_cut_days");
    parse_days(doc, cJSON_GetObjectItemCaseSensitive(node, "no_cut_days"), p, c->cal.no_cut, &c->cal.nno_cut);
    jsonv_path_key(p, sizeof p, path, "deposit_months");
    parse_deposits(doc, cJSON_GetObjectItemCaseSensitive(node, "deposit_months"), p, &out->grade, c);
    get_int(doc, node, path, "refund_years", 0, 10, &c->refund_years);
    get_int(doc, node, path, "refund_max_late", 0, 36, &c->refund_max_late);
    parse_min_cut(doc, node, path, c);
    jsonv_get_decimal(doc, node, path, "public_notice_min", 0, c->min_public_notice_fen, 2, 1, LEDGER_MAX_AMOUNT_FEN,
                      &c->min_public_notice_fen);
    jsonv_get_decimal(doc, node, path, "legal_min", 0, c->min_legal_fen, 2, 1, LEDGER_MAX_AMOUNT_FEN,
                      &c->min_legal_fen);
    /* a notice older than 7..90 days is served again; the cut follows the
     * first timed notice within cut_window_minutes (longer than the lead) */
    get_int(doc, node, path, "notice_valid_days", 7, 90, &c->notice_valid_days);
    get_int(doc, node, path, "cut_window_minutes", 60, 480, &c->cut_window_minutes);
    if (c->cut_window_minutes <= c->notice_minutes_other || c->cut_window_minutes <= c->confirm_minutes)
        jsonv_error(doc, node, path, "cut_window_minutes must be longer than notice_minutes_other and confirm_minutes");
    if (c->notice_valid_days <= c->notice_days_residential || c->notice_valid_days <= c->notice_days_other)
        jsonv_error(doc, node, path, "notice_valid_days must be longer than the notice periods");
    parse_service(doc, node, path, c);
    return jsonv_errors(doc) - before;
}

int creditcfg_parse_fee_control(jsonv_doc *doc, const cJSON *node, const char *path, creditcfg *out)
{
    static const char *const keys[] = {"warn_at", "emergency_credit", "notice_minutes", "reconnect_minutes",
                                       "rounding", NULL};
    int before = jsonv_errors(doc), mode = (int)out->fee.rounding;
    char p[JSONV_PATH_MAX], q[JSONV_PATH_MAX];
    feectl_cfg *f = &out->fee;
    if (node == NULL)
        return 0;
    if (!jsonv_check_object(doc, node, path))
        return jsonv_errors(doc) - before;
    jsonv_check_keys(doc, node, path, keys);
    const cJSON *warn = cJSON_GetObjectItemCaseSensitive(node, "warn_at"), *it;
    jsonv_path_key(p, sizeof p, path, "warn_at");
    if (warn != NULL && jsonv_check_array(doc, warn, p, FEECTL_MAX_WARN)) {
        int n = 0;
        cJSON_ArrayForEach(it, warn)
        {
            jsonv_path_index(q, sizeof q, p, n);
            if (jsonv_decimal_value(doc, it, q, 2, 0, LEDGER_MAX_AMOUNT_FEN, &f->warn_fen[n]) && n > 0 &&
                f->warn_fen[n] >= f->warn_fen[n - 1])
                jsonv_error(doc, it, q, "thresholds must fall (highest first)");
            n++;
        }
        f->nwarn = n;
    }
    jsonv_get_decimal(doc, node, path, "emergency_credit", 0, f->emergency_fen, 2, 0, 100000000, &f->emergency_fen);
    get_int(doc, node, path, "notice_minutes", 30, 1440, &f->notice_minutes);
    get_int(doc, node, path, "reconnect_minutes", 1, 1440, &f->reconnect_minutes);
    if (jsonv_get_enum(doc, node, path, "rounding", 0, rounding_names, mode, &mode))
        f->rounding = (money_rounding)mode;
    return jsonv_errors(doc) - before;
}

/* The grade names of a credit section without reporting (its own hook does). */
static void quiet_grades(const cJSON *root, creditcfg *out)
{
    const cJSON *credit = cJSON_GetObjectItemCaseSensitive(root, "credit");
    const cJSON *grades = credit ? cJSON_GetObjectItemCaseSensitive(credit, "grades") : NULL;
    int n = 0;
    if (!cJSON_IsArray(grades) || cJSON_GetArraySize(grades) < 2 || cJSON_GetArraySize(grades) > GRADE_MAX)
        return;
    const cJSON *it;
    grade_cfg g = out->grade;
    cJSON_ArrayForEach(it, grades)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
        if (!cJSON_IsString(name) || strlen(name->valuestring) >= GRADE_NAME_MAX)
            return;
        snprintf(g.names[n++], GRADE_NAME_MAX, "%s", name->valuestring);
    }
    g.ngrades = n;
    out->grade = g;
    collect_cfg_default(&out->collect, n);
}

static creditcfg *scratch(void)
{
    creditcfg *c = malloc(sizeof *c);
    if (c != NULL)
        creditcfg_default(c);
    return c;
}

int creditcfg_check_credit(jsonv_doc *doc, const cJSON *node, const char *path, const cJSON *root)
{
    (void)root;
    creditcfg *c = scratch();
    if (c == NULL) {
        jsonv_error(doc, node, path, "out of memory");
        return 1;
    }
    int n = creditcfg_parse_credit(doc, node, path, c);
    free(c);
    return n;
}

int creditcfg_check_collection(jsonv_doc *doc, const cJSON *node, const char *path, const cJSON *root)
{
    creditcfg *c = scratch();
    if (c == NULL) {
        jsonv_error(doc, node, path, "out of memory");
        return 1;
    }
    quiet_grades(root, c);
    int n = creditcfg_parse_collection(doc, node, path, c);
    free(c);
    return n;
}

int creditcfg_check_fee_control(jsonv_doc *doc, const cJSON *node, const char *path, const cJSON *root)
{
    (void)root;
    creditcfg *c = scratch();
    if (c == NULL) {
        jsonv_error(doc, node, path, "out of memory");
        return 1;
    }
    int n = creditcfg_parse_fee_control(doc, node, path, c);
    free(c);
    return n;
}
