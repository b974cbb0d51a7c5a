#ifndef ADUAN_MIGRATE_H
#define ADUAN_MIGRATE_H
#include <stdbool.h>
#include <stddef.h>
#include "db.h"
#include "embedded_file.h"

/* Numbered schema migrations (db/migrations/NNNN_name.sql, compiled in) applied once each, in
 * order, by `aduan-admin migrate` or at start-up by a service connected as the database owner,
 * under a PostgreSQL advisory lock so that replicas starting together do not race. Each migration runs in its own transaction together with its row in schema_migrations
 * (version, name, sha256, applied_at). An applied migration whose text changed is an error: history
 * is never rewritten. Seeds (db/seed/NNNN_name.sql) are idempotent data scripts applied after migrations;
 * they may be loaded any number of times without creating duplicates. */
extern const embedded_file_t aduan_migrations[];
extern const size_t aduan_migrations_count;
extern const embedded_file_t aduan_seeds[];
extern const size_t aduan_seeds_count;
/* db/grants.sql: the service roles and what each may do to which table (see the file). */
extern const embedded_file_t aduan_grants[];
extern const size_t aduan_grants_count;

int migrate_apply(db_t *db, const embedded_file_t *migrations, size_t count, db_error_t *error);
int migrate_seed(db_t *db, const embedded_file_t *seeds, size_t count, db_error_t *error);
/* Each grants file in one transaction, under the same lock; idempotent, run after every migrate. */
int migrate_grant(db_t *db, const embedded_file_t *grants, size_t count, db_error_t *error);

/* Migrations, seeds and grants with the lock held throughout, so that a service waiting for the
 * schema (migrate_schema_ready) never sees new tables before their grants. `aduan-admin migrate`. */
int migrate_all(db_t *db, db_error_t *error);

/* The highest version among `migrations`: the schema version a binary was built for. */
int migrate_latest_version(const embedded_file_t *migrations, size_t count);

/* Whether the connected role may create tables (owns the database or the schema): only such a
 * role applies migrations; a service role waits for them instead. */
int migrate_may_create(db_t *db, bool *may, db_error_t *error);

/* Whether the schema is at `version` or later, no migrate holds the lock, and the role may read
 * schema_migrations (so the grants are in place). 0 with *ready set, or -1 with the error. */
int migrate_schema_ready(db_t *db, int version, bool *ready, db_error_t *error);

#endif
