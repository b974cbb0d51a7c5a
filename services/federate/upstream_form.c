#include "upstream_form.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_buffer.h"

static bool present(const char *s)
{
    return s && *s;
}

/* RFC 3986 unreserved bytes stay, every other byte is %XX: one spelling per value, whatever
 * decoder the upstream uses. */
static void append_encoded(text_buffer_t *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                     *p == '-' || *p == '.' || *p == '_' || *p == '~';
        char escaped[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        if (plain)
            text_buffer_append(out, (const char *) p, 1);
        else
            text_buffer_append(out, escaped, 3);
    }
}

char *upstream_form_escape(const char *value)
{
    text_buffer_t out = {0};
    append_encoded(&out, value ? value : "");
    return text_buffer_take(&out, NULL);
}

static void append_field(text_buffer_t *out, const char *name, const char *value)
{
    if (!present(value))
        return;
    if (out->len)
        text_buffer_append_str(out, "&");
    text_buffer_append_str(out, name);
    text_buffer_append_str(out, "=");
    append_encoded(out, value);
}

/* The title leads (an aduan upstream takes its title from the first line) and the last line says
 * where the report came from, so the upstream's staff can refer back to it. */
static char *description(const upstream_report_t *r)
{
    text_buffer_t d = {0};
    text_buffer_append_str(&d, present(r->title) ? r->title : "");
    text_buffer_append_str(&d, "\n");
    text_buffer_append_str(&d, present(r->body) ? r->body : "");
    text_buffer_append_str(&d, "\n\nDiteruskan dari ");
    text_buffer_append_str(&d, present(r->origin) ? r->origin : "?");
    text_buffer_append_str(&d, ": ");
    text_buffer_append_str(&d, present(r->tracking_id) ? r->tracking_id : "?");
    return text_buffer_take(&d, NULL);
}

char *upstream_form_request(const upstream_report_t *r, const char **reason)
{
    *reason = NULL;
    if (r->confidential) {
        *reason = "a confidential report is not forwarded: Open311 cannot carry its confidentiality";
        return NULL;
    }
    char *text = description(r);
    char lat[32] = "", lon[32] = "";
    if (r->has_position) {
        snprintf(lat, sizeof lat, "%.7f", r->lat);
        snprintf(lon, sizeof lon, "%.7f", r->lon);
    }
    text_buffer_t form = {0};
    append_field(&form, "api_key", r->api_key);
    append_field(&form, "jurisdiction_id", r->jurisdiction_id);
    append_field(&form, "service_code", r->service_code);
    append_field(&form, "lat", lat);
    append_field(&form, "long", lon);
    append_field(&form, "address_string", r->address);
    append_field(&form, "description", text);
    if (!r->anonymous) {
        append_field(&form, "first_name", r->reporter_name);
        append_field(&form, "email", r->reporter_email);
        append_field(&form, "phone", r->reporter_phone);
    }
    char *body = text_buffer_take(&form, NULL);
    if (!text) {  /* the form was built without its description */
        free(body);
        body = NULL;
    }
    free(text);
    if (!body)
        *reason = "out of memory";
    return body;
}

static char *string_of(const json_t *object, const char *key)
{
    const char *s = json_string_value(json_object_get(object, key));
    return present(s) ? strdup(s) : NULL;
}

static int read_errors(const json_t *list, upstream_answer_t *answer)
{
    text_buffer_t out = {0};
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item) {
        char line[64];
        snprintf(line, sizeof line, "%s%lld ", i ? "; " : "", (long long) json_integer_value(json_object_get(item, "code")));
        text_buffer_append_str(&out, line);
        const char *what = json_string_value(json_object_get(item, "description"));
        text_buffer_append_str(&out, what ? what : "");
    }
    answer->errors = text_buffer_take(&out, NULL);
    return answer->errors ? 1 : -1;
}

int upstream_form_answer(const char *json, upstream_answer_t *answer)
{
    memset(answer, 0, sizeof *answer);
    json_t *root = json ? json_loads(json, 0, NULL) : NULL;
    const json_t *first = json_is_array(root) ? json_array_get(root, 0) : NULL;
    int rc = -1;
    if (json_is_object(first) && json_object_get(first, "code") && json_object_get(first, "description")) {
        rc = read_errors(root, answer);
    } else if (json_is_object(first)) {
        answer->service_request_id = string_of(first, "service_request_id");
        answer->token = string_of(first, "token");
        rc = answer->service_request_id || answer->token ? 0 : -1;
    }
    json_decref(root);
    if (rc < 0)
        upstream_answer_clear(answer);
    return rc;
}

void upstream_answer_clear(upstream_answer_t *answer)
{
    free(answer->service_request_id);
    free(answer->token);
    free(answer->errors);
    memset(answer, 0, sizeof *answer);
}
