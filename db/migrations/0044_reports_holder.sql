-- The staff lists are scoped to the actor's subtree: the reports whose holder (or, before there is
-- one, the institution they are addressed to) is one of its institutions
-- (common/lifecycle/staff_views.c). With that expression indexed with the status, a unit's list
-- reads the unit's reports, and each public bucket's count the unit's reports of that bucket; the
-- planner also has the expression's statistics to tell a unit's few thousand reports from a
-- province's tens of thousands. Without it a unit admin's word search walked the status index over
-- every institution's reports and tested each (docs/performance.md, 250-410 ms at 100 000 reports).
--
-- It takes the place of reports_institution, which no statement reads (staff and statistics read
-- the holder or stat_reports): the reports' writes keep the same number of indexes.
DROP INDEX reports_institution;
CREATE INDEX reports_holder ON reports ((COALESCE(institution_code, target_institution)), status);
