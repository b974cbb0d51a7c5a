#include "stats_answer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <czmq.h>

#include "logger.h"
#include "metrics.h"
#include "stats_views.h"

static stats_filter_t filter_of(const stats_query_t *q)
{
    return (stats_filter_t) {
        .group_by = q->group_by, .period = q->period, .from = q->from, .to = q->to, .institution = q->institution,
        .level = q->level, .region = q->region, .category = q->category, .classification = q->classification,
        .channel = q->channel, .public_view = q->actor_role == NULL,
    };
}
/* Narrows the filter to the actor. 0 in scope, 1 refused (*refusal), -1 error. */
static int scope(db_t *db, const stats_query_t *q, stats_filter_t *f, error_reply_t *refusal, db_error_t *error)
{
    if (!q->actor_role) {
        if (strcmp(q->view, "export_reports") != 0)
            return 0;
        return error_reply_refuse(refusal, ERROR_FORBIDDEN, "exports of reports are for staff");
    }
    if (strcmp(q->actor_role, "national_admin") == 0)
        return 0;
    if (!f->institution) {
        f->institution = q->actor_institution;
        return 0;
    }
    int within = stats_views_in_subtree(db, f->institution, q->actor_institution, error);
    if (within < 0)
        return -1;
    if (!within)
        return error_reply_refuse(refusal, ERROR_FORBIDDEN, "the institution is outside your subtree");
    return 0;
}

/* min_reports as written: -1 when absent (the setting decides), -2 when not a whole number 0..1000000. */
static int min_reports_of(const char *text)
{
    char *end = NULL;
    long value = text ? strtol(text, &end, 10) : -1;
    return text && (end == text || *end || value < 0 || value > 1000000) ? -2 : (int) value;
}

/* The document of the view. 0, 1 refused as invalid (*refusal), -1 error. */
static int compute(db_t *db, const stats_query_t *q, stats_filter_t *f, char **json, error_reply_t *refusal,
                   db_error_t *error)
{
    if (strcmp(q->view, "series") == 0 && !f->group_by)
        f->group_by = "period";
    if (strcmp(q->view, "rankings") == 0) {
        int min_reports = min_reports_of(q->min_reports);
        if (min_reports == -2)
            return error_reply_refuse(refusal, ERROR_INVALID, "min_reports is a whole number");
        return stats_views_rankings(db, f, q->order ? q->order : "completion", min_reports, json, refusal, error);
    }
    if (strcmp(q->view, "ikm") == 0)
        return stats_views_ikm(db, f, json, refusal, error);
    if (strcmp(q->view, "export_reports") == 0)
        return stats_views_export_reports(db, f, json, refusal, error);
    return stats_views_summary(db, f, json, refusal, error);
}

/* Every argument the document depends on, each with its length (NULL apart from ""): who asks
 * counts by role and institution only, so staff of one institution share their documents. The
 * summary's export is the summary's document: one key, so a download equals the screen. */
static char *key_of(const stats_query_t *q)
{
    const char *view = strcmp(q->view, "export_summary") == 0 ? "summary" : q->view;
    const char *parts[] = {view, q->actor_role, q->actor_institution, q->group_by, q->period, q->from, q->to,
                           q->institution, q->level, q->region, q->category, q->classification, q->channel,
                           q->order, q->min_reports};
    size_t n = sizeof parts / sizeof parts[0], cap = 1;
    for (size_t i = 0; i < n; i++)
        cap += 24 + (parts[i] ? strlen(parts[i]) : 0);
    char *key = malloc(cap);
    size_t used = 0;
    for (size_t i = 0; key && i < n; i++) {
        if (parts[i])
            used += (size_t) snprintf(key + used, cap - used, "%zu:%s", strlen(parts[i]), parts[i]);
        else
            used += (size_t) snprintf(key + used, cap - used, "-");
    }
    return key;
}

int64_t stats_answer_generation(db_t *db, db_error_t *error)
{
    char *text = NULL;
    if (db_query_value(db, "SELECT sum(n)::text FROM stats_generation", 0, NULL, &text, error) != 0 || !text) {
        free(text);
        return -1;
    }
    int64_t n = strtoll(text, NULL, 10);
    free(text);
    return n;
}

typedef struct {
    stats_cache_t *cache;
    int64_t max_age_ms;
    const stats_query_t *query;
    const char *key;
    char **json;
    error_reply_t *refusal;
    int64_t generation;
    int64_t computed_ms;    /* wall clock */
    bool hit;               /* from the cache */
} answer_job_t;

/* Every change to what the views read moves the generation in its own transaction. A document is
 * kept at the generation read before the view: when a change committed while the view ran, its
 * statements may have seen it, but the generation has moved past the kept one, so the document is
 * then answered only as a stale one (within the max age) and the warmer computes it again. Under a
 * steady flow of events that is most computations, which would otherwise never be kept. */
static int answer_tx(db_t *db, void *ctx, db_error_t *error)
{
    answer_job_t *job = ctx;
    free(*job->json);   /* of an attempt whose commit failed */
    *job->json = NULL;
    job->hit = false;
    job->computed_ms = zclock_time();
    if ((job->generation = stats_answer_generation(db, error)) < 0)
        return -1;
    if ((*job->json = stats_cache_get(job->cache, job->key, job->generation, job->computed_ms, job->max_age_ms,
                                      &job->computed_ms))) {
        job->hit = true;
        return 0;
    }
    stats_filter_t f = filter_of(job->query);
    int done = scope(db, job->query, &f, job->refusal, error);
    if (done == 0)
        done = compute(db, job->query, &f, job->json, job->refusal, error);
    return done;
}

/* `json` (an object, taken) with "as_of" first: the time `ms` since the epoch. NULL out of memory. */
static char *with_as_of(char *json, int64_t ms)
{
    time_t seconds = (time_t) (ms / 1000);
    struct tm utc;
    char stamp[32] = "";
    if (gmtime_r(&seconds, &utc))
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    size_t cap = strlen(json) + 64;
    char *dated = malloc(cap);
    if (dated)
        snprintf(dated, cap, "{\"as_of\":\"%s.%03dZ\"%s%s", stamp, (int) (ms % 1000), json[1] == '}' ? "" : ",",
                 json + 1);
    free(json);
    return dated;
}

int stats_answer(db_t *db, long timeout_ms, stats_cache_t *cache, int64_t max_age_ms, const stats_query_t *q,
                 const void *request, size_t request_size, char **json, error_reply_t *refusal, db_error_t *error)
{
    *json = NULL;
    char *key = key_of(q);
    if (!key) {
        snprintf(error->message, sizeof error->message, "out of memory");
        return -1;
    }
    answer_job_t job = {cache, max_age_ms, q, key, json, refusal, 0, 0, false};
    int done = db_bounded_transaction(db, timeout_ms, answer_tx, &job, error);
    /* the document is the answer whether or not it could be kept */
    if (done == 0 && !job.hit
        && stats_cache_put(cache, key, job.generation, job.computed_ms, *json, request, request_size) != 0)
        logger_warn("a stats %s document could not be kept: out of memory", q->view);
    if (done == 0 && !(*json = with_as_of(*json, job.computed_ms))) {
        snprintf(error->message, sizeof error->message, "out of memory");
        done = -1;
    }
    /* a computation that failed or ran out of time is still asked: the warmer tries it */
    if (done == -1 && stats_cache_ask(cache, key, request, request_size) != 0)
        logger_warn("a stats %s query could not be recorded: out of memory", q->view);
    if (done == 0)
        metrics_counter_add(metrics_counter("aduan_stats_documents_total", "Statistics documents taken from the "
                                            "cache or computed from the facts (for a query or by the warmer)",
                                            job.hit ? "source=\"cache\"" : "source=\"computed\""), 1);
    else {
        free(*json);
        *json = NULL;
    }
    free(key);
    return done;
}

int stats_answer_ask(stats_cache_t *cache, const stats_query_t *q)
{
    char *key = key_of(q);
    unsigned char *request = NULL;
    size_t size = 0;
    int done = key && stats_query_encode(q, &request, &size) == 0 ? stats_cache_ask(cache, key, request, size) : -1;
    free(request);
    free(key);
    return done;
}
