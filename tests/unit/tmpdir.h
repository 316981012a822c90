/* tmpdir.h: a scratch folder and a database path in it for the unit tests
 * that work on real store files; included by one test program each, after
 * cmocka.h. tmpdir_make from the setup, tmpdir_teardown as the teardown. */
#ifndef GL_TEST_TMPDIR_H
#define GL_TEST_TMPDIR_H

#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

static char dir[64], dbpath[128];

static int tmpdir_make(const char *name)
{
    snprintf(dir, sizeof dir, "/tmp/gl-%s-XXXXXX", name);
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(dbpath, sizeof dbpath, "%s/t.db", dir);
    return 0;
}

static int tmpdir_teardown(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[400];
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    if (d != NULL)
        closedir(d);
    rmdir(dir);
    return 0;
}

#endif
