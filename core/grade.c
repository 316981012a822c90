/* grade.c: scorecard, overrides and cycle rules (see grade.h). */
#include "gridledger/grade.h"

#include <stdio.h>
#include <string.h>

#include "gridledger/civdate.h"

static const char *const component_names[GRADE_C_COUNT] = {
    "overdue_bills", "days_late", "overdue_ratio", "bounced_payments", "prepaid_run_dry", "on_time_streak",
};

static const char *const reason_names[] = {
    "score", "override_theft", "override_illegal_use", "override_arrears", "new_customer", "one_step_per_cycle",
    "rises_only_at_cycle", "override_count_rule",
};

const char *grade_component_name(grade_component_id id)
{
    return (unsigned)id < GRADE_C_COUNT ? component_names[id] : "?";
}

const char *grade_reason_name(grade_reason r)
{
    return (unsigned)r < sizeof reason_names / sizeof reason_names[0] ? reason_names[r] : "?";
}

void grade_cfg_default(grade_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->ngrades = 3;
    snprintf(cfg->names[0], GRADE_NAME_MAX, "A");
    snprintf(cfg->names[1], GRADE_NAME_MAX, "B");
    snprintf(cfg->names[2], GRADE_NAME_MAX, "C");
    cfg->min_cp[0] = 9000;
    cfg->min_cp[1] = 7000;
    cfg->min_cp[2] = 0;
    cfg->weight_cp[GRADE_C_OVERDUE_BILLS] = 500; /* 5 points per overdue bill */
    cfg->cap[GRADE_C_OVERDUE_BILLS] = 12;
    cfg->weight_cp[GRADE_C_DAYS_LATE] = 20; /* 0.20 a day late */
    cfg->cap[GRADE_C_DAYS_LATE] = 150;      /* at most 30 points */
    cfg->weight_cp[GRADE_C_OVERDUE_RATIO] = 1000; /* 10 points per average bill overdue */
    cfg->cap[GRADE_C_OVERDUE_RATIO] = 3000;       /* at most 30 points */
    cfg->weight_cp[GRADE_C_BOUNCED] = 1000;       /* 10 points per bounced payment */
    cfg->cap[GRADE_C_BOUNCED] = 5;
    cfg->weight_cp[GRADE_C_RUN_DRY] = 300; /* 3 points each time a prepaid balance runs out */
    cfg->cap[GRADE_C_RUN_DRY] = 10;
    cfg->weight_cp[GRADE_C_STREAK] = 50; /* 0.50 bonus per on-time bill in a row */
    cfg->cap[GRADE_C_STREAK] = 12;
    cfg->window_months = 12;
    cfg->late_grace_days = 0;
    cfg->theft_months = 24;
    cfg->illegal_months = 12;
    cfg->arrears_bills = 3;
    cfg->max_overdue_per_year = 5; /* the yearly grading's count rule: more than 5 overdue bills a year */
    cfg->start_grade = 1;
    cfg->new_customer_bills = 3;
    cfg->cycle_months = 6;
}

gl_status grade_cfg_check(const grade_cfg *cfg)
{
    if (cfg == NULL || cfg->ngrades < 2 || cfg->ngrades > GRADE_MAX || cfg->min_cp[cfg->ngrades - 1] != 0)
        return GL_ECONFIG;
    for (int i = 0; i < cfg->ngrades; i++) {
        if (cfg->names[i][0] == '\0' || cfg->min_cp[i] < 0 || cfg->min_cp[i] > GRADE_FULL_CP)
            return GL_ECONFIG;
        if (i > 0 && cfg->min_cp[i] >= cfg->min_cp[i - 1])
            return GL_ECONFIG;
    }
    for (int c = 0; c < GRADE_C_COUNT; c++)
        if (cfg->weight_cp[c] < 0 || cfg->weight_cp[c] > GRADE_FULL_CP || cfg->cap[c] < 0 || cfg->cap[c] > 1000000)
            return GL_ECONFIG;
    if (cfg->window_months < 1 || cfg->window_months > 60 || cfg->start_grade < 0 ||
        cfg->start_grade >= cfg->ngrades || cfg->cycle_months < 1 || cfg->cycle_months > 12 ||
        12 % cfg->cycle_months != 0 || cfg->late_grace_days < 0 || cfg->late_grace_days > 90 ||
        cfg->max_overdue_per_year < 0 || cfg->max_overdue_per_year > 24)
        return GL_ECONFIG;
    return GL_OK;
}

int grade_find(const grade_cfg *cfg, const char *name)
{
    for (int i = 0; i < cfg->ngrades; i++)
        if (strcmp(cfg->names[i], name) == 0)
            return i;
    return -1;
}

static int count_since(const int32_t *dates, int n, int32_t after, int32_t upto)
{
    int k = 0, kept = n < LEDGER_MAX_EVENTS ? n : LEDGER_MAX_EVENTS;
    for (int i = 0; i < kept; i++)
        k += dates[i] > after && dates[i] <= upto;
    return k;
}

static int32_t last_event(const int32_t *dates, int n, int32_t upto)
{
    int kept = n < LEDGER_MAX_EVENTS ? n : LEDGER_MAX_EVENTS;
    int32_t last = -1;
    for (int i = 0; i < kept; i++)
        if (dates[i] <= upto && dates[i] > last)
            last = dates[i];
    return last;
}

/* A bill's days late on `date` (0 when on time or not yet due). */
static int bill_days_late(const ledger_debt *d, int32_t date, int grace)
{
    int32_t end = d->settled >= 0 && d->settled <= date ? d->settled : date;
    return end > d->due + grace ? end - d->due : 0;
}

gl_status grade_metrics_at(const ledger_state *st, const grade_cfg *cfg, int32_t date, grade_metrics *out)
{
    ledger_arrears a;
    if (st == NULL || cfg == NULL || out == NULL)
        return GL_EINVAL;
    gl_status s = ledger_arrears_at(st, date, &a);
    if (s != GL_OK)
        return s;
    memset(out, 0, sizeof *out);
    int32_t from = civdate_add_months(date, -cfg->window_months), from36 = civdate_add_months(date, -36);
    int64_t sum = 0;
    int nsum = 0, streak_open = 1;
    for (int i = st->ndebts - 1; i >= 0; i--) {
        const ledger_debt *d = &st->debts[i];
        if (d->kind != LEDGER_BILL || d->date > date)
            continue;
        out->total_bills++;
        if (d->date > from) {
            sum += d->principal_fen;
            nsum++;
        }
        if (d->due >= date)
            continue; /* not yet due: neither on time nor late */
        int late = bill_days_late(d, date, cfg->late_grace_days);
        if (d->open_fen > 0 && d->settled < 0)
            out->unpaid_overdue_bills++;
        if (d->due > from) {
            out->bills++;
            out->overdue_bills += late > 0;
            out->days_late += late;
        }
        if (late > 0 && d->due > from36)
            out->late_36m++;
        if (streak_open && late == 0 && (d->settled >= 0 || d->principal_fen == 0))
            out->streak++;
        else if (d->principal_fen > 0)
            streak_open = 0;
    }
    out->avg_bill_fen = nsum ? sum / nsum : 0;
    out->overdue_fen = a.arrears_fen;
    if (a.arrears_fen > 0)
        out->overdue_ratio_pm = out->avg_bill_fen > 0 ? a.arrears_fen * 1000 / out->avg_bill_fen : 1000000;
    out->bounced = count_since(st->bounced, st->nbounced, from, date);
    out->run_dry = count_since(st->run_dry, st->nrun_dry, from, date);
    out->last_theft = last_event(st->theft, st->ntheft, date);
    out->last_illegal = last_event(st->illegal, st->nillegal, date);
    return GL_OK;
}

static int64_t capped(int64_t v, int64_t cap)
{
    return v < cap ? v : cap;
}

void grade_score(const grade_cfg *cfg, const grade_metrics *m, grade_result *out)
{
    const int64_t values[GRADE_C_COUNT] = {m->overdue_bills, m->days_late, m->overdue_ratio_pm,
                                           m->bounced,       m->run_dry,   m->streak};
    int64_t score = GRADE_FULL_CP;
    for (int c = 0; c < GRADE_C_COUNT; c++) {
        int64_t pts;
        if (c == GRADE_C_OVERDUE_RATIO)
            pts = -capped(values[c] * cfg->weight_cp[c] / 1000, cfg->cap[c]);
        else if (c == GRADE_C_STREAK)
            pts = capped(values[c], cfg->cap[c]) * cfg->weight_cp[c];
        else
            pts = -capped(values[c], cfg->cap[c]) * cfg->weight_cp[c];
        out->comp[c].id = (grade_component_id)c;
        out->comp[c].value = values[c];
        out->comp[c].points_cp = pts;
        score += pts;
    }
    out->score_cp = score < 0 ? 0 : score > GRADE_FULL_CP ? GRADE_FULL_CP : score;
    out->score_grade = cfg->ngrades - 1;
    for (int g = 0; g < cfg->ngrades; g++) {
        if (out->score_cp >= cfg->min_cp[g]) {
            out->score_grade = g;
            break;
        }
    }
}

/* The grade the date alone gives (score, overrides, new customer), with its reason. */
static void raw_grade(const grade_cfg *cfg, int32_t date, grade_result *r)
{
    int lowest = cfg->ngrades - 1;
    const grade_metrics *m = &r->m;
    grade_score(cfg, m, r);
    r->grade = r->score_grade;
    r->reason = GRADE_BY_SCORE;
    r->override_until = -1;
    if (cfg->theft_months > 0 && m->last_theft >= 0 && civdate_add_months(m->last_theft, cfg->theft_months) > date) {
        r->grade = lowest;
        r->reason = GRADE_OVERRIDE_THEFT;
        r->override_until = civdate_add_months(m->last_theft, cfg->theft_months);
    } else if (cfg->illegal_months > 0 && m->last_illegal >= 0 &&
               civdate_add_months(m->last_illegal, cfg->illegal_months) > date) {
        r->grade = lowest;
        r->reason = GRADE_OVERRIDE_ILLEGAL;
        r->override_until = civdate_add_months(m->last_illegal, cfg->illegal_months);
    } else if (cfg->arrears_bills > 0 && m->unpaid_overdue_bills >= cfg->arrears_bills) {
        r->grade = lowest;
        r->reason = GRADE_OVERRIDE_ARREARS;
    } else if (cfg->max_overdue_per_year > 0 && m->overdue_bills > cfg->max_overdue_per_year) {
        r->grade = lowest;
        r->reason = GRADE_OVERRIDE_COUNT;
    } else if (m->total_bills < cfg->new_customer_bills && r->grade < cfg->start_grade) {
        r->grade = cfg->start_grade;
        r->reason = GRADE_NEW_CUSTOMER;
    }
}

/* The first cycle date after day: 1 January + k * cycle_months. */
static int32_t next_cycle(const grade_cfg *cfg, int32_t day)
{
    int32_t c = civdate_from_ymd(civdate_year(day), 1, 1);
    while (c <= day)
        c = civdate_add_months(c, cfg->cycle_months);
    return c;
}

static gl_status evaluate(ledger_state *st, const grade_cfg *cfg, int32_t date, grade_result *r)
{
    gl_status s = ledger_run(st, date);
    if (s == GL_OK)
        s = grade_metrics_at(st, cfg, date, &r->m);
    if (s == GL_OK)
        raw_grade(cfg, date, r);
    return s;
}

gl_status grade_account(const ledger_account *acct, const ledger_cfg *lcfg, const grade_cfg *cfg, int32_t as_of,
                        ledger_state *st, grade_result *out)
{
    if (acct == NULL || lcfg == NULL || cfg == NULL || st == NULL || out == NULL)
        return GL_EINVAL;
    gl_status s = ledger_begin(st, acct, lcfg);
    if (s != GL_OK)
        return s;
    int grade = cfg->start_grade;
    int32_t last_cycle = -1;
    if (acct->nentries > 0) {
        for (int32_t c = next_cycle(cfg, acct->entries[0].date); c <= as_of && s == GL_OK;
             c = civdate_add_months(c, cfg->cycle_months)) {
            s = evaluate(st, cfg, c, out);
            if (s != GL_OK)
                break;
            grade = out->grade >= grade ? out->grade : grade - 1; /* down at once, up one step */
            last_cycle = c;
        }
    }
    if (s == GL_OK)
        s = evaluate(st, cfg, as_of, out);
    if (s != GL_OK)
        return s;
    out->prev_grade = grade;
    out->last_cycle = last_cycle;
    if (last_cycle == as_of) {
        if (out->grade < grade) {
            out->grade = grade;
            out->reason = GRADE_STEP_LIMIT;
        }
    } else if (out->grade < grade) {
        out->grade = grade;
        out->reason = GRADE_HELD_UNTIL_CYCLE;
    }
    return GL_OK;
}
