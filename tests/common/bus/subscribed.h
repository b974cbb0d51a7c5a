#ifndef ADUAN_TESTS_SUBSCRIBED_H
#define ADUAN_TESTS_SUBSCRIBED_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>

/* Until a subscriber's subscription has reached this XPUB socket (the fake hub's), so that what
 * it publishes next is not dropped for want of one; a fixed pause was a guess a slow machine
 * could outlast. */
static inline void wait_subscribed(zsock_t *xpub)
{
    zsock_set_rcvtimeo(xpub, 10000);
    zframe_t *subscription = zframe_recv(xpub);
    assert_non_null(subscription);
    assert_true(zframe_size(subscription) >= 1 && zframe_data(subscription)[0] == 1);
    zframe_destroy(&subscription);
}

#endif
