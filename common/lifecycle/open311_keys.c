#include "open311_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int open311_keys_issue(db_t *db, const open311_app_spec_t *spec, char key[SECRET_TOKEN_LEN + 1], const char **why,
                       db_error_t *error)
{
    if (!report_open311_app_valid(spec->name)) {
        *why = "name must be 1 to 24 of a-z, 0-9, _ and -, starting with a letter or digit";
        return 1;
    }
    char hash[SECRET_TOKEN_HASH_HEX_LEN + 1];
    if (secret_token_generate(key) != 0) {
        snprintf(error->message, sizeof error->message, "no randomness for a key");
        return -1;
    }
    secret_token_hash_hex(key, hash);
    const char *params[] = {spec->name, hash, spec->region, spec->answer_token ? "true" : "false"};
    /* the gateway may not read regions: the foreign key tells an unknown one */
    PGresult *r = db_exec(db, "INSERT INTO open311_keys (name, key_hash, region_code, answer_token) "
                              "VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING RETURNING id", 4, params, error);
    if (!r && strcmp(error->sqlstate, "23503") == 0) {
        *why = "the region is unknown";
        return 1;
    }
    if (!r)
        return -1;
    int rows = PQntuples(r);
    PQclear(r);
    if (rows == 1)
        return 0;
    *why = "the name is taken (names are never reused)";
    return 1;
}

int open311_keys_revoke(db_t *db, const char *name, db_error_t *error)
{
    const char *params[] = {name};
    PGresult *r = db_exec(db, "UPDATE open311_keys SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL",
                          1, params, error);
    if (!r)
        return -1;
    int changed = atoi(PQcmdTuples(r));
    PQclear(r);
    return changed == 1 ? 0 : 1;
}

int open311_keys_find(db_t *db, const char *key, open311_app_t *app, db_error_t *error)
{
    char hash[SECRET_TOKEN_HASH_HEX_LEN + 1];
    secret_token_hash_hex(key, hash);
    const char *params[] = {hash};
    PGresult *r = db_exec(db, "SELECT id, name, region_code, answer_token FROM open311_keys "
                              "WHERE key_hash = $1 AND revoked_at IS NULL", 1, params, error);
    if (!r)
        return -1;
    int found = PQntuples(r) == 1;
    if (found) {
        memset(app, 0, sizeof *app);
        app->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        snprintf(app->name, sizeof app->name, "%s", PQgetvalue(r, 0, 1));
        snprintf(app->region, sizeof app->region, "%s", PQgetvalue(r, 0, 2));
        app->answer_token = PQgetvalue(r, 0, 3)[0] == 't';
    }
    PQclear(r);
    return found ? 0 : 1;
}

int open311_keys_list(db_t *db, char **json, db_error_t *error)
{
    return db_query_value(db,
        "SELECT json_build_object('items', coalesce(json_agg(json_build_object('name', name, "
        "  'channel', '" REPORT_OPEN311_CHANNEL_PREFIX "' || name, 'region', region_code, 'answer_token', answer_token, "
        "  'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        "  'revoked_at', to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) ORDER BY id), '[]')) "
        "FROM open311_keys", 0, NULL, json, error);
}
