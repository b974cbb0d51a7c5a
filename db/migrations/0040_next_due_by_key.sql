-- 0031's trigger keeps reports.next_due_at and clock_missed for the reports whose clocks a
-- statement touched (docs/performance.md, "Route: one write per report").
--
-- Route's set-wise step (common/lifecycle/lifecycle_run.c) writes next_due_at and clock_missed
-- with the rest of each report, as its clocks will stand, and then ends and opens the clocks in two
-- statements. After the first of them the trigger saw a report between the two (its restarted
-- clocks ended, the new ones not yet open) and wrote it, then wrote it again after the second:
-- three writes of a report row where one is enough, each of them an entry in every index of
-- reports. The step now sets aduan.next_due_written for those two statements (transaction-local,
-- undone with its savepoint) and the trigger leaves their reports alone.
--
-- Otherwise the trigger joined the statement's reports to the whole table, and the planner, seeing
-- a few thousand reports, scanned all of them and every open clock: 40 ms a run of 100 reports.
-- Now the reports are taken by key and each one's open clocks by the report_id index.
CREATE OR REPLACE FUNCTION reports_keep_next_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('aduan.next_due_written', true) = 'on' THEN
        RETURN NULL;
    END IF;
    UPDATE reports r SET next_due_at = c.due, clock_missed = c.missed
      FROM (SELECT k.report_id, o.due, o.missed
              FROM (SELECT DISTINCT report_id FROM changed) k
              CROSS JOIN LATERAL (SELECT min(d.due_at) AS due, COALESCE(bool_or(d.missed_at IS NOT NULL), false) AS missed
                                    FROM report_deadlines d
                                   WHERE d.report_id = k.report_id AND d.ended_at IS NULL) o) c
     WHERE r.id = ANY (ARRAY(SELECT report_id FROM changed)) AND r.id = c.report_id
       AND (r.next_due_at IS DISTINCT FROM c.due OR r.clock_missed IS DISTINCT FROM c.missed);
    RETURN NULL;
END
$$;
