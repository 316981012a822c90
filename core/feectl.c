/* feectl.c: prepaid fee control (see feectl.h). */
#include "gridledger/feectl.h"

#include <string.h>

const char *feectl_action_name(feectl_action a)
{
    static const char *const names[] = {"none", "warn", "notice", "disconnect", "reconnect"};
    return (unsigned)a < sizeof names / sizeof names[0] ? names[a] : "?";
}

void feectl_cfg_default(feectl_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->nwarn = 3;
    cfg->warn_fen[0] = 5000;
    cfg->warn_fen[1] = 2000;
    cfg->warn_fen[2] = 1000;
    cfg->notice_minutes = 30;
    cfg->reconnect_minutes = 10;
    cfg->rounding = MONEY_HALF_UP;
}

gl_status feectl_charge(const feectl_cfg *cfg, int64_t energy_wh, int64_t price_micro, int64_t *balance_fen)
{
    int64_t cost;
    if (cfg == NULL || balance_fen == NULL || energy_wh < 0)
        return GL_EINVAL;
    /* Wh (10^-3 kWh) x micro-yuan (10^-6) -> fen (10^-2): shift 3 + 6 - 2 = 7 */
    gl_status st = money_mul_round(energy_wh, price_micro, 7, cfg->rounding, &cost);
    if (st == GL_OK)
        st = money_sub(*balance_fen, cost, balance_fen);
    return st;
}

gl_status feectl_decide(const feectl_cfg *cfg, const collect_calendar *cal, const feectl_input *in,
                        feectl_decision *out)
{
    if (cfg == NULL || cal == NULL || in == NULL || out == NULL)
        return GL_EINVAL;
    memset(out, 0, sizeof *out);
    out->at_minute = in->now_minute;
    int exhausted = in->balance_fen <= -cfg->emergency_fen;
    feectl_input fresh;
    if (in->topped_up && in->supply_on) { /* the earlier warnings and notice no longer stand */
        fresh = *in;
        fresh.warned_level = 0;
        fresh.notice_minute = -1;
        in = &fresh;
        out->reset = 1;
    }
    if (!in->supply_on) {
        if (!exhausted) {
            out->action = FEECTL_RECONNECT;
            out->at_minute = (in->topup_minute >= 0 ? in->topup_minute : in->now_minute) + cfg->reconnect_minutes;
        }
        return GL_OK;
    }
    if (exhausted) {
        if (in->notice_minute < 0) {
            out->action = FEECTL_NOTICE;
            return GL_OK;
        }
        int64_t from = in->notice_minute + cfg->notice_minutes;
        if (from < in->now_minute)
            from = in->now_minute;
        int64_t slot = collect_next_slot(cal, from);
        if (slot < 0)
            return GL_ESTATE;
        out->action = FEECTL_DISCONNECT;
        out->at_minute = slot;
        return GL_OK;
    }
    int level = 0;
    for (int i = 0; i < cfg->nwarn && i < FEECTL_MAX_WARN; i++)
        if (in->balance_fen <= cfg->warn_fen[i])
            level = i + 1;
    if (level > in->warned_level) {
        out->action = FEECTL_WARN;
        out->level = level;
    }
    return GL_OK;
}
