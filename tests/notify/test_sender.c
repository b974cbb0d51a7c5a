/* The sender against a database (no receivers: nothing is due, so nothing is sent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sender.h"
#include "test_db.h"

static db_t *db;
static char *url;

static int setup(void **state)
{
    (void) state;
    db = test_db_open_migrated("sender", &url);
    return db ? 0 : -1;
}

static int teardown(void **state)
{
    (void) state;
    test_db_close(&db, &url);
    return 0;
}

/* The claim runs on the generic plan prepared once: planned at every call it cost 3 ms a claim,
 * most of its cost, and the plans PostgreSQL made for the values at hand could read every due row
 * of the channel (docs/performance.md, branches notify2 and plans). After a second of claims
 * (every 200 ms, each channel), the claim was never planned for its values. */
static void test_the_claim_is_not_planned_again(void **state)
{
    (void) state;
    address_policy_t policy = {0};
    sender_settings_t settings = {.smtp_url = "smtp://127.0.0.1:9", .smtp_tls = "off", .smtp_user = "",
                                  .smtp_password = "", .mail_from = "aduan@example.org", .mail_from_name = "aduan",
                                  .sms_url = "", .sms_secret = "", .smtp_timeout_ms = 1000, .http_timeout_ms = 1000,
                                  .smtp_concurrency = 4, .http_concurrency = 4, .per_receiver = 2,
                                  .retry_base_ms = 1000, .retry_cap_ms = 10000, .webhook_policy = &policy};
    char reason[200];
    sender_t *sender = sender_new(&settings, db, reason, sizeof reason);
    assert_non_null(sender);
    for (int i = 0; i < 10; i++)
        sender_run_once(sender, 220, true);
    sender_destroy(&sender);
    db_error_t error;
    char *plans = NULL;
    assert_int_equal(db_query_value(db,
        "SELECT sum(generic_plans) || ' generic, ' || sum(custom_plans) || ' custom' FROM pg_prepared_statements "
        "WHERE statement LIKE 'WITH due AS %'", 0, NULL, &plans, &error), 0);
    if (!plans || atoi(plans) < 12 || !strstr(plans, " 0 custom"))
        fail_msg("the claim's plans: %s", plans ? plans : "not prepared");
    free(plans);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_claim_is_not_planned_again),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
