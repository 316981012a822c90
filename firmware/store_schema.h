/* store_schema.h: the store's schema versions and forward migrations
 * (private to the store; tests use it to build every earlier version). */
#ifndef GRIDLEDGER_STORE_SCHEMA_H
#define GRIDLEDGER_STORE_SCHEMA_H

#include <stddef.h>

#include <sqlite3.h>

#include "gridledger/status.h"

/* The schema version this build writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 9

/* store_schema_migrate: brings db from its user_version up to target
 * (1..STORE_SCHEMA_VERSION), one transaction per step, so a power cut leaves
 * the file at a whole version. GL_EUNSUPPORTED if the file is newer than this
 * build; GL_EDB on an SQL error (msg, if given, gets SQLite's message);
 * GL_ESYNTAX, GL_ERANGE or GL_EOVERFLOW when a stored value cannot be converted exactly
 * (version 8: a bill line's amount that is not an exact decimal in fen; msg
 * names the row). A failed step leaves the file at the version before it. */
gl_status store_schema_migrate(sqlite3 *db, int target, char *msg, size_t cap);

/* store_schema_version: the file's user_version, or -1 on error. */
int store_schema_version(sqlite3 *db);

#endif
