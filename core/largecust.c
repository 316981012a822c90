/* largecust.c: a large customer's month against its area (largecust.h). */
#include "gridledger/largecust.h"

#include <stddef.h>
#include <string.h>

#include "gridledger/money.h"

/* GB/T 4754-2017 国民经济行业分类, sections (门类) A..T. */
static const char *const industries[] = {
    "Agriculture, forestry, animal husbandry, fishery", /* A 农、林、牧、渔业 */
    "Mining",                                         /* B 采矿业 */
    "Manufacturing",                                  /* C 制造业 */
    "Electricity, heat, gas and water supply",        /* D 电力、热力、燃气及水生产和供应业 */
    "Construction",                                   /* E 建筑业 */
    "Wholesale and retail",                           /* F 批发和零售业 */
    "Transport, storage and post",                    /* G 交通运输、仓储和邮政业 */
    "Accommodation and catering",                     /* H 住宿和餐饮业 */
    "Information transmission, software, IT services", /* I 信息传输、软件和信息技术服务业 */
    "Finance",                                        /* J 金融业 */
    "Real estate",                                    /* K 房地产业 */
    "Leasing and business services",                  /* L 租赁和商务服务业 */
    "Scientific research and technical services",     /* M 科学研究和技术服务业 */
    "Water, environment and public facilities",       /* N 水利、环境和公共设施管理业 */
    "Residential, repair and other services",         /* O 居民服务、修理和其他服务业 */
    "Education",                                      /* P 教育 */
    "Health and social work",                         /* Q 卫生和社会工作 */
    "Culture, sports and entertainment",              /* R 文化、体育和娱乐业 */
    "Public administration and social organisations", /* S 公共管理、社会保障和社会组织 */
    "International organisations",                   /* T 国际组织 */
};

const char *largecust_industry(const char *s)
{
    if (s == NULL || s[0] < 'A' || s[0] > 'T' || s[1] != '\0')
        return NULL;
    return industries[s[0] - 'A'];
}

/* fen / Wh = 10 yuan / kWh; micro-yuan per kWh: fen * 10^7 / Wh. */
gl_status largecust_price(int64_t amount_fen, int64_t energy_wh, int64_t *price_micro)
{
    if (energy_wh <= 0)
        return GL_ERANGE;
    return money_muldiv_round(amount_fen, 10000000, energy_wh, MONEY_HALF_UP, price_micro);
}

gl_status largecust_area_effect(int64_t area_fen, int64_t area_wh, int64_t cust_fen, int64_t cust_wh,
                                largecust_effect *out)
{
    gl_status st = GL_ERANGE;
    memset(out, 0, sizeof *out);
    if (area_wh <= 0 || cust_wh < 0 || cust_wh > area_wh)
        return st;
    st = largecust_price(area_fen, area_wh, &out->with_micro);
    if (st != GL_OK || cust_wh == area_wh)
        return st;
    st = largecust_price(area_fen - cust_fen, area_wh - cust_wh, &out->without_micro);
    if (st == GL_OK) {
        out->has_without = 1;
        out->effect_micro = out->with_micro - out->without_micro;
    }
    return st;
}

gl_status largecust_swing(int64_t energy_wh, const int64_t *prev_wh, int nprev, int64_t *swing_bp)
{
    int64_t sum = 0, scaled = 0, diff = 0;
    if (nprev < 1 || nprev > 3 || prev_wh == NULL)
        return GL_ERANGE;
    for (int i = 0; i < nprev; i++)
        if (money_add(sum, prev_wh[i], &sum) != GL_OK)
            return GL_EOVERFLOW;
    if (sum <= 0)
        return GL_ERANGE;
    /* (E - sum/n) / (sum/n) = (E*n - sum) / sum */
    if (money_mul_round(energy_wh, nprev, 0, MONEY_HALF_UP, &scaled) != GL_OK || money_sub(scaled, sum, &diff) != GL_OK)
        return GL_EOVERFLOW;
    return money_muldiv_round(diff, 10000, sum, MONEY_HALF_UP, swing_bp);
}
