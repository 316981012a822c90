/* bo_notice.c: templates, rendering and SMS segments (see bo_notice.h). */
#include "bo_notice.h"

#include <stdio.h>
#include <string.h>

#include "gridledger/money.h"
#include "gridledger/utf8.h"

typedef struct tmpl_def {
    const char *action, *zh, *en;
} tmpl_def;

/* Built-in texts; the config's notices.templates replace any of them. */
static const tmpl_def defaults[] = {
    {"reminder", "【供电公司】尊敬的{name}（户号{customer}），您的电费{principal}元将于{deadline}到期，请按时缴纳。",
     "Power company: dear {name} ({customer}), your bill of {principal} yuan is due on {deadline}."},
    {"sms", "【供电公司】{name}（户号{customer}）：您已欠电费{principal}元，违约金{penalty}元，合计{total}元，请尽快缴纳。",
     "Power company: {name} ({customer}) owes {principal} yuan plus a late fee of {penalty} yuan, {total} yuan in all. "
     "Please pay soon."},
    {"written_notice", "【供电公司】催费通知：{name}（户号{customer}）欠电费{principal}元，违约金{penalty}元，请于{deadline}前缴清。",
     "Power company notice: {name} ({customer}) owes {principal} yuan, late fee {penalty} yuan; pay by {deadline}."},
    {"disconnect_notice",
     "【供电公司】停电通知：{name}（户号{customer}）欠电费{principal}元，违约金{penalty}元。如{deadline}前仍未缴清，将依法中止供电。",
     "Power company: disconnection notice to {name} ({customer}): {principal} yuan owed, late fee {penalty} yuan. "
     "Unless paid by {deadline}, supply will be suspended as the law allows."},
    {"notice_1h", "【供电公司】{name}（户号{customer}）：因欠费{principal}元，将于{deadline}中止供电。",
     "Power company: supply to {name} ({customer}) will be suspended at {deadline} for {principal} yuan owed."},
    {"confirm_30min", "【供电公司】{name}（户号{customer}）：欠费{principal}元未缴，30分钟后（{deadline}）中止供电。",
     "Power company: {name} ({customer}): {principal} yuan unpaid; supply is suspended in 30 minutes ({deadline})."},
    {"exhaustion_notice", "【供电公司】{name}（户号{customer}）：预付电费已用完，请于{deadline}前充值，以免停电。",
     "Power company: {name} ({customer}): your prepaid credit is used up; top up by {deadline} to keep supply."},
    {"notify_authority",
     "【供电公司】重要客户停电告知：{name}（户号{customer}）欠电费{principal}元，违约金{penalty}元，已送达停电通知，"
     "如{deadline}前仍未缴清，将依法中止供电。",
     "Power company: important customer {name} ({customer}) owes {principal} yuan, late fee {penalty} yuan, and has "
     "been sent a disconnection notice; unless paid by {deadline}, supply will be suspended as the law allows."},
    {"credit_report_notice",
     "【供电公司】征信告知：{name}（户号{customer}）欠电费{principal}元，违约金{penalty}元。如{deadline}前仍未缴清，"
     "逾期记录将依法报送金融信用信息基础数据库。",
     "Power company: notice of credit reporting to {name} ({customer}): {principal} yuan owed, late fee {penalty} "
     "yuan. Unless paid by {deadline}, the overdue record will be reported to the credit reference centre as the "
     "law allows."},
    {"bill", "【供电公司】{name}（户号{customer}）：您{episode}的电费为{total}元，请于{deadline}前缴纳。账单见附件。",
     "Power company: {name} ({customer}): your bill for {episode} is {total} yuan, due on {deadline}. "
     "The bill is attached."},
    {"restore", "【供电公司】{name}（户号{customer}）：已恢复供电，感谢您的缴费。",
     "Power company: supply to {name} ({customer}) is restored. Thank you for your payment."},
};

const char *bo_notice_default(const char *action, const char *lang)
{
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        if (strcmp(defaults[i].action, action) == 0)
            return strcmp(lang, "en") == 0 ? defaults[i].en : defaults[i].zh;
    return NULL;
}

/* E-mail subjects: the notice's title, then the customer id. */
static const tmpl_def titles[] = {
    {"reminder", "缴费提醒", "Payment reminder"},
    {"sms", "欠费提醒", "Arrears reminder"},
    {"written_notice", "催费通知书", "Notice of arrears"},
    {"disconnect_notice", "停电通知书", "Disconnection notice"},
    {"notice_1h", "停电预告", "Supply suspended within the hour"},
    {"confirm_30min", "停电确认", "Supply suspended in 30 minutes"},
    {"exhaustion_notice", "预付电费用完", "Prepaid credit used up"},
    {"notify_authority", "重要客户停电告知", "Important customer to be disconnected"},
    {"credit_report_notice", "征信报送告知书", "Notice of credit reporting"},
    {"bill", "电费账单", "Electricity bill"},
    {"restore", "恢复供电", "Supply restored"},
};

const char *bo_notice_title(const char *action, const char *lang)
{
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (strcmp(titles[i].action, action) == 0)
            return strcmp(lang, "en") == 0 ? titles[i].en : titles[i].zh;
    return action;
}

int bo_notice_is_notice(const char *action)
{
    return bo_notice_default(action, "zh") != NULL;
}

static void say(char *why, size_t cap, const char *text, const char *name)
{
    if (why && cap)
        snprintf(why, cap, "%s%s%s", text, name ? name : "", name ? "}" : "");
}

/* value: the text of field name (len bytes) into buf; NULL if unknown. */
static const char *value(const bo_notice_vars *v, const char *const *extra, const char *name, size_t len, char *buf,
                         size_t cap)
{
    int64_t total = 0;
#define IS(s) (strlen(s) == len && memcmp(name, s, len) == 0)
    if (IS("customer"))
        return v->customer ? v->customer : "";
    if (IS("name"))
        return v->name ? v->name : "";
    if (IS("action"))
        return v->action ? v->action : "";
    if (IS("deadline"))
        return v->deadline ? v->deadline : "";
    if (IS("episode"))
        return v->episode ? v->episode : "";
    if (IS("principal"))
        return money_format(v->principal_fen, 2, buf, cap) == GL_OK ? buf : "?";
    if (IS("penalty"))
        return money_format(v->penalty_fen, 2, buf, cap) == GL_OK ? buf : "?";
    if (IS("total"))
        return money_add(v->principal_fen, v->penalty_fen, &total) == GL_OK &&
                       money_format(total, 2, buf, cap) == GL_OK
                   ? buf
                   : "?";
    for (const char *const *e = extra; e && e[0] && e[1]; e += 2)
        if (IS(e[0]))
            return e[1];
#undef IS
    return NULL;
}

gl_status bo_notice_render(const char *tmpl, const bo_notice_vars *v, char *out, size_t cap, char *why,
                           size_t whycap)
{
    return bo_notice_render_more(tmpl, v, NULL, out, cap, why, whycap);
}

gl_status bo_notice_render_more(const char *tmpl, const bo_notice_vars *v, const char *const *extra, char *out,
                                size_t cap, char *why, size_t whycap)
{
    size_t o = 0;
    for (const char *p = tmpl; *p;) {
        char buf[MONEY_FMT_MAX], name[40];
        const char *put = p;
        size_t n = 1;
        if (p[0] == '{' && p[1] == '{') {
            p += 2;
        } else if (p[0] == '{') {
            const char *end = strchr(p, '}');
            if (!end) {
                say(why, whycap, "unclosed { in the template", NULL);
                return GL_ESYNTAX;
            }
            put = value(v, extra, p + 1, (size_t)(end - p - 1), buf, sizeof buf);
            if (!put) {
                snprintf(name, sizeof name, "%.*s", (int)(end - p - 1) > 30 ? 30 : (int)(end - p - 1), p + 1);
                say(why, whycap, "unknown field {", name);
                return GL_ESYNTAX;
            }
            n = strlen(put);
            p = end + 1;
        } else {
            p++;
        }
        if (o + n + 1 > cap) {
            say(why, whycap, "the text is too long", NULL);
            return GL_EBOUND;
        }
        memcpy(out + o, put, n);
        o += n;
    }
    out[o] = '\0';
    return GL_OK;
}

gl_status bo_notice_check(const char *tmpl, char *why, size_t whycap)
{
    char out[BO_NOTICE_TEXT_MAX];
    bo_notice_vars v = {"C-0001", "name", "sms", "2025-01-31", "2025-01-15", 123456, 789};
    return bo_notice_render(tmpl, &v, out, sizeof out, why, whycap);
}

/* decode: one UTF-8 character at s (already validated); *len gets its bytes. */
static uint32_t decode(const unsigned char *s, int *len)
{
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if (s[0] < 0xE0) {
        *len = 2;
        return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    }
    if (s[0] < 0xF0) {
        *len = 3;
        return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    }
    *len = 4;
    return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 | (uint32_t)(s[2] & 0x3F) << 6 |
           (s[3] & 0x3F);
}

/* gsm_septets: septets of c in the GSM 7-bit default alphabet (2 for the
 * extension table), 0 if not in it (ASCII only: the rest goes as UCS-2). */
static int gsm_septets(uint32_t c)
{
    if (c == '\n' || c == '\r')
        return 1;
    if (c < 0x20 || c > 0x7E || c == '`')
        return 0;
    return strchr("[]{}\\^~|", (int)c) ? 2 : 1;
}

gl_status bo_notice_segments(const char *text, bo_notice_seg *out)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text);
    int septets = 0, units = 0, gsm = 1;
    if (!utf8_valid(s, n))
        return GL_ESYNTAX;
    for (size_t i = 0; i < n;) {
        int len, g;
        uint32_t c = decode(s + i, &len);
        g = gsm_septets(c);
        gsm = gsm && g > 0;
        septets += g;
        units += c > 0xFFFF ? 2 : 1;
        i += (size_t)len;
    }
    out->ucs2 = !gsm;
    out->units = gsm ? septets : units;
    int single = gsm ? 160 : 70, part = gsm ? 153 : 67;
    out->segments = out->units <= single ? 1 : (out->units + part - 1) / part;
    return GL_OK;
}

static int hhmm(const char *s, int *min)
{
    if (s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' || s[2] != ':' || s[3] < '0' || s[3] > '5' ||
        s[4] < '0' || s[4] > '9')
        return 0;
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    *min = h * 60 + (s[3] - '0') * 10 + (s[4] - '0');
    return h < 24;
}

gl_status bo_notice_quiet_parse(const char *s, int *from_min, int *to_min)
{
    *from_min = *to_min = 0;
    if (strcmp(s, "none") == 0)
        return GL_OK;
    if (strlen(s) != 11 || s[5] != '-' || !hhmm(s, from_min) || !hhmm(s + 6, to_min) || *from_min == *to_min)
        return GL_ESYNTAX;
    return GL_OK;
}

int bo_notice_quiet(int from_min, int to_min, int now_min)
{
    if (from_min == to_min)
        return 0;
    if (from_min < to_min)
        return now_min >= from_min && now_min < to_min;
    return now_min >= from_min || now_min < to_min;
}
