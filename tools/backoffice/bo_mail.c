/* bo_mail.c: one e-mail through an SMTP relay with libcurl (STARTTLS). */
#include "bo_mail.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bo_mime.h"

#define TRANSCRIPT_MAX 8192 /* the server's lines kept to read its last reply */

struct bo_mail {
    CURL *h;
};

typedef struct session {
    const char *msg;
    size_t len, off;
    char in[TRANSCRIPT_MAX]; /* the server's replies, the newest kept */
    size_t in_len;
    char last_cmd[8]; /* the verb of the last command sent (MAIL, RCPT, DATA, ...) */
    int quit;         /* QUIT sent: its 221 and the verb are not the outcome */
} session;

static size_t read_msg(char *buf, size_t size, size_t nitems, void *arg)
{
    session *s = arg;
    size_t n = size * nitems, left = s->len - s->off;
    if (n > left)
        n = left;
    memcpy(buf, s->msg + s->off, n);
    s->off += n;
    return n;
}

/* trace: keeps the server's reply lines and the last command's verb. */
static int trace(CURL *h, curl_infotype type, char *data, size_t n, void *arg)
{
    session *s = arg;
    (void)h;
    if (s->quit)
        return 0;
    if (type == CURLINFO_HEADER_OUT && n >= 4 && strncasecmp(data, "QUIT", 4) == 0) {
        s->quit = 1;
    } else if (type == CURLINFO_HEADER_IN) {
        if (s->in_len + n >= sizeof s->in)
            s->in_len = 0; /* only the last replies matter */
        if (n < sizeof s->in) {
            memcpy(s->in + s->in_len, data, n);
            s->in_len += n;
        }
    } else if (type == CURLINFO_HEADER_OUT) {
        size_t k = 0;
        while (k < n && k + 1 < sizeof s->last_cmd && data[k] != ' ' && data[k] != '\r' && data[k] != '\n')
            k++;
        memcpy(s->last_cmd, data, k);
        s->last_cmd[k] = '\0';
    }
    return 0;
}

gl_status bo_mail_open(bo_mail **out)
{
    static int global_done;
    *out = NULL;
    if (!global_done && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return GL_ENOMEM;
    global_done = 1;
    bo_mail *m = calloc(1, sizeof *m);
    if (!m || !(m->h = curl_easy_init())) {
        free(m);
        return GL_ENOMEM;
    }
    *out = m;
    return GL_OK;
}

void bo_mail_close(bo_mail *m)
{
    if (!m)
        return;
    curl_easy_cleanup(m->h);
    free(m);
}

/* classify: the named outcome of curl's result rc after the session s. */
static void classify(CURLcode rc, const session *s, bo_mail_result *r)
{
    r->temporary = 1;
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_OPERATION_TIMEDOUT ||
        rc == CURLE_GOT_NOTHING)
        r->error = "mail_unreachable";
    else if (rc == CURLE_USE_SSL_FAILED)
        r->error = "mail_tls_refused";
    else if (rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
        r->error = "mail_tls_failed";
    else if (rc == CURLE_LOGIN_DENIED)
        r->error = "mail_auth";
    else if (r->code >= 400 && r->code < 500)
        r->error = "mail_deferred";
    else if (r->code >= 500 && strcasecmp(s->last_cmd, "RCPT") == 0)
        r->error = "mail_refused", r->temporary = 0;
    else if (r->code >= 500)
        r->error = "mail_rejected", r->temporary = 0;
    else
        r->error = "mail_unreachable"; /* the connection broke without a reply */
}

static void setup(CURL *h, const bo_mail_cfg *cfg, session *s, struct curl_slist *rcpt, char *errbuf)
{
    char from[300];
    snprintf(from, sizeof from, "<%s>", cfg->from);
    curl_easy_setopt(h, CURLOPT_URL, cfg->url);
    curl_easy_setopt(h, CURLOPT_USE_SSL, (long)(cfg->require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (cfg->ca_file[0])
        curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca_file);
    if (cfg->user[0]) {
        curl_easy_setopt(h, CURLOPT_USERNAME, cfg->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->password);
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_msg);
    curl_easy_setopt(h, CURLOPT_READDATA, s);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)s->len);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, trace);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L); /* a connection per message: QUIT ends each */
}

gl_status bo_mail_send(bo_mail *m, const bo_mail_cfg *cfg, const char *to, const char *msg, size_t len,
                       bo_mail_result *r)
{
    static session s; /* large; one send at a time (the dispatcher is one thread) */
    char rcpt_s[300], errbuf[CURL_ERROR_SIZE] = "";
    long code = 0;
    memset(r, 0, sizeof *r);
    r->error = "mail_unreachable";
    r->temporary = 1;
    memset(&s, 0, sizeof s);
    s.msg = msg;
    s.len = len;
    snprintf(rcpt_s, sizeof rcpt_s, "<%s>", to);
    struct curl_slist *rcpt = curl_slist_append(NULL, rcpt_s);
    if (!rcpt) {
        snprintf(r->reply, sizeof r->reply, "out of memory");
        return GL_ENOMEM;
    }
    curl_easy_reset(m->h); /* options back to defaults; the CA and TLS session caches stay */
    setup(m->h, cfg, &s, rcpt, errbuf);
    CURLcode rc = curl_easy_perform(m->h);
    curl_easy_getinfo(m->h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    /* the replies up to QUIT (curl sends it itself after a refusal) */
    if (!bo_mime_reply(s.in, s.in_len, &r->code, r->reply, sizeof r->reply))
        r->code = (int)code;
    if (rc == CURLE_OK && r->code == 250) {
        r->error = NULL;
        r->temporary = 0;
        return GL_OK;
    }
    classify(rc, &s, r);
    if (r->code < 400 || !r->reply[0])
        snprintf(r->reply, sizeof r->reply, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return GL_ENET;
}
