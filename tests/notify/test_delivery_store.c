#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "db_wakeup.h"
#include "delivery_store.h"
#include "test_db.h"

typedef struct {
    char payload[64];
    int count;
} heard_t;

static void hear(const char *payload, void *ctx)
{
    heard_t *heard = ctx;
    snprintf(heard->payload, sizeof heard->payload, "%s", payload);
    heard->count++;
}

static void add(json_t *set, const char *id, const char *channel, const char *recipient)
{
    delivery_t d = {.delivery_id = id, .event_id = "ev-wake", .event_seq = 1, .event_type = "report.verified",
                    .channel = channel, .recipient_kind = "reporter", .recipient = recipient, .language = "id",
                    .subject = "s", .body_text = "b", .max_attempts = 3};
    assert_int_equal(delivery_set_add(set, &d), 0);
}

typedef struct {
    const json_t *set;
    db_wakeup_t *listener;
} adding_t;

static int add_set(db_t *db, void *ctx, db_error_t *error)
{
    const adding_t *a = ctx;
    int created = 0;
    if (delivery_store_add_set(db, a->set, &created, error) != 0)
        return -1;
    heard_t early = {.count = 0};
    db_wakeup_drain(a->listener, hear, &early);
    assert_int_equal(early.count, 0);
    /* PostgreSQL refuses to prepare a transaction that has sent a NOTIFY: one inside it would hold
     * the database's notify lock through its commit's flush (db_wake_after_commit). */
    PGresult *r = db_exec(db, "PREPARE TRANSACTION 'aduan-test-deliveries'", 0, NULL, error);
    PQclear(r);
    return r ? 0 : -1;
}

/* What the senders hear within a second of the set's commit. */
static heard_t heard_after(db_t *db, const json_t *set, db_wakeup_t *listener)
{
    db_error_t error;
    adding_t a = {set, listener};
    assert_int_equal(db_transaction(db, add_set, &a, &error), 0);
    test_db_script(db, "COMMIT PREPARED 'aduan-test-deliveries'");
    heard_t heard = {.count = 0};
    struct pollfd fd = {.fd = db_wakeup_fd(listener), .events = POLLIN};
    while (poll(&fd, 1, heard.count ? 100 : 1000) > 0)
        db_wakeup_drain(listener, hear, &heard);
    return heard;
}

/* The senders are woken once a set has committed, once, told each of its channels once. */
static void test_a_set_wakes_the_senders_after_its_commit_with_its_channels(void **state)
{
    (void) state;
    char *url;
    db_t *db = test_db_open_migrated("deliverystore", &url);
    assert_non_null(db);
    db_t *other = test_db_open(url);
    assert_non_null(other);
    db_wakeup_t listener = {other, DELIVERIES_CHANNEL, 0};
    assert_true(db_wakeup_fd(&listener) >= 0);

    json_t *set = json_array();
    add(set, "00000000000000000000000000000001", "email", "a@example.org");
    add(set, "00000000000000000000000000000002", "sms", "+6281200000001");
    add(set, "00000000000000000000000000000003", "email", "b@example.org");
    heard_t heard = heard_after(db, set, &listener);
    assert_int_equal(heard.count, 1);
    assert_string_equal(heard.payload, "email,sms");
    assert_int_equal(test_db_scalar(db, "SELECT count(*) FROM deliveries WHERE event_id = 'ev-wake'"), 3);
    json_decref(set);

    db_destroy(&other);
    test_db_close(&db, &url);
}

static long prepared_like(db_t *db, const char *start)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql AND statement LIKE '%s%%'",
             start);
    return (long) test_db_scalar(db, sql);
}

static void claim_and_deliver(db_t *db, int max, int expected)
{
    db_error_t error;
    claimed_batch_t batch;
    assert_int_equal(delivery_store_claim(db, "email", max, 1, 60000, &batch, &error), 0);
    assert_int_equal(batch.count, expected);
    for (int i = 0; i < batch.count; i++) {
        delivery_finish_t delivered = {&batch.items[i], DELIVERY_DELIVERED, "250 ok", 0};
        assert_int_equal(delivery_store_finish(db, &delivered, 1, &error), 0);
    }
    claimed_batch_clear(&batch);
}

static db_t *senders_connection(const char *hint, char **url)
{
    db_t *db = test_db_open_migrated(hint, url);
    assert_non_null(db);
    db_error_t error;
    assert_int_equal(delivery_store_prepare_senders_connection(db, &error), 0);
    return db;
}

/* The senders' claims and outcomes are each planned once, not at every call (a claim's plan took
 * 1.1 ms on a busy machine, more than its execution). */
static void test_the_senders_statements_are_planned_once(void **state)
{
    (void) state;
    char *url;
    db_t *db = senders_connection("deliveryplans", &url);
    json_t *set = json_array();
    char id[33];
    for (int i = 0; i < 7; i++) {   /* past the five calls after which PostgreSQL may choose for itself */
        snprintf(id, sizeof id, "%032d", 20 + i);
        char recipient[32];
        snprintf(recipient, sizeof recipient, "r%d@example.org", i);
        add(set, id, "email", recipient);
    }
    db_error_t error;
    assert_int_equal(delivery_store_add_set(db, set, NULL, &error), 0);
    json_decref(set);
    for (int round = 0; round < 7; round++)
        claim_and_deliver(db, 1, 1);
    assert_int_equal(test_db_scalar(db, "SELECT count(*) FROM deliveries WHERE status = 'delivered'"), 7);
    assert_int_equal(prepared_like(db, "WITH due AS"), 1);
    assert_int_equal(prepared_like(db, "WITH told AS"), 1);
    assert_int_equal(test_db_scalar(db, "SELECT coalesce(sum(custom_plans), -1) FROM pg_prepared_statements "
                                        "WHERE statement LIKE 'WITH due AS%' OR statement LIKE 'WITH told AS%'"), 0);
    test_db_close(&db, &url);
}

static long delivery_scalar(db_t *db, const char *id, const char *expression)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT %s FROM deliveries d WHERE delivery_id = '%s'", expression, id);
    return (long) test_db_scalar(db, sql);
}

/* A sweep's outcomes go in one statement, each as it would alone: delivered, failed (due again
 * after its retry), gone (dead); an outcome told again, or after the attempt was taken over, changes
 * nothing. */
static void test_outcomes_are_recorded_together_each_as_its_own(void **state)
{
    (void) state;
    char *url;
    db_t *db = senders_connection("deliveryfinish", &url);
    json_t *set = json_array();
    add(set, "00000000000000000000000000000041", "email", "a@example.org");
    add(set, "00000000000000000000000000000042", "email", "b@example.org");
    add(set, "00000000000000000000000000000043", "email", "c@example.org");
    add(set, "00000000000000000000000000000044", "email", "d@example.org");
    db_error_t error;
    assert_int_equal(delivery_store_add_set(db, set, NULL, &error), 0);
    json_decref(set);
    claimed_batch_t batch;
    assert_int_equal(delivery_store_claim(db, "email", 4, 1, 60000, &batch, &error), 0);
    assert_int_equal(batch.count, 4);
    /* the fourth's lease ran out and another sender took it again: its first attempt's outcome is stale */
    test_db_script(db, "UPDATE deliveries SET attempts = 2 WHERE delivery_id = '00000000000000000000000000000044'");
    const delivery_outcome_t outcomes[] = {DELIVERY_DELIVERED, DELIVERY_FAILED, DELIVERY_GONE, DELIVERY_DELIVERED};
    const char *id_of[4];
    delivery_finish_t finished[4];
    for (int i = 0; i < 4; i++) {
        finished[i] = (delivery_finish_t) {&batch.items[i], outcomes[i], "said", 60000};
        id_of[i] = batch.items[i].delivery_id;
    }
    for (int round = 0; round < 2; round++) {   /* the second: the same outcomes told again */
        assert_int_equal(delivery_store_finish(db, finished, 4, &error), 0);
        assert_int_equal(delivery_scalar(db, id_of[0], "(status = 'delivered' AND delivered_at IS NOT NULL "
                                                       "AND last_error IS NULL)::int"), 1);
        assert_int_equal(delivery_scalar(db, id_of[1], "(status = 'pending' AND last_error = 'said')::int"), 1);
        assert_int_equal(delivery_scalar(db, id_of[1], "round(extract(epoch FROM next_attempt_at - now()))"), 60);
        assert_int_equal(delivery_scalar(db, id_of[2], "(status = 'dead')::int"), 1);
        assert_int_equal(delivery_scalar(db, id_of[3], "(status = 'sending')::int"), 1);
        assert_int_equal(test_db_scalar(db, "SELECT count(*) FROM delivery_attempts WHERE finished_at IS NOT NULL"),
                         4);
    }
    claimed_batch_clear(&batch);
    test_db_close(&db, &url);
}

/* History added to `deliveries` after the senders' plans were made, analyzed by nobody yet: $1
 * deliveries, three in five by e-mail to 1 499 receivers, each already delivered after one
 * attempt except every fifteenth, due, and a third of those under way for a live lease. */
static const char grow_deliveries[] =
    "WITH d AS (INSERT INTO deliveries (delivery_id, event_id, event_seq, event_type, channel, recipient_kind, "
    "  recipient, language, subject, body_text, status, attempts, max_attempts, next_attempt_at, lease_until, "
    "  delivered_at) "
    "SELECT 'grown' || i, 'ev' || i, i, 'report.verified', CASE WHEN i % 5 < 3 THEN 'email' ELSE 'inbox' END, "
    "  'reporter', 'r' || (i % 1499) || '@example.org', 'id', 's', 'b', "
    "  CASE WHEN i % 15 <> 0 THEN 'delivered' WHEN i % 45 = 0 THEN 'sending' ELSE 'pending' END, 1, 3, "
    "  now() - interval '1 hour' + i * interval '10 ms', "
    "  CASE WHEN i % 45 = 0 THEN now() + interval '1 minute' END, CASE WHEN i % 15 <> 0 THEN now() END "
    "FROM generate_series(1, $1::int) i RETURNING id, status) "
    "INSERT INTO delivery_attempts (delivery_id, attempt, started_at, finished_at, outcome) "
    "SELECT id, 1, now(), CASE WHEN status = 'delivered' THEN now() END, "
    "  CASE WHEN status = 'delivered' THEN 'delivered' END FROM d";

static int claim_counting_reads(db_t *db, void *ctx, db_error_t *error)
{
    long *rows_read = ctx;
    claimed_batch_t batch;
    if (delivery_store_claim(db, "email", 4, 1, 60000, &batch, error) != 0)
        return -1;
    assert_int_equal(batch.count, 4);
    delivery_finish_t finished[4];
    for (int i = 0; i < 4; i++)
        finished[i] = (delivery_finish_t) {&batch.items[i], DELIVERY_DELIVERED, "250 ok", 0};
    int rc = delivery_store_finish(db, finished, 4, error);
    claimed_batch_clear(&batch);
    if (rc != 0)
        return -1;
    *rows_read = (long) test_db_scalar(db, "SELECT sum(seq_tup_read + coalesce(idx_tup_fetch, 0)) "
                                           "FROM pg_stat_xact_user_tables "
                                           "WHERE relname IN ('deliveries', 'delivery_attempts')");
    return 1;   /* rolled back: only the count was wanted */
}

typedef enum {
    PLANNED_ON_TWO_ANALYZED_ROWS,
    PLANNED_ON_EMPTY_ANALYZED,
    PLANNED_ON_EMPTIED,   /* analyzed with 20 000 rows, then truncated */
} plan_time_t;

/* A claim's plan made while `deliveries` was young, and its outcomes', still read by index once
 * the table has grown by 20 000 rows that no analyze has seen: rows read in proportion to the
 * claim (its look-ahead of 16, their receivers' counts, the 4 claimed and their outcomes), not to
 * the table (444 of its rows under way), wherever the plans were made.
 * PostgreSQL's own generic plan at two rows read the whole table for each receiver's count (18
 * million rows); by index but unordered, on an empty analyzed table, it counted through every
 * due row; on a table emptied after an analyze, a bitmap scan read every due row before the
 * look-ahead. */
static void assert_claim_reads_by_index_after_growth(const char *hint, plan_time_t planned_on)
{
    char *url;
    db_t *db = senders_connection(hint, &url);
    json_t *set = json_array();
    add(set, "00000000000000000000000000000031", "email", "e@example.org");
    add(set, "00000000000000000000000000000032", "email", "f@example.org");
    db_error_t error;
    const char *rows[] = {"20000"};
    if (planned_on == PLANNED_ON_EMPTIED) {
        assert_int_equal(db_exec_ok(db, grow_deliveries, 1, rows, &error), 0);
        test_db_script(db, "ANALYZE deliveries; ANALYZE delivery_attempts; TRUNCATE deliveries CASCADE");
    }
    if (planned_on == PLANNED_ON_EMPTY_ANALYZED)
        test_db_script(db, "ANALYZE deliveries; ANALYZE delivery_attempts");
    if (planned_on != PLANNED_ON_TWO_ANALYZED_ROWS)
        claim_and_deliver(db, 1, 0);   /* planned here, on the empty table */
    assert_int_equal(delivery_store_add_set(db, set, NULL, &error), 0);
    json_decref(set);
    if (planned_on == PLANNED_ON_TWO_ANALYZED_ROWS)
        test_db_script(db, "ANALYZE deliveries; ANALYZE delivery_attempts");
    claim_and_deliver(db, 1, 1);
    claim_and_deliver(db, 1, 1);
    assert_int_equal(db_exec_ok(db, grow_deliveries, 1, rows, &error), 0);
    long rows_read = -1;
    assert_int_equal(db_transaction(db, claim_counting_reads, &rows_read, &error), 1);
    assert_in_range(rows_read, 1, 200);
    test_db_close(&db, &url);
}

static void test_a_claim_planned_on_two_rows_reads_by_index_as_the_table_grows(void **state)
{
    (void) state;
    assert_claim_reads_by_index_after_growth("deliverytwo", PLANNED_ON_TWO_ANALYZED_ROWS);
}

static void test_a_claim_planned_on_an_empty_table_reads_by_index_as_it_grows(void **state)
{
    (void) state;
    assert_claim_reads_by_index_after_growth("deliveryempty", PLANNED_ON_EMPTY_ANALYZED);
}

static void test_a_claim_planned_on_an_emptied_table_reads_by_index_as_it_grows(void **state)
{
    (void) state;
    assert_claim_reads_by_index_after_growth("deliveryemptied", PLANNED_ON_EMPTIED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_set_wakes_the_senders_after_its_commit_with_its_channels),
        cmocka_unit_test(test_the_senders_statements_are_planned_once),
        cmocka_unit_test(test_outcomes_are_recorded_together_each_as_its_own),
        cmocka_unit_test(test_a_claim_planned_on_two_rows_reads_by_index_as_the_table_grows),
        cmocka_unit_test(test_a_claim_planned_on_an_empty_table_reads_by_index_as_it_grows),
        cmocka_unit_test(test_a_claim_planned_on_an_emptied_table_reads_by_index_as_it_grows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
