#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http_reply.h"
#include "http_wait.h"

static unsigned char *body_of(const char *text)
{
    unsigned char *body = malloc(strlen(text));
    assert_non_null(body);
    memcpy(body, text, strlen(text));
    return body;
}

/* As the dispatcher leaves it (http_wait.c's on_result): the reply kept for the passes after. */
static void store_reply(request_t *req, const char *type, const char *text)
{
    envelope_t *reply = envelope_new(type, 1, req->id, req->id);
    assert_non_null(reply);
    envelope_take_body(reply, body_of(text), strlen(text));
    req->results[req->results_count].reply = reply;
    req->results_count++;
}

/* The first pass has nothing stored: its command is set aside to be sent, not answered. */
static void test_the_first_pass_sends_its_command(void **state)
{
    (void) state;
    request_t req;
    memset(&req, 0, sizeof req);
    strcpy(req.id, "req-1");
    assert_false(http_command_answered(&req));
    char reason[256];
    assert_null(http_command(&req, PEER_INTAKE, "report.submit", body_of("first"), 5, reason, sizeof reason));
    assert_non_null(req.outgoing);
    assert_string_equal(req.outgoing->type, "report.submit");
    assert_false(http_command_answered(&req));   /* a second command waits for the first */
    http_wait_clear(&req);
}

/* The pass after the reply: the command is answered from what was stored, with no body built for
 * it, and the handler may ask for the same reply again in a later pass. */
static void test_a_pass_after_the_reply_is_answered_without_a_body(void **state)
{
    (void) state;
    request_t req;
    memset(&req, 0, sizeof req);
    strcpy(req.id, "req-2");
    store_reply(&req, "report.receipt", "stored");
    assert_true(http_command_answered(&req));
    char reason[256];
    envelope_t *reply = http_command(&req, PEER_INTAKE, "report.submit", NULL, 0, reason, sizeof reason);
    assert_non_null(reply);
    assert_string_equal(reply->type, "report.receipt");
    assert_int_equal(reply->body_size, 6);
    assert_memory_equal(reply->body, "stored", 6);
    assert_null(req.outgoing);
    envelope_destroy(&reply);
    assert_false(http_command_answered(&req));   /* the next command of the pass has no reply yet */

    req.pass_commands = 0;   /* another pass from the top */
    assert_true(http_command_answered(&req));
    http_wait_clear(&req);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_first_pass_sends_its_command),
        cmocka_unit_test(test_a_pass_after_the_reply_is_answered_without_a_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
