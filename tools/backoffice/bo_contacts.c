/* bo_contacts.c: `contacts import|show|set|erase|audit`: the customers'
 * contacts in the back office, each change recorded with who made it and
 * when (contacts_audit). An import is checked whole before anything is
 * stored (errors FILE:LINE:COL: field: problem), then one transaction. An
 * erasure removes the contact and blanks the values in its audit rows,
 * keeping who erased what and when. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bo_cli.h"
#include "bo_contact.h"
#include "bo_contacts.h"
#include "bo_report.h"
#include "cli.h"
#include "fileio.h"

#define IMPORT_MAX_BYTES (64u << 20)

typedef struct old_arg {
    bo_contact *c;
    int found;
} old_arg;

static int old_row(void *arg, int ncols, const char *const *vals)
{
    old_arg *a = arg;
    for (int i = 0; i < ncols && i < BO_CONTACT_NFIELDS; i++)
        snprintf(a->c->v[i], sizeof a->c->v[i], "%s", vals[i] ? vals[i] : "");
    a->found = 1;
    return 1;
}

static gl_status load_contact(bo_db *db, const char *customer, bo_contact *c, int *found)
{
    old_arg a = {c, 0};
    const char *p[] = {customer};
    memset(c, 0, sizeof *c);
    gl_status st = bo_db_query(db,
                               "SELECT customer, name, mobile, email, address, channel, consent_sms, consent_email,"
                               " lang FROM contacts WHERE customer = $1",
                               1, p, old_row, &a);
    *found = a.found;
    return st;
}

static gl_status audit(bo_db *db, long long ts, const char *who, const char *customer, const char *field,
                       const char *old, const char *new_)
{
    char ts_s[24];
    snprintf(ts_s, sizeof ts_s, "%lld", ts);
    const char *p[] = {ts_s, who, customer, field, old, new_};
    return bo_db_exec(db,
                      "INSERT INTO contacts_audit (ts, who, customer, field, old, new) VALUES"
                      " (CAST($1 AS BIGINT), $2, $3, $4, $5, $6)",
                      6, p, NULL);
}

gl_status bo_contacts_save(bo_db *db, const bo_contact *c, const char *who, long long ts, int *changed)
{
    bo_contact old;
    int found = 0;
    *changed = 0;
    gl_status st = load_contact(db, c->v[0], &old, &found);
    for (int i = 1; st == GL_OK && i < BO_CONTACT_NFIELDS; i++)
        if (!found || strcmp(old.v[i], c->v[i]) != 0) {
            st = audit(db, ts, who, c->v[0], bo_contact_fields()[i], found ? old.v[i] : NULL, c->v[i]);
            (*changed)++;
        }
    if (st != GL_OK || *changed == 0)
        return st;
    const char *p[BO_CONTACT_NFIELDS];
    for (int i = 0; i < BO_CONTACT_NFIELDS; i++)
        p[i] = c->v[i];
    return bo_db_exec(db,
                      "INSERT INTO contacts (customer, name, mobile, email, address, channel, consent_sms,"
                      " consent_email, lang) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (customer) DO UPDATE"
                      " SET name = excluded.name, mobile = excluded.mobile, email = excluded.email,"
                      " address = excluded.address, channel = excluded.channel, consent_sms = excluded.consent_sms,"
                      " consent_email = excluded.consent_email, lang = excluded.lang",
                      BO_CONTACT_NFIELDS, p, NULL);
}

gl_status bo_contacts_find(bo_db *db, const char *customer, bo_contact *c, int *found)
{
    return load_contact(db, customer, c, found);
}

/* ---- import ---- */

typedef struct import_ctx {
    const char *file;
    int map[BO_CONTACT_NFIELDS]; /* CSV column of each field */
    bo_contact *rows;
    int n, cap, errors;
} import_ctx;

static void import_err(import_ctx *x, int line, int col, const char *field, const char *why)
{
    char where[BO_PATH_MAX + 32];
    snprintf(where, sizeof where, "%s:%d:%d", x->file, line, col);
    cli_error(where, "%s%s%s", field ? field : "", field ? ": " : "", why);
    x->errors++;
}

static int header(import_ctx *x, const char *line)
{
    char cells[BO_CONTACT_NFIELDS + 4][BO_CONTACT_FIELD_MAX];
    int col[BO_CONTACT_NFIELDS + 4], bad = 0;
    int n = bo_csv_split(line, cells, col, BO_CONTACT_NFIELDS + 4, &bad);
    for (int i = 0; i < BO_CONTACT_NFIELDS; i++)
        x->map[i] = -1;
    if (n < 0) {
        import_err(x, 1, bad, NULL, "malformed header");
        return 0;
    }
    for (int k = 0; k < n; k++) {
        int i = bo_contact_field_index(cells[k]);
        if (i < 0 || x->map[i] >= 0)
            import_err(x, 1, col[k], cells[k], i < 0 ? "unknown column" : "column given twice");
        else
            x->map[i] = k;
    }
    for (int i = 0; i < BO_CONTACT_NFIELDS; i++)
        if (x->map[i] < 0)
            import_err(x, 1, 1, bo_contact_fields()[i], "column missing from the header");
    return x->errors == 0;
}

static int seen_before(const import_ctx *x, const char *customer)
{
    for (int k = 0; k < x->n; k++)
        if (strcmp(x->rows[k].v[0], customer) == 0)
            return 1;
    return 0;
}

static void record(import_ctx *x, int lineno, const char *line)
{
    char cells[BO_CONTACT_NFIELDS + 1][BO_CONTACT_FIELD_MAX], why[160];
    int col[BO_CONTACT_NFIELDS + 1], bad = 0;
    int n = bo_csv_split(line, cells, col, BO_CONTACT_NFIELDS + 1, &bad);
    bo_contact c;
    if (n != BO_CONTACT_NFIELDS) {
        import_err(x, lineno, n < 0 ? bad : 1, NULL,
                   n < 0 ? "malformed field (quote or length)" : "wrong number of fields (want 9)");
        return;
    }
    for (int i = 0; i < BO_CONTACT_NFIELDS; i++) {
        snprintf(c.v[i], sizeof c.v[i], "%s", cells[x->map[i]]);
        if (bo_contact_check_field(i, c.v[i], sizeof c.v[i], why, sizeof why) != GL_OK)
            import_err(x, lineno, col[x->map[i]], bo_contact_fields()[i], why);
    }
    if (seen_before(x, c.v[0]))
        import_err(x, lineno, col[x->map[0]], "customer", "given twice in the file");
    if (x->n == x->cap) {
        int cap = x->cap ? 2 * x->cap : 64;
        bo_contact *r = realloc(x->rows, (size_t)cap * sizeof *r);
        if (!r) {
            import_err(x, lineno, 1, NULL, "out of memory");
            return;
        }
        x->rows = r;
        x->cap = cap;
    }
    x->rows[x->n++] = c;
}

static int parse_file(import_ctx *x, char *text)
{
    int lineno = 0;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        if (lineno == 1) {
            if (!header(x, line))
                return 0;
        } else if (line[0] && line[0] != '\r') {
            record(x, lineno, line);
        }
        line = nl ? nl + 1 : NULL;
    }
    if (lineno == 0)
        import_err(x, 1, 1, NULL, "empty file (a header row is needed)");
    return x->errors == 0;
}

static gl_status store_all(bo_db *db, const import_ctx *x, const char *who, int *changed)
{
    long long ts = (long long)time(NULL);
    gl_status st = bo_db_begin(db);
    for (int k = 0; st == GL_OK && k < x->n; k++) {
        int ch = 0;
        st = bo_contacts_save(db, &x->rows[k], who, ts, &ch);
        *changed += ch > 0;
    }
    if (st == GL_OK)
        return bo_db_commit(db);
    bo_db_rollback(db);
    return st;
}

static int cmd_import(bo_ctx *ctx, const char *file, const char *who)
{
    import_ctx x = {.file = file};
    char *text = NULL;
    size_t len = 0;
    bo_db *db = NULL;
    int changed = 0, ret = CLI_USAGE;
    if (fileio_read(file, IMPORT_MAX_BYTES, &text, &len) != GL_OK) {
        cli_error(file, "cannot read the file");
        return CLI_USAGE;
    }
    if (!parse_file(&x, text)) {
        cli_error("contacts", "%s: %d error(s); nothing imported", file, x.errors);
        goto out;
    }
    ret = CLI_FAIL;
    if (bo_open_db(ctx, &db) != GL_OK)
        goto out;
    gl_status st = store_all(db, &x, who, &changed);
    if (st != GL_OK) {
        cli_error("contacts", "%s: %s", gl_strerror(st), bo_db_error(db));
        goto out;
    }
    printf("contacts: %d read, %d new or changed\n", x.n, changed);
    ret = CLI_OK;
out:
    bo_db_close(db);
    free(x.rows);
    free(text);
    return ret;
}

/* ---- show, set, erase, audit ---- */

static int cmd_show(bo_ctx *ctx, const char *customer)
{
    static bo_col cols[BO_CONTACT_NFIELDS];
    for (int i = 0; i < BO_CONTACT_NFIELDS; i++)
        cols[i] = (bo_col){bo_contact_fields()[i], BO_COL_TEXT};
    const char *p[] = {customer ? customer : ""};
    return bo_print_query(ctx, "contacts",
                       "SELECT customer, name, mobile, email, address, channel, consent_sms, consent_email, lang"
                       " FROM contacts WHERE ($1 = '' OR customer = $1) ORDER BY customer",
                       cols, BO_CONTACT_NFIELDS, 1, p);
}

static int cmd_audit(bo_ctx *ctx, const char *customer)
{
    static const bo_col cols[] = {{"ts", BO_COL_INT},    {"who", BO_COL_TEXT}, {"customer", BO_COL_TEXT},
                                  {"field", BO_COL_TEXT}, {"old", BO_COL_TEXT}, {"new", BO_COL_TEXT}};
    const char *p[] = {customer ? customer : ""};
    return bo_print_query(ctx, "contacts",
                       "SELECT ts, who, customer, field, old, new FROM contacts_audit"
                       " WHERE ($1 = '' OR customer = $1) ORDER BY ts, customer",
                       cols, 6, 1, p);
}

static int cmd_set(bo_ctx *ctx, const char *customer, const char *field, const char *value, const char *who)
{
    bo_contact c;
    bo_db *db = NULL;
    char why[160];
    int found = 0, changed = 0, i = bo_contact_field_index(field), ret = CLI_FAIL;
    if (i <= 0) {
        cli_error("contacts", "set: field %s: must be one of name, mobile, email, address, channel, consent_sms,"
                              " consent_email, lang", field);
        return CLI_USAGE;
    }
    if (bo_open_db(ctx, &db) != GL_OK)
        return CLI_FAIL;
    gl_status st = bo_db_begin(db);
    if (st == GL_OK)
        st = load_contact(db, customer, &c, &found);
    if (st == GL_OK && !found) {
        cli_error("contacts", "%s: no such contact", customer);
        ret = CLI_USAGE;
        st = GL_ENOTFOUND;
    }
    if (st == GL_OK) {
        snprintf(c.v[i], sizeof c.v[i], "%s", value);
        st = bo_contact_check_field(i, c.v[i], sizeof c.v[i], why, sizeof why);
        if (st != GL_OK) {
            cli_error("contacts", "%s: %s: %s", customer, field, why);
            ret = CLI_USAGE;
        }
    }
    if (st == GL_OK)
        st = bo_contacts_save(db, &c, who, (long long)time(NULL), &changed);
    if (st == GL_OK)
        st = bo_db_commit(db);
    if (st == GL_OK) {
        printf("%s %s: %s\n", customer, field, changed ? c.v[i] : "unchanged");
        ret = CLI_OK;
    } else {
        if (ret == CLI_FAIL)
            cli_error("contacts", "%s: %s", gl_strerror(st), bo_db_error(db));
        bo_db_rollback(db);
    }
    bo_db_close(db);
    return ret;
}

static int cmd_erase(bo_ctx *ctx, const char *customer, const char *who)
{
    bo_db *db = NULL;
    long long n = 0;
    if (bo_open_db(ctx, &db) != GL_OK)
        return CLI_FAIL;
    const char *p[] = {customer};
    gl_status st = bo_db_begin(db);
    if (st == GL_OK)
        st = bo_db_exec(db, "DELETE FROM contacts WHERE customer = $1", 1, p, &n);
    if (st == GL_OK && n > 0)
        st = bo_db_exec(db, "UPDATE contacts_audit SET old = NULL, new = NULL WHERE customer = $1", 1, p, NULL);
    if (st == GL_OK && n > 0)
        st = audit(db, (long long)time(NULL), who, customer, "*", NULL, "erased");
    if (st == GL_OK)
        st = bo_db_commit(db);
    else
        bo_db_rollback(db);
    int ret = st == GL_OK ? (n > 0 ? CLI_OK : CLI_USAGE) : CLI_FAIL;
    if (st != GL_OK)
        cli_error("contacts", "%s: %s", gl_strerror(st), bo_db_error(db));
    else if (n == 0)
        cli_error("contacts", "%s: no such contact", customer);
    else
        printf("%s: contact erased\n", customer);
    bo_db_close(db);
    return ret;
}

static const char *default_who(void)
{
    const char *u = getenv("USER");
    return u && *u ? u : "backoffice";
}

int bo_cmd_contacts(bo_ctx *ctx, int argc, char **argv)
{
    const char *who = default_who(), *pos[4] = {NULL, NULL, NULL, NULL};
    int np = 0;
    for (int i = 1; i < argc; i++) {
        int t = bo_take_opt(argc, argv, &i, "--by", &who);
        if (t < 0 || (t == 0 && np == 4))
            goto usage;
        if (t == 0)
            pos[np++] = argv[i];
    }
    if (bo_config_load(ctx) != GL_OK)
        return CLI_USAGE;
    if (np == 2 && strcmp(pos[0], "import") == 0)
        return cmd_import(ctx, pos[1], who);
    if ((np == 1 || np == 2) && strcmp(pos[0], "show") == 0)
        return cmd_show(ctx, pos[1]);
    if ((np == 1 || np == 2) && strcmp(pos[0], "audit") == 0)
        return cmd_audit(ctx, pos[1]);
    if (np == 4 && strcmp(pos[0], "set") == 0)
        return cmd_set(ctx, pos[1], pos[2], pos[3], who);
    if (np == 2 && strcmp(pos[0], "erase") == 0)
        return cmd_erase(ctx, pos[1], who);
usage:
    cli_error("contacts", "usage: contacts import FILE.csv | show [CUSTOMER] | set CUSTOMER FIELD VALUE |"
                          " erase CUSTOMER | audit [CUSTOMER] [--by WHO]");
    return CLI_USAGE;
}
