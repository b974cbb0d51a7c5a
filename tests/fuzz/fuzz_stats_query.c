/* libFuzzer target: the decoders of aduan-stats' query server (stats_query_codec.h) on the same
 * bytes. A decoder may refuse the input, never crash, leak or read outside it (ASan/UBSan); what
 * one accepts, its encoder writes again and the decoder accepts again. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "stats_query_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A query the decoder accepted survives encoding and decoding again. */
static void query_again(const stats_query_t *query)
{
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[256];
    stats_query_t again;
    if (stats_query_encode(query, &bytes, &size) != 0
        || stats_query_decode(bytes, size, &again, reason, sizeof reason) != 0)
        abort();
    stats_query_clear(&again);
    free(bytes);
}

static void answer_again(const survey_answer_t *answer)
{
    unsigned char *bytes = NULL;
    size_t size = 0;
    char reason[256];
    survey_answer_t again;
    if (survey_answer_encode(answer, &bytes, &size) != 0
        || survey_answer_decode(bytes, size, &again, reason, sizeof reason) != 0)
        abort();
    survey_answer_clear(&again);
    free(bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char reason[256];
    stats_query_t query;
    if (stats_query_decode(data, size, &query, reason, sizeof reason) == 0) {
        query_again(&query);
        stats_query_clear(&query);
    }
    stats_document_t document;
    if (stats_document_decode(data, size, &document, reason, sizeof reason) == 0)
        stats_document_clear(&document);
    survey_answer_t answer;
    if (survey_answer_decode(data, size, &answer, reason, sizeof reason) == 0) {
        answer_again(&answer);
        survey_answer_clear(&answer);
    }
    survey_codes_t codes;
    if (survey_codes_decode(data, size, &codes, reason, sizeof reason) == 0)
        survey_codes_clear(&codes);
    survey_recorded_t recorded;
    if (survey_recorded_decode(data, size, &recorded, reason, sizeof reason) == 0)
        survey_recorded_clear(&recorded);
    return 0;
}
