/* store_seq.c: see store_seq.h. */
#include "store_seq.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

#define SEQ_FILE_MAX 256

gl_status store_seq_path(const char *store_path, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s.seq", store_path);
    return n > 0 && (size_t)n < cap ? GL_OK : GL_EBOUND;
}

/* take: "NAME VALUE" at the start of *p into *v when NAME is name; 1 if taken. */
static int take(const char *line, const char *name, int64_t *v)
{
    size_t n = strlen(name);
    if (strncmp(line, name, n) != 0 || line[n] != ' ')
        return 0;
    char *end = NULL;
    errno = 0;
    long long x = strtoll(line + n + 1, &end, 10);
    if (errno != 0 || end == line + n + 1 || (*end != '\n' && *end != '\0') || x < 0)
        return -1;
    *v = x;
    return 1;
}

gl_status store_seq_read(const char *store_path, store_seq *out)
{
    char path[STORE_SEQ_PATH_MAX], *text = NULL;
    size_t len = 0;
    memset(out, 0, sizeof *out);
    gl_status st = store_seq_path(store_path, path, sizeof path);
    if (st == GL_OK && (st = fileio_read(path, SEQ_FILE_MAX, &text, &len)) == GL_EIO) {
        FILE *f = fopen(path, "rb");
        if (f == NULL && errno == ENOENT)
            return GL_ENOTFOUND;
        if (f != NULL)
            fclose(f);
    }
    int seen = 0;
    for (const char *p = text; st == GL_OK && p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p) {
        int a = take(p, "uplink", &out->uplink), b = a ? 0 : take(p, "downlink", &out->downlink);
        if (a < 0 || b < 0 || (a == 0 && b == 0))
            st = GL_ESYNTAX;
        seen |= (a > 0) | (b > 0) << 1;
    }
    free(text);
    return st == GL_OK && seen != 3 ? GL_ESYNTAX : st;
}

gl_status store_seq_write(const char *store_path, const store_seq *v)
{
    char path[STORE_SEQ_PATH_MAX], text[96];
    gl_status st = store_seq_path(store_path, path, sizeof path);
    int n = snprintf(text, sizeof text, "uplink %lld\ndownlink %lld\n", (long long)v->uplink, (long long)v->downlink);
    return st != GL_OK ? st : fileio_write_atomic(path, text, (size_t)n);
}
