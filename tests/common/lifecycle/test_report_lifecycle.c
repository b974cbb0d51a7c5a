#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "report_lifecycle.h"

static const char *const statuses[] = {"waiting_verification", "postponed", "verified", "dispatched", "transferred",
                                       "in_process", "reporter_replied", "archived", "closed_by_admin",
                                       "closed_by_system", NULL};
static const char *const clocks[] = {"verification", "follow_up", "resolution", "reporter_reply", NULL};

static bool listed(const char *const *list, const char *name)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], name) == 0)
            return true;
    return false;
}

static void test_every_rule_names_known_statuses_clocks_and_services(void **state)
{
    (void) state;
    int n = 0;
    const lifecycle_rule_t *rules = lifecycle_rules(&n);
    assert_true(n > 10);
    for (int i = 0; i < n; i++) {
        const lifecycle_rule_t *r = &rules[i];
        assert_ptr_equal(lifecycle_rule(r->action), r);  /* actions are unique */
        assert_true(!r->to || listed(statuses, r->to));  /* NULL: the status stays (internal notes) */
        assert_non_null(r->from[0]);
        for (int j = 0; r->from[j]; j++)
            assert_true(listed(statuses, r->from[j]));
        for (int j = 0; r->meet[j]; j++)
            assert_true(listed(clocks, r->meet[j]));
        for (int j = 0; r->cancel[j]; j++)
            assert_true(listed(clocks, r->cancel[j]));
        for (int j = 0; r->open[j]; j++)
            assert_true(listed(clocks, r->open[j]));
        static const char *const services[] = {"intake", "verify", "route", "federate", NULL};
        assert_true(listed(services, r->service));
        assert_int_equal(strncmp(r->event_type, "report.", 7), 0);
        assert_true(r->roles != 0);
    }
}

static void test_negative_actions_need_a_reason(void **state)
{
    (void) state;
    static const char *const negative[] = {"postpone", "not_our_authority", "archive", "transfer", "reopen"};
    for (size_t i = 0; i < sizeof negative / sizeof negative[0]; i++) {
        const lifecycle_rule_t *r = lifecycle_rule(negative[i]);
        assert_non_null(r);
        assert_true(r->reason_required);
        assert_non_null(r->reason_action);
    }
    assert_true(lifecycle_rule("postpone")->note_required);  /* the question to the reporter */
}

static void test_an_internal_note_is_staff_only_and_keeps_the_status(void **state)
{
    (void) state;
    const lifecycle_rule_t *note = lifecycle_rule("internal_note");
    assert_non_null(note);
    assert_null(note->to);
    assert_true(note->note_required);
    assert_true(lifecycle_internal(note));
    assert_false(note->roles & (ROLE_REPORTER | ROLE_ANALYST));
    assert_true(note->roles & ROLE_UNIT_LIAISON);
    assert_false(lifecycle_allowed_from(note, "waiting_verification"));  /* the desk has no holder yet */
    assert_true(lifecycle_allowed_from(note, "in_process"));
    int n = 0;
    const lifecycle_rule_t *rules = lifecycle_rules(&n);
    for (int i = 0; i < n; i++)
        assert_int_equal(lifecycle_internal(&rules[i]), strcmp(rules[i].action, "internal_note") == 0
                                                            || strcmp(rules[i].action, "assign") == 0);
    const lifecycle_rule_t *assign = lifecycle_rule("assign");
    assert_null(assign->to);
    assert_true(assign->roles & ROLE_UNIT_LIAISON);  /* an officer takes a report */
    assert_false(lifecycle_allowed_from(assign, "closed_by_admin"));
}

static void test_illegal_transitions_are_refused(void **state)
{
    (void) state;
    assert_true(lifecycle_allowed_from(lifecycle_rule("verify"), "waiting_verification"));
    assert_false(lifecycle_allowed_from(lifecycle_rule("verify"), "postponed"));
    assert_false(lifecycle_allowed_from(lifecycle_rule("verify"), "dispatched"));
    assert_false(lifecycle_allowed_from(lifecycle_rule("follow_up"), "waiting_verification"));
    assert_false(lifecycle_allowed_from(lifecycle_rule("close"), "dispatched"));  /* nobody answered yet */
    assert_false(lifecycle_allowed_from(lifecycle_rule("reply"), "dispatched"));
    assert_false(lifecycle_allowed_from(lifecycle_rule("auto_close"), "reporter_replied"));  /* disputing */
    assert_false(lifecycle_allowed_from(lifecycle_rule("reopen"), "archived"));
    assert_false(lifecycle_allowed_from(lifecycle_rule("verify"), NULL));
    assert_null(lifecycle_rule("delete"));
    assert_null(lifecycle_rule(NULL));
}

static void test_roles_are_kept_to_their_work(void **state)
{
    (void) state;
    int n = 0;
    const lifecycle_rule_t *rules = lifecycle_rules(&n);
    for (int i = 0; i < n; i++) {
        assert_false(rules[i].roles & ROLE_ANALYST);  /* analysts only read */
        bool reporter = rules[i].roles & ROLE_REPORTER, system = rules[i].roles & ROLE_SYSTEM;
        assert_true(!reporter || strcmp(rules[i].service, "intake") == 0);
        assert_true(!reporter || rules[i].scope == SCOPE_NONE);
        assert_true(!system || rules[i].roles == ROLE_SYSTEM);
        assert_true((rules[i].roles & ROLE_STAFF) == 0 || rules[i].scope != SCOPE_NONE);
    }
    assert_false(lifecycle_rule("close")->roles & ROLE_UNIT_LIAISON);
    assert_true(lifecycle_rule("follow_up")->roles & ROLE_UNIT_LIAISON);
    assert_int_equal(lifecycle_role_bit("institution_admin"), ROLE_INSTITUTION_ADMIN);
    assert_int_equal(lifecycle_role_bit("root"), 0);
    assert_int_equal(lifecycle_role_bit(NULL), 0);
}

static void test_a_reply_stops_auto_close_and_restarts_the_institution_clock(void **state)
{
    (void) state;
    const lifecycle_rule_t *reply = lifecycle_rule("reply"), *follow_up = lifecycle_rule("follow_up");
    assert_true(listed(reply->cancel, "reporter_reply"));
    assert_true(listed(reply->open, "follow_up"));
    assert_true(listed(follow_up->meet, "follow_up"));
    assert_true(listed(follow_up->open, "reporter_reply"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_rule_names_known_statuses_clocks_and_services),
        cmocka_unit_test(test_negative_actions_need_a_reason),
        cmocka_unit_test(test_an_internal_note_is_staff_only_and_keeps_the_status),
        cmocka_unit_test(test_illegal_transitions_are_refused),
        cmocka_unit_test(test_roles_are_kept_to_their_work),
        cmocka_unit_test(test_a_reply_stops_auto_close_and_restarts_the_institution_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
