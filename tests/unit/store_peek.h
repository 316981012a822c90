/* store_peek.h: tests look at a store's file through their own read-only
 * SQLite connection (the store's handle is private to the store). */
#ifndef GRIDLEDGER_TEST_STORE_PEEK_H
#define GRIDLEDGER_TEST_STORE_PEEK_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "store.h"

/* store_peek: the first column of the first row of sql, run on a fresh
 * read-only connection to s's file, as an integer (-1: no row or an error)
 * and, when text is not NULL, as text into text[0..cap). */
static inline int64_t store_peek(store *s, const char *sql, char *text, size_t cap)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (text != NULL && cap > 0)
        text[0] = '\0';
    if (sqlite3_open_v2(store_path(s), &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
        if (text != NULL && cap > 0 && sqlite3_column_text(st, 0) != NULL)
            snprintf(text, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

#endif
