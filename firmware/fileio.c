/* fileio.c: bounded whole-file reads and crash-safe writes (see fileio.h). */
#include "fileio.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* first_cap: the buffer for a file of (stat) size: its size and the NUL, at
 * most max + 1 (one byte past max tells an oversized file); 4 KiB when the
 * size is unknown (a pipe). Never max up front: a 16 MiB bound would be a
 * 16 MiB allocation, and glibc's malloc keeps buffers that large resident. */
static size_t first_cap(FILE *f, size_t max)
{
    struct stat sb;
    size_t cap = 4096;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size >= 0)
        cap = (size_t)sb.st_size + 1;
    return cap > max ? max + 1 : cap + 1; /* + 1: a file grown since the stat is seen at once */
}

gl_status fileio_read(const char *path, size_t max, char **buf, size_t *len)
{
    gl_status ret = GL_EIO;
    char *data = NULL;
    size_t n = 0;
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return GL_EIO;
    for (size_t cap = first_cap(f, max);; cap = cap > max / 2 ? max + 1 : cap * 2) {
        char *grown = realloc(data, cap);
        if (grown == NULL) {
            ret = GL_ENOMEM;
            goto out;
        }
        data = grown;
        n += fread(data + n, 1, cap - n, f);
        if (ferror(f))
            goto out;
        if (n < cap || cap == max + 1)
            break;
    }
    if (n > max) {
        ret = GL_EBOUND;
        goto out;
    }
    data[n] = '\0';
    *buf = data;
    *len = n;
    data = NULL;
    ret = GL_OK;
out:
    free(data);
    fclose(f);
    return ret;
}

/* grow: makes room for want bytes (+ NUL) in *data, doubling, capped at
 * max + 2 (one byte past max tells a file over the bound). */
static gl_status grow(char **data, size_t *cap, size_t want, size_t max)
{
    if (want + 1 <= *cap)
        return GL_OK;
    size_t ncap = *cap ? *cap : 65536;
    while (ncap < want + 1)
        ncap *= 2;
    if (ncap > max + 2)
        ncap = max + 2;
    char *n = realloc(*data, ncap);
    if (n == NULL)
        return GL_ENOMEM;
    *data = n;
    *cap = ncap;
    return GL_OK;
}

/* line_check: counts lines in p[0..n), *run = bytes of the current line;
 * returns the number of the first line longer than line_max, or 0. */
static long line_check(const char *p, size_t n, size_t line_max, long *line, size_t *run)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            (*line)++;
            *run = 0;
        } else if (++*run > line_max) {
            return *line;
        }
    }
    return 0;
}

gl_status fileio_read_lines(const char *path, size_t max, size_t line_max, char **buf, size_t *len, long *long_line)
{
    gl_status ret = GL_EIO;
    char *data = NULL;
    size_t cap = 0, n = 0, got, run = 0;
    long line = 1;
    *buf = NULL;
    *len = 0;
    *long_line = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return GL_EIO;
    for (;;) {
        if ((ret = grow(&data, &cap, n + 65536 > max + 1 ? max + 1 : n + 65536, max)) != GL_OK)
            goto out;
        got = fread(data + n, 1, cap - 1 - n, f);
        if ((*long_line = line_check(data + n, got, line_max, &line, &run)) != 0 || n + got > max) {
            ret = GL_EBOUND;
            goto out;
        }
        n += got;
        if (got == 0)
            break;
    }
    ret = GL_EIO;
    if (ferror(f))
        goto out;
    data[n] = '\0';
    *buf = data;
    *len = n;
    data = NULL;
    ret = GL_OK;
out:
    free(data);
    fclose(f);
    return ret;
}

gl_status fileio_load_json(const char *path, diag *d, jsonv_doc **out)
{
    char *buf;
    size_t len;
    *out = NULL;
    gl_status st = fileio_read(path, JSONV_MAX_TEXT, &buf, &len);
    if (st == GL_EIO)
        diag_add(d, "%s: cannot open the file", path);
    else if (st == GL_EBOUND)
        diag_add(d, "%s:1:1: (top): file larger than %u bytes", path, JSONV_MAX_TEXT);
    if (st != GL_OK)
        return st;
    st = jsonv_parse(path, buf, len, d, out);
    free(buf);
    return st;
}

static gl_status write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0)
            return GL_EIO;
        p += n;
        len -= (size_t)n;
    }
    return GL_OK;
}

static void fsync_dir_of(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

gl_status fileio_write_atomic(const char *path, const void *data, size_t len)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp)
        return GL_EBOUND;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0640);
    if (fd < 0)
        return GL_EIO;
    gl_status st = write_all(fd, data, len);
    if (st == GL_OK && fsync(fd) != 0)
        st = GL_EIO;
    if (close(fd) != 0)
        st = GL_EIO;
    if (st == GL_OK && rename(tmp, path) != 0)
        st = GL_EIO;
    if (st != GL_OK)
        unlink(tmp);
    else
        fsync_dir_of(path);
    return st;
}
