-- Opening a clock computes working_deadline() for its due and warning times: route does it twice
-- for every report it routes. 0004's version walked the calendar one day at a time and asked
-- is_working_day() (a query of holidays) for each: 84 queries for a 60-working-day resolution
-- clock, 3.5 ms of a route step's ~14 ms of database time while draining a backlog. The same
-- answer from whole weeks: the n-th weekday after a date is arithmetic, then each weekday holiday
-- met on the way adds one more weekday, counted again over the stretch just added (holidays are a
-- few dozen a year, so one or two counts of the holidays index).

-- The n-th weekday (Monday to Friday) after `d` (n >= 0); from a Saturday or Sunday, counted as
-- from the Friday before, whose following weekdays are the same.
CREATE FUNCTION add_weekdays(d date, n int) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
    SELECT f + (n / 5) * 7 + n % 5 + CASE WHEN extract(isodow FROM f) + n % 5 > 5 THEN 2 ELSE 0 END
    FROM (SELECT d - greatest(extract(isodow FROM d)::int - 5, 0) AS f) friday
$$;

CREATE OR REPLACE FUNCTION working_deadline(start timestamptz, days int) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
DECLARE
    last date := (start AT TIME ZONE 'Asia/Jakarta')::date;
    counted_to date := last;     -- holidays up to here are accounted for
    missing int := days;         -- working days still to add after `last`
BEGIN
    IF days < 0 THEN
        RAISE EXCEPTION 'working_deadline: negative days %', days;
    END IF;
    WHILE missing > 0 LOOP
        last := add_weekdays(last, missing);
        SELECT count(*) INTO missing FROM holidays
         WHERE day > counted_to AND day <= last AND extract(isodow FROM day) < 6;
        counted_to := last;
    END LOOP;
    RETURN ((last + 1)::timestamp) AT TIME ZONE 'Asia/Jakarta';
END $$;
