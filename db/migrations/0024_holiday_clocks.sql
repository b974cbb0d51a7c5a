-- An admin adds or removes a holiday while clocks run (aduan-route, holiday.add/remove). Working
-- days skip the holiday calendar (DOMAIN.md), so a running clock whose working days span the day
-- is moved: it keeps its number of working days, counted on the new calendar.

-- How many working days a clock started at `start` runs to end at `deadline` (the inverse of
-- working_deadline: the working days after the start's day up to the day before the deadline's
-- midnight), on the calendar as it is now.
CREATE FUNCTION working_days_between(start timestamptz, deadline timestamptz) RETURNS int
LANGUAGE sql STABLE AS $$
    SELECT count(*)::int
    FROM generate_series(1, (deadline AT TIME ZONE 'Asia/Jakarta')::date - 1
                            - (start AT TIME ZONE 'Asia/Jakarta')::date) AS k
    WHERE is_working_day((start AT TIME ZONE 'Asia/Jakarta')::date + k)
$$;

-- `at` (a due or warning time of a clock started at `start`) after `day` became a holiday
-- (delta 1) or stopped being one (delta -1), the calendar already changed: unchanged unless the
-- day is a weekday inside the clock's working days, else worked out again for the same number.
CREATE FUNCTION holiday_moved_deadline(start timestamptz, at timestamptz, day date, delta int)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN at IS NULL OR extract(isodow FROM day) >= 6
             OR day <= (start AT TIME ZONE 'Asia/Jakarta')::date
             OR day >= (at AT TIME ZONE 'Asia/Jakarta')::date THEN at
        ELSE working_deadline(start, working_days_between(start, at) + delta)
    END
$$;

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
