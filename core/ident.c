/* ident.c: the identifier check (see ident.h). */
#include "gridledger/ident.h"

int ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
}

int ident_valid(const char *s, size_t max_len)
{
    size_t n = 0;
    if (s == NULL)
        return 0;
    for (; s[n] != '\0'; n++)
        if (n >= max_len || !ident_char(s[n]))
            return 0;
    return n > 0;
}
