-- Photos and PDFs a reporter attaches to a report (docs/api.md, "Attachments"), owned by
-- aduan-intake behind services/intake/attachment_store.h. Images are kept only as intake re-encoded
-- them (JPEG, no EXIF or GPS, longest side bounded) with a thumbnail; the upload itself is never
-- stored. number: 1..5 within the report, so a report holds at most five. request_id: the
-- attachment.add command's id, so a resent command (the gateway resends when re-encoding is slow)
-- is answered with the file it stored instead of storing it twice.
CREATE TABLE attachments (
    id          bigserial PRIMARY KEY,
    report_id   bigint NOT NULL REFERENCES reports (id),
    number      integer NOT NULL CHECK (number BETWEEN 1 AND 5),
    media_type  text NOT NULL CHECK (media_type IN ('image/jpeg', 'application/pdf')),
    data        bytea NOT NULL,
    thumbnail   bytea,
    width       integer,
    height      integer,
    request_id  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (report_id, number),
    UNIQUE (report_id, request_id)
);
