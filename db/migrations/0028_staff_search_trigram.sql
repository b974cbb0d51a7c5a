-- The console's search (staff_views.c, `q`: words of the title or body, ILIKE) needs a trigram
-- index over every report, confidential ones too, which staff in scope search as well. It used the
-- duplicate pre-check's GiST index (0012), which 0026 dropped once the pre-check stopped reading
-- it; reports_public_trgm (0019) leaves confidential reports out. A GIN index: inserts go to its
-- pending list, so a surge of submissions pays less than it did for the GiST one.
CREATE INDEX reports_trgm ON reports USING gin ((title || ' ' || body) gin_trgm_ops);
