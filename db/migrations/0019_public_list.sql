-- The public list of reports (intake's report.list, GET /api/v1/reports): only reports that are
-- not confidential are ever listed, so both indexes leave the others out. Full text uses the
-- 'simple' configuration: reports are in Indonesian, English and regional languages alike, and a
-- stemmer for one of them would mangle the others.
CREATE INDEX reports_public_text ON reports USING gin (to_tsvector('simple', title || ' ' || body))
    WHERE NOT confidential;
CREATE INDEX reports_public_recent ON reports (submitted_at DESC, id DESC) WHERE NOT confidential;
-- "Support this one instead" finds open reports whose words resemble a draft (word_similarity,
-- `<%`): a trigram index over the text alone. The duplicate pre-check's GiST index (0012) leads
-- with region and category, which the draft's search does not fix.
CREATE INDEX reports_public_trgm ON reports USING gin ((title || ' ' || body) gin_trgm_ops)
    WHERE NOT confidential;
