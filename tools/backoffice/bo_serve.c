/* bo_serve.c: the console's HTTPS server on libmicrohttpd (GNU libmicrohttpd
 * manual: MHD_start_daemon with MHD_USE_TLS and MHD_OPTION_HTTPS_MEM_KEY /
 * MHD_OPTION_HTTPS_MEM_CERT, one internal polling thread, the access handler
 * called once per request header, then per body chunk, then with
 * *upload_data_size == 0 to answer; MHD_create_response_from_buffer with
 * MHD_RESPMEM_MUST_COPY). One thread serves every connection, so the store's
 * one connection is only ever used by that thread. /api/... goes to bo_api.c;
 * anything else is a file of the static folder (tools/backoffice/console). */
#include "bo_serve.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bo_api.h"
#include "bo_auth.h"
#include "bo_ingest.h"
#include "cli.h"
#include "fileio.h"

/* Only the console's own files: no inline script or style, no other origin. */
#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';" \
            " base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

typedef struct server {
    bo_api api;
    char static_dir[BO_PATH_MAX];
} server;

typedef struct upload {
    char *buf;
    size_t len;
    int too_big;
} upload;

static enum MHD_Result send_buf(struct MHD_Connection *conn, unsigned status, const char *type, const char *data,
                                size_t len, const char *cookie)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)data, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (cookie && *cookie)
        MHD_add_response_header(r, "Set-Cookie", cookie);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static const char *content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
        {".svg", "image/svg+xml"},             {".png", "image/png"},
    };
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i][0]) == 0)
            return types[i][1];
    return NULL;
}

/* send_static: /NAME from the static folder: NAME of [a-z0-9._-] with a known
 * type, no leading dot; "/" is index.html. */
static enum MHD_Result send_static(server *sv, struct MHD_Connection *conn, const char *url)
{
    static const char nf[] = "not found\n";
    const char *name = strcmp(url, "/") == 0 ? "index.html" : url + 1;
    char path[BO_PATH_MAX + 80], *data = NULL;
    size_t len = 0;
    int ok = name[0] != '.' && strlen(name) < 64 && content_type(name);
    for (const char *p = name; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-';
    snprintf(path, sizeof path, "%s/%s", sv->static_dir, name);
    if (!ok || fileio_read(path, BO_SERVE_FILE_MAX, &data, &len) != GL_OK)
        return send_buf(conn, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", nf, sizeof nf - 1, NULL);
    enum MHD_Result r = send_buf(conn, MHD_HTTP_OK, content_type(name), data, len, NULL);
    free(data);
    return r;
}

static const char *get_arg(void *cls, const char *name)
{
    return MHD_lookup_connection_value(cls, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result send_api(server *sv, struct MHD_Connection *conn, const char *url, const char *method,
                                const upload *up)
{
    bo_api_req q;
    bo_api_resp r;
    memset(&q, 0, sizeof q);
    q.method = method;
    q.path = url;
    q.body = up->buf;
    q.body_len = up->too_big ? BO_API_BODY_MAX + 1 : up->len;
    q.token = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, BO_API_COOKIE);
    q.csrf = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
    q.arg = get_arg;
    q.arg_cls = conn;
    q.now = (long long)time(NULL);
    bo_api_handle(&sv->api, &q, &r);
    for (char *p = r.log; *p; p++) /* one line in the log whatever the path held */
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    if (r.log[0])
        cli_error("serve", "%s", r.log);
    const char *body = r.body ? r.body : "{}";
    enum MHD_Result ret = send_buf(conn, (unsigned)r.status, "application/json; charset=utf-8", body, strlen(body),
                                   r.set_cookie);
    free(r.body);
    return ret;
}

/* take_chunk: appends a body chunk, up to BO_API_BODY_MAX (past it: too_big). */
static void take_chunk(upload *up, const char *data, size_t n)
{
    if (up->too_big || up->len + n > BO_API_BODY_MAX) {
        up->too_big = 1;
        return;
    }
    char *b = realloc(up->buf, up->len + n + 1);
    if (!b) {
        up->too_big = 1;
        return;
    }
    memcpy(b + up->len, data, n);
    up->len += n;
    b[up->len] = '\0';
    up->buf = b;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                              const char *version, const char *data, size_t *data_size, void **con_cls)
{
    server *sv = cls;
    upload *up = *con_cls;
    (void)version;
    if (!up) {
        up = calloc(1, sizeof *up);
        *con_cls = up;
        return up ? MHD_YES : MHD_NO;
    }
    if (*data_size) {
        take_chunk(up, data, *data_size);
        *data_size = 0;
        return MHD_YES;
    }
    if (strncmp(url, "/api/", 5) == 0)
        return send_api(sv, conn, url, method, up);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        static const char m[] = "method not allowed\n";
        return send_buf(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", m, sizeof m - 1, NULL);
    }
    return send_static(sv, conn, url);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    upload *up = *con_cls;
    (void)cls, (void)conn, (void)toe;
    if (up)
        free(up->buf);
    free(up);
    *con_cls = NULL;
}

/* parse_listen: ADDR:PORT (IPv4) into sa. */
static int parse_listen(const char *s, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    char *end = NULL;
    if (!colon || (size_t)(colon - s) >= sizeof host)
        return 0;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    long port = strtol(colon + 1, &end, 10);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    return end && !*end && port > 0 && port < 65536 && inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

typedef struct serve_opts {
    const char *listen, *cert, *key, *static_dir;
} serve_opts;

static int serve_args(int argc, char **argv, serve_opts *o)
{
    o->static_dir = "tools/backoffice/console";
    for (int i = 1; i < argc; i++) {
        int t;
        if ((t = bo_take_opt(argc, argv, &i, "--listen", &o->listen)) ||
            (t = bo_take_opt(argc, argv, &i, "--cert", &o->cert)) ||
            (t = bo_take_opt(argc, argv, &i, "--key", &o->key)) ||
            (t = bo_take_opt(argc, argv, &i, "--static", &o->static_dir))) {
            if (t < 0)
                return 0;
        } else {
            return 0;
        }
    }
    return o->listen && o->cert && o->key;
}

static struct MHD_Daemon *start(server *sv, struct sockaddr_in *sa, const char *cert, const char *key)
{
    return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                            handle, sv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)sa, MHD_OPTION_HTTPS_MEM_KEY, key,
                            MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                            MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 200u, MHD_OPTION_END);
}

/* run_until_signal: blocks SIGINT/SIGTERM (so the server's thread never
 * takes them), starts the daemon and waits for one. */
static int run_until_signal(server *sv, struct sockaddr_in *sa, const char *cert, const char *key,
                            const char *listen)
{
    sigset_t set;
    int sig = 0;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    struct MHD_Daemon *d = start(sv, sa, cert, key);
    if (!d) {
        cli_error("serve", "cannot listen on %s with that certificate and key", listen);
        return CLI_FAIL;
    }
    printf("console on https://%s/\n", listen);
    fflush(stdout);
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    return CLI_OK;
}

int bo_cmd_serve(bo_ctx *ctx, int argc, char **argv)
{
    serve_opts o;
    server sv;
    struct sockaddr_in sa;
    char *cert = NULL, *key = NULL;
    size_t n;
    int ret = CLI_USAGE;
    memset(&o, 0, sizeof o);
    memset(&sv, 0, sizeof sv);
    if (!serve_args(argc, argv, &o) || !parse_listen(o.listen, &sa)) {
        cli_error("serve", "usage: serve --listen ADDR:PORT --cert FILE --key FILE [--static DIR] (ADDR: IPv4)");
        return CLI_USAGE;
    }
    if (fileio_read(o.cert, 1u << 20, &cert, &n) != GL_OK || fileio_read(o.key, 1u << 20, &key, &n) != GL_OK) {
        cli_error(cert ? o.key : o.cert, "cannot read it");
        goto out;
    }
    if (bo_config_load(ctx) != GL_OK || bo_auth_init() != GL_OK)
        goto out;
    ret = CLI_FAIL;
    if (bo_open_db(ctx, &sv.api.db) != GL_OK)
        goto out;
    if (bo_auth_schema(sv.api.db) != GL_OK || bo_api_schema(sv.api.db) != GL_OK) {
        cli_error("serve", "console tables and indexes: %s", bo_db_error(sv.api.db));
        goto out;
    }
    sv.api.ctx = ctx;
    snprintf(sv.static_dir, sizeof sv.static_dir, "%s", o.static_dir);
    ret = run_until_signal(&sv, &sa, cert, key, o.listen);
out:
    bo_db_close(sv.api.db);
    free(cert);
    if (key)
        memset(key, 0, strlen(key));
    free(key);
    return ret;
}

/* read_password: the first line of stdin, without its newline. */
static int read_password(char *pw, size_t cap)
{
    if (!fgets(pw, (int)cap, stdin))
        return 0;
    pw[strcspn(pw, "\r\n")] = '\0';
    return 1;
}

int bo_cmd_user(bo_ctx *ctx, int argc, char **argv)
{
    const char *role = NULL, *grid = "", *name = NULL;
    char pw[300];
    bo_db *db = NULL;
    for (int i = 2; i < argc; i++) {
        int t;
        if ((t = bo_take_opt(argc, argv, &i, "--role", &role)) || (t = bo_take_opt(argc, argv, &i, "--grid", &grid))) {
            if (t < 0)
                role = NULL;
        } else if (!name) {
            name = argv[i];
        } else {
            role = NULL;
            break;
        }
    }
    if (argc < 3 || strcmp(argv[1], "add") != 0 || !name || !role) {
        cli_error("user", "usage: user add NAME --role collector|supervisor|manager|admin [--grid G] (password on stdin)");
        return CLI_USAGE;
    }
    if (bo_config_load(ctx) != GL_OK || bo_auth_init() != GL_OK || !read_password(pw, sizeof pw)) {
        cli_error("user", "no password on stdin");
        return CLI_USAGE;
    }
    if (bo_open_db(ctx, &db) != GL_OK)
        return CLI_FAIL;
    gl_status st = bo_auth_schema(db);
    if (st == GL_OK)
        st = bo_auth_user_add(db, name, pw, role, grid, (long long)time(NULL));
    memset(pw, 0, sizeof pw);
    int ret = st == GL_OK ? CLI_OK : st == GL_EDB ? CLI_FAIL : CLI_USAGE;
    if (st == GL_OK && bo_auth_audit(db, (long long)time(NULL), "(cli)", "user_add", name) == GL_OK)
        printf("user %s added as %s%s%s\n", name, role, *grid ? " of grid " : "", grid);
    else if (st != GL_OK)
        cli_error("user", "%s: %s", name,
                  st == GL_EEXIST  ? "that name is taken"
                  : st == GL_ERANGE ? "password: 10..256 characters"
                  : st == GL_EINVAL ? "name 1..64 of A-Z a-z 0-9 . _ -, role collector|supervisor|manager|admin,"
                                      " a collector needs --grid"
                                    : bo_db_error(db));
    bo_db_close(db);
    return ret;
}
