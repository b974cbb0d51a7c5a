#ifndef ADUAN_REPORT_RULES_H
#define ADUAN_REPORT_RULES_H
#include <stdbool.h>
#include "field_errors.h"
#include "report_codec.h"

/* The rules a submission must meet before anything is stored. One place, used by the gateway (to
 * answer fast and precisely) and by intake (which must not trust its callers). Lengths are in
 * Unicode characters of valid UTF-8; control characters other than \n \r \t are refused in
 * free text, and all control characters in single-line fields. Documented in docs/api.md. */
#define REPORT_TITLE_MIN 5
#define REPORT_TITLE_MAX 200
#define REPORT_BODY_MIN 10
#define REPORT_BODY_MAX 20000
#define REPORT_CODE_MAX 32
#define REPORT_ADDRESS_MAX 500
#define REPORT_NAME_MAX 200
#define REPORT_EMAIL_MAX 254
#define REPORT_PHONE_MAX 32
/* An Idempotency-Key header has 16 to 200 printable ASCII characters: at least 16, so that it is
 * not guessed (clients send a UUIDv4). The gateway passes it to intake behind a prefix naming its
 * origin ("http:", or "req:" and the request id without a header), hence the command's longer limit. */
#define REPORT_IDEMPOTENCY_KEY_MIN 16
#define REPORT_IDEMPOTENCY_KEY_MAX 200
#define REPORT_COMMAND_KEY_MAX (REPORT_IDEMPOTENCY_KEY_MAX + 8)

bool report_classification_valid(const char *classification);
/* The fixed channels, and "open311.<app>" for each Open311 client application (its API key's name:
 * 1 to REPORT_OPEN311_APP_MAX of a-z 0-9 _ -, starting with a letter or digit), so statistics
 * count reports by the app they came through. */
#define REPORT_OPEN311_CHANNEL_PREFIX "open311."
#define REPORT_OPEN311_APP_MAX 24
bool report_channel_valid(const char *channel);
bool report_open311_app_valid(const char *name);
/* The Idempotency-Key header as a client sends it (REPORT_IDEMPOTENCY_KEY_MIN to _MAX). */
bool report_idempotency_key_valid(const char *key);

/* Adds one field error per broken rule (field names as in the JSON API: "title",
 * "location.lat", "reporter.email", ...). Returns the number of errors added. Does not check that
 * codes exist: that needs the database and is intake's job. */
size_t report_submission_check(const report_submission_t *submission, field_errors_t *errors);

#endif
