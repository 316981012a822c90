/* collect.h: the graded collection plan, lawful disconnection, restoration,
 * deposits.
 *
 * Like Kill Bill's overdue states, a plan is a function of the ledger on a
 * date, not of a remembered state: each grade has a ladder of steps, each
 * with a condition (days since the due date of the earliest unpaid debt,
 * negative for reminders before a due date, and a minimum amount) and an
 * action. The current step is the last whose condition holds; the next one
 * is listed with its date. A balance at or below zero (including by credit
 * or an adjustment) gives an empty plan at once; a partial payment that
 * moves the earliest unpaid debt re-plans from that debt's due date. A
 * penalty left unpaid after its bill was paid counts from the payment day.
 * Disconnection follows DOMAIN.md: only when more than 30 days overdue, after
 * a reminder and a written notice at least 7 days before (residential) or
 * 3 days plus a notice 1 hour before (others), confirmed 30 minutes before,
 * important customers' notices copied to the authority, and never inside a
 * no-cut window (outside the allowed hours, weekends, holidays, declared
 * extreme-weather days): it moves to the next allowed minute. The plan
 * assumes each step is carried out on its day; the daemon, which records
 * what was sent, checks that before acting. Pure. */
#ifndef GRIDLEDGER_COLLECT_H
#define GRIDLEDGER_COLLECT_H

#include <stdint.h>

#include "gridledger/grade.h"
#include "gridledger/ledger.h"
#include "gridledger/status.h"

#define COLLECT_MAX_STEPS 12
#define COLLECT_MAX_DAYS 128    /* holidays, no-cut days */
#define COLLECT_MAX_ACTIONS 8   /* actions in one plan */
#define COLLECT_CHANNEL_MAX 16
#define COLLECT_REASON_MAX 128
#define COLLECT_SLOT_SEARCH_DAYS 400

typedef enum collect_action {
    COLLECT_REMINDER = 0,    /* before the due date */
    COLLECT_SMS,
    COLLECT_PHONE,
    COLLECT_WRITTEN_NOTICE,  /* 催费通知书 */
    COLLECT_DISCONNECT_NOTICE, /* 停电通知书: the written notice of disconnection */
    COLLECT_DISCONNECT,
    COLLECT_PUBLIC_NOTICE,
    COLLECT_LEGAL,
    COLLECT_NOTICE_1H,       /* non-residential: notice one hour before */
    COLLECT_CONFIRM_30MIN,   /* confirmation 30 minutes before */
    COLLECT_NOTIFY_AUTHORITY, /* important customers: copy of the notice */
    COLLECT_RESTORE,         /* supply restored after payment (the gateway's record) */
    COLLECT_EXHAUSTION_NOTICE, /* prepaid: the balance is exhausted, cut to follow */
    COLLECT_CREDIT_REPORT_NOTICE, /* notice of adverse reporting to the credit reference centre
                                   * (征信业管理条例 art. 15): before overdue months are exported */
    COLLECT_ACTION_COUNT
} collect_action;

typedef struct collect_step {
    int day;                 /* days since the earliest unpaid due date (<0: before it) */
    int64_t min_amount_fen;  /* the step applies when the amount owed is at least this */
    collect_action action;
    char channel[COLLECT_CHANNEL_MAX];
} collect_step;

typedef struct collect_ladder {
    int nsteps; /* steps in rising day order */
    collect_step steps[COLLECT_MAX_STEPS];
} collect_ladder;

typedef struct collect_calendar {
    int cut_from_min, cut_to_min; /* allowed minutes of the day [from, to) */
    int no_weekends;              /* 1: Saturday and Sunday are no-cut days */
    int nholidays, nno_cut;
    int32_t holidays[COLLECT_MAX_DAYS]; /* also non-working days for restoration */
    int32_t no_cut[COLLECT_MAX_DAYS];   /* extreme weather and other declared days */
    int nworkdays;
    int32_t workdays[COLLECT_MAX_DAYS]; /* weekend days worked in exchange for a holiday (调休) */
} collect_calendar;

/* How a channel's notice counts as served (docs/credit.md, "Served, not
 * assumed"): on a delivery receipt or a confirmation that comes back
 * (sms, phone, field visit), on posting (a letter, a notice board: the
 * posting date is the proof), or when the gateway itself sent it. */
typedef enum collect_service {
    COLLECT_SERVICE_RECEIPT = 0,
    COLLECT_SERVICE_POSTED,
    COLLECT_SERVICE_ON_SEND,
    COLLECT_SERVICE_COUNT
} collect_service;

#define COLLECT_MAX_CHANNELS 8

typedef struct collect_channel_service {
    char channel[COLLECT_CHANNEL_MAX];
    collect_service service;
} collect_channel_service;

typedef struct collect_cfg {
    collect_ladder ladder[GRADE_MAX]; /* per grade index */
    /* lawful-cut thresholds on principal arrears (penalty excluded), fen */
    int64_t min_cut_fen[LEDGER_CLASS_COUNT];  /* default 100.00 residential, 500.00 others */
    int64_t min_public_notice_fen;            /* default 1000.00 */
    int64_t min_legal_fen;                    /* default 5000.00 */
    int notice_valid_days;                    /* a served disconnection notice counts this long: 30 */
    int cut_window_minutes;                   /* the cut within this after the first timed notice: 120 */
    int nservice;
    collect_channel_service service[COLLECT_MAX_CHANNELS]; /* channels not listed: receipt */
    int cut_after_days;               /* 30: disconnect only when more overdue than this */
    int notice_days_residential;      /* 7 */
    int notice_days_other;            /* 3 */
    int notice_minutes_other;         /* 60 */
    int confirm_minutes;              /* 30 */
    int restore_workdays_residential; /* 1 */
    int restore_workdays_other;       /* 2 */
    collect_calendar cal;
    int deposit_months[LEDGER_CLASS_COUNT][GRADE_MAX]; /* months of the average bill */
    int refund_years, refund_max_late; /* 3 years with at most 3 late payments */
} collect_cfg;

typedef struct collect_item {
    collect_action action;
    char channel[COLLECT_CHANNEL_MAX];
    int64_t due_minute;   /* civil minute; for dates, 00:00 of the day */
    int has_time;         /* 1: due_minute carries a time of day */
    int next;             /* 1: a future step, not yet due */
    int priority;         /* 1 most urgent .. 5 */
    char reason[COLLECT_REASON_MAX];
} collect_item;

typedef struct collect_plan {
    int nitems;
    collect_item items[COLLECT_MAX_ACTIONS];
    int step;             /* index of the current step, -1 if none */
} collect_plan;

typedef struct collect_customer {
    ledger_class klass;
    int important;
    int grade;            /* index */
} collect_customer;

/* collect_cfg_default: the ladders, limits and deposits of docs/credit.md
 * for a scale of ngrades grades (the last is the lowest). */
void collect_cfg_default(collect_cfg *cfg, int ngrades);

/* collect_plan_for: the plan on as_of from the arrears a. Deterministic. */
gl_status collect_plan_for(const collect_cfg *cfg, const collect_customer *cust, const ledger_arrears *a,
                           int32_t as_of, collect_plan *out);

/* collect_cut_allowed: 1 if supply may be cut at the civil minute. */
int collect_cut_allowed(const collect_calendar *cal, int64_t minute);

/* collect_next_slot: the first minute >= from at which a cut is allowed;
 * -1 if none within COLLECT_SLOT_SEARCH_DAYS. */
int64_t collect_next_slot(const collect_calendar *cal, int64_t from);

/* collect_restore_deadline: when supply must be back after a payment at
 * paid_minute: the same time of day on the Nth following working day
 * (1 residential, 2 others). */
int64_t collect_restore_deadline(const collect_cfg *cfg, ledger_class klass, int64_t paid_minute);

/* collect_deposit_required: months (by class and grade) x average bill. */
int64_t collect_deposit_required(const collect_cfg *cfg, ledger_class klass, int grade, int64_t avg_bill_fen);

/* collect_deposit_refundable: 1 if a deposit held since held_since may be
 * returned on as_of: refund_years held with at most refund_max_late late bills. */
int collect_deposit_refundable(const collect_cfg *cfg, int32_t held_since, int late_bills, int32_t as_of);

/* collect_action_name / collect_action_parse: "reminder", "sms", "phone",
 * "written_notice", "disconnect_notice", "disconnect", "public_notice",
 * "legal", "notice_1h", "confirm_30min", "notify_authority", "restore",
 * "exhaustion_notice". */
const char *collect_action_name(collect_action a);
int collect_action_parse(const char *s);

/* collect_step_applies: 1 if step s may be taken for arrears a: reminders
 * for anything owed overdue (a penalty alone included); a disconnection
 * notice, a cut and its notices only for principal arrears of at least
 * min_cut_fen of the class; public notice and legal action only from their
 * own minimums (the penalty is never a ground for them); and the step's own
 * min_amount on the total owed. */
int collect_step_applies(const collect_cfg *cfg, ledger_class klass, const ledger_arrears *a, const collect_step *s);

/* collect_service_of: how a notice on channel counts as served. */
collect_service collect_service_of(const collect_cfg *cfg, const char *channel);

/* collect_service_name / collect_service_parse: "receipt", "posted", "on_send". */
const char *collect_service_name(collect_service s);
int collect_service_parse(const char *s);

/* collect_is_reminder: a reminder-type action (reminder, sms, phone,
 * written notice): allowed for a penalty-only balance. */
int collect_is_reminder(collect_action a);

#endif
