/* bo_contact.c: contact validation and CSV splitting (see bo_contact.h). */
#include "bo_contact.h"

#include <stdio.h>
#include <string.h>

#include "bo_ingest.h"

static const char *const fields[BO_CONTACT_NFIELDS] = {
    "customer", "name", "mobile", "email", "address", "channel", "consent_sms", "consent_email", "lang",
};

const char *const *bo_contact_fields(void)
{
    return fields;
}

int bo_contact_field_index(const char *name)
{
    for (int i = 0; i < BO_CONTACT_NFIELDS; i++)
        if (strcmp(fields[i], name) == 0)
            return i;
    return -1;
}

static void say(char *why, size_t cap, const char *what)
{
    if (why && cap)
        snprintf(why, cap, "%s", what);
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

gl_status bo_contact_mobile_norm(const char *in, char *out, size_t cap, char *why, size_t whycap)
{
    size_t n = strlen(in);
    if (in[0] == '+' && n >= 9 && n <= 16 && in[1] != '0' && all_digits(in + 1, n - 1)) {
        snprintf(out, cap, "%s", in);
        return GL_OK;
    }
    if (n == 11 && in[0] == '1' && in[1] >= '3' && in[1] <= '9' && all_digits(in, n)) {
        snprintf(out, cap, "+86%s", in);
        return GL_OK;
    }
    say(why, whycap, "not an E.164 number (+ and 8..15 digits) or a mainland mobile (11 digits, 13x..19x)");
    return GL_ESYNTAX;
}

static int atext(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* local_ok: a dot-atom of 1..64 characters. */
static int local_ok(const char *s, size_t n)
{
    if (n == 0 || n > 64 || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(atext(s[i]) || (s[i] == '.' && s[i + 1] != '.')))
            return 0;
    return 1;
}

/* domain_ok: labels of 1..63 letters, digits, hyphens (not at either end), at least two. */
static int domain_ok(const char *s)
{
    size_t n = strlen(s), label = 0;
    int labels = 1;
    if (n == 0 || n > 255)
        return 0;
    for (size_t i = 0; i <= n; i++) {
        char c = s[i];
        if (c == '.' || c == '\0') {
            if (label == 0 || label > 63 || s[i - 1] == '-')
                return 0;
            labels += c == '.';
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   (c == '-' && label > 0)) {
            label++;
        } else {
            return 0;
        }
    }
    return labels >= 2;
}

int bo_contact_email_valid(const char *s)
{
    const char *at = strrchr(s, '@');
    if (!at || strlen(s) > 254)
        return 0;
    return local_ok(s, (size_t)(at - s)) && domain_ok(at + 1);
}

/* check_mobiles: each ';'-separated number normalised, joined again with ';'. */
static gl_status check_mobiles(char *val, size_t cap, char *why, size_t whycap)
{
    char out[BO_CONTACT_FIELD_MAX] = "", one[64], norm[64];
    const char *p = val;
    while (*p) {
        size_t n = strcspn(p, ";");
        if (n == 0 || n >= sizeof one) {
            say(why, whycap, n ? "a number too long" : "an empty number between ';'");
            return GL_ESYNTAX;
        }
        memcpy(one, p, n);
        one[n] = '\0';
        if (bo_contact_mobile_norm(one, norm, sizeof norm, why, whycap) != GL_OK)
            return GL_ESYNTAX;
        size_t used = strlen(out);
        if (used + strlen(norm) + 2 > sizeof out) {
            say(why, whycap, "too many numbers");
            return GL_ESYNTAX;
        }
        snprintf(out + used, sizeof out - used, "%s%s", used ? ";" : "", norm);
        p += n + (p[n] == ';');
    }
    snprintf(val, cap, "%s", out);
    return GL_OK;
}

static gl_status one_of(const char *val, const char *const *ok, const char *msg, char *why, size_t whycap)
{
    for (int i = 0; ok[i]; i++)
        if (strcmp(val, ok[i]) == 0)
            return GL_OK;
    say(why, whycap, msg);
    return GL_ESYNTAX;
}

gl_status bo_contact_check_field(int i, char *val, size_t cap, char *why, size_t whycap)
{
    static const char *const channels[] = {"sms", "email", "letter", "phone", NULL};
    static const char *const yesno[] = {"yes", "no", NULL};
    static const char *const langs[] = {"zh", "en", NULL};
    switch (i) {
    case 0:
        if (bo_valid_id(val))
            return GL_OK;
        say(why, whycap, "must be 1..64 of A-Z a-z 0-9 . _ -");
        return GL_ESYNTAX;
    case 1:
    case 4:
        return GL_OK;
    case 2:
        return check_mobiles(val, cap, why, whycap);
    case 3:
        if (!val[0] || bo_contact_email_valid(val))
            return GL_OK;
        say(why, whycap, "not an RFC 5321 address (local@domain.tld)");
        return GL_ESYNTAX;
    case 5:
        return one_of(val, channels, "must be sms|email|letter|phone", why, whycap);
    case 6:
    case 7:
        return one_of(val, yesno, "must be yes|no", why, whycap);
    case 8:
        return one_of(val, langs, "must be zh|en", why, whycap);
    default:
        say(why, whycap, "unknown field");
        return GL_EINVAL;
    }
}

int bo_csv_split(const char *line, char out[][BO_CONTACT_FIELD_MAX], int *col, int max, int *bad_col)
{
    int nf = 0;
    size_t i = 0;
    for (;;) {
        size_t len = 0;
        int quoted = line[i] == '"';
        if (nf == max) {
            *bad_col = (int)i + 1;
            return -1;
        }
        col[nf] = (int)i + 1;
        i += (size_t)quoted;
        for (;; i++) {
            char c = line[i];
            if (quoted && c == '"' && line[i + 1] == '"') {
                i++;
            } else if (quoted && c == '"') {
                i++;
                break;
            } else if (c == '\0' || c == '\n' || c == '\r' || (!quoted && c == ',')) {
                if (quoted) {
                    *bad_col = col[nf];
                    return -1;
                }
                break;
            }
            if (len + 1 >= BO_CONTACT_FIELD_MAX) {
                *bad_col = col[nf];
                return -1;
            }
            out[nf][len++] = line[i];
        }
        out[nf++][len] = '\0';
        if (line[i] != ',') {
            if (line[i] != '\0' && line[i] != '\n' && line[i] != '\r') {
                *bad_col = (int)i + 1; /* text after a closing quote */
                return -1;
            }
            return nf;
        }
        i++;
    }
}
