#ifndef ADUAN_UPSTREAM_HTTP_H
#define ADUAN_UPSTREAM_HTTP_H

#include <stddef.h>

/* One HTTP exchange with an upstream Open311 server (libcurl; call curl_global_init first). */
typedef struct {
    long status;   /* HTTP status; 0 when no answer came */
    char *body;    /* the answer's body, NUL-terminated (at most 1 MB kept) */
} upstream_reply_t;

/* GET url when form is NULL, else POST form as application/x-www-form-urlencoded. 0 when an
 * answer came (any status: the caller judges it); -1 with the reason when none did (refused,
 * timed out, too large). */
int upstream_http(const char *url, const char *form, long timeout_ms, upstream_reply_t *reply, char *reason,
                  size_t reason_cap);
void upstream_reply_clear(upstream_reply_t *reply);

#endif
