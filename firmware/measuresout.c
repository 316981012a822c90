/* measuresout.c: the measures of a credit result as JSON (see measuresout.h). */
#include "measuresout.h"

#include "gridledger/money.h"
#include "outfmt.h"

static const char *tf(int v)
{
    return v ? "true" : "false";
}

static const char *fen(int64_t v, char *buf)
{
    if (money_format(v, MONEY_SCALE_FEN, buf, MONEY_FMT_MAX) != GL_OK)
        snprintf(buf, MONEY_FMT_MAX, "?");
    return buf;
}

static void reading_json(FILE *f, const measures_entry *e)
{
    fprintf(f, "\"reading\": {\"poll_interval_s\": %d, \"quality\": \"%s\", \"watch_swings\": %s}",
            e->poll_interval_s, measures_reading_name(e->reading), tf(e->watch_swings));
}

static void billing_json(FILE *f, const measures_entry *e, const measures_result *m)
{
    fprintf(f, "\"billing\": {\"mode\": \"%s\", \"instalment_days\": [", measures_billing_name(e->billing));
    for (int i = 0; e->billing == MEASURES_BILL_INSTALMENTS && i < e->ndays; i++)
        fprintf(f, "%s%d", i ? ", " : "", e->days[i]);
    fprintf(f, "], \"change\": \"%s\"}", measures_change_name(m->payment_mode));
}

static void deposit_json(FILE *f, const measures_entry *e, const credit_result *r)
{
    char b1[MONEY_FMT_MAX], b2[MONEY_FMT_MAX], b3[MONEY_FMT_MAX], b4[MONEY_FMT_MAX];
    fprintf(f, "\"deposit\": {\"kind\": \"%s\", \"required\": \"%s\", \"held\": \"%s\", \"change\": \"%s\", \"amount\": \"%s\"",
            measures_deposit_name(e->deposit), fen(r->deposit_required_fen, b1), fen(r->measures.deposit_held_fen, b2),
            measures_change_name(r->measures.deposit), fen(r->measures.deposit_fen, b3));
    if (r->deposit_noncash_fen > 0) /* guarantees and bonds in force; counted in held unless the cell asks cash */
        fprintf(f, ", \"non_cash\": \"%s\"", fen(r->deposit_noncash_fen, b4));
    fputc('}', f);
}

static void service_json(FILE *f, const measures_entry *e)
{
    fprintf(f, "\"service\": {\"reconnect_hours\": %d, \"priority\": %s, \"account_manager\": %s, \"payment_methods\": [",
            e->reconnect_hours, tf(e->priority), tf(e->account_manager));
    for (int i = 0; i < e->nmethods; i++) {
        fputs(i ? ", " : "", f);
        outfmt_json_string(f, e->methods[i]);
    }
    fputs("], \"contents\": ", f);
    outfmt_json_string(f, e->service);
    fputc('}', f);
}

void measuresout_json(FILE *f, const creditcfg *cc, const credit_result *r)
{
    const measures_result *m = &r->measures;
    const char *grade = cc->grade.names[m->grade], *seg = measures_segment_name(m->segment);
    if (m->e == NULL) {
        fputs("\"measures\": null", f);
        return;
    }
    fprintf(f, "\"measures\": {\"segment\": \"%s\", \"grade\": ", seg);
    outfmt_json_string(f, grade);
    fprintf(f, ", \"rule\": \"credit.measures.table.%s.", seg);
    fputs(grade, f);
    fputs("\", ", f);
    reading_json(f, m->e);
    fputs(", ", f);
    billing_json(f, m->e, m);
    fputs(", ", f);
    deposit_json(f, m->e, r);
    fputs(", ", f);
    service_json(f, m->e);
    fprintf(f, ", \"count_rule\": {\"overdue_bills\": %d, \"max_per_year\": %d, \"singled_out\": %s}}",
            r->grade.m.overdue_bills, cc->measures.max_arrears_per_year, tf(m->singled_out));
}

void measuresout_population_json(FILE *f, const creditcfg *cc, const int *counts)
{
    int outside[GRADE_MAX];
    measures_population(&cc->measures, cc->grade.ngrades, counts, outside);
    fputs("\"population\": [", f);
    for (int g = 0; g < cc->grade.ngrades; g++) {
        fputs(g ? ", " : "", f);
        fputs("{\"grade\": ", f);
        outfmt_json_string(f, cc->grade.names[g]);
        fprintf(f, ", \"customers\": %d, \"min\": ", counts[g]);
        if (cc->measures.pop_min[g] >= 0)
            fprintf(f, "%d", cc->measures.pop_min[g]);
        else
            fputs("null", f);
        fputs(", \"max\": ", f);
        if (cc->measures.pop_max[g] >= 0)
            fprintf(f, "%d", cc->measures.pop_max[g]);
        else
            fputs("null", f);
        fprintf(f, ", \"outside\": \"%s\"}", outside[g] < 0 ? "below" : outside[g] > 0 ? "above" : "no");
    }
    fputc(']', f);
}
