/* cli.c: helpers shared by the gridledger commands (see cli.h). */
#include "cli.h"

#include <stdarg.h>
#include <string.h>

void cli_error(const char *where, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "gridledger: %s: ", where);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_print_diag(const diag *d)
{
    for (int i = 0; i < d->count; i++)
        fprintf(stderr, "gridledger: %s\n", d->lines[i]);
    if (d->dropped > 0)
        fprintf(stderr, "gridledger: (%d more errors not shown)\n", d->dropped);
}

int cli_status_exit(gl_status st)
{
    switch (st) {
    case GL_OK:
        return CLI_OK;
    case GL_EINVAL:
    case GL_ESYNTAX:
    case GL_ERANGE:
    case GL_ECONFIG:
    case GL_ENOTFOUND:
    case GL_EEXIST:
    case GL_EBOUND:
        return CLI_USAGE;
    default:
        return CLI_FAIL;
    }
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}
