#ifndef ADUAN_GATEWAY_HTTP_API_H
#define ADUAN_GATEWAY_HTTP_API_H
#include <stddef.h>
#include <stdint.h>

/* The public HTTP surface, /api/v1 (docs/api.md; openapi.json). Requests are served by a pool of
 * libmicrohttpd threads; each turns one HTTP request into at most one command to a service. */
#define HTTP_API_BODY_MAX (64 * 1024)
#define HTTP_API_JSON_DEPTH_MAX 8

typedef struct http_api_t http_api_t;

/* What keeps slow or many connections from crowding others out: a client that opens connections
 * and sends nothing (slowloris) holds at most connections_per_address of them, each for at most
 * idle_timeout_s of silence. */
typedef struct {
    unsigned threads;                   /* each polls its connections with epoll */
    unsigned connections;               /* open at once, in all */
    unsigned connections_per_address;   /* open at once from one peer address; 0 = no limit */
    unsigned idle_timeout_s;            /* a connection silent this long is closed */
} http_api_limits_t;

http_api_t *http_api_new(const char *listen, const http_api_limits_t *limits, char *reason, size_t reason_cap);
/* Refuses every new request, on new connections and open ones, with 503 and Connection: close;
 * requests in hand go on. */
void http_api_quiesce(http_api_t *self);
/* Finishes the requests in hand and stops. */
void http_api_destroy(http_api_t **self_p);
uint16_t http_api_port(const http_api_t *self);
/* Requests ended so far (answered, or their client gone). */
uint64_t http_api_requests_ended(http_api_t *self);

#endif
