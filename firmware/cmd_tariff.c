/* cmd_tariff.c: `gridledger tariff import-urdb FILE [--id ID] [--label LABEL] [--currency CODE]`:
 * converts an OpenEI URDB rate (core/urdb.c) into a gridledger tariff and
 * prints it. The result is loaded back with tariff_parse before it is
 * printed, so what is printed is a tariff tariff-calc accepts. Pure: no
 * config, no store. Exit 0; 2 for bad options or an unsupported or bad URDB
 * file ("gridledger: FILE:LINE:COL: path: problem"); 1 if memory runs out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fileio.h"
#include "gridledger/tariff.h"
#include "gridledger/urdb.h"

#define URDB_FILE_MAX (4u << 20)

static int set_opt(char *dst, size_t cap, const char *opt, const char *val)
{
    if (strlen(val) == 0 || strlen(val) >= cap) {
        cli_error("tariff", "%s %s: must be 1..%zu characters", opt, val, cap - 1);
        return 0;
    }
    snprintf(dst, cap, "%s", val);
    return 1;
}

static int parse_args(int argc, char **argv, const char **path, urdb_options *o)
{
    urdb_options_init(o);
    *path = NULL;
    if (argc < 2 || strcmp(argv[1], "import-urdb") != 0) {
        cli_error("tariff", "%s: unknown subcommand (try: tariff import-urdb FILE [--id ID] [--label LABEL] [--currency CODE])",
                  argc < 2 ? "(none)" : argv[1]);
        return 0;
    }
    for (int i = 2; i < argc; i++) {
        char *dst = strcmp(argv[i], "--id") == 0         ? o->id
                    : strcmp(argv[i], "--label") == 0    ? o->label
                    : strcmp(argv[i], "--currency") == 0 ? o->currency
                                                         : NULL;
        size_t cap = dst == o->id ? sizeof o->id : dst == o->label ? sizeof o->label : sizeof o->currency;
        if (dst != NULL) {
            if (i + 1 >= argc) {
                cli_error("tariff", "%s: needs a value", argv[i]);
                return 0;
            }
            if (!set_opt(dst, cap, argv[i], argv[i + 1]))
                return 0;
            i++;
        } else if (strncmp(argv[i], "--", 2) == 0 || *path != NULL) {
            cli_error("tariff", "%s: unexpected argument (try --help)", argv[i]);
            return 0;
        } else {
            *path = argv[i];
        }
    }
    if (*path == NULL) {
        cli_error("tariff", "import-urdb needs a FILE");
        return 0;
    }
    return 1;
}

/* Converts text; on success out holds the tariff. Returns the exit code. */
static int convert(const char *path, const char *text, size_t len, const urdb_options *o, char *out)
{
    diag d;
    size_t n = 0;
    diag_init(&d);
    gl_status st = urdb_convert(path, text, len, o, &d, out, URDB_OUT_MAX, &n);
    if (st == GL_ENOMEM) {
        cli_error("tariff", "out of memory");
        return CLI_FAIL;
    }
    if (st != GL_OK) {
        if (d.count > 0)
            cli_print_diag(&d);
        else
            cli_error(path, "%s", gl_strerror(st));
        return CLI_USAGE;
    }
    cli_print_diag(&d); /* the importer's warnings, if any */
    tariff_set *ts = malloc(sizeof *ts);
    if (ts == NULL) {
        cli_error("tariff", "out of memory");
        return CLI_FAIL;
    }
    diag_init(&d);
    st = tariff_parse(o->id[0] ? o->id : "converted", out, n, &d, ts);
    free(ts);
    if (st != GL_OK) {
        cli_error(path, "the converted tariff does not load:");
        cli_print_diag(&d);
        return CLI_USAGE;
    }
    return fwrite(out, 1, n, stdout) == n && fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}

int cmd_tariff(cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    const char *path;
    urdb_options o;
    char *text = NULL, *out = NULL;
    size_t len = 0;
    int rc = CLI_USAGE;
    if (!parse_args(argc, argv, &path, &o))
        goto out;
    gl_status st = fileio_read(path, URDB_FILE_MAX, &text, &len);
    if (st != GL_OK) {
        cli_error(path, "%s", st == GL_EIO       ? "cannot open the file"
                              : st == GL_EBOUND ? "file too large"
                                                : gl_strerror(st));
        rc = st == GL_ENOMEM ? CLI_FAIL : CLI_USAGE;
        goto out;
    }
    out = malloc(URDB_OUT_MAX);
    if (out == NULL) {
        cli_error("tariff", "out of memory");
        rc = CLI_FAIL;
        goto out;
    }
    rc = convert(path, text, len, &o, out);
out:
    free(out);
    free(text);
    return rc;
}
