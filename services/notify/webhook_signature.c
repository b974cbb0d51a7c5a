#include "webhook_signature.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

int webhook_signature(const char *secret, int64_t timestamp, const void *body, size_t body_size,
                      char out[WEBHOOK_SIGNATURE_SIZE])
{
    size_t secret_len = secret ? strlen(secret) : 0;
    if (secret_len < WEBHOOK_SECRET_MIN)
        return -1;
    char prefix[32];
    int prefix_len = snprintf(prefix, sizeof prefix, "%" PRId64 ".", timestamp);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    if (crypto_auth_hmacsha256_init(&state, (const unsigned char *) secret, secret_len) != 0
        || crypto_auth_hmacsha256_update(&state, (const unsigned char *) prefix, (unsigned long long) prefix_len) != 0
        || crypto_auth_hmacsha256_update(&state, body, body_size) != 0
        || crypto_auth_hmacsha256_final(&state, mac) != 0)
        return -1;
    memcpy(out, "v1=", 3);
    sodium_bin2hex(out + 3, WEBHOOK_SIGNATURE_SIZE - 3, mac, sizeof mac);
    return 0;
}
