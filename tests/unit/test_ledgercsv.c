/* test_ledgercsv.c: the ledger CSV reader: grouping and ordering, quoting,
 * CRLF and BOM, and each refusal with its LINE:COL: column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gridledger/ledgercsv.h"

struct csv_case {
    const char *what, *text;
    gl_status st;
    int naccounts, nentries;
    const char *diag; /* the first diag line, for refusals */
};

static void test_csv_cases(void **state)
{
    (void)state;
    static const struct csv_case cases[] = {
        {"two customers, out of order", "customer,class,date,kind,amount,ref\nB,residential,2026-02-01,bill,1.00,x\n"
         "A,residential,2026-01-01,bill,2.00,y\nB,residential,2026-01-01,payment,1.00,z\n", GL_OK, 2, 3, NULL},
        {"CRLF, BOM, quoted ref with a comma and a quote", "\xEF\xBB\xBF" "customer,class,date,kind,amount,ref\r\n"
         "A,residential,2026-01-01,bill,2.00,\"a,\"\"b\"\r\n", GL_OK, 1, 1, NULL},
        {"columns reordered, due given", "due,ref,amount,kind,date,class,customer\n2026-01-20,B1,5.00,bill,2026-01-01,"
         "commercial,A\n", GL_OK, 1, 1, NULL},
        {"empty lines skipped", "customer,class,date,kind,amount,ref\n\nA,other,2026-01-01,bill,1.00,x\n\n", GL_OK, 1, 1,
         NULL},
        {"header only", "customer,class,date,kind,amount,ref\n", GL_OK, 0, 0, NULL},
        {"empty file", "", GL_ESYNTAX, 0, 0,
         "t.csv:1:1: header: empty file (want the header customer,class,date,kind,amount,ref[,due])"},
        {"unknown column", "customer,class,date,kind,amount,ref,note\n", GL_ESYNTAX, 0, 0,
         "t.csv:1:37: header: unknown column (want customer,class,date,kind,amount,ref[,due])"},
        {"three decimals", "customer,class,date,kind,amount,ref\nA,residential,2026-01-01,bill,1.005,x\n", GL_ESYNTAX,
         0, 0, "t.csv:2:31: amount: must be a decimal amount like 123.45"},
        {"due before the bill", "customer,class,date,kind,amount,ref,due\nA,residential,2026-01-10,bill,1.00,x,"
         "2026-01-09\n", GL_ESYNTAX, 0, 0, "t.csv:2:38: due: before the bill's date"},
        {"negative usage", "customer,class,date,kind,amount,ref\nA,residential,2026-01-01,usage,-1.00,x\n", GL_ESYNTAX,
         0, 0, "t.csv:2:32: amount: must be positive for this kind"},
        {"too many fields", "customer,class,date,kind,amount,ref\nA,residential,2026-01-01,bill,1.00,x,y\n", GL_ESYNTAX,
         0, 0, "t.csv:2:38: csv: more fields than the header"},
        {"bare CR", "customer,class,date,kind,amount,ref\rA", GL_ESYNTAX, 0, 0, "t.csv:1:36: csv: bare carriage return"},
        {"a payment ref used twice: the second row named, the first occurrence given",
         "customer,class,date,kind,amount,ref\nA,residential,2026-01-05,payment,50.00,T-DUP\n"
         "B,residential,2026-01-06,payment,50.00,T-DUP\n", GL_ESYNTAX, 0, 0,
         "t.csv:3:40: ref: T-DUP already used on line 2 (payment of A): one ref, one entry"},
        {"the same ref, customer and amount twice is still two rows", "customer,class,date,kind,amount,ref\n"
         "A,residential,2026-01-05,payment,50.00,P1\nA,residential,2026-01-05,payment,50.00,P1\n", GL_ESYNTAX, 0, 0,
         "t.csv:3:40: ref: P1 already used on line 2 (payment of A): one ref, one entry"},
        {"a top-up reusing a top-up's ref", "customer,class,date,kind,amount,ref\nA,residential,2026-01-05,topup,"
         "5.00,P1\nA,residential,2026-01-04,topup,5.00,P1\n", GL_ESYNTAX, 0, 0,
         "t.csv:3:37: ref: P1 already used on line 2 (topup of A): one ref, one entry"},
        {"a top-up and a payment may share a ref (as in the store: refs are unique per kind)",
         "customer,class,date,kind,amount,ref\nA,residential,2026-01-05,payment,5.00,P1\n"
         "A,residential,2026-01-04,topup,5.00,P1\n", GL_OK, 1, 2, NULL},
        {"a bill id used twice", "customer,class,date,kind,amount,ref\nA,residential,2026-01-01,bill,5.00,B1\n"
         "A,residential,2026-02-01,bill,5.00,B1\n", GL_ESYNTAX, 0, 0,
         "t.csv:3:36: ref: B1 already used on line 2 (bill of A): one ref, one entry"},
        {"distinct refs, a bounce naming its payment, a bill and a payment sharing a ref, empty refs",
         "customer,class,date,kind,amount,ref\nA,residential,2026-01-01,bill,5.00,X1\n"
         "A,residential,2026-01-02,payment,5.00,X1\nA,residential,2026-01-03,bounced,5.00,X1\n"
         "A,residential,2026-01-03,payment,5.00,X2\nA,residential,2026-01-04,adjustment,1.00,\n"
         "A,residential,2026-01-05,adjustment,1.00,\n", GL_OK, 1, 6, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct csv_case *c = &cases[i];
        diag d;
        ledgercsv *l = NULL;
        diag_init(&d);
        gl_status st = ledgercsv_parse("t.csv", c->text, strlen(c->text), &d, &l);
        if (st != c->st)
            fail_msg("%s: status %s (%s)", c->what, gl_status_name(st), d.count ? d.lines[0] : "");
        if (st == GL_OK) {
            if (l->naccounts != c->naccounts || l->nentries != c->nentries)
                fail_msg("%s: %d accounts %d entries", c->what, l->naccounts, l->nentries);
        } else if (d.count == 0 || strcmp(d.lines[0], c->diag) != 0) {
            fail_msg("%s: diag \"%s\", want \"%s\"", c->what, d.count ? d.lines[0] : "", c->diag);
        }
        ledgercsv_free(l);
    }
}

/* A record line of LEDGERCSV_LINE_MAX bytes is read (and refused for its
 * too-long ref); one byte more is refused as a line, at that byte. */
static void test_line_bound(void **state)
{
    (void)state;
    static const char head[] = "customer,class,date,kind,amount,ref\nA,residential,2026-01-01,bill,1.00,";
    static const struct {
        size_t line_len;
        const char *tail;
        gl_status st;
    } cases[] = {
        {LEDGERCSV_LINE_MAX, "\n", GL_ESYNTAX},
        {LEDGERCSV_LINE_MAX - 1, "\r\n", GL_ESYNTAX},
        {LEDGERCSV_LINE_MAX + 1, "\n", GL_EBOUND},
        {LEDGERCSV_LINE_MAX + 1, "", GL_EBOUND},
        {3 * LEDGERCSV_LINE_MAX, "\nB,residential,2026-01-01,bill,1.00,y\n", GL_EBOUND},
    };
    size_t first = strlen("A,residential,2026-01-01,bill,1.00,");
    char *text = malloc(sizeof head + 3 * LEDGERCSV_LINE_MAX + 64);
    assert_non_null(text);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        diag d;
        ledgercsv *l = NULL;
        size_t n = strlen(head);
        memcpy(text, head, n);
        memset(text + n, 'x', cases[i].line_len - first);
        n += cases[i].line_len - first;
        memcpy(text + n, cases[i].tail, strlen(cases[i].tail) + 1);
        diag_init(&d);
        gl_status st = ledgercsv_parse("t.csv", text, strlen(text), &d, &l);
        if (st != cases[i].st)
            fail_msg("line of %zu: %s (%s)", cases[i].line_len, gl_status_name(st), d.count ? d.lines[0] : "");
        if (st == GL_EBOUND)
            assert_string_equal(d.lines[0], "t.csv:2:4097: csv: line longer than 4096 bytes");
        ledgercsv_free(l);
    }
    free(text);
}

static void test_grouped_and_sorted(void **state)
{
    (void)state;
    const char *text = "customer,class,date,kind,amount,ref\nB,residential,2026-02-01,bill,1.00,b2\n"
                       "A,industrial,2026-03-01,payment,2.00,a2\nA,industrial,2026-01-01,bill,2.00,a1\n"
                       "B,residential,2026-02-01,payment,1.00,b3\nB,residential,2026-01-01,topup,9.00,b1\n";
    diag d;
    ledgercsv *l = NULL;
    diag_init(&d);
    assert_int_equal(ledgercsv_parse("t.csv", text, strlen(text), &d, &l), GL_OK);
    assert_int_equal(l->naccounts, 2);
    assert_string_equal(l->accounts[0].customer, "A");
    assert_int_equal(l->accounts[0].klass, LEDGER_CLASS_INDUSTRIAL);
    assert_string_equal(l->accounts[0].entries[0].ref, "a1");
    assert_string_equal(l->accounts[0].entries[1].ref, "a2");
    assert_int_equal(l->accounts[1].nentries, 3);
    assert_true(l->accounts[1].prepaid);
    /* same day: file order kept (the bill b2 before the payment b3) */
    assert_string_equal(l->accounts[1].entries[0].ref, "b1");
    assert_string_equal(l->accounts[1].entries[1].ref, "b2");
    assert_string_equal(l->accounts[1].entries[2].ref, "b3");
    ledgercsv_free(l);
    ledgercsv_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_cases),
        cmocka_unit_test(test_grouped_and_sorted),
        cmocka_unit_test(test_line_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
