/* fuzz_tariff.c: the tariff loader on arbitrary bytes must never crash, leak
 * or read out of bounds; a tariff it accepts is then billed for two days of
 * 15-minute usage, which must give a bill whose total is the sum of its
 * lines and whose JSON fits, or a reason. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gridledger/bill.h"
#include "gridledger/civdate.h"
#include "gridledger/tariff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tariff_set ts;
static bill b;
static usage_interval u[192];
static char json[1 << 16];

static void bill_it(void)
{
    bill_options o;
    int32_t day = ts.versions[0].from_day;
    bill_options_init(&o);
    o.capacity_va = 100000;
    o.has_position = 1;
    o.position_wh = 2500000;
    for (int i = 0; i < 192; i++) {
        u[i].start_min = (int64_t)day * CIVDATE_MINUTES_PER_DAY + 15 * i;
        u[i].len_min = 15;
        u[i].utc_offset_min = 0;
        u[i].flags = i == 100 ? USAGE_ESTIMATED : 0;
        u[i].energy_wh = 1000 + 37 * i;
        u[i].reactive_varh = 400;
        u[i].demand_w = -1;
    }
    if (bill_compute(&ts, u, 192, &o, &b) != GL_OK) {
        if (b.error[0] == '\0')
            __builtin_trap(); /* every refusal says why */
        return;
    }
    int64_t sum = 0;
    for (int i = 0; i < b.nlines; i++)
        sum += b.lines[i].amount_fen;
    if (sum != b.total_fen)
        __builtin_trap();
    if (bill_to_json(&b, json, sizeof json, NULL) != GL_OK)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag d;
    diag_init(&d);
    gl_status st = tariff_parse("fuzz.json", (const char *)data, size, &d, &ts);
    if (st != GL_OK && st != GL_ENOMEM && d.count == 0)
        __builtin_trap(); /* every refusal says why */
    if (st == GL_OK)
        bill_it();
    return 0;
}
