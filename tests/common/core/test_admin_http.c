#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "admin_http.h"
#include "metrics.h"

/* One plain HTTP/1.0 exchange; returns the whole response (malloc'd). */
static char *http(uint16_t port, const char *request)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *) &address, sizeof address), 0);
    assert_int_equal(write(fd, request, strlen(request)), (ssize_t) strlen(request));
    char *response = calloc(1, 65536);
    size_t n = 0;
    ssize_t got;
    while ((got = read(fd, response + n, 65535 - n)) > 0)
        n += (size_t) got;
    close(fd);
    return response;
}

/* `status`: the three digits after "HTTP/1.x " (libmicrohttpd answers 1.1 to a 1.0 request). */
static void expect(uint16_t port, const char *request, const char *status, const char *contains)
{
    char *response = http(port, request);
    assert_true(strncmp(response, "HTTP/1.", 7) == 0);
    assert_memory_equal(response + 9, status, 3);
    if (contains)
        assert_non_null(strstr(response, contains));
    free(response);
}

static void test_health_readiness_metrics(void **state)
{
    (void) state;
    char reason[200];
    admin_http_t *admin = admin_http_new("127.0.0.1:0", reason, sizeof reason);
    assert_non_null(admin);
    uint16_t port = admin_http_port(admin);
    assert_true(port > 0);
    metrics_counter_add(metrics_counter("t_admin_total", "for the test", NULL), 2);
    expect(port, "GET /healthz HTTP/1.0\r\n\r\n", "200", "ok");
    expect(port, "GET /readyz HTTP/1.0\r\n\r\n", "503", "starting");
    admin_http_set_ready(admin, false, "database not reachable");
    expect(port, "GET /readyz HTTP/1.0\r\n\r\n", "503", "database not reachable");
    admin_http_set_ready(admin, true, NULL);
    expect(port, "GET /readyz HTTP/1.0\r\n\r\n", "200", "ready");
    expect(port, "GET /metrics HTTP/1.0\r\n\r\n", "200", "t_admin_total 2");
    expect(port, "GET /metrics HTTP/1.0\r\n\r\n", "200", "text/plain; version=0.0.4");
    /* a scrape reads the process's memory as it is then */
    expect(port, "GET /metrics HTTP/1.0\r\n\r\n", "200", "\nprocess_resident_memory_bytes ");
    expect(port, "GET /metrics HTTP/1.0\r\n\r\n", "200", "\naduan_heap_free_bytes ");
    expect(port, "POST /healthz HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc", "405", NULL);
    expect(port, "GET /elsewhere HTTP/1.0\r\n\r\n", "404", NULL);
    admin_http_destroy(&admin);
    assert_null(admin);
}

static void test_bad_addresses_are_refused(void **state)
{
    (void) state;
    char reason[200];
    assert_null(admin_http_new("127.0.0.1", reason, sizeof reason));
    assert_null(admin_http_new("nowhere:80", reason, sizeof reason));
    assert_null(admin_http_new("127.0.0.1:99999", reason, sizeof reason));
    assert_non_null(strstr(reason, "99999"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_health_readiness_metrics),
                                       cmocka_unit_test(test_bad_addresses_are_refused)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
