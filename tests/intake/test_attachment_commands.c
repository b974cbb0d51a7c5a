/* attachment.add and attachment.get against a real database: a resent command stores nothing
 * twice, a wrong token stores nothing, a confidential report's file is only its reporter's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "attachment_codec.h"
#include "attachment_commands.h"
#include "error_reply.h"
#include "intake_commands.h"
#include "msgpack_fields.h"
#include "report_codec.h"
#include "test_db.h"

static intake_t intake;
static char *url;
static const char pdf[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

static int setup(void **state)
{
    (void) state;
    intake.db = test_db_open_migrated("attachments", &url);
    randombytes_buf(intake.idempotency_secret, sizeof intake.idempotency_secret);
    intake.submissions = intake.db ? test_db_open(url) : NULL;
    return intake.submissions ? 0 : -1;
}

static int teardown(void **state)
{
    (void) state;
    db_destroy(&intake.submissions);
    test_db_close(&intake.db, &url);
    return 0;
}

static long attachments(void)
{
    return (long) test_db_scalar(intake.db, "SELECT count(*) FROM attachments");
}

/* Runs a handler on `message` sent under command id `id`; returns the reply. */
static envelope_t *call(cmd_handler_fn *handler, const char *type, const char *id, const attachment_t *message)
{
    unsigned char *body;
    size_t size;
    assert_int_equal(attachment_encode(message, &body, &size), 0);
    envelope_t *request = envelope_new(type, 1, id, NULL);
    envelope_take_body(request, body, size);
    envelope_t *reply = envelope_new_reply(request, "none");
    assert_int_equal(handler(&intake, request, reply), 0);
    envelope_destroy(&request);
    return reply;
}

/* A report submitted as `confidential`; its tracking id and token into the buffers. */
static void submit(bool confidential, char tracking_id[32], char token[64])
{
    report_submission_t s = {0};
    assert_int_equal(mpf_set_string(&s.idempotency_key, confidential ? "attachments-secret-01" : "attachments-public-01"), 0);
    mpf_set_string(&s.classification, "complaint");
    mpf_set_string(&s.title, "Lampu jalan mati");
    mpf_set_string(&s.body, "Lampu jalan mati sejak seminggu di Batam Kota.");
    mpf_set_string(&s.category, "JALAN.PJU");
    mpf_set_string(&s.region, "21.71");
    mpf_set_string(&s.channel, "web");
    s.confidential = confidential;
    unsigned char *body;
    size_t size;
    char reason[200];
    assert_int_equal(report_submission_encode(&s, &body, &size), 0);
    report_submission_clear(&s);
    envelope_t *request = envelope_new(MSG_REPORT_SUBMIT, 1, NULL, NULL);
    envelope_take_body(request, body, size);
    envelope_t *reply = envelope_new_reply(request, "none");
    assert_int_equal(intake_submit(&intake, request, reply), 0);
    report_receipt_t receipt;
    assert_int_equal(report_receipt_decode(reply->body, reply->body_size, &receipt, reason, sizeof reason), 0);
    snprintf(tracking_id, 32, "%s", receipt.tracking_id);
    snprintf(token, 64, "%s", receipt.reporter_token);
    report_receipt_clear(&receipt);
    envelope_destroy(&reply);
    envelope_destroy(&request);
}

/* attachment.add of the PDF under command id `id`: the number stored, or 0 for an error reply. */
static int64_t add(const char *tracking_id, const char *token, const char *id)
{
    unsigned char data[sizeof pdf];
    memcpy(data, pdf, sizeof pdf);
    attachment_t upload = {.data = data, .size = sizeof pdf - 1};
    mpf_set_string(&upload.tracking_id, tracking_id);
    mpf_set_string(&upload.reporter_token, token);
    envelope_t *reply = call(intake_attachment_add, MSG_ATTACHMENT_ADD, id, &upload);
    upload.data = NULL;
    attachment_clear(&upload);
    attachment_t stored;
    char reason[200];
    int64_t number = 0;
    if (strcmp(reply->type, MSG_ATTACHMENT_STORED) == 0) {
        assert_int_equal(attachment_decode(reply->body, reply->body_size, &stored, reason, sizeof reason), 0);
        assert_string_equal(stored.media_type, "application/pdf");
        number = stored.number;
        attachment_clear(&stored);
    }
    envelope_destroy(&reply);
    return number;
}

/* attachment.get of file 1 with a reporter token, or as staff of `role` at `institution`:
 * whether it was served. */
static bool served_to(const char *tracking_id, const char *token, const char *role, const char *institution)
{
    attachment_t asked = {.number = 1};
    mpf_set_string(&asked.tracking_id, tracking_id);
    mpf_set_string(&asked.reporter_token, token);
    mpf_set_string(&asked.actor_role, role);
    mpf_set_string(&asked.actor_institution, institution);
    envelope_t *reply = call(intake_attachment_get, MSG_ATTACHMENT_GET, NULL, &asked);
    attachment_clear(&asked);
    bool ok = strcmp(reply->type, MSG_ATTACHMENT_DATA) == 0;
    if (ok) {
        attachment_t file;
        char reason[200];
        assert_int_equal(attachment_decode(reply->body, reply->body_size, &file, reason, sizeof reason), 0);
        assert_int_equal(file.size, sizeof pdf - 1);
        assert_memory_equal(file.data, pdf, file.size);
        attachment_clear(&file);
    }
    envelope_destroy(&reply);
    return ok;
}

static bool served(const char *tracking_id, const char *token)
{
    return served_to(tracking_id, token, NULL, NULL);
}

static void a_resent_command_is_stored_once(void **state)
{
    (void) state;
    char tracking_id[32], token[64];
    submit(false, tracking_id, token);
    long before = attachments();
    assert_int_equal(add(tracking_id, token, "upload-command-0001"), 1);
    assert_int_equal(add(tracking_id, token, "upload-command-0001"), 1);   /* the gateway's resend */
    assert_int_equal(attachments(), before + 1);
    assert_int_equal(add(tracking_id, token, "upload-command-0002"), 2);
    assert_int_equal(add(tracking_id, "not-the-token", "upload-command-0003"), 0);
    assert_int_equal(attachments(), before + 2);
    assert_true(served(tracking_id, NULL));
}

static void a_confidential_reports_file_is_its_reporters(void **state)
{
    (void) state;
    char tracking_id[32], token[64];
    submit(true, tracking_id, token);
    assert_int_equal(add(tracking_id, token, "upload-command-0101"), 1);
    assert_false(served(tracking_id, NULL));
    assert_false(served(tracking_id, "not-the-token"));
    assert_true(served(tracking_id, token));
    /* Staff: a national admin sees it; an institution's staff only within their subtree (this
     * report, addressed to nobody and not yet routed, is in no institution's). */
    assert_true(served_to(tracking_id, NULL, "national_admin", "NASIONAL"));
    assert_false(served_to(tracking_id, NULL, "institution_admin", "KOTA-21.72"));
    assert_false(served_to(tracking_id, NULL, "unit_liaison", "KOTA-21.71.PUPR"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_resent_command_is_stored_once),
        cmocka_unit_test(a_confidential_reports_file_is_its_reporters),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
