-- "Support this one instead" ranks the newest open reports of its window by word similarity
-- (services/intake/public_list.c) and no longer asks the trigram index of 0019, which with a small
-- vocabulary selected nearly every report. Nothing else reads it; it only cost every write.
DROP INDEX reports_public_trgm;
