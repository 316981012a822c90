/* bo_contact.h: a customer's contact as the back office keeps it (personal
 * data stays here, never on the gateway), its validation and its CSV form.
 *
 * CSV (RFC 4180, a header row naming the columns in any order):
 *   customer,name,mobile,email,address,channel,consent_sms,consent_email,lang
 * mobile: one or more numbers separated by ';', each E.164 (+ and 8..15
 * digits) or a mainland 11-digit mobile (1[3-9]xxxxxxxxx, kept as +86...);
 * email: an RFC 5321 path (local part <= 64, domain <= 255, whole <= 254);
 * channel: sms|email|letter|phone; consent_*: yes|no; lang: zh|en. */
#ifndef BO_CONTACT_H
#define BO_CONTACT_H

#include <stddef.h>

#include "gridledger/status.h"

#define BO_CONTACT_NFIELDS 9
#define BO_CONTACT_FIELD_MAX 256

typedef struct bo_contact {
    char v[BO_CONTACT_NFIELDS][BO_CONTACT_FIELD_MAX]; /* in bo_contact_fields() order */
} bo_contact;

/* bo_contact_fields: the field names, in column order. */
const char *const *bo_contact_fields(void);

/* bo_contact_field_index: the index of name, or -1. */
int bo_contact_field_index(const char *name);

/* bo_contact_mobile_norm: one number -> E.164 in out ("+8613800138000");
 * GL_ESYNTAX with why when it is neither E.164 nor a mainland mobile. */
gl_status bo_contact_mobile_norm(const char *in, char *out, size_t cap, char *why, size_t whycap);

/* bo_contact_email_valid: 1 if s is an RFC 5321 mailbox (dot-atom local
 * part, a domain of at least two labels of letters, digits and hyphens). */
int bo_contact_email_valid(const char *s);

/* bo_contact_check_field: validates (and normalises in place) field i;
 * GL_OK or GL_ESYNTAX with why. An empty mobile or email is allowed. */
gl_status bo_contact_check_field(int i, char *val, size_t cap, char *why, size_t whycap);

/* bo_csv_split: splits one CSV record (RFC 4180 quotes, no newline inside)
 * into at most max fields copied into out[i] (cap each); col[i] gets the
 * 1-based column where field i starts. Returns the count, or -1 with *bad_col
 * at an unterminated quote or a field too long. */
int bo_csv_split(const char *line, char out[][BO_CONTACT_FIELD_MAX], int *col, int max, int *bad_col);

#endif
