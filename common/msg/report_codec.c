#include "report_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"
#include "report_rules.h"

#define S(type, key, req, limit, member) {key, MPF_STR, req, limit, offsetof(type, member), MPF_NO_FLAG}
#define B(type, key, member) {key, MPF_BOOL, true, 0, offsetof(type, member), MPF_NO_FLAG}
/* Free text is bounded in bytes at four per character: the character limits are report_rules'. */
#define TEXT(chars) ((chars) * 4)

static const mpf_field_t submission_fields[] = {
    S(report_submission_t, "idempotency_key", true, REPORT_COMMAND_KEY_MAX, idempotency_key),
    S(report_submission_t, "classification", true, REPORT_CODE_MAX, classification),
    S(report_submission_t, "title", true, TEXT(REPORT_TITLE_MAX), title),
    S(report_submission_t, "body", true, TEXT(REPORT_BODY_MAX), body),
    S(report_submission_t, "category", true, REPORT_CODE_MAX, category),
    S(report_submission_t, "region", true, REPORT_CODE_MAX, region),
    S(report_submission_t, "incident_date", false, 10, incident_date),
    S(report_submission_t, "address", false, TEXT(REPORT_ADDRESS_MAX), address),
    {"lat", MPF_DOUBLE, false, 0, offsetof(report_submission_t, lat), offsetof(report_submission_t, has_coordinates)},
    {"lon", MPF_DOUBLE, false, 0, offsetof(report_submission_t, lon), offsetof(report_submission_t, has_coordinates)},
    S(report_submission_t, "target_institution", false, REPORT_CODE_MAX, target_institution),
    B(report_submission_t, "anonymous", anonymous),
    B(report_submission_t, "confidential", confidential),
    S(report_submission_t, "reporter_name", false, TEXT(REPORT_NAME_MAX), reporter_name),
    S(report_submission_t, "reporter_email", false, REPORT_EMAIL_MAX, reporter_email),
    S(report_submission_t, "reporter_phone", false, REPORT_PHONE_MAX, reporter_phone),
    S(report_submission_t, "channel", true, REPORT_CODE_MAX, channel),
};

static const mpf_field_t receipt_fields[] = {
    S(report_receipt_t, "tracking_id", true, 32, tracking_id),
    S(report_receipt_t, "reporter_token", true, 64, reporter_token),
    S(report_receipt_t, "status", true, REPORT_CODE_MAX, status),
    {"submitted_at", MPF_INT, true, 0, offsetof(report_receipt_t, submitted_at_ms), MPF_NO_FLAG},
};

static const mpf_field_t lookup_fields[] = {
    S(report_lookup_t, "tracking_id", true, 64, tracking_id),
    S(report_lookup_t, "reporter_token", false, 128, reporter_token),
};

static const mpf_field_t action_fields[] = {
    {"at", MPF_INT, true, 0, offsetof(report_action_t, at_ms), MPF_NO_FLAG},
    S(report_action_t, "action", true, 64, action),
    S(report_action_t, "actor_role", true, 64, actor_role),
    S(report_action_t, "status", true, 64, status_after),
    S(report_action_t, "note", false, TEXT(REPORT_BODY_MAX), note),
};

static const mpf_field_t view_fields[] = {
    S(report_view_t, "tracking_id", true, 32, tracking_id),
    S(report_view_t, "classification", true, REPORT_CODE_MAX, classification),
    S(report_view_t, "status", true, 64, status),
    S(report_view_t, "public_status", false, 64, public_status),
    B(report_view_t, "anonymous", anonymous),
    B(report_view_t, "confidential", confidential),
    B(report_view_t, "content_hidden", content_hidden),
    B(report_view_t, "reporter_authorized", reporter_authorized),
    S(report_view_t, "title", false, TEXT(REPORT_TITLE_MAX), title),
    S(report_view_t, "body", false, TEXT(REPORT_BODY_MAX), body),
    S(report_view_t, "category", true, REPORT_CODE_MAX, category),
    S(report_view_t, "region", true, REPORT_CODE_MAX, region),
    S(report_view_t, "incident_date", false, 10, incident_date),
    S(report_view_t, "address", false, TEXT(REPORT_ADDRESS_MAX), address),
    {"lat", MPF_DOUBLE, false, 0, offsetof(report_view_t, lat), offsetof(report_view_t, has_coordinates)},
    {"lon", MPF_DOUBLE, false, 0, offsetof(report_view_t, lon), offsetof(report_view_t, has_coordinates)},
    S(report_view_t, "target_institution", false, REPORT_CODE_MAX, target_institution),
    S(report_view_t, "institution", false, REPORT_CODE_MAX, institution),
    S(report_view_t, "channel", true, REPORT_CODE_MAX, channel),
    S(report_view_t, "reporter_name", false, TEXT(REPORT_NAME_MAX), reporter_name),
    S(report_view_t, "reporter_email", false, REPORT_EMAIL_MAX, reporter_email),
    S(report_view_t, "reporter_phone", false, REPORT_PHONE_MAX, reporter_phone),
    {"submitted_at", MPF_INT, true, 0, offsetof(report_view_t, submitted_at_ms), MPF_NO_FLAG},
    {"updated_at", MPF_INT, true, 0, offsetof(report_view_t, updated_at_ms), MPF_NO_FLAG},
    S(report_view_t, "deadline_kind", false, 32, deadline_kind),
    {"deadline_due", MPF_INT, false, 0, offsetof(report_view_t, deadline_due_ms), offsetof(report_view_t, has_deadline)},
    {"attachment_count", MPF_INT, true, 0, offsetof(report_view_t, attachment_count), MPF_NO_FLAG},
};
static const char *const view_extra_keys[] = {"actions", NULL};

/* Coordinates travel as a pair: a map with only one of them is refused. */
static int check_pair(const msgpack_object *map, char *reason, size_t cap)
{
    if ((mpf_find(map, "lat") == NULL) != (mpf_find(map, "lon") == NULL)) {
        snprintf(reason, cap, "fields 'lat' and 'lon' go together");
        return -1;
    }
    return 0;
}

static int decode_flat(const void *data, size_t size, const mpf_field_t *fields, size_t count,
                       void *out, size_t out_size, char *reason, size_t cap)
{
    memset(out, 0, out_size);
    mpf_doc_t doc;
    if (mpf_doc_open(&doc, data, size, 1, reason, cap) != 0)
        return -1;
    int rc = check_pair(doc.root, reason, cap);
    if (rc == 0)
        rc = mpf_read(doc.root, fields, count, out, NULL, reason, cap);
    mpf_doc_close(&doc);
    return rc;
}

int report_submission_encode(const report_submission_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(submission_fields, MPF_COUNT(submission_fields), in, out, out_size);
}

int report_submission_decode(const void *data, size_t size, report_submission_t *out, char *reason, size_t cap)
{
    return decode_flat(data, size, submission_fields, MPF_COUNT(submission_fields), out, sizeof *out, reason, cap);
}

void report_submission_clear(report_submission_t *self)
{
    mpf_free_strings(submission_fields, MPF_COUNT(submission_fields), self);
    memset(self, 0, sizeof *self);
}

int report_receipt_encode(const report_receipt_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(receipt_fields, MPF_COUNT(receipt_fields), in, out, out_size);
}

int report_receipt_decode(const void *data, size_t size, report_receipt_t *out, char *reason, size_t cap)
{
    return decode_flat(data, size, receipt_fields, MPF_COUNT(receipt_fields), out, sizeof *out, reason, cap);
}

void report_receipt_clear(report_receipt_t *self)
{
    mpf_free_strings(receipt_fields, MPF_COUNT(receipt_fields), self);
    memset(self, 0, sizeof *self);
}

int report_lookup_encode(const report_lookup_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(lookup_fields, MPF_COUNT(lookup_fields), in, out, out_size);
}

int report_lookup_decode(const void *data, size_t size, report_lookup_t *out, char *reason, size_t cap)
{
    return decode_flat(data, size, lookup_fields, MPF_COUNT(lookup_fields), out, sizeof *out, reason, cap);
}

void report_lookup_clear(report_lookup_t *self)
{
    mpf_free_strings(lookup_fields, MPF_COUNT(lookup_fields), self);
    memset(self, 0, sizeof *self);
}

int report_view_encode(const report_view_t *in, unsigned char **out, size_t *out_size)
{
    mpf_writer_t writer;
    mpf_writer_init(&writer);
    msgpack_pack_map(&writer.packer, mpf_count(view_fields, MPF_COUNT(view_fields), in) + 1);
    mpf_write(&writer.packer, view_fields, MPF_COUNT(view_fields), in);
    mpf_write_str(&writer.packer, "actions");
    msgpack_pack_array(&writer.packer, in->action_count);
    for (size_t i = 0; i < in->action_count; i++) {
        const report_action_t *action = &in->actions[i];
        msgpack_pack_map(&writer.packer, mpf_count(action_fields, MPF_COUNT(action_fields), action));
        mpf_write(&writer.packer, action_fields, MPF_COUNT(action_fields), action);
    }
    return mpf_writer_finish(&writer, out, out_size);
}

int report_view_decode(const void *data, size_t size, report_view_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    mpf_doc_t doc;
    if (mpf_doc_open(&doc, data, size, 3, reason, cap) != 0)
        return -1;
    int rc = check_pair(doc.root, reason, cap);
    if (rc == 0)
        rc = mpf_read(doc.root, view_fields, MPF_COUNT(view_fields), out, view_extra_keys, reason, cap);
    if (rc == 0)
        rc = mpf_read_list_alloc(mpf_find(doc.root, "actions"), "actions", REPORT_VIEW_MAX_ACTIONS, action_fields,
                                 MPF_COUNT(action_fields), (void **) &out->actions, sizeof *out->actions,
                                 &out->action_count, reason, cap);
    mpf_doc_close(&doc);
    if (rc != 0)
        report_view_clear(out);
    return rc;
}

void report_view_clear(report_view_t *self)
{
    for (size_t i = 0; i < self->action_count; i++)
        mpf_free_strings(action_fields, MPF_COUNT(action_fields), &self->actions[i]);
    free(self->actions);
    mpf_free_strings(view_fields, MPF_COUNT(view_fields), self);
    memset(self, 0, sizeof *self);
}
