/* fuzz_urdb.c: the URDB importer on arbitrary bytes must never crash, leak
 * or read out of bounds; every refusal says why; a rate it accepts must give
 * a tariff that tariff_parse loads. */
#include <stddef.h>
#include <stdint.h>

#include "gridledger/tariff.h"
#include "gridledger/urdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char out[URDB_OUT_MAX];
static tariff_set ts;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag d;
    size_t n = 0;
    urdb_options o;
    urdb_options_init(&o);
    diag_init(&d);
    gl_status st = urdb_convert("fuzz.json", (const char *)data, size, &o, &d, out, sizeof out, &n);
    if (st != GL_OK && st != GL_ENOMEM && st != GL_EBOUND && d.count == 0)
        __builtin_trap(); /* every refusal says why */
    if (st != GL_OK)
        return 0;
    diag_init(&d);
    if (tariff_parse("converted.json", out, n, &d, &ts) != GL_OK)
        __builtin_trap(); /* what is accepted must load */
    return 0;
}
