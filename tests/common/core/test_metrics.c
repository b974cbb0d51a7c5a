#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static void test_rendering(void **state)
{
    (void) state;
    metrics_counter_t *c = metrics_counter("t_requests_total", "Requests", "route=\"a\"");
    assert_ptr_equal(c, metrics_counter("t_requests_total", "Requests", "route=\"a\""));
    metrics_counter_add(c, 3);
    metrics_counter_add(metrics_counter("t_requests_total", "Requests", "route=\"b\""), 1);
    metrics_gauge_set(metrics_gauge("t_depth", "Depth", NULL), 2.5);
    static const double bounds[] = {0.1, 1};
    metrics_histogram_t *h = metrics_histogram("t_seconds", "Latency", "", bounds, 2);
    metrics_histogram_observe(h, 0.05);
    metrics_histogram_observe(h, 0.5);
    metrics_histogram_observe(h, 5);
    assert_null(metrics_gauge("t_requests_total", "clash", NULL));
    char *text = metrics_render();
    assert_non_null(strstr(text, "# TYPE t_requests_total counter\n"));
    assert_non_null(strstr(text, "t_requests_total{route=\"a\"} 3\n"));
    assert_non_null(strstr(text, "t_requests_total{route=\"b\"} 1\n"));
    assert_non_null(strstr(text, "t_depth 2.5\n"));
    assert_non_null(strstr(text, "t_seconds_bucket{le=\"0.1\"} 1\n"));
    assert_non_null(strstr(text, "t_seconds_bucket{le=\"1\"} 2\n"));
    assert_non_null(strstr(text, "t_seconds_bucket{le=\"+Inf\"} 3\n"));
    assert_non_null(strstr(text, "t_seconds_sum 5.55"));
    assert_non_null(strstr(text, "t_seconds_count 3\n"));
    /* HELP and TYPE once per name, however many label sets */
    const char *first = strstr(text, "# HELP t_requests_total");
    assert_null(strstr(first + 1, "# HELP t_requests_total"));
    free(text);
}

static void assert_rendered(const char *line)
{
    char *text = metrics_render();
    assert_non_null(strstr(text, line));
    free(text);
}

static void on_four_threads(void *(*work)(void *), void *arg)
{
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, work, arg), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
}

static void *bump(void *arg)
{
    for (int i = 0; i < 100000; i++)
        metrics_counter_add(arg, 1);
    return NULL;
}

static void test_concurrent_increments_sum_exactly(void **state)
{
    (void) state;
    on_four_threads(bump, metrics_counter("t_concurrent_total", "Concurrent", NULL));
    assert_rendered("t_concurrent_total 400000\n");
}

static void *enter_and_leave(void *arg)
{
    for (int i = 0; i < 100000; i++) {
        metrics_gauge_add(arg, 1);
        metrics_gauge_add(arg, -1);
    }
    return NULL;
}

/* The gateway's waiting requests once stayed above 0 with none waiting: each thread set the gauge
 * to the count it had read, and a late writer's stale count was the last word. */
static void test_gauge_moved_by_threads_ends_where_they_left_it(void **state)
{
    (void) state;
    on_four_threads(enter_and_leave, metrics_gauge("t_inside", "Inside now", NULL));
    assert_rendered("t_inside 0\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_rendering), cmocka_unit_test(test_concurrent_increments_sum_exactly),
                                       cmocka_unit_test(test_gauge_moved_by_threads_ends_where_they_left_it)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
