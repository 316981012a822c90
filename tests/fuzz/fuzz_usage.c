/* fuzz_usage.c: the usage CSV parser on arbitrary bytes must never crash or
 * read out of bounds; rows it accepts are ascending, on quarter hours, and
 * bill under a TOU tariff with tiers to a total that is the sum of the lines. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gridledger/bill.h"
#include "gridledger/tariff.h"
#include "gridledger/usage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 4096

static const char tariff_text[] =
    "{\"id\": \"fz\", \"effective_from\": \"1900-01-01\", \"fixed\": \"3\", \"minimum\": \"1\", "
    "\"energy\": {\"tou\": {\"periods\": {\"peak\": \"0.568\", \"valley\": \"0.288\"}, \"calendar\": [{\"months\": "
    "[1,2,3,4,5,6,7,8,9,10,11,12], \"hours\": [[\"08:15\",\"21:45\",\"peak\"], [\"21:45\",\"08:15\",\"valley\"]]}]}, "
    "\"tiers\": {\"basis\": \"month\", \"bounds_kwh\": [\"240\", \"400\"], \"adders\": [\"0\", \"0.05\", \"0.3\"]}}, "
    "\"demand\": {\"per_kw\": \"40\"}, \"surcharges\": {\"r\": \"0.019\"}}";

static tariff_set ts;
static int have_tariff;
static usage_interval rows[CAP];
static bill b;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag d;
    usage_info info;
    int n = 0;
    if (!have_tariff) {
        diag_init(&d);
        if (tariff_parse("fz.json", tariff_text, strlen(tariff_text), &d, &ts) != GL_OK)
            __builtin_trap();
        have_tariff = 1;
    }
    diag_init(&d);
    gl_status st = usage_parse_csv("fuzz.csv", (const char *)data, size, rows, CAP, &n, &info, &d);
    if (st != GL_OK) {
        if (d.count == 0)
            __builtin_trap();
        return 0;
    }
    for (int i = 0; i < n; i++)
        if (rows[i].len_min <= 0 || rows[i].len_min % 15 != 0 || rows[i].start_min % 15 != 0)
            __builtin_trap();
    bill_options o;
    bill_options_init(&o);
    if (bill_compute(&ts, rows, n, &o, &b) == GL_OK) {
        int64_t sum = 0;
        for (int i = 0; i < b.nlines; i++)
            sum += b.lines[i].amount_fen;
        if (sum != b.total_fen)
            __builtin_trap();
    } else if (b.error[0] == '\0') {
        __builtin_trap();
    }
    return 0;
}
