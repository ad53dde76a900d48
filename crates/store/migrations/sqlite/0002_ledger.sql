-- The work ledger: one row per activity; tags file it under every ledger it belongs to.
CREATE TABLE activities (
    id             INTEGER PRIMARY KEY,
    unit_id        INTEGER NOT NULL REFERENCES units(id),
    type_code      TEXT NOT NULL,
    date           TEXT NOT NULL,
    topic          TEXT NOT NULL,
    host_person_id INTEGER REFERENCES people(id),
    others         INTEGER NOT NULL DEFAULT 0,
    summary        TEXT NOT NULL DEFAULT '',
    extra          TEXT NOT NULL DEFAULT '{}',
    flags          TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX activities_unit_date ON activities(unit_id, date);

CREATE TABLE activity_tags (
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (activity_id, tag)
);
CREATE INDEX activity_tags_tag ON activity_tags(tag, activity_id);

CREATE TABLE activity_participants (
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (activity_id, person_id)
);

-- Files live on disk under their SHA-256; this is what is known about each upload.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    media_type  TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    record_type TEXT NOT NULL,
    record_id   INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX attachments_record ON attachments(record_type, record_id);
