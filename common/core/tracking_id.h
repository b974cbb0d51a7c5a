#ifndef ADUAN_TRACKING_ID_H
#define ADUAN_TRACKING_ID_H

/* Tracking ids people read out over the phone: "K7M2-Q9XD-4HPA" — 11 random characters from
 * Crockford's base32 alphabet (55 bits from the CSPRNG, so unguessable) plus one check character
 * (Luhn mod 32: catches every single-character typo, and every swap of two neighbours except
 * 0 with Z), in three groups of four. */
#define TRACKING_ID_LEN 14

/* 0 on success. */
int tracking_id_generate(char out[TRACKING_ID_LEN + 1]);
/* Accepts what a person types (any case, with or without dashes, Crockford's aliases O→0, I/L→1,
 * surrounding spaces) and writes the canonical form; -1 when it is not a well-formed id with a
 * correct check character. */
int tracking_id_normalize(const char *input, char out[TRACKING_ID_LEN + 1]);

#endif
