-- Which deadline rule a new clock runs by, in one place: the most specific rule of its kind for the
-- report's classification and field supervision (none: no clock). Opening clocks uses it
-- (common/lifecycle/lifecycle_store.c), and so does intake's insert of a new report, which writes
-- the report's next_due_at (0031) as the verification clock opened in the same transaction will
-- have it: the clocks' statement trigger then finds nothing to change. Without that, every new
-- report was written twice, the second time a non-HOT update (next_due_at is indexed) with a new
-- entry in each of the report's indexes, both GIN indexes of its text included: 40 % of the
-- database time of a submission (docs/performance.md, "Where a submission's time goes").
CREATE FUNCTION clock_rule(kind text, classification text, field_supervision boolean,
                           OUT working_days int, OUT warn_before_days int) RETURNS SETOF record
LANGUAGE sql STABLE AS $$
    SELECT d.working_days, d.warn_before_days FROM deadline_rules d
     WHERE d.kind = clock_rule.kind
       AND (d.classification IS NULL OR d.classification = clock_rule.classification)
       AND (d.field_supervision IS NULL OR d.field_supervision = clock_rule.field_supervision)
     ORDER BY (d.classification IS NOT NULL) DESC, (d.field_supervision IS NOT NULL) DESC LIMIT 1
$$;
