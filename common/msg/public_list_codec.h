#ifndef ADUAN_PUBLIC_LIST_CODEC_H
#define ADUAN_PUBLIC_LIST_CODEC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* report.list → staff.document: the public list of reports (GET /api/v1/reports, the /laporan
 * page). Every filter is optional; intake lists only reports that are not confidential and never
 * anything of the reporter (docs/api.md "Public list"). The answer is a JSON document
 * {"items": [...], "has_more": bool, "next": cursor or null}. Strict decoder as in report_codec.h. */

#define PUBLIC_LIST_PAGE_MAX 100
#define PUBLIC_LIST_SIMILAR_MAX 5     /* "support this one instead": a few, not a search */
#define PUBLIC_LIST_NEAR_METRES 2000
#define PUBLIC_LIST_TEXT_MAX 200    /* the search words */

typedef struct {
    char *q;              /* full-text words ('simple' configuration) */
    char *category;       /* a category code: the category and its subcategories */
    char *region;         /* a region code: the region and every region below it */
    char *status;         /* a listed bucket: not_yet_followed_up | in_process | completed */
    char *from;           /* YYYY-MM-DD, submitted on or after (Jakarta's calendar) */
    char *to;             /* YYYY-MM-DD, submitted on or before */
    char *similar;        /* a draft's text: open reports of the last 90 days whose words resemble it
                           * (pg_trgm word similarity), most similar first, at most SIMILAR_MAX */
    bool has_position;    /* within PUBLIC_LIST_NEAR_METRES of (lat, lon) */
    double lat, lon;
    uint32_t limit;       /* 1..PUBLIC_LIST_PAGE_MAX */
    uint32_t offset;
    bool has_after;       /* keyset paging: only reports listed after the one at (after_at, after_id) */
    int64_t after_at;     /* its submitted_at, microseconds since 1970 (the answer's "next" cursor) */
    int64_t after_id;
} public_list_query_t;

int public_list_query_encode(const public_list_query_t *in, unsigned char **out, size_t *out_size);
int public_list_query_decode(const void *data, size_t size, public_list_query_t *out, char *reason,
                             size_t reason_cap);
void public_list_query_clear(public_list_query_t *self);

#endif
