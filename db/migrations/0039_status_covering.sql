-- The staff lists count each public bucket down the status index, testing the filters on every
-- entry until the count's cap (common/lifecycle/staff_views.c). Each test read the report itself:
-- a bucket that the filters leave (nearly) empty cost a heap read per report of the bucket, 25 000
-- at 100 000 reports (docs/performance.md). With the filtered columns in the index the walk reads
-- index entries only (an index-only scan once the visibility map is set, as autovacuum keeps it).
-- No HOT update is lost: every one of these columns is indexed already, and any update of a
-- report changes updated_at, which is indexed (0031). Text search (q) still reads the report.
DROP INDEX reports_status;
CREATE INDEX reports_status ON reports (status)
    INCLUDE (id, institution_code, target_institution, category_code, region_code, clock_missed, next_due_at,
             submitted_at, assignee);
