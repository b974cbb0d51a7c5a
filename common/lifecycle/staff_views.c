#include "staff_views.h"

#include <stdbool.h>
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
 * answers it, where strpos(lower(...)) read every report), $11 an open clock past due,
 * $12 possible duplicates found by the pre-checks, $13 submitted at least that many days ago,
 * $15 assigned to the actor ($16, "my reports"). */
#define WITHIN(column, code) "(" code "::text IS NULL OR " column " = " code " OR starts_with(" column ", " code " || '.'))"
#define FILTERS_BUT_STATUS "($4::text IS NULL OR COALESCE(r.institution_code, r.target_institution) IN " SUBTREE("$4") ") " \
    "AND " WITHIN("r.category_code", "$8") " AND " WITHIN("r.region_code", "$9") " " \
    "AND ($10::text IS NULL OR r.tracking_id = upper($10) " \
    "     OR (r.title || ' ' || r.body) ILIKE '%' || replace(replace(replace($10, '\\', '\\\\'), '%', '\\%'), " \
    "                                                   '_', '\\_') || '%') " \
    "AND ($11::bool IS NULL OR $11::bool = EXISTS (SELECT 1 FROM report_deadlines d WHERE d.report_id = r.id " \
    "     AND d.ended_at IS NULL AND (d.missed_at IS NOT NULL OR d.due_at < now()))) " \
    "AND ($12::bool IS NULL OR $12::bool = EXISTS (SELECT 1 FROM report_prechecks p WHERE p.report_id = r.id " \
    "     AND cardinality(p.possible_duplicates) > 0)) " \
    "AND ($13::int IS NULL OR r.submitted_at <= now() - make_interval(days => $13::int)) " \
    "AND ($15::bool IS NULL OR $15::bool = (r.assignee IS NOT DISTINCT FROM $16))"
#define STATUS "($3::text IS NULL OR r.status = $3 OR s.public_status = $3)"
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

/* $14 the order: the nearest running deadline first unless newest, oldest or updated is asked. */
#define ORDER \
    "CASE WHEN $14 = 'newest' THEN r.submitted_at END DESC, CASE WHEN $14 = 'updated' THEN r.updated_at END DESC, " \
    "CASE WHEN $14 = 'oldest' THEN r.submitted_at END, next.due_at NULLS LAST, r.submitted_at, r.id"

/* The nearest running deadline of each report. Where the view or a filter narrows the selection
 * (the desk holds the backlog waiting for verification), each selected report's is looked up by
 * the index of open clocks: the cost follows what is selected. The console's list of every
 * report, unfiltered, selects all of them: one pass over the open clocks, grouped, costs less than
 * a lookup per report (100 000 lookups took 12 s at 100k reports on a loaded machine, the grouped
 * pass 3 s), but more than the lookups once a filter leaves a few thousand. */
#define NEXT_DUE_EACH "LEFT JOIN LATERAL (SELECT min(d.due_at) AS due_at FROM report_deadlines d " \
    "WHERE d.report_id = r.id AND d.ended_at IS NULL) next ON true "
#define NEXT_DUE_ALL "LEFT JOIN (SELECT d.report_id, min(d.due_at) AS due_at FROM report_deadlines d " \
    "WHERE d.ended_at IS NULL GROUP BY d.report_id) next ON next.report_id = r.id "

/* The page is chosen on ids first (ORDER BY ... LIMIT, a top-N sort) and only its rows are
 * rendered and numbered: numbering and counting inside the ordering query sorted every selected
 * report, and rendering there built every selected report's JSON (100 000 of them) to keep 50.
 * `counts` are the public buckets of every report the filters other than the status select, so
 * the desk can show what each bucket would hold; `total`, what all the filters select, is counted
 * in the same pass. */
#define LIST_SQL(next_due) \
    "WITH b AS (SELECT s.public_status, count(*) AS n, count(*) FILTER (WHERE " STATUS ") AS selected " \
    "           FROM reports r JOIN report_statuses s USING (status) " \
    "           WHERE " IN_SCOPE " AND " FILTERS_BUT_STATUS " AND " DESK_ONLY " GROUP BY s.public_status) " \
    "SELECT json_build_object(" \
    "  'items', COALESCE((SELECT json_agg(x.item ORDER BY x.n) FROM " \
    "     (SELECT json_build_object(" SUMMARY ") AS item, page.n " \
    "      FROM (SELECT p.id, row_number() OVER () AS n " \
    "            FROM (SELECT r.id FROM reports r JOIN report_statuses s USING (status) " next_due \
    "                  WHERE " IN_SCOPE " AND " FILTERS " AND " DESK_ONLY \
    "                  ORDER BY " ORDER " LIMIT $5::int OFFSET $6::int) p) page " \
    "      JOIN reports r ON r.id = page.id JOIN report_statuses s USING (status)) x), '[]'), " \
    "  'total', (SELECT COALESCE(sum(b.selected), 0) FROM b), 'limit', $5::int, 'offset', $6::int, " \
    "  'counts', (SELECT COALESCE(json_object_agg(b.public_status, b.n), '{}') FROM b))::text"

const char staff_views_list_each_sql[] = LIST_SQL(NEXT_DUE_EACH);
const char staff_views_list_all_sql[] = LIST_SQL(NEXT_DUE_ALL);

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

/* Whether anything but the order narrows the list of every report. */
static bool narrowed(const staff_query_t *q)
{
    return strcmp(q->view, "desk") == 0 || q->status || q->institution || q->category || q->region || q->text
           || q->overdue || q->duplicates || q->older_than_days || q->mine;
}

static int render_list(db_t *db, const staff_query_t *q, char **json, db_error_t *error)
{
    char limit[16], offset[16];
    snprintf(limit, sizeof limit, "%u", q->limit < 1 || q->limit > STAFF_QUERY_LIMIT_MAX ? 50 : q->limit);
    snprintf(offset, sizeof offset, "%u", q->offset);
    const char *params[] = {q->actor_role, q->actor_institution, q->status, q->institution, limit, offset, q->view,
                            q->category, q->region, q->text, q->overdue, q->duplicates, q->older_than_days,
                            q->sort ? q->sort : "due", q->mine, q->actor_id};
    const char *sql = narrowed(q) ? staff_views_list_each_sql : staff_views_list_all_sql;
    PGresult *r = db_exec(db, sql, 16, params, error);
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
