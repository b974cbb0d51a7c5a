#ifndef ADUAN_OPEN311_QUERY_CODEC_H
#define ADUAN_OPEN311_QUERY_CODEC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* open311.query → staff.document: what the Open311 server (docs/open311.md) reads from intake:
 * the service list, one service definition, requests (by id, or by the standard filters),
 * request updates, the id behind a token, and the update_id of an update an app posted. The answer is a JSON document already in Open311
 * shape (names and order of the standard) and already privacy-filtered by intake's store; the
 * gateway only renders it as XML or JSON. Strict decoder as in report_codec.h. */

#define OPEN311_LIST_TEXT_MAX 4000   /* a comma list of ids or codes */
#define OPEN311_PAGE_MAX 1000        /* the standard's default window is at most 1000 requests */

typedef struct {
    char *kind;           /* services | definition | requests | updates | token | update */
    char *service_code;   /* definition */
    char *token;          /* token */
    char *request_id;     /* update: the command id an app's update was posted under */
    char *ids;            /* requests: comma list of service_request_id; overrides every other filter */
    char *service_codes;  /* requests: comma list */
    char *statuses;       /* requests: comma list of open, closed */
    char *start;          /* requests, updates: RFC 3339 with a zone, checked by the gateway */
    char *end;
    bool has_position;    /* requests: within radius metres of (lat, lon) */
    double lat, lon, radius;
    bool extensions;      /* requests: notes and extended_attributes */
    uint32_t limit;       /* at most OPEN311_PAGE_MAX */
    uint32_t offset;
} open311_query_t;

int open311_query_encode(const open311_query_t *in, unsigned char **out, size_t *out_size);
int open311_query_decode(const void *data, size_t size, open311_query_t *out, char *reason, size_t reason_cap);
void open311_query_clear(open311_query_t *self);

#endif
