#include "reporter_code.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

void reporter_code_generate(char out[REPORTER_CODE_DIGITS + 1])
{
    for (int i = 0; i < REPORTER_CODE_DIGITS; i++)
        out[i] = (char) ('0' + randombytes_uniform(10));
    out[REPORTER_CODE_DIGITS] = '\0';
}

bool reporter_code_well_formed(const char *typed)
{
    size_t n = strlen(typed);
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char) typed[i]))
            return false;
    return n == REPORTER_CODE_DIGITS;
}

void reporter_code_hash(const unsigned char secret[SECRET_SETTING_BYTES], const char *contact_key, const char *code,
                        char out[REPORTER_CODE_HASH_HEX_LEN + 1])
{
    /* A key of its own: the server secret also keys idempotency records, and the two must never
     * produce comparable values. */
    static const char purpose[] = "aduan reporter sign-in code";
    unsigned char key[crypto_auth_hmacsha256_KEYBYTES];
    crypto_auth_hmacsha256(key, (const unsigned char *) purpose, sizeof purpose - 1, secret);
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, key, sizeof key);
    crypto_auth_hmacsha256_update(&state, (const unsigned char *) contact_key, strlen(contact_key));
    crypto_auth_hmacsha256_update(&state, (const unsigned char *) "/", 1);
    crypto_auth_hmacsha256_update(&state, (const unsigned char *) code, strlen(code));
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_final(&state, mac);
    sodium_bin2hex(out, REPORTER_CODE_HASH_HEX_LEN + 1, mac, sizeof mac);
    sodium_memzero(key, sizeof key);
}

reporter_code_verdict_t reporter_code_judge(const reporter_code_try_t *state)
{
    if (state->expired || state->attempts >= REPORTER_CODE_MAX_ATTEMPTS)
        return CODE_DEAD;
    if (state->matches)
        return CODE_ACCEPTED;
    return state->attempts + 1 >= REPORTER_CODE_MAX_ATTEMPTS ? CODE_WRONG_LAST : CODE_WRONG;
}
