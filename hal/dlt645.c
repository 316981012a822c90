/* dlt645.c: the DL/T 645-2007 frame codec. See dlt645.h.
 *
 * Where the open implementations disagree, this module follows the
 * standard and tolerates the others on receive:
 * - preamble: 600888/dlt645 (cpp/src/protocol/protocol.cpp, buildFrame) and
 *   chinawrj/esphome-component-dlt645 (dlt645.cpp) always send FE FE FE FE;
 *   WKJay/DLT645 (src/dlt645_2007.c) sends none. The count is the caller's
 *   choice (0..4); any number of FE is skipped on receive.
 * - broadcast time: the standard's `ss mm hh DD MM YY`; chinawrj sends 5
 *   bytes `YY MM DD hh mm` (broadcast_time_sync).
 * - relay password: P0 (lowest byte) first as the standard draws it, as
 *   chinawrj does (123456 sent 56 34 12).
 * - sign bit: top bit of the most significant (last on the wire) byte, as
 *   chinawrj's bcd_to_float_with_sign; WKJay reads these fields unsigned.
 * - parsing: by the length byte. 600888's FrameStreamDecoder also does;
 *   parsers that stop at the first 16 break on a checksum equal to 16. */
#include "dlt645.h"

#include <string.h>

#define START 0x68
#define END 0x16
#define PRE 0xFE
#define OFFSET 0x33

gl_status dlt645_addr_parse(const char *digits, dlt645_addr *out)
{
    if (digits == NULL || strlen(digits) != 12)
        return GL_ESYNTAX;
    for (int i = 0; i < 12; i++)
        if (digits[i] < '0' || digits[i] > '9')
            return GL_ESYNTAX;
    for (int i = 0; i < DLT645_ADDR_LEN; i++) {
        const char *d = digits + 10 - 2 * i; /* the lowest two digits go first */
        out->b[i] = (uint8_t)((d[0] - '0') << 4 | (d[1] - '0'));
    }
    return GL_OK;
}

void dlt645_addr_format(const dlt645_addr *a, char out[13])
{
    static const char hex[] = "0123456789ABCDEF";
    for (int i = 0; i < DLT645_ADDR_LEN; i++) {
        uint8_t b = a->b[DLT645_ADDR_LEN - 1 - i];
        out[2 * i] = hex[b >> 4];
        out[2 * i + 1] = hex[b & 0x0F];
    }
    out[12] = '\0';
}

static dlt645_addr addr_fill(uint8_t b)
{
    dlt645_addr a;
    memset(a.b, b, sizeof a.b);
    return a;
}

dlt645_addr dlt645_addr_broadcast(void)
{
    return addr_fill(0x99);
}

dlt645_addr dlt645_addr_wildcard(void)
{
    return addr_fill(0xAA);
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
    unsigned s = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i];
    return (uint8_t)s;
}

gl_status dlt645_encode(const dlt645_addr *addr, uint8_t c, const uint8_t *data, size_t len, int preamble, uint8_t *out,
                        size_t cap, size_t *n)
{
    if (preamble < 0 || preamble > DLT645_PREAMBLE_MAX || addr == NULL || (len > 0 && data == NULL))
        return GL_EINVAL;
    if (len > DLT645_DATA_MAX || cap < (size_t)preamble + DLT645_OVERHEAD + len)
        return GL_EBOUND;
    size_t k = 0;
    for (int i = 0; i < preamble; i++)
        out[k++] = PRE;
    size_t start = k;
    out[k++] = START;
    memcpy(out + k, addr->b, DLT645_ADDR_LEN);
    k += DLT645_ADDR_LEN;
    out[k++] = START;
    out[k++] = c;
    out[k++] = (uint8_t)len;
    for (size_t i = 0; i < len; i++)
        out[k++] = (uint8_t)(data[i] + OFFSET);
    out[k] = sum8(out + start, k - start);
    k++;
    out[k++] = END;
    *n = k;
    return GL_OK;
}

/* DI3 DI2 DI1 DI0 is sent DI0 first. */
static void di_put(uint32_t di, uint8_t *p)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(di >> (8 * i));
}

static uint32_t di_get(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

gl_status dlt645_build_read(const dlt645_addr *addr, uint32_t di, int preamble, uint8_t *out, size_t cap, size_t *n)
{
    uint8_t d[4];
    di_put(di, d);
    return dlt645_encode(addr, DLT645_F_READ, d, sizeof d, preamble, out, cap, n);
}

gl_status dlt645_build_read_more(const dlt645_addr *addr, uint32_t di, uint8_t seq, int preamble, uint8_t *out,
                                 size_t cap, size_t *n)
{
    uint8_t d[5];
    di_put(di, d);
    d[4] = seq;
    return dlt645_encode(addr, DLT645_F_READ_MORE, d, sizeof d, preamble, out, cap, n);
}

gl_status dlt645_build_read_address(int preamble, uint8_t *out, size_t cap, size_t *n)
{
    dlt645_addr any = dlt645_addr_wildcard();
    return dlt645_encode(&any, DLT645_F_READ_ADDRESS, NULL, 0, preamble, out, cap, n);
}

gl_status dlt645_build_broadcast_time(const dlt645_time *t, int preamble, uint8_t *out, size_t cap, size_t *n)
{
    uint8_t d[6];
    dlt645_addr all = dlt645_addr_broadcast();
    gl_status st = dlt645_time_put(t, d);
    if (st != GL_OK)
        return st;
    return dlt645_encode(&all, DLT645_F_BROADCAST_TIME, d, sizeof d, preamble, out, cap, n);
}

static int relay_command_known(uint8_t c)
{
    return c == 0x1A || c == 0x1B || c == 0x1C || c == 0x2A || c == 0x2B || c == 0x3A || c == 0x3B;
}

gl_status dlt645_build_relay(const dlt645_addr *addr, const dlt645_relay *r, int preamble, uint8_t *out, size_t cap,
                             size_t *n)
{
    uint8_t d[16];
    if (!relay_command_known(r->command) || r->password > 0xFFFFFF)
        return GL_EINVAL;
    d[0] = r->level;
    for (int i = 0; i < 3; i++)
        d[1 + i] = (uint8_t)(r->password >> (8 * i)); /* P0 first */
    for (int i = 0; i < 4; i++)
        d[4 + i] = (uint8_t)(r->operator_code >> (8 * i)); /* C0 first */
    d[8] = r->command;
    d[9] = 0; /* N2 reserved */
    gl_status st = dlt645_time_put(&r->expiry, d + 10);
    if (st != GL_OK)
        return st;
    return dlt645_encode(addr, DLT645_F_RELAY, d, sizeof d, preamble, out, cap, n);
}

/* Where the frame starts: after FE and any noise before the first 68. */
static size_t frame_start(const uint8_t *buf, size_t n)
{
    size_t s = 0;
    while (s < n && buf[s] != START)
        s++;
    return s;
}

size_t dlt645_need(const uint8_t *buf, size_t n)
{
    size_t s = frame_start(buf, n);
    if (s >= n)
        return n + 1; /* not even a 68 yet */
    if (n - s >= 8 && buf[s + 7] != START)
        return n; /* not a frame: decoding says so now */
    if (n - s < 10)
        return s + 10;
    return s + DLT645_OVERHEAD + buf[s + 9];
}

gl_status dlt645_decode(const uint8_t *buf, size_t n, dlt645_frame *f, size_t *used)
{
    size_t s = frame_start(buf, n);
    *used = s;
    if (s >= n)
        return GL_EPROTO; /* noise only: all of it goes */
    /* from here on at least the 68 goes, so a caller's loop always advances */
    *used = s + 1;
    if (n - s >= 8 && buf[s + 7] != START)
        return GL_EPROTO; /* a stray 68: resynchronise after it */
    if (n - s < DLT645_OVERHEAD || n - s < DLT645_OVERHEAD + (size_t)buf[s + 9])
        return GL_EPROTO; /* called before dlt645_need() was met */
    size_t len = buf[s + 9];
    size_t cs_at = s + 10 + len;
    *used = cs_at + 2;
    if (sum8(buf + s, cs_at - s) != buf[cs_at])
        return GL_ECORRUPT;
    if (buf[cs_at + 1] != END)
        return GL_EPROTO;
    memcpy(f->addr.b, buf + s + 1, DLT645_ADDR_LEN);
    f->ctrl = buf[s + 8];
    f->len = (uint8_t)len;
    for (size_t i = 0; i < len; i++)
        f->data[i] = (uint8_t)(buf[s + 10 + i] - OFFSET);
    return GL_OK;
}

gl_status dlt645_reply_check(const dlt645_frame *f, uint8_t func, const dlt645_addr *addr, uint8_t *err)
{
    *err = 0;
    if (!(f->ctrl & DLT645_C_REPLY) || (f->ctrl & DLT645_C_FUNC) != func)
        return GL_EPROTO;
    if (addr != NULL && memcmp(f->addr.b, addr->b, DLT645_ADDR_LEN) != 0)
        return GL_EPROTO;
    if (f->ctrl & DLT645_C_ERROR) {
        *err = f->len >= 1 ? f->data[0] : 0;
        return GL_EEXCEPTION;
    }
    return GL_OK;
}

gl_status dlt645_read_payload(const dlt645_frame *f, uint32_t di, const uint8_t **p, size_t *len)
{
    size_t tail = (f->ctrl & DLT645_C_FUNC) == DLT645_F_READ_MORE ? 1 : 0;
    if (f->len < 4 + tail || di_get(f->data) != di)
        return GL_EPROTO;
    *p = f->data + 4;
    *len = f->len - 4 - tail;
    return GL_OK;
}

const char *dlt645_err_name(uint8_t err)
{
    static const char *const names[] = {
        "other error",
        "no requested data",
        "password/authority refused",
        "baud rate not changeable",
        "too many year time zones",
        "too many daily time slots",
        "too many tariffs",
    };
    for (int bit = 0; bit < 7; bit++)
        if (err & (1u << bit))
            return names[bit];
    return "error reply";
}

gl_status dlt645_bcd_get(const uint8_t *p, size_t width, int is_signed, int64_t *out)
{
    int64_t v = 0;
    int negative = 0;
    if (width == 0 || width > 8)
        return GL_EINVAL;
    for (size_t i = width; i-- > 0;) {
        uint8_t b = p[i];
        if (is_signed && i == width - 1) {
            negative = (b & 0x80) != 0;
            b &= 0x7F;
        }
        if ((b >> 4) > 9 || (b & 0x0F) > 9)
            return GL_ERANGE;
        v = v * 100 + (b >> 4) * 10 + (b & 0x0F);
    }
    *out = negative ? -v : v;
    return GL_OK;
}

gl_status dlt645_bcd_put(int64_t v, size_t width, int is_signed, uint8_t *p)
{
    int negative = v < 0;
    uint64_t m;
    if (width == 0 || width > 8)
        return GL_EINVAL;
    if (negative && !is_signed)
        return GL_ERANGE;
    m = negative ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    for (size_t i = 0; i < width; i++) {
        unsigned lo = (unsigned)(m % 10), hi = (unsigned)(m / 10 % 10);
        p[i] = (uint8_t)(hi << 4 | lo);
        m /= 100;
    }
    /* the top digit of a signed field has only 3 bits */
    if (m != 0 || (is_signed && (p[width - 1] & 0x80)))
        return GL_ERANGE;
    if (negative)
        p[width - 1] |= 0x80;
    return GL_OK;
}

static int bcd_byte(uint8_t b, int *out)
{
    if ((b >> 4) > 9 || (b & 0x0F) > 9)
        return 0;
    *out = (b >> 4) * 10 + (b & 0x0F);
    return 1;
}

static uint8_t to_bcd(int v)
{
    return (uint8_t)((v / 10) << 4 | (v % 10));
}

static int days_in(int year, int month)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && year % 4 == 0) /* 2000..2099: every fourth year */
        return 29;
    return mdays[month - 1];
}

static int time_valid(const dlt645_time *t)
{
    if (t->year < 2000 || t->year > 2099 || t->month < 1 || t->month > 12)
        return 0;
    if (t->day < 1 || t->day > days_in(t->year, t->month))
        return 0;
    return t->hour >= 0 && t->hour < 24 && t->minute >= 0 && t->minute < 60 && t->second >= 0 && t->second < 60;
}

gl_status dlt645_time_get(const uint8_t *p, int has_seconds, dlt645_time *t)
{
    int v[6] = {0};
    int k = has_seconds ? 6 : 5;
    for (int i = 0; i < k; i++)
        if (!bcd_byte(p[i], &v[i + (has_seconds ? 0 : 1)]))
            return GL_ERANGE;
    t->second = v[0];
    t->minute = v[1];
    t->hour = v[2];
    t->day = v[3];
    t->month = v[4];
    t->year = 2000 + v[5];
    return time_valid(t) ? GL_OK : GL_ERANGE;
}

gl_status dlt645_time_put(const dlt645_time *t, uint8_t *p)
{
    if (!time_valid(t))
        return GL_ERANGE;
    p[0] = to_bcd(t->second);
    p[1] = to_bcd(t->minute);
    p[2] = to_bcd(t->hour);
    p[3] = to_bcd(t->day);
    p[4] = to_bcd(t->month);
    p[5] = to_bcd(t->year - 2000);
    return GL_OK;
}
