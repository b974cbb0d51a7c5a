#include "attachment_commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attachment_codec.h"
#include "attachment_store.h"
#include "error_reply.h"
#include "event_log.h"
#include "file_sniff.h"
#include "image_reencode.h"
#include "intake_commands.h"
#include "logger.h"
#include "msgpack_fields.h"
#include "report_events.h"
#include "report_store.h"
#include "secret_token.h"
#include "tracking_id.h"

#define NO_SUCH_ATTACHMENT "no report with this tracking id and reporter token, or no such attachment"

/* What a stored (or earlier stored) file is answered with. */
typedef struct {
    int number;                     /* 0 when the report was full */
    char *media_type;               /* of an earlier store of the same command, else NULL */
    int width, height;
} stored_t;

typedef struct {
    int64_t report_id;
    const char *tracking_id;
    const char *request_id;
    const attachment_file_t *file;
    stored_t out;
} add_tx_t;

static int add_tx(db_t *db, void *ctx, db_error_t *error)
{
    add_tx_t *tx = ctx;
    /* The lock numbers concurrent uploads one after the other; a resend of this command that
     * finished meanwhile is found, not stored again. */
    int rc = report_store_lock(db, tx->report_id, error);
    if (rc == 0)
        rc = attachment_store_by_request(db, tx->report_id, tx->request_id, &tx->out.number, &tx->out.media_type,
                                         &tx->out.width, &tx->out.height, error);
    if (rc <= 0)
        return rc;
    tx->out.width = tx->file->width, tx->out.height = tx->file->height;
    if (attachment_store_next_number(db, tx->report_id, ATTACHMENTS_PER_REPORT, &tx->out.number, error) != 0)
        return -1;
    if (tx->out.number == 0)
        return 0;
    if (attachment_store_put(db, tx->report_id, tx->out.number, tx->request_id, tx->file, error) != 0)
        return -1;
    event_t event;   /* what GET tracking shows changed: its event tells every gateway */
    int built = report_events_attachment_added(tx->report_id, tx->tracking_id, (uint32_t) tx->out.number, &event);
    return event_log_append_built(db, built, &event, error);
}

static void refuse_file(envelope_t *reply, const char *code, const char *message)
{
    field_errors_t errors;
    field_errors_clear(&errors);
    field_errors_add(&errors, "file", code, "%s", message);
    intake_reply_invalid(reply, &errors);
}

static void answer_stored(envelope_t *reply, const char *tracking_id, const char *media_type, const stored_t *stored)
{
    attachment_t out = {.number = stored->number, .width = stored->width, .height = stored->height};
    unsigned char *body = NULL;
    size_t size = 0;
    int encoded = mpf_set_string(&out.tracking_id, tracking_id) == 0 && mpf_set_string(&out.media_type, media_type) == 0
                  && attachment_encode(&out, &body, &size) == 0;
    attachment_clear(&out);
    if (!encoded) {
        error_reply_simple(reply, ERROR_INTERNAL, "the answer could not be encoded");
        return;
    }
    envelope_set_type(reply, MSG_ATTACHMENT_STORED);
    envelope_take_body(reply, body, size);
}

/* Stores `file` for the report and answers. */
static void store(intake_t *intake, envelope_t *reply, const envelope_t *request, int64_t report_id,
                  const char *tracking_id, const attachment_file_t *file)
{
    add_tx_t tx = {.report_id = report_id, .tracking_id = tracking_id, .request_id = request->id, .file = file};
    db_error_t error = {"", ""};
    if (db_transaction(intake->db, add_tx, &tx, &error) != 0)
        intake_reply_database_error(reply, &error);
    else if (tx.out.number == 0)
        refuse_file(reply, "out_of_range", "a report holds at most 5 attachments");
    else {
        logger_info("attachment %d stored (%s, %zu bytes)", tx.out.number, file->media_type, file->size);
        answer_stored(reply, tracking_id, tx.out.media_type ? tx.out.media_type : file->media_type, &tx.out);
    }
    free(tx.out.media_type);
}

/* The report the token opens: 0 with its id; 1 (not found, answered) or -1 (answered). Checked
 * before any decoding, so a stranger cannot make intake re-encode images. */
static int reporter_report(intake_t *intake, envelope_t *reply, const attachment_t *asked, char *tracking_id,
                           int64_t *report_id)
{
    bool confidential;
    char hash[65];
    db_error_t error = {"", ""};
    int rc = asked->tracking_id && tracking_id_normalize(asked->tracking_id, tracking_id) == 0
                 ? report_store_access(intake->db, tracking_id, report_id, &confidential, hash, &error) : 1;
    if (rc == 0 && !(asked->reporter_token && secret_token_matches(asked->reporter_token, hash)))
        rc = 1;
    if (rc < 0)
        intake_reply_database_error(reply, &error);
    else if (rc > 0)
        error_reply_simple(reply, ERROR_NOT_FOUND, "no report with this tracking id and reporter token");
    return rc;
}

/* The upload as it will be stored: a PDF as sent, a photo re-encoded; 0, or 1 refused (answered). */
static int prepare(envelope_t *reply, const attachment_t *asked, reencoded_image_t *image, attachment_file_t *file)
{
    char reason[200];
    const char *type = file_sniff(asked->data, asked->size);
    if (!type) {
        refuse_file(reply, "invalid", "send a photo (JPEG, PNG or WebP) or a PDF");
        return 1;
    }
    if (strcmp(type, "application/pdf") == 0) {
        *file = (attachment_file_t) {type, asked->data, asked->size, NULL, 0, 0, 0};
        return 0;
    }
    int rc = image_reencode(asked->data, asked->size, image, reason, sizeof reason);
    if (rc == 0)
        *file = (attachment_file_t) {"image/jpeg", image->jpeg, image->jpeg_size, image->thumbnail,
                                     image->thumbnail_size, image->width, image->height};
    else if (rc > 0)
        refuse_file(reply, "invalid", reason);
    else
        error_reply_simple(reply, ERROR_INTERNAL, "the image could not be processed");
    return rc == 0 ? 0 : 1;
}

int intake_attachment_add(void *ctx, const envelope_t *request, envelope_t *reply)
{
    attachment_t asked;
    char reason[200], tracking_id[TRACKING_ID_LEN + 1];
    if (attachment_decode(request->body, request->body_size, &asked, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason) == 0 ? 0 : -1;
    reencoded_image_t image;
    memset(&image, 0, sizeof image);
    attachment_file_t file;
    int64_t report_id;
    if (reporter_report(ctx, reply, &asked, tracking_id, &report_id) == 0
        && prepare(reply, &asked, &image, &file) == 0)
        store(ctx, reply, request, report_id, tracking_id, &file);
    reencoded_image_clear(&image);
    attachment_clear(&asked);
    return 0;
}

static void answer_data(envelope_t *reply, char *media_type, unsigned char *data, size_t size)
{
    attachment_t out = {.media_type = media_type, .data = data, .size = size};
    unsigned char *body = NULL;
    size_t body_size = 0;
    int encoded = attachment_encode(&out, &body, &body_size) == 0;
    attachment_clear(&out);
    if (!encoded) {
        error_reply_simple(reply, ERROR_INTERNAL, "the attachment could not be encoded");
        return;
    }
    envelope_set_type(reply, MSG_ATTACHMENT_DATA);
    envelope_take_body(reply, body, body_size);
}

int intake_attachment_get(void *ctx, const envelope_t *request, envelope_t *reply)
{
    intake_t *intake = ctx;
    attachment_t asked;
    char reason[200], tracking_id[TRACKING_ID_LEN + 1], hash[65];
    if (attachment_decode(request->body, request->body_size, &asked, reason, sizeof reason) != 0)
        return error_reply_simple(reply, ERROR_BAD_MESSAGE, reason) == 0 ? 0 : -1;
    db_error_t error = {"", ""};
    int64_t report_id = 0;
    bool confidential = true;
    char *media_type = NULL;
    unsigned char *data = NULL;
    size_t size = 0;
    int rc = asked.tracking_id && tracking_id_normalize(asked.tracking_id, tracking_id) == 0
                 ? report_store_access(intake->db, tracking_id, &report_id, &confidential, hash, &error) : 1;
    bool allowed = !confidential || (asked.reporter_token && secret_token_matches(asked.reporter_token, hash));
    if (rc == 0 && !allowed && asked.actor_role && asked.actor_institution)
        rc = report_store_in_scope(intake->db, report_id, asked.actor_role, asked.actor_institution, &allowed, &error);
    if (rc == 0 && !allowed)
        rc = 1;
    if (rc == 0)
        rc = attachment_store_get(intake->db, report_id, (int) asked.number, asked.thumbnail, &media_type, &data,
                                  &size, &error);
    if (rc < 0)
        intake_reply_database_error(reply, &error);
    else if (rc > 0)
        error_reply_simple(reply, ERROR_NOT_FOUND, NO_SUCH_ATTACHMENT);
    else
        answer_data(reply, media_type, data, size);
    attachment_clear(&asked);
    return 0;
}
