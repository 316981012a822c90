/* store_grades.c: reading the stored grades (see store_grades.h). */
#include "store_grades.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "store_internal.h"

/* days_of: the day numbers 1..28 of the JSON array text into days. */
static gl_status days_of(const char *json, int *days, int max, int *n)
{
    cJSON *arr = cJSON_Parse(json), *it;
    if (arr == NULL)
        return GL_ECORRUPT;
    cJSON_ArrayForEach(it, arr)
    {
        if (*n < max && cJSON_IsNumber(it) && it->valueint >= 1 && it->valueint <= 28)
            days[(*n)++] = it->valueint;
    }
    cJSON_Delete(arr);
    return GL_OK;
}

gl_status store_grade_deposit_change(store *s, const char *customer, char *out, size_t cap)
{
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    gl_status ret = store_prepare(s, &st,
                                  "SELECT json_extract(explanation, '$.measures.deposit.change') FROM grades"
                                  " WHERE customer = ?1 ORDER BY as_of DESC LIMIT 1",
                                  "t", customer);
    int rc = ret == GL_OK ? sqlite3_step(st) : SQLITE_DONE;
    if (ret == GL_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        ret = store_status_of(rc);
    if (ret == GL_OK && rc == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return ret;
}

gl_status store_grade_instalment_days(store *s, const char *customer, int *days, int max, int *n)
{
    sqlite3_stmt *st = NULL;
    *n = 0;
    gl_status ret = store_prepare(s, &st,
                                  "SELECT json_extract(explanation, '$.measures.billing.mode'),"
                                  " json_extract(explanation, '$.measures.billing.instalment_days')"
                                  " FROM grades WHERE customer = ?1 ORDER BY as_of DESC LIMIT 1",
                                  "t", customer);
    int rc = ret == GL_OK ? sqlite3_step(st) : SQLITE_DONE;
    if (ret == GL_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        ret = store_status_of(rc);
    if (ret == GL_OK && rc == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL && sqlite3_column_text(st, 1) != NULL &&
        strcmp((const char *)sqlite3_column_text(st, 0), "instalments") == 0)
        ret = days_of((const char *)sqlite3_column_text(st, 1), days, max, n);
    sqlite3_finalize(st);
    return ret;
}
