/* fileio.c: bounded whole-file reads and crash-safe writes (see fileio.h). */
#include "gridledger/fileio.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

gl_status fileio_read(const char *path, size_t max, char **buf, size_t *len)
{
    gl_status ret = GL_EIO;
    char *data = NULL;
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return GL_EIO;
    data = malloc(max + 1);
    if (data == NULL) {
        ret = GL_ENOMEM;
        goto out;
    }
    size_t n = fread(data, 1, max + 1, f);
    if (ferror(f))
        goto out;
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
