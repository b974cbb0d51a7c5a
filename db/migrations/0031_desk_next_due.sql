-- The desk and the console's list at 100k reports (issue 17: filters under 300 ms;
-- docs/performance.md). Both order by each report's nearest running deadline and filter on
-- "overdue"; looked up per report in the open clocks, that cost a lookup per selected report
-- (25 000 on a pessimistic desk, 100 000 for the list) before the first row could be kept. The
-- answer is kept on the report itself, so that an index can give the rows in that order:
--   next_due_at  — the earliest due time of its open clocks (NULL: no clock runs);
--   clock_missed — one of its open clocks was marked missed by the deadline sweep.
-- "Overdue" is then clock_missed OR next_due_at < now(), as it was (an open clock missed or past due).
ALTER TABLE reports ADD COLUMN next_due_at timestamptz, ADD COLUMN clock_missed boolean NOT NULL DEFAULT false;

-- Kept in one place, whoever changes a clock (a lifecycle step, the sweeps, a holiday moving due
-- times, an operator): once per statement, for the reports whose clocks that statement touched,
-- and the report is only written when the answer changed (a warning sent changes nothing here).
-- Every role that may write report_deadlines may update reports (db/grants.sql).
CREATE FUNCTION reports_keep_next_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reports r SET next_due_at = c.due, clock_missed = c.missed
      FROM (SELECT k.report_id, min(d.due_at) AS due, COALESCE(bool_or(d.missed_at IS NOT NULL), false) AS missed
              FROM (SELECT DISTINCT report_id FROM changed) k
              LEFT JOIN report_deadlines d ON d.report_id = k.report_id AND d.ended_at IS NULL
             GROUP BY k.report_id) c
     WHERE r.id = c.report_id
       AND (r.next_due_at IS DISTINCT FROM c.due OR r.clock_missed IS DISTINCT FROM c.missed);
    RETURN NULL;
END
$$;
CREATE TRIGGER report_deadlines_next_due_insert AFTER INSERT ON report_deadlines
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION reports_keep_next_due();
CREATE TRIGGER report_deadlines_next_due_update AFTER UPDATE ON report_deadlines
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION reports_keep_next_due();
CREATE TRIGGER report_deadlines_next_due_delete AFTER DELETE ON report_deadlines
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION reports_keep_next_due();

UPDATE reports r SET next_due_at = c.due, clock_missed = c.missed
  FROM (SELECT d.report_id, min(d.due_at) AS due, bool_or(d.missed_at IS NOT NULL) AS missed
          FROM report_deadlines d WHERE d.ended_at IS NULL GROUP BY d.report_id) c
 WHERE r.id = c.report_id;

-- One index per order the lists offer (staff_views.c), so a page is the first rows of an index
-- walk, filtered, instead of a sort of every selected report: for the desk (reports waiting for a
-- verifier, a partial index like reports_desk of 0012, which serves oldest and newest there) and
-- for every report (the console's list).
CREATE INDEX reports_desk_due ON reports (next_due_at, submitted_at, id)
    WHERE status IN ('waiting_verification', 'postponed');
CREATE INDEX reports_desk_updated ON reports (updated_at, id) WHERE status IN ('waiting_verification', 'postponed');
CREATE INDEX reports_due ON reports (next_due_at, submitted_at, id);
CREATE INDEX reports_submitted ON reports (submitted_at, id);
CREATE INDEX reports_updated ON reports (updated_at, id);
-- "Overdue" (clock_missed OR next_due_at < now()) is then two index ranges, this one and the
-- start of reports_due, whatever the selection: few reports are overdue.
CREATE INDEX reports_clock_missed ON reports (id) WHERE clock_missed;
-- "Possible duplicates" (the pre-checks found some): a fifth of the desk in the benchmark; the
-- filter reads these few entries instead of every pre-check.
CREATE INDEX report_prechecks_duplicates ON report_prechecks (report_id) WHERE cardinality(possible_duplicates) > 0;
