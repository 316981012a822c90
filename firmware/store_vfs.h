/* store_vfs.h: a counting VFS shim over SQLite's default VFS (private to
 * the store): bytes written and syncs, to measure flash wear. */
#ifndef GRIDLEDGER_STORE_VFS_H
#define GRIDLEDGER_STORE_VFS_H

#include <sqlite3.h>

#define STORE_VFS_NAME "glcount"

/* store_vfs_register: registers the shim once (not as the default) and
 * returns its name for sqlite3_open_v2, or NULL if it could not. Not
 * thread-safe: call before any thread opens the store. */
const char *store_vfs_register(void);

/* store_vfs_counters: bytes written and syncs through the shim since the
 * process started. */
void store_vfs_counters(long long *bytes, long long *sync_count);

#endif
