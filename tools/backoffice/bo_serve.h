/* bo_serve.h: `gridledger-backoffice serve` (the console over HTTPS with
 * libmicrohttpd) and `gridledger-backoffice user add` (an operator). */
#ifndef BO_SERVE_H
#define BO_SERVE_H

#include "bo_cli.h"

#define BO_SERVE_FILE_MAX (4u << 20) /* a static file of the console (echarts.min.js: 1.1 MB) */

/* bo_cmd_serve: serve --listen ADDR:PORT --cert F --key F [--static DIR] */
int bo_cmd_serve(bo_ctx *ctx, int argc, char **argv);

/* bo_cmd_user: user add NAME --role R [--grid G]; the password is the first
 * line of stdin. */
int bo_cmd_user(bo_ctx *ctx, int argc, char **argv);

#endif
