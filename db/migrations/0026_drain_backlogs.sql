-- What draining a backlog fast needs (issue 11, docs/performance.md "Draining a backlog").

-- The duplicate pre-check now compares the latest reports of a region and category in its window,
-- read newest first through reports_region_category (services/verify/prechecks.c): the trigram
-- KNN index has no reader left, and every report inserted paid for it.
DROP INDEX reports_similar;
