#include "stats_query_codec.h"

#include <stdio.h>
#include <string.h>

#include "msgpack_fields.h"
#include "report_rules.h"

#define S(type, key, req, limit, member) {key, MPF_STR, req, limit, offsetof(type, member), MPF_NO_FLAG}
#define FILTER(key) S(stats_query_t, #key, false, STATS_QUERY_TEXT_MAX, key)
#define ANSWER(i) {"u" #i, MPF_UINT, true, 0, offsetof(survey_answer_t, answers[i - 1]), MPF_NO_FLAG}
/* A reporter token as the gateway may pass it on (its Authorization header allows 128 bytes). */
#define TOKEN_MAX 128

static const mpf_field_t query_fields[] = {
    S(stats_query_t, "view", true, 16, view),
    S(stats_query_t, "actor_role", false, 32, actor_role),
    S(stats_query_t, "actor_id", false, 64, actor_id),
    S(stats_query_t, "actor_institution", false, REPORT_CODE_MAX, actor_institution),
    FILTER(group_by), FILTER(period), FILTER(from), FILTER(to), FILTER(institution), FILTER(level),
    FILTER(region), FILTER(category), FILTER(classification), FILTER(channel), FILTER(order), FILTER(min_reports),
};

static const mpf_field_t document_fields[] = {
    S(stats_document_t, "json", true, STATS_DOCUMENT_MAX, json),
};

static const mpf_field_t answer_fields[] = {
    S(survey_answer_t, "tracking_id", false, 32, tracking_id),
    S(survey_answer_t, "reporter_token", false, TOKEN_MAX, reporter_token),
    S(survey_answer_t, "institution", false, REPORT_CODE_MAX, institution),
    S(survey_answer_t, "code", false, SURVEY_CODE_MAX, code),
    ANSWER(1), ANSWER(2), ANSWER(3), ANSWER(4), ANSWER(5), ANSWER(6), ANSWER(7), ANSWER(8), ANSWER(9),
};

static const mpf_field_t codes_fields[] = {
    S(survey_codes_t, "actor_role", true, 32, actor_role),
    S(survey_codes_t, "actor_id", true, 64, actor_id),
    S(survey_codes_t, "actor_institution", true, REPORT_CODE_MAX, actor_institution),
    S(survey_codes_t, "institution", true, REPORT_CODE_MAX, institution),
    {"count", MPF_UINT, true, 0, offsetof(survey_codes_t, count), MPF_NO_FLAG},
};

static const mpf_field_t recorded_fields[] = {
    S(survey_recorded_t, "respondent", true, 16, respondent),
};

static const mpf_field_t rebuild_fields[] = {
    S(stats_rebuild_t, "requested_by", false, 64, requested_by),
};

static const mpf_field_t rebuilt_fields[] = {
    {"events", MPF_INT, true, 0, offsetof(stats_rebuilt_t, events), MPF_NO_FLAG},
};

static bool one_of(const char *value, const char *const *allowed)
{
    for (; value && *allowed; allowed++)
        if (strcmp(value, *allowed) == 0)
            return true;
    return false;
}

/* What the table cannot say: the view is one of six, and the actor comes whole or not at all. */
static int check_query(const stats_query_t *q, char *reason, size_t cap)
{
    static const char *const views[] = {"summary", "series", "rankings", "ikm", "export_summary", "export_reports",
                                        NULL};
    int actor_parts = !!q->actor_role + !!q->actor_id + !!q->actor_institution;
    if (!one_of(q->view, views))
        snprintf(reason, cap, "view: not a view of the statistics");
    else if (actor_parts != 0 && actor_parts != 3)
        snprintf(reason, cap, "actor_role, actor_id, actor_institution: all three or none");
    else
        return 0;
    return -1;
}

/* Exactly one respondent (a reporter's tracking id and token, or an institution with a survey
 * code), each element 0..4, at least one answered. */
static int check_answer(const survey_answer_t *a, char *reason, size_t cap)
{
    bool reporter = a->tracking_id != NULL, answered = false;
    for (int i = 0; i < SURVEY_ANSWER_ELEMENTS; i++) {
        if (a->answers[i] > 4) {
            snprintf(reason, cap, "u%d: an answer is 1..4, or 0 when left out", i + 1);
            return -1;
        }
        answered = answered || a->answers[i] > 0;
    }
    if (reporter != (a->reporter_token != NULL) || reporter == (a->institution != NULL))
        snprintf(reason, cap, "tracking_id with reporter_token, or institution: exactly one respondent");
    else if (!answered)
        snprintf(reason, cap, "u1..u9: at least one element answered");
    else if (reporter == (a->code != NULL))
        snprintf(reason, cap, "code: required with an institution, never with a tracking id");
    else
        return 0;
    return -1;
}

int stats_query_encode(const stats_query_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(query_fields, MPF_COUNT(query_fields), in, out, out_size);
}

int stats_query_decode(const void *data, size_t size, stats_query_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (mpf_decode(data, size, query_fields, MPF_COUNT(query_fields), out, reason, cap) != 0)
        return -1;
    if (check_query(out, reason, cap) == 0)
        return 0;
    stats_query_clear(out);
    return -1;
}

void stats_query_clear(stats_query_t *self)
{
    mpf_free_strings(query_fields, MPF_COUNT(query_fields), self);
}

int stats_document_encode(const stats_document_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(document_fields, MPF_COUNT(document_fields), in, out, out_size);
}

int stats_document_decode(const void *data, size_t size, stats_document_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, document_fields, MPF_COUNT(document_fields), out, reason, cap);
}

void stats_document_clear(stats_document_t *self)
{
    mpf_free_strings(document_fields, MPF_COUNT(document_fields), self);
}

int survey_answer_encode(const survey_answer_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(answer_fields, MPF_COUNT(answer_fields), in, out, out_size);
}

int survey_answer_decode(const void *data, size_t size, survey_answer_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (mpf_decode(data, size, answer_fields, MPF_COUNT(answer_fields), out, reason, cap) != 0)
        return -1;
    if (check_answer(out, reason, cap) == 0)
        return 0;
    survey_answer_clear(out);
    return -1;
}

void survey_answer_clear(survey_answer_t *self)
{
    mpf_free_strings(answer_fields, MPF_COUNT(answer_fields), self);
}

int survey_codes_encode(const survey_codes_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(codes_fields, MPF_COUNT(codes_fields), in, out, out_size);
}

int survey_codes_decode(const void *data, size_t size, survey_codes_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (mpf_decode(data, size, codes_fields, MPF_COUNT(codes_fields), out, reason, cap) != 0)
        return -1;
    if (out->count >= 1 && out->count <= SURVEY_CODES_MAX)
        return 0;
    snprintf(reason, cap, "count: 1..%d codes", SURVEY_CODES_MAX);
    survey_codes_clear(out);
    return -1;
}

void survey_codes_clear(survey_codes_t *self)
{
    mpf_free_strings(codes_fields, MPF_COUNT(codes_fields), self);
}

int survey_recorded_encode(const survey_recorded_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(recorded_fields, MPF_COUNT(recorded_fields), in, out, out_size);
}

int survey_recorded_decode(const void *data, size_t size, survey_recorded_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, recorded_fields, MPF_COUNT(recorded_fields), out, reason, cap);
}

void survey_recorded_clear(survey_recorded_t *self)
{
    mpf_free_strings(recorded_fields, MPF_COUNT(recorded_fields), self);
}

int stats_rebuild_encode(const stats_rebuild_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(rebuild_fields, MPF_COUNT(rebuild_fields), in, out, out_size);
}

int stats_rebuild_decode(const void *data, size_t size, stats_rebuild_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, rebuild_fields, MPF_COUNT(rebuild_fields), out, reason, cap);
}

void stats_rebuild_clear(stats_rebuild_t *self)
{
    mpf_free_strings(rebuild_fields, MPF_COUNT(rebuild_fields), self);
}

int stats_rebuilt_encode(const stats_rebuilt_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(rebuilt_fields, MPF_COUNT(rebuilt_fields), in, out, out_size);
}

int stats_rebuilt_decode(const void *data, size_t size, stats_rebuilt_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    return mpf_decode(data, size, rebuilt_fields, MPF_COUNT(rebuilt_fields), out, reason, cap);
}
