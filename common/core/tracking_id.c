#include "tracking_id.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

#define ALPHABET "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#define BASE 32
#define PAYLOAD 11
#define SYMBOLS (PAYLOAD + 1)
_Static_assert(256 % BASE == 0, "a random byte maps evenly onto the alphabet");

/* Luhn mod N over symbol values, rightmost symbol first; `factor` is the first weight. */
static int luhn_sum(const int *values, int count, int factor)
{
    int sum = 0;
    for (int i = count - 1; i >= 0; i--) {
        int addend = factor * values[i];
        factor = factor == 2 ? 1 : 2;
        sum += addend / BASE + addend % BASE;
    }
    return sum % BASE;
}

static void format(const int *values, char out[TRACKING_ID_LEN + 1])
{
    int o = 0;
    for (int i = 0; i < SYMBOLS; i++) {
        if (i == 4 || i == 8)
            out[o++] = '-';
        out[o++] = ALPHABET[values[i]];
    }
    out[o] = '\0';
}

int tracking_id_generate(char out[TRACKING_ID_LEN + 1])
{
    if (sodium_init() < 0)
        return -1;
    /* One draw for the whole id: each draw is a system call, and a symbol at a time made eleven of
     * the fourteen intake made for every report. */
    unsigned char bytes[PAYLOAD];
    randombytes_buf(bytes, sizeof bytes);
    int values[SYMBOLS];
    for (int i = 0; i < PAYLOAD; i++)
        values[i] = bytes[i] % BASE;   /* uniform: 256 is a multiple of BASE */
    values[PAYLOAD] = (BASE - luhn_sum(values, PAYLOAD, 2)) % BASE;
    format(values, out);
    return 0;
}

/* Crockford's reading of one typed character, or -1. */
static int value_of(char c)
{
    c = (char) toupper((unsigned char) c);
    if (c == 'O')
        c = '0';
    else if (c == 'I' || c == 'L')
        c = '1';
    const char *at = c ? strchr(ALPHABET, c) : NULL;
    return at ? (int) (at - ALPHABET) : -1;
}

int tracking_id_normalize(const char *input, char out[TRACKING_ID_LEN + 1])
{
    int values[SYMBOLS], count = 0;
    if (!input)
        return -1;
    size_t n = strlen(input);
    while (n && isspace((unsigned char) input[n - 1]))
        n--;
    size_t i = 0;
    while (i < n && isspace((unsigned char) input[i]))
        i++;
    for (; i < n; i++) {
        if (input[i] == '-')
            continue;
        int v = value_of(input[i]);
        if (v < 0 || count == SYMBOLS)
            return -1;
        values[count++] = v;
    }
    if (count != SYMBOLS || luhn_sum(values, SYMBOLS, 1) != 0)
        return -1;
    format(values, out);
    return 0;
}
