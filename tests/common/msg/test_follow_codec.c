#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "follow_codec.h"

static char reason[256];

/* The stored form: one follow per address, whatever case it was typed in. */
static void test_email_lower_cased(void **state)
{
    (void) state;
    char out[FOLLOW_EMAIL_MAX + 1];
    assert_int_equal(follow_email_normalize("Pengikut.Warga@Example.ORG", out), 0);
    assert_string_equal(out, "pengikut.warga@example.org");
}

static void test_email_shapes_refused(void **state)
{
    (void) state;
    char out[FOLLOW_EMAIL_MAX + 1], long_address[FOLLOW_EMAIL_MAX + 2];
    const char *bad[] = {"", "tanpa-at", "@example.org", "warga@", "a@b@c", "a b@example.org", "a@example.org\r\nBcc: x",
                         "tab\t@example.org"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(follow_email_normalize(bad[i], out), -1);
    memset(long_address, 'a', sizeof long_address - 1);
    long_address[sizeof long_address - 1] = '\0';
    long_address[10] = '@';
    assert_int_equal(follow_email_normalize(long_address, out), -1);
    long_address[FOLLOW_EMAIL_MAX] = '\0';   /* exactly the longest */
    assert_int_equal(follow_email_normalize(long_address, out), 0);
}

static void test_request_and_state_round_trip(void **state)
{
    (void) state;
    follow_request_t in = {.tracking_id = "K7M2-Q9XD-4HPA", .email = "a@b.id", .language = "en"}, out;
    unsigned char *bytes = NULL;
    size_t size = 0;
    assert_int_equal(follow_request_encode(&in, &bytes, &size), 0);
    assert_int_equal(follow_request_decode(bytes, size, &out, reason, sizeof reason), 0);
    free(bytes);
    assert_string_equal(out.email, "a@b.id");
    assert_string_equal(out.language, "en");
    assert_null(out.token);
    follow_request_clear(&out);
    follow_state_t s = {.tracking_id = "K7M2-Q9XD-4HPA", .state = "confirmed"}, back;
    assert_int_equal(follow_state_encode(&s, &bytes, &size), 0);
    assert_int_equal(follow_state_decode(bytes, size, &back, reason, sizeof reason), 0);
    free(bytes);
    assert_string_equal(back.state, "confirmed");
    follow_state_clear(&back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_email_lower_cased),
        cmocka_unit_test(test_email_shapes_refused),
        cmocka_unit_test(test_request_and_state_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
