#ifndef ADUAN_INTAKE_SUBMISSION_KEYS_H
#define ADUAN_INTAKE_SUBMISSION_KEYS_H
#include <stddef.h>
#include <stdint.h>
#include "db.h"

/* All SQL on submission_keys: the idempotency records of report.submit (the first answer given
 * for a key, replayed for identical retries). Rows are found by the key's keyed hash and hold the
 * answer only sealed (submission_seal.h): nothing here sees the key or the answer in clear. */
typedef enum {
    SUBMISSION_KEY_NEW,        /* never seen: go ahead, then record the answer */
    SUBMISSION_KEY_REPLAY,     /* seen with the same fingerprint: *response is the stored answer */
    SUBMISSION_KEY_MISMATCH,   /* seen with another fingerprint */
    SUBMISSION_KEY_IN_FLIGHT,  /* another transaction is handling this key right now */
} submission_key_state_t;

/* One key of a batch: the key's hash and the request's fingerprint go in; the key's state comes
 * out, and for REPLAY the stored answer, sealed (malloc'd: the caller frees `sealed`). */
typedef struct {
    const char *key_hash;
    const char *fingerprint;
    submission_key_state_t state;
    unsigned char *sealed;
    size_t sealed_size;
} submission_claim_t;

/* Inside a transaction, in two statements for the whole batch, sent with the batch's other reads
 * (db_exec_all): every key's transaction-scoped advisory lock taken without waiting (a key held
 * elsewhere is IN_FLIGHT), then the keys it holds looked up, in a statement whose snapshot follows
 * the locks. submission_keys_claim_query fills statements[0..1]; the key list they name is owned by
 * *query until submission_keys_query_clear. submission_keys_claim_read takes their two answers. A
 * key twice in one batch is NEW both times here: the caller answers the second from the first. */
#define SUBMISSION_KEYS_CLAIM_STATEMENTS 2
typedef struct {
    char *hashes;
    const char *params[1];
} submission_keys_query_t;
int submission_keys_claim_query(const submission_claim_t *claims, size_t count, submission_keys_query_t *query,
                                db_statement_t *statements);
int submission_keys_claim_read(submission_claim_t *claims, size_t count, PGresult *const *answers,
                               db_error_t *error);
void submission_keys_query_clear(submission_keys_query_t *query);

/* The answers of a batch, in one statement. */
typedef struct {
    const char *key_hash;
    const char *fingerprint;
    int64_t report_id;
    const unsigned char *sealed;
    size_t sealed_size;
} submission_record_t;
int submission_keys_record(db_t *db, const submission_record_t *records, size_t count, db_error_t *error);

/* The tracking id of the report a key created, into *tracking_id (malloc'd; NULL when the key is
 * unknown or expired): what an Open311 token (a key's name) stands for. 0, or -1. */
int submission_keys_tracking_id(db_t *db, const char *key_hash, char **tracking_id, db_error_t *error);

/* Removes records older than ttl_hours; returns how many, or -1. */
long submission_keys_purge(db_t *db, long ttl_hours, db_error_t *error);

#endif
