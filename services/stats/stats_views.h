#ifndef ADUAN_STATS_VIEWS_H
#define ADUAN_STATS_VIEWS_H

#include <stdbool.h>

#include "db.h"
#include "error_reply.h"

/* The numbers institutions are ranked by (DOMAIN.md "Statistics"), rendered as JSON by
 * PostgreSQL from stat_reports (stats_facts.h) — the summary and rankings from its rollup by month
 * (stat_rollup, migration 0037), with the same figures — and survey_responses. Every filter may be
 * NULL.
 * Periods are Asia/Jakarta calendar days, months or years of the submission. */
typedef struct {
    const char *group_by;        /* none (default) | institution | region | category | classification |
                                    channel | period */
    const char *period;          /* day | month (default) | year: the unit of group_by=period */
    const char *from, *to;       /* YYYY-MM-DD, inclusive, Jakarta dates of submission */
    const char *institution;     /* only reports held within this subtree */
    const char *level;           /* group_by=institution and rankings: institutions of this kind
                                    (ministry, province, city, regency, unit) */
    const char *region;          /* this region and the regions inside it */
    const char *category;        /* this category and its children */
    const char *classification, *channel;
    bool public_view;            /* withhold counts below the public minimum (stats_settings) */
} stats_filter_t;

/* {"group_by", "public", "groups": [{"key", measures...}]}: received, the four public buckets,
 * postponed, archived, transferred (now) and ever postponed or transferred, completion_rate, times
 * (seconds, median and p90) and deadline compliance and misses. 0, 1 refused as invalid (*refusal),
 * -1 error. */
int stats_views_summary(db_t *db, const stats_filter_t *filter, char **json, error_reply_t *refusal,
                        db_error_t *error);

/* Institutions of filter->level ranked by completion rate ("completion") or by median time to
 * completion ("speed"); only those with at least min_reports reports (< 0: the setting). */
int stats_views_rankings(db_t *db, const stats_filter_t *filter, const char *order, int min_reports, char **json,
                         error_reply_t *refusal, db_error_t *error);

/* The satisfaction index of the survey answers about institutions within filter->institution
 * (submitted from..to): per element U1..U9 the average of those who answered it (NRR), IKM =
 * sum of NRR × 25/9 rounded to two decimals exactly (ikm_hundredths), its grade; in the public
 * view withheld when fewer than the public minimum answered. With filter->level: {"level",
 * "items": [that document for each active institution of the level inside filter->institution]}. */
int stats_views_ikm(db_t *db, const stats_filter_t *filter, char **json, error_reply_t *refusal,
                    db_error_t *error);

/* Whether institution `code` lies in the subtree of `root`: 1 yes, 0 no, -1 error. */
int stats_views_in_subtree(db_t *db, const char *code, const char *root, db_error_t *error);

/* Every selected report as the statistics know it — no content, no reporter, nothing a public
 * tracking page would hide — as {"items": [...]}, in submission order. */
int stats_views_export_reports(db_t *db, const stats_filter_t *filter, char **json, error_reply_t *refusal,
                               db_error_t *error);

#endif
