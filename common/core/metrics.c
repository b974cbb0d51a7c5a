#include "metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { KIND_COUNTER, KIND_GAUGE, KIND_HISTOGRAM } kind_t;

#define MAX_BOUNDS 24

/* One time series: a name plus a fixed label string. Values are atomics; the list only grows. */
typedef struct series_t {
    kind_t kind;
    char *name;
    char *help;
    char *labels;
    _Atomic uint64_t count;         /* counter value, or histogram count */
    _Atomic double gauge;
    _Atomic double sum;
    size_t bound_count;
    double bounds[MAX_BOUNDS];
    _Atomic uint64_t buckets[MAX_BOUNDS];
    struct series_t *next;
} series_t;

struct metrics_counter_t { series_t series; };
struct metrics_gauge_t { series_t series; };
struct metrics_histogram_t { series_t series; };

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static series_t *registry_head;

const double metrics_latency_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
const size_t metrics_latency_bounds_count = sizeof metrics_latency_bounds / sizeof metrics_latency_bounds[0];

static series_t *lookup(const char *name, const char *labels, kind_t kind, bool *kind_clash)
{
    *kind_clash = false;
    for (series_t *s = registry_head; s; s = s->next) {
        if (strcmp(s->name, name) != 0)
            continue;
        if (s->kind != kind) {
            *kind_clash = true;
            return NULL;
        }
        if (strcmp(s->labels, labels) == 0)
            return s;
    }
    return NULL;
}

static series_t *first_of_name(const char *name)
{
    for (series_t *s = registry_head; s; s = s->next)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

static series_t *get_or_create(const char *name, const char *help, const char *labels, kind_t kind,
                               const double *bounds, size_t bound_count)
{
    labels = labels ? labels : "";
    pthread_mutex_lock(&registry_lock);
    bool clash;
    series_t *s = lookup(name, labels, kind, &clash);
    if (!s && !clash && (s = calloc(1, sizeof *s)) != NULL) {
        s->kind = kind;
        s->name = strdup(name);
        s->help = strdup(help ? help : "");
        s->labels = strdup(labels);
        series_t *sibling = first_of_name(name);
        if (sibling) {  /* one set of bounds per name */
            bounds = sibling->bounds;
            bound_count = sibling->bound_count;
        }
        s->bound_count = bound_count > MAX_BOUNDS ? MAX_BOUNDS : bound_count;
        if (bounds)
            memcpy(s->bounds, bounds, s->bound_count * sizeof *bounds);
        if (!s->name || !s->help || !s->labels) {
            free(s->name), free(s->help), free(s->labels), free(s);
            s = NULL;
        } else {
            /* Same-name series stay adjacent so HELP/TYPE are printed once per name. */
            if (sibling) {
                s->next = sibling->next;
                sibling->next = s;
            } else {
                s->next = registry_head;
                registry_head = s;
            }
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return s;
}

metrics_counter_t *metrics_counter(const char *name, const char *help, const char *labels)
{
    return (metrics_counter_t *) get_or_create(name, help, labels, KIND_COUNTER, NULL, 0);
}

void metrics_counter_add(metrics_counter_t *counter, uint64_t amount)
{
    if (counter)
        atomic_fetch_add(&counter->series.count, amount);
}

metrics_gauge_t *metrics_gauge(const char *name, const char *help, const char *labels)
{
    return (metrics_gauge_t *) get_or_create(name, help, labels, KIND_GAUGE, NULL, 0);
}

void metrics_gauge_set(metrics_gauge_t *gauge, double value)
{
    if (gauge)
        atomic_store(&gauge->series.gauge, value);
}

/* C11 has no atomic add for floating types. */
static void add_double(_Atomic double *total, double value)
{
    double old = atomic_load(total);
    while (!atomic_compare_exchange_weak(total, &old, old + value))
        ;
}

void metrics_gauge_add(metrics_gauge_t *gauge, double change)
{
    if (gauge)
        add_double(&gauge->series.gauge, change);
}

metrics_histogram_t *metrics_histogram(const char *name, const char *help, const char *labels,
                                       const double *bounds, size_t bound_count)
{
    return (metrics_histogram_t *) get_or_create(name, help, labels, KIND_HISTOGRAM, bounds, bound_count);
}

void metrics_histogram_observe(metrics_histogram_t *histogram, double value)
{
    if (!histogram)
        return;
    series_t *s = &histogram->series;
    for (size_t i = 0; i < s->bound_count; i++)
        if (value <= s->bounds[i])
            atomic_fetch_add(&s->buckets[i], 1);
    add_double(&s->sum, value);
    atomic_fetch_add(&s->count, 1);
}

/* name{labels[,extra]} */
static void series_name(FILE *out, const char *name, const char *suffix, const char *labels, const char *extra)
{
    fprintf(out, "%s%s", name, suffix);
    if (*labels || extra)
        fprintf(out, "{%s%s%s}", labels, *labels && extra ? "," : "", extra ? extra : "");
}

static void render_series(FILE *out, const series_t *s)
{
    static const char *const types[] = {"counter", "gauge", "histogram"};
    if (first_of_name(s->name) == s)
        fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", s->name, s->help, s->name, types[s->kind]);
    if (s->kind == KIND_COUNTER) {
        series_name(out, s->name, "", s->labels, NULL);
        fprintf(out, " %llu\n", (unsigned long long) atomic_load(&s->count));
    } else if (s->kind == KIND_GAUGE) {
        series_name(out, s->name, "", s->labels, NULL);
        fprintf(out, " %.15g\n", atomic_load(&s->gauge));
    } else {
        char le[64];
        for (size_t i = 0; i < s->bound_count; i++) {
            snprintf(le, sizeof le, "le=\"%g\"", s->bounds[i]);
            series_name(out, s->name, "_bucket", s->labels, le);
            fprintf(out, " %llu\n", (unsigned long long) atomic_load(&s->buckets[i]));
        }
        uint64_t count = atomic_load(&s->count);
        series_name(out, s->name, "_bucket", s->labels, "le=\"+Inf\"");
        fprintf(out, " %llu\n", (unsigned long long) count);
        series_name(out, s->name, "_sum", s->labels, NULL);
        fprintf(out, " %.15g\n", atomic_load(&s->sum));
        series_name(out, s->name, "_count", s->labels, NULL);
        fprintf(out, " %llu\n", (unsigned long long) count);
    }
}

char *metrics_render(void)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (!out)
        return NULL;
    pthread_mutex_lock(&registry_lock);
    for (series_t *s = registry_head; s; s = s->next)
        render_series(out, s);
    pthread_mutex_unlock(&registry_lock);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}
