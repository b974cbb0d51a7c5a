#ifndef ADUAN_SECRET_TOKEN_H
#define ADUAN_SECRET_TOKEN_H
#include <stdbool.h>

/* Bearer secrets (the reporter token; later staff session tokens): 32 random bytes shown once as
 * base64url, stored only as their SHA-256 (a fast hash is right for 256-bit random secrets;
 * passwords use argon2id elsewhere). */
#define SECRET_TOKEN_LEN 43
#define SECRET_TOKEN_HASH_HEX_LEN 64

int secret_token_generate(char out[SECRET_TOKEN_LEN + 1]);
void secret_token_hash_hex(const char *token, char out[SECRET_TOKEN_HASH_HEX_LEN + 1]);
/* Constant-time comparison of hash(token) with a stored hex hash. */
bool secret_token_matches(const char *token, const char *stored_hash_hex);

#endif
