/* diag.c: bounded diagnostic lines (see diag.h). */
#include "gridledger/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void diag_init(diag *d)
{
    if (d == NULL)
        return;
    d->count = 0;
    d->dropped = 0;
}

void diag_add(diag *d, const char *fmt, ...)
{
    if (d == NULL)
        return;
    if (d->count >= DIAG_MAX) {
        d->dropped++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->lines[d->count], DIAG_LINE, fmt, ap);
    va_end(ap);
    d->count++;
}

int diag_total(const diag *d)
{
    return d == NULL ? 0 : d->count + d->dropped;
}
