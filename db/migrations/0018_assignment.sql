-- Assignment of a report to one officer of its holding institution (action assign, event
-- report.assigned): the current assignee on the report ("my reports"), and whom each assign step
-- named in the report's log. A new holder (dispatch, transfer) starts unassigned.
ALTER TABLE reports ADD COLUMN assignee text;
ALTER TABLE report_actions ADD COLUMN assignee text;
CREATE INDEX reports_assignee ON reports (assignee) WHERE assignee IS NOT NULL;
