#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "address_policy.h"

/* The address as a socket address of its own family. */
typedef union {
    struct sockaddr any;
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
} address_t;

static const struct sockaddr *parse(const char *text, address_t *a)
{
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, text, &a->v4.sin_addr) == 1) {
        a->v4.sin_family = AF_INET;
    } else {
        assert_int_equal(inet_pton(AF_INET6, text, &a->v6.sin6_addr), 1);
        a->v6.sin6_family = AF_INET6;
    }
    return &a->any;
}

static bool allowed(const address_policy_t *policy, const char *text)
{
    address_t a;
    return address_policy_allows(policy, parse(text, &a));
}

static void test_internal_addresses_are_refused(void **state)
{
    (void) state;
    static const char *const internal[] = {
        "127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3",
        "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.2.10", "198.18.0.1",
        "::", "::1", "fe80::1", "febf::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1",
        "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe",
        "64:ff9b::7f00:1", "::127.0.0.1", "2002:7f00:1::1", "64:ff9b:1::1",
    };
    address_policy_t policy;
    char reason[128];
    assert_int_equal(address_policy_init(&policy, "", reason, sizeof reason), 0);
    for (size_t i = 0; i < sizeof internal / sizeof internal[0]; i++) {
        address_t a;
        if (allowed(&policy, internal[i]))
            fail_msg("%s was allowed", internal[i]);
        assert_non_null(address_policy_range(parse(internal[i], &a)));
    }
}

static void test_public_addresses_are_allowed(void **state)
{
    (void) state;
    static const char *const public[] = {"8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.1", "172.15.255.255",
                                         "172.32.0.1", "169.253.255.255", "192.169.0.1", "2606:4700::1111",
                                         "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808"};
    address_policy_t policy;
    char reason[128];
    assert_int_equal(address_policy_init(&policy, "", reason, sizeof reason), 0);
    for (size_t i = 0; i < sizeof public / sizeof public[0]; i++)
        if (!allowed(&policy, public[i]))
            fail_msg("%s was refused", public[i]);
}

static void test_kinds_are_named(void **state)
{
    (void) state;
    address_t a;
    assert_string_equal(address_policy_range(parse("127.0.0.1", &a)), "loopback");
    assert_string_equal(address_policy_range(parse("169.254.169.254", &a)), "link-local");
    assert_string_equal(address_policy_range(parse("100.64.1.1", &a)), "shared (CGNAT)");
    assert_string_equal(address_policy_range(parse("fd00::1", &a)), "private");
    assert_null(address_policy_range(parse("8.8.4.4", &a)));
}

static void test_allow_list_opens_only_its_blocks(void **state)
{
    (void) state;
    address_policy_t policy;
    char reason[128];
    assert_int_equal(address_policy_init(&policy, "127.0.0.1/32, 10.20.0.0/16,fd00::/8", reason, sizeof reason), 0);
    assert_int_equal(policy.allow_count, 3);
    assert_true(allowed(&policy, "127.0.0.1"));
    assert_true(allowed(&policy, "::ffff:127.0.0.1"));
    assert_false(allowed(&policy, "127.0.0.2"));
    assert_true(allowed(&policy, "10.20.255.1"));
    assert_false(allowed(&policy, "10.21.0.1"));
    assert_true(allowed(&policy, "fd12::1"));
    assert_false(allowed(&policy, "fc00::1"));
    assert_false(allowed(&policy, "169.254.169.254"));
    assert_int_equal(address_policy_init(&policy, "192.168.1.7", reason, sizeof reason), 0);
    assert_true(allowed(&policy, "192.168.1.7"));
    assert_false(allowed(&policy, "192.168.1.8"));
}

static void test_bad_allow_lists_are_refused(void **state)
{
    (void) state;
    address_policy_t policy;
    char reason[128];
    static const char *const bad[] = {"10.0.0.0/33", "fd00::/129", "localhost", "10.0.0.0/", "10.0.0.0/x", "/8"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        reason[0] = '\0';
        if (address_policy_init(&policy, bad[i], reason, sizeof reason) != -1)
            fail_msg("'%s' was taken", bad[i]);
        assert_true(reason[0] != '\0');
    }
}

static void test_urls_are_checked_by_the_addresses_of_their_host(void **state)
{
    (void) state;
    address_policy_t policy;
    char reason[128];
    assert_int_equal(address_policy_init(&policy, "", reason, sizeof reason), 0);
    assert_int_equal(address_policy_check_url(&policy, "http://127.0.0.1:8901/hook", reason, sizeof reason), 1);
    assert_non_null(strstr(reason, "loopback"));
    assert_int_equal(address_policy_check_url(&policy, "http://169.254.169.254/latest/meta-data/", reason,
                                              sizeof reason), 1);
    assert_int_equal(address_policy_check_url(&policy, "https://[::1]:8443/", reason, sizeof reason), 1);
    assert_int_equal(address_policy_check_url(&policy, "http://2130706433/", reason, sizeof reason), 1);
    assert_int_equal(address_policy_check_url(&policy, "https://8.8.8.8/hook", reason, sizeof reason), 0);
    /* A name that does not resolve now is left to the check at connect time. */
    assert_int_equal(address_policy_check_url(&policy, "https://no-such-host.invalid/hook", reason, sizeof reason), 0);
    assert_int_equal(address_policy_init(&policy, "127.0.0.1/32", reason, sizeof reason), 0);
    assert_int_equal(address_policy_check_url(&policy, "http://127.0.0.1:8901/hook", reason, sizeof reason), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_internal_addresses_are_refused),
        cmocka_unit_test(test_public_addresses_are_allowed),
        cmocka_unit_test(test_kinds_are_named),
        cmocka_unit_test(test_allow_list_opens_only_its_blocks),
        cmocka_unit_test(test_bad_allow_lists_are_refused),
        cmocka_unit_test(test_urls_are_checked_by_the_addresses_of_their_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
