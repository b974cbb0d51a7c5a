-- Survey answers arrive as commands to aduan-stats (survey.answer), which a gateway resends with
-- the same request id when a replica died mid-request: the id is kept with the answer so that the
-- resend finds it and records nothing twice.
ALTER TABLE survey_responses ADD COLUMN request_id text UNIQUE;
