-- True when region `code` is `root` or below it: an institution admin's routing rules stay in the
-- region of the admin's institution (docs/api.md "Administration").
CREATE FUNCTION region_within(code text, root text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE up (c) AS (
        SELECT code
        UNION ALL
        SELECT g.parent_code FROM regions g JOIN up ON g.code = up.c WHERE g.parent_code IS NOT NULL
    )
    SELECT code IS NOT NULL AND root IS NOT NULL AND EXISTS (SELECT 1 FROM up WHERE c = root)
$$;
