-- "Dukung": who supported a public report, once each. The supporter is the hash of a random id
-- the supporter's browser keeps (never an address, an account or a cookie of ours), so a
-- count can be kept once per person without anything that names them.
CREATE TABLE report_supports (
    report_id      bigint NOT NULL REFERENCES reports (id),
    supporter_hash text NOT NULL CHECK (supporter_hash ~ '^[0-9a-f]{64}$'),
    supported_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (report_id, supporter_hash)
);

-- Statistics count supports from the report.supported events (docs/statistics.md).
ALTER TABLE stat_reports ADD COLUMN supports integer NOT NULL DEFAULT 0;
