/* outfmt.c: text, JSON and CSV listings for the CLI (see outfmt.h). */
#include "outfmt.h"

#include <string.h>

#include "gridledger/textbuf.h"

int outfmt_flag(const char *arg, outfmt_kind *k)
{
    if (strcmp(arg, "--json") == 0)
        *k = OUTFMT_JSON;
    else if (strcmp(arg, "--csv") == 0)
        *k = OUTFMT_CSV;
    else
        return 0;
    return 1;
}

/* name_len: the column name's length without its '#' mark. */
static size_t name_len(const char *c)
{
    size_t n = strlen(c);
    return n > 0 && c[n - 1] == '#' ? n - 1 : n;
}

static int numeric(const char *c)
{
    return name_len(c) != strlen(c);
}

void outfmt_json_string(FILE *f, const char *s)
{
    char small[256];
    textbuf t;
    size_t n = strlen(s), need = textbuf_json_len(s, n);
    if (need < sizeof small)
        textbuf_init_fixed(&t, small, sizeof small);
    else
        textbuf_init(&t, need);
    if (textbuf_json_strn(&t, s, n) == GL_OK)
        fwrite(textbuf_str(&t), 1, textbuf_len(&t), f);
    else
        fputs("\"\"", f); /* out of memory: an empty string, the document stays JSON */
    textbuf_free(&t);
}

void outfmt_csv_string(FILE *f, const char *v)
{
    if (v == NULL)
        return;
    if (strpbrk(v, ",\"\r\n") == NULL) {
        fputs(v, f);
        return;
    }
    fputc('"', f);
    for (; *v; v++) {
        if (*v == '"')
            fputc('"', f);
        fputc(*v, f);
    }
    fputc('"', f);
}

void outfmt_begin(outfmt *o, outfmt_kind kind, FILE *f, const char *root, const char *const *cols, int ncols)
{
    *o = (outfmt){kind, f, root, cols, ncols > OUTFMT_COLS_MAX ? OUTFMT_COLS_MAX : ncols, 0};
    if (kind == OUTFMT_JSON) {
        fputc('{', f);
        outfmt_json_string(f, root);
        fputs(":[", f);
    } else if (kind == OUTFMT_CSV) {
        for (int i = 0; i < o->ncols; i++)
            fprintf(f, "%s%.*s", i ? "," : "", (int)name_len(cols[i]), cols[i]);
        fputs("\r\n", f);
    } else {
        for (int i = 0; i < o->ncols; i++)
            fprintf(f, "%s%.*s", i ? "\t" : "", (int)name_len(cols[i]), cols[i]);
        fputc('\n', f);
    }
}

static void json_row(outfmt *o, const char *const *vals)
{
    int first = 1;
    fputs(o->nrows ? ",{" : "{", o->f);
    for (int i = 0; i < o->ncols; i++) {
        if (vals[i] == NULL)
            continue;
        fprintf(o->f, "%s\"%.*s\":", first ? "" : ",", (int)name_len(o->cols[i]), o->cols[i]);
        if (numeric(o->cols[i]))
            fputs(vals[i], o->f);
        else
            outfmt_json_string(o->f, vals[i]);
        first = 0;
    }
    fputc('}', o->f);
}

void outfmt_row(outfmt *o, const char *const *vals)
{
    if (o->kind == OUTFMT_JSON) {
        json_row(o, vals);
    } else if (o->kind == OUTFMT_CSV) {
        for (int i = 0; i < o->ncols; i++) {
            if (i)
                fputc(',', o->f);
            outfmt_csv_string(o->f, vals[i]);
        }
        fputs("\r\n", o->f);
    } else {
        for (int i = 0; i < o->ncols; i++)
            fprintf(o->f, "%s%s", i ? "\t" : "", vals[i] ? vals[i] : "-");
        fputc('\n', o->f);
    }
    o->nrows++;
}

void outfmt_end(outfmt *o)
{
    if (o->kind == OUTFMT_JSON)
        fputs("]}\n", o->f);
}
