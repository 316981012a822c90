/* capstream.c: a stdio stream over a textbuf (see capstream.h). */
#define _GNU_SOURCE /* fopencookie */
#include "capstream.h"

#include <sys/types.h>

/* cap_write: stdio's flush into the textbuf; all of it or an error. */
static ssize_t cap_write(void *cookie, const char *buf, size_t n)
{
    return textbuf_add(cookie, buf, n) == GL_OK ? (ssize_t)n : -1;
}

FILE *capstream_open(textbuf *t)
{
    static const cookie_io_functions_t io = {.write = cap_write};
    FILE *f = fopencookie(t, "w", io);
    if (f == NULL)
        textbuf_fail(t, GL_ENOMEM);
    return f;
}

gl_status capstream_close(FILE *f, textbuf *t)
{
    if (f == NULL)
        return textbuf_status(t) != GL_OK ? textbuf_status(t) : GL_EINVAL;
    int failed = ferror(f) != 0;
    failed |= fclose(f) != 0;
    if (textbuf_status(t) != GL_OK)
        return textbuf_status(t);
    return failed ? GL_EIO : GL_OK;
}
