/* JSON-lines logger: one object per line on stderr, written with a single write(2) so lines
 * from concurrent writers never interleave. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "edge_log.h"

#define LOG_MAX_FIELDS 32

int edge_log_level = EDGE_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int edge_log_parse_level(const char *s)
{
    if (!s) return -1;
    for (int i = 0; i < 4; i++)
        if (strcasecmp(s, level_names[i]) == 0) return i;
    return -1;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the byte starts no valid one. */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n;
    unsigned cp;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n > avail) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
    if (cp >= 0xd800 && cp <= 0xdfff) return 0;
    return n;
}

/* Appends bytes to dst at *pos without overflowing; *pos keeps counting past cap. */
static void put(char *dst, size_t cap, size_t *pos, const char *s, size_t n)
{
    if (*pos < cap) {
        size_t room = cap - *pos;
        memcpy(dst + *pos, s, n < room ? n : room);
    }
    *pos += n;
}

static void put_escaped(char *dst, size_t cap, size_t *pos, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(dst, cap, pos, esc, 2);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            const char *short_esc = NULL;
            switch (c) {
            case '\n':
                short_esc = "\\n";
                break;
            case '\r':
                short_esc = "\\r";
                break;
            case '\t':
                short_esc = "\\t";
                break;
            case '\b':
                short_esc = "\\b";
                break;
            case '\f':
                short_esc = "\\f";
                break;
            default:
                break;
            }
            if (short_esc) {
                put(dst, cap, pos, short_esc, 2);
            } else {
                snprintf(esc, sizeof(esc), "\\u%04x", c);
                put(dst, cap, pos, esc, 6);
            }
            i++;
        } else {
            size_t n = utf8_seq_len(p + i, len - i);
            if (n == 0) {
                put(dst, cap, pos, "\\ufffd", 6);
                i++;
            } else {
                put(dst, cap, pos, s + i, n);
                i += n;
            }
        }
    }
}

size_t edge_log_escape(char *dst, size_t cap, const char *s, size_t len)
{
    size_t pos = 0;
    if (cap == 0) return 0;
    put_escaped(dst, cap - 1, &pos, s, len);
    dst[pos < cap - 1 ? pos : cap - 1] = '\0';
    return pos;
}

void edge_log_timestamp(char *buf, size_t len)
{
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    time_t t = tv.tv_sec;
    gmtime_r(&t, &tm);
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
}

const char *edge_log_int(char *buf, long long v)
{
    snprintf(buf, 24, "%lld", v);
    return buf;
}

size_t edge_log_format(char *buf, size_t cap, int level, const char *ts, const char *msg,
                       const char *const *fields)
{
    size_t pos = 0;
    size_t lim = cap ? cap - 1 : 0;
    const char *lvl = (level >= 0 && level <= 3) ? level_names[level] : "info";

    put(buf, lim, &pos, "{\"ts\":\"", 7);
    put_escaped(buf, lim, &pos, ts, strlen(ts));
    put(buf, lim, &pos, "\",\"level\":\"", 11);
    put(buf, lim, &pos, lvl, strlen(lvl));
    put(buf, lim, &pos, "\",\"msg\":\"", 9);
    put_escaped(buf, lim, &pos, msg ? msg : "", msg ? strlen(msg) : 0);
    put(buf, lim, &pos, "\"", 1);
    for (size_t i = 0; fields && fields[i]; i += 2) {
        const char *val = fields[i + 1];
        put(buf, lim, &pos, ",\"", 2);
        put_escaped(buf, lim, &pos, fields[i], strlen(fields[i]));
        if (val) {
            put(buf, lim, &pos, "\":\"", 3);
            put_escaped(buf, lim, &pos, val, strlen(val));
            put(buf, lim, &pos, "\"", 1);
        } else {
            put(buf, lim, &pos, "\":null", 6);
        }
        if (!val) break; /* a NULL value also ends the list */
    }
    put(buf, lim, &pos, "}\n", 2);
    if (cap) buf[pos < lim ? pos : lim] = '\0';
    return pos;
}

void edge_log_write(int level, const char *msg, ...)
{
    const char *fields[2 * LOG_MAX_FIELDS + 1];
    size_t n = 0;
    va_list ap;
    char ts[32];
    char stackbuf[4096];
    char *buf = stackbuf;
    size_t len;

    va_start(ap, msg);
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (!k || n >= 2 * LOG_MAX_FIELDS) break;
        fields[n++] = k;
        fields[n++] = va_arg(ap, const char *);
        if (!fields[n - 1]) break;
    }
    va_end(ap);
    fields[n] = NULL;

    edge_log_timestamp(ts, sizeof(ts));
    len = edge_log_format(stackbuf, sizeof(stackbuf), level, ts, msg, fields);
    if (len >= sizeof(stackbuf)) {
        char *big = malloc(len + 1); /* owned here, freed below */
        if (big) {
            edge_log_format(big, len + 1, level, ts, msg, fields);
            buf = big;
        } else {
            len = sizeof(stackbuf) - 1; /* truncated line is still better than none */
            stackbuf[len - 1] = '\n';
        }
    }
    ssize_t w;
    do {
        w = write(STDERR_FILENO, buf, len);
    } while (w < 0 && errno == EINTR);
    if (buf != stackbuf) free(buf);
}
