/* bo_http.h: the little HTTP/1.0 the notices dispatcher needs: a GET to
 * Kannel's smsbox (sendsms), and a listener for the delivery reports Kannel
 * calls back (dlr-url). Plain HTTP on a local or private link, as Kannel's
 * sendsms interface is deployed; one request per connection. */
#ifndef BO_HTTP_H
#define BO_HTTP_H

#include <stddef.h>

#include "gridledger/status.h"

#define BO_HTTP_BODY_MAX 4096

/* bo_http_urlencode: appends s percent-encoded (RFC 3986 unreserved kept)
 * to out at *len; GL_EBOUND if it does not fit. */
gl_status bo_http_urlencode(const char *s, char *out, size_t cap, size_t *len);

/* bo_http_get: GET url?query (url "http://HOST:PORT/PATH"); *code gets the
 * status, body the first bytes of the response body. GL_ENET on a
 * connection failure or timeout (timeout_ms for the whole exchange). */
gl_status bo_http_get(const char *url, const char *query, int timeout_ms, int *code, char *body, size_t cap);

/* bo_http_listen: a listening TCP socket on "HOST:PORT"; -1 on failure. */
int bo_http_listen(const char *hostport);

/* bo_http_accept: waits up to wait_ms for one request on lfd; its target
 * ("/dlr?a=1&b=2") into target. Returns the connection (answer it with
 * bo_http_reply), 0 when none came, -1 on an error. */
int bo_http_accept(int lfd, int wait_ms, char *target, size_t cap);

/* bo_http_reply: sends "HTTP/1.0 CODE" with text as the body, closes fd. */
void bo_http_reply(int fd, int code, const char *text);

/* bo_http_param: the decoded value of name in a query or target; 1 if present. */
int bo_http_param(const char *target, const char *name, char *out, size_t cap);

#endif
