#include "submission_keys.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_array.h"

/* The locks of every key, in order; a key held by another transaction is IN_FLIGHT. */
static void read_locks(submission_claim_t *claims, size_t count, const PGresult *r)
{
    for (int i = 0; i < PQntuples(r) && (size_t) i < count; i++)
        claims[i].state = PQgetvalue(r, i, 1)[0] == 't' ? SUBMISSION_KEY_NEW : SUBMISSION_KEY_IN_FLIGHT;
}

static int take_sealed(submission_claim_t *claim, const char *hex, db_error_t *error)
{
    size_t capacity = strlen(hex) / 2;
    claim->sealed = malloc(capacity ? capacity : 1);
    if (claim->sealed && sodium_hex2bin(claim->sealed, capacity, hex, strlen(hex), NULL, &claim->sealed_size, NULL) == 0)
        return 0;
    free(claim->sealed);
    claim->sealed = NULL;
    snprintf(error->message, sizeof error->message, "stored answer of key is unreadable");
    return -1;
}

/* A stored row for a key this transaction holds: the same request (REPLAY) or another (MISMATCH). */
static int apply_row(submission_claim_t *claims, size_t count, const PGresult *r, int row, db_error_t *error)
{
    for (size_t i = 0; i < count; i++) {
        submission_claim_t *claim = &claims[i];
        if (claim->state != SUBMISSION_KEY_NEW || strcmp(claim->key_hash, PQgetvalue(r, row, 0)) != 0)
            continue;
        claim->state = strcmp(PQgetvalue(r, row, 1), claim->fingerprint) == 0 ? SUBMISSION_KEY_REPLAY
                                                                                 : SUBMISSION_KEY_MISMATCH;
        if (claim->state == SUBMISSION_KEY_REPLAY && take_sealed(claim, PQgetvalue(r, row, 2), error) != 0)
            return -1;
    }
    return 0;
}

int submission_keys_claim_query(const submission_claim_t *claims, size_t count, submission_keys_query_t *query,
                                db_statement_t *statements)
{
    db_array_t keys = {0};
    for (size_t i = 0; i < count; i++)
        db_array_add(&keys, claims[i].key_hash);
    query->hashes = db_array_take(&keys);
    query->params[0] = query->hashes;
    statements[0] = (db_statement_t) {"SELECT n, pg_try_advisory_xact_lock(hashtextextended(k, 0)) "
                                      "FROM unnest($1::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n",
                                      1, query->params};
    statements[1] = (db_statement_t) {"SELECT key_hash, fingerprint, encode(sealed_response, 'hex') "
                                      "FROM submission_keys WHERE key_hash = ANY($1::text[])",
                                      1, query->params};
    return query->hashes ? 0 : -1;
}

int submission_keys_claim_read(submission_claim_t *claims, size_t count, PGresult *const *answers,
                               db_error_t *error)
{
    for (size_t i = 0; i < count; i++)
        claims[i].sealed = NULL;
    read_locks(claims, count, answers[0]);
    int rc = 0;
    for (int row = 0; row < PQntuples(answers[1]) && rc == 0; row++)
        rc = apply_row(claims, count, answers[1], row, error);
    return rc;
}

void submission_keys_query_clear(submission_keys_query_t *query)
{
    free(query->hashes);
    query->hashes = NULL;
}

int submission_keys_record(db_t *db, const submission_record_t *records, size_t count, db_error_t *error)
{
    db_array_t columns[4];
    memset(columns, 0, sizeof columns);
    for (size_t i = 0; i < count; i++) {
        size_t hex_size = records[i].sealed_size * 2 + 1;
        char *hex = malloc(hex_size);
        if (hex)
            sodium_bin2hex(hex, hex_size, records[i].sealed, records[i].sealed_size);
        else
            columns[3].text.failed = true;
        db_array_add(&columns[0], records[i].key_hash);
        db_array_add(&columns[1], records[i].fingerprint);
        db_array_add_int(&columns[2], records[i].report_id);
        db_array_add(&columns[3], hex);
        free(hex);
    }
    char *owned[4];
    const char *params[4];
    bool complete = db_array_take_columns(columns, 4, owned, params);
    int rc = complete ? db_exec_ok(db, "INSERT INTO submission_keys (key_hash, fingerprint, report_id, sealed_response) "
                                       "SELECT k, f, r::bigint, decode(s, 'hex') "
                                       "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(k, f, r, s)",
                                   4, params, error)
                      : -1;
    for (int c = 0; c < 4; c++)
        free(owned[c]);
    return rc;
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
