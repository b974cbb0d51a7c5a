#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "stats_gauges.h"
#include "test_db.h"

static char *url;
static db_t *db;

static void sql(const char *statement)
{
    db_error_t error;
    PGresult *r = db_exec(db, statement, 0, NULL, &error);
    assert_non_null(r);
    PQclear(r);
}

/* Four counted reports, and the rollup made from them as the counting keeps it. */
static int setup(void **state)
{
    (void) state;
    db = test_db_open_migrated("statsgauges", &url);
    if (!db)
        return -1;
    sql("INSERT INTO stat_reports (tracking_id, last_seq, submitted_at, classification, category_code, region_code, "
        "channel, status, public_status, verification_missed, resolution_missed) VALUES "
        "('T1', 1, now(), 'complaint', 'PU', '21', 'web', 'closed_by_admin', 'completed', true, false), "
        "('T2', 2, now(), 'complaint', 'PU', '21', 'web', 'archived', 'archived', false, false), "
        "('T3', 3, now() - interval '40 days', 'aspiration', 'PU', '21', 'web', 'waiting_verification', "
        "'not_yet_verified', true, true), "
        "('T4', 4, now(), 'complaint', 'PU', '21', 'web', 'reporter_replied', 'in_process', false, false)");
    sql("SELECT stat_rollup_recount()");
    return 0;
}

static int teardown(void **state)
{
    (void) state;
    test_db_close(&db, &url);
    return 0;
}

/* Facts read so far, as the statistics hold them once this connection has flushed its counts. */
static int64_t reports_read(void)
{
    sql("SELECT pg_stat_force_next_flush()");
    return test_db_scalar(db, "SELECT seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables "
                              "WHERE relname = 'stat_reports'");
}

static void assert_gauge(const char *rendered, const char *line)
{
    if (!strstr(rendered, line))
        fail_msg("no \"%s\" in:\n%s", line, rendered);
}

/* The gauges say what the facts say, and reading them reads no report: they come every 5 s on the
 * hub's thread, so they must not cost more as the reports grow. Counting the facts read each
 * report eight times. */
static void test_the_gauges_are_the_facts_read_from_the_rollup(void **state)
{
    (void) state;
    int64_t before = reports_read();
    db_error_t error;
    assert_int_equal(stats_gauges_update(db, &error), 0);
    assert_int_equal(reports_read() - before, 0);
    char *rendered = metrics_render();
    assert_non_null(rendered);
    assert_gauge(rendered, "aduan_reports{public_status=\"not_yet_verified\"} 1\n");
    assert_gauge(rendered, "aduan_reports{public_status=\"not_yet_followed_up\"} 0\n");
    assert_gauge(rendered, "aduan_reports{public_status=\"in_process\"} 1\n");
    assert_gauge(rendered, "aduan_reports{public_status=\"completed\"} 1\n");
    assert_gauge(rendered, "aduan_reports{public_status=\"archived\"} 1\n");
    assert_gauge(rendered, "aduan_reports_deadline_missed{deadline=\"verification\"} 2\n");
    assert_gauge(rendered, "aduan_reports_deadline_missed{deadline=\"follow_up\"} 0\n");
    assert_gauge(rendered, "aduan_reports_deadline_missed{deadline=\"resolution\"} 1\n");
    free(rendered);
}

typedef struct {
    PGconn *holder;
    int hold_ms;
} lock_holder_t;

static void *release_later(void *arg)
{
    lock_holder_t *h = arg;
    usleep((useconds_t) h->hold_ms * 1000);
    PQclear(PQexec(h->holder, "ROLLBACK"));
    return NULL;
}

/* A rebuild of the statistics holds the rollup locked for as long as it takes; the gauges come on
 * the hub's thread, which must go on publishing and answer SIGTERM meanwhile (e2e_stats_rollup
 * waited 20 s for aduan-stats to stop). The read gives up and the gauges keep their values. */
static void test_the_gauges_do_not_wait_for_a_locked_rollup(void **state)
{
    (void) state;
    lock_holder_t h = {PQconnectdb(url), 3000};
    assert_int_equal(PQstatus(h.holder), CONNECTION_OK);
    PGresult *r = PQexec(h.holder, "BEGIN; LOCK TABLE stat_rollup IN ACCESS EXCLUSIVE MODE");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    pthread_t releaser;
    assert_int_equal(pthread_create(&releaser, NULL, release_later, &h), 0);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    db_error_t error;
    int rc = stats_gauges_update(db, &error);
    clock_gettime(CLOCK_MONOTONIC, &end);
    pthread_join(releaser, NULL);
    PQfinish(h.holder);
    long waited_ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
    if (rc != -1 || waited_ms > GAUGES_WAIT_MS + 800)
        fail_msg("the gauges' read returned %d after %ld ms with the rollup locked for %d ms", rc, waited_ms,
                 h.hold_ms);
    assert_int_equal(stats_gauges_update(db, &error), 0);   /* and read it again once it is free */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_gauges_are_the_facts_read_from_the_rollup),
        cmocka_unit_test(test_the_gauges_do_not_wait_for_a_locked_rollup),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
