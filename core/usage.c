/* usage.c: the usage CSV into interval rows (see usage.h).
 *
 * Two passes over the rows kept in the caller's array: the first reads
 * every row (syntax, ranges, ascending instants), the second finds the
 * interval length (the shortest step between rows) and widens the row after
 * a gap back over it. Errors stop at the first problem: one line in d. */
#include "gridledger/usage.h"

#include <string.h>

#include "gridledger/civdate.h"
#include "gridledger/money.h"

enum { COL_START, COL_KWH, COL_KVARH, COL_KW, NCOLS };
static const char *const col_names[NCOLS] = {"start", "kwh", "kvarh", "kw"};

typedef struct {
    const char *file;
    diag *d;
    int line;
    int col_of[NCOLS]; /* field index of each column, -1 if absent */
    int nfields;
    int offsets;       /* -1 unknown, 0 no row has an offset, 1 every row has one */
    int start_field_col; /* column of the last row's start field */
} reader;

typedef struct {
    const char *p;
    size_t n;
    int col; /* 1-based column of the field in its line */
} field;

static gl_status fail(reader *R, int col, const char *what, const char *msg, gl_status st)
{
    diag_add(R->d, "%s:%d:%d: %s: %s", R->file, R->line, col, what, msg);
    return st;
}

/* Splits one line at commas into f[0..max-1]; surrounding quotes removed. */
static int split(const char *s, size_t n, field *f, int max)
{
    int k = 0;
    size_t a = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != ',')
            continue;
        if (k == max)
            return max + 1;
        f[k].p = s + a;
        f[k].n = i - a;
        f[k].col = (int)a + 1;
        if (f[k].n >= 2 && f[k].p[0] == '"' && f[k].p[f[k].n - 1] == '"') {
            f[k].p++;
            f[k].n -= 2;
        }
        k++;
        a = i + 1;
    }
    return k;
}

static gl_status read_header(reader *R, const char *s, size_t n)
{
    field f[NCOLS + 1];
    int k = split(s, n, f, NCOLS);
    for (int c = 0; c < NCOLS; c++)
        R->col_of[c] = -1;
    if (k > NCOLS)
        return fail(R, 1, "header", "more than 4 columns (start, kwh, kvarh, kw)", GL_ESYNTAX);
    for (int i = 0; i < k; i++) {
        int c = 0;
        while (c < NCOLS && !(strlen(col_names[c]) == f[i].n && memcmp(col_names[c], f[i].p, f[i].n) == 0))
            c++;
        if (c == NCOLS)
            return fail(R, f[i].col, "header", "unknown column (columns: start, kwh, kvarh, kw)", GL_ESYNTAX);
        if (R->col_of[c] >= 0)
            return fail(R, f[i].col, "header", "column named twice", GL_ESYNTAX);
        R->col_of[c] = i;
    }
    if (R->col_of[COL_START] < 0 || R->col_of[COL_KWH] < 0)
        return fail(R, 1, "header", "needs the columns start and kwh", GL_ESYNTAX);
    R->nfields = k;
    return GL_OK;
}

static int two(const char *p, int *v)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return 0;
    *v = (p[0] - '0') * 10 + (p[1] - '0');
    return 1;
}

/* "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM|-HH:MM]" -> wall minutes and offset. */
static gl_status parse_start(reader *R, const field *f, int64_t *wall, int *offset, int *has_offset)
{
    int32_t day;
    int hm, sec = 0, oh, om;
    size_t n = f->n, i = 16;
    if (n < 16 || f->p[10] != 'T' || civdate_parse(f->p, 10, &day) != GL_OK ||
        civdate_parse_time(f->p + 11, 5, &hm) != GL_OK || hm >= CIVDATE_MINUTES_PER_DAY)
        return fail(R, f->col, "start", "must be a local time \"YYYY-MM-DDTHH:MM\"", GL_ESYNTAX);
    if (n >= 19 && f->p[16] == ':') {
        if (!two(f->p + 17, &sec) || sec != 0)
            return fail(R, f->col, "start", "seconds must be :00", GL_ESYNTAX);
        i = 19;
    }
    *has_offset = i < n;
    *offset = 0;
    if (i < n && f->p[i] == 'Z' && i + 1 == n) {
        /* UTC */
    } else if (i < n && (f->p[i] == '+' || f->p[i] == '-') && i + 6 == n && f->p[i + 3] == ':' &&
               two(f->p + i + 1, &oh) && two(f->p + i + 4, &om) && oh <= 14 && om <= 59) {
        *offset = (f->p[i] == '-' ? -1 : 1) * (oh * 60 + om);
    } else if (i < n) {
        return fail(R, f->col, "start", "must be a local time \"YYYY-MM-DDTHH:MM\", then an optional UTC offset",
                    GL_ESYNTAX);
    }
    if (hm % 15 != 0)
        return fail(R, f->col, "start", "must be on a quarter hour (:00, :15, :30, :45)", GL_ERANGE);
    *wall = (int64_t)day * CIVDATE_MINUTES_PER_DAY + hm;
    return GL_OK;
}

/* A decimal energy (kWh at scale 3) >= 0; an empty optional field is -1. */
static gl_status parse_energy(reader *R, const field *f, int c, int64_t *out)
{
    if (f->n == 0 && c != COL_KWH) {
        *out = -1;
        return GL_OK;
    }
    gl_status st = money_parse_n(f->p, f->n, MONEY_SCALE_WH, out);
    if (st == GL_ERANGE)
        return fail(R, f->col, col_names[c], "more than 3 decimals", GL_ERANGE);
    if (st != GL_OK)
        return fail(R, f->col, col_names[c], "must be a decimal number like \"1.25\"", GL_ESYNTAX);
    if (*out < 0 || *out > 1000000000000LL)
        return fail(R, f->col, col_names[c], "must be 0..1000000000", GL_ERANGE);
    return GL_OK;
}

static gl_status read_row(reader *R, const char *s, size_t n, usage_interval *u)
{
    field f[NCOLS + 1];
    int k = split(s, n, f, NCOLS);
    int has_offset = 0, off = 0;
    if (k != R->nfields)
        return fail(R, 1, "row", k > R->nfields ? "more fields than the header" : "fewer fields than the header",
                    GL_ESYNTAX);
    memset(u, 0, sizeof *u);
    R->start_field_col = f[R->col_of[COL_START]].col;
    gl_status st = parse_start(R, &f[R->col_of[COL_START]], &u->start_min, &off, &has_offset);
    if (st != GL_OK)
        return st;
    if (R->offsets >= 0 && R->offsets != has_offset)
        return fail(R, f[R->col_of[COL_START]].col, "start",
                    "give a UTC offset on every row or on none", GL_ESYNTAX);
    R->offsets = has_offset;
    u->utc_offset_min = off;
    u->reactive_varh = -1;
    u->demand_w = -1;
    if ((st = parse_energy(R, &f[R->col_of[COL_KWH]], COL_KWH, &u->energy_wh)) != GL_OK)
        return st;
    if (R->col_of[COL_KVARH] >= 0 &&
        (st = parse_energy(R, &f[R->col_of[COL_KVARH]], COL_KVARH, &u->reactive_varh)) != GL_OK)
        return st;
    if (R->col_of[COL_KW] >= 0 && (st = parse_energy(R, &f[R->col_of[COL_KW]], COL_KW, &u->demand_w)) != GL_OK)
        return st;
    return GL_OK;
}

static int64_t instant(const usage_interval *u)
{
    return u->start_min - u->utc_offset_min;
}

/* The line of row i (rows are the non-empty lines after the header). */
static int row_line(const char *text, size_t len, int i)
{
    int line = 0, nonempty = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len, n = end - pos;
        line++;
        if (n > 0 && text[pos + n - 1] == '\r')
            n--;
        if ((n > 0 && !(line == 1 && n == 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)) && nonempty++ == i + 1)
            return line;
        pos = end + 1;
    }
    return line;
}

/* Interval length (the shortest step between rows) and gaps, once every
 * row is read (ascending order was checked row by row). On a problem,
 * *bad is the row and *msg what is wrong. */
static gl_status lay_out(usage_interval *rows, int n, usage_info *info, int *bad, const char **msg)
{
    int64_t step = 60;
    for (int i = 1; i < n; i++) {
        int64_t s = instant(&rows[i]) - instant(&rows[i - 1]);
        if (i == 1 || s < step)
            step = s;
    }
    if (step != 15 && step != 30 && step != 60) {
        *bad = 1;
        *msg = "intervals must be 15, 30 or 60 minutes long";
        return GL_ERANGE;
    }
    info->interval_min = (int)step;
    for (int i = n - 1; i >= 0; i--) { /* backwards: row i-1 is not moved yet */
        int64_t s = i ? instant(&rows[i]) - instant(&rows[i - 1]) : step;
        *bad = i;
        *msg = s % step != 0 ? "not on the grid of the intervals" : "a gap of more than 400 days";
        if (s % step != 0 || s > (int64_t)400 * CIVDATE_MINUTES_PER_DAY)
            return GL_ERANGE;
        rows[i].len_min = (int32_t)s;
        rows[i].start_min -= s - step; /* back over the gap, if any */
        if (s > step) {
            rows[i].flags |= USAGE_ESTIMATED;
            info->gaps++;
        }
    }
    return GL_OK;
}

gl_status usage_parse_csv(const char *file, const char *text, size_t len, usage_interval *rows, int cap,
                          int *n_out, usage_info *info, diag *d)
{
    reader R = {file ? file : "usage", d, 0, {0}, 0, -1, 1};
    gl_status st = GL_OK;
    int n = 0, header = 0;
    size_t pos = 0;
    if (text == NULL || rows == NULL || n_out == NULL || info == NULL || cap < 0)
        return GL_EINVAL;
    memset(info, 0, sizeof *info);
    *n_out = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len && st == GL_OK) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len, n_line = end - pos;
        const char *s = text + pos;
        R.line++;
        pos = end + 1;
        if (n_line > 0 && s[n_line - 1] == '\r')
            n_line--;
        if (memchr(s, '\0', n_line) != NULL)
            st = fail(&R, 1, "row", "contains a NUL byte", GL_ESYNTAX);
        else if (n_line > USAGE_MAX_LINE)
            st = fail(&R, USAGE_MAX_LINE, "row", "line too long", GL_EBOUND);
        else if (n_line == 0)
            continue;
        else if (!header) {
            st = read_header(&R, s, n_line);
            header = 1;
        } else if (n >= cap || n >= USAGE_MAX_ROWS) {
            st = fail(&R, 1, "row", "too many rows", GL_EBOUND);
        } else {
            st = read_row(&R, s, n_line, &rows[n]);
            if (st == GL_OK && n > 0 && instant(&rows[n]) <= instant(&rows[n - 1]))
                st = fail(&R, R.start_field_col, "start", "not after the row before it (rows must ascend)",
                          GL_ESYNTAX);
            n++;
        }
    }
    if (st == GL_OK && !header && (R.line = 1))
        st = fail(&R, 1, "header", "empty file: needs a header \"start,kwh\"", GL_ESYNTAX);
    if (st == GL_OK) {
        info->has_kvarh = R.col_of[COL_KVARH] >= 0;
        info->has_kw = R.col_of[COL_KW] >= 0;
        int bad = 0;
        const char *msg = "";
        st = lay_out(rows, n, info, &bad, &msg);
        if (st != GL_OK) {
            R.line = row_line(text, len, bad);
            fail(&R, 1, "start", msg, st);
        }
    }
    if (st == GL_OK)
        *n_out = n;
    return st;
}
