/* cli.c: helpers shared by the gridledger commands (see cli.h). */
#include "cli.h"
#include "paymode.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "clock.h"

void cli_error(const char *where, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "gridledger: %s: ", where);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_print_diag(const diag *d)
{
    for (int i = 0; i < d->count; i++)
        fprintf(stderr, "gridledger: %s\n", d->lines[i]);
    if (d->dropped > 0)
        fprintf(stderr, "gridledger: (%d more errors not shown)\n", d->dropped);
}

int cli_status_exit(gl_status st)
{
    switch (st) {
    case GL_OK:
        return CLI_OK;
    case GL_EINVAL:
    case GL_ESYNTAX:
    case GL_ERANGE:
    case GL_ECONFIG:
    case GL_ENOTFOUND:
    case GL_EEXIST:
    case GL_EBOUND:
        return CLI_USAGE;
    default:
        return CLI_FAIL;
    }
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

int cli_load_config(cli_ctx *ctx, config **out)
{
    diag d;
    diag_init(&d);
    gl_status st = config_load(ctx->config_path, &d, out);
    if (st == GL_OK)
        return CLI_OK;
    cli_print_diag(&d);
    return st == GL_ENOMEM ? CLI_FAIL : CLI_USAGE;
}

int cli_open_local(cli_ctx *ctx, config **cfg, store **s)
{
    int rc = cli_load_config(ctx, cfg);
    if (rc == CLI_OK && clock_set_timezone((*cfg)->gateway.timezone) != GL_OK)
        rc = CLI_USAGE;
    if (rc == CLI_OK)
        rc = cli_open_store(*cfg, s);
    return rc;
}

/* utc_offset: the zone's offset east of UTC now, in seconds. */
static int32_t utc_offset(const char *tz)
{
    time_t now = time(NULL);
    struct tm tm;
    if (clock_set_timezone(tz) != GL_OK || localtime_r(&now, &tm) == NULL)
        return 0;
    return (int32_t)tm.tm_gmtoff;
}

int cli_open_store(config *cfg, store **out)
{
    char path[CONFIG_PATH_MAX];
    store_options o = {
        .quota_mb = cfg->store.quota_mb,
        .compact_after_days = cfg->store.compact_after_days,
        .utc_offset_s = utc_offset(cfg->gateway.timezone),
        .pending_max = (size_t)cfg->store.pending_cycles * (size_t)(cfg->nmeters > 0 ? cfg->nmeters : 1),
    };
    config_resolve_path(cfg, cfg->store.path, path, sizeof path);
    int moved = 0;
    gl_status st = store_open_ex(path, &o, out, &moved);
    if (st != GL_OK) {
        char why[STORE_PATH_WHY_MAX];
        store_describe_error(path, st, why, sizeof why);
        cli_error(path, "cannot open the store: %s", why);
        return cli_status_exit(st) == CLI_USAGE ? CLI_FAIL : cli_status_exit(st);
    }
    if (moved)
        cli_error(path, "%s", store_recovered(*out));
    st = paymode_apply(*out, cfg); /* payment modes switched by command override the config's */
    if (st != GL_OK) {
        cli_error(path, "cannot read the payment modes: %s", gl_strerror(st));
        store_close(*out);
        *out = NULL;
        return CLI_FAIL;
    }
    return CLI_OK;
}
