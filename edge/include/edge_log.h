/* Structured JSON-lines logging to stderr. Formatting is skipped when the level is off. */
#ifndef EDGE_LOG_H
#define EDGE_LOG_H

enum { EDGE_LOG_DEBUG = 0, EDGE_LOG_INFO = 1, EDGE_LOG_WARN = 2, EDGE_LOG_ERROR = 3 };

extern int edge_log_level;

/* Parses "debug"/"info"/"warn"/"error"; returns -1 when unknown. */
int edge_log_parse_level(const char *s);

/* Writes {"ts":..,"level":..,"msg":msg, <fields>} and a newline in one write(2).
 * fields is a NULL-terminated list of key, value pairs; values are JSON-escaped strings.
 * Use edge_log_kv_int via EDGE_LOGI for integers: fields are pre-rendered strings. */
void edge_log_write(int level, const char *msg, ...);

#define EDGE_LOG(level, msg, ...)                                        \
    do {                                                                 \
        if ((level) >= edge_log_level) edge_log_write((level), (msg), ##__VA_ARGS__, (const char *)0); \
    } while (0)
#define EDGE_DEBUG(msg, ...) EDGE_LOG(EDGE_LOG_DEBUG, msg, ##__VA_ARGS__)
#define EDGE_INFO(msg, ...) EDGE_LOG(EDGE_LOG_INFO, msg, ##__VA_ARGS__)
#define EDGE_WARN(msg, ...) EDGE_LOG(EDGE_LOG_WARN, msg, ##__VA_ARGS__)
#define EDGE_ERROR(msg, ...) EDGE_LOG(EDGE_LOG_ERROR, msg, ##__VA_ARGS__)

#endif
