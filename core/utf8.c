/* utf8.c: UTF-8 well-formedness (see utf8.h). */
#include "gridledger/utf8.h"

/* lead: the bits a lead byte carries and how many continuation bytes follow
 * it; 0 continuation bytes and *cp = c for ASCII; -1 for a byte that cannot
 * lead. */
static int lead(uint8_t c, uint32_t *cp)
{
    if (c < 0x80) {
        *cp = c;
        return 0;
    }
    if ((c & 0xe0) == 0xc0) {
        *cp = c & 0x1f;
        return 1;
    }
    if ((c & 0xf0) == 0xe0) {
        *cp = c & 0x0f;
        return 2;
    }
    if ((c & 0xf8) == 0xf0) {
        *cp = c & 0x07;
        return 3;
    }
    return -1;
}

size_t utf8_next(const uint8_t *s, size_t n, uint32_t *cp)
{
    static const uint32_t least[] = {0, 0x80, 0x800, 0x10000}; /* below: overlong */
    if (n == 0)
        return 0;
    int k = lead(s[0], cp);
    if (k < 0 || (size_t)k > n - 1)
        return 0;
    for (int j = 1; j <= k; j++) {
        if ((s[j] & 0xc0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[j] & 0x3f);
    }
    if (*cp < least[k] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
        return 0;
    return (size_t)k + 1;
}

int utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp = 0;
        size_t k = utf8_next(s + i, n - i, &cp);
        if (k == 0 || cp == 0)
            return 0;
        i += k;
    }
    return 1;
}
