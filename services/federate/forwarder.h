#ifndef ADUAN_FORWARDER_H
#define ADUAN_FORWARDER_H

#include <stdint.h>

#include "db.h"

/* Federation's settings (aduan-federate's options, docs/open311.md "Federation"). */
typedef struct {
    const char *origin;        /* this instance's jurisdiction, named in every forwarded description */
    const char *keys_dir;      /* one file per upstream institution code, holding its api_key */
    long timeout_ms;           /* one HTTP exchange */
    int64_t retry_base_ms, retry_cap_ms;
    int alert_after;           /* failed attempts before the staff are told the upstream stays down */
    int64_t poll_ms;           /* how often each forwarded, open report is polled upstream */
} federate_settings_t;

/* Sends one due forward (POST requests.json) and records the answer, in one transaction: the
 * upstream's id when it took the report; a refusal (an error list in a 4xx answer) for good; any
 * other failure as an attempt, with the next one after retry_backoff_ms. Returns 1 when one was
 * handled, 0 when none was due, -1 on a database error. */
int forwarder_send_one(db_t *db, const federate_settings_t *settings);

/* The upstream's api_key for an institution (caller frees), or NULL with the reason. */
char *forwarder_api_key(const federate_settings_t *settings, const char *institution, char *reason, size_t cap);

#endif
