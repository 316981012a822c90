/* measures.h: what a credit grade changes for a customer.
 *
 * A table per segment (the five customer classes, and large customers of
 * any class: contracted capacity at or above large_capacity_kva) and grade
 * says how the customer is read (polling interval, billing-quality reading,
 * swings watched), billed (monthly, in instalments 分次结算, moved to
 * prepayment 预购电 or to load-controlled purchase 负荷控制购电), what
 * deposit (保证金) is asked and in which form, and which service standard
 * is owed (reconnection time, priority, account manager, payment methods,
 * the standard's contents, prompted to whoever serves the customer).
 * Besides the table: the yearly count rule (more than max_arrears_per_year
 * overdue bills in the grading window singles the customer out) and a
 * configured range of customers per grade (reported, never regraded).
 * Instalments: a month's bill settled in 2..4 parts, the provisional ones
 * on configured days, the last (the monthly close) reconciling to the exact
 * monthly bill to the fen. Pure: no I/O, no clock, no allocation. */
#ifndef GRIDLEDGER_MEASURES_H
#define GRIDLEDGER_MEASURES_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "gridledger/grade.h"
#include "gridledger/jsonv.h"
#include "gridledger/ledger.h"
#include "gridledger/status.h"

#define MEASURES_SEG_LARGE LEDGER_CLASS_COUNT   /* the segment after the classes */
#define MEASURES_SEG_COUNT (LEDGER_CLASS_COUNT + 1)
#define MEASURES_MAX_INSTALMENTS 4              /* 2..4 parts: up to 3 provisional days + the close */
#define MEASURES_MAX_METHODS 6
#define MEASURES_METHOD_MAX 16
#define MEASURES_TEXT_MAX 96

typedef enum measures_reading {
    MEASURES_READ_MONTHLY = 0,     /* what monthly billing needs */
    MEASURES_READ_DAILY_FROZEN,    /* the meter's daily frozen readings */
    MEASURES_READ_INTERVAL,        /* load profile at the polling interval */
} measures_reading;

typedef enum measures_billing {
    MEASURES_BILL_MONTHLY = 0,     /* one bill a month, post-paid */
    MEASURES_BILL_INSTALMENTS,     /* 分次结算: provisional parts, the monthly close reconciles */
    MEASURES_BILL_PREPAYMENT,      /* 预购电: move to prepayment */
    MEASURES_BILL_LOAD_CONTROLLED, /* 负荷控制购电: supply follows the amount bought */
} measures_billing;

typedef enum measures_deposit_kind {
    MEASURES_DEP_CASH_OR_NON_CASH = 0, /* cash, bank guarantee or insurance bond */
    MEASURES_DEP_CASH,
    MEASURES_DEP_NON_CASH,
} measures_deposit_kind;

/* One cell of the table: a segment's measures at one grade. */
typedef struct measures_entry {
    int poll_interval_s;           /* 0: the gateway's poll_interval_s */
    measures_reading reading;
    int watch_swings;              /* consumption swings reported */
    measures_billing billing;
    int ndays;                     /* instalments: provisional settlement days, rising */
    int days[MEASURES_MAX_INSTALMENTS - 1]; /* day of the month, 1..28 */
    measures_deposit_kind deposit;
    int reconnect_hours;           /* promised reconnection after payment */
    int priority;                  /* priority handling */
    int account_manager;           /* a named account manager */
    int nmethods;
    char methods[MEASURES_MAX_METHODS][MEASURES_METHOD_MAX]; /* payment methods offered */
    char service[MEASURES_TEXT_MAX]; /* the standard's contents, as prompted */
} measures_entry;

typedef struct measures_cfg {
    int64_t large_kva_milli;       /* capacity at or above: large customer (315 kVA); 0: none */
    int max_arrears_per_year;      /* 5: more overdue bills in the window singles out; 0: off */
    int deposit_reminder_days;     /* a non-cash deposit is reminded this many days before it expires: 30 */
    int pop_min[GRADE_MAX];        /* customers per grade, -1: no bound */
    int pop_max[GRADE_MAX];
    measures_entry table[MEASURES_SEG_COUNT][GRADE_MAX];
} measures_cfg;

/* What the caller knows of one customer when grading. */
typedef struct measures_input {
    ledger_class klass;
    int prepaid;                   /* already on prepayment */
    int64_t capacity_kva_milli;    /* contracted capacity; 0 if unknown */
    int grade;                     /* index, 0 best */
    int overdue_bills;             /* overdue bills in the grading window */
    int64_t deposit_required_fen;  /* collect_deposit_required */
    int64_t deposit_held_fen;      /* cash held (the ledger's deposits) */
    int deposit_refundable;        /* collect_deposit_refundable */
    int64_t deposit_noncash_fen;   /* bank guarantees and insurance bonds in force (not expired) */
} measures_input;

typedef enum measures_change {
    MEASURES_NONE = 0,
    MEASURES_PROPOSE,   /* prepayment: proposed on the worklist; deposit: requested */
    MEASURES_IN_FORCE,  /* prepayment: already prepaid */
    MEASURES_RELEASE,   /* deposit: to be returned (the refund rule holds) */
} measures_change;

typedef struct measures_result {
    int segment;                   /* ledger class, or MEASURES_SEG_LARGE */
    int grade;
    const measures_entry *e;       /* the table cell applied (into cfg) */
    measures_change payment_mode;  /* for prepayment / load-controlled billing */
    measures_change deposit;
    int64_t deposit_fen;           /* requested (required - held) or released (cash held) */
    int64_t deposit_held_fen;      /* what counts toward the requirement: cash, and non-cash unless the cell asks cash */
    int singled_out;               /* the count rule */
} measures_result;

/* One instalment of a month (分次结算). */
typedef struct measures_instalment {
    int32_t date;                  /* settlement day */
    int32_t due;                   /* its own due date (penalty clock) */
    int64_t amount_fen;            /* the last may be negative: a credit */
    int final;                     /* the monthly close */
} measures_instalment;

/* measures_cfg_default: the defaults of docs/credit.md for ngrades grades
 * (best first): see "What a grade changes". */
void measures_cfg_default(measures_cfg *cfg, int ngrades);

/* measures_cfg_parse: the `credit.measures` object at path (node may be
 * NULL: defaults kept) into cfg, grade names from g; every problem reported
 * on doc with its position. Returns the number of problems. */
int measures_cfg_parse(jsonv_doc *doc, const cJSON *node, const char *path, const grade_cfg *g, measures_cfg *cfg);

/* measures_segment: MEASURES_SEG_LARGE for a large customer, else its class. */
int measures_segment(const measures_cfg *cfg, ledger_class klass, int64_t capacity_kva_milli);

/* measures_eval: the measures in force for in (grade within cfg's table). */
gl_status measures_eval(const measures_cfg *cfg, const measures_input *in, measures_result *out);

/* measures_population: for each of ngrades grades, -1 if counts[g] is
 * below its range, 1 above, 0 inside (or no range). Returns how many are
 * outside. */
int measures_population(const measures_cfg *cfg, int ngrades, const int *counts, int *out);

/* measures_instalments: the parts of one month for cell e, period
 * [from, to) (civil days), each due due_days after its date:
 * provisional_fen[i] is the amount settled on days[i] (the caller prices
 * the consumption of its part); the last part is monthly_fen minus the
 * provisional ones, so the parts add up to the monthly bill exactly.
 * A settlement day outside the period, or a part of 0.00, is skipped (its
 * amount carried to the close); parts come in date order. out holds up to MEASURES_MAX_INSTALMENTS; *n gets the count.
 * GL_EINVAL if e is not instalment billing; GL_EOVERFLOW on overflow. */
gl_status measures_instalments(const measures_entry *e, int32_t from, int32_t to, int due_days,
                               const int64_t *provisional_fen, int64_t monthly_fen, measures_instalment *out,
                               int *n);

/* Stable names for output. */
const char *measures_segment_name(int segment);
const char *measures_reading_name(measures_reading r);
const char *measures_billing_name(measures_billing b);
const char *measures_deposit_name(measures_deposit_kind k);
const char *measures_change_name(measures_change c);

#endif
