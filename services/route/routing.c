#include "routing.h"

#include <string.h>

/* For each tracking id of $1, the choice for that report: a run's reports in one round trip.
 * A choice depends on the report's target, category and region only, so it is made once for each
 * such kind of report in the run (MATERIALIZED: joined to the reports, it was made for each again):
 * a surge's reports are mostly of a few kinds, and choosing for each of a hundred reports of one
 * kind was a sixth of route's database time in the drain benchmark.
 * Every table is probed by index (migration 0047), so a choice costs the same whatever the size of
 * the country's tree: the rules by each pair of the report's categories (its own, its group, any:
 * '') and regions (its own and those above it, any: ''), at most a few dozen probes (OFFSET 0:
 * joined to the pairs, PostgreSQL hashed every rule instead, since it expects hundreds of regions
 * above a report). Matching each rule against the report read every rule and every institution
 * for each report: 35 000 rows a report with 20 000 of each (tests/route/test_routing.c). The
 * run's reports are probed by their key (LATERAL, its LIMIT keeping the planner from making it a
 * join again): joined to the run's ids, the plan route's connection keeps (made while reports was
 * young) read the whole table at every run, as verify's and notify's did. */
static const char choose_sql[] =
    "WITH wanted AS MATERIALIZED (SELECT r.tracking_id, r.target_institution, r.category_code, r.region_code "
    "    FROM unnest($1::text[]) AS t(tracking_id) CROSS JOIN LATERAL (SELECT * FROM reports "
    "    WHERE tracking_id = t.tracking_id LIMIT 1) r), "
    "kinds AS MATERIALIZED (SELECT DISTINCT target_institution, category_code, region_code FROM wanted), "
    "choices AS MATERIALIZED (SELECT k.target_institution, k.category_code, k.region_code, c.code, c.basis "
    "FROM kinds k CROSS JOIN LATERAL ("
    "WITH RECURSIVE report AS (SELECT k.target_institution, k.category_code, k.region_code), "
    "categories_up (code, rank) AS ("
    "    SELECT c.code, 2 FROM categories c JOIN report r ON c.code = r.category_code "
    "    UNION ALL SELECT c.parent_code, 1 FROM categories c JOIN report r ON c.code = r.category_code "
    "              WHERE c.parent_code IS NOT NULL), "
    "regions_up (code, depth) AS ("
    "    SELECT g.code, 0 FROM regions g JOIN report r ON g.code = r.region_code "
    "    UNION ALL SELECT g.parent_code, u.depth + 1 FROM regions g JOIN regions_up u ON g.code = u.code "
    "              WHERE g.parent_code IS NOT NULL) "
    "SELECT code, basis FROM ("
    "SELECT t.code, 'target' AS basis, 1 AS rank FROM report r JOIN institutions t ON t.code = r.target_institution AND t.active "
    "UNION ALL (SELECT x.institution_code, 'rule', 2 "
    "    FROM (SELECT code, rank FROM categories_up UNION ALL SELECT '', 0) c "
    "    CROSS JOIN (SELECT code, depth FROM regions_up UNION ALL SELECT '', 1000) g "
    "    CROSS JOIN LATERAL (SELECT x.id, x.institution_code FROM routing_rules x "
    "        WHERE COALESCE(x.category_code, '') = c.code AND COALESCE(x.region_code, '') = g.code OFFSET 0) x "
    "    JOIN institutions i ON i.code = x.institution_code AND i.active "
    "    ORDER BY c.rank DESC, g.depth ASC, x.id LIMIT 1) "
    "UNION ALL (SELECT i.code, 'coordinator', 3 FROM regions_up g "
    "    JOIN institutions i ON i.region_code = g.code AND i.is_region_coordinator AND i.active "
    "    ORDER BY g.depth LIMIT 1) "
    "UNION ALL SELECT i.code, 'national', 4 FROM institutions i WHERE i.kind = 'national' AND i.active"
    ") candidates ORDER BY rank LIMIT 1) c) "
    "SELECT w.tracking_id, c.code, c.basis FROM wanted w JOIN choices c "
    "    ON c.target_institution IS NOT DISTINCT FROM w.target_institution "
    "    AND c.category_code = w.category_code AND c.region_code = w.region_code "
    "ORDER BY w.tracking_id COLLATE \"C\"";

int routing_run_choose(db_t *db, const char *tracking_ids, routing_run_t *run, db_error_t *error)
{
    const char *params[] = {tracking_ids};
    run->result = db_exec(db, choose_sql, 1, params, error);
    return run->result ? 0 : -1;
}

/* The first row whose tracking id is not below tracking_id: choose_sql sorts the rows in byte
 * order (COLLATE "C", strcmp's), so each report of a run is found in log2(run) comparisons; a scan
 * for each made a run of 1 000 cost half a million. */
static int first_row_from(const PGresult *result, const char *tracking_id)
{
    int low = 0, high = result ? PQntuples(result) : 0;
    while (low < high) {
        int middle = low + (high - low) / 2;
        if (strcmp(PQgetvalue(result, middle, 0), tracking_id) < 0)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

int routing_run_find(const routing_run_t *run, const char *tracking_id, const char **institution, const char **basis)
{
    static const char *const bases[] = {"target", "rule", "coordinator", "national"};
    int row = first_row_from(run->result, tracking_id);
    if (!run->result || row == PQntuples(run->result) || strcmp(PQgetvalue(run->result, row, 0), tracking_id) != 0)
        return 1;
    *institution = PQgetvalue(run->result, row, 1);
    *basis = NULL;
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++)
        if (strcmp(PQgetvalue(run->result, row, 2), bases[i]) == 0)
            *basis = bases[i];
    return *basis ? 0 : -1;
}

void routing_run_clear(routing_run_t *run)
{
    PQclear(run->result);
    run->result = NULL;
}
