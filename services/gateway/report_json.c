#include "report_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_rules.h"

typedef struct {
    const char *name;         /* JSON key inside its object */
    const char *path;         /* field name in errors */
    size_t offset;            /* char * in report_submission_t */
    bool required;
} string_field_t;

#define STR(name, path, member, required) {name, path, offsetof(report_submission_t, member), required}

static const string_field_t top_strings[] = {
    STR("classification", "classification", classification, true), STR("title", "title", title, true),
    STR("body", "body", body, true), STR("category", "category", category, true),
    STR("region", "region", region, true), STR("incident_date", "incident_date", incident_date, false),
    STR("target_institution", "target_institution", target_institution, false),
    STR("channel", "channel", channel, false),
};
static const string_field_t reporter_strings[] = {
    STR("name", "reporter.name", reporter_name, false), STR("email", "reporter.email", reporter_email, false),
    STR("phone", "reporter.phone", reporter_phone, false),
};
static const char *const top_other_keys[] = {"location", "anonymous", "confidential", "reporter", NULL};
static const char *const location_keys[] = {"address", "lat", "lon", NULL};

static bool listed(const char *key, const string_field_t *fields, size_t count, const char *const *others)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(fields[i].name, key) == 0)
            return true;
    for (size_t i = 0; others && others[i]; i++)
        if (strcmp(others[i], key) == 0)
            return true;
    return false;
}

/* Unknown keys are refused so a typo ("titel") is not silently dropped. */
static void refuse_unknown(json_t *object, const char *prefix, const string_field_t *fields, size_t count,
                           const char *const *others, field_errors_t *errors)
{
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value) {
        (void) value;
        char path[64];
        snprintf(path, sizeof path, "%s%s", prefix, key);
        if (!listed(key, fields, count, others))
            field_errors_add(errors, path, "unknown", "%s is not a field of this object", path);
    }
}

static void read_strings(const json_t *object, const string_field_t *fields, size_t count,
                         report_submission_t *out, field_errors_t *errors)
{
    for (size_t i = 0; i < count; i++) {
        const json_t *value = object ? json_object_get(object, fields[i].name) : NULL;
        char **slot = (char **) ((char *) out + fields[i].offset);
        if (!value || json_is_null(value)) {
            if (fields[i].required)
                field_errors_add(errors, fields[i].path, "required", "%s is required", fields[i].path);
        } else if (!json_is_string(value))
            field_errors_add(errors, fields[i].path, "type", "%s must be a string", fields[i].path);
        else
            *slot = strdup(json_string_value(value));
    }
}

static void read_bool(const json_t *root, const char *key, bool *out, field_errors_t *errors)
{
    const json_t *value = json_object_get(root, key);
    if (!value || json_is_null(value))
        *out = false;
    else if (json_is_boolean(value))
        *out = json_is_true(value);
    else
        field_errors_add(errors, key, "type", "%s must be true or false", key);
}

static void read_coordinate(const json_t *location, const char *key, double *out, bool *present, field_errors_t *errors)
{
    const json_t *value = json_object_get(location, key);
    char path[32];
    snprintf(path, sizeof path, "location.%s", key);
    *present = value && !json_is_null(value);
    if (*present && !json_is_number(value)) {
        field_errors_add(errors, path, "type", "%s must be a number", path);
        *present = false;
    } else if (*present)
        *out = json_number_value(value);
}

static void read_location(json_t *root, report_submission_t *out, field_errors_t *errors)
{
    json_t *location = json_object_get(root, "location");
    if (!location || json_is_null(location))
        return;
    if (!json_is_object(location)) {
        field_errors_add(errors, "location", "type", "location must be an object");
        return;
    }
    refuse_unknown(location, "location.", NULL, 0, location_keys, errors);
    const json_t *address = json_object_get(location, "address");
    if (address && json_is_string(address))
        out->address = strdup(json_string_value(address));
    else if (address && !json_is_null(address))
        field_errors_add(errors, "location.address", "type", "location.address must be a string");
    bool has_lat, has_lon;
    read_coordinate(location, "lat", &out->lat, &has_lat, errors);
    read_coordinate(location, "lon", &out->lon, &has_lon, errors);
    out->has_coordinates = has_lat && has_lon;
    if (has_lat != has_lon)
        field_errors_add(errors, has_lat ? "location.lon" : "location.lat", "required",
                         "location.lat and location.lon go together");
}

static void read_reporter(json_t *root, report_submission_t *out, field_errors_t *errors)
{
    json_t *reporter = json_object_get(root, "reporter");
    if (!reporter || json_is_null(reporter))
        return;
    if (!json_is_object(reporter)) {
        field_errors_add(errors, "reporter", "type", "reporter must be an object");
        return;
    }
    refuse_unknown(reporter, "reporter.", reporter_strings, 3, NULL, errors);
    read_strings(reporter, reporter_strings, 3, out, errors);
}

static bool has_error_for(const field_errors_t *errors, const char *field)
{
    for (size_t i = 0; i < errors->count; i++)
        if (strcmp(errors->items[i].field, field) == 0)
            return true;
    return false;
}

/* The rules, reported only for fields that had no shape problem already. */
static void apply_rules(const report_submission_t *out, field_errors_t *errors)
{
    field_errors_t rules;
    field_errors_clear(&rules);
    report_submission_check(out, &rules);
    for (size_t i = 0; i < rules.count; i++)
        if (!has_error_for(errors, rules.items[i].field) && errors->count < FIELD_ERRORS_MAX)
            errors->items[errors->count++] = rules.items[i];
}

int report_json_to_submission(json_t *root, report_submission_t *out, field_errors_t *errors)
{
    if (!json_is_object(root)) {
        field_errors_add(errors, "", "type", "the body must be a JSON object");
        return -1;
    }
    size_t top_count = sizeof top_strings / sizeof top_strings[0];
    refuse_unknown(root, "", top_strings, top_count, top_other_keys, errors);
    read_strings(root, top_strings, top_count, out, errors);
    read_bool(root, "anonymous", &out->anonymous, errors);
    read_bool(root, "confidential", &out->confidential, errors);
    read_location(root, out, errors);
    read_reporter(root, out, errors);
    if (!out->channel && !has_error_for(errors, "channel"))
        out->channel = strdup("web");
    else if (out->channel && strncmp(out->channel, "open311", sizeof "open311" - 1) == 0)
        field_errors_add(errors, "channel", "invalid", "the open311 channels are reserved for the Open311 endpoint");
    apply_rules(out, errors);
    return errors->count ? -1 : 0;
}

void report_json_time(int64_t ms, char out[32])
{
    time_t seconds = (time_t) (ms / 1000);
    struct tm utc;
    gmtime_r(&seconds, &utc);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &utc);
    snprintf(out + n, 32 - n, ".%03dZ", (int) (ms % 1000));
}

static void set_string(json_t *object, const char *key, const char *value)
{
    if (value)
        json_object_set_new(object, key, json_string(value));
}

static void set_time(json_t *object, const char *key, int64_t ms)
{
    char text[32];
    report_json_time(ms, text);
    json_object_set_new(object, key, json_string(text));
}

json_t *report_json_from_receipt(const report_receipt_t *receipt)
{
    char self[96];
    snprintf(self, sizeof self, "/api/v1/reports/%s", receipt->tracking_id);
    json_t *doc = json_object();
    set_string(doc, "tracking_id", receipt->tracking_id);
    set_string(doc, "reporter_token", receipt->reporter_token);
    set_string(doc, "status", receipt->status);
    set_time(doc, "submitted_at", receipt->submitted_at_ms);
    json_object_set_new(doc, "links", json_pack("{s:s}", "self", self));
    return doc;
}

static json_t *location_of(const report_view_t *v)
{
    if (!v->address && !v->has_coordinates)
        return NULL;
    json_t *location = json_object();
    set_string(location, "address", v->address);
    if (v->has_coordinates) {
        json_object_set_new(location, "lat", json_real(v->lat));
        json_object_set_new(location, "lon", json_real(v->lon));
    }
    return location;
}

static json_t *reporter_of(const report_view_t *v)
{
    if (!v->reporter_name && !v->reporter_email && !v->reporter_phone)
        return NULL;
    json_t *reporter = json_object();
    set_string(reporter, "name", v->reporter_name);
    set_string(reporter, "email", v->reporter_email);
    set_string(reporter, "phone", v->reporter_phone);
    return reporter;
}

static json_t *actions_of(const report_view_t *v)
{
    json_t *list = json_array();
    for (size_t i = 0; i < v->action_count; i++) {
        const report_action_t *a = &v->actions[i];
        json_t *item = json_object();
        set_time(item, "at", a->at_ms);
        set_string(item, "action", a->action);
        set_string(item, "actor_role", a->actor_role);
        set_string(item, "status", a->status_after);
        set_string(item, "note", a->note);
        json_array_append_new(list, item);
    }
    return list;
}

json_t *report_json_from_view(const report_view_t *v)
{
    json_t *doc = json_object();
    set_string(doc, "tracking_id", v->tracking_id);
    set_string(doc, "classification", v->classification);
    set_string(doc, "status", v->status);
    set_string(doc, "public_status", v->public_status);
    json_object_set_new(doc, "anonymous", json_boolean(v->anonymous));
    json_object_set_new(doc, "confidential", json_boolean(v->confidential));
    json_object_set_new(doc, "content_hidden", json_boolean(v->content_hidden));
    /* Whether the token presented was this report's: the page offers the reporter's actions. */
    json_object_set_new(doc, "reporter_view", json_boolean(v->reporter_authorized));
    set_string(doc, "title", v->title);
    set_string(doc, "body", v->body);
    set_string(doc, "category", v->category);
    set_string(doc, "region", v->region);
    set_string(doc, "incident_date", v->incident_date);
    json_t *location = location_of(v), *reporter = reporter_of(v);
    if (location)
        json_object_set_new(doc, "location", location);
    set_string(doc, "target_institution", v->target_institution);
    set_string(doc, "institution", v->institution);
    set_string(doc, "channel", v->channel);
    if (reporter)
        json_object_set_new(doc, "reporter", reporter);
    set_time(doc, "submitted_at", v->submitted_at_ms);
    set_time(doc, "updated_at", v->updated_at_ms);
    if (v->has_deadline && v->deadline_kind) {
        json_t *deadline = json_pack("{s:s}", "kind", v->deadline_kind);
        set_time(deadline, "due_at", v->deadline_due_ms);
        json_object_set_new(doc, "deadline", deadline);
    }
    json_object_set_new(doc, "attachment_count", json_integer(v->attachment_count));
    json_object_set_new(doc, "actions", actions_of(v));
    return doc;
}

json_t *report_json_from_reference_list(const reference_list_t *list)
{
    json_t *items = json_array();
    for (size_t i = 0; i < list->count; i++) {
        const reference_entry_t *e = &list->items[i];
        json_t *item = json_object();
        set_string(item, "code", e->code);
        set_string(item, "name", e->name);
        json_object_set_new(item, "parent_code", e->parent_code ? json_string(e->parent_code) : json_null());
        set_string(item, "kind", e->kind);
        set_string(item, "region_code", e->region_code);
        json_array_append_new(items, item);
    }
    return json_pack("{s:o}", "items", items);
}
