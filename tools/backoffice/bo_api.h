/* bo_api.h: the console's JSON API, independent of the HTTP server.
 *
 * One request in (method, path, body, session cookie, CSRF header, query
 * arguments, the time), one response out (status, JSON body, Set-Cookie).
 * Every change needs a session and its current CSRF token (single use: the
 * response carries the next one as "csrf"), and is written to the audit log.
 * Errors are {"error": "..."} with a 4xx/5xx status; nothing is changed. */
#ifndef BO_API_H
#define BO_API_H

#include <stddef.h>

#include "bo_cli.h"
#include "bo_db.h"

#define BO_API_BODY_MAX 16384 /* a request body */
#define BO_API_ROWS_MAX 5000  /* rows in one listing */
#define BO_API_COOKIE "gl_session"

typedef struct bo_api_req {
    const char *method; /* "GET" | "POST" */
    const char *path;   /* "/api/..." */
    const char *body;   /* may be NULL */
    size_t body_len;
    const char *token; /* the session cookie, or NULL */
    const char *csrf;  /* the X-CSRF-Token header, or NULL */
    const char *(*arg)(void *cls, const char *name); /* a query argument, or NULL */
    void *arg_cls;
    long long now;
} bo_api_req;

typedef struct bo_api_resp {
    int status;
    char *body;          /* malloc'd JSON text, owned by the caller */
    char set_cookie[256]; /* "" when none */
    char log[256];       /* one line for the server's log when refused or failed */
} bo_api_resp;

typedef struct bo_api {
    bo_ctx *ctx;
    bo_db *db;
} bo_api;

/* bo_api_schema: the indexes the console's queries need on the ingest's
 * tables (worklist by grid, actions and downlink by customer), created if
 * missing; `serve` calls it at start. */
gl_status bo_api_schema(bo_db *db);

/* bo_api_handle: answers req into *resp (free resp->body). */
void bo_api_handle(bo_api *api, const bo_api_req *req, bo_api_resp *resp);

#endif
