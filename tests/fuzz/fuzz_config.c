/* fuzz_config.c: the config loader on arbitrary bytes must never crash,
 * leak or read out of bounds; it either loads or reports diagnostics. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag d;
    config *cfg = NULL;
    diag_init(&d);
    gl_status st = config_parse("fuzz.json", (const char *)data, size, &d, &cfg);
    if (st == GL_OK && cfg == NULL)
        __builtin_trap();
    if (st != GL_OK && st != GL_ENOMEM && d.count == 0)
        __builtin_trap(); /* every refusal says why */
    config_free(cfg);
    return 0;
}
