#ifndef ADUAN_ADMIN_HTTP_H
#define ADUAN_ADMIN_HTTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The small operator listener every service has (ADUAN_ADMIN_ADDR, host:port):
 *   GET /healthz  200 "ok" while the process runs its loop;
 *   GET /readyz   200 "ready" or 503 with the reason (database or peers not reachable);
 *   GET /metrics  Prometheus text from metrics.h.
 * It runs in its own thread; the service reports readiness with admin_http_set_ready. */
typedef struct admin_http_t admin_http_t;

/* listen: "127.0.0.1:9101"; port 0 picks a free one (see admin_http_port). */
admin_http_t *admin_http_new(const char *listen, char *reason, size_t reason_cap);
void admin_http_destroy(admin_http_t **self_p);
uint16_t admin_http_port(const admin_http_t *self);
/* why_not is copied; ignored when ready. */
void admin_http_set_ready(admin_http_t *self, bool ready, const char *why_not);

#endif
