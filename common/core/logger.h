#ifndef ADUAN_LOGGER_H
#define ADUAN_LOGGER_H

/* JSON-lines logging on stderr, one object per line:
 *   {"ts":"2026-11-24T01:02:03.456Z","level":"info","service":"intake","trace":"…","msg":"…"}
 * The trace id is per thread: set it when work for a request or event starts, clear it after. */
typedef enum { LOGGER_DEBUG = 0, LOGGER_INFO, LOGGER_WARN, LOGGER_ERROR } logger_level_t;

void logger_init(const char *service);
/* "debug", "info", "warn", "error"; returns -1 on an unknown name. */
int logger_set_level_name(const char *name);
void logger_set_trace(const char *trace_id);   /* NULL clears */
const char *logger_trace(void);                 /* "" when none */

void logger_log(logger_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define logger_debug(...) logger_log(LOGGER_DEBUG, __VA_ARGS__)
#define logger_info(...)  logger_log(LOGGER_INFO, __VA_ARGS__)
#define logger_warn(...)  logger_log(LOGGER_WARN, __VA_ARGS__)
#define logger_error(...) logger_log(LOGGER_ERROR, __VA_ARGS__)

#endif
