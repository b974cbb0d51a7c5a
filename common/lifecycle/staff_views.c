#include "staff_views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_lifecycle.h"

/* The codes of an institution and every institution below it, found once per query: asking
 * institution_within() of every report walked the tree up 100 000 times. */
#define SUBTREE(root) "(WITH RECURSIVE down (c) AS (SELECT " root "::text UNION ALL " \
    "SELECT i.code FROM institutions i JOIN down ON i.parent_code = down.c) SELECT c FROM down)"

/* Scope: a national admin sees everything; other staff see reports held in their subtree, or,
 * before a report has a holder, addressed to it. $1 role, $2 institution. */
#define IN_SCOPE "($1 = 'national_admin' OR COALESCE(r.institution_code, r.target_institution) IN " SUBTREE("$2") ")"

/* Optional filters (NULL: not filtered), checked for form by the gateway: $3 a status or a public
 * bucket, $4 a holder subtree, $8 a category and its subcategories, $9 a region and the regions
 * inside it (codes are dotted paths), $10 a tracking id or words of the title or body (ILIKE
 * with % and _ escaped, so that a typed % or _ means itself; the trigram index of migration 0028
 * answers it, where strpos(lower(...)) read every report), $11 an open clock past due or missed
 * (kept on the report by migration 0031: asking the clocks of every selected report cost a lookup
 * each; spelt out per answer so that "true" is two index ranges, the due ones and the missed
 * ones, not a test of every report), $12 possible duplicates found by the pre-checks, $13
 * submitted at least that many days ago, $14 assigned to the actor ($15, "my reports"). */
/* Spelt out per answer, as $11 is: "true" is the ids of the pre-checks that found some, read
 * once from their partial index (a few thousand) and looked up by id, where `$12 = EXISTS (...)`
 * was a test of every selected report (a sublink under OR is never turned into a join). */
#define DUPLICATES_FOUND "(SELECT 1 FROM report_prechecks p WHERE p.report_id = r.id " \
    "AND cardinality(p.possible_duplicates) > 0)"
#define WITHIN(column, code) "(" code "::text IS NULL OR " column " = " code " OR starts_with(" column ", " code " || '.'))"
#define FILTERS_BUT_STATUS "($4::text IS NULL OR COALESCE(r.institution_code, r.target_institution) IN " SUBTREE("$4") ") " \
    "AND " WITHIN("r.category_code", "$8") " AND " WITHIN("r.region_code", "$9") " " \
    "AND ($10::text IS NULL OR r.tracking_id = upper($10) " \
    "     OR (r.title || ' ' || r.body) ILIKE '%' || replace(replace(replace($10, '\\', '\\\\'), '%', '\\%'), " \
    "                                                   '_', '\\_') || '%') " \
    "AND ($11::bool IS NULL OR ($11::bool AND (r.clock_missed OR r.next_due_at < now())) " \
    "     OR (NOT $11::bool AND NOT r.clock_missed AND (r.next_due_at IS NULL OR r.next_due_at >= now()))) " \
    "AND ($12::bool IS NULL OR ($12::bool AND r.id = ANY (ARRAY (SELECT p.report_id FROM report_prechecks p " \
    "                                                    WHERE cardinality(p.possible_duplicates) > 0))) " \
    "     OR (NOT $12::bool AND NOT EXISTS " DUPLICATES_FOUND ")) " \
    "AND ($13::int IS NULL OR r.submitted_at <= now() - make_interval(days => $13::int)) " \
    "AND ($14::bool IS NULL OR $14::bool = (r.assignee IS NOT DISTINCT FROM $15))"
/* A status, or the statuses of a public bucket: a filter on the report alone, so that the page can
 * be read off an index of reports without joining every selected row to its bucket. */
#define STATUS "($3::text IS NULL OR r.status = $3 " \
    "OR r.status IN (SELECT b.status FROM report_statuses b WHERE b.public_status = $3))"
#define FILTERS STATUS " AND " FILTERS_BUT_STATUS

/* $7 the view: the desk holds what waits for verification. */
#define DESK_ONLY "($7 = 'reports' OR r.status IN ('waiting_verification', 'postponed')) "

/* What every list shows of a report: enough to triage, with the running clocks and pre-checks.
 * Staff in scope see content (they must handle it); a reporter's identity never appears here. */
#define SUMMARY \
    "'tracking_id', r.tracking_id, 'title', r.title, 'classification', r.classification, " \
    "'field_supervision', r.field_supervision, 'category', r.category_code, 'region', r.region_code, " \
    "'status', r.status, 'public_status', s.public_status, 'target_institution', r.target_institution, " \
    "'institution', r.institution_code, 'assignee', r.assignee, 'anonymous', r.anonymous, 'confidential', r.confidential, " \
    "'channel', r.channel, 'submitted_at', iso_utc(r.submitted_at), 'updated_at', iso_utc(r.updated_at), " \
    "'deadlines', (SELECT COALESCE(json_agg(json_build_object('kind', d.kind, 'due_at', iso_utc(d.due_at), " \
    "    'missed', d.missed_at IS NOT NULL, 'institution', d.institution_code) ORDER BY d.due_at), '[]') " \
    "    FROM report_deadlines d WHERE d.report_id = r.id AND d.ended_at IS NULL), " \
    "'prechecks', (SELECT json_build_object('missing', p.missing, 'abuse_words', p.abuse_words, " \
    "    'possible_duplicates', p.possible_duplicates, 'checked_at', iso_utc(p.checked_at)) " \
    "    FROM report_prechecks p WHERE p.report_id = r.id)"

/* The orders `sort` offers, each exactly the key of an index of migration 0031 (or 0012's
 * reports_desk), so a page is the first rows of an index walk that pass the filters: the nearest
 * running deadline first (no clock last), newest or oldest by submission, the latest change first. */
#define ORDER_DUE "r.next_due_at, r.submitted_at, r.id"
#define ORDER_NEWEST "r.submitted_at DESC, r.id DESC"
#define ORDER_OLDEST "r.submitted_at, r.id"
#define ORDER_UPDATED "r.updated_at DESC, r.id DESC"

/* Counts stop at COUNT_CAP: past it a count says "more than COUNT_CAP" (as "1,000+" does in the
 * lists of mail and code hosts), so no count reads more than COUNT_CAP + 1 reports of a bucket.
 * Counting every selected report read up to 100 000 of them on every call; under the cap a count
 * is exact. */
#define COUNT_CAP "1000"
#define BOUNDED_COUNT(where) \
    "(SELECT count(*) FROM (SELECT 1 FROM reports r WHERE " where " LIMIT " COUNT_CAP " + 1) c)"

/* The statuses of each public bucket, as report_statuses maps them (migration 0004; the hot-path
 * test checks that they agree), written out so that the planner knows which statuses a bucket's
 * count reads: a join to report_statuses left it guessing, and it read every selected report
 * once for each bucket, the empty ones too. */
#define NOT_YET_VERIFIED "'postponed', 'waiting_verification'"
#define NOT_YET_FOLLOWED_UP "'dispatched', 'transferred', 'verified'"
#define IN_PROCESS "'in_process', 'reporter_replied'"
#define COMPLETED "'closed_by_admin', 'closed_by_system'"
#define ARCHIVED "'archived'"

const char staff_views_bucket_statuses[] =
    "archived: " ARCHIVED "; completed: " COMPLETED "; in_process: " IN_PROCESS "; not_yet_followed_up: "
    NOT_YET_FOLLOWED_UP "; not_yet_verified: " NOT_YET_VERIFIED;

/* The page is chosen on ids first (ORDER BY ... LIMIT) and only its rows are rendered and
 * numbered. `counts` are the public buckets of the reports the filters other than the status
 * select, so the desk can show what each bucket would hold; `total`, what all the filters select:
 * the sum of the buckets asked (none: every bucket) or, for a single status, a count of its own.
 * A bucket's reports are taken in the order of the status index so that they are read from it and
 * the read stops at the cap: unordered, the planner counted on a sequential read finding the cap
 * early and read all 100 000 reports for each bucket the filters leave (nearly) empty. */
/* The desk holds one bucket (DESK_ONLY's statuses are not_yet_verified's): said in a constant the
 * planner folds, the desk's other four counts read nothing (they looked up the duplicates' 5 000
 * ids each, or walked the status index). */
#define IN_VIEW(bucket) "($7 = 'reports' OR '" bucket "' = 'not_yet_verified')"
#define BUCKET_COUNT(bucket, statuses) \
    "SELECT '" bucket "'::text, " BOUNDED_COUNT(IN_VIEW(bucket) " AND " IN_SCOPE " AND " FILTERS_BUT_STATUS \
    " AND " DESK_ONLY " AND r.status IN (" statuses ") ORDER BY r.status")
#define LIST_SQL(order) \
    "WITH b (public_status, n) AS (" BUCKET_COUNT("not_yet_verified", NOT_YET_VERIFIED) " UNION ALL " \
    BUCKET_COUNT("not_yet_followed_up", NOT_YET_FOLLOWED_UP) " UNION ALL " BUCKET_COUNT("in_process", IN_PROCESS) \
    " UNION ALL " BUCKET_COUNT("completed", COMPLETED) " UNION ALL " BUCKET_COUNT("archived", ARCHIVED) "), " \
    "t AS (SELECT COALESCE((SELECT sum(b.n) FROM b WHERE $3::text IS NULL OR b.public_status = $3), " \
    "    " BOUNDED_COUNT(IN_SCOPE " AND " FILTERS " AND " DESK_ONLY) ") AS n) " \
    "SELECT json_build_object(" \
    "  'items', COALESCE((SELECT json_agg(x.item ORDER BY x.n) FROM " \
    "     (SELECT json_build_object(" SUMMARY ") AS item, page.n " \
    "      FROM (SELECT p.id, row_number() OVER () AS n " \
    "            FROM (SELECT r.id FROM reports r " \
    "                  WHERE " IN_SCOPE " AND " FILTERS " AND " DESK_ONLY \
    "                  ORDER BY " order " LIMIT $5::int OFFSET $6::int) p) page " \
    "      JOIN reports r ON r.id = page.id JOIN report_statuses s USING (status)) x), '[]'), " \
    "  'total', (SELECT least(t.n, " COUNT_CAP ") FROM t), 'total_capped', (SELECT t.n > " COUNT_CAP " FROM t), " \
    "  'count_cap', " COUNT_CAP ", 'limit', $5::int, 'offset', $6::int, " \
    "  'counts', (SELECT COALESCE(json_object_agg(b.public_status, least(b.n, " COUNT_CAP ")), '{}') " \
    "             FROM b WHERE b.n > 0), " \
    "  'counts_capped', (SELECT COALESCE(json_agg(b.public_status ORDER BY b.public_status), '[]') " \
    "                    FROM b WHERE b.n > " COUNT_CAP "))::text"

static const struct {
    const char *sort;
    const char *sql;
} list_statements[] = {
    {"due", LIST_SQL(ORDER_DUE)},
    {"newest", LIST_SQL(ORDER_NEWEST)},
    {"oldest", LIST_SQL(ORDER_OLDEST)},
    {"updated", LIST_SQL(ORDER_UPDATED)},
};

const char *staff_views_list_sql(const char *sort)
{
    for (size_t i = 0; i < sizeof list_statements / sizeof list_statements[0]; i++)
        if (sort && strcmp(sort, list_statements[i].sort) == 0)
            return list_statements[i].sql;
    return list_statements[0].sql;
}

const char staff_views_report_sql[] =
    "SELECT json_build_object(" SUMMARY ", "
    "  'body', r.body, 'incident_date', r.incident_date, 'address', r.address, 'lat', r.lat, 'lon', r.lon, "
    "  'reporter_name', CASE WHEN r.anonymous THEN NULL ELSE r.reporter_name END, "
    "  'duplicate_of', (SELECT o.tracking_id FROM reports o WHERE o.id = r.duplicate_of), "
    "  'duplicates', (SELECT COALESCE(json_agg(c.tracking_id ORDER BY c.id), '[]') FROM reports c "
    "                 WHERE c.duplicate_of = r.id), "
    "  'actions', (SELECT json_agg(json_build_object('at', iso_utc(a.at), 'action', a.action, "
    "      'actor_role', a.actor_role, 'actor_id', a.actor_id, 'status', a.status_after, 'note', a.note, "
    "      'reason_code', a.reason_code, 'institution', a.institution_code, 'attachment', a.attachment, 'internal', a.internal, " \
    "      'assignee', a.assignee) "
    "      ORDER BY a.id) FROM report_actions a WHERE a.report_id = r.id), "
    "  'clocks', (SELECT COALESCE(json_agg(json_build_object('kind', d.kind, 'institution', d.institution_code, "
    "      'started_at', iso_utc(d.started_at), 'due_at', iso_utc(d.due_at), 'ended_at', iso_utc(d.ended_at), "
    "      'outcome', d.outcome, 'missed_at', iso_utc(d.missed_at)) ORDER BY d.id), '[]') "
    "      FROM report_deadlines d WHERE d.report_id = r.id), "
    "  'deliveries', report_deliveries_json(r.id))::text, " IN_SCOPE " "
    "FROM reports r JOIN report_statuses s USING (status) WHERE r.tracking_id = $3";

static const char reasons_sql[] =
    "SELECT json_build_object('items', COALESCE(json_agg(json_build_object('action', action, 'code', code, "
    "'label', label, 'label_en', label_en) ORDER BY action, code), '[]'))::text FROM reason_codes WHERE active";

static int refuse(error_reply_t *refusal, const char *code, const char *detail)
{
    memset(refusal, 0, sizeof *refusal);
    snprintf(refusal->code, sizeof refusal->code, "%s", code);
    snprintf(refusal->detail, sizeof refusal->detail, "%s", detail);
    return 1;
}

static int render_list(db_t *db, const staff_query_t *q, char **json, db_error_t *error)
{
    char limit[16], offset[16];
    snprintf(limit, sizeof limit, "%u", q->limit < 1 || q->limit > STAFF_QUERY_LIMIT_MAX ? 50 : q->limit);
    snprintf(offset, sizeof offset, "%u", q->offset);
    const char *params[] = {q->actor_role, q->actor_institution, q->status, q->institution, limit, offset, q->view,
                            q->category, q->region, q->text, q->overdue, q->duplicates, q->older_than_days,
                            q->mine, q->actor_id};
    PGresult *r = db_exec(db, staff_views_list_sql(q->sort), 15, params, error);
    if (!r)
        return -1;
    *json = db_value_dup(r, 0, 0);
    PQclear(r);
    return *json ? 0 : -1;
}

static int render_reasons(db_t *db, char **json, db_error_t *error)
{
    PGresult *r = db_exec(db, reasons_sql, 0, NULL, error);
    if (!r)
        return -1;
    *json = db_value_dup(r, 0, 0);
    PQclear(r);
    return *json ? 0 : -1;
}

static int render_report(db_t *db, const staff_query_t *q, char **json, error_reply_t *refusal, db_error_t *error)
{
    const char *params[] = {q->actor_role, q->actor_institution, q->tracking_id};
    PGresult *r = db_exec(db, staff_views_report_sql, 3, params, error);
    if (!r)
        return -1;
    int rc = 0;
    if (PQntuples(r) != 1)
        rc = refuse(refusal, ERROR_NOT_FOUND, "no report has this tracking id");
    else if (PQgetvalue(r, 0, 1)[0] != 't')
        rc = refuse(refusal, ERROR_FORBIDDEN, "the report is outside your institution's subtree");
    else if (!(*json = db_value_dup(r, 0, 0)))
        rc = -1;
    PQclear(r);
    return rc;
}

int staff_views_render(db_t *db, const staff_query_t *q, char **json, error_reply_t *refusal, db_error_t *error)
{
    *json = NULL;
    unsigned role = lifecycle_role_bit(q->actor_role);
    if (!(role & ROLE_STAFF))
        return refuse(refusal, ERROR_FORBIDDEN, "staff only");
    if (strcmp(q->view, "desk") == 0)
        return role & (ROLE_ADMINS | ROLE_ANALYST) ? render_list(db, q, json, error)
                                                   : refuse(refusal, ERROR_FORBIDDEN, "the verification desk is for admins");
    if (strcmp(q->view, "reports") == 0)
        return render_list(db, q, json, error);
    if (strcmp(q->view, "reasons") == 0)
        return render_reasons(db, json, error);
    if (strcmp(q->view, "report") == 0 && q->tracking_id)
        return render_report(db, q, json, refusal, error);
    return refuse(refusal, ERROR_INVALID, "unknown view");
}
