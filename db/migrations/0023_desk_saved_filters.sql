-- Saved desk filters (issue 17): a staff member keeps named sets of the desk's filters and applies
-- them again later. The filters are stored as the desk's own query arguments, checked by the
-- gateway's desk filter parser before they are written, so applying one is the same as typing it.
-- Owned by aduan-intake, which answers the desk; a member's filters go with the member (never shared).
CREATE TABLE desk_saved_filters (
    id         bigserial PRIMARY KEY,
    staff_id   bigint NOT NULL REFERENCES staff (id),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    filters    jsonb NOT NULL CHECK (jsonb_typeof(filters) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (staff_id, name)
);
