#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

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
    static const char ROWS_READ[] = "SELECT seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables "
                                    "WHERE relname = 'stat_reports'";
    sql("BEGIN");
    int64_t before = test_db_scalar(db, ROWS_READ);
    db_error_t error;
    assert_int_equal(stats_gauges_update(db, &error), 0);
    int64_t reports_read = test_db_scalar(db, ROWS_READ) - before;
    sql("COMMIT");
    assert_int_equal(reports_read, 0);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_gauges_are_the_facts_read_from_the_rollup),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
