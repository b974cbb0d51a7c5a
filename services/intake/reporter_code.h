#ifndef ADUAN_INTAKE_REPORTER_CODE_H
#define ADUAN_INTAKE_REPORTER_CODE_H

#include <stdbool.h>
#include <stddef.h>

#include "reporter_contact.h"
#include "reporter_sign_in_codec.h"
#include "secret_setting.h"

/* The rules of "my reports" sign-in codes, without a database (docs/security.md, "My reports"):
 * what a contact is, what a code looks like, how it is stored, and when it is dead. */

#define REPORTER_CODE_DIGITS 8
#define REPORTER_CODE_MAX_ATTEMPTS 5
#define REPORTER_SESSION_TTL_SECONDS 1800
#define REPORTER_CODE_HASH_HEX_LEN 64
#define REPORTER_ADDRESS_MAX 254         /* a report's e-mail address or phone number */

/* A fresh code: REPORTER_CODE_DIGITS decimal digits, uniformly random. */
void reporter_code_generate(char out[REPORTER_CODE_DIGITS + 1]);

/* True when `typed` has the form of a code (the digits only; spaces are the caller's to strip). */
bool reporter_code_well_formed(const char *typed);

/* The stored form of a code: HMAC-SHA256 of "<contact key>/<code>" under a key derived from the
 * server secret, in hex. A code is bound to its contact: it opens no other. */
void reporter_code_hash(const unsigned char secret[SECRET_SETTING_BYTES], const char *contact_key, const char *code,
                        char out[REPORTER_CODE_HASH_HEX_LEN + 1]);

/* The state of the newest live code of a contact, and what a try with it does. */
typedef struct {
    bool expired;        /* expires_at has passed */
    int attempts;        /* wrong tries so far */
    bool matches;        /* the typed code is this one */
} reporter_code_try_t;

typedef enum {
    CODE_ACCEPTED,       /* sign in; the code dies (used) */
    CODE_WRONG,          /* refused; one more wrong try counted */
    CODE_WRONG_LAST,     /* refused; that was the last try: the code dies */
    CODE_DEAD,           /* refused; expired or out of tries, whatever was typed */
} reporter_code_verdict_t;

reporter_code_verdict_t reporter_code_judge(const reporter_code_try_t *state);

#endif
