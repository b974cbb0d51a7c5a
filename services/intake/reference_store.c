#include "reference_store.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *table;
    const char *sql;
} queries[] = {
    {"categories", "SELECT code, name, parent_code, CASE WHEN parent_code IS NULL THEN 'group' ELSE 'subcategory' END, "
                   "NULL FROM categories WHERE active ORDER BY code"},
    {"regions", "SELECT code, name, parent_code, kind, NULL FROM regions ORDER BY code"},
    {"institutions", "SELECT code, name, parent_code, kind, region_code FROM institutions WHERE active ORDER BY code"},
};

int reference_store_list(db_t *db, const char *table, reference_list_t *list, db_error_t *error)
{
    const char *sql = NULL;
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        if (strcmp(queries[i].table, table) == 0)
            sql = queries[i].sql;
    if (!sql)
        return 1;
    PGresult *r = db_exec(db, sql, 0, NULL, error);
    if (!r)
        return -1;
    int rows = PQntuples(r);
    memset(list, 0, sizeof *list);
    list->items = rows ? calloc((size_t) rows, sizeof *list->items) : NULL;
    for (int i = 0; i < rows && list->items; i++) {
        reference_entry_t *e = &list->items[i];
        e->code = db_value_dup(r, i, 0);
        e->name = db_value_dup(r, i, 1);
        e->parent_code = db_value_dup(r, i, 2);
        e->kind = db_value_dup(r, i, 3);
        e->region_code = db_value_dup(r, i, 4);
        list->count++;
    }
    PQclear(r);
    return rows && !list->items ? -1 : 0;
}
