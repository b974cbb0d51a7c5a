-- One-time survey codes: an institution hands them to the people it served, and only an answer
-- with an unused code of that institution counts (so nobody can stuff its satisfaction index).
-- The codes are random (256 bits) and stored only as their SHA-256; an answer marks its code used
-- in the statement that records it. request_id: the survey.codes command that issued the code, so
-- that a resend of it replaces the unused codes the lost answer carried instead of adding more.
CREATE TABLE survey_codes (
    code_hash        text PRIMARY KEY CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    institution_code text NOT NULL REFERENCES institutions (code),
    issued_by        text NOT NULL,
    issued_at        timestamptz NOT NULL DEFAULT now(),
    request_id       text NOT NULL,
    used_at          timestamptz
);
CREATE INDEX survey_codes_request ON survey_codes (request_id);
