/* jsonv.c: strict JSON with source positions and validated readers (see jsonv.h). */
#include "gridledger/jsonv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gridledger/money.h"
#include "gridledger/utf8.h"

typedef struct {
    const cJSON *node;
    uint32_t key_off; /* offset of the key's opening quote, or UINT32_MAX */
    uint32_t val_off; /* offset of the value's first character */
} jsonv_span;

struct jsonv_doc {
    char *file;
    char *text; /* private copy, NUL-terminated */
    size_t len;
    cJSON *root;
    jsonv_span *spans; /* sorted by node address after parsing */
    size_t nspans, capspans;
    diag *d;
    int errors;
};

/* The scanner: walks the text once; with a cJSON node beside it, records
 * where each value stands. Reports the first syntax error with its path. */
typedef struct {
    jsonv_doc *doc;
    size_t pos;
    int depth;
    char path[JSONV_PATH_MAX];
    const char *err;
    size_t err_pos;
} scanner;

static void offset_to_linecol(const char *text, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off && text[i] != '\0'; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

static int scan_fail(scanner *s, const char *msg)
{
    if (s->err == NULL) {
        s->err = msg;
        s->err_pos = s->pos;
    }
    return 0;
}

static void skip_ws(scanner *s)
{
    const char *t = s->doc->text;
    while (s->pos < s->doc->len && (t[s->pos] == ' ' || t[s->pos] == '\t' || t[s->pos] == '\n' || t[s->pos] == '\r'))
        s->pos++;
}

static int peek(const scanner *s)
{
    return s->pos < s->doc->len ? (unsigned char)s->doc->text[s->pos] : -1;
}

static int is_hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int scan_string(scanner *s)
{
    s->pos++; /* opening quote */
    for (;;) {
        int c = peek(s);
        if (c < 0)
            return scan_fail(s, "unterminated string");
        if (c == '"') {
            s->pos++;
            return 1;
        }
        if (c < 0x20)
            return scan_fail(s, "control character in string (escape it)");
        if (c != '\\') {
            s->pos++;
            continue;
        }
        s->pos++;
        c = peek(s);
        if (c == 'u') {
            for (int i = 1; i <= 4; i++) {
                if (s->pos + (size_t)i >= s->doc->len || !is_hex((unsigned char)s->doc->text[s->pos + (size_t)i]))
                    return scan_fail(s, "bad \\u escape in string");
            }
            if (memcmp(s->doc->text + s->pos + 1, "0000", 4) == 0)
                return scan_fail(s, "NUL (\\u0000) in string");
            s->pos += 5;
        } else if (c >= 0 && strchr("\"\\/bfnrt", c) != NULL) {
            s->pos++;
        } else {
            return scan_fail(s, "bad escape in string");
        }
    }
}

static int scan_digits(scanner *s)
{
    size_t start = s->pos;
    while (peek(s) >= '0' && peek(s) <= '9')
        s->pos++;
    return s->pos > start;
}

static int scan_number(scanner *s)
{
    if (peek(s) == '-')
        s->pos++;
    if (peek(s) == '0') {
        s->pos++;
        if (peek(s) >= '0' && peek(s) <= '9')
            return scan_fail(s, "number with a leading zero");
    } else if (!scan_digits(s)) {
        return scan_fail(s, "expected a value");
    }
    if (peek(s) == '.') {
        s->pos++;
        if (!scan_digits(s))
            return scan_fail(s, "expected digits after '.'");
    }
    if (peek(s) == 'e' || peek(s) == 'E') {
        s->pos++;
        if (peek(s) == '+' || peek(s) == '-')
            s->pos++;
        if (!scan_digits(s))
            return scan_fail(s, "expected digits in exponent");
    }
    return 1;
}

static int scan_literal(scanner *s, const char *word)
{
    size_t n = strlen(word);
    if (s->pos + n > s->doc->len || memcmp(s->doc->text + s->pos, word, n) != 0)
        return scan_fail(s, "expected a value");
    s->pos += n;
    return 1;
}

static int record_span(jsonv_doc *doc, const cJSON *node, uint32_t key_off, uint32_t val_off)
{
    if (node == NULL)
        return 1;
    if (doc->nspans == doc->capspans) {
        size_t cap = doc->capspans ? doc->capspans * 2 : 64;
        jsonv_span *p = realloc(doc->spans, cap * sizeof *p);
        if (p == NULL)
            return 0;
        doc->spans = p;
        doc->capspans = cap;
    }
    doc->spans[doc->nspans++] = (jsonv_span){node, key_off, val_off};
    return 1;
}

static int scan_value(scanner *s, const cJSON *node, uint32_t key_off);

/* Keeps s->path as the path of the value being scanned; returns old length. */
static size_t path_push_key(scanner *s, size_t key_start, size_t key_end)
{
    size_t old = strlen(s->path);
    size_t n = key_end - key_start;
    if (old + n + 2 < sizeof s->path) {
        if (old > 0)
            s->path[old++] = '.';
        memcpy(s->path + old, s->doc->text + key_start, n);
        s->path[old + n] = '\0';
    }
    return old > 0 && s->path[old - 1] == '.' ? old - 1 : old;
}

static size_t path_push_index(scanner *s, int index)
{
    size_t old = strlen(s->path);
    snprintf(s->path + old, sizeof s->path - old, "[%d]", index);
    return old;
}

static int key_seen_before(const scanner *s, const cJSON *obj_child, const cJSON *parent)
{
    for (const cJSON *c = parent->child; c != NULL && c != obj_child; c = c->next) {
        if (c->string != NULL && obj_child->string != NULL && strcmp(c->string, obj_child->string) == 0)
            return 1;
    }
    (void)s;
    return 0;
}

static int scan_object(scanner *s, const cJSON *node)
{
    s->pos++;
    skip_ws(s);
    if (peek(s) == '}') {
        s->pos++;
        return 1;
    }
    const cJSON *child = node ? node->child : NULL;
    for (;;) {
        skip_ws(s);
        if (peek(s) != '"')
            return scan_fail(s, peek(s) == '}' ? "trailing comma before '}'" : "expected a key in double quotes");
        size_t key_off = s->pos;
        if (!scan_string(s))
            return 0;
        size_t old = path_push_key(s, key_off + 1, s->pos - 1);
        if (node != NULL && child != NULL && key_seen_before(s, child, node)) {
            s->pos = key_off;
            return scan_fail(s, "duplicate key");
        }
        skip_ws(s);
        if (peek(s) != ':')
            return scan_fail(s, "expected ':' after key");
        s->pos++;
        if (!scan_value(s, child, (uint32_t)key_off))
            return 0;
        if (child != NULL)
            child = child->next;
        skip_ws(s);
        if (peek(s) != ',' && peek(s) != '}')
            return scan_fail(s, "expected ',' or '}' after this member");
        s->path[old] = '\0';
        if (s->doc->text[s->pos++] == '}')
            return 1;
    }
}

static int scan_array(scanner *s, const cJSON *node)
{
    s->pos++;
    skip_ws(s);
    if (peek(s) == ']') {
        s->pos++;
        return 1;
    }
    const cJSON *child = node ? node->child : NULL;
    for (int index = 0;; index++) {
        skip_ws(s);
        if (peek(s) == ']')
            return scan_fail(s, "trailing comma before ']'");
        size_t old = path_push_index(s, index);
        if (!scan_value(s, child, UINT32_MAX))
            return 0;
        if (child != NULL)
            child = child->next;
        skip_ws(s);
        if (peek(s) != ',' && peek(s) != ']')
            return scan_fail(s, "expected ',' or ']' after this element");
        s->path[old] = '\0';
        if (s->doc->text[s->pos++] == ']')
            return 1;
    }
}

static int scan_value(scanner *s, const cJSON *node, uint32_t key_off)
{
    skip_ws(s);
    if (!record_span(s->doc, node, key_off, (uint32_t)s->pos))
        return scan_fail(s, "out of memory");
    int c = peek(s), ok;
    if (++s->depth > JSONV_MAX_DEPTH)
        return scan_fail(s, "nesting too deep");
    switch (c) {
    case '{':
        ok = scan_object(s, node);
        break;
    case '[':
        ok = scan_array(s, node);
        break;
    case '"':
        ok = scan_string(s);
        break;
    case 't':
        ok = scan_literal(s, "true");
        break;
    case 'f':
        ok = scan_literal(s, "false");
        break;
    case 'n':
        ok = scan_literal(s, "null");
        break;
    case -1:
        ok = scan_fail(s, "unexpected end of input");
        break;
    default:
        ok = scan_number(s);
    }
    s->depth--;
    return ok;
}

/* One full scan; node is NULL for the syntax pass, the cJSON root for the
 * position pass. */
static int scan_document(jsonv_doc *doc, const cJSON *root, scanner *s)
{
    memset(s, 0, sizeof *s);
    s->doc = doc;
    if (doc->len >= 3 && memcmp(doc->text, "\xEF\xBB\xBF", 3) == 0)
        s->pos = 3; /* a UTF-8 byte order mark is tolerated */
    if (!scan_value(s, root, UINT32_MAX))
        return 0;
    skip_ws(s);
    if (s->pos != doc->len)
        return scan_fail(s, "unexpected text after the JSON value");
    return 1;
}

static int span_cmp(const void *a, const void *b)
{
    const cJSON *x = ((const jsonv_span *)a)->node, *y = ((const jsonv_span *)b)->node;
    return x < y ? -1 : x > y;
}

static gl_status report_syntax(const jsonv_doc *doc, const scanner *s, diag *d)
{
    int line, col;
    offset_to_linecol(doc->text, s->err_pos, &line, &col);
    diag_add(d, "%s:%d:%d: %s: %s", doc->file, line, col, s->path[0] ? s->path : "(top)", s->err);
    if (strcmp(s->err, "out of memory") == 0)
        return GL_ENOMEM;
    return strcmp(s->err, "nesting too deep") == 0 ? GL_EBOUND : GL_ESYNTAX;
}

gl_status jsonv_parse(const char *file, const char *text, size_t len, diag *d, jsonv_doc **out)
{
    gl_status ret = GL_ENOMEM;
    scanner s;
    *out = NULL;
    if (len > JSONV_MAX_TEXT) {
        diag_add(d, "%s:1:1: : file larger than %u bytes", file, JSONV_MAX_TEXT);
        return GL_EBOUND;
    }
    jsonv_doc *doc = calloc(1, sizeof *doc);
    if (doc == NULL)
        goto out;
    doc->d = d;
    doc->file = strdup(file ? file : "-");
    doc->text = malloc(len + 1);
    if (doc->file == NULL || doc->text == NULL)
        goto out;
    memcpy(doc->text, text, len);
    doc->text[len] = '\0';
    doc->len = len;
    if (memchr(doc->text, '\0', len) != NULL) {
        diag_add(d, "%s:1:1: : NUL byte in JSON text", doc->file);
        ret = GL_ESYNTAX;
        goto out;
    }
    if (!utf8_valid((const uint8_t *)doc->text, len)) {
        diag_add(d, "%s:1:1: : not UTF-8 text (RFC 8259 8.1)", doc->file);
        ret = GL_ESYNTAX;
        goto out;
    }
    if (!scan_document(doc, NULL, &s)) {
        ret = report_syntax(doc, &s, d);
        goto out;
    }
    size_t bom = len >= 3 && memcmp(doc->text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    doc->root = cJSON_ParseWithLengthOpts(doc->text + bom, len - bom, NULL, 0);
    if (doc->root == NULL)
        goto out;
    if (!scan_document(doc, doc->root, &s)) {
        ret = report_syntax(doc, &s, d); /* duplicate key, found with the tree */
        goto out;
    }
    qsort(doc->spans, doc->nspans, sizeof *doc->spans, span_cmp);
    *out = doc;
    doc = NULL;
    ret = GL_OK;
out:
    jsonv_free(doc);
    return ret;
}

void jsonv_free(jsonv_doc *doc)
{
    if (doc == NULL)
        return;
    cJSON_Delete(doc->root);
    free(doc->spans);
    free(doc->text);
    free(doc->file);
    free(doc);
}

#define SPAN_FORGOTTEN UINT32_MAX /* val_off of a dropped node's span (the order by node stays for bsearch) */

/* forget_spans: marks the spans of n, its siblings after it and all they
 * hold; jsonv_parse bounds the nesting depth. */
static void forget_spans(jsonv_doc *doc, const cJSON *n)
{
    for (; n != NULL; n = n->next) {
        jsonv_span key = {n, 0, 0};
        jsonv_span *sp = bsearch(&key, doc->spans, doc->nspans, sizeof *doc->spans, span_cmp);
        if (sp != NULL)
            sp->val_off = SPAN_FORGOTTEN;
        forget_spans(doc, n->child);
    }
}

void jsonv_drop(jsonv_doc *doc, const char *key)
{
    cJSON *item = doc != NULL && cJSON_IsObject(doc->root) ? cJSON_DetachItemFromObjectCaseSensitive(doc->root, key)
                                                            : NULL;
    if (item == NULL)
        return;
    forget_spans(doc, item); /* detached: no siblings */
    size_t kept = 0;
    for (size_t i = 0; i < doc->nspans; i++) /* the order (by address) stays */
        if (doc->spans[i].val_off != SPAN_FORGOTTEN)
            doc->spans[kept++] = doc->spans[i];
    doc->nspans = kept;
    jsonv_span *fit = realloc(doc->spans, (kept ? kept : 1) * sizeof *fit);
    if (fit != NULL) {
        doc->spans = fit;
        doc->capspans = kept ? kept : 1;
    }
    cJSON_Delete(item);
}

const cJSON *jsonv_root(const jsonv_doc *doc)
{
    return doc->root;
}

const char *jsonv_file(const jsonv_doc *doc)
{
    return doc->file;
}

diag *jsonv_diag(jsonv_doc *doc)
{
    return doc->d;
}

int jsonv_errors(const jsonv_doc *doc)
{
    return doc->errors;
}

void jsonv_pos(const jsonv_doc *doc, const cJSON *node, int want_key, int *line, int *col)
{
    *line = 0;
    *col = 0;
    jsonv_span key = {node, 0, 0};
    const jsonv_span *sp = bsearch(&key, doc->spans, doc->nspans, sizeof *doc->spans, span_cmp);
    if (sp == NULL)
        return;
    size_t off = want_key && sp->key_off != UINT32_MAX ? sp->key_off : sp->val_off;
    offset_to_linecol(doc->text, off, line, col);
}

int jsonv_number_text(const jsonv_doc *doc, const cJSON *node, char *out, size_t cap)
{
    if (doc == NULL || !cJSON_IsNumber(node) || cap == 0)
        return 0;
    jsonv_span key = {node, 0, 0};
    const jsonv_span *sp = bsearch(&key, doc->spans, doc->nspans, sizeof *doc->spans, span_cmp);
    if (sp == NULL)
        return 0;
    size_t n = 0;
    for (size_t i = sp->val_off; i < doc->len; i++, n++) {
        char c = doc->text[i];
        if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'))
            break;
    }
    if (n == 0 || n >= cap)
        return 0;
    memcpy(out, doc->text + sp->val_off, n);
    out[n] = '\0';
    return 1;
}

static void report_at(jsonv_doc *doc, const cJSON *node, int want_key, const char *path, const char *fmt,
                      va_list ap)
{
    char msg[DIAG_LINE];
    int line, col;
    vsnprintf(msg, sizeof msg, fmt, ap);
    jsonv_pos(doc, node, want_key, &line, &col);
    diag_add(doc->d, "%s:%d:%d: %s: %s", doc->file, line, col, path && path[0] ? path : "(top)", msg);
    doc->errors++;
}

void jsonv_error(jsonv_doc *doc, const cJSON *node, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_at(doc, node, 0, path, fmt, ap);
    va_end(ap);
}

static void key_error(jsonv_doc *doc, const cJSON *node, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void key_error(jsonv_doc *doc, const cJSON *node, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_at(doc, node, 1, path, fmt, ap);
    va_end(ap);
}

void jsonv_path_key(char *out, size_t cap, const char *parent, const char *key)
{
    if (parent == NULL || parent[0] == '\0')
        snprintf(out, cap, "%s", key);
    else
        snprintf(out, cap, "%s.%s", parent, key);
}

void jsonv_path_index(char *out, size_t cap, const char *parent, int index)
{
    snprintf(out, cap, "%s[%d]", parent ? parent : "", index);
}

int jsonv_check_object(jsonv_doc *doc, const cJSON *node, const char *path)
{
    if (cJSON_IsObject(node))
        return 1;
    jsonv_error(doc, node, path, "must be an object");
    return 0;
}

int jsonv_check_array(jsonv_doc *doc, const cJSON *node, const char *path, int max)
{
    if (!cJSON_IsArray(node)) {
        jsonv_error(doc, node, path, "must be an array");
        return 0;
    }
    if (cJSON_GetArraySize(node) > max) {
        jsonv_error(doc, node, path, "more than %d elements", max);
        return 0;
    }
    return 1;
}

/* Levenshtein distance, capped, for "did you mean" on unknown keys. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31)
        return 99;
    int prev[32], cur[32];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            int del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, sizeof prev);
    }
    return prev[lb];
}

int jsonv_check_keys(jsonv_doc *doc, const cJSON *obj, const char *path, const char *const *allowed)
{
    int unknown = 0;
    for (const cJSON *c = obj ? obj->child : NULL; c != NULL; c = c->next) {
        const char *best = NULL;
        int best_d = 3, found = 0;
        for (int i = 0; allowed[i] != NULL && !found; i++) {
            int dist = edit_distance(c->string, allowed[i]);
            found = dist == 0;
            if (dist < best_d) {
                best_d = dist;
                best = allowed[i];
            }
        }
        if (found)
            continue;
        char p[JSONV_PATH_MAX];
        jsonv_path_key(p, sizeof p, path, c->string);
        if (best != NULL)
            key_error(doc, c, p, "unknown key (did you mean \"%s\"?)", best);
        else
            key_error(doc, c, p, "unknown key");
        unknown++;
    }
    return unknown;
}

const cJSON *jsonv_get(jsonv_doc *doc, const cJSON *obj, const char *path, const char *key, int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (v == NULL && required) {
        char p[JSONV_PATH_MAX];
        jsonv_path_key(p, sizeof p, path, key);
        jsonv_error(doc, obj, p, "required key is missing");
    }
    return v;
}

int jsonv_get_string(jsonv_doc *doc, const cJSON *obj, const char *path, const char *key, int required,
                     const char *def, char *out, size_t cap)
{
    char p[JSONV_PATH_MAX];
    const cJSON *v = jsonv_get(doc, obj, path, key, required);
    jsonv_path_key(p, sizeof p, path, key);
    if (v == NULL) {
        if (required)
            return 0;
        snprintf(out, cap, "%s", def ? def : "");
        return 1;
    }
    if (!cJSON_IsString(v)) {
        jsonv_error(doc, v, p, "must be a string");
        return 0;
    }
    size_t n = strlen(v->valuestring);
    if (n == 0 || n >= cap) {
        jsonv_error(doc, v, p, "must be 1..%zu characters long", cap - 1);
        return 0;
    }
    memcpy(out, v->valuestring, n + 1);
    return 1;
}

int jsonv_get_int(jsonv_doc *doc, const cJSON *obj, const char *path, const char *key, int required,
                  long long def, long long lo, long long hi, long long *out)
{
    char p[JSONV_PATH_MAX];
    const cJSON *v = jsonv_get(doc, obj, path, key, required);
    jsonv_path_key(p, sizeof p, path, key);
    if (v == NULL) {
        *out = def;
        return !required;
    }
    double x = v->valuedouble;
    /* the range first: casting a double outside long long's range is undefined */
    if (!cJSON_IsNumber(v) || !(x >= -9.0e15 && x <= 9.0e15) || x != (double)(long long)x) {
        jsonv_error(doc, v, p, "must be an integer");
        return 0;
    }
    long long n = (long long)x;
    if (n < lo || n > hi) {
        jsonv_error(doc, v, p, "must be %lld..%lld", lo, hi);
        return 0;
    }
    *out = n;
    return 1;
}

int jsonv_get_bool(jsonv_doc *doc, const cJSON *obj, const char *path, const char *key, int required,
                   int def, int *out)
{
    char p[JSONV_PATH_MAX];
    const cJSON *v = jsonv_get(doc, obj, path, key, required);
    jsonv_path_key(p, sizeof p, path, key);
    if (v == NULL) {
        *out = def;
        return !required;
    }
    if (!cJSON_IsBool(v)) {
        jsonv_error(doc, v, p, "must be true or false");
        return 0;
    }
    *out = cJSON_IsTrue(v);
    return 1;
}

int jsonv_get_enum(jsonv_doc *doc, const cJSON *obj, const char *path, const char *key, int required,
                   const char *const *names, int def, int *out)
{
    char p[JSONV_PATH_MAX], list[DIAG_LINE / 2];
    const cJSON *v = jsonv_get(doc, obj, path, key, required);
    jsonv_path_key(p, sizeof p, path, key);
    if (v == NULL) {
        *out = def;
        return !required;
    }
    for (int i = 0; cJSON_IsString(v) && names[i] != NULL; i++) {
        if (strcmp(v->valuestring, names[i]) == 0) {
            *out = i;
            return 1;
        }
    }
    size_t n = 0;
    list[0] = '\0';
    for (int i = 0; names[i] != NULL && n < sizeof list; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? "|" : "", names[i]);
    jsonv_error(doc, v, p, "must be one of %s", list);
    return 0;
}

int jsonv_decimal_value(jsonv_doc *doc, const cJSON *node, const char *path, int scale, int64_t lo,
                        int64_t hi, int64_t *out)
{
    char a[MONEY_FMT_MAX], b[MONEY_FMT_MAX];
    int64_t v;
    if (!cJSON_IsString(node)) {
        jsonv_error(doc, node, path, "must be a decimal string like \"12.5\" (not a JSON number)");
        return 0;
    }
    gl_status st = money_parse(node->valuestring, scale, &v);
    if (st == GL_ERANGE) {
        jsonv_error(doc, node, path, "more than %d decimals", scale);
        return 0;
    }
    if (st != GL_OK) {
        jsonv_error(doc, node, path, "not a decimal number: \"%s\"", node->valuestring);
        return 0;
    }
    if (v < lo || v > hi) {
        money_format_trim(lo, scale, 0, a, sizeof a);
        money_format_trim(hi, scale, 0, b, sizeof b);
        jsonv_error(doc, node, path, "must be %s..%s", a, b);
        return 0;
    }
    *out = v;
    return 1;
}

int jsonv_get_decimal(jsonv_doc *doc, const cJSON *obj, const char *path, const char *key, int required,
                      int64_t def, int scale, int64_t lo, int64_t hi, int64_t *out)
{
    char p[JSONV_PATH_MAX];
    const cJSON *v = jsonv_get(doc, obj, path, key, required);
    jsonv_path_key(p, sizeof p, path, key);
    if (v == NULL) {
        *out = def;
        return !required;
    }
    return jsonv_decimal_value(doc, v, p, scale, lo, hi, out);
}
