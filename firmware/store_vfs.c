/* store_vfs.c: an SQLite VFS shim that counts the bytes and syncs SQLite
 * sends to the file system (database, WAL and journal files), so the store
 * can report flash wear as bytes written per day.
 *
 * Every call is passed to the default VFS; only xWrite and xSync count. The
 * counters are process-wide and atomic (the shim may be used by several
 * connections). */
#include "store_vfs.h"

#include <stdatomic.h>
#include <string.h>

typedef struct cfile {
    sqlite3_file base;
    sqlite3_file *real; /* follows this struct in the same allocation */
} cfile;

static sqlite3_vfs shim;
static sqlite3_vfs *root;
static _Atomic long long bytes_written;
static _Atomic long long syncs;
static sqlite3_io_methods methods;

#define REAL(f) (((cfile *)(f))->real)

static int c_close(sqlite3_file *f)
{
    int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
    return rc;
}
static int c_read(sqlite3_file *f, void *b, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), b, n, off);
}
static int c_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 off)
{
    int rc = REAL(f)->pMethods->xWrite(REAL(f), b, n, off);
    if (rc == SQLITE_OK)
        atomic_fetch_add(&bytes_written, n);
    return rc;
}
static int c_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int c_sync(sqlite3_file *f, int flags)
{
    atomic_fetch_add(&syncs, 1);
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int c_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int c_lock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int c_unlock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int c_check(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int c_fcntl(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int c_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int c_devchar(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int c_shmmap(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}
static int c_shmlock(sqlite3_file *f, int off, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void c_shmbarrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int c_shmunmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int c_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **pp)
{
    return REAL(f)->pMethods->xFetch(REAL(f), off, amt, pp);
}
static int c_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static int c_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    (void)vfs;
    cfile *cf = (cfile *)f;
    cf->real = (sqlite3_file *)(cf + 1);
    memset(cf->real, 0, (size_t)root->szOsFile);
    int rc = root->xOpen(root, name, cf->real, flags, out_flags);
    f->pMethods = cf->real->pMethods ? &methods : NULL;
    return rc;
}
static int c_delete(sqlite3_vfs *v, const char *n, int sync)
{
    (void)v;
    return root->xDelete(root, n, sync);
}
static int c_access(sqlite3_vfs *v, const char *n, int flags, int *out)
{
    (void)v;
    return root->xAccess(root, n, flags, out);
}
static int c_fullpath(sqlite3_vfs *v, const char *n, int cap, char *out)
{
    (void)v;
    return root->xFullPathname(root, n, cap, out);
}
static int c_random(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return root->xRandomness(root, n, out);
}
static int c_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return root->xSleep(root, us);
}
static int c_time(sqlite3_vfs *v, double *out)
{
    (void)v;
    return root->xCurrentTime(root, out);
}
static int c_lasterr(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return root->xGetLastError ? root->xGetLastError(root, n, out) : 0;
}
static int c_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    (void)v;
    return root->xCurrentTimeInt64(root, out);
}

static void fill_methods(void)
{
    methods = (sqlite3_io_methods){
        .iVersion = 3, .xClose = c_close, .xRead = c_read, .xWrite = c_write,
        .xTruncate = c_truncate, .xSync = c_sync, .xFileSize = c_size, .xLock = c_lock,
        .xUnlock = c_unlock, .xCheckReservedLock = c_check, .xFileControl = c_fcntl,
        .xSectorSize = c_sector, .xDeviceCharacteristics = c_devchar, .xShmMap = c_shmmap,
        .xShmLock = c_shmlock, .xShmBarrier = c_shmbarrier, .xShmUnmap = c_shmunmap,
        .xFetch = c_fetch, .xUnfetch = c_unfetch,
    };
}

const char *store_vfs_register(void)
{
    if (root != NULL)
        return STORE_VFS_NAME;
    sqlite3_vfs *def = sqlite3_vfs_find(NULL);
    if (def == NULL || def->iVersion < 2)
        return NULL;
    fill_methods();
    shim = (sqlite3_vfs){
        .iVersion = 2, .szOsFile = (int)sizeof(cfile) + def->szOsFile, .mxPathname = def->mxPathname,
        .zName = STORE_VFS_NAME, .xOpen = c_open, .xDelete = c_delete, .xAccess = c_access,
        .xFullPathname = c_fullpath, .xRandomness = c_random, .xSleep = c_sleep,
        .xCurrentTime = c_time, .xGetLastError = c_lasterr, .xCurrentTimeInt64 = c_time64,
    };
    root = def;
    if (sqlite3_vfs_register(&shim, 0) != SQLITE_OK) {
        root = NULL;
        return NULL;
    }
    return STORE_VFS_NAME;
}

void store_vfs_counters(long long *bytes, long long *sync_count)
{
    if (bytes != NULL)
        *bytes = atomic_load(&bytes_written);
    if (sync_count != NULL)
        *sync_count = atomic_load(&syncs);
}
