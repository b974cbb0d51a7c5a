#include "report_step_codec.h"

#include <string.h>

#include "msgpack_fields.h"
#include "report_rules.h"

#define S(type, key, req, limit, member) {key, MPF_STR, req, limit, offsetof(type, member), MPF_NO_FLAG}
#define B(type, key, member, flag) {key, MPF_BOOL, false, 0, offsetof(type, member), offsetof(type, flag)}

static const mpf_field_t action_fields[] = {
    S(report_step_t, "tracking_id", true, 32, tracking_id),
    S(report_step_t, "action", true, 32, action),
    S(report_step_t, "actor_role", true, 32, actor_role),
    S(report_step_t, "actor_id", false, 64, actor_id),
    S(report_step_t, "actor_institution", false, REPORT_CODE_MAX, actor_institution),
    S(report_step_t, "reporter_token", false, 128, reporter_token),
    S(report_step_t, "reason_code", false, 40, reason_code),
    S(report_step_t, "note", false, REPORT_STEP_NOTE_MAX, note),
    S(report_step_t, "institution", false, REPORT_CODE_MAX, institution),
    S(report_step_t, "duplicate_of", false, 32, duplicate_of),
    S(report_step_t, "assignee", false, 64, assignee),
    S(report_step_t, "attachment", false, REPORT_STEP_ATTACHMENT_MAX, attachment),
    S(report_step_t, "title", false, REPORT_TITLE_MAX * 4, title),
    S(report_step_t, "category", false, REPORT_CODE_MAX, category),
    S(report_step_t, "classification", false, 32, classification),
    B(report_step_t, "field_supervision", field_supervision, has_field_supervision),
    B(report_step_t, "anonymous", anonymous, has_anonymous),
    B(report_step_t, "confidential", confidential, has_confidential),
};

static const mpf_field_t outcome_fields[] = {
    S(report_outcome_t, "tracking_id", true, 32, tracking_id),
    S(report_outcome_t, "action", true, 32, action),
    S(report_outcome_t, "status", true, 32, status),
    S(report_outcome_t, "public_status", true, 32, public_status),
    S(report_outcome_t, "institution", false, REPORT_CODE_MAX, institution),
    {"at", MPF_INT, true, 0, offsetof(report_outcome_t, at_ms), MPF_NO_FLAG},
};

int report_step_encode(const report_step_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(action_fields, MPF_COUNT(action_fields), in, out, out_size);
}

int report_step_decode(const void *data, size_t size, report_step_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, action_fields, MPF_COUNT(action_fields), out, reason, cap);
}

void report_step_clear(report_step_t *self)
{
    mpf_free_strings(action_fields, MPF_COUNT(action_fields), self);
}

int report_step_system(report_step_t *self, const char *tracking_id, const char *action, const char *institution,
                       const char *note)
{
    memset(self, 0, sizeof *self);
    if (mpf_set_string(&self->tracking_id, tracking_id) != 0 || mpf_set_string(&self->action, action) != 0
        || mpf_set_string(&self->actor_role, "system") != 0 || mpf_set_string(&self->institution, institution) != 0
        || mpf_set_string(&self->note, note) != 0)
        return -1;
    return 0;
}

int report_outcome_encode(const report_outcome_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(outcome_fields, MPF_COUNT(outcome_fields), in, out, out_size);
}

int report_outcome_decode(const void *data, size_t size, report_outcome_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, outcome_fields, MPF_COUNT(outcome_fields), out, reason, cap);
}

void report_outcome_clear(report_outcome_t *self)
{
    mpf_free_strings(outcome_fields, MPF_COUNT(outcome_fields), self);
}
