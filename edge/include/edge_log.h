/* Structured JSON-lines logging to stderr. Formatting is skipped when the level is off. */
#ifndef EDGE_LOG_H
#define EDGE_LOG_H

#include <stddef.h>

enum { EDGE_LOG_DEBUG = 0, EDGE_LOG_INFO = 1, EDGE_LOG_WARN = 2, EDGE_LOG_ERROR = 3 };

extern int edge_log_level;

/* Parses "debug"/"info"/"warn"/"error"; returns -1 when unknown. */
int edge_log_parse_level(const char *s);

/* Writes {"ts":..,"level":..,"msg":msg, <fields>} and a newline in one write(2).
 * fields is a NULL-terminated list of key, value pairs; values are JSON-escaped strings
 * (a NULL value is written as JSON null). Integers are rendered by the caller, e.g. with
 * edge_log_int(). */
void edge_log_write(int level, const char *msg, ...);

/* Renders the same line into buf (NUL-terminated, ends with '\n'); returns its length, or the
 * length it would have had when it did not fit (like snprintf). Pure: used by the tests. */
size_t edge_log_format(char *buf, size_t cap, int level, const char *ts, const char *msg,
                       const char *const *fields);

/* JSON-escapes len bytes of s into dst (without quotes), NUL-terminated; invalid UTF-8 bytes
 * become U+FFFD. Returns the escaped length (may exceed cap - 1 when truncated). */
size_t edge_log_escape(char *dst, size_t cap, const char *s, size_t len);

/* Current time as ISO-8601 UTC with milliseconds ("2026-01-02T03:04:05.678Z"); buf >= 32. */
void edge_log_timestamp(char *buf, size_t len);

/* Renders an integer into a caller buffer (>= 24 bytes) and returns it, for log fields. */
const char *edge_log_int(char *buf, long long v);

#define EDGE_LOG(level, msg, ...)                                           \
    do {                                                                    \
        if ((level) >= edge_log_level)                                      \
            edge_log_write((level), (msg), ##__VA_ARGS__, (const char *)0); \
    } while (0)
#define EDGE_DEBUG(msg, ...) EDGE_LOG(EDGE_LOG_DEBUG, msg, ##__VA_ARGS__)
#define EDGE_INFO(msg, ...) EDGE_LOG(EDGE_LOG_INFO, msg, ##__VA_ARGS__)
#define EDGE_WARN(msg, ...) EDGE_LOG(EDGE_LOG_WARN, msg, ##__VA_ARGS__)
#define EDGE_ERROR(msg, ...) EDGE_LOG(EDGE_LOG_ERROR, msg, ##__VA_ARGS__)

#endif
