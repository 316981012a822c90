/* fuzz_bo_ingest.c: the back office's ingest of one uplink message (topic on
 * the first line, payload after it) on arbitrary bytes, into an in-memory
 * SQLite: never crashes or leaks; a refusal always says why; a message stored
 * once is a duplicate the second time. The modules are compiled in here so
 * the fuzz build needs no back-office libraries. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/backoffice/bo_db.c"
#include "../../tools/backoffice/bo_db_sqlite.c"
#include "../../tools/backoffice/bo_ingest.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bo_db *db;
    char topic[BO_TOPIC_MAX], why[256];
    bo_outcome out = BO_REJECTED, again = BO_REJECTED;
    const uint8_t *nl = memchr(data, '\n', size);
    size_t tlen = nl ? (size_t)(nl - data) : size;
    if (!db && bo_db_open(&bo_db_sqlite_ops, ":memory:", &db, NULL, 0) != GL_OK)
        __builtin_trap();
    if (tlen >= sizeof topic)
        return 0;
    memcpy(topic, data, tlen);
    topic[tlen] = '\0';
    const uint8_t *payload = nl ? nl + 1 : data + size;
    size_t plen = (size_t)(data + size - payload);
    if (bo_ingest_message(db, topic, payload, plen, 1, &out, why, sizeof why) != GL_OK)
        __builtin_trap();
    if (out == BO_REJECTED && !why[0])
        __builtin_trap();
    if (out == BO_STORED) {
        if (bo_ingest_message(db, topic, payload, plen, 2, &again, why, sizeof why) != GL_OK || again != BO_DUPLICATE)
            __builtin_trap();
    }
    return 0;
}
