#include "secret_token.h"

#include <sodium.h>
#include <string.h>

int secret_token_generate(char out[SECRET_TOKEN_LEN + 1])
{
    unsigned char bytes[32];
    if (sodium_init() < 0)
        return -1;
    randombytes_buf(bytes, sizeof bytes);
    sodium_bin2base64(out, SECRET_TOKEN_LEN + 1, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(bytes, sizeof bytes);
    return 0;
}

void secret_token_hash_hex(const char *token, char out[SECRET_TOKEN_HASH_HEX_LEN + 1])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *) token, strlen(token));
    sodium_bin2hex(out, SECRET_TOKEN_HASH_HEX_LEN + 1, digest, sizeof digest);
}

bool secret_token_matches(const char *token, const char *stored_hash_hex)
{
    if (!token || !stored_hash_hex || strlen(stored_hash_hex) != SECRET_TOKEN_HASH_HEX_LEN)
        return false;
    char computed[SECRET_TOKEN_HASH_HEX_LEN + 1];
    secret_token_hash_hex(token, computed);
    return sodium_memcmp(computed, stored_hash_hex, SECRET_TOKEN_HASH_HEX_LEN) == 0;
}
