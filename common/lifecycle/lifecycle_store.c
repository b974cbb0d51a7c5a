#include "lifecycle_store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_array.h"
#include "event_log.h"
#include "report_events.h"
#include "report_lifecycle.h"
#include "report_rules.h"
#include "secret_token.h"
#include "utf8_text.h"

/* The locked report, as the checks need it. */
typedef struct {
    char id[24];
    char status[32];
    char *target;            /* target_institution, may be NULL */
    char *holder;            /* institution_code, may be NULL */
    char *token_hash;
    char *channel;
    PGresult *result;        /* owns the strings above */
} report_row_t;

typedef struct {
    db_t *db;
    const report_step_t *action;
    const lifecycle_rule_t *rule;
    const lifecycle_context_t *context;
    char now[24];
    report_row_t row;
    error_reply_t *refusal;
} apply_t;

static int refuse(error_reply_t *refusal, const char *code, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int refuse(error_reply_t *refusal, const char *code, const char *status, const char *fmt, ...)
{
    memset(refusal, 0, sizeof *refusal);
    snprintf(refusal->code, sizeof refusal->code, "%s", code);
    va_list args;
    va_start(args, fmt);
    vsnprintf(refusal->detail, sizeof refusal->detail, fmt, args);
    va_end(args);
    snprintf(refusal->status, sizeof refusal->status, "%s", status ? status : "");
    return 1;
}

static bool query_bool(db_t *db, const char *sql, int n, const char *const *params, bool *answer, db_error_t *error)
{
    PGresult *r = db_exec(db, sql, n, params, error);
    if (!r)
        return false;
    *answer = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return true;
}

/* 0 found and locked, 1 no such report, -1 error. The lock is the one an UPDATE of the report
 * takes (no key changes): steps wait for each other, but rows that only reference the report (a
 * delivery, an action, a clock) are inserted meanwhile. FOR UPDATE made notify's inserts wait for
 * the end of each of route's runs. */
static int lock_report(apply_t *a, db_error_t *error)
{
    const char *params[] = {a->action->tracking_id};
    PGresult *r = db_exec(a->db, "SELECT id, status, target_institution, institution_code, reporter_token_hash, "
                                 "channel FROM reports WHERE tracking_id = $1 FOR NO KEY UPDATE", 1, params, error);
    if (!r)
        return -1;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return 1;
    }
    a->row.result = r;
    snprintf(a->row.id, sizeof a->row.id, "%s", PQgetvalue(r, 0, 0));
    snprintf(a->row.status, sizeof a->row.status, "%s", PQgetvalue(r, 0, 1));
    a->row.target = PQgetisnull(r, 0, 2) ? NULL : PQgetvalue(r, 0, 2);
    a->row.holder = PQgetisnull(r, 0, 3) ? NULL : PQgetvalue(r, 0, 3);
    a->row.token_hash = PQgetvalue(r, 0, 4);
    a->row.channel = PQgetvalue(r, 0, 5);
    return 0;
}

/* A reporter acts with the report's token, or through the Open311 app the report came from: the
 * gateway names the app of the API key as actor_id "open311.<app>" (reporters have no actor_id
 * otherwise), and only that app speaks for the reporters who used it (docs/open311.md). */
static bool reporter_proven(const report_step_t *act, const report_row_t *row)
{
    if (act->reporter_token)
        return secret_token_matches(act->reporter_token, row->token_hash);
    return act->actor_id && strncmp(act->actor_id, REPORT_OPEN311_CHANNEL_PREFIX,
                                    sizeof REPORT_OPEN311_CHANNEL_PREFIX - 1) == 0
           && strcmp(act->actor_id, row->channel) == 0;
}

/* Role, then scope: 0 allowed, 1 refused, -1 error. */
static int check_actor(apply_t *a, db_error_t *error)
{
    const report_step_t *act = a->action;
    unsigned role = lifecycle_role_bit(act->actor_role);
    if (!(a->rule->roles & role))
        return refuse(a->refusal, ERROR_FORBIDDEN, NULL, "the role may not %s", act->action);
    if (role == ROLE_REPORTER)
        return reporter_proven(act, &a->row) ? 0
                   : refuse(a->refusal, ERROR_FORBIDDEN, NULL, "%s", "the reporter token does not match");
    if (a->rule->scope == SCOPE_NONE || role == ROLE_NATIONAL_ADMIN)
        return 0;
    const char *subject = a->rule->scope == SCOPE_DESK ? a->row.target : a->row.holder;
    const char *params[] = {subject, act->actor_institution};
    bool within = false;
    if (!query_bool(a->db, "SELECT institution_within($1, $2)", 2, params, &within, error))
        return -1;
    return within ? 0 : refuse(a->refusal, ERROR_FORBIDDEN, NULL, "%s",
                               "the report is outside your institution's subtree");
}

static bool exists(db_t *db, const char *sql, const char *a, const char *b, bool *answer, db_error_t *error)
{
    const char *params[] = {a, b};
    return query_bool(db, sql, b ? 2 : 1, params, answer, error);
}

/* The destination institution: it must exist and be active; dispatch goes down from the holder,
 * transfer goes anywhere outside the holder's subtree. */
static int check_institution(apply_t *a, field_errors_t *errors, db_error_t *error)
{
    const char *code = a->action->institution, *action = a->rule->action;
    bool ok = false;
    if (!code)
        return 0;
    if (!exists(a->db, "SELECT EXISTS (SELECT 1 FROM institutions WHERE code = $1 AND active)", code, NULL, &ok, error))
        return -1;
    if (!ok) {
        field_errors_add(errors, "institution", "unknown", "institution '%s' does not exist", code);
        return 0;
    }
    if (strcmp(action, "dispatch") == 0 || strcmp(action, "transfer") == 0) {
        bool below = false;
        if (!exists(a->db, "SELECT institution_within($1, $2)", code, a->row.holder, &below, error))
            return -1;
        bool same = a->row.holder && strcmp(a->row.holder, code) == 0;
        if (strcmp(action, "dispatch") == 0 && (same || !below))
            field_errors_add(errors, "institution", "not_below", "dispatch goes down the tree from %s",
                             a->row.holder ? a->row.holder : "the holder");
        if (strcmp(action, "transfer") == 0 && below)
            field_errors_add(errors, "institution", "not_sideways",
                             "a transfer goes outside %s's subtree; use dispatch to go down", a->row.holder);
    }
    return 0;
}

static int check_reason(apply_t *a, field_errors_t *errors, db_error_t *error)
{
    const char *code = a->action->reason_code;
    if (!a->rule->reason_action) {
        if (code)
            field_errors_add(errors, "reason_code", "not_allowed", "%s takes no reason code", a->rule->action);
        return 0;
    }
    if (!code) {
        if (a->rule->reason_required)
            field_errors_add(errors, "reason_code", "required", "%s needs a reason code", a->rule->action);
        return 0;
    }
    bool ok = false;
    if (!exists(a->db, "SELECT EXISTS (SELECT 1 FROM reason_codes WHERE action = $1 AND code = $2 AND active)",
                a->rule->reason_action, code, &ok, error))
        return -1;
    if (!ok)
        field_errors_add(errors, "reason_code", "unknown", "'%s' is not a reason code for %s", code, a->rule->action);
    return 0;
}

static void check_texts(apply_t *a, field_errors_t *errors)
{
    const report_step_t *act = a->action;
    if (act->note && !utf8_text_is_printable(act->note, true))
        field_errors_add(errors, "note", "invalid", "the text has control characters");
    else if (a->rule->note_required && (!act->note || strspn(act->note, " \t\r\n") == strlen(act->note)))
        field_errors_add(errors, "note", "required", "%s needs a text", a->rule->action);
    if (act->attachment && strcmp(a->rule->action, "follow_up") != 0)
        field_errors_add(errors, "attachment", "not_allowed", "only a follow-up carries an attachment");
    else if (act->attachment && (!*act->attachment || !utf8_text_is_printable(act->attachment, false)))
        field_errors_add(errors, "attachment", "invalid", "an attachment reference is one printable line");
    if (a->rule->institution_required && !act->institution)
        field_errors_add(errors, "institution", "required", "%s needs an institution", a->rule->action);
    if (act->duplicate_of && strcmp(a->rule->action, "link_duplicate") != 0)
        field_errors_add(errors, "duplicate_of", "not_allowed", "only link_duplicate names an original");
    if (act->assignee && strcmp(a->rule->action, "assign") != 0)
        field_errors_add(errors, "assignee", "not_allowed", "only assign names an officer");
}

/* An assignment goes to an active member of the holding institution itself; a unit liaison may
 * only take a report for themselves. */
static int check_assignee(apply_t *a, field_errors_t *errors, db_error_t *error)
{
    const report_step_t *act = a->action;
    if (strcmp(a->rule->action, "assign") != 0)
        return 0;
    if (!act->assignee) {
        field_errors_add(errors, "assignee", "required", "assign names the officer (a username)");
        return 0;
    }
    if (lifecycle_role_bit(act->actor_role) == ROLE_UNIT_LIAISON && strcmp(act->assignee, act->actor_id) != 0) {
        field_errors_add(errors, "assignee", "not_allowed", "a unit liaison takes a report for themselves only");
        return 0;
    }
    bool ok = false;
    if (!exists(a->db, "SELECT EXISTS (SELECT 1 FROM staff WHERE username = $1 AND institution_code = $2 "
                       "AND active AND role <> 'analyst')", act->assignee, a->row.holder, &ok, error))
        return -1;
    if (!ok)
        field_errors_add(errors, "assignee", "unknown", "'%s' is no active officer of %s", act->assignee,
                         a->row.holder ? a->row.holder : "the holder");
    return 0;
}

/* Corrections belong to the verification desk; privacy may only be tightened (a reporter who
 * chose to be anonymous is never revealed by a correction). */
static int check_corrections(apply_t *a, field_errors_t *errors, db_error_t *error)
{
    const report_step_t *act = a->action;
    bool corrects = act->title || act->category || act->classification || act->has_field_supervision
                    || act->has_anonymous || act->has_confidential;
    bool at_desk = strcmp(a->rule->action, "verify") == 0 || strcmp(a->rule->action, "not_our_authority") == 0;
    if (!corrects)
        return 0;
    if (!at_desk) {
        field_errors_add(errors, "action", "no_corrections", "only verification corrects the report");
        return 0;
    }
    if (act->title) {
        long n = utf8_text_length(act->title, strlen(act->title));
        if (n < REPORT_TITLE_MIN || n > REPORT_TITLE_MAX || !utf8_text_is_printable(act->title, false))
            field_errors_add(errors, "title", "length", "a title has %d to %d printable characters",
                             REPORT_TITLE_MIN, REPORT_TITLE_MAX);
    }
    if (act->classification && !report_classification_valid(act->classification))
        field_errors_add(errors, "classification", "unknown", "'%s' is not a classification", act->classification);
    if ((act->has_anonymous && !act->anonymous) || (act->has_confidential && !act->confidential))
        field_errors_add(errors, "privacy", "loosened", "verification may set anonymous/confidential, never clear them");
    bool ok = true;
    if (act->category && !exists(a->db, "SELECT EXISTS (SELECT 1 FROM categories WHERE code = $1 AND active)",
                                 act->category, NULL, &ok, error))
        return -1;
    if (!ok)
        field_errors_add(errors, "category", "unknown", "category '%s' does not exist", act->category);
    return 0;
}

/* The original of a duplicate, by tracking id; its internal id into original_id. */
static int check_duplicate(apply_t *a, char original_id[24], field_errors_t *errors, db_error_t *error)
{
    original_id[0] = '\0';
    if (strcmp(a->rule->action, "link_duplicate") != 0)
        return 0;
    if (!a->action->duplicate_of) {
        field_errors_add(errors, "duplicate_of", "required", "link_duplicate names the original's tracking id");
        return 0;
    }
    const char *params[] = {a->action->duplicate_of, a->row.id};
    PGresult *r = db_exec(a->db, "SELECT id FROM reports WHERE tracking_id = $1 AND id <> $2", 2, params, error);
    if (!r)
        return -1;
    if (PQntuples(r) == 1)
        snprintf(original_id, 24, "%s", PQgetvalue(r, 0, 0));
    else
        field_errors_add(errors, "duplicate_of", "unknown", "no other report has tracking id %s", a->action->duplicate_of);
    PQclear(r);
    return 0;
}

static int validate(apply_t *a, char original_id[24], db_error_t *error)
{
    field_errors_t errors;
    field_errors_clear(&errors);
    check_texts(a, &errors);
    if (check_reason(a, &errors, error) != 0 || check_institution(a, &errors, error) != 0
        || check_corrections(a, &errors, error) != 0 || check_duplicate(a, original_id, &errors, error) != 0
        || check_assignee(a, &errors, error) != 0)
        return -1;
    if (!errors.count)
        return 0;
    refuse(a->refusal, ERROR_INVALID, NULL, "%s has invalid fields", a->rule->action);
    a->refusal->fields = errors;
    return 1;
}

static const char *bool_param(bool has, bool value)
{
    return has ? (value ? "true" : "false") : NULL;
}

/* The new status and whatever the action changes. verify and not_our_authority set the target
 * the router will honour (not_our_authority without an institution clears it: rules decide). */
static int update_report(apply_t *a, const char *original_id, db_error_t *error)
{
    const report_step_t *act = a->action;
    const char *action = a->rule->action;
    bool sets_target = strcmp(action, "not_our_authority") == 0 || (strcmp(action, "verify") == 0 && act->institution);
    bool sets_holder = strcmp(action, "route") == 0 || strcmp(action, "dispatch") == 0 || strcmp(action, "transfer") == 0;
    const char *params[] = {a->row.id, a->rule->to, a->now, act->title, act->category, act->classification,
                            bool_param(act->has_field_supervision, act->field_supervision),
                            bool_param(act->has_anonymous, act->anonymous),
                            bool_param(act->has_confidential, act->confidential),
                            sets_target ? "true" : "false", act->institution,
                            sets_holder ? act->institution : NULL, *original_id ? original_id : NULL,
                            strcmp(action, "assign") == 0 ? "true" : "false", act->assignee,
                            sets_holder ? "true" : "false"};
    return db_exec_ok(a->db,
        "UPDATE reports SET status = COALESCE($2, status), updated_at = to_timestamp($3::bigint / 1000.0), "
        "title = COALESCE($4, title), category_code = COALESCE($5, category_code), "
        "classification = COALESCE($6, classification), field_supervision = COALESCE($7::boolean, field_supervision), "
        "anonymous = COALESCE($8::boolean, anonymous), confidential = COALESCE($9::boolean, confidential), "
        "target_institution = CASE WHEN $10::boolean THEN $11 ELSE target_institution END, "
        "institution_code = COALESCE($12, institution_code), duplicate_of = COALESCE($13::bigint, duplicate_of), "
        /* a new holder assigns its own officer */
        "assignee = CASE WHEN $14::boolean THEN $15 WHEN $16::boolean THEN NULL ELSE assignee END "
        "WHERE id = $1", 16, params, error);
}

static int log_action(apply_t *a, db_error_t *error)
{
    const report_step_t *act = a->action;
    const char *reason = act->reason_code ? act->reason_code
                         : strcmp(a->rule->action, "link_duplicate") == 0 ? "duplicate" : NULL;
    const char *params[] = {a->row.id, a->now, a->rule->action, act->actor_role, act->actor_id,
                            a->rule->to ? a->rule->to : a->row.status, act->note, a->context->request_id, reason,
                            act->institution, act->attachment, lifecycle_internal(a->rule) ? "true" : "false",
                            act->assignee};
    return db_exec_ok(a->db,
        "INSERT INTO report_actions (report_id, at, action, actor_role, actor_id, status_after, note, request_id, "
        "reason_code, institution_code, attachment, internal, assignee) "
        "VALUES ($1, to_timestamp($2::bigint / 1000.0), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)", 13, params,
        error);
}

/* The kinds of a rule's clock list as an SQL array literal ("{follow_up,resolution}") into
 * *literal, NULL for an empty list; -1 out of memory. Kinds are the CHECKed identifiers of
 * report_deadlines.kind, never user text. */
static int kinds_array(const char *const *kinds, char **literal, db_error_t *error)
{
    *literal = NULL;
    if (!kinds[0])
        return 0;
    db_array_t array;
    memset(&array, 0, sizeof array);
    for (int i = 0; kinds[i]; i++)
        db_array_add(&array, kinds[i]);
    if ((*literal = db_array_take(&array)))
        return 0;
    snprintf(error->message, sizeof error->message, "out of memory");
    return -1;
}

/* Every running clock of the listed kinds ends, in one statement whatever their number. */
static int end_clocks(db_t *db, const char *report_id, const char *const *kinds, const char *outcome,
                      const char *now, db_error_t *error)
{
    char *list;
    if (kinds_array(kinds, &list, error) != 0)
        return -1;
    const char *params[] = {report_id, list, outcome, now};
    int rc = list ? db_exec_ok(db, "UPDATE report_deadlines SET ended_at = to_timestamp($4::bigint / 1000.0), "
                                   "outcome = $3 WHERE report_id = $1 AND kind = ANY($2::text[]) AND ended_at IS NULL",
                               4, params, error)
                  : 0;
    free(list);
    return rc;
}

/* The clocks of `picked` (report id, institution_code, kind, working_days, warn_before_days),
 * started at $3 (ms). Each distinct rule's due time is worked out once for all the reports and
 * kinds (working_deadline reads the calendar): MATERIALIZED, because a due list pulled up into the
 * join is worked out again for every clock (200 calls a run of 100 reports, 85 % of the
 * statement's time). */
#define CLOCKS_OF_PICKED \
    "due AS MATERIALIZED (SELECT k.working_days, k.warn_before_days, " \
    "  working_deadline(to_timestamp($3::bigint / 1000.0), k.working_days) AS due_at, " \
    "  CASE WHEN k.warn_before_days < k.working_days THEN working_deadline(" \
    "      to_timestamp($3::bigint / 1000.0), k.working_days - k.warn_before_days) END AS warn_at " \
    "  FROM (SELECT DISTINCT working_days, warn_before_days FROM picked) k) " \
    "INSERT INTO report_deadlines (report_id, kind, institution_code, started_at, due_at, warn_at) " \
    "SELECT p.id, p.kind, p.institution_code, to_timestamp($3::bigint / 1000.0), due.due_at, due.warn_at " \
    "FROM picked p JOIN due ON due.working_days = p.working_days " \
    "  AND due.warn_before_days IS NOT DISTINCT FROM p.warn_before_days"

/* Clocks of every kind listed (an SQL array literal) for every report listed, in one statement;
 * clock_rule (migration 0036) picks the rule; without a rule, no clock. */
static int open_new_clocks(db_t *db, const char *report_ids, const char *kinds, const char *now, db_error_t *error)
{
    const char *params[] = {report_ids, kinds, now};
    return db_exec_ok(db,
        "WITH picked AS (SELECT r.id, r.institution_code, k.kind, rule.working_days, rule.warn_before_days "
        "  FROM reports r CROSS JOIN unnest($2::text[]) AS k(kind) "
        "  CROSS JOIN LATERAL clock_rule(k.kind, r.classification, r.field_supervision) rule "
        "  WHERE r.id = ANY($1::bigint[])), " CLOCKS_OF_PICKED, 3, params, error);
}

void lifecycle_store_new_clock_dues_query(const char *kind, const char *classifications, int64_t now_ms,
                                          lifecycle_dues_query_t *query, db_statement_t *statement)
{
    snprintf(query->now, sizeof query->now, "%lld", (long long) now_ms);
    query->params[0] = kind;
    query->params[1] = classifications;
    query->params[2] = query->now;
    *statement = (db_statement_t) {
        "SELECT c, working_deadline(to_timestamp($3::bigint / 1000.0), rule.working_days) "
        "FROM unnest($2::text[]) AS c CROSS JOIN LATERAL clock_rule($1, c, false) rule", 3, query->params};
}

int lifecycle_store_next_due_written(db_t *db, bool on, db_error_t *error)
{
    const char *params[] = {on ? "on" : "off"};
    return db_exec_ok(db, "SELECT set_config('aduan.next_due_written', $1, true)", 1, params, error);
}

/* The reports are not read: a new report is in no unit's hands and not under field supervision,
 * and its classification is the caller's. So the statement reads only the small rules table, and
 * its generic plan (intake's batches run on generic plans) is the same whatever the size of the
 * reports table: read from the reports, a generic plan made on a new system's nearly empty table
 * read them sequentially until autovacuum analyzed it (docs/performance.md, branch plans). */
int lifecycle_store_open_new_clocks(db_t *db, const char *report_ids, const char *classifications, const char *kind,
                                    int64_t now_ms, db_error_t *error)
{
    char now[24];
    snprintf(now, sizeof now, "%lld", (long long) now_ms);
    const char *params[] = {report_ids, kind, now, classifications};
    return db_exec_ok(db,
        "WITH picked AS (SELECT n.id, NULL::text AS institution_code, $2::text AS kind, rule.working_days, "
        "  rule.warn_before_days FROM unnest($1::bigint[], $4::text[]) AS n(id, classification) "
        "  CROSS JOIN LATERAL clock_rule($2, n.classification, false) rule), " CLOCKS_OF_PICKED, 4, params, error);
}

int lifecycle_store_open_kinds(db_t *db, const char *report_ids, const char *const *kinds, int64_t now_ms,
                               db_error_t *error)
{
    char now[24], *list;
    snprintf(now, sizeof now, "%lld", (long long) now_ms);
    if (kinds_array(kinds, &list, error) != 0)
        return -1;
    int rc = open_new_clocks(db, report_ids, list, now, error);
    free(list);
    return rc;
}

/* (Re)starts the clocks of the listed kinds for one report, a running one cancelled first: two
 * statements however many kinds the step opens. */
static int open_clocks(db_t *db, const char *report_id, const char *const *kinds, const char *now,
                       db_error_t *error)
{
    char ids[32], *list;
    snprintf(ids, sizeof ids, "{%s}", report_id);
    if (kinds_array(kinds, &list, error) != 0)
        return -1;
    int rc = list && (end_clocks(db, report_id, kinds, "cancelled", now, error) != 0
                      || open_new_clocks(db, ids, list, now, error) != 0) ? -1 : 0;
    free(list);
    return rc;
}

int lifecycle_store_open_clock(db_t *db, int64_t report_id, const char *kind, int64_t now_ms, db_error_t *error)
{
    char id[24], now[24];
    snprintf(id, sizeof id, "%lld", (long long) report_id);
    snprintf(now, sizeof now, "%lld", (long long) now_ms);
    const char *const kinds[] = {kind, NULL};
    return open_clocks(db, id, kinds, now, error);
}

static int run_clocks(apply_t *a, db_error_t *error)
{
    if (end_clocks(a->db, a->row.id, a->rule->meet, "met", a->now, error) != 0
        || end_clocks(a->db, a->row.id, a->rule->cancel, "cancelled", a->now, error) != 0
        || open_clocks(a->db, a->row.id, a->rule->open, a->now, error) != 0)
        return -1;
    /* Clocks that keep running follow the report to its new holder. */
    const char *params[] = {a->row.id};
    return db_exec_ok(a->db, "UPDATE report_deadlines d SET institution_code = r.institution_code FROM reports r "
                             "WHERE r.id = $1 AND d.report_id = r.id AND d.ended_at IS NULL", 1, params, error);
}

static const char *nullable(const PGresult *r, int column)
{
    return PQgetisnull(r, 0, column) ? NULL : PQgetvalue(r, 0, column);
}

/* report.verified carries the report's content as verified; report_events.c keeps it only when
 * the report's privacy allows. */
static void add_content(report_transition_t *t, const PGresult *r)
{
    if (strcmp(t->type, EVENT_REPORT_VERIFIED) != 0)
        return;
    t->title = PQgetvalue(r, 0, 9);
    t->body = PQgetvalue(r, 0, 11);
    t->incident_date = nullable(r, 12);
    t->address = nullable(r, 13);
    t->has_coordinates = !PQgetisnull(r, 0, 14);
    t->lat = strtod(PQgetvalue(r, 0, 14), NULL);
    t->lon = strtod(PQgetvalue(r, 0, 15), NULL);
}

/* The event and the outcome both describe the report as it now is. */
static int describe(apply_t *a, report_outcome_t *outcome, db_error_t *error)
{
    const char *params[] = {a->row.id};
    PGresult *r = db_exec(a->db,
        "SELECT r.tracking_id, r.status, s.public_status, r.institution_code, r.classification, r.category_code, "
        "r.field_supervision, r.anonymous, r.confidential, r.title, o.tracking_id, r.body, r.incident_date, "
        "r.address, r.lat, r.lon "
        "FROM reports r JOIN report_statuses s USING (status) LEFT JOIN reports o ON o.id = r.duplicate_of "
        "WHERE r.id = $1", 1, params, error);
    if (!r)
        return -1;
    const report_step_t *act = a->action;
    report_transition_t t = {
        .type = a->rule->event_type, .action = a->rule->action, .status = PQgetvalue(r, 0, 1),
        .previous_status = a->row.status, .public_status = PQgetvalue(r, 0, 2),
        .classification = PQgetvalue(r, 0, 4), .category = PQgetvalue(r, 0, 5),
        .field_supervision = PQgetvalue(r, 0, 6)[0] == 't', .anonymous = PQgetvalue(r, 0, 7)[0] == 't',
        .confidential = PQgetvalue(r, 0, 8)[0] == 't',
        .institution = nullable(r, 3), .reason_code = act->reason_code, .duplicate_of = nullable(r, 10),
        .note = act->note, .attachment = act->attachment,
    };
    if (a->row.holder && t.institution && strcmp(a->row.holder, t.institution) != 0)
        t.previous_institution = a->row.holder;
    add_content(&t, r);
    bool reporter = lifecycle_role_bit(act->actor_role) == ROLE_REPORTER;
    report_event_origin_t origin = {strtoll(a->row.id, NULL, 10), PQgetvalue(r, 0, 0), act->actor_role,
                                    reporter ? NULL : act->actor_id, a->context->now_ms};
    event_t event;
    int rc = report_events_transition(&t, &origin, &event);
    if (rc == 0) {
        rc = event_log_append(a->db, &event, error);
        event_clear(&event);
    }
    outcome->tracking_id = strdup(origin.tracking_id);
    outcome->action = strdup(t.action);
    outcome->status = strdup(t.status);
    outcome->public_status = strdup(t.public_status);
    outcome->institution = t.institution ? strdup(t.institution) : NULL;
    outcome->at_ms = a->context->now_ms;
    if (!outcome->tracking_id || !outcome->action || !outcome->status || !outcome->public_status
        || (t.institution && !outcome->institution))
        rc = -1;
    PQclear(r);
    return rc;
}

/* A command resent under the same request id gets the answer of the first (property 5). */
static int answer_again(db_t *db, const report_step_t *act, const char *request_id, report_outcome_t *outcome,
                        bool *found, db_error_t *error)
{
    const char *params[] = {request_id, act->tracking_id};
    PGresult *r = db_exec(db,
        "SELECT r.tracking_id, a.action, a.status_after, s.public_status, a.institution_code, "
        "(extract(epoch FROM a.at) * 1000)::bigint "
        "FROM report_actions a JOIN reports r ON r.id = a.report_id "
        "JOIN report_statuses s ON s.status = a.status_after WHERE a.request_id = $1 AND r.tracking_id = $2",
        2, params, error);
    if (!r)
        return -1;
    if ((*found = PQntuples(r) == 1)) {
        outcome->tracking_id = db_value_dup(r, 0, 0);
        outcome->action = db_value_dup(r, 0, 1);
        outcome->status = db_value_dup(r, 0, 2);
        outcome->public_status = db_value_dup(r, 0, 3);
        outcome->institution = db_value_dup(r, 0, 4);
        outcome->at_ms = strtoll(PQgetvalue(r, 0, 5), NULL, 10);
    }
    PQclear(r);
    return 0;
}

static int apply_locked(apply_t *a, report_outcome_t *outcome, db_error_t *error)
{
    int rc = check_actor(a, error);
    if (rc != 0)
        return rc;
    if (!lifecycle_allowed_from(a->rule, a->row.status))
        return refuse(a->refusal, ERROR_CONFLICT, a->row.status, "%s is not allowed in this status", a->rule->action);
    char original_id[24];
    if ((rc = validate(a, original_id, error)) != 0)
        return rc;
    if (update_report(a, original_id, error) != 0 || log_action(a, error) != 0 || run_clocks(a, error) != 0)
        return -1;
    return describe(a, outcome, error);
}

int lifecycle_store_apply(db_t *db, const report_step_t *action, const lifecycle_context_t *context,
                          report_outcome_t *outcome, error_reply_t *refusal, db_error_t *error)
{
    memset(outcome, 0, sizeof *outcome);
    apply_t a = {.db = db, .action = action, .rule = lifecycle_rule(action->action), .context = context,
                 .refusal = refusal};
    snprintf(a.now, sizeof a.now, "%lld", (long long) context->now_ms);
    if (!a.rule)
        return refuse(refusal, ERROR_INVALID, NULL, "unknown action '%s'", action->action);
    /* Looked up only once the report is locked: a copy of the request arriving while the first is
     * still being applied waits for it, then finds its answer instead of a changed status. */
    int rc = lock_report(&a, error);
    if (rc == 1)
        return refuse(refusal, ERROR_NOT_FOUND, NULL, "no report has tracking id %s", action->tracking_id);
    bool found = false;
    if (rc == 0 && context->request_id && answer_again(db, action, context->request_id, outcome, &found, error) != 0)
        rc = -1;
    if (rc == 0 && !found)
        rc = apply_locked(&a, outcome, error);
    PQclear(a.row.result);
    if (rc != 0)
        report_outcome_clear(outcome);
    return rc;
}

/* The event of a clock row of the sweep's query (columns: id, report_id, kind, tracking_id, due_at
 * ms, status, institution_code). */
static int append_clock_event(db_t *db, const char *type, PGresult *r, int row, int64_t now_ms, db_error_t *error)
{
    const char *institution = PQgetisnull(r, row, 6) ? NULL : PQgetvalue(r, row, 6);
    report_event_origin_t origin = {strtoll(PQgetvalue(r, row, 1), NULL, 10), PQgetvalue(r, row, 3), "system",
                                    NULL, now_ms};
    event_t event;
    if (report_events_deadline(type, PQgetvalue(r, row, 2), strtoll(PQgetvalue(r, row, 4), NULL, 10),
                               PQgetvalue(r, row, 5), institution, &origin, &event) != 0)
        return -1;
    int rc = event_log_append(db, &event, error);
    event_clear(&event);
    return rc;
}

/* One overdue clock: the report's auto-close, or a miss with its event. */
static int handle_overdue(db_t *db, PGresult *r, int row, int64_t now_ms, db_error_t *error)
{
    const char *deadline_id = PQgetvalue(r, row, 0), *kind = PQgetvalue(r, row, 2);
    const char *tracking_id = PQgetvalue(r, row, 3);
    char now[24], request_id[48];
    snprintf(now, sizeof now, "%lld", (long long) now_ms);
    if (strcmp(kind, "reporter_reply") == 0) {
        snprintf(request_id, sizeof request_id, "auto_close:%s", deadline_id);
        report_step_t close;
        lifecycle_context_t context = {request_id, now_ms};
        report_outcome_t outcome = {0};
        error_reply_t refusal;
        int rc = -1;
        if (report_step_system(&close, tracking_id, "auto_close", NULL, NULL) == 0)
            rc = lifecycle_store_apply(db, &close, &context, &outcome, &refusal, error);
        report_step_clear(&close);
        report_outcome_clear(&outcome);
        if (rc <= 0)
            return rc;
        /* The report moved on in a way the clock did not follow; retire it rather than retry for ever. */
        const char *params[] = {deadline_id, now};
        return db_exec_ok(db, "UPDATE report_deadlines SET ended_at = to_timestamp($2::bigint / 1000.0), "
                              "outcome = 'cancelled' WHERE id = $1", 2, params, error);
    }
    const char *params[] = {deadline_id, now};
    if (db_exec_ok(db, "UPDATE report_deadlines SET missed_at = to_timestamp($2::bigint / 1000.0) WHERE id = $1",
                   2, params, error) != 0)
        return -1;
    return append_clock_event(db, EVENT_DEADLINE_MISSED, r, row, now_ms, error);
}

/* One clock whose warning time came: its report.closing_soon event, once. */
static int handle_warning(db_t *db, PGresult *r, int row, int64_t now_ms, db_error_t *error)
{
    char now[24];
    snprintf(now, sizeof now, "%lld", (long long) now_ms);
    const char *params[] = {PQgetvalue(r, row, 0), now};
    if (db_exec_ok(db, "UPDATE report_deadlines SET warned_at = to_timestamp($2::bigint / 1000.0) WHERE id = $1",
                   2, params, error) != 0)
        return -1;
    return append_clock_event(db, EVENT_CLOSING_SOON, r, row, now_ms, error);
}

typedef int (clock_handler_fn)(db_t *db, PGresult *r, int row, int64_t now_ms, db_error_t *error);

/* SKIP LOCKED: replicas sweeping at once take different clocks, and a report being changed by a
 * command right now is simply looked at on the next sweep. Each walks its partial index
 * (report_deadlines_due, report_deadlines_warn) from the earliest time and stops at $2. */
#define SWEEP_SQL(due_condition) \
    "SELECT d.id, d.report_id, d.kind, r.tracking_id, (extract(epoch FROM d.due_at) * 1000)::bigint, " \
    "r.status, d.institution_code FROM report_deadlines d JOIN reports r ON r.id = d.report_id " \
    "WHERE d.ended_at IS NULL AND " due_condition " <= to_timestamp($1::bigint / 1000.0) " \
    "ORDER BY d.due_at LIMIT $2::int FOR UPDATE OF d, r SKIP LOCKED"

const char lifecycle_store_overdue_sql[] = SWEEP_SQL("d.missed_at IS NULL AND d.due_at");
const char lifecycle_store_warning_sql[] = SWEEP_SQL("d.warned_at IS NULL AND d.warn_at");

static int sweep_clocks(db_t *db, const char *sql, clock_handler_fn *handle, int64_t now_ms, int max,
                        db_error_t *error)
{
    char now[24], limit[16];
    snprintf(now, sizeof now, "%lld", (long long) now_ms);
    snprintf(limit, sizeof limit, "%d", max);
    const char *params[] = {now, limit};
    PGresult *r = db_exec(db, sql, 2, params, error);
    if (!r)
        return -1;
    int rows = PQntuples(r);
    for (int i = 0; i < rows; i++)
        if (handle(db, r, i, now_ms, error) != 0) {
            PQclear(r);
            return -1;
        }
    PQclear(r);
    return rows;
}

int lifecycle_store_sweep(db_t *db, int64_t now_ms, int max, db_error_t *error)
{
    int overdue = sweep_clocks(db, lifecycle_store_overdue_sql, handle_overdue, now_ms, max, error);
    if (overdue < 0 || overdue == max)
        return overdue;
    int warned = sweep_clocks(db, lifecycle_store_warning_sql, handle_warning, now_ms, max - overdue, error);
    return warned < 0 ? -1 : overdue + warned;
}
