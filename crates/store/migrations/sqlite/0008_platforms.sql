-- 阵地 (platforms) with their inspection log; 三审三校 drafts with reviewer assignments,
-- review actions, proofreading rounds, overrides and the publication log; teams (队伍) with
-- members, trainings and contributions; media coverage (媒体刊发).
CREATE TABLE platforms (
    id                   INTEGER PRIMARY KEY,
    unit_id              INTEGER NOT NULL REFERENCES units(id),
    kind                 TEXT NOT NULL,
    name                 TEXT NOT NULL,
    account              TEXT NOT NULL DEFAULT '',
    answerable_person_id INTEGER REFERENCES people(id),
    admins               TEXT NOT NULL DEFAULT '',
    members              INTEGER,
    filing               TEXT NOT NULL,
    registered_on        TEXT NOT NULL,
    notes                TEXT NOT NULL DEFAULT '',
    created_at           TEXT NOT NULL
);
CREATE INDEX platforms_unit ON platforms(unit_id, kind);

CREATE TABLE platform_inspections (
    id                 INTEGER PRIMARY KEY,
    platform_id        INTEGER NOT NULL REFERENCES platforms(id),
    date               TEXT NOT NULL,
    inspector          TEXT NOT NULL,
    membership_cleaned INTEGER NOT NULL,
    posts_handled      INTEGER NOT NULL,
    content_archived   INTEGER NOT NULL,
    findings           TEXT NOT NULL DEFAULT '',
    created_at         TEXT NOT NULL
);
CREATE INDEX platform_inspections_platform ON platform_inspections(platform_id, date);

CREATE TABLE review_assignments (
    id      INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    stage   TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    UNIQUE (unit_id, stage, user_id)
);

CREATE TABLE drafts (
    id                 INTEGER PRIMARY KEY,
    unit_id            INTEGER NOT NULL REFERENCES units(id),
    title              TEXT NOT NULL,
    body               TEXT NOT NULL,
    state              TEXT NOT NULL,
    author_user_id     INTEGER NOT NULL REFERENCES users(id),
    findings           TEXT NOT NULL DEFAULT '[]',
    first_submitted_at TEXT,
    state_since        TEXT NOT NULL,
    created_at         TEXT NOT NULL
);
CREATE INDEX drafts_unit ON drafts(unit_id, state);

CREATE TABLE draft_platforms (
    draft_id    INTEGER NOT NULL REFERENCES drafts(id),
    platform_id INTEGER NOT NULL REFERENCES platforms(id),
    PRIMARY KEY (draft_id, platform_id)
);

CREATE TABLE review_actions (
    id          INTEGER PRIMARY KEY,
    draft_id    INTEGER NOT NULL REFERENCES drafts(id),
    step        TEXT NOT NULL,
    stage       TEXT,
    user_id     INTEGER REFERENCES users(id),
    user_name   TEXT NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    text_sha256 TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX review_actions_draft ON review_actions(draft_id);

CREATE TABLE proofreading_rounds (
    id        INTEGER PRIMARY KEY,
    draft_id  INTEGER NOT NULL REFERENCES drafts(id),
    number    INTEGER NOT NULL,
    user_id   INTEGER REFERENCES users(id),
    user_name TEXT NOT NULL,
    text_before TEXT NOT NULL,
    text_after  TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT '',
    at        TEXT NOT NULL,
    UNIQUE (draft_id, number)
);

CREATE TABLE lint_overrides (
    id       INTEGER PRIMARY KEY,
    draft_id INTEGER NOT NULL REFERENCES drafts(id),
    rule     TEXT NOT NULL,
    text     TEXT NOT NULL,
    reason   TEXT NOT NULL,
    user_id  INTEGER REFERENCES users(id),
    by_name  TEXT NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX lint_overrides_draft ON lint_overrides(draft_id);

CREATE TABLE publications (
    id           INTEGER PRIMARY KEY,
    draft_id     INTEGER NOT NULL UNIQUE REFERENCES drafts(id),
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    title        TEXT NOT NULL,
    text         TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    platforms    TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_on TEXT NOT NULL,
    published_by TEXT NOT NULL
);
CREATE INDEX publications_unit ON publications(unit_id, published_on);

-- The publication log is append-only: what was published stays as it was.
CREATE TRIGGER publications_no_update BEFORE UPDATE ON publications
BEGIN SELECT RAISE(ABORT, 'publications are append-only'); END;
CREATE TRIGGER publications_no_delete BEFORE DELETE ON publications
BEGIN SELECT RAISE(ABORT, 'publications are append-only'); END;

CREATE TABLE team_members (
    id        INTEGER PRIMARY KEY,
    unit_id   INTEGER NOT NULL REFERENCES units(id),
    kind      TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    joined_on TEXT NOT NULL,
    left_on   TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX team_members_unit ON team_members(unit_id, kind);

CREATE TABLE team_trainings (
    id        INTEGER PRIMARY KEY,
    unit_id   INTEGER NOT NULL REFERENCES units(id),
    kind      TEXT,
    date      TEXT NOT NULL,
    title     TEXT NOT NULL,
    hours     INTEGER NOT NULL,
    attendees INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX team_trainings_unit ON team_trainings(unit_id, date);

CREATE TABLE team_contributions (
    id        INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES team_members(id),
    date      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    title     TEXT NOT NULL,
    link      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX team_contributions_member ON team_contributions(member_id);

CREATE TABLE media_coverage (
    id        INTEGER PRIMARY KEY,
    unit_id   INTEGER NOT NULL REFERENCES units(id),
    outlet    TEXT NOT NULL,
    level     TEXT NOT NULL,
    date      TEXT NOT NULL,
    title     TEXT NOT NULL,
    link      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX media_coverage_unit ON media_coverage(unit_id, date);
