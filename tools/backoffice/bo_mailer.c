/* bo_mailer.c: a notice or a bill as an e-mail, with the bill attached. */
#include "bo_mailer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bo_mime.h"
#include "bo_notice.h"
#include "bo_report.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define XLSX_MAX (4u << 20)
#define BO_MAILER_PATH_MAX 512

int bo_mailer_wants_bill(const char *action)
{
    return strcmp(action, "written_notice") == 0 || strcmp(action, "disconnect_notice") == 0 ||
           strcmp(action, "bill") == 0;
}

static gl_status read_all(const char *path, unsigned char **out, size_t *len)
{
    gl_status st = GL_EIO;
    FILE *f = fopen(path, "rb");
    struct stat sb;
    *out = NULL;
    if (!f)
        return GL_EIO;
    if (fstat(fileno(f), &sb) != 0 || sb.st_size <= 0 || (size_t)sb.st_size > XLSX_MAX)
        goto out;
    st = GL_ENOMEM;
    *out = malloc((size_t)sb.st_size);
    if (!*out)
        goto out;
    *len = fread(*out, 1, (size_t)sb.st_size, f);
    st = *len == (size_t)sb.st_size ? GL_OK : GL_EIO;
out:
    fclose(f);
    if (st != GL_OK) {
        free(*out);
        *out = NULL;
    }
    return st;
}

/* bill_xlsx: the customer's bills (one, or the last 12) as an XLSX file in memory. */
static gl_status bill_xlsx(bo_db *db, const char *customer, const char *bill_id, unsigned char **out, size_t *len)
{
    static const bo_col cols[] = {{"customer", BO_COL_TEXT}, {"bill", BO_COL_TEXT}, {"period", BO_COL_TEXT},
                                  {"area", BO_COL_TEXT},     {"due", BO_COL_TEXT},  {"estimated", BO_COL_INT},
                                  {"total", BO_COL_FEN}};
    bo_table t;
    char path[BO_MAILER_PATH_MAX];
    const char *tmp = getenv("TMPDIR");
    const char *p[] = {customer, bill_id ? bill_id : ""};
    memset(&t, 0, sizeof t);
    t.ncols = (int)(sizeof cols / sizeof cols[0]);
    t.cols = cols;
    gl_status st = bo_table_fill(db, &t,
                                 "SELECT customer, id, period, area, due, estimated, total_fen FROM ("
                                 "SELECT * FROM bills WHERE customer = $1 AND ($2 = '' OR id = $2)"
                                 " ORDER BY period DESC, id LIMIT 12) b ORDER BY period, id",
                                 2, p);
    snprintf(path, sizeof path, "%s/gl-bill-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    int fd = st == GL_OK ? mkstemp(path) : -1;
    if (st == GL_OK && fd < 0)
        st = GL_EIO;
    if (fd >= 0) {
        close(fd);
        st = bo_xlsx_write(&t, path, "bill", -1);
        if (st == GL_OK)
            st = read_all(path, out, len);
        unlink(path);
    }
    bo_table_free(&t);
    return st;
}

gl_status bo_mailer_send(bo_mail *mail, const bo_mail_cfg *cfg, bo_db *db, const bo_mailer_item *it,
                         bo_mail_result *r)
{
    char subject[256], att_name[128];
    unsigned char *att = NULL;
    size_t att_len = 0, len = 0;
    char *msg = NULL;
    gl_status st = GL_OK;
    memset(r, 0, sizeof *r);
    r->error = "mail_build";
    snprintf(subject, sizeof subject, "%s %s", bo_notice_title(it->action, it->lang), it->customer);
    snprintf(att_name, sizeof att_name, "bill-%s.xlsx", it->customer);
    if (it->attach)
        st = bill_xlsx(db, it->customer, it->bill_id, &att, &att_len);
    bo_mime_msg m = {cfg->from, it->to, subject, it->text, it->attach ? att_name : NULL, XLSX_TYPE,
                     att, att_len, it->token, (long long)time(NULL)};
    if (st == GL_OK)
        st = bo_mime_build(&m, &msg, &len);
    if (st == GL_OK)
        st = bo_mail_send(mail, cfg, it->to, msg, len, r);
    else
        snprintf(r->reply, sizeof r->reply, "cannot make the message: %s", gl_strerror(st));
    free(att);
    free(msg);
    return st;
}
