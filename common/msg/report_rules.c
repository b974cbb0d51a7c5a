#include "report_rules.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar_date.h"
#include "utf8_text.h"

static const char *const classifications[] = {"complaint", "aspiration", "information_request", NULL};
static const char *const channels[] = {"web", "api", "open311", "sms", "whatsapp", "email", "phone",
                                       "walk_in", "social_media", NULL};

static bool in_set(const char *value, const char *const *set)
{
    for (int i = 0; value && set[i]; i++)
        if (strcmp(value, set[i]) == 0)
            return true;
    return false;
}

bool report_classification_valid(const char *classification)
{
    return in_set(classification, classifications);
}

bool report_open311_app_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    bool ok = n >= 1 && n <= REPORT_OPEN311_APP_MAX && name[0] != '_' && name[0] != '-';
    for (size_t i = 0; ok && i < n; i++)
        ok = islower((unsigned char) name[i]) || isdigit((unsigned char) name[i]) || name[i] == '_' || name[i] == '-';
    return ok;
}

bool report_channel_valid(const char *channel)
{
    size_t prefix = sizeof REPORT_OPEN311_CHANNEL_PREFIX - 1;
    if (channel && strncmp(channel, REPORT_OPEN311_CHANNEL_PREFIX, prefix) == 0)
        return report_open311_app_valid(channel + prefix);
    return in_set(channel, channels);
}

/* Free text: required or not, valid UTF-8, printable, within its character bounds. */
static void check_text(field_errors_t *errors, const char *field, const char *text, bool required,
                       long min, long max, bool multiline)
{
    if (!text) {
        if (required)
            field_errors_add(errors, field, "required", "%s is required", field);
        return;
    }
    long length = utf8_text_length(text, strlen(text));
    if (length < 0 || !utf8_text_is_printable(text, multiline))
        field_errors_add(errors, field, "invalid", "%s must be UTF-8 text without control characters", field);
    else if (length < min)
        field_errors_add(errors, field, "too_short", "%s needs at least %ld characters", field, min);
    else if (length > max)
        field_errors_add(errors, field, "too_long", "%s may have at most %ld characters", field, max);
}

static void check_code(field_errors_t *errors, const char *field, const char *code, bool required)
{
    if (!code) {
        if (required)
            field_errors_add(errors, field, "required", "%s is required", field);
        return;
    }
    /* No '_' (nor '%'): a code may end up in a LIKE pattern, where both are wildcards. */
    size_t n = strlen(code);
    bool shape = n >= 1 && n <= REPORT_CODE_MAX;
    for (size_t i = 0; shape && i < n; i++)
        shape = isalnum((unsigned char) code[i]) || code[i] == '.' || code[i] == '-';
    if (!shape)
        field_errors_add(errors, field, "invalid", "%s must be 1 to %d letters, digits, '.' or '-'",
                         field, REPORT_CODE_MAX);
}

static void check_choice(field_errors_t *errors, const char *field, const char *value,
                         bool (*valid)(const char *))
{
    if (!value)
        field_errors_add(errors, field, "required", "%s is required", field);
    else if (!valid(value))
        field_errors_add(errors, field, "invalid", "%s has an unknown value", field);
}

/* A real calendar date, not before 1945 and not after tomorrow (UTC: covers every Indonesian zone). */
static void check_date(field_errors_t *errors, const char *date)
{
    if (!date)
        return;
    int y, m, d;
    if (!calendar_date_parse(date, &y, &m, &d)) {
        field_errors_add(errors, "incident_date", "invalid", "incident_date must be a date YYYY-MM-DD");
        return;
    }
    time_t tomorrow = time(NULL) + 86400;
    struct tm limit;
    gmtime_r(&tomorrow, &limit);
    long value = (long) y * 10000 + m * 100 + d;
    long latest = (long) (limit.tm_year + 1900) * 10000 + (limit.tm_mon + 1) * 100 + limit.tm_mday;
    if (y < 1945 || value > latest)
        field_errors_add(errors, "incident_date", "out_of_range", "incident_date must be between 1945 and today");
}

static void check_coordinates(field_errors_t *errors, const report_submission_t *s)
{
    if (!s->has_coordinates)
        return;
    if (!isfinite(s->lat) || s->lat < -90 || s->lat > 90)
        field_errors_add(errors, "location.lat", "out_of_range", "location.lat must be between -90 and 90");
    if (!isfinite(s->lon) || s->lon < -180 || s->lon > 180)
        field_errors_add(errors, "location.lon", "out_of_range", "location.lon must be between -180 and 180");
}

static void check_email(field_errors_t *errors, const char *email)
{
    if (!email)
        return;
    const char *at = strchr(email, '@');
    size_t n = strlen(email);
    /* The address goes into mail headers: RFC 5322 specials would let it name more recipients
     * ("a@x.id, b@y.id") or a display name; quoted local parts are not worth that risk. */
    bool ok = at && at != email && strchr(at + 1, '@') == NULL && n <= REPORT_EMAIL_MAX
              && strchr(at + 1, '.') && at[1] != '.' && email[n - 1] != '.' && !strpbrk(email, "<>()[]\\,;:\"");
    for (size_t i = 0; ok && i < n; i++)
        ok = (unsigned char) email[i] > 0x20 && email[i] != 0x7f;
    if (!ok)
        field_errors_add(errors, "reporter.email", "invalid", "reporter.email is not an e-mail address");
}

static void check_phone(field_errors_t *errors, const char *phone)
{
    if (!phone)
        return;
    size_t n = strlen(phone), digits = 0;
    bool ok = n >= 6 && n <= REPORT_PHONE_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        digits += isdigit((unsigned char) phone[i]) != 0;
        ok = isdigit((unsigned char) phone[i]) || strchr(" +-()", phone[i]) != NULL;
    }
    if (!ok || digits < 6)
        field_errors_add(errors, "reporter.phone", "invalid", "reporter.phone must be 6 to %d digits, spaces, + - ( )",
                         REPORT_PHONE_MAX);
}

static bool printable_ascii(const char *key, size_t min, size_t max)
{
    size_t n = key ? strlen(key) : 0;
    bool ok = n >= min && n <= max;
    for (size_t i = 0; ok && i < n; i++)
        ok = key[i] >= 0x20 && key[i] < 0x7f;
    return ok;
}

bool report_idempotency_key_valid(const char *key)
{
    return printable_ascii(key, REPORT_IDEMPOTENCY_KEY_MIN, REPORT_IDEMPOTENCY_KEY_MAX);
}

/* Intake does not trust its callers: a short key is refused here too, whoever sent it. */
static void check_key(field_errors_t *errors, const char *key)
{
    if (!printable_ascii(key, REPORT_IDEMPOTENCY_KEY_MIN, REPORT_COMMAND_KEY_MAX))
        field_errors_add(errors, "idempotency_key", "invalid", "idempotency key must be %d to %d printable ASCII characters",
                         REPORT_IDEMPOTENCY_KEY_MIN, REPORT_COMMAND_KEY_MAX);
}

size_t report_submission_check(const report_submission_t *s, field_errors_t *errors)
{
    size_t before = errors->count;
    check_key(errors, s->idempotency_key);
    check_choice(errors, "classification", s->classification, report_classification_valid);
    check_text(errors, "title", s->title, true, REPORT_TITLE_MIN, REPORT_TITLE_MAX, false);
    check_text(errors, "body", s->body, true, REPORT_BODY_MIN, REPORT_BODY_MAX, true);
    check_code(errors, "category", s->category, true);
    check_code(errors, "region", s->region, true);
    check_date(errors, s->incident_date);
    check_text(errors, "location.address", s->address, false, 1, REPORT_ADDRESS_MAX, false);
    check_coordinates(errors, s);
    check_code(errors, "target_institution", s->target_institution, false);
    check_text(errors, "reporter.name", s->reporter_name, false, 1, REPORT_NAME_MAX, false);
    check_email(errors, s->reporter_email);
    check_phone(errors, s->reporter_phone);
    check_choice(errors, "channel", s->channel, report_channel_valid);
    return errors->count - before;
}
