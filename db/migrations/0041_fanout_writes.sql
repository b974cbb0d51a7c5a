-- What every delivery made by the fan-out costs to write (issue 11: notify's fan-out at 2 000
-- events/s). Measured on a copy of the bench's rows, the foreign-key checks were a third to a half
-- of the insert's CPU in PostgreSQL (one lookup and row lock per key per row, of reports and staff
-- among others), and the second unique key a wide index entry per row.
--
-- The second unique key of deliveries is the key the delivery id is derived from (an HMAC under the
-- one key every replica shares, docs/notifications.md): the unique delivery id already makes a
-- delivery once per (event, channel, recipient kind, recipient).
ALTER TABLE deliveries DROP CONSTRAINT deliveries_event_id_channel_recipient_kind_recipient_key;

-- The foreign keys guarded nothing the writer does not already ensure: aduan-notify is the only
-- writer of these tables (db/grants.sql), takes every id from the row it has just read in the same
-- transaction (the report, the staff member, the webhook, the delivery it inserts in the same
-- statement), and no service deletes reports, staff, institutions, webhooks or deliveries (staff
-- and webhooks are deactivated). They also made a delivery wait for any step holding its report.
ALTER TABLE deliveries
    DROP CONSTRAINT deliveries_report_id_fkey,
    DROP CONSTRAINT deliveries_institution_code_fkey,
    DROP CONSTRAINT deliveries_staff_id_fkey,
    DROP CONSTRAINT deliveries_webhook_id_fkey;
ALTER TABLE delivery_attempts DROP CONSTRAINT delivery_attempts_delivery_id_fkey;
-- An inbox item is written only with its delivery, in the statement that inserts the delivery
-- (nothing when the delivery was there already), so one item per delivery holds without an index.
ALTER TABLE inbox_items
    DROP CONSTRAINT inbox_items_staff_id_fkey,
    DROP CONSTRAINT inbox_items_delivery_id_fkey,
    DROP CONSTRAINT inbox_items_delivery_id_key;
