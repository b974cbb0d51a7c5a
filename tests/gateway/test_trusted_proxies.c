#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "trusted_proxies.h"

static trusted_proxies_t parsed(const char *list)
{
    trusted_proxies_t proxies;
    char reason[200] = "";
    assert_int_equal(trusted_proxies_parse(list, &proxies, reason, sizeof reason), 0);
    return proxies;
}

static net_ip_t ip(const char *text)
{
    net_ip_t address;
    assert_int_equal(net_ip_parse(text, strlen(text), &address), 0);
    return address;
}

/* The client's address as text, for a request from `peer` with X-Forwarded-For `forwarded`. */
static const char *client(const trusted_proxies_t *proxies, const char *peer, const char *forwarded)
{
    static char text[NET_IP_TEXT_MAX];
    net_ip_t from = ip(peer);
    net_ip_t found = trusted_proxies_client(proxies, &from, forwarded);
    net_ip_format(&found, text);
    return text;
}

static void test_addresses_and_cidrs_of_both_families(void **state)
{
    (void) state;
    trusted_proxies_t p = parsed(" 10.0.0.0/8, 192.0.2.7 2001:db8::/32,127.0.0.1/32 ");
    assert_int_equal(p.count, 4);
    net_ip_t inside = ip("10.200.3.4"), outside = ip("11.0.0.1"), exact = ip("192.0.2.7"), next = ip("192.0.2.8");
    net_ip_t v6 = ip("2001:db8:ffff::1"), other_v6 = ip("2001:db9::1"), mapped_zero = ip("::");
    assert_true(trusted_proxies_contains(&p, &inside));
    assert_false(trusted_proxies_contains(&p, &outside));
    assert_true(trusted_proxies_contains(&p, &exact));
    assert_false(trusted_proxies_contains(&p, &next));
    assert_true(trusted_proxies_contains(&p, &v6));
    assert_false(trusted_proxies_contains(&p, &other_v6));
    assert_false(trusted_proxies_contains(&p, &mapped_zero));
}

static void test_an_ipv4_slash_zero_covers_ipv4_only(void **state)
{
    (void) state;
    trusted_proxies_t p = parsed("0.0.0.0/0");
    net_ip_t v4 = ip("203.0.113.9"), v6 = ip("2001:db8::1");
    assert_true(trusted_proxies_contains(&p, &v4));
    assert_false(trusted_proxies_contains(&p, &v6));
}

static void test_nothing_is_trusted_by_default(void **state)
{
    (void) state;
    trusted_proxies_t p = parsed("");
    assert_int_equal(p.count, 0);
    net_ip_t loopback = ip("127.0.0.1");
    assert_false(trusted_proxies_contains(&p, &loopback));
}

static void test_malformed_lists_are_refused_with_the_item(void **state)
{
    (void) state;
    static const char *const bad[] = {"10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "proxy.example", "2001:db8::/129",
                                      "10.0.0.1/8x", "1.2.3.4/-1", "::1/1000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        trusted_proxies_t p;
        char reason[200] = "";
        assert_int_equal(trusted_proxies_parse(bad[i], &p, reason, sizeof reason), -1);
        assert_non_null(strstr(reason, bad[i]));
    }
}

static void test_forwarded_for_from_an_untrusted_peer_is_ignored(void **state)
{
    (void) state;
    trusted_proxies_t p = parsed("10.0.0.1");
    assert_string_equal(client(&p, "198.51.100.20", "203.0.113.5"), "198.51.100.20");
}

static void test_the_right_most_untrusted_address_is_the_client(void **state)
{
    (void) state;
    trusted_proxies_t p = parsed("10.0.0.0/24");
    /* The client forged the first entry; our proxies wrote the last two. */
    assert_string_equal(client(&p, "10.0.0.1", "1.1.1.1, 203.0.113.5, 10.0.0.2"), "203.0.113.5");
    assert_string_equal(client(&p, "10.0.0.1", "203.0.113.5"), "203.0.113.5");
    assert_string_equal(client(&p, "10.0.0.1", " 2001:db8::5 "), "2001:db8::5");
}

static void test_without_an_untrusted_entry_the_last_trusted_hop_is_the_client(void **state)
{
    (void) state;
    trusted_proxies_t p = parsed("10.0.0.0/24");
    assert_string_equal(client(&p, "10.0.0.1", NULL), "10.0.0.1");
    assert_string_equal(client(&p, "10.0.0.1", ""), "10.0.0.1");
    assert_string_equal(client(&p, "10.0.0.1", "10.0.0.3,10.0.0.2"), "10.0.0.3");
    assert_string_equal(client(&p, "10.0.0.1", "203.0.113.5, garbage, 10.0.0.2"), "10.0.0.2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addresses_and_cidrs_of_both_families),
        cmocka_unit_test(test_an_ipv4_slash_zero_covers_ipv4_only),
        cmocka_unit_test(test_nothing_is_trusted_by_default),
        cmocka_unit_test(test_malformed_lists_are_refused_with_the_item),
        cmocka_unit_test(test_forwarded_for_from_an_untrusted_peer_is_ignored),
        cmocka_unit_test(test_the_right_most_untrusted_address_is_the_client),
        cmocka_unit_test(test_without_an_untrusted_entry_the_last_trusted_hop_is_the_client),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
