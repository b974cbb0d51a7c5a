-- aduan-stats now counts a consumer run's events into stat_reports in one statement (stats_facts.c)
-- and folds the run into the rollup in that same statement. Inside one statement the rows it has
-- just written are not visible to a read of stat_reports (every part of it shares one snapshot),
-- so the fold takes the reports as they are after the change from the statement's RETURNING
-- instead of reading them by tracking id; it is otherwise the fold of 0037.
DROP FUNCTION stat_rollup_fold(stat_reports[], text[]);

-- Folds a change of some reports into the rollup: old_rows are those reports before it (absent:
-- new), new_rows the same reports after it (absent: deleted). Each group and each time the change
-- moved is written once, however many reports and events of it the change holds; rows left at
-- zero go. Rows are written in key order, so two writers never wait for each other in opposite
-- orders. SECURITY DEFINER: aduan-stats reads the rollup and changes it only through this.
CREATE FUNCTION stat_rollup_fold(old_rows stat_reports[], new_rows stat_reports[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO stat_rollup AS r
    SELECT * FROM stat_group(old_rows, new_rows, false) g
    ORDER BY g.month, g.institution_code, g.region_code, g.category_code, g.classification, g.channel
    ON CONFLICT (month, institution_code, region_code, category_code, classification, channel) DO UPDATE SET
        received = r.received + excluded.received, not_yet_verified = r.not_yet_verified + excluded.not_yet_verified,
        not_yet_followed_up = r.not_yet_followed_up + excluded.not_yet_followed_up,
        in_process = r.in_process + excluded.in_process, completed = r.completed + excluded.completed,
        postponed = r.postponed + excluded.postponed, archived = r.archived + excluded.archived,
        transferred = r.transferred + excluded.transferred, ever_postponed = r.ever_postponed + excluded.ever_postponed,
        ever_transferred = r.ever_transferred + excluded.ever_transferred, supports = r.supports + excluded.supports,
        verification_in_time = r.verification_in_time + excluded.verification_in_time,
        verification_due = r.verification_due + excluded.verification_due,
        follow_up_in_time = r.follow_up_in_time + excluded.follow_up_in_time,
        follow_up_due = r.follow_up_due + excluded.follow_up_due,
        verification_missed = r.verification_missed + excluded.verification_missed,
        follow_up_missed = r.follow_up_missed + excluded.follow_up_missed,
        resolution_missed = r.resolution_missed + excluded.resolution_missed;
    INSERT INTO stat_rollup_times AS r
    SELECT * FROM stat_times(old_rows, new_rows, false) t
    ORDER BY t.month, t.institution_code, t.region_code, t.category_code, t.classification, t.channel, t.measure,
             t.seconds
    ON CONFLICT (month, institution_code, region_code, category_code, classification, channel, measure, seconds)
    DO UPDATE SET n = r.n + excluded.n;
    DELETE FROM stat_rollup WHERE received = 0;
    DELETE FROM stat_rollup_times WHERE n = 0;
END
$$;
