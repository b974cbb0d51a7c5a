#ifndef ADUAN_INTAKE_SUBMISSION_SEAL_H
#define ADUAN_INTAKE_SUBMISSION_SEAL_H
#include <stddef.h>

#include "secret_setting.h"

/* What makes a submission_keys row useless to whoever reads the table without the Idempotency-Key:
 * everything is derived from the key and the server secret (ADUAN_IDEMPOTENCY_SECRET), so the row
 * holds a keyed hash of the key (to find it again), a keyed fingerprint of the request (so a
 * public body cannot be confirmed by hashing guesses) and the answer, reporter token included,
 * sealed with crypto_secretbox. Only a retry carrying the same key opens it. */
#define SUBMISSION_SEAL_HEX_LEN 64

typedef struct {
    char lookup[SUBMISSION_SEAL_HEX_LEN + 1];            /* the row's key_hash */
    unsigned char fingerprint_key[32];
    unsigned char box_key[32];
} submission_seal_t;

/* 0, or -1 when libsodium cannot start or refuses. */
int submission_seal_derive(const unsigned char secret[SECRET_SETTING_BYTES], const char *idempotency_key,
                           submission_seal_t *seal);
/* Forgets the derived keys. */
void submission_seal_wipe(submission_seal_t *seal);

/* 0, or -1 when libsodium refuses. */
int submission_seal_fingerprint(const submission_seal_t *seal, const unsigned char *request, size_t size,
                                char out[SUBMISSION_SEAL_HEX_LEN + 1]);
/* nonce || secretbox(answer); *sealed malloc'd. 0, or -1 (out of memory). */
int submission_seal_close(const submission_seal_t *seal, const unsigned char *answer, size_t size,
                          unsigned char **sealed, size_t *sealed_size);
/* The answer, malloc'd; -1 when the bytes were not sealed under this key (or out of memory). */
int submission_seal_open(const submission_seal_t *seal, const unsigned char *sealed, size_t size,
                         unsigned char **answer, size_t *answer_size);

#endif
