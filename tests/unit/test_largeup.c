/* test_largeup.c: the large customers sent up (firmware/largeup.c) on a real
 * store file: the first sync queues one "customers" message with the
 * industry, capacity and changes (stored once each); a second sync queues
 * nothing; an edited change keeps its stored form (counted, nothing queued);
 * a new change queues a new message; a config without industries queues
 * nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "largeup.h"
#include "tmpdir.h"

static const char *const cfg_head =
    "{\"gateway\": {\"id\": \"gw-1\", \"area\": \"TQ-1\"}, \"store\": {\"path\": \"t.db\"},"
    " \"buses\": [{\"name\": \"lan\", \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 1502}],"
    " \"meters\": [], \"tariffs\": [\"%s/t.json\"], \"customers\": [%s]}";

static const char *const l1_first =
    "{\"id\": \"L-1\", \"name\": \"Plant\", \"class\": \"industrial\", \"tariff\": \"t1\", \"industry\": \"C\","
    " \"capacity_kva\": \"400\", \"capacity_changes\": [{\"id\": \"CAP-1\", \"date\": \"2019-01-01\", \"kind\": \"new\","
    " \"kva\": \"315\"}, {\"id\": \"CAP-2\", \"date\": \"2024-06-15\", \"kind\": \"increase\", \"kva\": \"85\"}]},"
    " {\"id\": \"R-1\", \"name\": \"Home\", \"tariff\": \"t1\"}";
/* CAP-2 edited (85 -> 90): the stored form stays */
static const char *const l1_edited =
    "{\"id\": \"L-1\", \"name\": \"Plant\", \"class\": \"industrial\", \"tariff\": \"t1\", \"industry\": \"C\","
    " \"capacity_kva\": \"405\", \"capacity_changes\": [{\"id\": \"CAP-1\", \"date\": \"2019-01-01\", \"kind\": \"new\","
    " \"kva\": \"315\"}, {\"id\": \"CAP-2\", \"date\": \"2024-06-15\", \"kind\": \"increase\", \"kva\": \"90\"}]}";
static const char *const l1_reduced =
    "{\"id\": \"L-1\", \"name\": \"Plant\", \"class\": \"industrial\", \"tariff\": \"t1\", \"industry\": \"C\","
    " \"capacity_kva\": \"399.5\", \"capacity_changes\": [{\"id\": \"CAP-1\", \"date\": \"2019-01-01\", \"kind\": \"new\","
    " \"kva\": \"315\"}, {\"id\": \"CAP-2\", \"date\": \"2024-06-15\", \"kind\": \"increase\", \"kva\": \"85\"},"
    " {\"id\": \"CAP-3\", \"date\": \"2024-09-01\", \"kind\": \"reduction\", \"kva\": \"0.5\"}]}";
static const char *const none_large = "{\"id\": \"R-1\", \"name\": \"Home\", \"tariff\": \"t1\"}";

static int setup(void **state)
{
    (void)state;
    return tmpdir_make("largeup") != 0 ? -1 : tmpdir_file("t.json", TMPDIR_FLAT_TARIFF);
}

static config *load(const char *customers)
{
    char text[4096];
    diag d;
    config *cfg = NULL;
    diag_init(&d);
    snprintf(text, sizeof text, cfg_head, dir, customers);
    gl_status st = config_parse("t.json", text, strlen(text), &d, &cfg);
    if (st != GL_OK)
        fail_msg("config: %s", d.count ? d.lines[0] : gl_strerror(st));
    return cfg;
}

/* sync_step: one largeup_sync of customers; the message it queued (or "") into body. */
static largeup_result sync_step(store *s, const char *customers, int64_t *after, char *body, size_t cap)
{
    largeup_result r;
    store_outbox_msg m;
    config *cfg = load(customers);
    assert_int_equal(largeup_sync(s, cfg, 1700000000, &r), GL_OK);
    config_free(cfg);
    body[0] = '\0';
    if (store_outbox_next(s, *after, &m) == GL_OK) {
        assert_string_equal(m.kind, "customers");
        snprintf(body, cap, "%s", m.body);
        *after = m.seq;
        store_outbox_msg_free(&m);
    }
    return r;
}

static void test_sync(void **state)
{
    store *s = NULL;
    char body[2048], v[64];
    int64_t after = 0;
    (void)state;
    assert_int_equal(store_open(dbpath, NULL, &s), GL_OK);
    static const struct {
        const char *customers;
        int queued, recorded, conflicts;
        const char *body; /* what went up, "" nothing */
    } steps[] = {
        {l1_first, 1, 2, 0,
         "{\"customers\":[{\"customer\":\"L-1\",\"industry\":\"C\",\"capacity_kva\":\"400\",\"capacity_changes\":["
         "{\"id\":\"CAP-1\",\"date\":\"2019-01-01\",\"kind\":\"new\",\"kva\":\"315\"},"
         "{\"id\":\"CAP-2\",\"date\":\"2024-06-15\",\"kind\":\"increase\",\"kva\":\"85\"}]}]}"},
        {l1_first, 0, 0, 0, ""}, /* a restart: nothing new */
        {l1_edited, 1, 0, 1,     /* capacity 405 goes up, CAP-2 as first stored */
         "{\"customers\":[{\"customer\":\"L-1\",\"industry\":\"C\",\"capacity_kva\":\"405\",\"capacity_changes\":["
         "{\"id\":\"CAP-1\",\"date\":\"2019-01-01\",\"kind\":\"new\",\"kva\":\"315\"},"
         "{\"id\":\"CAP-2\",\"date\":\"2024-06-15\",\"kind\":\"increase\",\"kva\":\"85\"}]}]}"},
        {l1_reduced, 1, 1, 0,
         "{\"customers\":[{\"customer\":\"L-1\",\"industry\":\"C\",\"capacity_kva\":\"399.5\",\"capacity_changes\":["
         "{\"id\":\"CAP-1\",\"date\":\"2019-01-01\",\"kind\":\"new\",\"kva\":\"315\"},"
         "{\"id\":\"CAP-2\",\"date\":\"2024-06-15\",\"kind\":\"increase\",\"kva\":\"85\"},"
         "{\"id\":\"CAP-3\",\"date\":\"2024-09-01\",\"kind\":\"reduction\",\"kva\":\"0.5\"}]}]}"},
        {none_large, 0, 0, 0, ""}, /* no large customer: nothing to send */
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        largeup_result r = sync_step(s, steps[i].customers, &after, body, sizeof body);
        if (r.queued != steps[i].queued || r.recorded != steps[i].recorded || r.conflicts != steps[i].conflicts)
            fail_msg("step %zu: queued %d recorded %d conflicts %d", i, r.queued, r.recorded, r.conflicts);
        assert_string_equal(body, steps[i].body);
    }
    assert_int_equal(store_kv_get(s, "capacity.L-1.CAP-2", v, sizeof v), GL_OK);
    assert_string_equal(v, "2024-06-15 increase 85000");
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync),
    };
    return cmocka_run_group_tests(tests, setup, tmpdir_teardown);
}
