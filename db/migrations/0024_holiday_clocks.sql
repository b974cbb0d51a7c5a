-- An admin adds or removes a holiday while clocks run (aduan-route, holiday.add/remove). Working
-- days skip the holiday calendar (DOMAIN.md), so a running clock whose working days span the day
-- is moved: it keeps its number of working days, counted on the new calendar.

-- `at` (a due or warning time of a clock started at `start`) after `day` became a holiday
-- (delta 1) or stopped being one (delta -1), the calendar already changed. Unchanged unless the
-- day is a weekday inside the clock's working days (after the start's day, before the deadline's
-- midnight). Else the clock keeps its number n of working days: its last working day was the n-th;
-- a new holiday among them makes the next working day the n-th, a removed one the previous one.
-- (A few days' walk per clock, not the whole span again: a change moves thousands of clocks.)
CREATE FUNCTION holiday_moved_deadline(start timestamptz, at timestamptz, day date, delta int)
RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
DECLARE
    last date := (at AT TIME ZONE 'Asia/Jakarta')::date - 1;
BEGIN
    IF at IS NULL OR extract(isodow FROM day) >= 6 OR day <= (start AT TIME ZONE 'Asia/Jakarta')::date
       OR day > last THEN
        RETURN at;
    END IF;
    LOOP
        last := last + delta;
        EXIT WHEN is_working_day(last);
    END LOOP;
    RETURN ((last + 1)::timestamp) AT TIME ZONE 'Asia/Jakarta';
END $$;

-- The seeds are loaded again by every `aduan-admin migrate` (adding missing rows), which would
-- bring back a seeded holiday or routing rule an admin removed. A removal leaves its key here, the
-- seeds skip those keys, and adding the row again through the API takes the key out.
CREATE TABLE removed_reference_rows (
    table_name text NOT NULL CHECK (table_name IN ('holidays', 'routing_rules')),
    key        text NOT NULL,   -- holidays: the day; routing_rules: category and region, "*" for none
    removed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_name, key)
);

CREATE FUNCTION routing_rule_key(category text, region text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(category, '*') || ' ' || COALESCE(region, '*')
$$;
