/* bo_contacts.h: the contacts table (bo_contact.h for the fields) and the
 * `contacts` command. */
#ifndef BO_CONTACTS_H
#define BO_CONTACTS_H

#include "bo_contact.h"
#include "bo_db.h"

/* bo_contacts_save: upserts c (already validated), one contacts_audit row
 * per field that changed (by who at ts); *changed gets how many. Joins the
 * caller's transaction. */
gl_status bo_contacts_save(bo_db *db, const bo_contact *c, const char *who, long long ts, int *changed);

/* bo_contacts_find: the contact of customer; *found 0 when there is none. */
gl_status bo_contacts_find(bo_db *db, const char *customer, bo_contact *c, int *found);

#endif
