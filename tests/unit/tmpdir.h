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

/* tmpdir_file: writes text to the file `name` in the scratch folder. */
static inline int tmpdir_file(const char *name, const char *text)
{
    char p[200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (f == NULL)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* A one-rate tariff (0.5 a kWh, id t1) for tmpdir_file. */
#define TMPDIR_FLAT_TARIFF \
    "{\"id\": \"t1\", \"currency\": \"CNY\", \"effective_from\": \"2012-01-01\", \"energy\": {\"rate\": \"0.5\"}}"

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
