/* Security: an idempotency record opens only for who holds its Idempotency-Key. A reader of the
 * submission_keys table (a backup, a replica, a leaked dump) finds neither the key nor the reporter
 * token, and nothing derivable from the row alone opens the sealed answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "error_reply.h"
#include "intake_commands.h"
#include "msgpack_fields.h"
#include "report_codec.h"
#include "secret_token.h"
#include "submission_seal.h"
#include "test_db.h"

/* The key as a client sends it, and as intake receives it from the gateway (with its prefix). */
#define CLIENT_KEY "0f8fad5b-d9cb-469f-a165-70867728950e"
#define KEY "http:" CLIENT_KEY

static intake_t intake;
static char *url;

static int setup(void **state)
{
    (void) state;
    if (sodium_init() < 0 || !(intake.db = test_db_open_migrated("secrecy", &url))
        || !(intake.submissions = test_db_open(url)))
        return -1;
    randombytes_buf(intake.idempotency_secret, sizeof intake.idempotency_secret);
    return 0;
}

static int teardown(void **state)
{
    (void) state;
    db_destroy(&intake.submissions);
    test_db_close(&intake.db, &url);
    return 0;
}

static envelope_t *submit(const char *key)
{
    report_submission_t s = {.classification = "complaint", .title = "Lampu jalan mati",
                             .body = "Lampu jalan mati sejak seminggu di Batam Kota.", .category = "JALAN.PJU",
                             .region = "21.71", .reporter_email = "rudi@example.org", .channel = "web"};
    unsigned char *body;
    size_t size;
    assert_int_equal(mpf_set_string(&s.idempotency_key, key), 0);
    assert_int_equal(report_submission_encode(&s, &body, &size), 0);
    free(s.idempotency_key);
    envelope_t *request = envelope_new(MSG_REPORT_SUBMIT, 1, NULL, NULL);
    envelope_take_body(request, body, size);
    envelope_t *reply = envelope_new_reply(request, "none");
    assert_int_equal(intake_submit(&intake, request, reply), 0);
    envelope_destroy(&request);
    return reply;
}

static void receipt_for(const char *key, report_receipt_t *receipt)
{
    char reason[200];
    envelope_t *reply = submit(key);
    assert_string_equal(reply->type, MSG_REPORT_RECEIPT);
    assert_int_equal(report_receipt_decode(reply->body, reply->body_size, receipt, reason, sizeof reason), 0);
    envelope_destroy(&reply);
}

static bool contains(const unsigned char *hay, size_t n, const void *needle, size_t m)
{
    for (size_t i = 0; m <= n && i <= n - m; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return true;
    return false;
}

typedef struct {
    char text[4096];            /* every column as text, as a reader of the table sees them */
    unsigned char sealed[1024];
    size_t sealed_size;
    char key_hash[SUBMISSION_SEAL_HEX_LEN + 1];
} stored_row_t;

static void only_row(stored_row_t *row)
{
    db_error_t error;
    PGresult *r = db_exec(intake.db, "SELECT k::text, encode(sealed_response, 'hex'), key_hash FROM submission_keys k",
                          0, NULL, &error);
    assert_non_null(r);
    assert_int_equal(PQntuples(r), 1);
    snprintf(row->text, sizeof row->text, "%s", PQgetvalue(r, 0, 0));
    const char *hex = PQgetvalue(r, 0, 1);
    assert_int_equal(sodium_hex2bin(row->sealed, sizeof row->sealed, hex, strlen(hex), NULL, &row->sealed_size, NULL), 0);
    snprintf(row->key_hash, sizeof row->key_hash, "%s", PQgetvalue(r, 0, 2));
    PQclear(r);
}

static bool opens_with(const stored_row_t *row, const unsigned char *secret, const char *key)
{
    submission_seal_t seal;
    unsigned char *answer = NULL;
    size_t size = 0;
    assert_int_equal(submission_seal_derive(secret, key, &seal), 0);
    bool opened = submission_seal_open(&seal, row->sealed, row->sealed_size, &answer, &size) == 0;
    free(answer);
    return opened;
}

static void assert_opens_with_nothing_but_the_key(const stored_row_t *row)
{
    unsigned char other_secret[SECRET_SETTING_BYTES], zero[SECRET_SETTING_BYTES] = {0};
    randombytes_buf(other_secret, sizeof other_secret);
    const char *guesses[] = {"", "http:", CLIENT_KEY, row->key_hash, "http:0f8fad5b-d9cb-469f-a165-70867728950f"};
    for (size_t i = 0; i < sizeof guesses / sizeof guesses[0]; i++)
        assert_false(opens_with(row, intake.idempotency_secret, guesses[i]));
    assert_false(opens_with(row, other_secret, KEY));
    assert_false(opens_with(row, zero, KEY));
    submission_seal_t seal = {.lookup = ""};   /* the row's own hash as the box key */
    assert_int_equal(sodium_hex2bin(seal.box_key, sizeof seal.box_key, row->key_hash, SUBMISSION_SEAL_HEX_LEN, NULL,
                                    NULL, NULL), 0);
    unsigned char *answer = NULL;
    size_t size;
    assert_int_equal(submission_seal_open(&seal, row->sealed, row->sealed_size, &answer, &size), -1);
    assert_true(opens_with(row, intake.idempotency_secret, KEY));   /* and the test could tell */
}

static void test_the_table_holds_no_usable_token_or_key(void **state)
{
    (void) state;
    report_receipt_t receipt;
    receipt_for(KEY, &receipt);
    stored_row_t row;
    only_row(&row);
    const char *token = receipt.reporter_token, *key = CLIENT_KEY;
    char token_hex[2 * SECRET_TOKEN_LEN + 1], key_hex[2 * 64 + 1];
    sodium_bin2hex(token_hex, sizeof token_hex, (const unsigned char *) token, strlen(token));
    sodium_bin2hex(key_hex, sizeof key_hex, (const unsigned char *) key, strlen(key));
    assert_null(strstr(row.text, token));
    assert_null(strstr(row.text, token_hex));
    assert_null(strstr(row.text, key));
    assert_null(strstr(row.text, key_hex));
    assert_false(contains(row.sealed, row.sealed_size, token, strlen(token)));
    assert_false(contains(row.sealed, row.sealed_size, receipt.tracking_id, strlen(receipt.tracking_id)));
    assert_opens_with_nothing_but_the_key(&row);
    report_receipt_clear(&receipt);
}

static void test_a_retry_with_the_key_gets_the_same_token(void **state)
{
    (void) state;
    report_receipt_t first, again;
    receipt_for(KEY, &first);   /* the record of the test above */
    receipt_for(KEY, &again);
    assert_string_equal(again.reporter_token, first.reporter_token);
    assert_string_equal(again.tracking_id, first.tracking_id);
    report_receipt_clear(&first);
    report_receipt_clear(&again);
}

static void test_a_short_key_is_refused_and_stores_nothing(void **state)
{
    (void) state;
    char reason[200];
    envelope_t *reply = submit("req:0123456789");
    error_reply_t error;
    assert_string_equal(reply->type, MSG_ERROR);
    assert_int_equal(error_reply_decode(reply->body, reply->body_size, &error, reason, sizeof reason), 0);
    assert_string_equal(error.code, ERROR_INVALID);
    assert_string_equal(error.fields.items[0].field, "idempotency_key");
    envelope_destroy(&reply);
    stored_row_t row;
    only_row(&row);   /* still the one row of the first test */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_table_holds_no_usable_token_or_key),
        cmocka_unit_test(test_a_retry_with_the_key_gets_the_same_token),
        cmocka_unit_test(test_a_short_key_is_refused_and_stores_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
