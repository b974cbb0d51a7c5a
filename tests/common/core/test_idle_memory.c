#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idle_memory.h"

/* The heap's free bytes as the tests set them, and how often idle_memory read them. */
static size_t fake_free;
static int free_reads;

static size_t read_fake_free(void)
{
    free_reads++;
    return fake_free;
}

static idle_memory_t *idle_new(int64_t quiet_ms, uint64_t min_work)
{
    idle_memory_t *idle = idle_memory_new(quiet_ms, min_work);
    assert_non_null(idle);
    idle_memory_set_free_reader(idle, read_fake_free);
    free_reads = 0;
    return idle;
}

static bool due(idle_memory_t *idle, uint64_t work_done, size_t free_bytes, int64_t now_ms)
{
    fake_free = free_bytes;
    return idle_memory_due(idle, work_done, now_ms);
}

static void test_memory_goes_back_once_after_a_quiet_spell(void **state)
{
    (void) state;
    idle_memory_t *idle = idle_new(2000, 1);
    assert_non_null(idle);
    assert_false(due(idle, 0, 0, 0));       /* nothing served yet */
    assert_false(due(idle, 0, 0, 10000));
    assert_false(due(idle, 250, 0, 11000)); /* a burst */
    assert_false(due(idle, 250, 0, 12000)); /* quiet for 1 s only */
    assert_true(due(idle, 250, 0, 13000));
    assert_false(due(idle, 250, 0, 14000)); /* once per quiet spell */
    assert_false(due(idle, 250, 0, 60000));
    idle_memory_destroy(&idle);
    assert_null(idle);
}

static void test_a_steady_load_never_trims(void **state)
{
    (void) state;
    idle_memory_t *idle = idle_new(2000, 1);
    for (int64_t t = 0; t < 60000; t += 1000)
        assert_false(due(idle, (uint64_t) t / 10, 0, t));
    assert_true(due(idle, 5900, 0, 61000));
    idle_memory_destroy(&idle);
}

/* A consumer trims only after a backlog: a quiet spell after a few events forgets them. */
static void test_little_work_before_a_quiet_spell_is_forgotten(void **state)
{
    (void) state;
    idle_memory_t *idle = idle_new(2000, 1000);
    assert_non_null(idle);
    assert_false(due(idle, 600, 0, 0));
    assert_false(due(idle, 600, 0, 3000));   /* quiet after 600: not enough */
    assert_false(due(idle, 1400, 0, 4000));  /* 800 more: still not 1000 since that spell */
    assert_false(due(idle, 1400, 0, 7000));
    assert_false(due(idle, 2500, 0, 8000));  /* 1100 since the last spell */
    assert_false(due(idle, 2500, 0, 9000));
    assert_true(due(idle, 2500, 0, 10000));
    assert_false(due(idle, 2500, 0, 20000));
    idle_memory_destroy(&idle);
}

#define MB ((size_t) 1 << 20)

/* A consumer drops the live events queued while it was behind only after it has caught up: freed
 * after the spell's first trim, they went back only with the next burst (verify idle at 60 MB
 * after a backlog of 20 000 reports). */
static void test_memory_freed_after_the_trim_goes_back_too(void **state)
{
    (void) state;
    idle_memory_t *idle = idle_new(2000, 1000);
    assert_non_null(idle);
    assert_false(due(idle, 20000, 6 * MB, 0));
    assert_true(due(idle, 20000, 6 * MB, 2000));    /* the spell's first trim */
    assert_false(due(idle, 20000, 6 * MB, 3000));
    assert_true(due(idle, 20000, 63 * MB, 4000));   /* freed since: again */
    assert_false(due(idle, 20000, 63 * MB, 5000));  /* nothing more freed */
    assert_false(due(idle, 20000, 63 * MB + MB / 2, 6000));  /* too little to be worth it */
    assert_false(due(idle, 20000, 2 * MB, 7000));   /* reused... */
    assert_true(due(idle, 20000, 7 * MB, 8000));    /* ...and freed again */
    /* what a gateway's live feed frees after a burst of events: a sixth of its budget, kept
     * until the next burst when the spell waited for 4 MB */
    assert_true(due(idle, 20000, 10 * MB + MB / 2, 9000));
    idle_memory_destroy(&idle);
}

/* A spell after too little work trims nothing, however much is free: a trickle of events keeps
 * the heap it uses. */
static void test_a_spell_after_little_work_does_not_trim_for_free_memory(void **state)
{
    (void) state;
    idle_memory_t *idle = idle_new(2000, 1000);
    assert_false(due(idle, 10, 0, 0));
    assert_false(due(idle, 10, 0, 2000));
    assert_false(due(idle, 10, 40 * MB, 3000));
    idle_memory_destroy(&idle);
}

/* The gateway looks every second: under load that walk over every arena (mallinfo2) was paid each
 * time for nothing, as no trim can be due while work moves. */
static void test_the_free_bytes_are_read_only_once_quiet(void **state)
{
    (void) state;
    idle_memory_t *idle = idle_new(2000, 1000);
    for (int64_t t = 0; t < 60000; t += 1000)   /* a minute of load */
        assert_false(due(idle, (uint64_t) t, 0, t));
    assert_int_equal(free_reads, 0);
    assert_false(due(idle, 59000, 0, 60000));    /* quiet for 1 s only */
    assert_int_equal(free_reads, 0);
    assert_true(due(idle, 59000, 0, 61000));     /* the spell's trim */
    assert_false(due(idle, 59000, 0, 62000));    /* looking for what was freed after it */
    assert_int_equal(free_reads, 2);
    idle_memory_destroy(&idle);
}

/* A spell after too little work trims nothing whatever is free: no need to look. */
static void test_a_spell_after_little_work_reads_no_free_bytes(void **state)
{
    (void) state;
    idle_memory_t *idle = idle_new(2000, 1000);
    for (int64_t t = 0; t < 10000; t += 1000)
        assert_false(due(idle, 10, 0, t));
    assert_int_equal(free_reads, 0);
    idle_memory_destroy(&idle);
}

/* Resident kB of this process (/proc/self/statm: pages). */
static long resident_kb(void)
{
    long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%ld %ld", &size, &resident), 2);
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

#define SMALL_BLOCKS 6000
#define SMALL_BLOCK_BYTES 1024

/* What a burst leaves in a thread's own arena: a large block freed (glibc's own thresholds rise on
 * it), then 6 MB of small ones freed in the order they were made, so the last free joins them all
 * to the arena's top. */
static void *burst_in_own_arena(void *unused)
{
    (void) unused;
    char *large = malloc((size_t) 8 << 20);
    assert_non_null(large);
    memset(large, 1, (size_t) 8 << 20);
    free(large);
    static char *blocks[SMALL_BLOCKS];
    for (int i = 0; i < SMALL_BLOCKS; i++) {
        blocks[i] = malloc(SMALL_BLOCK_BYTES);
        assert_non_null(blocks[i]);
        memset(blocks[i], 1, SMALL_BLOCK_BYTES);
    }
    for (int i = 0; i < SMALL_BLOCKS; i++)
        free(blocks[i]);
    return NULL;
}

/* malloc_trim gives back a thread arena's free pages but not its top: with glibc's thresholds
 * raised by the large block, the burst's 6 MB stayed (+6 244 kB without the fixed thresholds). */
static void test_a_thread_arenas_freed_top_goes_back(void **state)
{
    (void) state;
#if defined(__SANITIZE_ADDRESS__)
    skip();   /* AddressSanitizer's allocator, not glibc's, serves malloc */
#endif
    idle_memory_t *idle = idle_memory_new(2000, 1);
    assert_non_null(idle);
    long before = resident_kb();
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, burst_in_own_arena, NULL), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
    idle_memory_give_back();
    long kept = resident_kb() - before;
    printf("resident after the burst and a trim: %+ld kB\n", kept);
    assert_true(kept < 2048);
    idle_memory_destroy(&idle);
}

#define THREADS_AT_ONCE 12

static pthread_barrier_t all_allocated;

/* A block of its own held until every thread holds one: glibc then wants an arena for each. */
static void *allocate_beside_the_others(void *unused)
{
    (void) unused;
    char *block = malloc(4096);
    assert_non_null(block);
    memset(block, 1, 4096);
    pthread_barrier_wait(&all_allocated);
    free(block);
    return NULL;
}

static int arenas_in_use(void)
{
    char *xml = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&xml, &size);
    assert_non_null(out);
    assert_int_equal(malloc_info(0, out), 0);
    assert_int_equal(fclose(out), 0);
    int arenas = 0;
    for (const char *at = xml; (at = strstr(at, "<heap nr=")); at++)
        arenas++;
    free(xml);
    return arenas;
}

/* Twelve threads allocating at once took thirteen arenas on two cores (glibc's default: eight for
 * each core), each keeping its top resident after a trim. */
static void test_threads_share_an_arena_for_each_core(void **state)
{
    (void) state;
#if defined(__SANITIZE_ADDRESS__)
    skip();   /* AddressSanitizer's allocator, not glibc's, serves malloc */
#endif
    idle_memory_prepare();
    assert_int_equal(pthread_barrier_init(&all_allocated, NULL, THREADS_AT_ONCE), 0);
    pthread_t threads[THREADS_AT_ONCE];
    for (int i = 0; i < THREADS_AT_ONCE; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, allocate_beside_the_others, NULL), 0);
    for (int i = 0; i < THREADS_AT_ONCE; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    pthread_barrier_destroy(&all_allocated);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int arenas = arenas_in_use();
    printf("arenas after %d threads allocated at once, %ld cores: %d\n", THREADS_AT_ONCE, cores, arenas);
    assert_true(arenas <= (cores < 2 ? 2 : cores));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_share_an_arena_for_each_core),
        cmocka_unit_test(test_memory_goes_back_once_after_a_quiet_spell),
        cmocka_unit_test(test_a_thread_arenas_freed_top_goes_back),
        cmocka_unit_test(test_a_steady_load_never_trims),
        cmocka_unit_test(test_little_work_before_a_quiet_spell_is_forgotten),
        cmocka_unit_test(test_memory_freed_after_the_trim_goes_back_too),
        cmocka_unit_test(test_a_spell_after_little_work_does_not_trim_for_free_memory),
        cmocka_unit_test(test_the_free_bytes_are_read_only_once_quiet),
        cmocka_unit_test(test_a_spell_after_little_work_reads_no_free_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
