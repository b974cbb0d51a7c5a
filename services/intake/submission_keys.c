#include "submission_keys.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int submission_keys_claim(db_t *db, const char *key_hash, const char *fingerprint, submission_key_state_t *state,
                          unsigned char **sealed, size_t *sealed_size, db_error_t *error)
{
    const char *params[] = {key_hash};
    PGresult *lock = db_exec(db, "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))", 1, params, error);
    if (!lock)
        return -1;
    bool acquired = PQgetvalue(lock, 0, 0)[0] == 't';
    PQclear(lock);
    if (!acquired) {
        *state = SUBMISSION_KEY_IN_FLIGHT;
        return 0;
    }
    PGresult *r = db_exec(db, "SELECT fingerprint, encode(sealed_response, 'hex') FROM submission_keys WHERE key_hash = $1",
                          1, params, error);
    if (!r)
        return -1;
    int rc = 0;
    if (PQntuples(r) == 0)
        *state = SUBMISSION_KEY_NEW;
    else if (strcmp(PQgetvalue(r, 0, 0), fingerprint) != 0)
        *state = SUBMISSION_KEY_MISMATCH;
    else {
        const char *hex = PQgetvalue(r, 0, 1);
        size_t capacity = strlen(hex) / 2;
        *state = SUBMISSION_KEY_REPLAY;
        *sealed = malloc(capacity ? capacity : 1);
        if (!*sealed || sodium_hex2bin(*sealed, capacity, hex, strlen(hex), NULL, sealed_size, NULL) != 0) {
            free(*sealed);
            *sealed = NULL;
            snprintf(error->message, sizeof error->message, "stored answer of key is unreadable");
            rc = -1;
        }
    }
    PQclear(r);
    return rc;
}

int submission_keys_record(db_t *db, const char *key_hash, const char *fingerprint, int64_t report_id,
                           const unsigned char *sealed, size_t sealed_size, db_error_t *error)
{
    size_t hex_size = sealed_size * 2 + 1;
    char *hex = malloc(hex_size), id[32];
    if (!hex)
        return -1;
    sodium_bin2hex(hex, hex_size, sealed, sealed_size);
    snprintf(id, sizeof id, "%lld", (long long) report_id);
    const char *params[] = {key_hash, fingerprint, id, hex};
    PGresult *r = db_exec(db, "INSERT INTO submission_keys (key_hash, fingerprint, report_id, sealed_response) "
                              "VALUES ($1, $2, $3, decode($4, 'hex'))", 4, params, error);
    free(hex);
    PQclear(r);
    return r ? 0 : -1;
}

int submission_keys_tracking_id(db_t *db, const char *key_hash, char **tracking_id, db_error_t *error)
{
    const char *params[] = {key_hash};
    return db_query_value(db, "SELECT r.tracking_id FROM submission_keys k JOIN reports r ON r.id = k.report_id "
                              "WHERE k.key_hash = $1", 1, params, tracking_id, error);
}

long submission_keys_purge(db_t *db, long ttl_hours, db_error_t *error)
{
    char hours[32];
    snprintf(hours, sizeof hours, "%ld", ttl_hours);
    const char *params[] = {hours};
    PGresult *r = db_exec(db, "DELETE FROM submission_keys WHERE created_at < now() - make_interval(hours => $1::int)",
                          1, params, error);
    if (!r)
        return -1;
    long removed = strtol(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return removed;
}
