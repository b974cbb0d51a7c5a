#ifndef ADUAN_MIGRATE_H
#define ADUAN_MIGRATE_H
#include <stddef.h>
#include "db.h"
#include "embedded_file.h"

/* Numbered schema migrations (db/migrations/NNNN_name.sql, compiled in) applied once each, in
 * order, at start-up, under a PostgreSQL advisory lock so that replicas starting together do not
 * race. Each migration runs in its own transaction together with its row in schema_migrations
 * (version, name, sha256, applied_at). An applied migration whose text changed is an error: history
 * is never rewritten. Seeds (db/seed/NNNN_name.sql) are idempotent data scripts applied after migrations;
 * they may be loaded any number of times without creating duplicates. */
extern const embedded_file_t aduan_migrations[];
extern const size_t aduan_migrations_count;
extern const embedded_file_t aduan_seeds[];
extern const size_t aduan_seeds_count;

int migrate_apply(db_t *db, const embedded_file_t *migrations, size_t count, db_error_t *error);
int migrate_seed(db_t *db, const embedded_file_t *seeds, size_t count, db_error_t *error);

#endif
