/* trigram_set against pg_trgm itself: for every pair of varied texts (Indonesian complaints,
 * punctuation, digits, case, letters beyond ASCII whose lower case changes their length, symbols,
 * marks) the score equals the server's similarity() to the bit, and every text has the trigrams
 * show_trgm() lists, those pg_trgm hashes (CRC-32) included. The server is the test cluster
 * (C.UTF-8, as aduan's clusters are). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db_array.h"
#include "test_db.h"
#include "trigram_set.h"

static const char *const texts[] = {
    "Jalan rusak berlubang di depan SDN 3, sudah 2 bulan tidak diperbaiki!",
    "jalan RUSAK berlubang depan sdn 3 sudah dua bulan tidak diperbaiki",
    "Banjir setinggi lutut di Jl. Merdeka No.12 sejak pagi; air tidak surut.",
    "Banjir setinggi lutut di jalan Merdeka sejak pagi, air tidak surut. Rumah 1204",
    "Pungutan liar (pungli) di kantor desa: Rp50.000 untuk surat pengantar.",
    "Lampu PJU mati total di RT 05/RW 02 — gelap & rawan begal...",
    "lampu-pju mati   total\tdi rt 5 rw 2\ngelap dan rawan",
    "Antrean puskesmas 3-4 jam; obat kosong (paracetamol, amoxicillin).",
    "Ekonomi, école, Ärger, straße, STRASSE, Øresund, façade",
    "ÉCOLE ärger STRAẞE øresund FAÇADE ekonomi",
    "İstanbul IĞDIR ıslak şehir çiğ",
    "istanbul ığdır islak sehir cig",
    "Ⱥ ⱥ Ⱦ ⱦ KELVIN K Ωmega ΩMEGA",
    "Жалоба на ДОРОГУ: яма глубиной 30 см",
    "жалоба на дорогу яма глубиной 30 см",
    "Ελληνικά ΚΕΙΜΕΝΟ κείμενο",
    "道路有坑 请修理 道路",
    "شارع مكسور ٣ أيام",
    "café cafe\xcc\x81 naïve nai\xcc\x88ve",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３ abc 123",
    "😀 banjir 🌧 lagi!!! #banjir @pemkot",
    "under_score snake_case x-y-z a.b.c",
    "aaaa aaa aa a",
    "a",
    "",
    "!!! ... --- ???",
    "12345 67890 2024-12-02 10:30",
    "Sampah menumpuk di pasar, bau limbah ke sungai tercemar; sampah sampah SAMPAH",
};
#define TEXT_COUNT (sizeof texts / sizeof texts[0])

static char *url;
static db_t *db;
static locale_t ctype;
static trigram_set_t *sets[TEXT_COUNT];

static int setup(void **state)
{
    (void) state;
    ctype = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0);
    if (ctype == (locale_t) 0 || !(db = test_db_open_migrated("trigram_set", &url)))
        return -1;
    for (size_t i = 0; i < TEXT_COUNT; i++)
        if (!(sets[i] = trigram_set_new(texts[i], strlen(texts[i]), ctype)))
            return -1;
    return 0;
}

static int teardown(void **state)
{
    (void) state;
    for (size_t i = 0; i < TEXT_COUNT; i++)
        trigram_set_destroy(&sets[i]);
    test_db_close(&db, &url);
    freelocale(ctype);
    return 0;
}

static PGresult *query_texts(const char *sql)
{
    db_array_t array = {0};
    for (size_t i = 0; i < TEXT_COUNT; i++)
        db_array_add(&array, texts[i]);
    char *literal = db_array_take(&array);
    const char *params[] = {literal};
    db_error_t error = {"", ""};
    PGresult *r = db_exec(db, sql, 1, params, &error);
    free(literal);
    if (!r)
        fail_msg("%s: %s", sql, error.message);
    return r;
}

/* One trigram of show_trgm(): three printable characters, or "0x" and six hexadecimal digits. */
static uint32_t value_of(const char *shown)
{
    if (strncmp(shown, "0x", 2) == 0 && strlen(shown) == 8)
        return (uint32_t) strtoul(shown + 2, NULL, 16);
    const unsigned char *b = (const unsigned char *) shown;
    return (uint32_t) b[0] << 16 | (uint32_t) b[1] << 8 | b[2];
}

static int by_value(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return (x > y) - (x < y);
}

/* Every trigram, the hashed ones (more than three bytes: letters beyond ASCII) included. */
static void test_every_text_has_the_trigrams_of_show_trgm(void **state)
{
    (void) state;
    PGresult *r = query_texts("SELECT a.i, t.g FROM unnest($1::text[]) WITH ORDINALITY AS a(t, i) "
                              "LEFT JOIN LATERAL unnest(show_trgm(a.t)) AS t(g) ON true ORDER BY a.i");
    uint32_t expected[TEXT_COUNT][256];
    size_t counts[TEXT_COUNT] = {0};
    for (int row = 0; row < PQntuples(r); row++) {
        size_t i = strtoul(PQgetvalue(r, row, 0), NULL, 10) - 1;
        if (!PQgetisnull(r, row, 1) && counts[i] < 256)
            expected[i][counts[i]++] = value_of(PQgetvalue(r, row, 1));
    }
    PQclear(r);
    int wrong = 0, hashed = 0;
    for (size_t i = 0; i < TEXT_COUNT; i++) {
        qsort(expected[i], counts[i], sizeof expected[i][0], by_value);
        const uint32_t *got = trigram_set_values(sets[i]);
        bool same = counts[i] == trigram_set_size(sets[i]);
        for (size_t k = 0; same && k < counts[i]; k++)
            same = expected[i][k] == got[k];
        for (size_t k = 0; k < counts[i]; k++)
            hashed += (expected[i][k] & 0x808080) != 0;
        if (!same) {
            print_error("\"%s\": pg_trgm %zu trigrams, trigram_set %zu, not the same\n", texts[i], counts[i],
                        trigram_set_size(sets[i]));
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
    assert_true(hashed >= 20);
}

/* Compared as floats: the server prints a real exactly (shortest round-trip digits). */
static void test_every_pair_scores_as_similarity_does(void **state)
{
    (void) state;
    PGresult *r = query_texts("SELECT a.i, b.i, similarity(a.t, b.t) FROM unnest($1::text[]) WITH ORDINALITY AS a(t, i), "
                              "unnest($1::text[]) WITH ORDINALITY AS b(t, i)");
    assert_int_equal(PQntuples(r), TEXT_COUNT * TEXT_COUNT);
    int wrong = 0, alike = 0;
    for (int row = 0; row < PQntuples(r); row++) {
        size_t a = strtoul(PQgetvalue(r, row, 0), NULL, 10) - 1, b = strtoul(PQgetvalue(r, row, 1), NULL, 10) - 1;
        float expected = strtof(PQgetvalue(r, row, 2), NULL), got = trigram_set_similarity(sets[a], sets[b]);
        if (expected != got) {
            print_error("\"%s\" ~ \"%s\": similarity() %.9g, trigram_set %.9g\n", texts[a], texts[b],
                        (double) expected, (double) got);
            wrong++;
        }
        alike += a != b && expected > 0.3f;
    }
    PQclear(r);
    assert_int_equal(wrong, 0);
    assert_true(alike >= 10);   /* the pairs meant to be alike are */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_text_has_the_trigrams_of_show_trgm),
        cmocka_unit_test(test_every_pair_scores_as_similarity_does),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
