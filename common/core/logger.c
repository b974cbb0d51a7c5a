#include "logger.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char service_name[64] = "aduan";
static logger_level_t threshold = LOGGER_INFO;
static _Thread_local char current_trace[72];

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void logger_init(const char *service)
{
    snprintf(service_name, sizeof service_name, "%s", service);
}

int logger_set_level_name(const char *name)
{
    for (int i = 0; i <= LOGGER_ERROR; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            threshold = (logger_level_t) i;
            return 0;
        }
    }
    return -1;
}

void logger_set_trace(const char *trace_id)
{
    snprintf(current_trace, sizeof current_trace, "%s", trace_id ? trace_id : "");
}

const char *logger_trace(void)
{
    return current_trace;
}

static void format_time(char *out, size_t cap)
{
    struct timespec now;
    struct tm utc;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &utc);
    size_t n = strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &utc);
    snprintf(out + n, cap - n, ".%03ldZ", now.tv_nsec / 1000000);
}

void logger_log(logger_level_t level, const char *fmt, ...)
{
    if (level < threshold)
        return;
    char message[2048], when[40];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    format_time(when, sizeof when);
    json_t *line = json_object();
    if (!line)
        return;
    json_object_set_new(line, "ts", json_string(when));
    json_object_set_new(line, "level", json_string(level_names[level]));
    json_object_set_new(line, "service", json_string(service_name));
    if (current_trace[0])
        json_object_set_new(line, "trace", json_string(current_trace));
    /* A message quoting invalid UTF-8 from outside is replaced rather than losing the line. */
    json_t *text = json_string(message);
    json_object_set_new(line, "msg", text ? text : json_string("(message was not valid UTF-8)"));
    char *out = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    if (!out)
        return;
    size_t n = strlen(out);
    char *buffer = realloc(out, n + 2);
    if (!buffer) {
        free(out);
        return;
    }
    buffer[n] = '\n';
    /* One write per line, so lines of concurrent threads and processes never interleave. */
    ssize_t ignored = write(STDERR_FILENO, buffer, n + 1);
    (void) ignored;
    free(buffer);
}
