#ifndef ADUAN_METRICS_H
#define ADUAN_METRICS_H
#include <stddef.h>
#include <stdint.h>

/* Process-wide Prometheus metrics: counters, gauges and histograms, each identified by name plus a
 * fixed label string (e.g. "type=\"report.submit\""). Getters create on first use and return the
 * same object afterwards; updates are thread-safe and lock-free. Rendered in the Prometheus text
 * exposition format (version 0.0.4) by admin_http. */
typedef struct metrics_counter_t metrics_counter_t;
typedef struct metrics_gauge_t metrics_gauge_t;
typedef struct metrics_histogram_t metrics_histogram_t;

/* labels may be NULL or "" for none. Returns NULL only when out of memory or when the name is
 * already registered as another kind. */
metrics_counter_t *metrics_counter(const char *name, const char *help, const char *labels);
void metrics_counter_add(metrics_counter_t *counter, uint64_t amount);

metrics_gauge_t *metrics_gauge(const char *name, const char *help, const char *labels);
void metrics_gauge_set(metrics_gauge_t *gauge, double value);
/* For a gauge that threads move up and down: setting it to a count each thread read would let a
 * late writer leave a stale value behind, and nothing would ever correct it. */
void metrics_gauge_add(metrics_gauge_t *gauge, double change);

/* Upper bounds in increasing order (seconds for latencies); +Inf is implied. The bounds of the
 * first registration of a name are used for all its label sets. */
metrics_histogram_t *metrics_histogram(const char *name, const char *help, const char *labels,
                                       const double *bounds, size_t bound_count);
void metrics_histogram_observe(metrics_histogram_t *histogram, double value);

/* Latency buckets in seconds shared by request timers: 1 ms … 10 s. */
extern const double metrics_latency_bounds[];
extern const size_t metrics_latency_bounds_count;

/* The whole registry as Prometheus text; malloc'd, caller frees. NULL when out of memory. */
char *metrics_render(void);

#endif
