#include "tracking_api.h"

#include <czmq.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "tracking_id.h"

#define REPORTS "/api/v1/reports"

static tracking_cache_t *cache;
static atomic_uint_fast64_t evictions_counted;   /* of tracking_cache_evicted, in the metric */

static metrics_counter_t *evictions_metric(void)
{
    return metrics_counter("aduan_tracking_cache_evicted_total",
                           "Kept public views dropped to make room for others (ADUAN_TRACKING_CACHE_MB)", NULL);
}

int tracking_api_setup(size_t bytes, int64_t max_age_ms, char *reason, size_t cap)
{
    if (max_age_ms <= 0)
        return 0;
    if (!(cache = tracking_cache_new(bytes, max_age_ms)))
        snprintf(reason, cap, "out of memory for the kept public views");
    evictions_metric();   /* shown at 0 from the start */
    return cache ? 0 : -1;
}

void tracking_api_teardown(void)
{
    tracking_cache_destroy(&cache);
}

void tracking_api_forget_kept(void)
{
    if (cache)
        tracking_cache_forget(cache, NULL);
}

tracking_cache_t *tracking_api_cache(void)
{
    return cache;
}

static void count(const char *outcome)
{
    char labels[32];
    snprintf(labels, sizeof labels, "outcome=\"%s\"", outcome);
    metrics_counter_add(metrics_counter("aduan_tracking_cache_total",
                                        "GET tracking without a reporter token, answered from the gateway's kept "
                                        "views (hit) or by intake (miss)", labels), 1);
}

bool tracking_api_answer_kept(struct MHD_Connection *c, request_t *req, const char *tracking_id,
                              enum MHD_Result *answered)
{
    if (!cache || http_command_answered(req) || http_bearer_token(c))
        return false;
    char *view = tracking_cache_get(cache, tracking_id, zclock_mono());
    if (!view) {
        req->tracking_generation = tracking_cache_generation(cache, tracking_id);
        count("miss");
        return false;
    }
    count("hit");
    static const char *const headers[] = {"Cache-Control", "no-store", NULL};
    *answered = http_send_text(c, req, 200, "application/json; charset=utf-8", view, headers);
    return true;
}

/* Adds to the metric what the cache evicted since it was last read; of two threads that read
 * different counts, only the one that moves evictions_counted forward adds, and only its part. */
static void count_evictions(void)
{
    uint64_t evicted = tracking_cache_evicted(cache);
    uint_fast64_t counted = atomic_load(&evictions_counted);
    while (evicted > counted) {
        if (atomic_compare_exchange_weak(&evictions_counted, &counted, evicted)) {
            metrics_counter_add(evictions_metric(), evicted - counted);
            return;
        }
    }
}

void tracking_api_keep(struct MHD_Connection *c, const request_t *req, const char *tracking_id, const char *view)
{
    if (cache && !req->outgoing && !http_bearer_token(c)
        && tracking_cache_put(cache, tracking_id, view, req->tracking_generation, zclock_mono()))
        count_evictions();
}

/* The report a URL under /api/v1/reports/{id}/ is about, in *tracking_id; false for any other URL. */
static bool report_of(const char *url, char tracking_id[TRACKING_ID_LEN + 1])
{
    const char *rest = http_path_under(url, REPORTS);
    const char *slash = rest ? strchr(rest, '/') : NULL;
    char typed[64];
    if (!slash || (size_t) (slash - rest) >= sizeof typed)
        return false;
    snprintf(typed, sizeof typed, "%.*s", (int) (slash - rest), rest);
    return tracking_id_normalize(typed, tracking_id) == 0;
}

void tracking_api_after_change(const request_t *req, const char *method, const char *url)
{
    bool refused = req->status >= 400 && req->status < 500;
    if (!cache || req->suspended || refused || strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0
        || (strcmp(method, "POST") == 0 && strcmp(url, REPORTS) == 0))
        return;
    char tracking_id[TRACKING_ID_LEN + 1];
    tracking_cache_forget(cache, report_of(url, tracking_id) ? tracking_id : NULL);
}
