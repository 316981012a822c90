/* largeup.c: the large customers' profile and capacity changes, sent up (largeup.h). */
#include "largeup.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gridledger/money.h"

static const char *const kind_names[] = {"new", "increase", "reduction"};

/* stored_form: the change as stored ("DATE KIND KVA_MILLI"), recorded now if
 * it was not; a differing config form is counted and the stored one kept. */
static gl_status stored_form(store *s, const char *customer, const config_capacity_change *e, char *form, size_t cap,
                             largeup_result *r)
{
    char key[2 * CONFIG_ID_MAX + 16], mine[64];
    snprintf(key, sizeof key, "capacity.%s.%s", customer, e->id);
    snprintf(mine, sizeof mine, "%s %s %" PRId64, e->date, kind_names[e->kind], e->kva_milli);
    gl_status st = store_kv_get(s, key, form, cap);
    if (st == GL_ENOTFOUND) {
        snprintf(form, cap, "%s", mine);
        r->recorded++;
        return store_kv_set(s, key, mine);
    }
    if (st == GL_OK && strcmp(form, mine) != 0)
        r->conflicts++;
    return st;
}

/* change_json: {"id","date","kind","kva"} from a stored form. */
static cJSON *change_json(const char *id, const char *form)
{
    char date[12] = "", kind[16] = "", kva[MONEY_FMT_MAX] = "0";
    long long milli = 0;
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || sscanf(form, "%11s %15s %lld", date, kind, &milli) != 3 ||
        money_format_trim(milli, 3, 0, kva, sizeof kva) != GL_OK) {
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "date", date);
    cJSON_AddStringToObject(o, "kind", kind);
    cJSON_AddStringToObject(o, "kva", kva);
    return o;
}

static cJSON *customer_json(store *s, const config_customer *c, largeup_result *r, gl_status *st)
{
    char kva[MONEY_FMT_MAX] = "0", form[64];
    cJSON *o = cJSON_CreateObject(), *a = cJSON_CreateArray();
    if (o == NULL || a == NULL || money_format_trim(c->capacity_kva_milli, 3, 0, kva, sizeof kva) != GL_OK) {
        *st = GL_ENOMEM;
        cJSON_Delete(a);
        return o;
    }
    cJSON_AddStringToObject(o, "customer", c->id);
    cJSON_AddStringToObject(o, "industry", c->industry);
    cJSON_AddStringToObject(o, "capacity_kva", kva);
    cJSON_AddItemToObject(o, "capacity_changes", a);
    for (int k = 0; *st == GL_OK && k < c->ncapacity_changes; k++) {
        *st = stored_form(s, c->id, &c->capacity_changes[k], form, sizeof form, r);
        cJSON *e = *st == GL_OK ? change_json(c->capacity_changes[k].id, form) : NULL;
        if (*st == GL_OK && e == NULL)
            *st = GL_ECORRUPT;
        if (e != NULL)
            cJSON_AddItemToArray(a, e);
    }
    return o;
}

char *largeup_body(store *s, const config *cfg, largeup_result *r)
{
    cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
    gl_status st = root && arr ? GL_OK : GL_ENOMEM;
    char *text = NULL;
    memset(r, 0, sizeof *r);
    for (int i = 0; st == GL_OK && i < cfg->ncustomers; i++) {
        if (cfg->customers[i].industry[0] == '\0')
            continue;
        cJSON *c = customer_json(s, &cfg->customers[i], r, &st);
        if (c != NULL)
            cJSON_AddItemToArray(arr, c);
        r->customers++;
    }
    if (st == GL_OK) {
        cJSON_AddItemToObject(root, "customers", arr);
        arr = NULL;
        text = cJSON_PrintUnformatted(root);
    }
    cJSON_Delete(arr);
    cJSON_Delete(root);
    return text;
}

/* fnv1a: 64-bit FNV-1a of s, as 16 hex digits. */
static void fnv1a(const char *s, char out[17])
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(1099511628211);
    }
    snprintf(out, 17, "%016" PRIx64, h);
}

gl_status largeup_sync(store *s, const config *cfg, int64_t now, largeup_result *r)
{
    char sent[40] = "", hash[17];
    memset(r, 0, sizeof *r);
    gl_status st = store_txn_begin(s);
    if (st != GL_OK)
        return st;
    char *body = largeup_body(s, cfg, r);
    st = body ? GL_OK : GL_ENOMEM;
    if (st == GL_OK && r->customers > 0) {
        fnv1a(body, hash);
        gl_status g = store_kv_get(s, "uplink.customers_sent", sent, sizeof sent);
        if (g != GL_OK && g != GL_ENOTFOUND)
            st = g;
        else if (strcmp(sent, hash) != 0) {
            st = store_outbox_put(s, "customers", body, now, NULL);
            if (st == GL_OK)
                st = store_kv_set(s, "uplink.customers_sent", hash);
            r->queued = st == GL_OK;
        }
    }
    free(body);
    return store_txn_end(s, st);
}
