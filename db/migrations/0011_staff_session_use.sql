-- Staff sessions end when unused for ADUAN_SESSION_IDLE_MINUTES (each use moves last_used_at), and
-- "sign out everywhere" and deactivating an account remove every session of one member at once,
-- hence the index by member.
ALTER TABLE staff_sessions ADD COLUMN last_used_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);
