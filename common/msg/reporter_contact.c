#include "reporter_contact.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define EMAIL_MAX 254

static int email_key(const char *typed, size_t n, char out[REPORTER_CONTACT_KEY_MAX + 1])
{
    const char *at = memchr(typed, '@', n);
    if (!at || at == typed || at == typed + n - 1 || memchr(at + 1, '@', n - (size_t) (at - typed) - 1) || n > EMAIL_MAX)
        return -1;
    size_t used = (size_t) snprintf(out, REPORTER_CONTACT_KEY_MAX + 1, "email:");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char) typed[i];
        if (ch <= ' ' || ch == 0x7f)
            return -1;
        out[used++] = (char) tolower(ch);
    }
    out[used] = '\0';
    return 0;
}

/* The digits of a number written with spaces, +, -, ( ); a leading 0 is the national prefix. */
static int phone_key(const char *typed, size_t n, char out[REPORTER_CONTACT_KEY_MAX + 1])
{
    char digits[32];
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (isdigit((unsigned char) typed[i])) {
            if (count + 2 >= sizeof digits)
                return -1;
            digits[count++] = typed[i];
        } else if (!strchr(" +-()", typed[i]))
            return -1;
    }
    digits[count] = '\0';
    const char *rest = digits[0] == '0' ? digits + 1 : digits;
    const char *country = digits[0] == '0' ? "62" : "";
    size_t total = strlen(country) + strlen(rest);
    if (total < 8 || total > 15)
        return -1;
    snprintf(out, REPORTER_CONTACT_KEY_MAX + 1, "phone:%s%s", country, rest);
    return 0;
}

int reporter_contact_key(const char *typed, char out[REPORTER_CONTACT_KEY_MAX + 1], contact_kind_t *kind)
{
    while (*typed == ' ' || *typed == '\t')
        typed++;
    size_t n = strlen(typed);
    while (n && (typed[n - 1] == ' ' || typed[n - 1] == '\t'))
        n--;
    if (n == 0)
        return -1;
    *kind = memchr(typed, '@', n) ? CONTACT_EMAIL : CONTACT_PHONE;
    return *kind == CONTACT_EMAIL ? email_key(typed, n, out) : phone_key(typed, n, out);
}

