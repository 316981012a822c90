/* collect.c: graded collection plans, lawful disconnection slots,
 * restoration deadlines and deposits (see collect.h). */
#include "gridledger/collect.h"

#include <stdio.h>
#include <string.h>

#include "gridledger/civdate.h"
#include "gridledger/money.h"

static const char *const action_names[COLLECT_ACTION_COUNT] = {
    "reminder", "sms", "phone", "written_notice", "disconnect_notice", "disconnect",
    "public_notice", "legal", "notice_1h", "confirm_30min", "notify_authority", "restore", "exhaustion_notice",
    "credit_report_notice",
};

static const int action_priority[COLLECT_ACTION_COUNT] = {5, 4, 3, 2, 2, 1, 2, 1, 1, 1, 2, 1, 2, 2};

static const char *const service_names[COLLECT_SERVICE_COUNT] = {"receipt", "posted", "on_send"};

const char *collect_service_name(collect_service s)
{
    return (unsigned)s < COLLECT_SERVICE_COUNT ? service_names[s] : "?";
}

int collect_service_parse(const char *s)
{
    for (int i = 0; s && i < COLLECT_SERVICE_COUNT; i++)
        if (strcmp(service_names[i], s) == 0)
            return i;
    return -1;
}

collect_service collect_service_of(const collect_cfg *cfg, const char *channel)
{
    for (int i = 0; i < cfg->nservice && i < COLLECT_MAX_CHANNELS; i++)
        if (strcmp(cfg->service[i].channel, channel) == 0)
            return cfg->service[i].service;
    return COLLECT_SERVICE_RECEIPT;
}

static void add_service(collect_cfg *cfg, const char *channel, collect_service s)
{
    if (cfg->nservice >= COLLECT_MAX_CHANNELS)
        return;
    snprintf(cfg->service[cfg->nservice].channel, COLLECT_CHANNEL_MAX, "%s", channel);
    cfg->service[cfg->nservice++].service = s;
}

const char *collect_action_name(collect_action a)
{
    return (unsigned)a < COLLECT_ACTION_COUNT ? action_names[a] : "?";
}

int collect_action_parse(const char *s)
{
    for (int i = 0; s && i < COLLECT_ACTION_COUNT; i++)
        if (strcmp(action_names[i], s) == 0)
            return i;
    return -1;
}

static void add_step(collect_ladder *l, int day, collect_action action, const char *channel)
{
    if (l->nsteps >= COLLECT_MAX_STEPS)
        return;
    collect_step *s = &l->steps[l->nsteps++];
    s->day = day;
    s->min_amount_fen = 1;
    s->action = action;
    snprintf(s->channel, sizeof s->channel, "%s", channel);
}

static void ladder_best(collect_ladder *l)
{
    add_step(l, 7, COLLECT_SMS, "sms");
    add_step(l, 20, COLLECT_PHONE, "phone");
    add_step(l, 30, COLLECT_DISCONNECT_NOTICE, "letter");
    add_step(l, 40, COLLECT_DISCONNECT, "field");
    add_step(l, 180, COLLECT_LEGAL, "legal");
}

static void ladder_middle(collect_ladder *l)
{
    add_step(l, 1, COLLECT_SMS, "sms");
    add_step(l, 10, COLLECT_PHONE, "phone");
    add_step(l, 20, COLLECT_WRITTEN_NOTICE, "letter");
    add_step(l, 25, COLLECT_DISCONNECT_NOTICE, "letter");
    add_step(l, 35, COLLECT_DISCONNECT, "field");
    add_step(l, 60, COLLECT_PUBLIC_NOTICE, "notice_board");
    add_step(l, 120, COLLECT_LEGAL, "legal");
}

static void ladder_lowest(collect_ladder *l)
{
    add_step(l, -3, COLLECT_REMINDER, "sms");
    add_step(l, 1, COLLECT_SMS, "sms");
    add_step(l, 5, COLLECT_PHONE, "phone");
    add_step(l, 10, COLLECT_WRITTEN_NOTICE, "letter");
    add_step(l, 20, COLLECT_DISCONNECT_NOTICE, "letter");
    add_step(l, 31, COLLECT_DISCONNECT, "field");
    add_step(l, 45, COLLECT_PUBLIC_NOTICE, "notice_board");
    add_step(l, 90, COLLECT_LEGAL, "legal");
}

void collect_cfg_default(collect_cfg *cfg, int ngrades)
{
    memset(cfg, 0, sizeof *cfg);
    if (ngrades < 1 || ngrades > GRADE_MAX)
        ngrades = 3;
    for (int g = 0; g < ngrades; g++) {
        if (g == ngrades - 1)
            ladder_lowest(&cfg->ladder[g]);
        else if (g == 0)
            ladder_best(&cfg->ladder[g]);
        else
            ladder_middle(&cfg->ladder[g]);
        for (int c = 0; c < LEDGER_CLASS_COUNT; c++)
            cfg->deposit_months[c][g] = g == ngrades - 1 || (c != LEDGER_CLASS_RESIDENTIAL && g > 0);
    }
    cfg->cut_after_days = 30;
    cfg->notice_days_residential = 7;
    cfg->notice_days_other = 3;
    cfg->notice_minutes_other = 60;
    cfg->confirm_minutes = 30;
    cfg->restore_workdays_residential = 1;
    cfg->restore_workdays_other = 2;
    cfg->cal.cut_from_min = 8 * 60 + 30;
    cfg->cal.cut_to_min = 17 * 60;
    cfg->cal.no_weekends = 1;
    cfg->refund_years = 3;
    cfg->refund_max_late = 3;
    for (int c = 0; c < LEDGER_CLASS_COUNT; c++)
        cfg->min_cut_fen[c] = c == LEDGER_CLASS_RESIDENTIAL ? 10000 : 50000;
    cfg->min_public_notice_fen = 100000;
    cfg->min_legal_fen = 500000;
    cfg->notice_valid_days = 30;
    cfg->cut_window_minutes = 120;
    add_service(cfg, "letter", COLLECT_SERVICE_POSTED);
    add_service(cfg, "notice_board", COLLECT_SERVICE_POSTED);
    add_service(cfg, "legal", COLLECT_SERVICE_POSTED);
}

static int day_in(const int32_t *days, int n, int32_t d)
{
    for (int i = 0; i < n; i++)
        if (days[i] == d)
            return 1;
    return 0;
}

/* weekday: Monday..Friday, or a weekend day made a working day (调休). */
static int weekday(const collect_calendar *cal, int32_t day)
{
    return civdate_weekday(day) < 5 || day_in(cal->workdays, cal->nworkdays, day);
}

static int working_day(const collect_calendar *cal, int32_t day)
{
    return weekday(cal, day) && !day_in(cal->holidays, cal->nholidays, day);
}

static int cut_day(const collect_calendar *cal, int32_t day)
{
    if (cal->no_weekends && !weekday(cal, day))
        return 0;
    return !day_in(cal->holidays, cal->nholidays, day) && !day_in(cal->no_cut, cal->nno_cut, day);
}

static int32_t day_of(int64_t minute)
{
    return (int32_t)(minute >= 0 ? minute / CIVDATE_MINUTES_PER_DAY
                                 : -((-minute + CIVDATE_MINUTES_PER_DAY - 1) / CIVDATE_MINUTES_PER_DAY));
}

int collect_cut_allowed(const collect_calendar *cal, int64_t minute)
{
    int32_t day = day_of(minute);
    int64_t mod = minute - (int64_t)day * CIVDATE_MINUTES_PER_DAY;
    return cut_day(cal, day) && mod >= cal->cut_from_min && mod < cal->cut_to_min;
}

int64_t collect_next_slot(const collect_calendar *cal, int64_t from)
{
    int32_t day = day_of(from);
    int64_t mod = from - (int64_t)day * CIVDATE_MINUTES_PER_DAY;
    for (int i = 0; i < COLLECT_SLOT_SEARCH_DAYS; i++, day++, mod = 0) {
        if (!cut_day(cal, day) || mod >= cal->cut_to_min)
            continue;
        if (mod < cal->cut_from_min)
            mod = cal->cut_from_min;
        return (int64_t)day * CIVDATE_MINUTES_PER_DAY + mod;
    }
    return -1;
}

int64_t collect_restore_deadline(const collect_cfg *cfg, ledger_class klass, int64_t paid_minute)
{
    int n = klass == LEDGER_CLASS_RESIDENTIAL ? cfg->restore_workdays_residential : cfg->restore_workdays_other;
    int32_t day = day_of(paid_minute);
    int64_t mod = paid_minute - (int64_t)day * CIVDATE_MINUTES_PER_DAY;
    for (int k = 0; k < n && k < COLLECT_SLOT_SEARCH_DAYS;) {
        day++;
        k += working_day(&cfg->cal, day);
    }
    return (int64_t)day * CIVDATE_MINUTES_PER_DAY + mod;
}

int64_t collect_deposit_required(const collect_cfg *cfg, ledger_class klass, int grade, int64_t avg_bill_fen)
{
    if ((unsigned)klass >= LEDGER_CLASS_COUNT || grade < 0 || grade >= GRADE_MAX || avg_bill_fen <= 0)
        return 0;
    return cfg->deposit_months[klass][grade] * avg_bill_fen;
}

int collect_deposit_refundable(const collect_cfg *cfg, int32_t held_since, int late_bills, int32_t as_of)
{
    return held_since >= 0 && civdate_add_months(held_since, 12 * cfg->refund_years) <= as_of &&
           late_bills <= cfg->refund_max_late;
}

static collect_item *push(collect_plan *p, collect_action a, const char *channel, int64_t minute, int has_time)
{
    if (p->nitems >= COLLECT_MAX_ACTIONS)
        return NULL;
    collect_item *it = &p->items[p->nitems++];
    memset(it, 0, sizeof *it);
    it->action = a;
    snprintf(it->channel, sizeof it->channel, "%s", channel);
    it->due_minute = minute;
    it->has_time = has_time;
    it->priority = action_priority[a];
    return it;
}

static int is_reminder(collect_action a)
{
    return a == COLLECT_REMINDER || a == COLLECT_SMS || a == COLLECT_PHONE;
}

int collect_is_reminder(collect_action a)
{
    return is_reminder(a) || a == COLLECT_WRITTEN_NOTICE;
}

static int is_written(collect_action a)
{
    return a == COLLECT_WRITTEN_NOTICE || a == COLLECT_DISCONNECT_NOTICE;
}

/* The lawful form of a disconnection step: slot, confirmation, notices. */
static gl_status plan_disconnect(const collect_cfg *cfg, const collect_customer *cust, const collect_ladder *l,
                                 int cur, int32_t ref, int32_t as_of, collect_plan *p)
{
    int residential = cust->klass == LEDGER_CLASS_RESIDENTIAL;
    int notice_days = residential ? cfg->notice_days_residential : cfg->notice_days_other;
    int reminder = -1, notice = -1;
    collect_item *it;
    for (int j = 0; j < cur; j++) {
        if (is_reminder(l->steps[j].action) && l->steps[j].day < l->steps[cur].day)
            reminder = j;
        if (is_written(l->steps[j].action))
            notice = j;
    }
    if (reminder < 0 || notice < 0) {
        it = push(p, COLLECT_DISCONNECT_NOTICE, "letter", (int64_t)as_of * CIVDATE_MINUTES_PER_DAY, 0);
        if (it)
            snprintf(it->reason, sizeof it->reason, "disconnection needs a %s first: notice now, cut no sooner than "
                     "%d days after it", reminder < 0 ? "reminder" : "written notice", notice_days);
        return GL_OK;
    }
    int32_t notice_day = ref + l->steps[notice].day;
    int32_t earliest = ref + l->steps[cur].day;
    if (earliest < ref + cfg->cut_after_days + 1)
        earliest = ref + cfg->cut_after_days + 1;
    if (earliest < notice_day + notice_days)
        earliest = notice_day + notice_days;
    if (earliest < as_of)
        earliest = as_of;
    int64_t slot = collect_next_slot(&cfg->cal, (int64_t)earliest * CIVDATE_MINUTES_PER_DAY);
    if (slot < 0)
        return GL_ESTATE;
    if (cust->important && (it = push(p, COLLECT_NOTIFY_AUTHORITY, "letter",
                                      (int64_t)notice_day * CIVDATE_MINUTES_PER_DAY, 0)))
        snprintf(it->reason, sizeof it->reason, "important customer: copy of the disconnection notice");
    if (!residential && (it = push(p, COLLECT_NOTICE_1H, "phone", slot - cfg->notice_minutes_other, 1)))
        snprintf(it->reason, sizeof it->reason, "non-residential: notice %d minutes before", cfg->notice_minutes_other);
    if ((it = push(p, COLLECT_CONFIRM_30MIN, "phone", slot - cfg->confirm_minutes, 1)))
        snprintf(it->reason, sizeof it->reason, "confirm %d minutes before the cut", cfg->confirm_minutes);
    if ((it = push(p, COLLECT_DISCONNECT, l->steps[cur].channel, slot, 1)))
        snprintf(it->reason, sizeof it->reason,
                 "%d days overdue > %d, reminded, written notice on day %d (>= %d days before), first allowed slot",
                 as_of - ref, cfg->cut_after_days, l->steps[notice].day, notice_days);
    return GL_OK;
}

int collect_step_applies(const collect_cfg *cfg, ledger_class klass, const ledger_arrears *a, const collect_step *s)
{
    int overdue = a->oldest_due >= 0 || a->penalty_since >= 0;
    int64_t owed = overdue ? a->arrears_fen + a->penalty_fen : a->balance_fen;
    if (owed <= 0 || owed < s->min_amount_fen)
        return 0;
    if (collect_is_reminder(s->action))
        return 1;
    int64_t principal = a->arrears_fen; /* the penalty is never a ground for these */
    switch (s->action) {
    case COLLECT_PUBLIC_NOTICE:
        return principal >= cfg->min_public_notice_fen && principal > 0;
    case COLLECT_LEGAL:
        return principal >= cfg->min_legal_fen && principal > 0;
    case COLLECT_CREDIT_REPORT_NOTICE: /* overdue principal is what would be reported */
        return principal > 0;
    default:
        return (unsigned)klass < LEDGER_CLASS_COUNT && principal >= cfg->min_cut_fen[klass] && principal > 0;
    }
}

gl_status collect_plan_for(const collect_cfg *cfg, const collect_customer *cust, const ledger_arrears *a,
                           int32_t as_of, collect_plan *out)
{
    if (cfg == NULL || cust == NULL || a == NULL || out == NULL || cust->grade < 0 || cust->grade >= GRADE_MAX)
        return GL_EINVAL;
    memset(out, 0, sizeof *out);
    out->step = -1;
    if (a->balance_fen <= 0)
        return GL_OK; /* paid, or in credit: every pending action is cleared */
    /* the reference day: the earliest unpaid due date; for a penalty left
     * alone, the day its bill was paid; else the next due date (reminders) */
    int32_t ref = a->oldest_due >= 0      ? a->oldest_due
                  : a->penalty_since >= 0 ? a->penalty_since
                  : a->next_due >= 0      ? a->next_due
                                          : as_of;
    int64_t owed = a->oldest_due >= 0 || a->penalty_since >= 0 ? a->arrears_fen + a->penalty_fen : a->balance_fen;
    int days = as_of - ref;
    const collect_ladder *l = &cfg->ladder[cust->grade];
    int cur = -1, next = -1;
    for (int i = 0; i < l->nsteps; i++) {
        if (!collect_step_applies(cfg, cust->klass, a, &l->steps[i]))
            continue;
        if (l->steps[i].day <= days)
            cur = i;
        else if (next < 0)
            next = i;
    }
    out->step = cur;
    gl_status st = GL_OK;
    char owed_txt[MONEY_FMT_MAX];
    money_format(owed, 2, owed_txt, sizeof owed_txt);
    if (cur >= 0 && l->steps[cur].action == COLLECT_DISCONNECT) {
        st = plan_disconnect(cfg, cust, l, cur, ref, as_of, out);
    } else if (cur >= 0) {
        collect_item *it = push(out, l->steps[cur].action, l->steps[cur].channel,
                                (int64_t)(ref + l->steps[cur].day) * CIVDATE_MINUTES_PER_DAY, 0);
        if (it)
            snprintf(it->reason, sizeof it->reason, "%d days from the earliest unpaid due date (step at %d), owed %s",
                     days, l->steps[cur].day, owed_txt);
    }
    if (st == GL_OK && next >= 0) {
        collect_item *it = push(out, l->steps[next].action, l->steps[next].channel,
                                (int64_t)(ref + l->steps[next].day) * CIVDATE_MINUTES_PER_DAY, 0);
        if (it) {
            it->next = 1;
            snprintf(it->reason, sizeof it->reason, "next: at %d days unless paid", l->steps[next].day);
        }
    }
    return st;
}
