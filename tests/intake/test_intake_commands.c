#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_reply.h"
#include "intake_commands.h"
#include "report_codec.h"
#include "submission_keys.h"
#include "submission_seal.h"
#include "test_db.h"

static intake_t intake;
static char *url;

static int setup(void **state)
{
    (void) state;
    intake.db = test_db_open_migrated("intake", &url);
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

static long rows(const char *table)
{
    char sql[80];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return (long) test_db_scalar(intake.db, sql);
}

static long all_rows(void)
{
    return rows("reports") * 10000 + rows("report_actions") * 100 + rows("submission_keys");
}

static report_submission_t submission(const char *key)
{
    report_submission_t s = {.idempotency_key = (char *) key, .classification = "complaint",
                             .title = "Lampu jalan mati", .body = "Lampu jalan mati sejak seminggu di Batam Kota.",
                             .category = "JALAN.PJU", .region = "21.71", .address = "Jl. Engku Putri",
                             .has_coordinates = true, .lat = 1.13, .lon = 104.05, .reporter_name = "Rudi",
                             .reporter_email = "rudi@example.org", .reporter_phone = "0812 7000 1111",
                             .channel = "web"};
    return s;
}

/* Runs a handler on an encoded body; returns the reply. */
static envelope_t *call(cmd_handler_fn *handler, const char *type, unsigned char *body, size_t size)
{
    envelope_t *request = envelope_new(type, 1, NULL, NULL);
    envelope_take_body(request, body, size);
    envelope_t *reply = envelope_new_reply(request, "none");
    assert_int_equal(handler(&intake, request, reply), 0);
    envelope_destroy(&request);
    return reply;
}

static envelope_t *submit(const report_submission_t *s)
{
    unsigned char *body;
    size_t size;
    assert_int_equal(report_submission_encode(s, &body, &size), 0);
    return call(intake_submit, MSG_REPORT_SUBMIT, body, size);
}

static void receipt_of(const envelope_t *reply, report_receipt_t *receipt)
{
    char reason[200];
    assert_string_equal(reply->type, MSG_REPORT_RECEIPT);
    assert_int_equal(report_receipt_decode(reply->body, reply->body_size, receipt, reason, sizeof reason), 0);
}

static void error_of(const envelope_t *reply, error_reply_t *error)
{
    char reason[200];
    assert_string_equal(reply->type, MSG_ERROR);
    assert_int_equal(error_reply_decode(reply->body, reply->body_size, error, reason, sizeof reason), 0);
}

static void view_of(const char *tracking_id, const char *token, report_view_t *view)
{
    report_lookup_t lookup = {(char *) tracking_id, (char *) token};
    unsigned char *body;
    size_t size;
    char reason[200];
    report_lookup_encode(&lookup, &body, &size);
    envelope_t *reply = call(intake_get, MSG_REPORT_GET, body, size);
    assert_string_equal(reply->type, MSG_REPORT_VIEW);
    assert_int_equal(report_view_decode(reply->body, reply->body_size, view, reason, sizeof reason), 0);
    envelope_destroy(&reply);
}

static void test_submit_then_get(void **state)
{
    (void) state;
    report_submission_t s = submission("http:k-get-0123456789");
    envelope_t *reply = submit(&s);
    report_receipt_t receipt;
    receipt_of(reply, &receipt);
    report_view_t view;
    view_of(receipt.tracking_id, NULL, &view);
    assert_string_equal(view.title, "Lampu jalan mati");
    assert_string_equal(view.status, "waiting_verification");
    assert_int_equal(view.action_count, 1);
    assert_string_equal(view.actions[0].action, "submitted");
    assert_string_equal(view.reporter_name, "Rudi");
    assert_null(view.reporter_email);
    assert_null(view.reporter_phone);
    report_view_clear(&view);
    report_receipt_clear(&receipt);
    envelope_destroy(&reply);
}

static void test_privacy_matrix(void **state)
{
    (void) state;
    for (int anonymous = 0; anonymous < 2; anonymous++)
        for (int confidential = 0; confidential < 2; confidential++) {
            char key[32];
            snprintf(key, sizeof key, "http:k-priv-0123456789-%d%d", anonymous, confidential);
            report_submission_t s = submission(key);
            s.anonymous = anonymous;
            s.confidential = confidential;
            envelope_t *reply = submit(&s);
            report_receipt_t receipt;
            receipt_of(reply, &receipt);
            const char *tokens[] = {NULL, "not-the-token", receipt.reporter_token};
            for (int t = 0; t < 3; t++) {
                bool owner = t == 2;
                report_view_t v;
                view_of(receipt.tracking_id, tokens[t], &v);
                assert_int_equal(v.reporter_authorized, owner);
                assert_int_equal(v.content_hidden, confidential && !owner);
                assert_int_equal(v.title != NULL, !confidential || owner);
                assert_int_equal(v.body != NULL, !confidential || owner);
                assert_int_equal(v.address != NULL, !confidential || owner);
                assert_int_equal(v.has_coordinates, !confidential || owner);
                assert_int_equal(v.reporter_name != NULL, !anonymous || owner);
                assert_int_equal(v.reporter_email != NULL, owner);
                assert_int_equal(v.reporter_phone != NULL, owner);
                report_view_clear(&v);
            }
            report_receipt_clear(&receipt);
            envelope_destroy(&reply);
        }
}

static void test_idempotency(void **state)
{
    (void) state;
    report_submission_t s = submission("http:k-idem-0123456789");
    envelope_t *first = submit(&s);
    long before = all_rows();
    envelope_t *again = submit(&s);
    assert_string_equal(again->type, MSG_REPORT_RECEIPT);
    assert_int_equal(again->body_size, first->body_size);
    assert_memory_equal(again->body, first->body, first->body_size);
    assert_int_equal(all_rows(), before);
    s.title = "Lampu jalan mati total";
    envelope_t *other = submit(&s);
    error_reply_t error;
    error_of(other, &error);
    assert_string_equal(error.code, ERROR_IDEMPOTENCY_MISMATCH);
    assert_int_equal(all_rows(), before);
    envelope_destroy(&first);
    envelope_destroy(&again);
    envelope_destroy(&other);
}

static void test_unknown_codes_store_nothing(void **state)
{
    (void) state;
    report_submission_t s = submission("http:k-unknown-0123456789");
    s.category = "NOPE";
    s.region = "99.99";
    s.target_institution = "NO-SUCH";
    long before = all_rows();
    envelope_t *reply = submit(&s);
    error_reply_t error;
    error_of(reply, &error);
    assert_string_equal(error.code, ERROR_INVALID);
    assert_int_equal(error.fields.count, 3);
    assert_string_equal(error.fields.items[0].field, "category");
    assert_string_equal(error.fields.items[1].field, "region");
    assert_string_equal(error.fields.items[2].field, "target_institution");
    assert_string_equal(error.fields.items[0].code, "unknown");
    assert_int_equal(all_rows(), before);
    envelope_destroy(&reply);
    /* and intake re-checks the rules itself: it does not trust its callers */
    s = submission("http:k-rules-0123456789");
    s.title = "x";
    reply = submit(&s);
    error_of(reply, &error);
    assert_string_equal(error.fields.items[0].field, "title");
    assert_int_equal(all_rows(), before);
    envelope_destroy(&reply);
}

static void test_unknown_and_malformed_tracking_ids(void **state)
{
    (void) state;
    const char *ids[] = {"0000-0000-0000", "nonsense", ""};
    for (int i = 0; i < 3; i++) {
        report_lookup_t lookup = {(char *) ids[i], NULL};
        unsigned char *body;
        size_t size;
        report_lookup_encode(&lookup, &body, &size);
        envelope_t *reply = call(intake_get, MSG_REPORT_GET, body, size);
        error_reply_t error;
        error_of(reply, &error);
        assert_string_equal(error.code, ERROR_NOT_FOUND);
        envelope_destroy(&reply);
    }
    /* a body that is not a lookup at all */
    envelope_t *reply = call(intake_get, MSG_REPORT_GET, (unsigned char *) strdup("junk"), 4);
    error_reply_t error;
    error_of(reply, &error);
    assert_string_equal(error.code, ERROR_BAD_MESSAGE);
    envelope_destroy(&reply);
}

enum { BATCH_MAX = 8 };

/* Runs a batch handler on owned[0..count-1]; replies[i] is the answer to owned[i]. */
static void run_batch(cmd_batch_fn *handler, envelope_t *const *owned, envelope_t **replies, int count)
{
    const envelope_t *requests[BATCH_MAX];
    assert_true(count <= BATCH_MAX);
    for (int i = 0; i < count; i++) {
        requests[i] = owned[i];
        replies[i] = envelope_new_reply(owned[i], "none");
    }
    assert_int_equal(handler(&intake, requests, replies, (size_t) count), 0);
}

static void destroy_batch(envelope_t **owned, envelope_t **replies, int count)
{
    for (int i = 0; i < count; i++) {
        envelope_destroy(&owned[i]);
        envelope_destroy(&replies[i]);
    }
}

static envelope_t *lookup_of(const char *tracking_id, const char *token)
{
    report_lookup_t lookup = {(char *) tracking_id, (char *) token};
    unsigned char *body;
    size_t size;
    assert_int_equal(report_lookup_encode(&lookup, &body, &size), 0);
    envelope_t *request = envelope_new(MSG_REPORT_GET, 1, NULL, NULL);
    envelope_take_body(request, body, size);
    return request;
}

static void decoded_view(const envelope_t *reply, report_view_t *view)
{
    char reason[200];
    assert_string_equal(reply->type, MSG_REPORT_VIEW);
    assert_int_equal(report_view_decode(reply->body, reply->body_size, view, reason, sizeof reason), 0);
}

/* Lookups waiting together share one statement, and each is answered as if alone: its own
 * report, its own token's view, not found or bad message, a report asked twice twice. */
static void test_lookups_taken_together_are_answered_each(void **state)
{
    (void) state;
    report_submission_t sa = submission("http:k-looks-a-0123456"), sb = submission("http:k-looks-b-0123456");
    sb.title = "Jembatan retak";
    envelope_t *ra = submit(&sa), *rb = submit(&sb);
    report_receipt_t a, b;
    receipt_of(ra, &a);
    receipt_of(rb, &b);
    envelope_t *owned[6] = {lookup_of(b.tracking_id, b.reporter_token), lookup_of(a.tracking_id, NULL),
                            lookup_of("0000-0000-0000", NULL), envelope_new(MSG_REPORT_GET, 1, NULL, NULL),
                            lookup_of(b.tracking_id, NULL), lookup_of("nonsense", NULL)};
    envelope_take_body(owned[3], (unsigned char *) strdup("junk"), 4);
    envelope_t *replies[6];
    run_batch(intake_get_batch, owned, replies, 6);
    report_view_t owner, first, other;
    decoded_view(replies[0], &owner);
    assert_string_equal(owner.title, "Jembatan retak");
    assert_string_equal(owner.reporter_email, "rudi@example.org");
    assert_int_equal(owner.action_count, 1);
    decoded_view(replies[1], &first);
    assert_string_equal(first.title, "Lampu jalan mati");
    assert_int_equal(first.action_count, 1);
    decoded_view(replies[4], &other);
    assert_string_equal(other.tracking_id, b.tracking_id);
    assert_null(other.reporter_email);
    error_reply_t error;
    error_of(replies[2], &error);
    assert_string_equal(error.code, ERROR_NOT_FOUND);
    error_of(replies[3], &error);
    assert_string_equal(error.code, ERROR_BAD_MESSAGE);
    error_of(replies[5], &error);
    assert_string_equal(error.code, ERROR_NOT_FOUND);
    report_view_clear(&owner);
    report_view_clear(&first);
    report_view_clear(&other);
    report_receipt_clear(&a);
    report_receipt_clear(&b);
    destroy_batch(owned, replies, 6);
    envelope_destroy(&ra);
    envelope_destroy(&rb);
}

static void test_purge_removes_only_old_keys(void **state)
{
    (void) state;
    db_error_t error;
    submission_seal_t seal;
    assert_int_equal(submission_seal_derive(intake.idempotency_secret, "http:k-get-0123456789", &seal), 0);
    const char *params[] = {seal.lookup};
    PGresult *r = db_exec(intake.db, "UPDATE submission_keys SET created_at = now() - interval '25 hours' "
                                     "WHERE key_hash = $1", 1, params, &error);
    assert_string_equal(PQcmdTuples(r), "1");
    PQclear(r);
    long before = rows("submission_keys");
    assert_int_equal(submission_keys_purge(intake.db, 24, &error), 1);
    assert_int_equal(rows("submission_keys"), before - 1);
    assert_int_equal(submission_keys_purge(intake.db, 24, &error), 0);
}

static envelope_t *request_of(const report_submission_t *s)
{
    unsigned char *body;
    size_t size;
    assert_int_equal(report_submission_encode(s, &body, &size), 0);
    envelope_t *request = envelope_new(MSG_REPORT_SUBMIT, 1, NULL, NULL);
    envelope_take_body(request, body, size);
    return request;
}

static void exec_sql(const char *sql)
{
    db_error_t error;
    assert_int_equal(db_exec_ok(intake.db, sql, 0, NULL, &error), 0);
}

/* One batch holding every kind of answer: each submission gets its own, as if it came alone, and
 * the one the database refuses fails alone. */
static void test_a_batch_answers_each_submission_as_alone(void **state)
{
    (void) state;
    exec_sql("CREATE FUNCTION refuse_gagal() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
             "IF NEW.title = 'GAGAL' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$");
    exec_sql("CREATE TRIGGER refuse_gagal BEFORE INSERT ON reports FOR EACH ROW EXECUTE FUNCTION refuse_gagal()");
    report_submission_t a = submission("http:k-batch-a-0123456"), unknown = submission("http:k-batch-u-0123456"),
                        refused = submission("http:k-batch-r-0123456"), other = a,
                        c = submission("http:k-batch-c-0123456");
    unknown.category = "TIDAK.ADA";
    refused.title = "GAGAL";
    other.title = "Lampu jalan mati total";
    long reports = rows("reports"), events = rows("events"), keys = rows("submission_keys");
    envelope_t *owned[7] = {request_of(&a), request_of(&unknown), request_of(&refused), request_of(&a),
                            request_of(&other), request_of(&c), envelope_new(MSG_REPORT_SUBMIT, 1, NULL, NULL)};
    envelope_take_body(owned[6], (unsigned char *) strdup("xx"), 2);
    envelope_t *replies[7];
    run_batch(intake_submit_batch, owned, replies, 7);
    report_receipt_t first, replayed, third;
    error_reply_t error;
    receipt_of(replies[0], &first);
    error_of(replies[1], &error);
    assert_string_equal(error.code, ERROR_INVALID);
    error_of(replies[2], &error);
    assert_string_equal(error.code, ERROR_INTERNAL);
    receipt_of(replies[3], &replayed);
    assert_string_equal(replayed.tracking_id, first.tracking_id);
    error_of(replies[4], &error);
    assert_string_equal(error.code, ERROR_IDEMPOTENCY_MISMATCH);
    receipt_of(replies[5], &third);
    assert_string_not_equal(third.tracking_id, first.tracking_id);
    error_of(replies[6], &error);
    assert_string_equal(error.code, ERROR_BAD_MESSAGE);
    assert_int_equal(rows("reports"), reports + 2);
    assert_int_equal(rows("events"), events + 2);
    assert_int_equal(rows("submission_keys"), keys + 2);
    report_receipt_clear(&first);
    report_receipt_clear(&replayed);
    report_receipt_clear(&third);
    destroy_batch(owned, replies, 7);
    exec_sql("DROP TRIGGER refuse_gagal ON reports");
}

/* The batch's keys, events and clocks go out with its COMMIT: one of them refused fails the
 * commit, and each submission is then stored or refused alone, as when its report's row fails. */
static void test_a_row_refused_at_the_commit_fails_its_submission_alone(void **state)
{
    (void) state;
    exec_sql("CREATE FUNCTION refuse_event_of_gagal() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
             "IF (SELECT title FROM reports WHERE id = NEW.report_id) = 'GAGAL' THEN "
             "RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$");
    exec_sql("CREATE TRIGGER refuse_event_of_gagal BEFORE INSERT ON events FOR EACH ROW "
             "EXECUTE FUNCTION refuse_event_of_gagal()");
    report_submission_t a = submission("http:k-commit-a-0123456"), refused = submission("http:k-commit-r-0123456"),
                        c = submission("http:k-commit-c-0123456");
    refused.title = "GAGAL";
    c.title = "Sampah menumpuk di pasar";
    long reports = rows("reports"), events = rows("events"), keys = rows("submission_keys");
    envelope_t *owned[3] = {request_of(&a), request_of(&refused), request_of(&c)};
    envelope_t *replies[3];
    run_batch(intake_submit_batch, owned, replies, 3);
    report_receipt_t first, third;
    error_reply_t error;
    receipt_of(replies[0], &first);
    error_of(replies[1], &error);
    assert_string_equal(error.code, ERROR_INTERNAL);
    receipt_of(replies[2], &third);
    assert_int_equal(rows("reports"), reports + 2);
    assert_int_equal(rows("events"), events + 2);
    assert_int_equal(rows("submission_keys"), keys + 2);
    report_receipt_clear(&first);
    report_receipt_clear(&third);
    destroy_batch(owned, replies, 3);
    exec_sql("DROP TRIGGER refuse_event_of_gagal ON events");
    exec_sql("DROP FUNCTION refuse_event_of_gagal()");
}

/* A batch of new submissions, for test_db_round_trips. */
typedef struct {
    envelope_t *owned[BATCH_MAX], *replies[BATCH_MAX];
    int count;
} traced_batch_t;

static void run_traced_batch(void *ctx)
{
    traced_batch_t *batch = ctx;
    run_batch(intake_submit_batch, batch->owned, batch->replies, batch->count);
}

/* The round trips of one batch of `count` new submissions on intake's connection; each
 * submission's title is its key. */
static int round_trips_of_a_batch(const char *name, int count)
{
    traced_batch_t batch = {.count = count};
    char keys[BATCH_MAX][48];
    for (int i = 0; i < count; i++) {
        snprintf(keys[i], sizeof keys[i], "http:k-trips-%s-%d-0123456", name, i);
        report_submission_t s = submission(keys[i]);
        s.title = keys[i];
        batch.owned[i] = request_of(&s);
    }
    int trips = test_db_round_trips(intake.submissions, run_traced_batch, &batch);
    for (int i = 0; i < count; i++)
        assert_string_equal(batch.replies[i]->type, MSG_REPORT_RECEIPT);
    destroy_batch(batch.owned, batch.replies, count);
    return trips;
}

/* A batch goes to PostgreSQL three times whatever its size: its reads with the BEGIN (the keys'
 * locks and lookup, the codes, the first clock's due time), its reports, and the rest with the
 * COMMIT. It went seven times (stop 64), then five. */
static void test_a_batch_costs_three_round_trips(void **state)
{
    (void) state;
    long reports = rows("reports");
    round_trips_of_a_batch("warm", 2);   /* statements prepared on the connection's first batch */
    assert_int_equal(round_trips_of_a_batch("one", 1), 3);
    assert_int_equal(round_trips_of_a_batch("five", 5), 3);
    assert_int_equal(rows("reports"), reports + 8);
}

/* A batch writes each new report once: its next_due_at goes in with it, equal to its verification
 * clock's due time, so the clocks' trigger (migration 0031) has nothing to update. */
static void test_a_new_report_is_written_once(void **state)
{
    (void) state;
    exec_sql("CREATE TABLE report_updates_seen (id bigint)");
    exec_sql("CREATE FUNCTION count_report_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
             "INSERT INTO report_updates_seen VALUES (NEW.id); RETURN NULL; END $$");
    exec_sql("CREATE TRIGGER count_report_update AFTER UPDATE ON reports FOR EACH ROW "
             "EXECUTE FUNCTION count_report_update()");
    exec_sql("CREATE TABLE clock_trigger_skipped (at timestamptz)");
    exec_sql("CREATE FUNCTION note_clock_trigger_skipped() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
             "IF current_setting('aduan.next_due_written', true) = 'on' THEN "
             "INSERT INTO clock_trigger_skipped VALUES (now()); END IF; RETURN NULL; END $$");
    exec_sql("CREATE TRIGGER note_clock_trigger_skipped AFTER INSERT ON report_deadlines FOR EACH STATEMENT "
             "EXECUTE FUNCTION note_clock_trigger_skipped()");
    report_submission_t a = submission("http:k-once-a-01234567"), b = submission("http:k-once-b-01234567");
    b.classification = "aspiration";
    envelope_t *owned[2] = {request_of(&a), request_of(&b)};
    envelope_t *replies[2];
    run_batch(intake_submit_batch, owned, replies, 2);
    report_receipt_t first, second;
    receipt_of(replies[0], &first);
    receipt_of(replies[1], &second);
    assert_int_equal(rows("report_updates_seen"), 0);
    /* and the clocks' trigger was told so, rather than left to find nothing to change */
    assert_int_equal(rows("clock_trigger_skipped"), 1);
    db_error_t error;
    char *agree = NULL;
    const char *params[] = {first.tracking_id, second.tracking_id};
    assert_int_equal(db_query_value(intake.db,
        "SELECT count(*) FILTER (WHERE r.next_due_at = d.due_at AND r.next_due_at > now()) FROM reports r "
        "JOIN report_deadlines d ON d.report_id = r.id AND d.kind = 'verification' AND d.ended_at IS NULL "
        "WHERE r.tracking_id IN ($1, $2)", 2, params, &agree, &error), 0);
    assert_string_equal(agree, "2");
    free(agree);
    report_receipt_clear(&first);
    report_receipt_clear(&second);
    destroy_batch(owned, replies, 2);
    exec_sql("DROP TRIGGER count_report_update ON reports");
    exec_sql("DROP FUNCTION count_report_update()");
    exec_sql("DROP TABLE report_updates_seen");
    exec_sql("DROP TRIGGER note_clock_trigger_skipped ON report_deadlines");
    exec_sql("DROP FUNCTION note_clock_trigger_skipped()");
    exec_sql("DROP TABLE clock_trigger_skipped");
}

/* A batch's statements are prepared on the submissions connection and planned no more than
 * PostgreSQL's plan cache asks: the report's insert ran prepared once per report. */
static void test_submissions_run_prepared_statements(void **state)
{
    (void) state;
    char key[40];
    for (int i = 0; i < 6; i++) {
        snprintf(key, sizeof key, "http:k-prepared-%d-0123456789", i);
        report_submission_t s = submission(key);
        envelope_t *owned[1] = {request_of(&s)};
        envelope_t *replies[1];
        run_batch(intake_submit_batch, owned, replies, 1);
        assert_string_equal(replies[0]->type, MSG_REPORT_RECEIPT);
        destroy_batch(owned, replies, 1);
    }
    db_error_t error;
    char *runs = NULL;
    assert_int_equal(db_query_value(intake.submissions,
        "SELECT coalesce(sum(generic_plans + custom_plans), 0) FROM pg_prepared_statements "
        "WHERE statement LIKE '%INSERT INTO reports %'", 0, NULL, &runs, &error), 0);
    assert_true(atoi(runs) >= 6);
    free(runs);
}

/* A submission's batch writes no text index: the staff search's trigram index took a hundred-odd
 * entries of each report's text and merged them into its posting lists inside the batch, the
 * largest cost of a submission in PostgreSQL (0.42 against 0.24 ms of CPU a report without it,
 * docs/performance.md, stop 58). Verify copies the text into report_search with the pre-checks
 * (migration 0049), and the public words' index waits for verification (0048). After 400 reports
 * no GIN index of the database has grown or holds more entries in its pending list. */
static void test_submissions_write_no_text_index(void **state)
{
    (void) state;
    exec_sql("CREATE EXTENSION IF NOT EXISTS pgstattuple");
    db_error_t error;
    char *before = NULL, *after = NULL;
    static const char gin_entries[] =
        "SELECT sum(p.pending_tuples) || ' ' || sum(pg_relation_size(i.oid)) || ' ' "
        "       || (SELECT count(*) FROM report_search) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am a ON a.oid = i.relam "
        "CROSS JOIN LATERAL pgstatginindex(i.oid) p WHERE a.amname = 'gin'";
    assert_int_equal(db_query_value(intake.db, gin_entries, 0, NULL, &before, &error), 0);
    char key[48], title[64], body[160];
    for (int b = 0; b < 400 / BATCH_MAX; b++) {
        envelope_t *owned[BATCH_MAX], *replies[BATCH_MAX];
        for (int i = 0; i < BATCH_MAX; i++) {
            int n = b * BATCH_MAX + i;
            snprintf(key, sizeof key, "http:k-pending-%d-0123456789", n);
            snprintf(title, sizeof title, "Jalan rusak nomor %d", n);
            snprintf(body, sizeof body, "Jalan berlubang %d di depan pasar %d, lampu mati %d malam, saluran %d tersumbat.",
                     n, n * 7, n * 13, n * 31);
            report_submission_t s = submission(key);
            s.title = title;
            s.body = body;
            owned[i] = request_of(&s);
        }
        run_batch(intake_submit_batch, owned, replies, BATCH_MAX);
        for (int i = 0; i < BATCH_MAX; i++)
            assert_string_equal(replies[i]->type, MSG_REPORT_RECEIPT);
        destroy_batch(owned, replies, BATCH_MAX);
    }
    assert_int_equal(db_query_value(intake.db, gin_entries, 0, NULL, &after, &error), 0);
    assert_string_equal(after, before);
    free(before);
    free(after);
    exec_sql("DROP EXTENSION pgstattuple");
}

/* A batch's statements run on the generic plans prepared once: with PostgreSQL's own choice the
 * codes' check, the first clock's due time and the clocks' insert were planned again in every
 * batch, 1.4 ms of planning a batch of 8 (docs/performance.md, branch plans). After 12 batches of
 * 8 and 2 on their own, none of the connection's prepared statements was planned for its values,
 * and the clocks' insert ran on its generic plan each time, which does not read the reports. */
static void test_a_batch_is_not_planned_again(void **state)
{
    (void) state;
    char key[48];
    for (int b = 0; b < 14; b++) {
        int count = b < 12 ? BATCH_MAX : 1;
        envelope_t *owned[BATCH_MAX], *replies[BATCH_MAX];
        for (int i = 0; i < count; i++) {
            snprintf(key, sizeof key, "http:k-generic-%d-%d-0123456789", b, i);
            report_submission_t s = submission(key);
            owned[i] = request_of(&s);
        }
        run_batch(intake_submit_batch, owned, replies, count);
        for (int i = 0; i < count; i++)
            assert_string_equal(replies[i]->type, MSG_REPORT_RECEIPT);
        destroy_batch(owned, replies, count);
    }
    db_error_t error;
    char *planned = NULL, *clocks = NULL;
    assert_int_equal(db_query_value(intake.submissions,
        "SELECT coalesce(string_agg(custom_plans || ' plans: ' || left(statement, 50), '; '), 'none') "
        "FROM pg_prepared_statements WHERE custom_plans > 0", 0, NULL, &planned, &error), 0);
    assert_string_equal(planned, "none");
    assert_int_equal(db_query_value(intake.submissions,
        "SELECT generic_plans FROM pg_prepared_statements WHERE statement LIKE 'WITH picked AS %'", 0, NULL,
        &clocks, &error), 0);
    if (!clocks || atoi(clocks) < 14)
        fail_msg("the clocks' insert ran on its generic plan %s times", clocks ? clocks : "no");
    free(planned);
    free(clocks);
    /* That plan is made once, whatever the size of the reports table then: it must not read it. */
    char *name = NULL, explain[200];
    assert_int_equal(db_query_value(intake.submissions, "SELECT name FROM pg_prepared_statements "
                                                        "WHERE statement LIKE 'WITH picked AS %'", 0, NULL, &name, &error), 0);
    assert_non_null(name);
    snprintf(explain, sizeof explain, "EXPLAIN EXECUTE %s('{1}', 'verification', '0', '{complaint}')", name);
    free(name);
    PGresult *plan = db_exec(intake.submissions, explain, 0, NULL, &error);
    assert_non_null(plan);
    for (int row = 0; row < PQntuples(plan); row++)
        if (strstr(PQgetvalue(plan, row, 0), " on reports "))
            fail_msg("the clocks' insert reads the reports: %s", PQgetvalue(plan, row, 0));
    PQclear(plan);
}

/* A batch's reports go in as rows of one statement (docs/performance.md, stop 34: a statement a
 * report cost about as much again as the row). */
static void test_a_batch_stores_its_reports_in_one_statement(void **state)
{
    (void) state;
    exec_sql("CREATE TABLE report_inserts_seen (at timestamptz)");
    exec_sql("CREATE FUNCTION count_report_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
             "INSERT INTO report_inserts_seen VALUES (now()); RETURN NULL; END $$");
    exec_sql("CREATE TRIGGER count_report_insert AFTER INSERT ON reports FOR EACH STATEMENT "
             "EXECUTE FUNCTION count_report_insert()");
    char key[48];
    envelope_t *owned[5], *replies[5];
    for (int i = 0; i < 5; i++) {
        snprintf(key, sizeof key, "http:k-one-statement-%d-0123456789", i);
        report_submission_t s = submission(key);
        owned[i] = request_of(&s);
    }
    long reports = rows("reports");
    run_batch(intake_submit_batch, owned, replies, 5);
    for (int i = 0; i < 5; i++)
        assert_string_equal(replies[i]->type, MSG_REPORT_RECEIPT);
    assert_int_equal(rows("reports"), reports + 5);
    assert_int_equal(rows("report_inserts_seen"), 1);
    destroy_batch(owned, replies, 5);
    exec_sql("DROP TRIGGER count_report_insert ON reports");
    exec_sql("DROP FUNCTION count_report_insert()");
    exec_sql("DROP TABLE report_inserts_seen");
}

/* A tracking id already taken is drawn again for that report alone, and each receipt names its own
 * report: the statement's answer is matched to its rows by tracking id. The first two rows are made
 * to clash with an existing report. */
static void test_a_taken_tracking_id_is_drawn_again(void **state)
{
    (void) state;
    exec_sql("CREATE TABLE clashes_left (n int)");
    exec_sql("INSERT INTO clashes_left VALUES (2)");
    exec_sql("CREATE FUNCTION clash_tracking_id() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
             "IF (SELECT n FROM clashes_left) > 0 THEN UPDATE clashes_left SET n = n - 1; "
             "NEW.tracking_id := (SELECT tracking_id FROM reports ORDER BY id LIMIT 1); END IF; RETURN NEW; END $$");
    exec_sql("CREATE TRIGGER clash_tracking_id BEFORE INSERT ON reports FOR EACH ROW "
             "EXECUTE FUNCTION clash_tracking_id()");
    char titles[3][32] = {"Jalan berlubang pertama", "Lampu jalan kedua mati", "Sampah ketiga menumpuk"};
    char key[48];
    envelope_t *owned[3], *replies[3];
    for (int i = 0; i < 3; i++) {
        snprintf(key, sizeof key, "http:k-clash-%d-0123456789", i);
        report_submission_t s = submission(key);
        s.title = titles[i];
        owned[i] = request_of(&s);
    }
    long reports = rows("reports");
    run_batch(intake_submit_batch, owned, replies, 3);
    assert_int_equal(rows("reports"), reports + 3);
    char *left = NULL;
    db_error_t error;
    assert_int_equal(db_query_value(intake.db, "SELECT n FROM clashes_left", 0, NULL, &left, &error), 0);
    assert_string_equal(left, "0");
    free(left);
    for (int i = 0; i < 3; i++) {
        report_receipt_t receipt;
        receipt_of(replies[i], &receipt);
        char *title = NULL;
        const char *params[] = {receipt.tracking_id};
        assert_int_equal(db_query_value(intake.db, "SELECT title FROM reports WHERE tracking_id = $1", 1, params,
                                        &title, &error), 0);
        assert_non_null(title);
        assert_string_equal(title, titles[i]);
        free(title);
        report_receipt_clear(&receipt);
    }
    destroy_batch(owned, replies, 3);
    exec_sql("DROP TRIGGER clash_tracking_id ON reports");
    exec_sql("DROP FUNCTION clash_tracking_id()");
    exec_sql("DROP TABLE clashes_left");
}

static void send_to(zsock_t *dealer, envelope_t **request)
{
    unsigned char *data;
    size_t size;
    assert_int_equal(envelope_encode(*request, &data, &size), 0);
    zframe_t *frame = zframe_new(data, size);
    assert_int_equal(zframe_send(&frame, dealer, 0), 0);
    free(data);
    envelope_destroy(request);
}

static char *next_reply_type(zsock_t *dealer)
{
    zsock_set_rcvtimeo(dealer, 5000);
    zframe_t *frame = zframe_recv(dealer);
    assert_non_null(frame);
    char reason[200];
    envelope_t *reply = envelope_decode(zframe_data(frame), zframe_size(frame), reason, sizeof reason);
    assert_non_null(reply);
    char *type = strdup(reply->type);
    envelope_destroy(&reply);
    zframe_destroy(&frame);
    return type;
}

/* A citizen's lookup that reaches intake with a burst of submissions is answered before their
 * commit, not after it: through the command server, one sender, the submission sent first. */
static void test_a_lookup_is_answered_before_the_submissions_it_came_with(void **state)
{
    (void) state;
    report_submission_t sa = submission("http:k-order-a-0123456"), sb = submission("http:k-order-b-0123456");
    envelope_t *ra = submit(&sa);
    report_receipt_t a;
    receipt_of(ra, &a);
    char endpoint[128], reason[200];
    snprintf(endpoint, sizeof endpoint, "ipc:///tmp/aduan-intake-order-%d", getpid());
    cmd_server_t *server = cmd_server_new(endpoint, NULL, reason, sizeof reason);
    assert_non_null(server);
    assert_int_equal(intake_commands_register(server, &intake), 0);
    zsock_t *dealer = zsock_new_dealer(endpoint);
    assert_non_null(dealer);
    zclock_sleep(100);   /* connected */
    unsigned char *body;
    size_t size;
    assert_int_equal(report_submission_encode(&sb, &body, &size), 0);
    envelope_t *submission_request = envelope_new(MSG_REPORT_SUBMIT, 1, NULL, NULL);
    envelope_take_body(submission_request, body, size);
    envelope_t *lookup = lookup_of(a.tracking_id, NULL);
    send_to(dealer, &submission_request);
    send_to(dealer, &lookup);
    zclock_sleep(200);   /* both are waiting on the server */
    assert_int_equal(cmd_server_handle_waiting(server, 64), 0);
    char *first = next_reply_type(dealer), *second = next_reply_type(dealer);
    assert_string_equal(first, MSG_REPORT_VIEW);
    assert_string_equal(second, MSG_REPORT_RECEIPT);
    free(first);
    free(second);
    zsock_destroy(&dealer);
    cmd_server_destroy(&server);
    report_receipt_clear(&a);
    envelope_destroy(&ra);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_submit_then_get),      cmocka_unit_test(test_privacy_matrix),
        cmocka_unit_test(test_idempotency),          cmocka_unit_test(test_unknown_codes_store_nothing),
        cmocka_unit_test(test_a_batch_answers_each_submission_as_alone),
        cmocka_unit_test(test_a_row_refused_at_the_commit_fails_its_submission_alone),
        cmocka_unit_test(test_a_batch_costs_three_round_trips),
        cmocka_unit_test(test_unknown_and_malformed_tracking_ids), cmocka_unit_test(test_purge_removes_only_old_keys),
        cmocka_unit_test(test_lookups_taken_together_are_answered_each),
        cmocka_unit_test(test_a_new_report_is_written_once),
        cmocka_unit_test(test_submissions_run_prepared_statements),
        cmocka_unit_test(test_submissions_write_no_text_index),
        cmocka_unit_test(test_a_batch_is_not_planned_again),
        cmocka_unit_test(test_a_batch_stores_its_reports_in_one_statement),
        cmocka_unit_test(test_a_taken_tracking_id_is_drawn_again),
        cmocka_unit_test(test_a_lookup_is_answered_before_the_submissions_it_came_with),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
