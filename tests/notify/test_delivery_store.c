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

/* On the senders' connection, which prepares its statements, an outcome is prepared (planned
 * once) and a claim never is (planned for the deliveries due at each call). */
static void test_a_claim_is_planned_at_every_call_and_an_outcome_once(void **state)
{
    (void) state;
    char *url;
    db_t *db = test_db_open_migrated("deliveryplans", &url);
    assert_non_null(db);
    db_prepare_statements(db);
    json_t *set = json_array();
    add(set, "00000000000000000000000000000011", "email", "c@example.org");
    add(set, "00000000000000000000000000000012", "email", "d@example.org");
    db_error_t error;
    assert_int_equal(delivery_store_add_set(db, set, NULL, &error), 0);
    json_decref(set);
    for (int round = 0; round < 2; round++) {
        claimed_batch_t batch;
        assert_int_equal(delivery_store_claim(db, "email", 1, 1, 60000, &batch, &error), 0);
        assert_int_equal(batch.count, 1);
        assert_int_equal(delivery_store_finish(db, &batch.items[0], DELIVERY_DELIVERED, "250 ok", 0, &error), 0);
        claimed_batch_clear(&batch);
    }
    assert_int_equal(test_db_scalar(db, "SELECT count(*) FROM deliveries WHERE status = 'delivered'"), 2);
    assert_int_equal(prepared_like(db, "WITH due AS"), 0);
    assert_int_equal(prepared_like(db, "WITH attempt AS"), 1);
    test_db_close(&db, &url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_set_wakes_the_senders_after_its_commit_with_its_channels),
        cmocka_unit_test(test_a_claim_is_planned_at_every_call_and_an_outcome_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
