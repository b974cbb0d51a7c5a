#include "open311_params.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msgpack_fields.h"
#include "open311_json.h"

/* `count` digits at *p as a number, advancing *p; -1 when they are not digits. */
static int digits(const char **p, int count)
{
    int value = 0;
    for (int i = 0; i < count; i++, (*p)++) {
        if (!isdigit((unsigned char) **p))
            return -1;
        value = value * 10 + (**p - '0');
    }
    return value;
}

/* Steps over `c` when it is next (never past the end). */
static bool expect(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

/* The zone at p: "Z" or ±HH:MM, the offset in seconds east of UTC. */
static bool zone(const char *p, long *offset_s)
{
    if (p[0] == 'Z' && p[1] == '\0') {
        *offset_s = 0;
        return true;
    }
    if ((*p != '+' && *p != '-') || strlen(p) != 6 || p[3] != ':')
        return false;
    int sign = *p == '-' ? -1 : 1;
    const char *q = p + 1;
    int hours = digits(&q, 2);
    q++;
    int minutes = digits(&q, 2);
    if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59)
        return false;
    *offset_s = sign * (hours * 3600L + minutes * 60L);
    return true;
}

bool open311_datetime_parse(const char *text, int64_t *epoch_s)
{
    const char *p = text;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int year = digits(&p, 4), month = expect(&p, '-') ? digits(&p, 2) : -1, day = expect(&p, '-') ? digits(&p, 2) : -1;
    int hour = expect(&p, 'T') ? digits(&p, 2) : -1, minute = expect(&p, ':') ? digits(&p, 2) : -1, second = 0;
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
        || minute > 59)
        return false;
    if (expect(&p, ':')) {
        if ((second = digits(&p, 2)) < 0 || second > 60)
            return false;
        if (expect(&p, '.'))
            while (isdigit((unsigned char) *p))
                p++;
    }
    long offset = 0;
    if (!zone(p, &offset))
        return false;
    tm = (struct tm) {.tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day, .tm_hour = hour,
                      .tm_min = minute, .tm_sec = second};
    time_t t = timegm(&tm);
    if (tm.tm_mday != day)   /* 2026-02-31 rolled over */
        return false;
    *epoch_s = (int64_t) t - offset;
    return true;
}

static void window_bound(const open311_form_t *form, const char *name, char **slot, int64_t *epoch, json_t *errors)
{
    const char *text = open311_form_get(form, name);
    char message[120];
    if (!text)
        return;
    if (!open311_datetime_parse(text, epoch)) {
        snprintf(message, sizeof message, "%s must be a W3C datetime with its time zone (2026-11-24T08:00:00+07:00)",
                 name);
        open311_errors_add(errors, 400, message);
    } else
        mpf_set_string(slot, text);
}

void open311_params_window(const open311_form_t *form, open311_query_t *q, json_t *errors)
{
    int64_t start = 0, end = 0;
    window_bound(form, "start_date", &q->start, &start, errors);
    window_bound(form, "end_date", &q->end, &end, errors);
    if (q->start && q->end && start > end)
        open311_errors_add(errors, 400, "start_date must not be after end_date");
    else if (q->start && q->end && end - start > OPEN311_WINDOW_DAYS * 86400LL)
        open311_errors_add(errors, 400, "start_date and end_date may be at most 90 days apart");
}

/* A whole number within [min, max], or the default when absent; false when it is something else. */
static bool whole(const open311_form_t *form, const char *name, long min, long max, long fallback, long *out)
{
    const char *text = open311_form_get(form, name);
    char *end = NULL;
    *out = fallback;
    if (!text)
        return true;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || *end || end == text || value < min || value > max)
        return false;
    *out = value;
    return true;
}

static bool real(const char *text, double min, double max, double *out)
{
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (errno || *end || end == text || !isfinite(value) || value < min || value > max)
        return false;
    *out = value;
    return true;
}

static void position(const open311_form_t *form, open311_query_t *q, json_t *errors)
{
    const char *lat = open311_form_get(form, "lat"), *lon = open311_form_get(form, "long");
    const char *radius = open311_form_get(form, "radius");
    if (!lat && !lon) {
        if (radius)
            open311_errors_add(errors, 400, "radius needs lat and long");
        return;
    }
    q->radius = OPEN311_RADIUS_DEFAULT_M;
    if (!lat || !lon || !real(lat, -90, 90, &q->lat) || !real(lon, -180, 180, &q->lon))
        open311_errors_add(errors, 400, "lat and long must both be given, in degrees (-90..90, -180..180)");
    else if (radius && !real(radius, 1, OPEN311_RADIUS_MAX_M, &q->radius))
        open311_errors_add(errors, 400, "radius must be 1 to 100000 metres");
    else
        q->has_position = true;
}

static void statuses(const open311_form_t *form, open311_query_t *q, json_t *errors)
{
    const char *text = open311_form_get(form, "status");
    if (!text)
        return;
    char copy[64], *save = NULL;
    snprintf(copy, sizeof copy, "%s", text);
    bool ok = strlen(text) < sizeof copy;
    for (char *word = strtok_r(copy, ",", &save); ok && word; word = strtok_r(NULL, ",", &save)) {
        while (*word == ' ')
            word++;
        ok = strcmp(word, "open") == 0 || strcmp(word, "closed") == 0;
    }
    if (!ok)
        open311_errors_add(errors, 400, "status is open, closed, or both as a comma list");
    else
        mpf_set_string(&q->statuses, text);
}

static void list(const open311_form_t *form, const char *name, char **slot, json_t *errors)
{
    const char *text = open311_form_get(form, name);
    char message[100];
    if (text && strlen(text) > OPEN311_LIST_TEXT_MAX) {
        snprintf(message, sizeof message, "%s is a list of at most %d characters", name, OPEN311_LIST_TEXT_MAX);
        open311_errors_add(errors, 400, message);
    } else if (text)
        mpf_set_string(slot, text);
}

void open311_params_requests(const open311_form_t *form, open311_query_t *q, json_t *errors)
{
    long page = 1, page_size = OPEN311_PAGE_MAX;
    list(form, "service_request_id", &q->ids, errors);
    list(form, "service_code", &q->service_codes, errors);
    statuses(form, q, errors);
    open311_params_window(form, q, errors);
    position(form, q, errors);
    if (!whole(form, "page", 1, 100000, 1, &page))
        open311_errors_add(errors, 400, "page is a whole number from 1");
    if (!whole(form, "page_size", 1, OPEN311_PAGE_MAX, OPEN311_PAGE_MAX, &page_size))
        open311_errors_add(errors, 400, "page_size is a whole number from 1 to 1000");
    const char *extensions = open311_form_get(form, "extensions");
    if (extensions && strcmp(extensions, "true") != 0 && strcmp(extensions, "false") != 0)
        open311_errors_add(errors, 400, "extensions is true or false");
    q->extensions = extensions && strcmp(extensions, "true") == 0;
    q->limit = (uint32_t) page_size;
    q->offset = (uint32_t) ((page - 1) * page_size);
}
