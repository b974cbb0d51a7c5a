-- Internal notes (action internal_note, event report.note_added): written by staff for staff in
-- scope. The flag keeps them out of the public view and out of notifications wherever actions are
-- read, without each reader knowing which actions are internal.
ALTER TABLE report_actions ADD COLUMN internal boolean NOT NULL DEFAULT false;
