#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "process_memory.h"

#define MB ((size_t) 1 << 20)

/* AddressSanitizer's allocator, not glibc's, serves malloc: glibc's arenas, which mallinfo2
 * reads, never see the blocks. */
static void need_heap_figures(void)
{
#if defined(__SANITIZE_ADDRESS__)
    skip();
#endif
}

static void test_a_block_counts_in_use_until_freed(void **state)
{
    (void) state;
    need_heap_figures();
    size_t before = process_memory_heap_in_use();
    char *block = malloc(4 * MB);
    assert_non_null(block);
    assert_true(process_memory_heap_in_use() >= before + 4 * MB);
    free(block);
    assert_true(process_memory_heap_in_use() < before + MB);
}

/* A freed block with one still in use above it stays in the arena: what RSS cannot tell apart. */
static void test_a_block_freed_below_one_in_use_counts_free(void **state)
{
    (void) state;
    need_heap_figures();
    enum { SMALL = 48 * 1024, COUNT = 16 };
    char *blocks[COUNT];
    for (int i = 0; i < COUNT; i++) {
        blocks[i] = malloc(SMALL);
        assert_non_null(blocks[i]);
    }
    size_t before = process_memory_heap_free();
    for (int i = 0; i < COUNT - 1; i++)
        free(blocks[i]);
    assert_true(process_memory_heap_free() >= before + (COUNT - 1) * (size_t) SMALL);
    free(blocks[COUNT - 1]);
}

static void test_touched_pages_count_resident(void **state)
{
    (void) state;
    size_t before = process_memory_resident();
    assert_true(before > 0);
    char *block = malloc(16 * MB);
    assert_non_null(block);
    memset(block, 1, 16 * MB);
    assert_true(process_memory_resident() >= before + 15 * MB);
    free(block);
}

static double gauge_in(const char *text, const char *name)
{
    char line[128];
    snprintf(line, sizeof line, "\n%s ", name);
    const char *at = strstr(text, line);
    assert_non_null(at);
    return strtod(at + strlen(line), NULL);
}

static void test_published_gauges_carry_the_figures(void **state)
{
    (void) state;
    char *block = malloc(8 * MB);
    assert_non_null(block);
    memset(block, 1, 8 * MB);
    process_memory_publish();
    char *text = metrics_render();
    assert_non_null(text);
    assert_true(gauge_in(text, "process_resident_memory_bytes") >= 8.0 * MB);
#if !defined(__SANITIZE_ADDRESS__)
    assert_true(gauge_in(text, "aduan_heap_in_use_bytes") >= 8.0 * MB);
#endif
    assert_non_null(strstr(text, "# TYPE aduan_heap_free_bytes gauge\naduan_heap_free_bytes "));
    free(text);
    free(block);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_block_counts_in_use_until_freed),
        cmocka_unit_test(test_a_block_freed_below_one_in_use_counts_free),
        cmocka_unit_test(test_touched_pages_count_resident),
        cmocka_unit_test(test_published_gauges_carry_the_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
