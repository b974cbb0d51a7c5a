#include "submission_seal.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* crypto_kdf subkey ids under one context: each derived key has one use only. */
#define KDF_CONTEXT "aduanidm"
enum { SUBKEY_LOOKUP = 1, SUBKEY_FINGERPRINT = 2, SUBKEY_BOX = 3 };

_Static_assert(sizeof ((submission_seal_t *) 0)->box_key == crypto_secretbox_KEYBYTES, "secretbox key size");
_Static_assert(SECRET_SETTING_BYTES == crypto_generichash_KEYBYTES, "the secret keys generichash");

int submission_seal_derive(const unsigned char secret[SECRET_SETTING_BYTES], const char *idempotency_key,
                           submission_seal_t *seal)
{
    unsigned char master[crypto_kdf_KEYBYTES], lookup[SUBMISSION_SEAL_HEX_LEN / 2];
    if (sodium_init() < 0)
        return -1;
    /* The key may be guessable; keyed by the server secret, a stolen table alone tests no guess. */
    bool failed = crypto_generichash(master, sizeof master, (const unsigned char *) idempotency_key,
                                     strlen(idempotency_key), secret, SECRET_SETTING_BYTES) != 0
                  || crypto_kdf_derive_from_key(lookup, sizeof lookup, SUBKEY_LOOKUP, KDF_CONTEXT, master) != 0
                  || crypto_kdf_derive_from_key(seal->fingerprint_key, sizeof seal->fingerprint_key,
                                                SUBKEY_FINGERPRINT, KDF_CONTEXT, master) != 0
                  || crypto_kdf_derive_from_key(seal->box_key, sizeof seal->box_key, SUBKEY_BOX, KDF_CONTEXT, master) != 0;
    sodium_bin2hex(seal->lookup, sizeof seal->lookup, lookup, sizeof lookup);
    sodium_memzero(master, sizeof master);
    return failed ? -1 : 0;
}

void submission_seal_wipe(submission_seal_t *seal)
{
    sodium_memzero(seal, sizeof *seal);
}

int submission_seal_fingerprint(const submission_seal_t *seal, const unsigned char *request, size_t size,
                                char out[SUBMISSION_SEAL_HEX_LEN + 1])
{
    unsigned char digest[SUBMISSION_SEAL_HEX_LEN / 2];
    if (crypto_generichash(digest, sizeof digest, request, size, seal->fingerprint_key,
                           sizeof seal->fingerprint_key) != 0)
        return -1;
    sodium_bin2hex(out, SUBMISSION_SEAL_HEX_LEN + 1, digest, sizeof digest);
    return 0;
}

int submission_seal_close(const submission_seal_t *seal, const unsigned char *answer, size_t size,
                          unsigned char **sealed, size_t *sealed_size)
{
    *sealed_size = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + size;
    if (!(*sealed = malloc(*sealed_size)))
        return -1;
    /* One row per key, each sealed once: a random nonce never repeats under a box key. */
    randombytes_buf(*sealed, crypto_secretbox_NONCEBYTES);
    if (crypto_secretbox_easy(*sealed + crypto_secretbox_NONCEBYTES, answer, size, *sealed, seal->box_key) == 0)
        return 0;
    free(*sealed);
    *sealed = NULL;
    return -1;
}

int submission_seal_open(const submission_seal_t *seal, const unsigned char *sealed, size_t size,
                         unsigned char **answer, size_t *answer_size)
{
    *answer = NULL;
    if (size < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return -1;
    *answer_size = size - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    if (!(*answer = malloc(*answer_size ? *answer_size : 1)))
        return -1;
    if (crypto_secretbox_open_easy(*answer, sealed + crypto_secretbox_NONCEBYTES, size - crypto_secretbox_NONCEBYTES,
                                   sealed, seal->box_key) == 0)
        return 0;
    free(*answer);
    *answer = NULL;
    return -1;
}
