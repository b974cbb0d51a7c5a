#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "zmq_endpoints.h"

static void test_loopback_ipc_and_inproc_are_local(void **state)
{
    (void) state;
    assert_true(zmq_endpoints_all_local("tcp://127.0.0.1:7101"));
    assert_true(zmq_endpoints_all_local("tcp://127.0.0.2:7101, tcp://localhost:7102"));
    assert_true(zmq_endpoints_all_local("tcp://[::1]:7101,ipc:///tmp/aduan.sock,inproc://x"));
    assert_true(zmq_endpoints_all_local(""));
}

static void test_any_other_address_is_not(void **state)
{
    (void) state;
    assert_false(zmq_endpoints_all_local("tcp://0.0.0.0:7101"));
    assert_false(zmq_endpoints_all_local("tcp://*:7101"));
    assert_false(zmq_endpoints_all_local("tcp://10.0.0.5:7101"));
    assert_false(zmq_endpoints_all_local("tcp://127.0.0.1:7101,tcp://intake-1:7101"));
    assert_false(zmq_endpoints_all_local("tcp://localhost.example.org:7101"));
    assert_false(zmq_endpoints_all_local("tcp://1270.0.0.1:7101"));
    assert_false(zmq_endpoints_all_local("tcp://127.evil.example:7101"));
    assert_false(zmq_endpoints_all_local("tcp://127.0.0.1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loopback_ipc_and_inproc_are_local),
        cmocka_unit_test(test_any_other_address_is_not),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
