-- The reference data every report points at: regions (Kemendagri codes), the institution tree,
-- the two-level category tree, and the holiday calendar that working-day deadlines skip.

CREATE TABLE regions (
    code        text PRIMARY KEY CHECK (code ~ '^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$'),
    parent_code text REFERENCES regions (code),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind        text NOT NULL CHECK (kind IN ('province', 'regency', 'city', 'district', 'village')),
    CHECK ((kind = 'province') = (parent_code IS NULL))
);
CREATE INDEX regions_parent ON regions (parent_code);

CREATE TABLE institutions (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9._-]{0,31}$'),
    parent_code text REFERENCES institutions (code),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    kind        text NOT NULL CHECK (kind IN ('national', 'ministry', 'province', 'regency', 'city', 'unit')),
    region_code text REFERENCES regions (code),
    -- The institution that receives a region's reports when no routing rule is more specific.
    is_region_coordinator boolean NOT NULL DEFAULT false,
    active      boolean NOT NULL DEFAULT true,
    CHECK ((kind = 'national') = (parent_code IS NULL))
);
CREATE INDEX institutions_parent ON institutions (parent_code);
CREATE UNIQUE INDEX institutions_one_coordinator_per_region
    ON institutions (region_code) WHERE is_region_coordinator;

CREATE TABLE categories (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9._-]{0,31}$'),
    parent_code text REFERENCES categories (code),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    name_en     text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    active      boolean NOT NULL DEFAULT true
);
CREATE INDEX categories_parent ON categories (parent_code);

-- Two levels only: a subcategory's parent must itself be a top-level group.
CREATE FUNCTION categories_two_levels() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.parent_code IS NOT NULL AND EXISTS (
        SELECT 1 FROM categories WHERE code = NEW.parent_code AND parent_code IS NOT NULL) THEN
        RAISE EXCEPTION 'category % would be a third level under %', NEW.code, NEW.parent_code;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER categories_two_levels BEFORE INSERT OR UPDATE ON categories
    FOR EACH ROW EXECUTE FUNCTION categories_two_levels();

CREATE TABLE holidays (
    day         date PRIMARY KEY,
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('national', 'joint_leave'))
);
