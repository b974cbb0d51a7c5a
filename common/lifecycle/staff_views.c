#include "staff_views.h"

#include <ctype.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_lifecycle.h"
#include "stringify.h"

/* The codes of an institution and every institution below it, found once per query: asking
 * institution_within() of every report walked the tree up 100 000 times. */
#define SUBTREE(root) "(WITH RECURSIVE down (c) AS (SELECT " root "::text UNION ALL " \
    "SELECT i.code FROM institutions i JOIN down ON i.parent_code = down.c) SELECT c FROM down)"

/* Who must act on a report: its holder, or, before it has one, the institution it is addressed to.
 * Migration 0044 indexes it with the status. */
#define HOLDER "COALESCE(r.institution_code, r.target_institution)"

/* Scope: a national admin sees everything; other staff see reports whose holder is in their
 * subtree. $1 role, $2 the codes of that subtree. Given as values (staff_views_subtrees_sql, read
 * before the statement), the planner knows how many reports they hold and reads a unit's few
 * thousand from the holder's index; asked in a subquery, it guessed half the table and walked
 * the status or due index past every other institution's reports (a unit admin's word search read
 * its buckets whole: 250-410 ms at 100 000 reports, docs/performance.md). */
#define IN_SCOPE "($1 = 'national_admin' OR " HOLDER " = ANY ($2::text[]))"
/* The codes of the actor's subtree (NULL for a national admin) and of the holder filter's (NULL
 * when not filtered): $1 role, $2 the actor's institution, $3 the filter's institution. */
const char staff_views_subtrees_sql[] =
    "SELECT (SELECT array_agg(s.c)::text FROM " SUBTREE("$2") " s (c) WHERE $1 <> 'national_admin'), "
    "       (SELECT array_agg(f.c)::text FROM " SUBTREE("$3") " f (c) WHERE $3::text IS NOT NULL)";

/* Optional filters (NULL: not filtered), checked for form by the gateway: $3 a status or a public
 * bucket, $4 the codes of a holder subtree (given as $2 is), $8 a category and its subcategories,
 * $9 a region and the regions inside it (codes are dotted paths), $10 a tracking id or words of
 * the title or body (ILIKE with % and _ escaped, so that a typed % or _ means itself; WORDS says
 * where the matches come from, $18), $11 an open clock past due or missed
 * (kept on the report by migration 0031: asking the clocks of every selected report cost a lookup
 * each; spelt out per answer so that "true" is two index ranges, the due ones and the missed
 * ones, not a test of every report), $12 possible duplicates found by the pre-checks, $13
 * submitted at least that many days ago, $14 assigned to the actor ($15, "my reports"). */
/* Spelt out per answer, as $11 is: "true" is the ids of the pre-checks that found some, read
 * once from their partial index (a few thousand), where `$12 = EXISTS (...)` was a lookup for
 * every selected report (a sublink under OR is never turned into a join). The page and the
 * counts' selection look them up by id (`= ANY`: an index condition, as many reads as there are
 * duplicates); a bucket's count down the status index tests each entry against their hash (`IN`:
 * a hashed subplan read once), where `= ANY` looked all of them up again for every bucket. */
#define DUPLICATES_HASHED "r.id IN (SELECT p.report_id FROM report_prechecks p WHERE cardinality(p.possible_duplicates) > 0)"
#define DUPLICATES_BY_ID "r.id = ANY (ARRAY (SELECT p.report_id FROM report_prechecks p " \
    "WHERE cardinality(p.possible_duplicates) > 0))"
#define DUPLICATES_FOUND "(SELECT 1 FROM report_prechecks p WHERE p.report_id = r.id " \
    "AND cardinality(p.possible_duplicates) > 0)"
/* $10's words, where the reports' own text had a trigram index (0028) until the copy of migration
 * 0049 (verify writes each new report's text into report_search with its pre-checks, off intake's
 * path). The matches are read first, at most FEW + 1 of them (staff_views_word_matches_sql), and
 * given to the list as $18, so that the planner knows them (a constant array: their number, and a
 * hashed test): a word of at most FEW reports selects them by id, an index condition, where the
 * ids of an unknown array were taken for ten and a common word's thousands were read for a unit
 * that holds a few hundred; tested one by one against each report a walk read, such an array made
 * the search 4-17 times slower (docs/performance.md, branch `route2`). A commoner word is tested
 * on each report read, which stops at the page or a count's cap. The planner folds the CASE. */
#define WORDS_PATTERN(words) "'%' || replace(replace(replace(" words ", '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'"
#define WORDS "CASE WHEN cardinality($18::bigint[]) <= " FEW " THEN r.id = ANY ($18::bigint[]) " \
    "ELSE (r.title || ' ' || r.body) ILIKE " WORDS_PATTERN("$10") " END"
#define WITHIN(column, code) "(" code "::text IS NULL OR " column " = " code " OR starts_with(" column ", " code " || '.'))"
#define FILTERS_BUT_STATUS_WITH(duplicates) "($4::text[] IS NULL OR " HOLDER " = ANY ($4::text[])) " \
    "AND " WITHIN("r.category_code", "$8") " AND " WITHIN("r.region_code", "$9") " " \
    "AND ($10::text IS NULL OR r.tracking_id = upper($10) OR " WORDS ") " \
    "AND ($11::bool IS NULL OR ($11::bool AND (r.clock_missed OR " DUE_KEY " < now())) " \
    "     OR (NOT $11::bool AND NOT r.clock_missed AND " DUE_KEY " >= now())) " \
    "AND ($12::bool IS NULL OR ($12::bool AND " duplicates ") OR (NOT $12::bool AND NOT EXISTS " DUPLICATES_FOUND ")) " \
    "AND ($13::int IS NULL OR r.submitted_at <= now() - make_interval(days => $13::int)) " \
    "AND ($14::bool IS NULL OR ($14::bool AND r.assignee = $15) OR (NOT $14::bool AND r.assignee IS DISTINCT FROM $15))"
/* A status, or the statuses of a public bucket: a filter on the report alone, so that the page can
 * be read off an index of reports without joining every selected row to its bucket. */
#define STATUS "($3::text IS NULL OR r.status = $3 " \
    "OR r.status IN (SELECT b.status FROM report_statuses b WHERE b.public_status = $3))"
#define FILTERS STATUS " AND " FILTERS_BUT_STATUS_WITH(DUPLICATES_BY_ID)

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

/* The orders `sort` offers, each exactly the key of an index of migration 0038 (or 0031, or 0012's
 * reports_desk), so a page is the first rows of an index walk that pass the filters: the nearest
 * running deadline first (no clock last: 'infinity', so that the key has no NULL and a cursor is one
 * row comparison), newest or oldest by submission, the latest change first. */
#define DUE_KEY "COALESCE(r.next_due_at, timestamptz 'infinity')"
#define ORDER_DUE DUE_KEY ", r.submitted_at, r.id"
#define ORDER_NEWEST "r.submitted_at DESC, r.id DESC"
#define ORDER_OLDEST "r.submitted_at, r.id"
#define ORDER_UPDATED "r.updated_at DESC, r.id DESC"

/* Keyset paging: $16 the position after which a page starts, "<a>.<b>.<id>" (the keys of the order
 * in microseconds since the epoch, 'infinity' as INFINITE_US; b is a again for the orders of one
 * time), checked by staff_views_render against its check value; $17 what that value is made from
 * (the view, the order and the filters: a cursor of another list is refused). The position is one
 * row comparison with the order's index key, so the walk starts at the cursor (an index condition)
 * instead of reading and skipping the pages before it, as OFFSET does. */
#define INFINITE_US "9223372036854775807"
#define CURSOR_KEY(n) "split_part($16, '.', " #n ")::bigint"
#define KEY_TIME(n) "(CASE WHEN " CURSOR_KEY(n) " = " INFINITE_US " THEN timestamptz 'infinity' " \
    "ELSE timestamptz 'epoch' + " CURSOR_KEY(n) " * interval '1 microsecond' END)"
#define TIME_KEY(t) "(CASE WHEN isfinite(" t ") THEN (extract(epoch FROM " t ") * 1000000)::bigint " \
    "ELSE " INFINITE_US " END)::text"
#define AFTER(row, op, keys) "($16::text IS NULL OR (" row ") " op " (" keys ", " CURSOR_KEY(3) ")) "
#define AFTER_DUE AFTER(ORDER_DUE, ">", KEY_TIME(1) ", " KEY_TIME(2))
#define AFTER_NEWEST AFTER("r.submitted_at, r.id", "<", KEY_TIME(1))
#define AFTER_OLDEST AFTER("r.submitted_at, r.id", ">", KEY_TIME(1))
#define AFTER_UPDATED AFTER("r.updated_at, r.id", "<", KEY_TIME(1))
#define POSITION_DUE TIME_KEY(DUE_KEY) " || '.' || " TIME_KEY("r.submitted_at")
#define POSITION_SUBMITTED TIME_KEY("r.submitted_at") " || '.' || " TIME_KEY("r.submitted_at")
#define POSITION_UPDATED TIME_KEY("r.updated_at") " || '.' || " TIME_KEY("r.updated_at")
/* The cursor of the page's last report, when a report follows it (the page reads one more). */
#define NEXT_CURSOR(position) \
    "(SELECT c.position || '.' || left(encode(sha256(convert_to($17 || c.position, 'UTF8')), 'hex'), " \
    STRINGIFY(CURSOR_CHECK_LEN) ") FROM (SELECT " position " || '.' || r.id AS position FROM page JOIN reports r " \
    "ON r.id = page.id WHERE page.n = $5::int AND EXISTS (SELECT 1 FROM page f WHERE f.n > $5::int)) c)"
#define CURSOR_CHECK_LEN 16
/* The view, the order and the filters, each at most 200 bytes and mostly far less. */
#define STAFF_CURSOR_BASIS_MAX 1024

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
/* A selection of at most FEW reports (a tracking id, a narrow combination of filters) is counted
 * in one pass from the filters' own indexes (`few`, read first: a bound on it, not the planner's
 * guess, decides); only a larger one is counted bucket by bucket down the status index (0039's
 * index carries the filtered columns, so that walk reads no report), where a bucket that the
 * filters leave (nearly) empty was read whole, 25 000 entries each at 100 000 reports. FEW is the
 * counts' cap: a larger bound (5 000 was tried) made the first pass cost more than the walks it
 * saved for common filters (docs/performance.md). `chosen`: the report passes the status filter
 * too (for `total`); what it reads is in the status index (0039), so that it may be read from it
 * alone. The page of such a selection is its reports sorted (at most FEW lookups by id). Walking
 * an order's index to the page's first matches is quick when matches are common, and the planner
 * chose that walk by its guess of how common they are: a rare phrase that its sample happened to
 * hold looked like one report in a hundred, and the walk tested every report (103 022 rows,
 * test_hot_path_plans). Only a selection known to be larger than FEW is walked. */
#define FEW COUNT_CAP
const char staff_views_word_matches_sql[] =
    "SELECT report_search_matches(" WORDS_PATTERN("$1") ", " FEW " + 1)::text";
/* Without a filter but the status there is nothing to select first: the planner folds this, `few`
 * reads nothing and the page has only its walk to plan. */
#define FILTERED "($4::text[] IS NOT NULL OR $8::text IS NOT NULL OR $9::text IS NOT NULL OR $10::text IS NOT NULL " \
    "OR $11::bool IS NOT NULL OR $12::bool IS NOT NULL OR $13::int IS NOT NULL OR $14::bool IS NOT NULL)"
#define SELECTION \
    "few AS MATERIALIZED (SELECT r.id, r.status, " STATUS " AS chosen FROM reports r " \
    "    WHERE " FILTERED " AND " IN_SCOPE " AND " FILTERS_BUT_STATUS_WITH(DUPLICATES_BY_ID) " AND " DESK_ONLY \
    "    LIMIT " FEW " + 1), " \
    "small AS (SELECT " FILTERED " AND count(*) <= " FEW " AS yes FROM few), "
#define BUCKET_COUNT(bucket, statuses) \
    "SELECT '" bucket "'::text, CASE WHEN (SELECT yes FROM small) " \
    "    THEN (SELECT count(*) FROM few WHERE few.status IN (" statuses ")) " \
    "    ELSE " BOUNDED_COUNT(IN_VIEW(bucket) " AND " IN_SCOPE " AND " FILTERS_BUT_STATUS_WITH(DUPLICATES_HASHED) \
    " AND " DESK_ONLY " AND r.status IN (" statuses ") ORDER BY r.status") " END"
#define LIST_SQL(order, after, position) \
    "WITH " SELECTION "b (public_status, n) AS (" BUCKET_COUNT("not_yet_verified", NOT_YET_VERIFIED) " UNION ALL " \
    BUCKET_COUNT("not_yet_followed_up", NOT_YET_FOLLOWED_UP) " UNION ALL " BUCKET_COUNT("in_process", IN_PROCESS) \
    " UNION ALL " BUCKET_COUNT("completed", COMPLETED) " UNION ALL " BUCKET_COUNT("archived", ARCHIVED) "), " \
    "t AS (SELECT CASE WHEN (SELECT yes FROM small) THEN (SELECT count(*) FROM few WHERE few.chosen) " \
    "    ELSE COALESCE((SELECT sum(b.n) FROM b WHERE $3::text IS NULL OR b.public_status = $3), " \
    "    " BOUNDED_COUNT(IN_SCOPE " AND " FILTERS " AND " DESK_ONLY) ") END AS n), " \
    "page AS (SELECT p.id, row_number() OVER () AS n " \
    "    FROM ((SELECT r.id FROM few JOIN reports r USING (id) " \
    "           WHERE " FILTERED " AND (SELECT yes FROM small) AND few.chosen AND " after \
    "           ORDER BY " order " LIMIT $5::int + 1 OFFSET $6::int) " \
    "          UNION ALL " \
    "          (SELECT r.id FROM reports r " \
    "           WHERE (NOT " FILTERED " OR (SELECT NOT yes FROM small)) AND " IN_SCOPE " AND " FILTERS " AND " DESK_ONLY " AND " after \
    "           ORDER BY " order " LIMIT $5::int + 1 OFFSET $6::int)) p) " \
    "SELECT json_build_object(" \
    "  'items', COALESCE((SELECT json_agg(x.item ORDER BY x.n) FROM " \
    "     (SELECT json_build_object(" SUMMARY ") AS item, page.n " \
    "      FROM page JOIN reports r ON r.id = page.id JOIN report_statuses s USING (status) " \
    "      WHERE page.n <= $5::int) x), '[]'), " \
    "  'next', " NEXT_CURSOR(position) ", " \
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
    {"due", LIST_SQL(ORDER_DUE, AFTER_DUE, POSITION_DUE)},
    {"newest", LIST_SQL(ORDER_NEWEST, AFTER_NEWEST, POSITION_SUBMITTED)},
    {"oldest", LIST_SQL(ORDER_OLDEST, AFTER_OLDEST, POSITION_SUBMITTED)},
    {"updated", LIST_SQL(ORDER_UPDATED, AFTER_UPDATED, POSITION_UPDATED)},
};

/* The index of the statement for `sort`: due unless another order is named. */
static size_t list_statement(const char *sort)
{
    for (size_t i = 0; i < sizeof list_statements / sizeof list_statements[0]; i++)
        if (sort && strcmp(sort, list_statements[i].sort) == 0)
            return i;
    return 0;
}

const char *staff_views_list_sql(const char *sort)
{
    return list_statements[list_statement(sort)].sql;
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

/* What a cursor's check value is made from: the view, the order and every filter, each ended by a
 * unit separator (no filter holds one: the gateway's checks), so that a cursor fits one list only. */
static int cursor_basis(const staff_query_t *q, char *out, size_t cap)
{
    const char *parts[] = {q->view, list_statements[list_statement(q->sort)].sort, q->status, q->institution, q->category, q->region, q->text,
                           q->overdue, q->duplicates, q->older_than_days, q->mine};
    size_t used = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        int n = snprintf(out + used, cap - used, "%s\x1f", parts[i] ? parts[i] : "");
        if (n < 0 || (size_t) n >= cap - used)
            return -1;
        used += (size_t) n;
    }
    return 0;
}

/* The check digits of a cursor's position: the start of SHA-256(basis || position) in hex, as the
 * list's statement writes them (NEXT_CURSOR). Not a secret: it tells an edited or foreign cursor
 * from one this list gave; a forged one only moves where a page starts within the actor's scope. */
static void cursor_check(const char *basis, const char *position, size_t position_len, char *hex, size_t hex_cap)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    crypto_hash_sha256_update(&state, (const unsigned char *) basis, strlen(basis));
    crypto_hash_sha256_update(&state, (const unsigned char *) position, position_len);
    crypto_hash_sha256_final(&state, digest);
    sodium_bin2hex(hex, hex_cap, digest, (hex_cap - 1) / 2);
}

static bool is_number(const char *s, size_t len, bool may_be_negative)
{
    size_t i = may_be_negative && len > 1 && s[0] == '-' ? 1 : 0;
    if (len - i < 1 || len - i > 19)
        return false;
    for (; i < len; i++)
        if (!isdigit((unsigned char) s[i]))
            return false;
    return true;
}

/* A cursor is "<a>.<b>.<id>.<check>": times (microseconds, maybe before 1970), a report id, and
 * the check of the first three for this list. True when `after` is one this list gave. */
static bool cursor_is_ours(const char *after, const char *basis)
{
    const char *dot1 = strchr(after, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    const char *dot3 = dot2 ? strchr(dot2 + 1, '.') : NULL;
    if (!dot3 || !is_number(after, (size_t) (dot1 - after), true)
        || !is_number(dot1 + 1, (size_t) (dot2 - dot1 - 1), true) || !is_number(dot2 + 1, (size_t) (dot3 - dot2 - 1), false)
        || strlen(dot3 + 1) != CURSOR_CHECK_LEN)
        return false;
    char hex[CURSOR_CHECK_LEN + 1];
    cursor_check(basis, after, (size_t) (dot3 - after), hex, sizeof hex);
    return sodium_memcmp(hex, dot3 + 1, CURSOR_CHECK_LEN) == 0;
}

/* The codes of the actor's subtree and of the holder filter's, as staff_views_subtrees_sql answers,
 * each malloc'd or NULL. 0, or -1 with the error. */
static int read_subtrees(db_t *db, const staff_query_t *q, char **scope, char **holders, db_error_t *error)
{
    const char *params[] = {q->actor_role, q->actor_institution, q->institution};
    PGresult *r = db_exec(db, staff_views_subtrees_sql, 3, params, error);
    if (!r)
        return -1;
    *scope = db_value_dup(r, 0, 0);
    *holders = db_value_dup(r, 0, 1);
    PQclear(r);
    return 0;
}

/* The reports whose copied text holds the words of q->text, as staff_views_word_matches_sql answers
 * (malloc'd; NULL when the list is not searched). 0, or -1 with the error. */
static int read_word_matches(db_t *db, const staff_query_t *q, char **matches, db_error_t *error)
{
    *matches = NULL;
    if (!q->text)
        return 0;
    const char *params[] = {q->text};
    PGresult *r = db_exec(db, staff_views_word_matches_sql, 1, params, error);
    if (!r)
        return -1;
    *matches = db_value_dup(r, 0, 0);
    PQclear(r);
    return *matches ? 0 : -1;
}

static int render_list(db_t *db, const staff_query_t *q, const char *scope, const char *holders, char **json,
                       error_reply_t *refusal, db_error_t *error)
{
    char limit[16], offset[16], basis[STAFF_CURSOR_BASIS_MAX], position[STAFF_CURSOR_MAX + 1] = "";
    snprintf(limit, sizeof limit, "%u", q->limit < 1 || q->limit > STAFF_QUERY_LIMIT_MAX ? 50 : q->limit);
    snprintf(offset, sizeof offset, "%u", q->offset);
    if (cursor_basis(q, basis, sizeof basis) != 0)
        return refuse(refusal, ERROR_INVALID, "the filters are too long");
    if (q->after && !cursor_is_ours(q->after, basis))
        return refuse(refusal, ERROR_INVALID, "after is not the next cursor of this list with these filters and sort");
    if (q->after)
        snprintf(position, sizeof position, "%.*s", (int) (strrchr(q->after, '.') - q->after), q->after);
    char *matches;
    if (read_word_matches(db, q, &matches, error) != 0)
        return -1;
    const char *params[] = {q->actor_role, scope, q->status, holders, limit, offset, q->view,
                            q->category, q->region, q->text, q->overdue, q->duplicates, q->older_than_days,
                            q->mine, q->actor_id, q->after ? position : NULL, basis, matches};
    PGresult *r = db_exec(db, staff_views_list_sql(q->sort), 18, params, error);
    free(matches);
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

static int render_report(db_t *db, const staff_query_t *q, const char *scope, char **json, error_reply_t *refusal,
                         db_error_t *error)
{
    const char *params[] = {q->actor_role, scope, q->tracking_id};
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

/* A view that reads reports, within the actor's scope. */
static int render_scoped(db_t *db, const staff_query_t *q, char **json, error_reply_t *refusal, db_error_t *error)
{
    char *scope = NULL, *holders = NULL;
    int rc = read_subtrees(db, q, &scope, &holders, error);
    if (rc == 0 && strcmp(q->view, "report") == 0)
        rc = render_report(db, q, scope, json, refusal, error);
    else if (rc == 0)
        rc = render_list(db, q, scope, holders, json, refusal, error);
    free(scope);
    free(holders);
    return rc;
}

int staff_views_render(db_t *db, const staff_query_t *q, char **json, error_reply_t *refusal, db_error_t *error)
{
    *json = NULL;
    unsigned role = lifecycle_role_bit(q->actor_role);
    if (!(role & ROLE_STAFF))
        return refuse(refusal, ERROR_FORBIDDEN, "staff only");
    if (strcmp(q->view, "desk") == 0)
        return role & (ROLE_ADMINS | ROLE_ANALYST) ? render_scoped(db, q, json, refusal, error)
                                                   : refuse(refusal, ERROR_FORBIDDEN, "the verification desk is for admins");
    if (strcmp(q->view, "reports") == 0 || (strcmp(q->view, "report") == 0 && q->tracking_id))
        return render_scoped(db, q, json, refusal, error);
    if (strcmp(q->view, "reasons") == 0)
        return render_reasons(db, json, error);
    return refuse(refusal, ERROR_INVALID, "unknown view");
}
