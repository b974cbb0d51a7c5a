#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logger.h"

/* Runs the logging below with stderr sent to a temporary file; returns its lines parsed. */
static json_t *capture(void (*body)(void))
{
    char path[] = "/tmp/aduan-logger-XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    body();
    dup2(saved, STDERR_FILENO);
    close(saved);
    FILE *f = fdopen(fd, "r");
    rewind(f);
    json_t *lines = json_array();
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        json_error_t error;
        json_t *doc = json_loads(line, 0, &error);
        assert_non_null(doc);  /* every line is one JSON object */
        json_array_append_new(lines, doc);
    }
    fclose(f);
    unlink(path);
    return lines;
}

static void log_some(void)
{
    logger_init("testsvc");
    logger_set_level_name("info");
    logger_debug("hidden below the level");
    logger_set_trace("trace-123");
    logger_info("quote \" newline \n and é 💥 %d", 42);
    logger_set_trace(NULL);
    logger_error("no trace");
}

static void test_lines_are_json_with_service_level_and_trace(void **state)
{
    (void) state;
    json_t *lines = capture(log_some);
    assert_int_equal(json_array_size(lines), 2);
    json_t *first = json_array_get(lines, 0), *second = json_array_get(lines, 1);
    assert_string_equal(json_string_value(json_object_get(first, "service")), "testsvc");
    assert_string_equal(json_string_value(json_object_get(first, "level")), "info");
    assert_string_equal(json_string_value(json_object_get(first, "trace")), "trace-123");
    assert_string_equal(json_string_value(json_object_get(first, "msg")), "quote \" newline \n and é 💥 42");
    assert_int_equal(strlen(json_string_value(json_object_get(first, "ts"))), 24);  /* 2026-11-24T01:02:03.456Z */
    assert_null(json_object_get(second, "trace"));
    assert_string_equal(json_string_value(json_object_get(second, "level")), "error");
    json_decref(lines);
    assert_int_equal(logger_set_level_name("loud"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_lines_are_json_with_service_level_and_trace)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
