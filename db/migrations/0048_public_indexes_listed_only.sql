-- The public list and its "support this one instead" name only the verified buckets
-- (services/intake/public_list.c): before verification the verifier may still make a report
-- confidential, and an archived report was never taken up. Yet every report intake wrote entered the
-- public list's two indexes while it waited, its words' GIN entries among them, and so did every
-- write of it while it waited. Left out until it is verified, a report enters them with the write
-- that verifies it, which wrote a new entry into each of them anyway (a status change is never a
-- HOT update). docs/performance.md, stop 46, has what the reports' insert saves.
--
-- The list's statements repeat this predicate so that the planner can use the indexes; a status
-- added later is listed (and indexed) unless it is named here and there.
DROP INDEX reports_public_recent;
DROP INDEX reports_public_words;
CREATE INDEX reports_public_recent ON reports (submitted_at DESC, id DESC)
    WHERE NOT confidential AND status NOT IN ('waiting_verification', 'postponed', 'archived');
CREATE INDEX reports_public_words ON reports USING gin (public_words) WITH (gin_pending_list_limit = 256)
    WHERE NOT confidential AND status NOT IN ('waiting_verification', 'postponed', 'archived');
