#include "routing.h"

#include <string.h>

static const char choose_sql[] =
    "WITH RECURSIVE report AS ("
    "    SELECT target_institution, category_code, region_code FROM reports WHERE tracking_id = $1), "
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
    "UNION ALL (SELECT x.institution_code, 'rule', 2 FROM routing_rules x "
    "    JOIN institutions i ON i.code = x.institution_code AND i.active "
    "    LEFT JOIN categories_up c ON c.code = x.category_code LEFT JOIN regions_up g ON g.code = x.region_code "
    "    WHERE (x.category_code IS NULL OR c.code IS NOT NULL) AND (x.region_code IS NULL OR g.code IS NOT NULL) "
    "    ORDER BY COALESCE(c.rank, 0) DESC, COALESCE(g.depth, 1000) ASC, x.id LIMIT 1) "
    "UNION ALL (SELECT i.code, 'coordinator', 3 FROM regions_up g "
    "    JOIN institutions i ON i.region_code = g.code AND i.is_region_coordinator AND i.active "
    "    ORDER BY g.depth LIMIT 1) "
    "UNION ALL SELECT i.code, 'national', 4 FROM institutions i WHERE i.kind = 'national' AND i.active "
    "    AND EXISTS (SELECT 1 FROM report)"
    ") candidates ORDER BY rank LIMIT 1";

int routing_choose(db_t *db, const char *tracking_id, char **institution, const char **basis, db_error_t *error)
{
    *institution = NULL;
    *basis = NULL;
    const char *params[] = {tracking_id};
    PGresult *r = db_exec(db, choose_sql, 1, params, error);
    if (!r)
        return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return 1;
    }
    static const char *const bases[] = {"target", "rule", "coordinator", "national"};
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++)
        if (strcmp(PQgetvalue(r, 0, 1), bases[i]) == 0)
            *basis = bases[i];
    *institution = db_value_dup(r, 0, 0);
    PQclear(r);
    return *institution && *basis ? 0 : -1;
}
